"""One module per CLI command; see ``aib_pilot.cli``."""
