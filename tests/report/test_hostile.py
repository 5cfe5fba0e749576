"""Hostile log text must never become a command or leak a secret, in any format.

Each format is played twice with the same calls: once with benign text and once with hostile
text (fake workflow/logging commands, zero-width tricks, CR/LF splits, ANSI, SAS/AccountKey/JWT).
The commands a runner would execute (parsed as the runners parse) must be the same list both
times: hostile text can neither add, remove nor alter a command.
"""

from __future__ import annotations

import io
import json

import pytest

from aib_pilot.report import FORMATS, LIVE_LOG_MODES, render_diagnosis
from aib_pilot.report.facts import OUTPUT_NAMES, ado_name

from . import samples
from .conftest import SECRET, TEMPLATE, play
from .runners import ado_commands, ado_format_commands, github_commands

RESULTS = {"Failed": (samples.failed, samples.hostile_failed),
           "Running": (samples.running, lambda: dict(samples.running(), message="\n".join(samples.HOSTILE_LINES))),
           "Canceled": (samples.canceled, lambda: dict(samples.canceled(), message="\n".join(samples.HOSTILE_LINES)))}


def shape(commands) -> list[tuple]:
    """What must not change: command names and properties (stop tokens are random)."""
    out = []
    for cmd in commands:
        if cmd.name in ("stop-commands", "resume-commands"):
            out.append((cmd.name,))
        elif cmd.name == "task.uploadsummary":
            out.append((cmd.name,))
        else:
            out.append((cmd.name, tuple(sorted(cmd.props.items()))))
    return out


def assert_same_commands(benign, hostile, fmt) -> None:
    """The runners would execute the same commands for both sessions, on both streams."""
    for stream in ("stdout", "stderr"):
        b, h = getattr(benign, stream), getattr(hostile, stream)
        assert shape(github_commands(h)) == shape(github_commands(b)), (fmt, stream)
        assert shape(ado_commands(h)) == shape(ado_commands(b)), (fmt, stream)
        assert ado_format_commands(h) == ado_format_commands(b), (fmt, stream)


def assert_no_secret(text: str) -> None:
    """No secret anywhere, except on the lines that register it with the runner as a secret."""
    text = "\n".join(line for line in text.splitlines()
                     if not line.startswith(("::add-mask::", "##vso[task.setsecret]")))
    for fragment in samples.SECRET_FRAGMENTS + (SECRET,):
        assert fragment not in text, f"secret fragment {fragment[:12]}... leaked"


