"""The scenario catalogue and the customization.log content the emulator's build simulator writes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulator.scenarios import (LINUX_ONLY, PACKER_NAMES, SCENARIOS, SUB_STATES, WINDOWS_ONLY,
                                      LogEvent, Scenario, build_log, failing_customizer_index,
                                      is_windows)
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
                location="eastus", storage_account="acct", log_blob="packerlogs/x/customization.log",
                log_resource_path=f"/subscriptions/{SUB}/resourceGroups/{STAGING}/providers/Microsoft.Storage/"
                                  "storageAccounts/acct/blobServices/default/containers/packerlogs/x/customization.log")
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


# ---------------------------------------------------------------------------------------------
# every scenario's signature, in the phase where AIB writes it

#: anchors of the troubleshooting guide (the seed) that a scenario may name as seed_section
GUIDE_ANCHORS = set("""build--step-failed-for-image-version builds-finished-but-no-artifacts-were-created
cancelling-builder-after-context-cancellation-context-canceled customization-log
downloading-external-file-to-local-file error-getting-managed-image error-waiting-on-shared-image-gallery
long-file-download-time low-windows-resource-information-events operation-was-canceled
packer-build-command-failure resource-not-found slow-windows-logon-please-wait-for-the-windows-modules-installer
sysprep-timing the-resource-operation-completed-with-terminal-provisioning-state-failed timeout-exceeded
troubleshoot-image-template-submission-errors understanding-the-customization-log
updateupgrade-of-image-templates-is-currently-not-supported
vms-created-from-aib-images-do-not-create-successfully""".split())

CUSTOMIZER_FAILURE = ["Script exited with non-zero exit status: 1"]

#: scenario -> {os: texts that must appear inside the failing customizer's telemetry section}
IN_CUSTOMIZER = {
    "customizer-failed": {"linux": CUSTOMIZER_FAILURE, "windows": CUSTOMIZER_FAILURE},
    "staging-read-denied": {"linux": CUSTOMIZER_FAILURE, "windows": CUSTOMIZER_FAILURE},
    "log-absent": {"linux": CUSTOMIZER_FAILURE, "windows": CUSTOMIZER_FAILURE},
    "log-truncated": {"linux": CUSTOMIZER_FAILURE, "windows": CUSTOMIZER_FAILURE},
    "hostile-log": {os_: ["::set-output name=state::Succeeded", "##vso[task.complete result=Succeeded;]",
                          "sig=SECRETSIG123", "AccountKey=SECRETKEY==", *CUSTOMIZER_FAILURE]
                    for os_ in ("linux", "windows")},
    "waiting-for-input": {"linux": ["Do you want to continue? [Y/n]"],
                          "windows": ['[Y] Yes  [A] Yes to All  [N] No']},
    "large-file-customizer": {"linux": [re.compile(r"^\S+ \d+ B / 826000000 B  \d+\.\d\d%$")],
                              "windows": [re.compile(r"^\S+ \d+ B / 826000000 B  \d+\.\d\d%$")]},
    "vm-resources-exhausted": {"linux": ["Length: 53687091200 (50G)", "Cannot allocate memory"],
                               "windows": ["OutOfMemoryException", "Insufficient system resources"]},
    "windows-update-low-resources": {"windows": ["system performance: 90% cpu", "exited with code: 101",
                                                 "A system shutdown is in progress.(1115)",
                                                 "Retryable error: Machine not yet available (exit status 1115)"]},
    "windows-update-failed": {"windows": ["Windows update failed with HResult 0x80240438"]},
    "connection-lost": {"linux": ["Firewall is active and enabled on system startup",
                                  "Remote command exited without exit status or exit signal"],
                        "windows": ["Remote command exited without exit status or exit signal"]},
    "devops-canceled": {"windows": ["Waiting for operation to complete (system performance"]},
    "apt-lock": {"linux": ["E: Could not get lock /var/lib/dpkg/lock-frontend",
                           "Script exited with non-zero exit status: 100"]},
    "windows-restart-timeout": {"windows": ["Waiting for machine to restart...",
                                            "Timeout waiting for machine to restart."]},
    "storage-public-access-blocked": {os_: ["[attempt 10 of 10] failed", "PublicAccessNotPermitted"]
                                      for os_ in ("linux", "windows")},
    "file-download-failed": {os_: ["[attempt 1 of 10] failed: Error downloading", "bad response code: 404"]
                             for os_ in ("linux", "windows")},
    "packer-crash": {os_: ["panic: runtime error", "goroutine 214 [running]:"] for os_ in ("linux", "windows")},
    "build-timeout": {"linux": [], "windows": []},
}

#: scenario -> (phase, texts) for failures outside the customizers
IN_PHASE = {
    "no-artifacts": ("deploy", ["Future#WaitForCompletion: context has been cancelled"]),
    "nic-not-found": ("deploy", ["network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404"]),
    "quota-exceeded": ("deploy", ["OperationNotAllowed", "exceeding approved standardDSv3Family Cores quota"]),
    "sku-not-available": ("deploy", ["SkuNotAvailable", "is currently not available in location"]),
    "policy-denied": ("deploy", ["RequestDisallowedByPolicy", "was disallowed by policy"]),
    "communicator-timeout": ("connect", ["Timeout waiting for"]),
    "sysprep-timing": ("deprovision", ["Cannot find any service with service name 'WindowsAzureGuestAgent'",
                                       "IMAGE_STATE_UNDEPLOYABLE"]),
    "deprovision-failed": ("deprovision", ["Script exited with non-zero exit status"]),
    "staging-deleted-midbuild": ("deprovision", ["ResourceGroupNotFound"]),
    "sig-replication-timeout": ("distribute", ["Error waiting on shared image gallery future",
                                               "Original Error: context deadline exceeded"]),
    "trusted-launch-mismatch": ("distribute", ["SecurityType 'TrustedLaunch'", "TrustedLaunchSupported"]),
    "image-version-exists": ("distribute", ["already exists"]),
    "distribution-partial": ("distribute", ["[Distribute 1] Error publishing MDI to shared image gallery",
                                            "GalleryImageNotFound", "[Distribute 0] completed"]),
}

SUCCESSES = {n for n, s in SCENARIOS.items() if s.outcome == "Succeeded"}


def oses(name: str) -> list[str]:
    if name in WINDOWS_ONLY:
        return ["windows"]
    if name in LINUX_ONLY:
        return ["linux"]
    return ["linux", "windows"]


def contains(lines: list[str], needle) -> bool:
    if isinstance(needle, re.Pattern):
        return any(needle.search(t) for t in lines)
    return any(needle in t for t in lines)


def failing_section(lines: list[str], template: dict, index: int) -> list[str]:
    """From the failing customizer's `Starting provisioner` to its `ending` (or the next
    provisioner, or Finalizing, whichever comes first)."""
    starts = [i for i, t in enumerate(lines) if "(telemetry) Starting provisioner" in t]
    begin = starts[index]
    name = PACKER_NAMES[template["properties"]["customize"][index]["type"].lower()]
    for j in range(begin + 1, len(lines)):
        t = lines[j]
        if f"(telemetry) ending {name}" in t or "(telemetry) Starting provisioner" in t \
                or "(telemetry) Finalizing." in t:
            return lines[begin:j + 1]
    return lines[begin:]


def test_every_failing_build_scenario_has_a_signature_check():
    failing = {n for n in BUILDS if n not in SUCCESSES}
    assert failing == set(IN_CUSTOMIZER) | set(IN_PHASE)


def test_seed_sections_are_anchors_of_the_guide():
    for s in SCENARIOS.values():
        assert s.seed_section is None or s.seed_section in GUIDE_ANCHORS, s.name


CASES_IN_CUSTOMIZER = [(n, o) for n, by_os in IN_CUSTOMIZER.items() for o in by_os]


@pytest.mark.parametrize("name,os_name", CASES_IN_CUSTOMIZER)
def test_failure_text_sits_inside_the_failing_customizer(name, os_name):
    template = template_for(name, os_name)
    lines = texts(log_of(name, os_name, template=template))
    index = failing_customizer_index(SCENARIOS[name], template)
    assert index is not None
    body = failing_section(lines, template, index)
    for needle in IN_CUSTOMIZER[name][os_name]:
        assert contains(body, needle), (name, os_name, needle)
    # every earlier customizer ran to its end, no later one started, nothing was deprovisioned
    pairs = telemetry(lines[:lines.index(body[0])])
    custs = template["properties"]["customize"][:index]
    assert pairs == [(k, PACKER_NAMES[c["type"].lower()]) for c in custs for k in ("start", "end")]
    after = lines[lines.index(body[-1]) + 1:]
    assert not any("Starting provisioner" in t for t in after), name
    assert not any("DeprovisioningScript" in t for t in lines), name


def _phase_bounds(lines: list[str], phase: str) -> tuple[int, int]:
    end = index_of(lines, "(telemetry) Finalizing.") if any("Finalizing." in t for t in lines) else len(lines)
    if phase == "deploy":
        return index_of(lines, "Validating deployment template"), end
    if phase == "connect":
        return index_of(lines, "Waiting for "), end
    if phase == "deprovision":
        return index_of(lines, "DeprovisioningScript"), end
    begin = index_of(lines, "Distributing the image")
    return begin, index_of(lines, "deleting individual resources", begin)


@pytest.mark.parametrize("name", sorted(IN_PHASE))
def test_failure_text_sits_in_its_phase(name):
    phase, needles = IN_PHASE[name]
    for os_name in oses(name):
        events = log_of(name, os_name)
        lines = texts(events)
        begin, end = _phase_bounds(lines, phase)
        for needle in needles:
            assert contains(lines[begin:end], needle), (name, os_name, needle)
        if phase in ("deploy", "connect"):
            assert not any("Starting provisioner" in t for t in lines), name
            assert not any(e.sub_state == "Customizing" for e in events), name
        if phase == "distribute":
            assert any(e.sub_state == "Distributing" for e in events)


@pytest.mark.parametrize("name", BUILDS)
def test_every_log_ends_like_its_outcome(name):
    s = SCENARIOS[name]
    for os_name in oses(name):
        lines = texts(log_of(name, os_name))
        whole = "\n".join(lines)
        assert lines[-1].startswith("Done exporting Packer logs to Azure for Packer prefix: ["), name
        if s.outcome in ("Succeeded", "PartiallySucceeded"):
            assert "Build 'azure-arm' finished." in whole and "errored" not in whole
        elif s.outcome == "Canceled":
            assert "Cleanly cancelled builds after being interrupted." in whole
        elif name == "packer-crash":
            assert "PACKER CRASH" in whole and "Packer crashed!" in whole
        else:
            assert "Build 'azure-arm' errored" in whole, name
        if any(n in whole for n in ("context canceled",)) and s.outcome != "Succeeded":
            assert "Cancelling builder after context cancellation context canceled" in whole


def test_timeouts_last_until_the_deadline_and_say_so():
    for name in ("waiting-for-input", "build-timeout", "large-file-customizer", "vm-resources-exhausted",
                 "sysprep-timing", "connection-lost", "sig-replication-timeout"):
        s = SCENARIOS[name]
        assert "context deadline exceeded" in s.last_run_message or \
            "context deadline exceeded" in "\n".join(texts(log_of(name, sample_os_of(name))))
        events = log_of(name, sample_os_of(name))
        cancel = next(e for e in events if "Cancelling builder" in e.text or "ERROR: -> Error publishing" in e.text)
        assert cancel.at_seconds > s.duration_minutes * 60 * 0.9, name


def sample_os_of(name: str) -> str:
    return oses(name)[0]


def test_devops_canceled_is_cut_at_sixty_minutes():
    s = SCENARIOS["devops-canceled"]
    assert s.outcome == "Canceled" and 59 <= s.duration_minutes <= 61
    events = log_of("devops-canceled", "windows")
    cancel = next(e for e in events if "Cancelling builder after context cancellation" in e.text)
    assert 55 * 60 <= cancel.at_seconds <= 60 * 60


def test_windows_logon_slow_ends_customizing_with_updates_and_no_restart():
    template = template_for("windows-logon-slow", "windows")
    assert template["properties"]["customize"][-1]["type"] == "WindowsUpdate"
    pairs = telemetry(texts(log_of("windows-logon-slow", "windows", template=template)))
    assert pairs[-4:] == [("start", "windows-update"), ("end", "windows-update"),
                          ("start", "powershell"), ("end", "powershell")]


def test_survival_flags():
    assert SCENARIOS["staging-read-denied"].deny_staging_read
    assert SCENARIOS["staging-deleted-midbuild"].delete_staging_midbuild
    assert SCENARIOS["log-absent"].log_absent
    assert SCENARIOS["log-truncated"].truncate_log
    assert SCENARIOS["sig-replication-timeout"].run_outputs_on_failure
    # the staging RG disappears half-way: its failure comes after that point
    s = SCENARIOS["staging-deleted-midbuild"]
    events = log_of(s.name)
    failure = next(e for e in events if "ResourceGroupNotFound" in e.text)
    assert failure.at_seconds > s.duration_minutes * 60 / 2


def test_static_failing_customizer_matches_the_sample_template():
    from tests.emulator.scenarios import sample_os

    for name, s in SCENARIOS.items():
        if s.submission_fails:
            continue
        assert failing_customizer_index(s, template_for(name)) == s.failing_customizer, name
        assert template_for(name) == template_for(name, sample_os(name))


# ---------------------------------------------------------------------------------------------
# every seed error is reproduced by a scenario

SEED_ERRORS = {
    "Conflict: Update/Upgrade of image templates is currently not supported":
        ("template-exists", "Update/Upgrade of image templates is currently not supported"),
    "terminal provisioning state Failed / InternalOperationError":
        ("terminal-provisioning-failed", "InternalOperationError"),
    "managed image 403 AuthorizationFailed":
        ("managed-image-403", 'Status=403 Code="AuthorizationFailed"'),
    "image version 404":
        ("image-version-404", "GalleryImageVersionsClient#Get: Failure responding to request: StatusCode=404"),
    "external file download":
        ("file-download-failed", "Downloading external file ("),
    "external file download at submission":
        ("file-download-failed-submit", "[attempt 1 of 10] failed"),
    "packer exit status 1":
        ("customizer-failed", "Packer build command has failed: exit status 1"),
    "timeout / context deadline exceeded":
        ("build-timeout", "Timeout waiting for microservice to complete: 'context deadline exceeded'"),
    "input prompt (apt-get without -y)":
        ("waiting-for-input", "Do you want to continue? [Y/n]"),
    "File customizer > 20 MB / long file download":
        ("large-file-customizer", "826000000 B"),
    "small VM exhausted by a 50 GB download":
        ("vm-resources-exhausted", "(50G)"),
    "shared image gallery wait":
        ("sig-replication-timeout", "Error waiting on shared image gallery future"),
    "low Windows resources":
        ("windows-update-low-resources", "Waiting for operation to complete (system performance: 90% cpu"),
    "windows-update exit 101":
        ("windows-update-low-resources", "windows-update-elevated.ps1' exited with code: 101"),
    "unexpected EOF":
        ("windows-update-low-resources", "Build 'azure-arm' errored: unexpected EOF"),
    "no artifacts created":
        ("no-artifacts", "Builds finished but no artifacts were created."),
    "NIC 404 resource not found":
        ("nic-not-found", "network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404"),
    "sysprep timing / WindowsAzureGuestAgent missing":
        ("sysprep-timing", "Cannot find any service with service name 'WindowsAzureGuestAgent'"),
    "IMAGE_STATE_UNDEPLOYABLE":
        ("sysprep-timing", "IMAGE_STATE_UNDEPLOYABLE"),
    "context cancellation":
        ("connection-lost", "Cancelling builder after context cancellation context canceled"),
    "lost SSH/WinRM connection":
        ("connection-lost", "Remote command exited without exit status or exit signal"),
    "DevOps 'The operation was canceled' at 60 min":
        ("devops-canceled", "Cleanly cancelled builds after being interrupted."),
    "slow Windows logon":
        ("windows-logon-slow", "(telemetry) ending windows-update"),
    "deprovisioning failure":
        ("deprovision-failed", "Script exited with non-zero exit status"),
}


@pytest.mark.parametrize("seed_error", sorted(SEED_ERRORS))
def test_seed_error_is_reproduced(seed_error):
    name, needle = SEED_ERRORS[seed_error]
    s = SCENARIOS[name]
    where = [s.last_run_message, (s.put_error or {}).get("message", ""),
             (s.provisioning_error or {}).get("message", "")]
    if not s.submission_fails:
        where += texts(log_of(name, sample_os_of(name)))
    assert any(needle in t for t in where), (seed_error, name)
    assert s.expected_category is not None or s.outcome == "Succeeded"


def test_submission_failures_have_no_log_and_a_real_error_code():
    for s in SCENARIOS.values():
        if not s.submission_fails:
            continue
        assert log_of(s.name) == []
        assert s.duration_minutes >= 0
        if s.put_error:
            assert set(s.put_error) == {"status", "code", "message"} and 400 <= s.put_error["status"] < 500
            # the emulator formats put_error messages with these keys only
            keys = set(re.findall(r"\{([a-z_]+)\}", s.put_error["message"]))
            assert keys <= {"template_name", "subscription", "resource_group", "location"}, s.name
        else:
            assert {"provisioningErrorCode", "message"} <= set(s.provisioning_error) \
                <= {"provisioningErrorCode", "message", "operation_error"}
            # passed through literally: no placeholders
            assert not re.search(r"\{[a-z_]+\}", s.provisioning_error["message"]), s.name
            error = s.provisioning_error.get("operation_error")
            if error:
                assert error["code"] and error["message"], s.name


def test_docs_table_is_current():
    from pathlib import Path

    from tests.emulator.scenarios.table import markdown_table

    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "regenerate: python -m tests.emulator.scenarios table"


def test_cli_shows_a_scenario_log(capsys):
    from tests.emulator.scenarios.__main__ import main

    assert main(["show", "customizer-failed"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any("Script exited with non-zero exit status: 1" in line for line in out)
    assert main(["show", "no-such-scenario"]) == 2


# ---------------------------------------------------------------------------------------------
# templates other than the samples


def _custom_template(customize: list[dict], **props) -> dict:
    t = linux_template()
    t["properties"]["customize"] = customize
    t["properties"].update(props)
    return t


def test_inline_commands_print_plausible_output():
    template = _custom_template([{"type": "Shell", "name": "mine", "inline": [
        "echo 'hello from the build'", "sudo apt-get install -y nginx", "sleep 30", "pip3 install requests"]}])
    events = log_of("success", template=template)
    lines = texts(events)
    assert contains(lines, "    azure-arm: hello from the build")
    assert contains(lines, re.compile(r"azure-arm: Setting up nginx \("))
    assert contains(lines, re.compile(r"azure-arm: Successfully installed requests-\d"))
    # `sleep 30` takes at least 30 simulated seconds before pip's first line
    pip = next(e for e in events if "Collecting requests" in e.text)
    before = [e for e in events if e.at_seconds < pip.at_seconds and "azure-arm:" in e.text]
    assert pip.at_seconds - before[-1].at_seconds >= 30


def test_powershell_commands_print_plausible_output():
    template = windows_template()
    template["properties"]["customize"] = [{"type": "PowerShell", "name": "ps", "inline": [
        "Write-Host 'Hello Windows'", "choco install -y git"]}]
    lines = texts(log_of("success", template=template))
    assert contains(lines, "    azure-arm: Hello Windows")
    assert contains(lines, "    azure-arm:  The install of git was successful.")


def test_a_template_given_as_bare_properties_works():
    template = linux_template()
    assert texts(log_of("success", template=template["properties"])) == texts(log_of("success", template=template))


def test_template_without_customizers_still_fails_where_the_scenario_says():
    template = _custom_template([])
    lines = texts(log_of("customizer-failed", template=template))
    assert contains(lines, "Script exited with non-zero exit status: 1")
    assert failing_customizer_index(SCENARIOS["customizer-failed"], template) is None
    assert telemetry(texts(log_of("success", template=template))) == [("start", "shell"), ("end", "shell")]


def test_optimize_and_validate_add_their_sub_states():
    template = _custom_template(linux_template()["properties"]["customize"],
                                optimize={"vmBoot": {"state": "Enabled"}},
                                validate={"inVMValidations": [{"type": "Shell", "name": "smoke",
                                                               "inline": ["nginx -v"]}]})
    subs = [e.sub_state for e in log_of("success", template=template) if e.sub_state]
    assert subs == ["Queued", "Building", "Customizing", "Optimizing", "Validating", "Distributing"]


def test_every_distributor_is_distributed():
    template = template_for("success-gallery")
    template["properties"]["distribute"].insert(0, {"type": "VHD", "runOutputName": "vhd-out"})
    lines = texts(log_of("success-gallery", template=template))
    assert contains(lines, "[Distribute 0] VHD -> runOutputName 'vhd-out'")
    assert contains(lines, "[Distribute 1] SharedImage -> runOutputName 'ubuntu2204-gallery'")
    assert contains(lines, re.compile(r"SIG replication regions +: '\['eastus', 'westus2'\]'"))
