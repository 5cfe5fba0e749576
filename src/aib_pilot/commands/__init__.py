"""One module per CLI command (``register(subparsers)`` and ``run(args)``); see ``aib_pilot.cli``.

``SUMMARIES`` holds each command's one-line help, in the order of ``aib-pilot --help``. It is kept
here, not in the command modules, so that the CLI can list every command without importing them:
a command's module (its option tables, the code it reaches) is imported only when it runs.
"""

SUMMARIES = {
    "run": "submit the template and monitor its build in one step",
    "submit": "create the image template and start its build; returns at once",
    "preflight": "check in seconds what would fail the build in Azure (reads only)",
    "monitor": "follow a build: progress, live log (saved), diagnosis; resumable",
    "diagnose": "explain a failed build from customization.log and/or the status message",
    "logs": "download the build log (customization.log) of the last run",
    "cancel": "cancel the running build of a template",
    "cleanup": "save the last run's log, then delete the template (and with it the staging group)",
    "lint": "check image templates for mistakes that make builds fail",
    "demo": "run the full flow against the local emulator (needs a repo checkout)",
}
