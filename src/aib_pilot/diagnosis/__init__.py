"""Pure diagnosis of Azure VM Image Builder runs: log text -> timeline -> ranked findings.

Public API::

    from aib_pilot.diagnosis import diagnose
    a = diagnose(log, status_message=None, provisioning_error=None, template_path=None, source=None)
    a.category; a.failed
    d = a.result()          # the typed Diagnosis every report format takes
    d.to_dict()             # its JSON (Diagnosis.from_dict reads it back)

Nothing here talks to Azure or prints; rules are data in ``catalogue.py``. The engine is imported
on first use, so the report layer can use the result types without loading the rule catalogue.
"""

from aib_pilot.diagnosis.result import SCHEMA, Diagnosis, Finding

__all__ = ["SCHEMA", "Analysis", "Diagnosis", "Finding", "diagnose"]


def __getattr__(name: str):
    if name in ("Analysis", "diagnose"):
        from aib_pilot.diagnosis import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
