"""The ``azure-devops`` format: Azure Pipelines logging commands.

* Issues: ``##vso[task.logissue type=error;sourcepath=<template>;linenumber=<n>;columnnumber=1;
  code=AIBxxx]message`` (at most 10 errors and 10 warnings per step; info findings are printed).
* Outputs: ``##vso[task.setvariable variable=<camelCase name>;isOutput=true]value``.
* Summary: the Markdown report written to a file under AGENT_TEMPDIRECTORY (or the system temp
  dir) and attached with ``##vso[task.uploadsummary]<path>``.
* ``##vso[task.complete result=Succeeded|SucceededWithIssues|Failed;]done`` once, for the result.
* ``##[group]``/``##[endgroup]`` per customizer in the live tail; ``##vso[task.setsecret]``.

There is no ``stop-commands`` in Azure Pipelines and ``##vso[`` is found anywhere in a line, so
every echoed line is cleaned (safety.py: ``##vso[`` -> ``# #vso[``, ``##[`` -> ``# #[``).
Property values and messages are escaped as the agent unescapes them (``%`` -> ``%AZP25``,
``;`` -> ``%3B``, CR -> ``%0D``, LF -> ``%0A``, ``]`` -> ``%5D``).
Facts: /work/shared/reference/azure-devops.md section 5.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile

from aib_pilot.report import facts
from aib_pilot.report.markdown import Markdown, truncate_markdown
from aib_pilot.report.safety import ado_escape_data, ado_escape_property
from aib_pilot.report.sink import Sink
from aib_pilot.report.text import TextSink

MAX_ISSUES_PER_TYPE = 10
PROGRESS_ISSUES = 3
SUMMARY_LIMIT = 1024 * 1024
MAX_MESSAGE = 4000
COMPLETE_RESULT = {"Succeeded": "Succeeded", "Running": "Succeeded",
                   "PartiallySucceeded": "SucceededWithIssues", "Failed": "Failed",
                   "Canceled": "Failed"}
ISSUE_TYPE = {"error": "error", "warning": "warning"}  # notices are not issues in ADO


class AzureDevOpsSink(Sink):
    fmt = "azure-devops"

    def __init__(self, out=None, env=None, err=None):
        super().__init__(out, env, err)
        self.used = {"error": 0, "warning": 0}
        self.progress_used = 0
        self.completed = False
        self.summary_paths: list[str] = []
        self.text = TextSink(io.StringIO(), {"NO_COLOR": "1"})
        self.text._secrets = self._secrets
        self.md = Markdown(self.mask)

    # -- command lines -------------------------------------------------------------------
    def command(self, name: str, data: str = "", **props) -> str:
        """``##vso[name k=v;...]data``; every value cleaned, masked and escaped."""
        pairs = [f"{k}={ado_escape_property(self.safe_inline(str(v), 1000))}"
                 for k, v in props.items() if v not in (None, "")]
        body = "\n".join(self.safe_lines(data)) if data else ""
        return f"##vso[{name}{' ' + ';'.join(pairs) if pairs else ''}]{ado_escape_data(body[:MAX_MESSAGE])}"

    def echo(self, lines: list[str]) -> None:
        for line in self.safe_lines(lines):
            self.say(line)

    def issue(self, level: str, message: str, *, file=None, line=None, code=None) -> bool:
        kind = ISSUE_TYPE.get(level)
        if not kind or self.used[kind] >= MAX_ISSUES_PER_TYPE:
            return False
        self.used[kind] += 1
        self.say(self.command("task.logissue", message, type=kind, sourcepath=file, linenumber=line,
                              columnnumber=1 if line else None, code=code))
        return True

    # -- C3 methods ----------------------------------------------------------------------
    def secret(self, value: str) -> None:
        if not value:
            return
        super().secret(value)
        lines = [v for v in str(value).splitlines() if v.strip()]
        for item in dict.fromkeys([str(value), *lines]):
            # the secret itself must not be cleaned (that would mask a different string)
            self.say(f"##vso[task.setsecret]{ado_escape_data(item)}")

    def _progress_issue(self, level: str, msg: str) -> None:
        if self.progress_used < PROGRESS_ISSUES and self.issue(level, msg):
            self.progress_used += 1
        else:
            self.say(f"{level}: " + self.safe_inline(msg))

    def warning(self, msg: str) -> None:
        self._progress_issue("warning", msg)

    def error(self, msg: str) -> None:
        self._progress_issue("error", msg)

    def group_start(self, title: str) -> None:
        if self._groups:
            self.group_end()
        self._groups = 1
        self.say("##[group]" + (self.safe_inline(title, 200) or "log"))

    def group_end(self) -> None:
        if self._groups:
            self._groups = 0
            self.say("##[endgroup]")

    def log_lines(self, lines: list[str]) -> None:
        self.echo(list(lines))

    def diagnosis(self, diag: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.publish_issues(facts.annotations(diag, template_path))
        self.echo(self.text.diagnosis_lines(diag, template_path=template_path))
        self.set_outputs(facts.diagnosis_outputs(diag, template_path))
        self.upload_summary(self.md.diagnosis_section(diag, template_path), "diagnosis")

    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.publish_issues(facts.annotations(result.get("diagnosis"), template_path, result))
        self.echo(self.text.result_lines(result, template_path=template_path))
        self.set_outputs(facts.run_outputs(result))
        self.upload_summary(self.md.result(result, template_path), result.get("template_name") or "result")
        self.complete(facts.state_of(result))

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        self.echo(self.text.fleet_lines(results))
        self.set_outputs({"state": facts.worst_state(results),
                          "fleet-json": facts.compact_json([facts.fleet_row(r) for r in results])})
        self.upload_summary(self.md.fleet(results), "fleet")

    # -- pieces --------------------------------------------------------------------------
    def publish_issues(self, items: list[dict]) -> None:
        for item in items:
            if item["level"] not in ISSUE_TYPE:
                continue
            message = f"{item['title']}\n{item['message']}"
            self.issue(item["level"], message, file=item["file"], line=item["line"], code=item.get("rule"))

    def set_outputs(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self.say(self.command("task.setvariable", str(value), variable=facts.ado_name(name),
                                  isOutput="true"))

    def upload_summary(self, lines: list[str], label: str) -> None:
        """Write the Markdown to a file and attach it to the run's Extensions tab."""
        text = truncate_markdown(lines, SUMMARY_LIMIT)
        folder = self.env.get("AGENT_TEMPDIRECTORY") or tempfile.gettempdir()
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(label))[:60].strip("-.") or "summary"
        path = os.path.join(folder, f"aib-pilot-{stem}-{secrets.token_hex(4)}.md")
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            self.say(f"warning: could not write the summary file {path}: {exc.strerror}")
            return
        self.summary_paths.append(path)
        self.say(self.command("task.uploadsummary", path))

    def complete(self, state: str) -> None:
        if self.completed:
            return
        self.completed = True
        self.say(self.command("task.complete", "done", result=COMPLETE_RESULT.get(state, "Failed")))
