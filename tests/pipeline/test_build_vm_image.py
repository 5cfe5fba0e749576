"""Azure/build-vm-image's inputs through the GitHub action's and the Azure DevOps task's entrypoints,
against the emulator with the default estate world: the template is written from the inputs, the
workspace folder is uploaded and referenced by a File customizer (the emulated AIB checks the blob
exists and the identity may read it), the build succeeds, the outputs of that action are set, the
image carries the provenance tags, and cleanup on-success removes the template and the payload."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.emulator.estate import read_world_file
from tests.pipeline.test_github_entrypoint import read_outputs, runner_env

ROOT = Path(__file__).resolve().parents[2]
RG = "rg-images"           # the world's resource group holding the identity aib-identity
PRINCIPAL = "6f0a2f52-8a5e-4c39-9d6b-0c1c2b3a4d51"
READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"


def workspace(tmp_path: Path) -> Path:
    app = tmp_path / "build" / "app"
    (app / "bin").mkdir(parents=True)
    (app / "bin" / "server").write_text("#!/bin/sh\necho serving\n")
    (app / "app.conf").write_text("port=8080\n")
    return app


def inputs(emulator) -> dict[str, str]:
    return {"resource-group-name": RG, "location": "eastus", "managed-identity": "aib-identity",
            "source-os-type": "linux", "source-image-type": "PlatformImage",
            "source-image": "Canonical:ubuntu-24_04-lts:server:latest", "customizer-source": "build/app",
            "customizer-script": "sudo cp -r /tmp/app /opt/app\n/opt/app/bin/server --check\n",
            "dist-type": "ManagedImage", "dist-image-tags": "team:images,env:ci"}


def blob_of(emulator, url: str) -> bytes:
    """The blob's bytes, read from Azurite through the account aib-pilot created (as the build would)."""
    account, container, blob = url.removeprefix(emulator.info["blob"] + "/").split("/", 2)
    pool = emulator.world.user_accounts.pool_of(account)
    svc = emulator.world.blob_writer._service(pool)
    return svc.get_blob_client(container, blob).download_blob().readall()


