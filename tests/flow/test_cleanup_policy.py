"""The cleanup policy, provenance tags and per-run values, end to end against the emulator.

Each test runs the real CLI. What aib-pilot created for a build is named in the template's tags
(azure/created_resources.py); here the tests create that container / storage account themselves
and pass the tags with --tag, as the workspace upload does.
"""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.identity import ClientSecretCredential

from aib_pilot.azure.created_resources import ACCOUNT_TAG, CONTAINER_TAG
from tests.flow.conftest import FAST, run_cli, sample_template

DEFAULT = {"AIB_PILOT_CLEANUP": ""}  # the emulator's env says "never"; "" leaves the CLI's default
GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "octo/images", "GITHUB_RUN_ID": "77",
          "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SHA": "c0ffee0123", "GITHUB_WORKFLOW": "images",
          "GITHUB_SERVER_URL": "https://github.com"}


def _credential(emu):
    i = emu.info
    return ClientSecretCredential(i["tenant"], i["client_id"], i["client_secret"], authority=i["authority"],
                                  disable_instance_discovery=True, connection_verify=i["ca_bundle"])


def _storage(emu):
    from azure.mgmt.storage import StorageManagementClient

    i = emu.info
    return StorageManagementClient(_credential(emu), i["subscription"], base_url=i["arm"],
                                   credential_scopes=[i["arm"] + "/.default"], connection_verify=i["ca_bundle"])


def _payload(emu, rg, account: str) -> tuple[str, str]:
    """A storage account with a container holding one blob, as a workspace upload leaves them:
    (account id, container URL)."""
    from azure.storage.blob import ContainerClient

    acct = _storage(emu).storage_accounts.begin_create(
        rg, account, {"location": emu.info["location"], "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}).result()
    url = acct.primary_endpoints.blob.rstrip("/") + "/aib-pilot-payload"
    container = ContainerClient.from_container_url(url, credential=_credential(emu), connection_verify=emu.info["ca_bundle"])
    container.create_container()
    container.upload_blob("payload.tar.gz", b"files from the workspace")
    return acct.id, url


def _container_exists(emu, url: str) -> bool:
    from azure.storage.blob import ContainerClient

    client = ContainerClient.from_container_url(url, credential=_credential(emu), connection_verify=emu.info["ca_bundle"])
    try:
        client.get_container_properties()
        return True
    except ResourceNotFoundError:
        return False


def _account_exists(emu, rg, name) -> bool:
    try:
        _storage(emu).storage_accounts.get_properties(rg, name)
        return True
    except ResourceNotFoundError:
        return False


def _staging_groups(emu, rg, name) -> list[str]:
    with emu.world.lock:
        return [g.name for g in emu.world.rgs.values() if g.name.startswith(f"IT_{rg}_{name}_")]


def _run(emu, rg, tmp_path, scenario, *extra, env=None):
    template, _ = sample_template(tmp_path, scenario)
    return run_cli(emu, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                   *FAST, "--format", "json", *extra, extra_env=env or DEFAULT)


def test_success_with_the_default_policy_deletes_template_staging_group_and_created_account(emulator, rg, tmp_path):
    account_id, url = _payload(emulator, rg, "aibpilotpayload1")
    r = _run(emulator, rg, tmp_path, "success", "--tag", f"{ACCOUNT_TAG}={account_id}", "--tag", f"{CONTAINER_TAG}={url}")
    assert r.code == 0, r.stderr[-2000:]
    result = r.json
    name = result["template_name"]
    assert result["state"] == "Succeeded" and result["cleanup"]["policy"] == "on-success"
    assert result["cleanup"]["failed"] == [] and len(result["cleanup"]["deleted"]) == 2
    assert result["log_url"] is None  # the staging account is gone with the template
    assert emulator.template(rg, name) is None and _staging_groups(emulator, rg, name) == []
    assert not _account_exists(emulator, rg, "aibpilotpayload1")
    assert emulator.wait_until(lambda: not _container_exists(emulator, url), timeout=10)
    # the log was saved before anything was deleted
    saved = list((tmp_path / "logs").rglob("customization.log"))
    assert saved and saved[0].stat().st_size > 0
    reads = emulator.journal.entries(service="blob", method="GET", path_contains="customization.log")
    deletes = emulator.journal.entries(service="arm", method="DELETE", path_contains=f"/imageTemplates/{name}")
    assert reads and deletes and max(e.at for e in reads) <= min(e.at for e in deletes)


def test_a_container_in_the_users_own_account_is_deleted_and_the_account_kept(emulator, rg, tmp_path):
    _account_id, url = _payload(emulator, rg, "usersownaccount")
    r = _run(emulator, rg, tmp_path, "success", "--tag", f"{CONTAINER_TAG}={url}")
    assert r.code == 0, r.stderr[-2000:]
    assert not _container_exists(emulator, url)
    assert _account_exists(emulator, rg, "usersownaccount")


def test_a_failed_run_keeps_everything_for_investigation(emulator, rg, tmp_path):
    account_id, url = _payload(emulator, rg, "aibpilotpayload2")
    r = _run(emulator, rg, tmp_path, "customizer-failed", "--tag", f"{ACCOUNT_TAG}={account_id}")
    assert r.code == 1, r.stderr[-2000:]
    name = r.json["template_name"]
    assert r.json["cleanup"] == {"policy": "on-success", "deleted": [], "failed": []}
    assert emulator.template(rg, name) is not None and _staging_groups(emulator, rg, name)
    assert _account_exists(emulator, rg, "aibpilotpayload2") and _container_exists(emulator, url)
    assert f"kept for investigation (cleanup on-success, the run ended Failed); delete it afterwards with: " \
           f"aib-pilot cleanup -g {rg} -n {name}" in r.stderr


def test_always_deletes_after_a_failure_and_keeps_the_exit_code(emulator, rg, tmp_path):
    account_id, url = _payload(emulator, rg, "aibpilotpayload3")
    r = _run(emulator, rg, tmp_path, "customizer-failed", "--cleanup", "always", "--tag", f"{ACCOUNT_TAG}={account_id}")
    assert r.code == 1, r.stderr[-2000:]
    name = r.json["template_name"]
    assert r.json["state"] == "Failed" and r.json["diagnosis"]["category"] == "customizer_failed"
    assert emulator.template(rg, name) is None and _staging_groups(emulator, rg, name) == []
    assert not _account_exists(emulator, rg, "aibpilotpayload3")
    assert list((tmp_path / "logs").rglob("customization.log"))


def test_never_keeps_a_successful_build(emulator, rg, tmp_path):
    r = _run(emulator, rg, tmp_path, "success", "--cleanup", "never")
    assert r.code == 0 and emulator.template(rg, r.json["template_name"]) is not None


def test_a_failing_cleanup_is_one_line_and_the_build_outcome_stands(emulator, rg, tmp_path):
    r = _run(emulator, rg, tmp_path, "success", "--tag", f"{ACCOUNT_TAG}=not-an-account-id")
    assert r.code == 0, r.stderr[-2000:]
    assert r.json["state"] == "Succeeded" and r.json["cleanup"]["failed"]
    warnings = [ln for ln in r.stderr.splitlines() if "cleanup could not delete" in ln]
    assert len(warnings) == 1 and "the build's outcome (Succeeded) stands" in warnings[0], r.stderr
    assert emulator.template(rg, r.json["template_name"]) is None


def test_a_resumed_monitor_applies_the_policy_recorded_at_submit(emulator, rg, tmp_path):
    emulator.set_speed(30)
    first = _run(emulator, rg, tmp_path, "customizer-failed", "--cleanup", "always", "--budget", "0.05")
    assert first.code == 0 and first.json["state"] == "Running", first.stderr[-2000:]
    name = first.json["template_name"]
    assert emulator.template(rg, name).tags["aib-pilot.cleanup"] == "always"
    emulator.set_speed(3000)
    resumed = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "logs"), *FAST,
                      "--format", "json", extra_env=DEFAULT)
    assert resumed.code == 1, resumed.stderr[-2000:]
    assert resumed.json["cleanup"]["policy"] == "always" and emulator.template(rg, name) is None


