"""The ``github`` format: GitHub Actions workflow commands, step outputs and the step summary.

* Annotations: ``::error file=<template>,line=<n>,title=...::message`` (at most 10 per step, most
  important first), properties and data escaped as the runner unescapes them.
* Live tail: ``::group::`` per customizer; every echoed line inside
  ``::stop-commands::<random token>`` ... ``::<token>::`` and cleaned (see safety.py).
* ``::add-mask::`` for secrets.
* Outputs: appended to ``$GITHUB_OUTPUT`` in heredoc form with a random delimiter; the Markdown
  report appended to ``$GITHUB_STEP_SUMMARY`` (kept under the runner's 1 MiB limit). Neither file
  is written when its variable is absent.

Facts: /work/shared/reference/github-actions.md sections 3-4 (runner ActionCommand.cs,
FileCommandManager.cs, ExecutionContext.cs).
"""

from __future__ import annotations

import io
import os

from aib_pilot.report import facts
from aib_pilot.report.markdown import Markdown, truncate_markdown
from aib_pilot.report.safety import clean_lines, gh_escape_data, gh_escape_property, random_token
from aib_pilot.report.sink import Sink
from aib_pilot.report.text import TextSink

MAX_ANNOTATIONS_PER_STEP = 10   # runner: 10 errors, 10 warnings, 10 notices per step
PROGRESS_ANNOTATIONS = 3        # sink.warning()/error() may use this many; the rest is for results
SUMMARY_LIMIT = 1024 * 1024     # runner AttachmentSizeLimit
MAX_MESSAGE = 4000              # runner truncates annotation messages at 4096


class GitHubSink(Sink):
    fmt = "github"

    def __init__(self, out=None, env=None, err=None):
        super().__init__(out, env, err)
        self.token = random_token()
        self.used = {"error": 0, "warning": 0, "notice": 0}
        self.progress_used = 0
        self.annotated = 0
        self.text = TextSink(io.StringIO(), {"NO_COLOR": "1"})
        self.text._secrets = self._secrets  # one secret set for both
        self.md = Markdown(self.mask)

    # -- command lines -------------------------------------------------------------------
    def command(self, name: str, data: str = "", **props) -> str:
        """``::name k=v,...::data`` with our own (trusted) name; props/data escaped and cleaned."""
        pairs = [f"{k}={gh_escape_property(self.safe_inline(str(v), 1000))}"
                 for k, v in props.items() if v not in (None, "")]
        body = "\n".join(self.safe_lines(data)) if data else ""
        return f"::{name}{' ' + ','.join(pairs) if pairs else ''}::{gh_escape_data(body[:MAX_MESSAGE])}"

    def echo(self, lines: list[str]) -> None:
        """Print untrusted (or mixed) lines with command processing stopped."""
        if not lines:
            return
        self.say(f"::stop-commands::{self.token}")
        for line in clean_lines([self.mask(x) for x in lines]):
            self.say(line)
        self.say(f"::{self.token}::")

    def annotate(self, level: str, message: str, *, title=None, file=None, line=None) -> bool:
        if self.used[level] >= MAX_ANNOTATIONS_PER_STEP:
            return False
        self.used[level] += 1
        self.say(self.command(level, message, file=file, line=line, title=title))
        return True

    # -- C3 methods ----------------------------------------------------------------------
    def secret(self, value: str) -> None:
        if not value:
            return
        super().secret(value)
        lines = [v for v in str(value).splitlines() if v.strip()]
        for item in dict.fromkeys([str(value), *lines]):
            self.say(f"::add-mask::{gh_escape_data(item)}")

    def _progress_issue(self, level: str, msg: str) -> None:
        if self.progress_used < PROGRESS_ANNOTATIONS and self.annotate(level, msg):
            self.progress_used += 1
        else:
            self.say(f"{level}: " + self.safe_inline(msg))

    def warning(self, msg: str) -> None:
        self._progress_issue("warning", msg)

    def error(self, msg: str) -> None:
        self._progress_issue("error", msg)

    def group_start(self, title: str) -> None:
        if self._groups:  # GitHub groups do not nest
            self.group_end()
        self._groups = 1
        self.say(self.command("group", self.safe_inline(title, 200) or "log"))

    def group_end(self) -> None:
        if self._groups:
            self._groups = 0
            self.say("::endgroup::")

    def log_lines(self, lines: list[str]) -> None:
        self.echo(list(lines))

    def diagnosis(self, diag: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.publish_annotations(facts.annotations(diag, template_path))
        self.echo(self.text.diagnosis_lines(diag, template_path=template_path))
        self.write_outputs(facts.diagnosis_outputs(diag, template_path))
        self.append_summary(self.md.diagnosis_section(diag, template_path))

    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.publish_annotations(facts.annotations(result.get("diagnosis"), template_path, result))
        if facts.state_of(result) == "Running" and result.get("resume"):
            self.annotate("notice", f"Still running; resume with: {result['resume']}",
                          title=f"AIB build still running: {result.get('template_name') or ''}".strip())
        self.echo(self.text.result_lines(result, template_path=template_path))
        self.write_outputs(facts.run_outputs(result))
        self.append_summary(self.md.result(result, template_path))

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        self.echo(self.text.fleet_lines(results))
        self.write_outputs({"state": facts.worst_state(results),
                            "fleet-json": facts.compact_json([facts.fleet_row(r) for r in results])})
        self.append_summary(self.md.fleet(results))

    # -- pieces --------------------------------------------------------------------------
    def publish_annotations(self, items: list[dict]) -> None:
        budget = MAX_ANNOTATIONS_PER_STEP
        for item in items:
            if budget <= 0:
                break
            if self.annotate(item["level"], item["message"], title=item["title"],
                             file=item["file"], line=item["line"]):
                budget -= 1
                self.annotated += 1

    def write_outputs(self, values: dict[str, str]) -> None:
        """Append outputs to $GITHUB_OUTPUT (heredoc, random delimiter); nothing when unset."""
        path = self.env.get("GITHUB_OUTPUT")
        if not path:
            return
        chunks = []
        for name, value in values.items():
            value = self.mask(str(value)).replace("\r\n", "\n").replace("\r", "\n")
            delimiter = random_token()
            while delimiter in value:
                delimiter = random_token()
            chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
        with open(path, "a", encoding="utf-8", newline="\n") as handle:
            handle.write("".join(chunks))

    def append_summary(self, lines: list[str]) -> None:
        """Append Markdown to $GITHUB_STEP_SUMMARY, staying under the 1 MiB step limit."""
        path = self.env.get("GITHUB_STEP_SUMMARY")
        if not path:
            return
        used = os.path.getsize(path) if os.path.exists(path) else 0
        text = truncate_markdown(lines, SUMMARY_LIMIT - used - 1024)
        if not text:
            return
        with open(path, "a", encoding="utf-8", newline="\n") as handle:
            handle.write(text)

