"""action.yml and task.json describe exactly what the entrypoints and the report layer do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # PyYAML: test extra

from aib_pilot.entrypoints.inputs import INPUTS
from aib_pilot.report import facts

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
TASK = json.loads((ROOT / "task.json").read_text())  # the task's single source (ado-task/stage.py maps it)
REPORTED = list(facts.OUTPUT_NAMES) + [n for n in facts.FLEET_OUTPUT_NAMES if n not in facts.OUTPUT_NAMES]


def test_action_inputs_are_the_entrypoint_table():
    assert list(ACTION["inputs"]) == [i.github for i in INPUTS]


def test_action_input_defaults_match_the_table():
    platform_defaults = {"github-token": "${{ github.token }}", "format": "github"}
    for spec in INPUTS:
        declared = ACTION["inputs"][spec.github].get("default", "")
        assert declared == platform_defaults.get(spec.github, spec.default), spec.github


def test_action_inputs_are_kebab_case_and_described():
    for name, body in ACTION["inputs"].items():
        assert name == name.lower() and "_" not in name, name
        assert body["description"].strip(), name


def test_action_outputs_are_what_the_report_writes():
    assert sorted(ACTION["outputs"]) == sorted(REPORTED)


def test_action_runs_the_dockerfile():
    assert ACTION["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert ACTION["branding"]["color"] in {"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}


def test_dockerfile_entrypoint_is_the_github_module():
    text = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/opt/aib-pilot/bin/python", "-m", "aib_pilot.entrypoints.github"]' in text
    assert "ARG BASE_IMAGE=" in text and "FROM ${BASE_IMAGE}" in text


def test_task_inputs_cover_the_table():
    names = {i["name"] for i in TASK["inputs"]}
    wanted = {i.ado for i in INPUTS if i.ado and i.kind != "secret"}
    assert wanted <= names, wanted - names
    # Only the connection and the launcher's interpreter are task-only inputs.
    assert names - wanted == {"connectedServiceName", "pythonInterpreter"}
    conn = next(i for i in TASK["inputs"] if i["name"] == "connectedServiceName")
    assert conn["type"] == "connectedService:AzureRM" and "azureSubscription" in conn["aliases"]


def test_task_pick_lists_match_the_table():
    by_ado = {i.ado: i for i in INPUTS}
    for inp in TASK["inputs"]:
        if inp["type"] == "pickList" and inp["name"] in by_ado and by_ado[inp["name"]].choices:
            assert set(inp["options"]) - {""} <= set(by_ado[inp["name"]].choices), inp["name"]


def test_task_output_variables_are_what_the_report_sets():
    assert [o["name"] for o in TASK["outputVariables"]] == [facts.ado_name(n) for n in REPORTED]


def test_task_runs_the_launcher_on_node20_and_node24():
    assert set(TASK["execution"]) == {"Node20_1", "Node24"}
    assert all(h["target"] == "launcher.js" for h in TASK["execution"].values())
    assert (ROOT / "ado-task/AibPilotV0/launcher.js").is_file()


def test_extension_contributes_the_task_folder(tmp_path):
    ext = json.loads((ROOT / "ado-task/vss-extension.json").read_text())
    contribution = ext["contributions"][0]
    assert contribution["type"] == "ms.vss-distributed-task.task"
    assert {"path": contribution["properties"]["name"]} in ext["files"]
    # task.json lives once, at the root; the staging step puts it into the contributed folder.
    assert not (ROOT / "ado-task" / contribution["properties"]["name"] / "task.json").exists()
    staged = subprocess.run([sys.executable, str(ROOT / "ado-task/stage.py"), str(tmp_path / "ext")],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert Path(staged) == tmp_path / "ext" / contribution["properties"]["name"]
    assert (Path(staged) / "task.json").read_bytes() == (ROOT / "task.json").read_bytes()
    assert (Path(staged) / "launcher.js").is_file() and (tmp_path / "ext/vss-extension.json").is_file()


#: The Microsoft "Azure VM Image Builder" task's input names (AzureImageBuilderTask@1) that name an
#: aib-pilot task input, accepted as task.json aliases (docs/migrating.md lists all of them).
MICROSOFT_TASK_ALIASES = {"ibSubscription": "connectedServiceName", "ibAzureResourceGroup": "resourceGroup"}


def test_microsoft_task_input_names_are_aliases():
    by_name = {i["name"]: i for i in TASK["inputs"]}
    for alias, name in MICROSOFT_TASK_ALIASES.items():
        assert alias in by_name[name].get("aliases", []), (alias, name)
    every_name = [n for i in TASK["inputs"] for n in [i["name"], *i.get("aliases", [])]]
    assert len(every_name) == len({n.lower() for n in every_name})  # no alias shadows another input
    migrating = (ROOT / "docs/migrating.md").read_text()
    for alias in MICROSOFT_TASK_ALIASES:
        assert f"`{alias}`" in migrating, alias


def test_task_defaults_match_the_table():
    by_ado = {i.ado: i for i in INPUTS if i.ado}
    for inp in TASK["inputs"]:
        spec = by_ado.get(inp["name"])
        if spec is not None and spec.github not in ("format",):
            assert str(inp.get("defaultValue", "")) == spec.default_for("azure-devops"), inp["name"]
