"""Template mapping (three template shapes, exact lines) and status/JSON error inputs."""

import json

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.template_map import load_template, parse_with_lines
from aib_pilot.errors import UsageError

from .conftest import example_path, log_path

PROPS = {
    "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "o", "sku": "s", "version": "latest"},
    "customize": [
        {"type": "Shell", "name": "update-apt-cache", "inline": ["sudo apt-get update"]},
        {"type": "File", "name": "copy-nginx-config", "sourceUri": "https://x/y", "destination": "/tmp/y"},
        {"type": "Shell", "name": "install-nginx", "inline": ["sudo apt-get install -y nginx"]},
    ],
    "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
}


def _write(tmp_path, doc, name="t.json"):
    text = json.dumps(doc, indent=2)
    path = tmp_path / name
    path.write_text(text)
    lines = text.splitlines()
    expected = [i + 1 for i, l in enumerate(lines) if '"type": "Shell"' in l or '"type": "File"' in l]
    # the customizer starts at the "{" line just before its "type" line
    return str(path), [n - 1 for n in expected]


@pytest.mark.parametrize("shape", ["resource", "arm", "properties"])
def test_three_template_shapes_map_failing_customizer_to_its_line(shape, tmp_path):
    if shape == "resource":
        doc = {"type": "Microsoft.VirtualMachineImages/imageTemplates", "location": "eastus", "properties": PROPS}
    elif shape == "arm":
        doc = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
               "contentVersion": "1.0.0.0",
               "resources": [{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "id"},
                             {"type": "Microsoft.VirtualMachineImages/imageTemplates", "name": "t",
                              "properties": PROPS}]}
    else:
        doc = PROPS
    path, lines = _write(tmp_path, doc)
    info = load_template(path)
    assert [c.line for c in info.customizers] == lines
    d = diagnose(example_path("linux-customizer-failed.log"), template_path=path).to_dict()
    assert d["failed_customizer"] == {"provisioner": "shell", "index": 2, "name": "install-nginx",
                                      "type": "Shell", "file": path, "line": lines[2]}
    assert d["failing_section"]["name"] == "install-nginx"
    assert [t["name"] for t in d["timeline"] if t["kind"] == "customizer"] == [
        "update-apt-cache", "copy-nginx-config", "install-nginx"]


def test_customizers_not_reached_are_listed_as_skipped(tmp_path):
    props = dict(PROPS, customize=PROPS["customize"] + [{"type": "Shell", "name": "harden", "inline": ["x"]}])
    path, _ = _write(tmp_path, {"properties": props})
    d = diagnose(example_path("linux-customizer-failed.log"), template_path=path).to_dict()
    assert d["timeline"][-1] == {"kind": "customizer", "name": "harden", "phase": "customize", "start_line": None,
                                 "end_line": None, "start": None, "end": None, "duration_seconds": None,
                                 "status": "skipped", "exit_code": None}


def test_without_template_provisioner_and_index_are_still_given():
    d = diagnose(example_path("linux-customizer-failed.log")).to_dict()
    assert d["failed_customizer"] == {"provisioner": "shell", "index": 2, "name": None, "type": "Shell",
                                      "file": None, "line": None}


def test_deprovision_provisioner_is_not_counted_as_a_user_customizer():
    d = diagnose(log_path("sysprep_timing.log")).to_dict()
    kinds = [(t["kind"], t["name"]) for t in d["timeline"] if t["phase"] in ("customize", "deprovision")]
    assert kinds == [("customizer", "powershell"), ("customizer", "windows-restart"), ("phase", "deprovision")]


def test_json_reader_lines_comments_and_trailing_commas():
    value, lines = parse_with_lines('{\n  // c\n  "a": [\n    1,\n    {"b": 2},\n  ],\n}\n')
    assert value == {"a": [1, {"b": 2}]}
    assert lines[("a",)] == 3 and lines[("a", 1)] == 5