@pytest.mark.parametrize("live_log", LIVE_LOG_MODES)
@pytest.mark.parametrize("state", sorted(RESULTS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_changes_no_command(fmt, state, live_log, session_factory):
    benign_result, hostile_result = RESULTS[state]
    benign = play(session_factory(fmt, live_log=live_log), benign_result(), hostile=False)
    hostile = play(session_factory(fmt, live_log=live_log), hostile_result(), hostile=True)
    assert_same_commands(benign, hostile, fmt)
    assert_no_secret(hostile.everything())


@pytest.mark.parametrize("fmt", FORMATS)
def test_filtered_live_log_really_prints_the_hostile_lines(fmt, session_factory):
    """The filtered mode is not safe by dropping everything: the prefixed hostile lines reach the
    output (prefix stripped, command broken) and still change no command."""
    session = play(session_factory(fmt, live_log="filtered"), samples.hostile_failed(), hostile=True)
    progress = session.stderr if fmt in ("json", "markdown") else session.stdout
    # each hostile marker is printed once bare and once per log prefix (the group repeats 5 lines)
    assert progress.count("pwned-upper") >= 1 + len(samples.LOG_PREFIXES)
    assert progress.count("variable=pwnedzw") >= 1 + len(samples.LOG_PREFIXES)
    assert not [line for line in progress.splitlines() if line.startswith("[45f485cf")]  # stripped


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_plain_formats_emit_no_command_at_all(fmt, session_factory):
    session = play(session_factory(fmt), samples.hostile_failed(), hostile=True)
    for text in (session.stdout, session.stderr):
        assert github_commands(text) == []
        assert ado_commands(text) == []
        assert ado_format_commands(text) == []


def test_github_emits_only_its_own_commands(session_factory):
    session = play(session_factory("github"), samples.hostile_failed(), hostile=True)
    commands = github_commands(session.stdout) + github_commands(session.stderr)
    names = {c.name for c in commands}
    assert names <= {"error", "warning", "notice", "group", "endgroup", "add-mask", "stop-commands",
                     "resume-commands"}
    assert {c.data for c in commands if c.name == "add-mask"} == {SECRET}
    # every stop-commands is resumed, and the hostile "::stop-commands::abc" never started one
    stops = [c.data for c in commands if c.name == "stop-commands"]
    resumes = [c.data for c in commands if c.name == "resume-commands"]
    assert stops == resumes and "abc" not in stops
    # the annotations are exactly ours: rule titles on the template
    titled = [c for c in commands if c.name in ("error", "warning", "notice") and "file" in c.props]
    assert [c.props["title"].split()[0] for c in titled] == ["AIB101"]  # one per place, top first
    assert all(c.props["file"] == TEMPLATE for c in titled)
    # no ADO command either
    assert ado_commands(session.stdout) == []


def test_azure_devops_emits_only_its_own_commands(session_factory):
    session = play(session_factory("azure-devops"), samples.hostile_failed(), hostile=True)
    commands = ado_commands(session.stdout) + ado_commands(session.stderr)
    names = {c.name for c in commands}
    assert names <= {"task.logissue", "task.setvariable", "task.uploadsummary", "task.complete",
                     "task.setsecret"}
    assert {c.props["variable"] for c in commands if c.name == "task.setvariable"} <= \
        {ado_name(n) for n in OUTPUT_NAMES}
    completes = [c for c in commands if c.name == "task.complete"]
    assert len(completes) == 1 and completes[0].props["result"] == "Failed"
    assert {c.data for c in commands if c.name == "task.setsecret"} == {SECRET}
    # ##[group] / ##[endgroup] are ours, at line start; no ##[error] from the log
    assert set(ado_format_commands(session.stdout)) <= {"group", "endgroup"}
    for line in session.stdout.splitlines():
        if "##[" in line:
            assert line.startswith(("##[group]", "##[endgroup]"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_diagnosis_hostile(fmt, tmp_path):
    env = {"GITHUB_OUTPUT": str(tmp_path / "o"), "GITHUB_STEP_SUMMARY": str(tmp_path / "s"),
           "AGENT_TEMPDIRECTORY": str(tmp_path)}
    outputs = {}
    for kind, diag in (("benign", samples.DIAGNOSIS), ("hostile", samples.hostile_diagnosis())):
        buffer = io.StringIO()
        render_diagnosis(samples.typed(diag), fmt, buffer, template_path=TEMPLATE, env=env)
        outputs[kind] = buffer.getvalue()
    assert shape(github_commands(outputs["hostile"])) == shape(github_commands(outputs["benign"]))
    assert shape(ado_commands(outputs["hostile"])) == shape(ado_commands(outputs["benign"]))
    assert_no_secret(outputs["hostile"])
    assert_no_secret("".join(p.read_text() for p in tmp_path.iterdir() if p.is_file()))
    if fmt == "json":  # the data itself survives unchanged (redaction aside)
        back = json.loads(outputs["hostile"])
        assert back["findings"][1]["evidence"][0]["text"] == "::error::pwned"
        assert back["tail"][9]["text"] == "##vso[task.setvariable variable=x]y"


@pytest.mark.parametrize("fmt", FORMATS)
def test_fleet_summary_hostile(fmt, session_factory):
    benign, hostile = session_factory(fmt), session_factory(fmt)
    benign.sink.fleet_summary([samples.failed(), samples.running()])
    hostile.sink.fleet_summary([samples.hostile_failed(), dict(samples.running(), template_name="##[error]x")])
    assert_same_commands(benign, hostile, fmt)
    assert_no_secret(hostile.everything())