def check_build(emulator, submitted: dict, outputs: dict[str, str], names: dict[str, str], tmp_path: Path):
    """What both entrypoints must have done: template, payload, build and outputs."""
    props = submitted["properties"]
    file_step, unpack, script = props["customize"]
    assert file_step["type"] == "File" and file_step["destination"] == "/tmp/app.tar.gz"
    assert "sig=" not in file_step["sourceUri"] and file_step["sourceUri"].startswith(emulator.info["blob"])
    assert unpack["type"] == "Shell" and "tar -xzf '/tmp/app.tar.gz' -C '/tmp/app'" in " ".join(unpack["inline"])
    assert script["inline"] == ["sudo cp -r /tmp/app /opt/app", "/opt/app/bin/server --check"]
    assert props["source"] == {"type": "PlatformImage", "publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                               "sku": "server", "version": "latest", "exactVersion": "22.04.202611010"}
    dist = props["distribute"][0]
    assert dist["type"] == "ManagedImage" and dist["location"] == "eastus"
    assert {k: v for k, v in dist["artifactTags"].items() if not k.startswith("aib-pilot.")} == \
        {"team": "images", "env": "ci"}
    # the payload was uploaded to exactly the blob the File customizer names
    blob_path = file_step["sourceUri"].removeprefix(emulator.info["blob"])
    assert emulator.journal.count(service="blob", method="PUT", path_contains=blob_path, status=201) == 1
    # what aib-pilot created is recorded on the template for cleanup
    assert submitted["tags"]["aib-pilot-created-container"] == file_step["sourceUri"].rsplit("/", 2)[0]
    assert submitted["tags"]["aib-pilot-created-account"].endswith("/" + file_step["sourceUri"].split("/")[3])
    assert outputs[names["state"]] == "Succeeded"
    assert outputs[names["imagebuilder-run-status"]] == "succeeded"
    assert outputs[names["custom-image-uri"]] == dist["imageId"]
    assert outputs[names["run-output-name"]] == dist["runOutputName"]


def deleted(emulator, name: str):
    with emulator.world.lock:
        return next((t for t in emulator.world.deleted_templates if t.rg == RG and t.name == name), None)


def check_cleaned_up(emulator, submitted: dict, commit: str):
    """cleanup on-success: the template, the created account (with its container) are gone; the
    distributed image carries the provenance tags next to the dist-image-tags."""
    tags = submitted["properties"]["distribute"][0]["artifactTags"]
    assert tags["aib-pilot.commit"] == commit and tags["team"] == "images"
    account = submitted["tags"]["aib-pilot-created-account"].rsplit("/", 1)[-1]
    assert account not in emulator.world.user_accounts.accounts
    assert emulator.journal.count(service="arm", method="DELETE", path_contains=f"/storageAccounts/{account}",
                                  status=200) == 1


def load_world(emulator) -> dict:
    doc = copy.deepcopy(read_world_file())
    emulator.estate.load(doc)
    return doc


def test_github_entrypoint_builds_from_build_vm_image_inputs(emulator, tmp_path):
    info = emulator.info
    load_world(emulator)
    workspace(tmp_path)
    env = runner_env(tmp_path, {**inputs(emulator), "subscription": info["subscription"], "tenant-id": info["tenant"],
                                "client-id": info["client_id"], "client-secret": info["client_secret"],
                                "arm-endpoint": info["arm"], "authority-host": info["authority"],
                                "poll-interval": "0.3", "budget-minutes": "4", "cleanup": "on-success"})
    env.update({"REQUESTS_CA_BUNDLE": info["ca_bundle"], "GITHUB_RUN_ID": "4242", "GITHUB_SHA": "abc123"})
    proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outputs = read_outputs(tmp_path / "file_commands/set_output_1")
    assert emulator.template(RG, outputs["template-name"]) is None
    submitted = emulator.world.template_json(deleted(emulator, outputs["template-name"]))
    check_build(emulator, submitted, outputs, {n: n for n in outputs}, tmp_path)
    check_cleaned_up(emulator, submitted, "abc123")
    assert submitted["properties"]["distribute"][0]["runOutputName"].endswith("_4242")
    # the template was printed in the log and saved in the log folder
    saved = tmp_path / "aib-pilot-logs" / outputs["template-name"] / "image-template.json"
    assert json.loads(saved.read_text())["properties"]["customize"][0]["sourceUri"] == \
        submitted["properties"]["customize"][0]["sourceUri"]
    assert '"sourceUri":' in proc.stdout + proc.stderr
    # the identity got the reader role on the container aib-pilot created (and only there)
    scope = submitted["tags"]["aib-pilot-created-account"].split(info["subscription"], 1)[1]
    granted = [a for a in emulator.estate.items("roleAssignments") if a["principalId"] == PRINCIPAL and a["role"] == READER]
    assert [a["scope"].split("/containers/")[0] for a in granted if "/containers/" in a["scope"]] == \
        [scope + "/blobServices/default"]


@pytest.mark.skipif(__import__("shutil").which("node") is None, reason="node is not installed")
def test_azure_devops_task_builds_from_the_same_inputs(emulator, tmp_path):
    from aib_pilot.report.facts import ado_name
    from tests.pipeline.test_ado_launcher import agent_env, commands, run_launcher, variables

    info = emulator.info
    load_world(emulator)
    workspace(tmp_path)
    values = {ado_name(k): v for k, v in inputs(emulator).items()}  # the task's camelCase names
    env = agent_env(tmp_path, {**values, "command": "run", "budgetMinutes": "4", "pollInterval": "0.3",
                               "connectedServiceName": "conn", "logDir": str(tmp_path / "logs"),
                               "cleanup": "on-success"})
    env.update({"ENDPOINT_URL_conn": info["arm"] + "/",
                "ENDPOINT_AUTH_conn": json.dumps({"scheme": "ServicePrincipal", "parameters": {
                    "serviceprincipalid": info["client_id"], "serviceprincipalkey": info["client_secret"],
                    "tenantid": info["tenant"], "authenticationType": "spnKey"}}),
                "ENDPOINT_DATA_conn_SUBSCRIPTIONID": info["subscription"],
                "ENDPOINT_DATA_conn_ENVIRONMENT": "AzureStack",
                "ENDPOINT_DATA_conn_ACTIVEDIRECTORYAUTHORITY": info["authority"],
                "REQUESTS_CA_BUNDLE": info["ca_bundle"], "BUILD_BUILDID": "77",
                "BUILD_SOURCEVERSION": "fedcba9876"})
    proc = run_launcher(env, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outs = variables(commands(proc.stdout))
    assert emulator.template(RG, outs["templateName"]) is None
    submitted = emulator.world.template_json(deleted(emulator, outs["templateName"]))
    check_build(emulator, submitted, outs, {n: ado_name(n) for n in
                                            ("state", "imagebuilder-run-status", "custom-image-uri", "run-output-name")},
                tmp_path)
    check_cleaned_up(emulator, submitted, "fedcba9876")
    assert submitted["properties"]["distribute"][0]["runOutputName"].endswith("_77")


# -- the identity's read access to the payload, before the build and in AIB's own check -----------------

def cli_inputs(emulator, tmp_path: Path, **more) -> list[str]:
    args = ["run", "--resource-group", RG, "--format", "json", "--poll-interval", "0.3", "--budget", "4",
            "--log-dir", str(tmp_path / "logs"), *emulator.cli_args()]
    for name, value in {**inputs(emulator), **more}.items():
        if name != "resource-group-name":
            args += ["--" + name, value]
    return args


def without_file_reader(doc: dict) -> dict:
    """The world without the group assignment that lets the identity read the rg-files account."""
    doc["roleAssignments"] = [a for a in doc["roleAssignments"] if a["role"] != READER]
    return doc


def test_a_named_account_the_identity_cannot_read_stops_before_the_build(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    doc = without_file_reader(copy.deepcopy(read_world_file()))
    emulator.estate.load(doc)
    workspace(tmp_path)
    account = emulator.estate.account("scripts")
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path, **{"customizer-storage-account": account}),
                     cwd=tmp_path)
    assert result.code == 2, result.stdout[-2000:] + result.stderr[-2000:]
    line = next(ln for ln in result.stderr.splitlines() if "may not read the workspace files" in ln)
    assert (f"az role assignment create --assignee-object-id {PRINCIPAL} --assignee-principal-type ServicePrincipal "
            f"--role \"Storage Blob Data Reader\" --scope /subscriptions/") in line
    assert line.endswith(f"/storageAccounts/{account}")  # the account: it covers every later container
    assert emulator.journal.count(service="blob", method="PUT") == 0  # nothing uploaded
    assert emulator.journal.count(service="arm", method="PUT", path_contains="imageTemplates") == 0
    assert "Traceback" not in result.stderr


def test_a_named_account_with_the_role_is_used_and_not_recorded_as_created(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    emulator.estate.load(copy.deepcopy(read_world_file()))   # the identity's group may read rg-files
    workspace(tmp_path)
    account = emulator.estate.account("scripts")
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path, **{"customizer-storage-account": account}),
                     cwd=tmp_path)
    assert result.code == 0, result.stdout[-2000:] + result.stderr[-2000:]
    submitted = emulator.world.template_json(emulator.template(RG, result.json["template_name"]))
    tags = submitted["tags"]
    assert f"/{account}/aib-pilot-" in tags["aib-pilot-created-container"]
    assert "aib-pilot-created-account" not in tags
    assert emulator.journal.count(service="arm", method="PUT", path_contains="storageAccounts") == 0
    # the payload is the workspace folder, at the root of the archive
    source = submitted["properties"]["customize"][0]["sourceUri"]
    with tarfile.open(fileobj=io.BytesIO(blob_of(emulator, source))) as archive:
        assert sorted(archive.getnames()) == ["app.conf", "bin", "bin/server"]
    # cleanup deletes the container aib-pilot made there, never the user's account
    cleaned = run_cli(emulator, "cleanup", "-g", RG, "-n", result.json["template_name"],
                      "--log-dir", str(tmp_path / "logs"), *emulator.cli_args(), cwd=tmp_path)
    assert cleaned.code == 0, cleaned.stderr[-2000:]
    container = tags["aib-pilot-created-container"].rsplit("/", 1)[-1]
    pool_service = emulator.world.blob_writer._service(account)
    assert container not in [c.name for c in pool_service.list_containers()]
    assert "scripts" in [c.name for c in pool_service.list_containers()]


