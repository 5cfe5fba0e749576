"""Reports: the only place that knows GitHub Actions or Azure DevOps syntax .

    from aib_pilot.report import render_diagnosis, make_sink, FORMATS
    render_diagnosis(diag, "github", sys.stdout, template_path="image.json")
    sink = make_sink("azure-devops", out=sys.stdout, env=os.environ)

See docs/output-formats.md for what each format prints.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, TextIO

from aib_pilot.diagnosis.result import Diagnosis
from aib_pilot.errors import UsageError
from aib_pilot.report.livelog import LIVE_LOG_MODES
from aib_pilot.report.sink import Sink

FORMATS = ("text", "json", "github", "azure-devops", "markdown")


def _sink_class(fmt: str) -> type[Sink]:
    if fmt == "text":
        from aib_pilot.report.text import TextSink
        return TextSink
    if fmt == "json":
        from aib_pilot.report.jsonout import JsonSink
        return JsonSink
    if fmt == "markdown":
        from aib_pilot.report.markdown import MarkdownSink
        return MarkdownSink
    if fmt == "github":
        from aib_pilot.report.github import GitHubSink
        return GitHubSink
    if fmt == "azure-devops":
        from aib_pilot.report.azure_devops import AzureDevOpsSink
        return AzureDevOpsSink
    raise UsageError(f"Unknown output format {fmt!r}.", hint=f"Use one of: {', '.join(FORMATS)}.")


def make_sink(fmt: str, out: TextIO | None = None, env: Mapping[str, str] | None = None,
              *, err: TextIO | None = None, live_log: str | None = None) -> Sink:
    """A sink for live progress and the final result in format ``fmt`` (one of FORMATS).

    ``live_log``: ``filtered`` (default; readable customizer output, see report/livelog.py),
    ``full`` (every log line) or ``off``. When None, ``$AIB_PILOT_LIVE_LOG`` from ``env`` decides.
    A value that is not a mode raises UsageError.
    """
    return _sink_class(fmt)(out if out is not None else sys.stdout,
                            env if env is not None else os.environ, err, live_log=live_log)


def render_diagnosis(diag: Diagnosis, fmt: str, out: TextIO, *, template_path: str | None = None,
                     env: Mapping[str, str] | None = None) -> None:
    """Print a diagnosis (or a lint or preflight result) in ``fmt``.

    For ``github``/``azure-devops`` this also writes the diagnosis step outputs and the summary
    when the runner's environment provides them (GITHUB_OUTPUT / GITHUB_STEP_SUMMARY; agent vars).
    """
    # No live log here, so AIB_PILOT_LIVE_LOG is not consulted (nor validated).
    make_sink(fmt, out, env, live_log="off").diagnosis(diag, template_path=template_path)


__all__ = ["FORMATS", "LIVE_LOG_MODES", "Sink", "make_sink", "render_diagnosis"]
