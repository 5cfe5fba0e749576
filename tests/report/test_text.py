"""The text format: headline, findings with cause and fix, evidence, tail, timeline, colour rules."""

from __future__ import annotations

import io
import re

import pytest

from aib_pilot.report import make_sink, render_diagnosis

from . import samples
from .conftest import TEMPLATE


class TtyBuffer(io.StringIO):
    def isatty(self) -> bool:
        return True


def render(diag, env=None, stream=None) -> str:
    stream = stream if stream is not None else io.StringIO()
    render_diagnosis(samples.typed(diag), "text", stream, template_path=TEMPLATE, env=env if env is not None else {})
    return stream.getvalue()


def test_headline_names_category_phase_and_customizer_line():
    first = render(samples.DIAGNOSIS).splitlines()[0]
    assert "customizer_failed" in first and "phase customize" in first
    assert "install-nginx (Shell, customizer 2)" in first
    assert "images/ubuntu.json:41" in first


def test_findings_most_important_first_with_cause_fix_and_numbered_evidence():
    text = render(samples.DIAGNOSIS)
    first, second = (text.index(rule) for rule in ("[AIB101]", "[AIB121]"))
    assert first < second  # error, then warning
    # the generic finding (category unknown) is one line after the specific ones, not an entry
    also = [line for line in text.splitlines() if line.startswith("Also reported")]
    assert len(also) == 1 and "AIB190 Cleanup could not delete a resource (noise)" in also[0]
    assert "[AIB190]" not in text and text.index(also[0]) > second
    assert "fix: Wait for cloud-init and the apt lock" in text
    assert "cause: The script of customizer 'install-nginx' exited with status 100." in text
    assert "1851 | ==> azure-arm: Script exited with non-zero exit status: 100." in text


def test_tail_and_compact_timeline_with_durations():
    text = render(samples.DIAGNOSIS)
    tail = text[text.index("Last lines of the failing section:"):]
    assert "1850 |     azure-arm: E: Could not get lock" in tail
    timeline = text[text.index("Timeline:"):].splitlines()
    customize = next(line for line in timeline if line.strip().startswith("customize"))
    assert "6m32s" in customize and "FAILED" in customize and "exit 100" in customize
    assert any("install-nginx" in line and "50s" in line for line in timeline)
    assert any(line.strip().startswith("cleanup") and "1m35s" in line for line in timeline)


def test_colour_only_on_a_tty_without_no_color():
    assert "\x1b[" not in render(samples.DIAGNOSIS)  # not a tty
    assert "\x1b[31m" in render(samples.DIAGNOSIS, env={}, stream=TtyBuffer())
    assert "\x1b[" not in render(samples.DIAGNOSIS, env={"NO_COLOR": "1"}, stream=TtyBuffer())
    assert "\x1b[" not in render(samples.DIAGNOSIS, env={"TERM": "dumb"}, stream=TtyBuffer())


def test_log_text_cannot_drive_the_terminal():
    diag = samples.hostile_diagnosis()
    text = render(diag, env={}, stream=TtyBuffer())
    assert "\x1b[31m::error" not in text and "pwned-ansi\x1b[0m" not in text
    assert "\u200b" not in text and "\ufeff" not in text


def sink_text(result) -> str:
    out = io.StringIO()
    make_sink("text", out=out, env={}).result(result, template_path=TEMPLATE)
    return out.getvalue()


def test_results_for_each_state():
    ok = sink_text(samples.succeeded())
    assert ok.startswith("ubuntu-nginx: Succeeded after 41m10s")
    assert "galleries/gal/images/ubuntu-nginx/versions/1.0.42" in ok
    assert "full log saved to: /github/workspace/aib-logs/ubuntu-nginx/customization.log" in ok

    bad = sink_text(samples.failed())
    assert bad.startswith("ubuntu-nginx: Failed")
    assert "Packer build command has failed" in bad and "Diagnosis: customizer_failed" in bad

    running = sink_text(samples.running())
    assert running.startswith("ubuntu-nginx: Running (Customizing)")
    assert "resume with: aib-pilot monitor --resource-group rg-images --name ubuntu-nginx" in running

    canceled = sink_text(samples.canceled())
    assert "Canceled" in canceled and "canceled; nothing was published" in canceled


def test_secret_registered_with_the_sink_is_masked():
    out = io.StringIO()
    sink = make_sink("text", out=out, env={})
    sink.secret("hunter2-very-secret")
    sink.log_lines(["password is hunter2-very-secret ok"])
    sink.info("again hunter2-very-secret")
    assert "hunter2" not in out.getvalue() and out.getvalue().count("***") == 2


