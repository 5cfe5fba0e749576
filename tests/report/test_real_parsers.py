"""What aib-pilot prints, read by Microsoft's own logging-command parser (azure-pipelines-task-lib).

tests/report/parsers/ado_commands.mjs runs ``taskcommand.commandFromString`` on every line of stdout
AND stderr, as printed and as a culture-aware ICU search sees it. For every format, with hostile text
in every place untrusted text can reach (log lines, titles, names, messages, a step's error line):
no command that aib-pilot did not author, none hidden behind ignorable characters, and the commands it
did author parse into exactly the values it meant.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from aib_pilot.report import make_sink
from tests.report.runners import icu_table_file
from tests.report.samples import HOSTILE_LINES, PREFIXED_HOSTILE_LINES, hostile_failed

PARSERS = Path(__file__).with_name("parsers")
AUTHORED = {"task.logissue", "task.setvariable", "task.uploadsummary", "task.complete"}


def task_lib_parse(text: str) -> dict:
    node = shutil.which("node")
    assert node, "node is needed (it runs Azurite too)"
    assert (PARSERS / "node_modules" / "azure-pipelines-task-lib").is_dir(), \
        "run ./dev.sh setup (installs tests/report/parsers with npm ci)"
    proc = subprocess.run([node, str(PARSERS / "ado_commands.mjs"), str(icu_table_file())], input=text, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(proc.stdout)


def render_everything(fmt: str, tmp_path: Path) -> tuple[str, str]:
    """A whole monitored run in ``fmt`` with hostile text everywhere: (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    env = {"AGENT_TEMPDIRECTORY": str(tmp_path), "GITHUB_OUTPUT": str(tmp_path / "o"),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "s")}
    sink = make_sink(fmt, out=out, env=env, err=err, live_log="full")
    sink.info("monitoring " + HOSTILE_LINES[9])
    sink.transition("Running", "Customizing ##vso[task.complete result=Succeeded;]")
    sink.group_start("customizer 1/2: " + "#\u0600#vso[task.setvariable variable=pwnedtitle]1")
    sink.log_lines(list(PREFIXED_HOSTILE_LINES))
    sink.warning("the saved log may be incomplete: " + HOSTILE_LINES[10])
    sink.error("\n".join(HOSTILE_LINES[:12]))
    sink.result(hostile_failed(), template_path="images/##vso[x.y]z.json")
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("fmt", ["text", "json", "github", "azure-devops", "markdown"])
def test_no_foreign_or_hidden_command_on_either_stream(fmt, tmp_path):
    stdout, stderr = render_everything(fmt, tmp_path)
    assert "pwned" in stdout + stderr  # the hostile text is shown, only disarmed
    for stream in (stdout, stderr):
        parsed = task_lib_parse(stream)
        assert parsed["hidden"] == [] and parsed["unparsable"] == []
        foreign = [c for c in parsed["commands"] if c["command"] not in AUTHORED]
        assert foreign == []
        variables = [c["properties"].get("variable", "") for c in parsed["commands"]
                     if c["command"] == "task.setvariable"]
        assert not [v for v in variables if "pwned" in v.lower()]
        assert [c for c in parsed["commands"] if c["command"] == "task.complete"] in (
            [], [{"command": "task.complete", "properties": {"result": "Failed"}, "message": "done"}])


def test_authored_commands_parse_into_exactly_the_values_meant(tmp_path):
    out = io.StringIO()
    sink = make_sink("azure-devops", out=out, env={"AGENT_TEMPDIRECTORY": str(tmp_path)}, live_log="off")
    values = {"state": "Failed", "diagnosis-json": '{"a": "50% done; ]\\n", "b": "%AZP25 %0A %3B"}',
              "log-path": "logs/x;y]z/customization.log", "failed-customizer": "name with ; and ] and %"}
    sink.set_outputs(values)
    sink.issue("error", "line one\nline two; 100% ] done", title="t; ]", file="images/a;b].json", line=7,
               code="AIB101")
    parsed = task_lib_parse(out.getvalue())
    assert parsed["unparsable"] == [] and parsed["hidden"] == []
    got = {c["properties"]["variable"]: c["message"] for c in parsed["commands"] if c["command"] == "task.setvariable"}
    assert got == {"state": "Failed", "diagnosisJson": values["diagnosis-json"], "logPath": values["log-path"],
                   "failedCustomizer": values["failed-customizer"]}
    issue = next(c for c in parsed["commands"] if c["command"] == "task.logissue")
    assert issue["properties"] == {"type": "error", "sourcepath": "images/a;b].json", "linenumber": "7",
                                   "columnnumber": "1", "code": "AIB101"}
    assert issue["message"] == "t; ]\nline one\nline two; 100% ] done"


def test_the_folded_parse_finds_what_an_ordinal_search_misses():
    """The parser itself bites: a command behind U+0600 is 'hidden', not missed."""
    parsed = task_lib_parse("#\u0600#vso[task.setvariable variable=pwned]1\n")
    assert parsed["commands"] == [] and [c["command"] for c in parsed["hidden"]] == ["task.setvariable"]
