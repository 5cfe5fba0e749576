"""Pipeline edges: turn a CI platform's step inputs into an ``aib-pilot`` command line.

* :mod:`aib_pilot.entrypoints.github` -- the GitHub container action (``INPUT_*`` with hyphens).
* :mod:`aib_pilot.entrypoints.azure_devops` -- the Azure DevOps task (``INPUT_*`` upper-cased,
  service connection from ``ENDPOINT_*``), started by ``ado-task/AibPilotV0/launcher.js``.

Both share the input table in :mod:`aib_pilot.entrypoints.inputs`; neither knows any workflow
command syntax (that lives in :mod:`aib_pilot.report`).
"""