def test_fleet_summary_is_a_table():
    out = io.StringIO()
    make_sink("text", out=out, env={}).fleet_summary([samples.succeeded(), samples.failed(), samples.running()])
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["TEMPLATE", "STATE", "ELAPSED", "CATEGORY", "CUSTOMIZER"]
    assert lines[2].split()[:5] == ["ubuntu-nginx", "Failed", "11m02s", "customizer_failed", "install-nginx"]
    assert lines[-1] == "1 Failed, 1 Running, 1 Succeeded"
    # columns line up: every state starts where the STATE header does
    column = lines[0].index("STATE")
    assert all(line[column:].split()[0] == line.split()[1] for line in lines[1:4])


def test_long_prose_wraps_only_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    wrapped = render(samples.DIAGNOSIS, env={"NO_COLOR": "1"}, stream=TtyBuffer()).splitlines()
    assert max(len(line) for line in wrapped if line.lstrip().startswith(("fix:", "cause:"))) <= 60
    continuation = [line for line in wrapped if line.startswith(" " * 8) and line.strip()[:1] != "|"]
    assert continuation  # wrapped prose continues under its label
    flat = render(samples.DIAGNOSIS).splitlines()
    assert any(line.startswith("   fix: Wait for cloud-init") and line.endswith("Shell customizer.") for line in flat)


def test_live_progress_lines(session_factory):
    from .conftest import play
    session = play(session_factory("text"), samples.running(), hostile=False)
    lines = session.stdout.splitlines()
    assert "[22:04:30] Running / Building" in lines and "[22:04:30] Running / Customizing" in lines
    assert "--- update-packages" in lines and "still building, 3m10s elapsed" in lines
    assert "warning: ARM throttled the request; retrying" in lines
    assert lines.index("--- update-packages") < lines.index("    azure-arm: benign line 0")


def screen(raw: str) -> list[str]:
    """What a terminal shows: '\\r\\x1b[K' erases the current line, '\\n' moves on."""
    rows, current = [], ""
    for piece in re.split(r"(\r\x1b\[K|\n)", raw):
        if piece == "\n":
            rows.append(current)
            current = ""
        elif piece == "\r\x1b[K":
            current = ""
        else:
            current += piece
    return rows + ([current] if current else [])


def test_heartbeats_update_one_status_line_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = TtyBuffer()
    sink = make_sink("text", out=out, env={"NO_COLOR": "1"})
    sink.heartbeat("web: Running / Building, log 100 bytes saved")
    sink.heartbeat("web: Running / Customizing, log 900 bytes saved")
    sink.heartbeat("db: Running / Building\r::error::pwned")
    assert screen(out.getvalue()) == [
        "[watching 0s] web: Running / Customizing, log 900 bytes saved | db: Running / Building : :error::pwned"]
    sink.group_start("customizer 1/1: install (shell)")
    sink.log_lines(["[a1b2c3d4-0000] PACKER OUT     azure-arm: hello"])
    shown = screen(out.getvalue())
    assert shown[:2] == ["--- customizer 1/1: install (shell)", "    azure-arm: hello"]
    assert shown[2].startswith("[watching 0s] web: Running / Customizing")  # redrawn below the log
    sink.heartbeat("web: Running / Customizing, log 2000 bytes saved")
    assert sum(1 for row in screen(out.getvalue()) if row.startswith("[watching")) == 1
    sink.result(samples.failed(), template_path=TEMPLATE)
    final = screen(out.getvalue())
    assert not [row for row in final if row.startswith("[watching")]  # erased for good
    assert final[2].startswith("ubuntu-nginx: Failed")


def test_status_line_never_wraps(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = TtyBuffer()
    make_sink("text", out=out, env={"NO_COLOR": "1"}).heartbeat("web: Running / Customizing, " + "x" * 80)
    (row,) = screen(out.getvalue())
    assert len(row) < 40 and row.endswith("…")


@pytest.mark.parametrize("env, stream", [({}, io.StringIO), ({"TERM": "dumb"}, TtyBuffer)])
def test_heartbeats_are_plain_lines_elsewhere(env, stream):
    out = stream()
    sink = make_sink("text", out=out, env=env)
    sink.heartbeat("web: Running / Building")
    sink.heartbeat("web: Running / Customizing")
    assert out.getvalue() == "web: Running / Building\nweb: Running / Customizing\n"
