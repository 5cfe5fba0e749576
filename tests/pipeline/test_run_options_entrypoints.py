"""set / parameters / provenance / cleanup through the GitHub action's entrypoint and the Azure
DevOps task's launcher, against the emulator: the inputs reach the submitted template, the image
gets its provenance tags, and cleanup on-success removes the template after a good build."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline.test_ado_launcher import agent_env, commands, run_launcher, variables, wif_connection_env
from tests.pipeline.test_github_entrypoint import azure_inputs, read_outputs, runner_env

ROOT = Path(__file__).resolve().parents[2]


def _deleted(emu, rg: str, name: str):
    with emu.world.lock:
        return next((t for t in emu.world.deleted_templates if t.rg == rg and t.name == name), None)


def test_github_action_inputs_set_provenance_and_cleanup(emulator, tmp_path):
    info = emulator.info
    (tmp_path / "images").mkdir()
    shutil.copy(ROOT / "examples/templates/linux-ubuntu.json", tmp_path / "images/web.json")
    env = runner_env(tmp_path, {
        **azure_inputs(info), "template": "images/web.json", "name-prefix": "gh-opts", "poll-interval": "0.5", "budget-minutes": "4", "preflight": "false",
        "set": "properties.vmProfile.vmSize=Standard_D4s_v5\nproperties.buildTimeoutInMinutes=100",
        "provenance": "true", "cleanup": "on-success"})
    env.update({"REQUESTS_CA_BUNDLE": info["ca_bundle"], "GITHUB_RUN_ID": "4242", "GITHUB_RUN_ATTEMPT": "1",
                "GITHUB_SHA": "1234567890abcdef", "GITHUB_WORKFLOW": "image build",
                "GITHUB_SERVER_URL": "https://github.com", "GITHUB_EVENT_NAME": "push"})
    proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outputs = read_outputs(tmp_path / "file_commands/set_output_1")
    name = outputs["template-name"]
    assert outputs["state"] == "Succeeded" and emulator.template(info["resource_group"], name) is None
    sent = _deleted(emulator, info["resource_group"], name)
    assert sent is not None, "the template was not deleted by cleanup on-success"
    assert sent.properties["vmProfile"]["vmSize"] == "Standard_D4s_v5"
    assert sent.properties["buildTimeoutInMinutes"] == 100
    for dist in sent.properties["distribute"]:
        assert dist["artifactTags"]["aib-pilot.commit"] == "1234567890abcdef"
        assert dist["artifactTags"]["aib-pilot.run-url"] == "https://github.com/octo-org/octo-repo/actions/runs/4242/attempts/1"
        assert dist["artifactTags"]["aib-pilot.workflow"] == "image build"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_azure_devops_task_inputs_parameters_provenance_and_cleanup(emulator, tmp_path):
    info = emulator.info
    conn = info["ado_service_connection_id"]
    body = json.loads((ROOT / "examples/templates/linux-ubuntu.json").read_text())
    body["properties"]["vmProfile"] = {"vmSize": "[parameters('vmSize')]"}
    arm = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "contentVersion": "1.0.0.0", "parameters": {"vmSize": {"type": "string", "defaultValue": "Standard_D2s_v3"}},
           "resources": [body]}
    template = tmp_path / "images" / "arm.json"
    template.parent.mkdir()
    template.write_text(json.dumps(arm, indent=2))
    env = agent_env(tmp_path, {
        "connectedServiceName": conn, "command": "run", "templateFile": str(template),
        "resourceGroup": info["resource_group"], "namePrefix": "ado-opts", "budgetMinutes": "4",
        "pollInterval": "0.5", "preflight": "false", "logDir": str(tmp_path / "logs"),
        "parameters": "vmSize=Standard_D8s_v5", "cleanup": "on-success"})
    env.update(wif_connection_env(info, conn))
    env.update({"SYSTEM_COLLECTIONURI": "https://dev.azure.com/octo-org/", "SYSTEM_TEAMPROJECT": "images",
                "BUILD_BUILDID": "77", "BUILD_SOURCEVERSION": "fedcba9876", "BUILD_REPOSITORY_NAME": "image-repo",
                "BUILD_DEFINITIONNAME": "nightly images", "BUILD_BUILDNUMBER": "20261203.1"})
    proc = run_launcher(env, tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    outs = variables(commands(proc.stdout))
    name = outs["templateName"]
    assert outs["state"] == "Succeeded" and emulator.template(info["resource_group"], name) is None
    sent = _deleted(emulator, info["resource_group"], name)
    assert sent is not None and sent.properties["vmProfile"]["vmSize"] == "Standard_D8s_v5"
    tags = sent.properties["distribute"][0]["artifactTags"]
    assert tags["aib-pilot.pipeline"] == "nightly images" and tags["aib-pilot.build"] == "20261203.1"
    assert tags["aib-pilot.run-url"] == "https://dev.azure.com/octo-org/images/_build/results?buildId=77"
    assert tags["aib-pilot.commit"] == "fedcba9876" and tags["aib-pilot.repo"] == "image-repo"
