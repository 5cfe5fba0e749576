"""The curated live log: real customization.logs through the sinks in each live-log mode."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aib_pilot.errors import UsageError
from aib_pilot.report.live_groups import LiveLog
from aib_pilot.report import make_sink
from aib_pilot.report.livelog import curate, live_log_mode
from tests.emulator.scenarios import SCENARIOS, build_log
from tests.emulator.scenarios.samples import template_for

from .runners import github_commands

EXAMPLE_LOG = Path(__file__).resolve().parents[2] / "examples" / "logs" / "linux-customizer-failed.log"
OPID = "5f0c2a7e-8d41-4b3a-9e6f-1c2d3e4f5a6b"
# Fragments of debug chatter that must not reach the filtered live log.
NOISE = ("Azure request", "Azure response status=200", "RPC client", "RPC endpoint", "bytes written for",
         "PACKER_CONFIG", "operationStatuses", "found external", "plugin process exited", "[DEBUG]",
         "Packer version", "starting remote command", "machine readable", "Done exporting Packer logs")
UI_LINE = re.compile(r"^\[[0-9a-f-]+\] PACKER (?:OUT|ERR) ((?:==>|-->| {4})\s*azure-arm: .*\S.*)$")


def scenario_lines(name: str, os_name: str | None = None) -> list[str]:
    events = build_log(SCENARIOS[name], template=template_for(name, os_name), operation_id=OPID,
                       staging_rg="IT_aib-rg_t_0c9d8e7f", subscription="0" * 8,
                       start=datetime(2026, 1, 1, tzinfo=timezone.utc))
    return [event.text for event in events]


def through_monitor(lines: list[str], fmt: str = "text", **kwargs) -> str:
    """Feed a log as the monitor does (its LiveLog groups customizers) and return what was printed."""
    out, err = io.StringIO(), io.StringIO()
    sink = make_sink(fmt, out=out, env={"NO_COLOR": "1"}, err=err, **kwargs)
    tail = LiveLog(sink)
    data = ("\n".join(lines) + "\n").encode()
    for start in range(0, len(data), 4096):  # ranged reads cut lines anywhere
        tail.feed(data[start:start + 4096])
    tail.close()
    return out.getvalue() + err.getvalue()


@pytest.mark.parametrize("name", ["customizer-failed", "success", "connection-lost", "packer-crash",
                                  "windows-update-failed", "file-download-failed", "apt-lock"])
def test_filtered_keeps_customizer_output_and_drops_debug_noise(name):
    raw = scenario_lines(name)
    printed = through_monitor(raw)
    shown = printed.splitlines()
    # every UI line with content (phase markers, customizer output, errors) survives, prefix stripped
    ui = [m.group(1).rstrip() for m in map(UI_LINE.match, raw) if m]
    assert ui and all(line in shown for line in ui), [line for line in ui if line not in shown][:3]
    for fragment in NOISE:
        assert not [line for line in shown if fragment in line], fragment
    assert not [line for line in shown if line.startswith("[" + OPID) or "PACKER OUT" in line]
    assert "" not in shown
    assert len(shown) < 0.8 * len(raw)


def test_filtered_keeps_problem_lines_of_the_debug_log():
    crash = through_monitor(scenario_lines("packer-crash")).splitlines()
    assert any("panic: runtime error" in line for line in crash)
    lost = through_monitor(scenario_lines("connection-lost")).splitlines()
    assert any(line.startswith("Cancelling builder after context cancellation") for line in lost)
    assert any("[ERROR]" in line for line in lost)


def test_example_log_filtered_vs_full():
    raw = EXAMPLE_LOG.read_text(encoding="utf-8").splitlines()
    full = through_monitor(raw, live_log="full").splitlines()
    filtered = through_monitor(raw, live_log="filtered").splitlines()
    assert sum(1 for line in full if "Azure request" in line) > 5  # the full log still has it all
    assert not [line for line in filtered if "Azure request" in line]
    # the failing customizer's own output and its error, readable
    assert "    azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1406" \
        " (unattended-upgr)" in filtered
    assert any(line.startswith("Build 'azure-arm' errored after 9 minutes 41 seconds") for line in filtered)
    assert any(line.startswith("Retrying DELETE request") for line in filtered)
    assert len(filtered) < 0.6 * len(full)


def test_telemetry_start_is_the_group_title_not_a_line():
    printed = through_monitor(scenario_lines("customizer-failed")).splitlines()
    assert any(line.startswith("--- provisioner 1: shell") for line in printed)
    assert not [line for line in printed if "Starting provisioner" in line or "Starting builder" in line]
    assert "(telemetry) ending shell" in printed
    # outside a group (a caller without group_start) the marker stays, as a short line
    assert curate(["[x-1234567890] PACKER ERR 2026/01/01 00:00:00 [INFO] (telemetry) Starting provisioner file"]) \
        == ["(telemetry) Starting provisioner file"]
    assert curate(["[x-1234567890] PACKER ERR 2026/01/01 00:00:00 [INFO] (telemetry) Starting provisioner file"],
                  in_group=True) == []


def test_prefix_stripping():
    assert curate([
        "[827429c0-aaaa-bbbb] PACKER ERR 2026/11/26 01:13:52 packer: 2026/11/26 01:13:52 [INFO] command 'x' exited with code: 1",
        "[827429c0-aaaa-bbbb] PACKER ERR 2026/11/26 01:13:52 packer-provisioner-shell: 2026/11/26 01:13:52 [ERROR] boom",
        "[827429c0-aaaa-bbbb] PACKER ERR 2026/11/26 01:13:52 packer: 2026/11/26 01:13:52 [INFO] command 'y' exited with code: 0",
        "[827429c0-aaaa-bbbb] PACKER OUT     azure-arm: hello",
        "[827429c0-aaaa-bbbb] PACKER OUT ",
        "[827429c0-aaaa-bbbb] PACKER OUT ==> azure-arm: ",
        "[827429c0-aaaa-bbbb] PACKER ERR 2026/11/26 01:13:52 ==> azure-arm: a copy of a UI line",
        "[827429c0-aaaa-bbbb] PACKER ERR 2026/11/26 01:13:52 packer: 2026/11/26 01:13:52 Azure response status=409 method=\"PUT\"",
        "plain text without any prefix",
    ]) == ["[INFO] command 'x' exited with code: 1", "[ERROR] boom", "    azure-arm: hello",
           "Azure response status=409 method=\"PUT\"", "plain text without any prefix"]


def test_full_mode_prints_every_line_and_off_prints_none():
    raw = scenario_lines("customizer-failed")
    full = through_monitor(raw, live_log="full").splitlines()
    assert [line for line in full if not line.startswith("--- ")] == raw
    assert through_monitor(raw, live_log="off") == ""


def test_github_filtered_tail_is_grouped_and_inside_stop_commands():
    printed = through_monitor(scenario_lines("customizer-failed"), "github")
    names = [c.name for c in github_commands(printed)]
    assert names.count("group") == 1 and names.count("endgroup") == 1
    assert names.count("stop-commands") == names.count("resume-commands") > 0
    assert "    azure-arm: Installing web server" in printed.splitlines()


def test_mode_from_argument_environment_and_default():
    assert live_log_mode(None, {}) == "filtered"
    assert live_log_mode(None, {"AIB_PILOT_LIVE_LOG": "FULL"}) == "full"
    assert live_log_mode("off", {"AIB_PILOT_LIVE_LOG": "full"}) == "off"  # the argument wins
    assert make_sink("text", out=io.StringIO(), env={"AIB_PILOT_LIVE_LOG": "off"}).live_log == "off"
    with pytest.raises(UsageError) as caught:
        make_sink("text", out=io.StringIO(), env={"AIB_PILOT_LIVE_LOG": "verbose"})
    assert "AIB_PILOT_LIVE_LOG" in caught.value.one_line() and "filtered, full, off" in caught.value.one_line()
    with pytest.raises(UsageError):
        make_sink("github", out=io.StringIO(), env={}, live_log="everything")


def test_render_diagnosis_ignores_the_live_log_setting():
    from aib_pilot.report import render_diagnosis
    from .samples import DIAGNOSIS, typed

    out = io.StringIO()
    render_diagnosis(typed(DIAGNOSIS), "text", out, env={"AIB_PILOT_LIVE_LOG": "bogus", "NO_COLOR": "1"})
    assert out.getvalue().startswith("Diagnosis: customizer_failed")
