"""The ``github`` format: GitHub Actions workflow commands, step outputs and the step summary.

* Annotations: ``::error file=<template>,line=<n>,title=...::message`` (at most 10 per step, most
  important first), properties and data escaped as the runner unescapes them.
* Live tail: ``::group::`` per customizer; every echoed line inside
  ``::stop-commands::<random token>`` ... ``::<token>::`` and also cleaned (see safety.py).
* ``::add-mask::`` for secrets.
* Outputs: appended to ``$GITHUB_OUTPUT`` in heredoc form with a random delimiter; the Markdown
  report appended to ``$GITHUB_STEP_SUMMARY`` (kept under the runner's 1 MiB limit). Neither file
  is written when its variable is absent.

Facts: docs/sources.md#github (the runner's ActionCommandManager.cs, FileCommandManager.cs).
"""

from __future__ import annotations

import os

from aib_pilot.report import facts
from aib_pilot.report.ci import MAX_MESSAGE, CiSink
from aib_pilot.report.markdown import truncate_markdown
from aib_pilot.report.safety import gh_escape_data, gh_escape_property, random_token

SUMMARY_LIMIT = 1024 * 1024  # runner AttachmentSizeLimit per step summary


class GitHubSink(CiSink):
    fmt = "github"
    levels = ("error", "warning", "notice")

    def __init__(self, out=None, env=None, err=None, *, live_log=None):
        super().__init__(out, env, err, live_log=live_log)
        self.token = random_token()

    def command(self, name: str, data: str = "", *, limit: int | None = None, **props) -> str:
        """``::name k=v,...::data`` with our own (trusted) name; props/data cleaned and escaped."""
        pairs = [f"{k}={gh_escape_property(self.safe_inline(str(v), 1000))}"
                 for k, v in props.items() if v not in (None, "")]
        body = "\n".join(self.safe_lines(data)) if data else ""
        body = body[:limit] if limit else body
        return f"::{name}{' ' + ','.join(pairs) if pairs else ''}::{gh_escape_data(body)}"

    def echo(self, lines: list[str]) -> None:
        """Print untrusted (or mixed) lines with command processing stopped."""
        if not lines:
            return
        self.say_command(f"::stop-commands::{self.token}")
        for line in self.safe_lines(lines):
            self.say(line)
        self.say_command(f"::{self.token}::")

    def secret_line(self, value: str) -> str:
        return f"::add-mask::{gh_escape_data(value)}"  # the exact value, not a cleaned copy

    def group_line(self, title: str) -> str:
        return self.command("group", title)

    def endgroup_line(self) -> str:
        return "::endgroup::"

    def issue_line(self, level, message, *, title, file, line, code) -> str:
        return self.command(level, message, limit=MAX_MESSAGE, file=file, line=line, title=title)

    def finish(self, result: dict) -> None:
        if facts.state_of(result) == "Running" and result.get("resume"):
            self.issue("notice", f"Still running; resume with: {result['resume']}",
                       title=f"AIB build still running: {result.get('template_name') or ''}".strip())

    def set_outputs(self, values: dict[str, str]) -> None:
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
        self.append_file(path, "".join(chunks), "GITHUB_OUTPUT")

    def summary(self, lines: list[str], label: str) -> None:
        """Append Markdown to $GITHUB_STEP_SUMMARY, staying under the 1 MiB step limit."""
        path = self.env.get("GITHUB_STEP_SUMMARY")
        if not path:
            return
        used = os.path.getsize(path) if os.path.exists(path) else 0
        text = truncate_markdown(lines, SUMMARY_LIMIT - used - 1024)
        if text:
            self.append_file(path, text, "GITHUB_STEP_SUMMARY")

    def append_file(self, path: str, text: str, variable: str) -> None:
        """Append to a runner file; a failure is one warning line, never a traceback."""
        try:
            with open(path, "a", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            self.say_command(self.command("warning", f"Could not write {variable} ({path}): {exc.strerror}. "
                                  "Outputs/summary of this step are missing."))