def test_a_fleet_monitor_applies_the_policy_to_each_template(emulator, rg, tmp_path):
    emulator.set_speed(60)
    names = {}
    for scenario in ("success", "customizer-failed"):
        template, _ = sample_template(tmp_path, scenario)
        r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--tag", "fleet=cleanup",
                    "--format", "json", extra_env=DEFAULT)
        assert r.code == 0, r.stderr
        names[scenario] = r.json["template_name"]
    emulator.set_speed(3000)
    r = run_cli(emulator, "monitor", "--all", "--tag", "fleet=cleanup", "-g", rg, "--log-dir", str(tmp_path / "logs"),
                *FAST, "--format", "json", extra_env=DEFAULT)
    assert r.code == 1, r.stderr[-2000:]
    assert emulator.template(rg, names["success"]) is None
    assert emulator.template(rg, names["customizer-failed"]) is not None


def test_provenance_tags_reach_every_submitted_distribution(emulator, rg, tmp_path):
    vhd = {"type": "VHD", "runOutputName": "vhd", "artifactTags": {"aib-pilot.commit": "users-own"}}
    template, body = sample_template(tmp_path, "success")
    body["properties"]["distribute"].append(vhd)
    template.write_text(json.dumps(body))
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"), *FAST,
                "--format", "json", extra_env=GITHUB)
    assert r.code == 0, r.stderr[-2000:]
    dists = emulator.template(rg, r.json["template_name"]).properties["distribute"]
    assert dists[0]["artifactTags"] == {
        "aib-pilot.repo": "octo/images", "aib-pilot.commit": "c0ffee0123", "aib-pilot.workflow": "images",
        "aib-pilot.run-url": "https://github.com/octo/images/actions/runs/77/attempts/1"}
    assert dists[1]["artifactTags"]["aib-pilot.commit"] == "users-own"  # the user's own tag wins


