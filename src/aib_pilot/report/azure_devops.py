"""The ``azure-devops`` format: Azure Pipelines logging commands.

* Issues: ``##vso[task.logissue type=error;sourcepath=<template>;linenumber=<n>;columnnumber=1;
  code=AIBxxx]message`` (at most 10 errors and 10 warnings per step; info findings are printed).
* Outputs: ``##vso[task.setvariable variable=<camelCase name>;isOutput=true]value``.
* Summary: the Markdown report written to a file under AGENT_TEMPDIRECTORY and attached with
  ``##vso[task.uploadsummary]<path>`` (outside an agent, no file).
* ``##vso[task.complete result=Succeeded|SucceededWithIssues|Failed;]done`` once, for the result.
* ``##[group]``/``##[endgroup]`` per customizer in the live tail; ``##vso[task.setsecret]``.

There is no ``stop-commands`` in Azure Pipelines and ``##vso[`` is found anywhere in a line, so
every echoed line is cleaned (safety.py: ``##vso[`` -> ``# #vso[``, ``##[`` -> ``# #[``).
Property values and messages are escaped as the agent unescapes them (``%`` -> ``%AZP25``,
``;`` -> ``%3B``, CR -> ``%0D``, LF -> ``%0A``, ``]`` -> ``%5D``).
Facts: docs/sources.md#ado-commands.
"""

from __future__ import annotations

import os
import re
import secrets

from aib_pilot.report import facts
from aib_pilot.report.ci import MAX_MESSAGE, CiSink
from aib_pilot.report.markdown import truncate_markdown
from aib_pilot.report.safety import ado_escape_data, ado_escape_property

SUMMARY_LIMIT = 1024 * 1024
COMPLETE_RESULT = {"Succeeded": "Succeeded", "Running": "Succeeded",
                   "PartiallySucceeded": "SucceededWithIssues", "Failed": "Failed",
                   "Canceled": "Failed"}


class AzureDevOpsSink(CiSink):
    fmt = "azure-devops"
    levels = ("error", "warning")  # task.logissue has no notice type
    mermaid = False  # the Extensions-tab Markdown shows mermaid fences as plain code

    def __init__(self, out=None, env=None, err=None, *, live_log=None):
        super().__init__(out, env, err, live_log=live_log)
        self.completed = False
        self.summary_paths: list[str] = []

    def command(self, name: str, data: str = "", *, limit: int | None = None, **props) -> str:
        """``##vso[name k=v;...]data``; every value cleaned, masked and escaped."""
        pairs = [f"{k}={ado_escape_property(self.safe_inline(str(v), 1000))}"
                 for k, v in props.items() if v not in (None, "")]
        body = "\n".join(self.safe_lines(data)) if data else ""
        body = body[:limit] if limit else body
        return f"##vso[{name}{' ' + ';'.join(pairs) if pairs else ''}]{ado_escape_data(body)}"

    def secret_line(self, value: str) -> str:
        return f"##vso[task.setsecret]{ado_escape_data(value)}"  # the exact value, not cleaned

    def group_line(self, title: str) -> str:
        return "##[group]" + title

    def endgroup_line(self) -> str:
        return "##[endgroup]"

    def issue_line(self, level, message, *, title, file, line, code) -> str:
        text = f"{title}\n{message}" if title else message
        return self.command("task.logissue", text, limit=MAX_MESSAGE, type=level, sourcepath=file,
                            linenumber=line, columnnumber=1 if line else None, code=code)

    def set_outputs(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self.say_command(self.command("task.setvariable", str(value), variable=facts.ado_name(name),
                                  isOutput="true"))

    def summary(self, lines: list[str], label: str) -> None:
        """Write the Markdown to a file and attach it to the run's Extensions tab."""
        folder = self.env.get("AGENT_TEMPDIRECTORY")
        if not folder:  # outside an agent nothing would upload (or ever delete) the file
            return
        text = truncate_markdown(lines, SUMMARY_LIMIT)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(label))[:60].strip("-.") or "summary"
        path = os.path.join(folder, f"aib-pilot-{stem}-{secrets.token_hex(4)}.md")
        try:
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as exc:
            self.say(f"warning: could not write the summary file {self.safe_inline(path)}: {exc.strerror}")
            return
        self.summary_paths.append(path)
        self.say_command(self.command("task.uploadsummary", path))

    def finish(self, result: dict) -> None:
        if not self.completed:
            self.completed = True
            result_word = COMPLETE_RESULT.get(facts.state_of(result), "Failed")
            self.say_command(self.command("task.complete", "done", result=result_word))
