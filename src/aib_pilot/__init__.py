"""aib-pilot: run Azure VM Image Builder builds from CI, monitor them, explain failures."""

__version__ = "0.1.0"
