"""``aib-pilot preflight``: read-only checks of the Azure estate a template needs (rules AIB6xx).

    from aib_pilot.preflight import preflight
    result = preflight(session, loaded_template, resource_group="rg", name="tpl", on_conflict="attach")

``result`` is a typed Diagnosis with schema ``aib-pilot/preflight/v1`` (see runner.py); docs/preflight.md lists every check and the
SDK calls it makes.
"""

from aib_pilot.preflight.runner import SCHEMA, preflight

__all__ = ["SCHEMA", "preflight"]
