"""The scenario catalogue and the customization.log content the emulator's build simulator writes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulator.scenarios import (PACKER_NAMES, SCENARIOS, SUB_STATES, LogEvent, Scenario,
                                      build_log, failing_customizer_index, is_windows)
from tests.emulator.scenarios.samples import linux_template, template_for, windows_template

OP = "7c0e4a52-31f6-4b8e-a2d9-5f1c8b3e6d07"
OTHER_OP = "d41b9e07-6a23-4c5f-8e1a-93b2c7f0a6e5"
STAGING = "IT_aib-rg_tpl-test_1b2c3d4e-0000-4000-8000-00000000abcd"
SUB = "11111111-2222-3333-4444-555555555555"
START = datetime(2026, 11, 26, 1, 2, 3, 400000, tzinfo=timezone.utc)

LINE = re.compile(r"^\[" + OP + r"\] PACKER (OUT|ERR)( |$)")
STAMP = re.compile(r"^\[[^\]]+\] PACKER ERR (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) (?:([\w.-]+(?: plugin)?): (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) )?")

CATEGORIES = set("""template_exists run_in_progress cancel_stuck invalid_template missing_permissions
policy_denied provider_not_registered source_image_not_found file_download_failed
storage_access_blocked quota_or_capacity security_type_mismatch customizer_failed
package_manager_locked build_timeout waiting_for_input large_file_customizer vm_resources_exhausted
windows_update_failed windows_restart_timeout sysprep_failed deprovision_failed connection_lost
communicator_timeout packer_crash transient_service_error sig_replication_timeout distribution_failed
image_version_exists pipeline_timeout token_expired image_not_generalized unknown""".split())


def log_of(name: str, os_name: str = "linux", op: str = OP, template: dict | None = None) -> list[LogEvent]:
    template = template or template_for(name, os_name)
    return build_log(SCENARIOS[name], template=template, operation_id=op, staging_rg=STAGING,
                     subscription=SUB, start=START)


def texts(events: list[LogEvent]) -> list[str]:
    return [e.text for e in events]


def index_of(lines: list[str], needle: str, start: int = 0) -> int:
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i
    raise AssertionError(f"{needle!r} not found after line {start}")


BUILDS = [s.name for s in SCENARIOS.values() if not s.submission_fails]


# ---------------------------------------------------------------------------------------------
# catalogue shape


def test_every_scenario_is_well_formed():
    assert {"success", "slow-success", "customizer-failed"} <= set(SCENARIOS)
    for name, s in SCENARIOS.items():
        assert isinstance(s, Scenario) and s.name == name
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert s.summary and "\n" not in s.summary and len(s.summary) <= 120, name
        assert s.outcome in ("Succeeded", "PartiallySucceeded", "Failed", "Canceled"), name
        if s.outcome == "Succeeded":
            assert s.expected_category is None and s.last_run_message == "", name
        else:
            assert s.expected_category in CATEGORIES, name
        assert s.duration_minutes > 0


def test_slow_success_outlasts_a_hosted_agent_job():
    s = SCENARIOS["slow-success"]
    assert s.outcome == "Succeeded" and s.duration_minutes > 60
    events = log_of("slow-success")
    assert events[-1].at_seconds > 60 * 60


def test_failure_messages_format_with_the_emulators_keys():
    keys = dict(log_url="https://127.0.0.1:1/acct/packerlogs/x/customization.log", operation_id=OP,
                staging_rg=STAGING, subscription=SUB, template_name="tpl", resource_group="rg",
                location="eastus", storage_account="acct", log_blob="packerlogs/x/customization.log")
    for s in SCENARIOS.values():
        text = s.last_run_message.format_map(keys)
        assert not re.search(r"\{[a-z_]+\}", text), s.name
        if s.outcome not in ("Succeeded", "Canceled") and not s.submission_fails:
            assert keys["log_url"] in text or keys["staging_rg"] in text, s.name


# ---------------------------------------------------------------------------------------------
# every log, Linux and Windows


@pytest.mark.parametrize("os_name", ["linux", "windows"])
@pytest.mark.parametrize("name", BUILDS)
def test_log_lines_are_aib_shaped_and_timed(name, os_name):
    events = log_of(name, os_name)
    assert 60 <= len(events) <= 6000
    duration = SCENARIOS[name].duration_minutes * 60
    previous = 0.0
    for e in events:
        assert "\n" not in e.text
        assert e.at_seconds >= previous, e
        previous = e.at_seconds
        assert LINE.match(e.text) or e.text.startswith("Done exporting Packer logs") \
            or not e.text.startswith("["), e.text
        m = STAMP.match(e.text)
        if m:
            expected = (START + timedelta(seconds=e.at_seconds)).strftime("%Y/%m/%d %H:%M:%S")
            assert m.group(1) == expected, e
            if m.group(3):
                assert m.group(3) == expected, e
    assert previous <= duration + 1e-6
    assert previous >= duration * 0.5, "the log should span most of the run"


@pytest.mark.parametrize("os_name", ["linux", "windows"])
@pytest.mark.parametrize("name", BUILDS)
def test_sub_states_come_in_order(name, os_name):
    events = log_of(name, os_name)
    subs = [e.sub_state for e in events if e.sub_state]
    assert subs[0] == "Queued" and events[0].sub_state == "Queued"
    assert [SUB_STATES.index(s) for s in subs] == sorted(SUB_STATES.index(s) for s in subs)
    assert len(subs) == len(set(subs))


@pytest.mark.parametrize("name", BUILDS)
def test_generation_is_deterministic_per_operation_id(name):
    assert log_of(name) == log_of(name)
    other = log_of(name, op=OTHER_OP)
    assert texts(other) != texts(log_of(name))
    assert all(OTHER_OP in t for t in texts(other) if t.startswith("["))


def test_generation_is_fast():
    import time

    for name in BUILDS:
        for os_name in ("linux", "windows"):
            t0 = time.perf_counter()
            log_of(name, os_name)
            assert time.perf_counter() - t0 < 0.5, name  # target is < 50 ms; generous for CI noise


# ---------------------------------------------------------------------------------------------
# the six phases, in order


@pytest.mark.parametrize("os_name", ["linux", "windows"])
def test_success_log_has_the_guides_phases_in_order(os_name):
    lines = texts(log_of("success", os_name))
    i = index_of(lines, 'Azure request method="POST"')
    i = index_of(lines, "Deploying deployment template", i)
    i = index_of(lines, "/operationStatuses/", i)
    if os_name == "windows":
        i = index_of(lines, "Waiting for WinRM, up to timeout", i)
        i = index_of(lines, "WinRM connected.", i)
    else:
        i = index_of(lines, "Waiting for SSH to become available...", i)
        i = index_of(lines, "Connected to SSH!", i)
    i = index_of(lines, "(telemetry) Starting provisioner", i)
    deprov = "c:\\DeprovisioningScript.ps1" if os_name == "windows" else "/tmp/DeprovisioningScript.sh"
    i = index_of(lines, deprov, i)
    i = index_of(lines, "Capturing image", i)
    i = index_of(lines, "deleting individual resources", i)
    i = index_of(lines, 'Azure request method="DELETE"', i)
    i = index_of(lines, "(telemetry) Finalizing.", i)
    assert "Build 'azure-arm' finished" in "\n".join(lines)
    assert not any("errored" in t for t in lines)


def telemetry(lines: list[str]) -> list[tuple[str, str]]:
    out = []
    for t in lines:
        m = re.search(r"\(telemetry\) (Starting provisioner|ending) ([\w-]+)", t)
        if m:
            out.append(("start" if m.group(1).startswith("Starting") else "end", m.group(2)))
    return out


@pytest.mark.parametrize("os_name", ["linux", "windows"])
def test_every_customizer_gets_its_telemetry_section_then_the_hidden_deprovisioner(os_name):
    template = linux_template() if os_name == "linux" else windows_template()
    custs = template["properties"]["customize"]
    pairs = telemetry(texts(log_of("success", os_name, template=template)))
    expected = []
    for c in custs:
        name = PACKER_NAMES[c["type"].lower()]
        expected += [("start", name), ("end", name)]
    hidden = "powershell" if os_name == "windows" else "shell"
    assert pairs == expected + [("start", hidden), ("end", hidden)]


def test_windows_is_recognised_from_customizers_or_source():
    assert is_windows(windows_template())
    assert not is_windows(linux_template())
    t = linux_template()
    t["properties"]["source"] = {"type": "PlatformImage", "publisher": "MicrosoftWindowsServer",
                                 "offer": "WindowsServer", "sku": "2022-datacenter", "version": "latest"}
    t["properties"]["customize"] = [{"type": "File", "sourceUri": "https://x/y", "destination": "c:\\y"}]
    assert is_windows(t)


# ---------------------------------------------------------------------------------------------
# scenario signatures in the right place


def section(lines: list[str], index: int, template: dict) -> list[str]:
    """The lines of the template's customizer ``index`` (its Nth telemetry section)."""
    starts = [i for i, t in enumerate(lines) if "(telemetry) Starting provisioner" in t]
    begin = starts[index]
    name = PACKER_NAMES[template["properties"]["customize"][index]["type"].lower()]
    end = index_of(lines, f"(telemetry) ending {name}", begin)
    return lines[begin:end + 1]


@pytest.mark.parametrize("os_name", ["linux", "windows"])
def test_customizer_failed_fails_inside_the_first_script_customizer(os_name):
    template = template_for("customizer-failed", os_name)
    lines = texts(log_of("customizer-failed", os_name, template=template))
    index = failing_customizer_index(SCENARIOS["customizer-failed"], template)
    assert index == SCENARIOS["customizer-failed"].failing_customizer == 0
    body = section(lines, index, template)
    assert any("Script exited with non-zero exit status: 1" in t for t in body)
    # nothing of a later customizer or of deprovisioning runs after the failure
    after = lines[lines.index(body[-1]) + 1:]
    assert not any("Starting provisioner" in t for t in after)
    assert not any("DeprovisioningScript" in t for t in after)
    assert any("Build 'azure-arm' errored: Script exited with non-zero exit status: 1" in t for t in after)
    assert index_of(lines, "(telemetry) Finalizing.") > lines.index(body[-1])
