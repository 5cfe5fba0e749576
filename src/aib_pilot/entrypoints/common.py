"""What both pipeline adapters do around the CLI: signals, bad-input reporting, the call itself."""

from __future__ import annotations

import os
import signal
import sys
from typing import Mapping

from aib_pilot.entrypoints.inputs import Invocation
from aib_pilot.errors import EXIT_USAGE


def interrupt_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt.

    In a container our process is PID 1, for which the kernel ignores SIGTERM unless a handler is
    installed; runners send SIGINT, then SIGTERM ~7.5 s later, then kill. With this the CLI's
    interrupt path (e.g. ``run --cancel-on-interrupt`` firing the Azure cancel) runs for both.
    """
    def _raise(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)


def _sink(fmt: str, environ: Mapping[str, str]):
    """The report sink for ``fmt``, or None when that format cannot be loaded."""
    try:
        from aib_pilot.report import make_sink

        return make_sink(fmt, out=sys.stdout, env=environ)
    except Exception:  # a usage problem must still be reported, whatever the report layer does
        return None


def execute(inv: Invocation, fmt: str, environ: Mapping[str, str] | None = None) -> int:
    """Report bad inputs (one line each, exit 2) or run ``aib-pilot`` with ``inv``."""
    environ = os.environ if environ is None else environ
    sink = _sink(fmt, environ)
    if sink is not None:
        for value in inv.secrets:
            sink.secret(value)  # registered before anything could print them
    if inv.errors:
        from aib_pilot.report.console import process_console

        console = process_console(environ)
        for value in inv.secrets:
            console.secret(value)
        for line in inv.errors:
            console.error(line)  # quotes step inputs: masked and neutralised like any output
            if sink is not None and fmt in ("github", "azure-devops"):
                sink.error(line)  # also an annotation / task issue on the step
        return EXIT_USAGE
    os.environ.update(inv.env)
    from aib_pilot.cli import main

    sys.stdout.flush()
    return main(inv.argv)