@pytest.mark.parametrize("content,needle", [
    ('{"resources": []}', "exactly one is needed"),
    ('{"resources": [{"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": {}},'
     ' {"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": {}}]}', "holds 2"),
    ('{"properties": {"customize": [1,,2]}}', "line 1 column"),
    ("[1, 2]", "not a JSON object"),
    ('{"name": "x"}', "no image template found"),
])
def test_bad_templates_raise_usage_error(content, needle, tmp_path):
    p = tmp_path / "t.json"
    p.write_text(content)
    with pytest.raises(UsageError) as exc:
        load_template(str(p))
    assert needle in exc.value.one_line()


def test_az_show_output_pasted_whole():
    d = diagnose(log_path("nic_not_found.json")).to_dict()
    assert d["status"] == "failed" and d["category"] == "missing_permissions"
    assert d["findings"][0]["evidence"][0]["line"] is not None  # points into the pasted JSON


def test_provisioning_error_dict_and_arm_envelope():
    d = diagnose(None, provisioning_error={"provisioningErrorCode": "NoCustomizerScript",
                                           "message": "Customizer 1 has no script."}).to_dict()
    assert (d["category"], d["phase"]) == ("invalid_template", "submission")
    env = {"error": {"code": "RequestDisallowedByPolicy", "message": "Resource 'aibsa' was disallowed by policy.",
                     "details": [{"code": "PolicyViolation", "message": "deny-storage"}]}}
    d = diagnose(None, provisioning_error=env).to_dict()
    assert d["category"] == "policy_denied"


def test_arm_envelope_log_and_deployment_status_shape():
    doc = {"status": "Failed", "error": {"code": "DeploymentFailed", "message": "At least one resource deployment "
           "operation failed.", "details": [{"code": "MissingSubscriptionRegistration",
                                             "message": "The subscription is not registered to use namespace "
                                                        "'Microsoft.VirtualMachineImages'."}]}}
    d = diagnose(json.dumps(doc, indent=2).encode()).to_dict()
    assert d["category"] == "provider_not_registered"


def test_running_and_succeeded_run_states_from_json():
    running = {"properties": {"provisioningState": "Succeeded", "lastRunStatus": {"runState": "Running", "message": ""}}}
    assert diagnose(json.dumps(running).encode()).status == "running"
    ok = {"properties": {"provisioningState": "Succeeded", "lastRunStatus": {"runState": "Succeeded", "message": ""}}}
    assert diagnose(json.dumps(ok).encode()).status == "succeeded"
    failed = {"properties": {"lastRunStatus": {"runState": "Failed", "message": "something odd"}}}
    d = diagnose(json.dumps(failed).encode())
    assert d.failed and d.category == "unknown"


def test_a_template_that_is_not_the_logs_is_said_and_not_pointed_at(tmp_path):
    """A Linux log against a Windows template: the mismatch is a finding, and no template line or
    file is given for the failing customizer (it would point at the wrong customizer)."""
    import json as _json
    import os as _os

    from aib_pilot.diagnosis import Diagnosis, diagnose as _diagnose
    from aib_pilot.report import facts

    root = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
    log = _os.path.join(root, "examples", "logs", "linux-customizer-failed.log")
    wrong = tmp_path / "windows.json"
    wrong.write_text(_json.dumps({"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": {
        "customize": [{"type": "PowerShell", "name": "tools", "inline": ["Write-Output hi"]},
                      {"type": "WindowsUpdate"}, {"type": "WindowsRestart"}, {"type": "PowerShell", "inline": ["x"]}]}},
        indent=2))
    d = _diagnose(log, template_path=str(wrong)).to_dict()
    assert d["category"] == "package_manager_locked"
    mismatch = [f for f in d["findings"] if f["rule"] == "AIB407"]
    assert mismatch and "customizer 1 ran as Shell" in mismatch[0]["evidence"][0]["text"]
    assert d["failed_customizer"]["line"] is None and d["failed_customizer"]["file"] is None
    assert facts.template_location(Diagnosis.from_dict(d), str(wrong)) == (None, None)
    right = _os.path.join(root, "examples", "logs", "linux-template.json")
    good = _diagnose(log, template_path=right).to_dict()
    assert not [f for f in good["findings"] if f["rule"] == "AIB407"] and good["failed_customizer"]["line"] == 37