def test_no_provenance_sends_no_artifact_tags(emulator, rg, tmp_path):
    r = _run(emulator, rg, tmp_path, "success", "--no-provenance", "--cleanup", "never", env=GITHUB)
    assert r.code == 0, r.stderr[-2000:]
    dists = emulator.template(rg, r.json["template_name"]).properties["distribute"]
    assert all("artifactTags" not in d for d in dists)


def test_set_and_parameters_change_the_submitted_body(emulator, rg, tmp_path):
    _template, body = sample_template(tmp_path, "success")
    arm = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "contentVersion": "1.0.0.0",
           "parameters": {"vmSize": {"type": "string", "defaultValue": "Standard_D2s_v3"},
                          "diskGb": {"type": "int", "defaultValue": 30}},
           "resources": [dict(body, properties=dict(body["properties"], vmProfile={
               "vmSize": "[parameters('vmSize')]", "osDiskSizeGB": "[parameters('diskGb')]"}))]}
    path = tmp_path / "arm.json"
    path.write_text(json.dumps(arm))
    params = tmp_path / "arm.parameters.json"
    params.write_text(json.dumps({"parameters": {"vmSize": {"value": "Standard_D8s_v5"}}}))
    r = run_cli(emulator, "run", "--template", str(path), "-g", rg, "--log-dir", str(tmp_path / "logs"), *FAST,
                "--format", "json", "--parameters", str(params), "--parameters", "diskGb=64",
                "--set", "properties.vmProfile.vmSize=Standard_D4s_v5", "--set", "properties.source.version=1.2.3")
    assert r.code == 0, r.stderr[-2000:]
    props = emulator.template(rg, r.json["template_name"]).properties
    assert props["vmProfile"]["vmSize"] == "Standard_D4s_v5"  # --set comes after --parameters
    assert props["vmProfile"]["osDiskSizeGB"] == 64 and props["source"]["version"] == "1.2.3"
    # the log says what was changed by name, never the values (a parameter may be a secret)
    assert "parameters given: vmSize, diskGb" in r.stderr and "Standard_D8s_v5" not in r.stderr
    assert "--set changed: properties.vmProfile.vmSize, properties.source.version" in r.stderr


@pytest.mark.parametrize("extra, says", [
    (["--set", "properties.vmProfil.vmSize=x"], "has no key 'vmProfil'"),
    (["--parameters", "nosuch=1"], "--parameters applies to ARM deployment templates"),
    (["--cleanup", "sometimes"], "invalid choice"),
])
def test_bad_values_are_one_line_with_the_usage_exit_code(emulator, rg, tmp_path, extra, says):
    r = _run(emulator, rg, tmp_path, "success", *extra)
    assert r.code == 2 and says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and len([ln for ln in r.stderr.splitlines() if "error" in ln]) == 1
    assert emulator.journal.count(service="arm", method="PUT", path_contains="/imageTemplates/") == 0


def test_a_bad_cleanup_variable_is_refused_before_signing_in(emulator, rg, tmp_path):
    r = _run(emulator, rg, tmp_path, "success", env={"AIB_PILOT_CLEANUP": "sometimes"})
    assert r.code == 2 and "AIB_PILOT_CLEANUP 'sometimes' is not a cleanup policy" in r.stderr


def test_nothing_is_deleted_when_the_log_could_not_be_saved(emulator, rg, tmp_path):
    emulator.faults.deny_staging_read = True  # the identity may not read the staging account's log
    r = _run(emulator, rg, tmp_path, "success", "--cleanup", "always")
    assert r.code == 0, r.stderr[-2000:]
    name = r.json["template_name"]
    assert emulator.template(rg, name) is not None and _staging_groups(emulator, rg, name)
    assert r.json["cleanup"]["deleted"] == [] and "could not be saved first" in r.json["cleanup"]["failed"][0]
    warning = [ln for ln in r.stderr.splitlines() if "not deleting the template" in ln]
    assert len(warning) == 1 and f"aib-pilot cleanup -g {rg} -n {name}" in warning[0], r.stderr


def test_always_also_deletes_a_template_whose_provisioning_failed(emulator, rg, tmp_path):
    template, body = sample_template(tmp_path, "success")
    body["properties"]["source"]["type"] = "NoSuchSource"  # AIB refuses it: provisioningState Failed
    template.write_text(json.dumps(body))
    submitted = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                        "--format", "json", extra_env=DEFAULT)
    assert submitted.code == 1, submitted.stderr[-2000:]
    name = submitted.json["template_name"]
    assert emulator.template(rg, name).provisioning_state == "Failed"
    logs = ["--log-dir", str(tmp_path / "logs")]
    kept = run_cli(emulator, "monitor", "-g", rg, "-n", name, *logs, *FAST, "--format", "json", extra_env=DEFAULT)
    assert kept.code == 1 and emulator.template(rg, name) is not None  # on-success keeps a failure
    r = run_cli(emulator, "monitor", "-g", rg, "-n", name, *logs, *FAST, "--cleanup", "always", "--format", "json")
    assert r.code == 1, r.stderr[-2000:]
    assert r.json["cleanup"]["policy"] == "always" and emulator.template(rg, name) is None
