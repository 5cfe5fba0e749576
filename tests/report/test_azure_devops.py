"""The azure-devops format: logissue, setvariable outputs, uploadsummary, complete, groups."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest

from aib_pilot.report import make_sink
from aib_pilot.report.facts import OUTPUT_NAMES, ado_name
from aib_pilot.report.safety import ado_escape_property

from . import samples
from .conftest import SECRET, TEMPLATE, play
from .runners import ado_commands


def commands(session, name):
    return [c for c in ado_commands(session.stdout) if c.name == name]


def test_logissue_on_the_template_line(session_factory):
    session = play(session_factory("azure-devops"), samples.failed(), hostile=False)
    issues = [c for c in commands(session, "task.logissue") if c.props.get("sourcepath")]
    assert len(issues) == 1  # findings at the same place share one issue; info findings are not issues
    assert issues[0].props == {"type": "error", "sourcepath": TEMPLATE, "linenumber": "41",
                               "columnnumber": "1", "code": "AIB101"}
    lines = issues[0].data.splitlines()
    assert lines[0] == "AIB101 A Shell customizer exited with a non-zero code"
    assert "Fix: Fix the script" in issues[0].data
    assert lines[-1] == "Also found here: AIB121 apt/dpkg lock held by another process"


def test_output_variables(session_factory):
    session = play(session_factory("azure-devops"), samples.failed(), hostile=False)
    values = {c.props["variable"]: c.data for c in commands(session, "task.setvariable")}
    assert all(c.props["isoutput"] == "true" for c in commands(session, "task.setvariable"))
    assert list(values) == [ado_name(n) for n in OUTPUT_NAMES]
    assert values["state"] == "Failed" and values["failedCustomizer"] == "install-nginx"
    assert values["templateName"] == "ubuntu-nginx" and values["failedCustomizerLine"] == "41"
    assert json.loads(values["diagnosisJson"]) == samples.DIAGNOSIS
    assert all(name.isalnum() and name[0].isalpha() for name in values)


@pytest.mark.parametrize("make,expected", [(samples.succeeded, "Succeeded"), (samples.failed, "Failed"),
                                           (samples.running, "Succeeded"), (samples.canceled, "Failed"),
                                           (lambda: samples.result("PartiallySucceeded"), "SucceededWithIssues")])
def test_task_complete_once_per_result(make, expected, session_factory):
    session = play(session_factory("azure-devops"), make(), hostile=False)
    completes = commands(session, "task.complete")
    assert len(completes) == 1 and completes[0].props == {"result": expected}
    assert session.stdout.splitlines()[-1] == f"##vso[task.complete result={expected}]done"


def test_summary_file_uploaded_from_agent_temp(session_factory):
    session = play(session_factory("azure-devops"), samples.failed(), hostile=False)
    uploads = commands(session, "task.uploadsummary")
    assert len(uploads) == 1
    path = Path(uploads[0].data)
    assert path.parent == session.tmp and path.name.startswith("aib-pilot-ubuntu-nginx-")
    text = path.read_text()
    assert text.startswith("### ❌ aib-pilot: `ubuntu-nginx` Failed")
    assert "```mermaid" not in text and "| ↳ `install-nginx` | failed | 50s |" in text


def test_groups_and_secret(session_factory):
    session = play(session_factory("azure-devops"), samples.succeeded(), hostile=False)
    lines = session.stdout.splitlines()
    assert lines[0] == f"##vso[task.setsecret]{SECRET}"
    first, second = lines.index("##[group]update-packages"), lines.index("##[group]install-nginx")
    assert "##[endgroup]" in lines[first:second]
    assert "line with the secret *** inside" in lines
    assert not any(SECRET in line for line in lines[1:])


def test_property_and_message_escaping():
    assert ado_escape_property("a;b]c%d\r\ne") == "a%3Bb%5Dc%AZP25d%0D%0Ae"
    out = io.StringIO()
    sink = make_sink("azure-devops", out=out, env={})
    diag = copy.deepcopy(samples.DIAGNOSIS)
    diag["findings"] = [dict(diag["findings"][1], cause="100% sure; really] yes")]
    sink.diagnosis(samples.typed(diag), template_path="odd;dir]/t.json")
    issue = ado_commands(out.getvalue())[0]
    assert issue.props["sourcepath"] == "odd;dir]/t.json"
    assert "Cause: 100% sure; really] yes" in issue.data
    assert "%AZP25" in out.getvalue().splitlines()[0]


def test_at_most_ten_errors_per_step():
    out = io.StringIO()
    sink = make_sink("azure-devops", out=out, env={})
    sent = [sink.issue("error", f"problem {i}") for i in range(14)]
    assert sent == [True] * 10 + [False] * 4
    assert len([c for c in ado_commands(out.getvalue()) if c.name == "task.logissue"]) == 10


def test_fleet_summary(session_factory):
    session = session_factory("azure-devops")
    session.sink.fleet_summary([samples.succeeded(), samples.canceled()])
    values = {c.props["variable"]: c.data for c in commands(session, "task.setvariable")}
    assert values["state"] == "Canceled"
    assert [r["state"] for r in json.loads(values["fleetJson"])] == ["Succeeded", "Canceled"]
    path = Path(commands(session, "task.uploadsummary")[0].data)
    assert "| Template | State |" in path.read_text()
