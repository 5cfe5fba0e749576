"""Failures real users hit that the guide does not describe, diagnosed end to end."""

import pytest

from aib_pilot.diagnosis import diagnose

from .logbuilder import APT_UPDATE, Log
from .make_logs import SEED_TIMEOUT


def _deploy_failure(line: str) -> bytes:
    log = Log().deploy()
    log.ui(f"ERROR: -> {line}")
    log.cleanup(failed=True)
    log.finish_failed(line)
    return log.text().encode()


def _customizer_failure(lines: list[str], code: int = 1) -> bytes:
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE)
    log.shell(lines, code=code)
    log.cleanup(failed=True)
    log.finish_failed(f"Script exited with non-zero exit status: {code}. Allowed exit codes are: [0]")
    return log.text().encode()


@pytest.mark.parametrize("data,category,rule,phase", [
    (_deploy_failure("RequestDisallowedByPolicy : Resource 'pkrvm1' was disallowed by policy. Policy identifiers: "
                     "'[{\"policyAssignment\":{\"name\":\"allowed-vm-skus\"}}]'"), "policy_denied", "AIB110", "deploy"),
    (_deploy_failure("SkuNotAvailable : The requested size for resource 'pkrvm1' is currently not available in "
                     "location 'westeurope' zones '' for subscription"), "quota_or_capacity", "AIB113", "deploy"),
    (_deploy_failure("BadRequest : The selected VM size 'Standard_D1_v2' cannot boot Hypervisor Generation '2'."),
     "security_type_mismatch", "AIB114", "deploy"),
    (_customizer_failure(["E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1406"], 100),
     "package_manager_locked", "AIB211", "customize"),
    (_customizer_failure(["curl: (6) Could not resolve host: artifacts.contoso.example"], 6),
     "file_download_failed", "AIB212", "customize"),
    (_customizer_failure(["/tmp/script.sh: line 4: dockerd: command not found"], 127),
     "customizer_failed", "AIB213", "customize"),
])
def test_log_failures(data, category, rule, phase):
    d = diagnose(data).to_dict()
    assert (d["category"], d["findings"][0]["rule"], d["phase"]) == (category, rule, phase)


def test_packer_crash_outranks_the_wrappers():
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE, end=False)
    log.raw(f"[{log.op}] PACKER ERR 2026/11/25 21:10:00 panic: runtime error: invalid memory address or nil pointer dereference\n"
            f"[{log.op}] PACKER ERR 2026/11/25 21:10:00 goroutine 42 [running]:\n"
            f"[{log.op}] PACKER OUT !!!!!!!!!!!!!!!!!!!!!!!!!!! PACKER CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!")
    d = diagnose(log.text().encode(), status_message="Packer build command has failed: exit status 1").to_dict()
    assert (d["category"], d["findings"][0]["rule"]) == ("packer_crash", "AIB216")
    assert d["failed_customizer"]["index"] == 0


def test_token_expiry_in_a_pipeline_log():
    text = ("2026-11-25T21:00:00.0000000Z ##[section]Starting: Build image\n"
            "2026-11-25T22:05:00.0000000Z ERROR: AADSTS700024: Client assertion is not within its valid time range. "
            "Current time: 2026-11-25T22:05:00Z, assertion valid from 2026-11-25T21:00:00Z\n"
            "2026-11-25T22:05:01.0000000Z ##[error]Script failed with exit code: 1\n")
    d = diagnose(text.encode()).to_dict()
    assert (d["category"], d["findings"][0]["rule"], d["phase"]) == ("token_expired", "AIB402", "pipeline")
    assert [f["rule"] for f in d["findings"]][-1] == "AIB405"  # the generic ##[error] ranks last


def test_image_version_exists_from_status_message():
    msg = ("Failed in distributing 1 images out of total 1: {[Error 0] [Distribute 0] Error publishing MDI to shared "
           "image gallery: Code=\"Conflict\" Message=\"Gallery image version '/subscriptions/x/galleries/g/images/i/"
           "versions/1.0.0' already exists.\"}")
    d = diagnose(None, status_message=msg).to_dict()
    assert (d["category"], d["phase"]) == ("image_version_exists", "distribute")


def test_timeout_on_a_saturated_vm_is_vm_resources_exhausted():
    log = Log().deploy().deployment_status().connect(windows=True)
    log.powershell(["Downloading https://datasets.contoso.example/big.tar",
                    "Invoke-WebRequest : Exception of type 'System.OutOfMemoryException' was thrown."], end=False)
    log.err("Cancelling builder after context cancellation context canceled", plugin=None)
    log.cleanup(failed=True)
    log.finish_failed("context canceled")
    d = diagnose(log.text().encode(), status_message=SEED_TIMEOUT).to_dict()
    rules = [f["rule"] for f in d["findings"]]
    assert d["category"] == "vm_resources_exhausted" and rules.index("AIB207") < rules.index("AIB204")


def _cancelled_run_log() -> bytes:
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE)
    log.shell(["building"] * 3, end=False)
    log.err("Cancelling builder after context cancellation context canceled", plugin=None)
    log.out("Cancelling build after receiving terminated")
    log.cleanup(failed=True)
    log.finish_failed("build was cancelled")
    return log.text().encode()


def test_cancelled_run_is_a_pipeline_cancel_not_a_lost_connection():
    without = diagnose(_cancelled_run_log()).to_dict()
    # Packer got SIGTERM with no sign of a dropped connection: AIB stopped it (timeout or cancel)
    assert (without["category"], without["findings"][0]["rule"]) == ("build_timeout", "AIB235")
    d = diagnose(_cancelled_run_log(), run_state="Canceled").to_dict()
    assert (d["category"], d["findings"][0]["rule"]) == ("pipeline_timeout", "AIB406")
    assert d["failed_customizer"]["index"] == 1


def test_run_state_from_pasted_json():
    import json
    doc = {"properties": {"lastRunStatus": {"runState": "Canceled", "message": ""}}}
    d = diagnose(json.dumps(doc).encode()).to_dict()
    assert d["status"] == "failed" and d["category"] == "pipeline_timeout"
    doc["properties"]["lastRunStatus"]["runState"] = "Canceling"
    d = diagnose(json.dumps(doc).encode()).to_dict()
    assert d["status"] == "running" and d["findings"][0]["rule"] == "AIB108"


def test_linux_deprovision_hanging_until_timeout():
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE)
    log.deprovision_linux(["WARNING! The waagent service will be stopped."], end=False)
    log.tick(14000).err("Cancelling builder after context cancellation context canceled", plugin=None)
    log.err("Cancelling provisioning due to context cancellation: context canceled")
    log.cleanup(failed=True)
    log.finish_failed("context canceled")
    d = diagnose(log.text().encode(), status_message=SEED_TIMEOUT).to_dict()
    assert (d["category"], d["findings"][0]["rule"], d["phase"]) == ("deprovision_failed", "AIB308", "deprovision")
    assert d["failed_customizer"] is None and d["failing_section"]["name"] == "deprovision"
