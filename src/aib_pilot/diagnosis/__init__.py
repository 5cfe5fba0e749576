"""Pure diagnosis of Azure VM Image Builder runs: log text -> timeline -> ranked findings.

Public API::

    from aib_pilot.diagnosis import diagnose
    d = diagnose(log, status_message=None, provisioning_error=None, template_path=None, source=None)
    d.to_dict(); d.category; d.failed

Nothing here talks to Azure or prints; rules are data in ``catalogue.py``.
"""

from aib_pilot.diagnosis.engine import SCHEMA, Diagnosis, Finding, diagnose

__all__ = ["SCHEMA", "Diagnosis", "Finding", "diagnose"]