def test_no_right_to_assign_the_role_is_explained_before_the_build(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    doc = copy.deepcopy(read_world_file())
    doc["callerCannotAssignRoles"] = True
    emulator.estate.load(doc)
    workspace(tmp_path)
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path), cwd=tmp_path)
    assert result.code == 2, result.stdout[-2000:] + result.stderr[-2000:]
    assert "could not assign it" in result.stderr and "az role assignment create" in result.stderr
    assert emulator.journal.count(service="arm", method="PUT", path_contains="imageTemplates") == 0
    # the account made for this run is deleted again: no template records it for a later cleanup
    assert emulator.journal.count(service="arm", method="DELETE", path_contains="/storageAccounts/aibpilot") == 1
    assert not emulator.world.user_accounts.accounts


def test_a_reader_role_on_the_resource_group_needs_no_new_assignment(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    doc = copy.deepcopy(read_world_file())
    doc["roleAssignments"].append({"principalId": PRINCIPAL, "principalType": "ServicePrincipal", "role": READER,
                                   "scope": f"/resourceGroups/{RG}"})
    doc["callerCannotAssignRoles"] = True   # and none could be made
    emulator.estate.load(doc)
    workspace(tmp_path)
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path), cwd=tmp_path)
    assert result.code == 0 and result.json["state"] == "Succeeded", result.stderr[-2000:]
    assert emulator.journal.count(service="arm", method="PUT", path_contains="roleAssignments") == 0


def file_template(emulator, tmp_path: Path, source_uri: str) -> Path:
    from tests.flow.conftest import write_template

    identity = (f"/subscriptions/{emulator.info['subscription']}/resourceGroups/{RG}/providers/"
                "Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity")
    path = write_template(tmp_path / "t.json", "success", emu=emulator, customize=[
        {"type": "File", "name": "setup", "sourceUri": source_uri, "destination": "/tmp/setup.sh"}])
    doc = json.loads(path.read_text())
    doc["identity"]["userAssignedIdentities"] = {identity: {}}
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("readable", [True, False])
def test_aib_refuses_a_file_the_identity_cannot_read(emulator, tmp_path, readable):
    """The emulator's side: AIB fetches File sources with the identity when the template is created."""
    from tests.flow.conftest import run_cli

    doc = copy.deepcopy(read_world_file())
    emulator.estate.load(doc if readable else without_file_reader(doc))
    uri = emulator.estate.blob_url_of("scripts", "scripts/setup.sh")
    result = run_cli(emulator, "run", "--template", str(file_template(emulator, tmp_path, uri)), "-g", RG,
                     "--no-preflight", "--format", "json", "--poll-interval", "0.3", "--budget", "4",
                     "--log-dir", str(tmp_path / "logs"), *emulator.cli_args(), cwd=tmp_path)
    if readable:
        assert result.code == 0 and result.json["state"] == "Succeeded", result.stderr[-2000:]
        return
    assert result.code == 1, result.stderr[-2000:]
    assert result.json["message"] == (f"Not authorized to access the resource: {uri}. Please check the user assigned "
                                      "identity has the correct permissions. For more details, go to "
                                      "https://aka.ms/azvmimagebuilderts.")


def test_aib_fails_a_template_whose_file_does_not_exist(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    emulator.estate.load(copy.deepcopy(read_world_file()))
    uri = emulator.estate.blob_url_of("scripts", "scripts/missing.sh")
    result = run_cli(emulator, "run", "--template", str(file_template(emulator, tmp_path, uri)), "-g", RG,
                     "--no-preflight", "--format", "json", "--poll-interval", "0.3", "--budget", "4",
                     "--log-dir", str(tmp_path / "logs"), *emulator.cli_args(), cwd=tmp_path)
    assert result.code == 1, result.stderr[-2000:]
    assert result.json["message"].startswith(f"Downloading external file ({uri}) to local file")


def test_a_payload_over_20_mb_is_downloaded_by_a_script_with_the_identity(emulator, tmp_path):
    """Over the File customizer's 20 MB the archive is fetched in the VM with the identity's token."""
    import os

    from tests.flow.conftest import run_cli

    emulator.estate.load(copy.deepcopy(read_world_file()))
    app = workspace(tmp_path)
    (app / "data.bin").write_bytes(os.urandom(21 * 1024 * 1024))   # random: gzip cannot shrink it
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path), cwd=tmp_path, timeout=240)
    assert result.code == 0 and result.json["state"] == "Succeeded", result.stderr[-2000:]
    props = emulator.world.template_json(emulator.template(RG, result.json["template_name"]))["properties"]
    identity = (f"/subscriptions/{emulator.info['subscription']}/resourceGroups/{RG}/providers/"
                "Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity")
    assert [c["type"] for c in props["customize"]] == ["Shell", "Shell"]
    download = "\n".join(props["customize"][0]["inline"])
    assert f"msi_res_id={identity}" in download and "Authorization: Bearer $token" in download
    assert props["vmProfile"]["userAssignedIdentities"] == [identity]
    url = download.split("-o '/tmp/app.tar.gz' '", 1)[1].split("'", 1)[0]
    assert len(blob_of(emulator, url)) > 20 * 1024 * 1024 and "sig=" not in url


@pytest.mark.parametrize("stop", ["refused-put", "preflight"])
def test_files_uploaded_for_a_template_that_never_existed_are_deleted(emulator, tmp_path, stop):
    from tests.flow.conftest import run_cli

    emulator.estate.load(copy.deepcopy(read_world_file()))
    workspace(tmp_path)
    more = (["--tag", "aib-emulator-scenario=policy-denied-submit", "--no-preflight"] if stop == "refused-put"
            else ["--vm-size", "Standard_NoSuchSize"])
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path), *more, cwd=tmp_path)
    assert result.code in (1, 2), result.stderr[-2000:]
    made = [e for e in emulator.journal.entries(service="arm", method="PUT", path_contains="/storageAccounts/aibpilot")
            if "roleassignments" not in e.path.lower()]
    assert len(made) == 1
    assert not emulator.world.user_accounts.accounts, "the account made for the payload is left behind"
    assert "no template was created to record it" in result.stderr
