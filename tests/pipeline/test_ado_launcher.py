"""The Azure DevOps task's launcher, run by node with the environment an agent sets.

The launcher starts the real CLI (no fake Python): a WIF service connection against the emulator
for ``run``, and ``diagnose`` of a local log. Stdout is read the way the agent reads it: every
``##vso[`` command is parsed and checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline.ado_stage import ROOT, STAGED, TASK  # the staged task folder (conftest.py)
COMMAND = re.compile(r"##vso\[(?P<area>[a-z]+)\.(?P<action>[a-z]+)(?: (?P<props>[^\]]*))?\](?P<msg>.*)", re.I)
ALLOWED = {"task.logissue", "task.setvariable", "task.uploadsummary", "task.complete", "task.setsecret",
           "task.setprogress", "task.logdetail"}

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def agent_env(tmp_path: Path, inputs: dict[str, str]) -> dict[str, str]:
    """What the agent gives a Node task: INPUT_<NAME> for every task input (defaults filled in)."""
    (tmp_path / "_temp").mkdir(exist_ok=True)  # the agent creates Agent.TempDirectory per job
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TF_BUILD": "True",
           "AGENT_TEMPDIRECTORY": str(tmp_path / "_temp"), "BUILD_SOURCESDIRECTORY": str(tmp_path),
           "SYSTEM_DEFAULTWORKINGDIRECTORY": str(tmp_path), "AIB_PILOT_PYTHON": sys.executable}
    for spec in TASK["inputs"]:
        default = str(spec.get("defaultValue", ""))
        default = default.replace("$(Build.ArtifactStagingDirectory)", str(tmp_path / "a"))
        env["INPUT_" + spec["name"].upper()] = default
    env.update({"INPUT_" + k.upper(): v for k, v in inputs.items()})
    for spec in TASK["inputs"]:  # the agent roots filePath inputs; an empty one becomes the sources dir
        key = "INPUT_" + spec["name"].upper()
        if spec["type"] == "filePath" and not env[key]:
            env[key] = str(tmp_path)
    return env


def run_launcher(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(STAGED["task"] / "launcher.js")], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=180)


def unescape(value: str) -> str:
    """The agent's decoding of command data (CommandStringConvertor; %AZP25 last)."""
    for raw, char in (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%")):
        value = value.replace(raw, char)
    return value


def commands(stdout: str) -> list[dict]:
    found = []
    for line in stdout.splitlines():
        if "##vso[" not in line:
            continue
        m = COMMAND.match(line)
        assert m, f"a line carries ##vso[ but is not one of our commands: {line!r}"
        props = dict(p.split("=", 1) for p in (m["props"] or "").split(";") if "=" in p)
        found.append({"name": f"{m['area']}.{m['action']}".lower(),
                      "props": {k.lower(): unescape(v) for k, v in props.items()}, "msg": unescape(m["msg"])})
    assert {c["name"] for c in found} <= ALLOWED, {c["name"] for c in found}
    return found


def variables(cmds: list[dict]) -> dict[str, str]:
    return {c["props"]["variable"]: c["msg"] for c in cmds
            if c["name"] == "task.setvariable" and c["props"].get("isoutput", "").lower() == "true"}


def failing_customizer_lines(template: Path, name: str) -> range:
    lines = template.read_text().splitlines()
    at = next(i for i, ln in enumerate(lines) if f'"name": "{name}"' in ln)
    start = max(i for i in range(at + 1) if lines[i].strip() == "{")
    end = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("}"))
    return range(start + 1, end + 2)


def wif_connection_env(info: dict, conn: str) -> dict[str, str]:
    """What the agent sets for a workload identity federation service connection (and the job)."""
    return {
        f"ENDPOINT_URL_{conn}": info["arm"] + "/",
        f"ENDPOINT_AUTH_{conn}": json.dumps({"scheme": "WorkloadIdentityFederation", "parameters": {
            "serviceprincipalid": info["client_id"], "tenantid": info["tenant"]}}),
        f"ENDPOINT_AUTH_SCHEME_{conn}": "WorkloadIdentityFederation",
        f"ENDPOINT_AUTH_PARAMETER_{conn}_SERVICEPRINCIPALID": info["client_id"],
        f"ENDPOINT_AUTH_PARAMETER_{conn}_TENANTID": info["tenant"],
        f"ENDPOINT_DATA_{conn}_SUBSCRIPTIONID": info["subscription"],
        f"ENDPOINT_DATA_{conn}_ENVIRONMENT": "AzureStack",
        f"ENDPOINT_DATA_{conn}_ACTIVEDIRECTORYAUTHORITY": info["authority"],
        "ENDPOINT_URL_SYSTEMVSSCONNECTION": "https://dev.azure.com/octo-org/",
        "ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN": info["ado_access_token"],
        "SYSTEM_OIDCREQUESTURI": info["ado_oidc_request_uri"],
        # a private CA on a self-hosted agent: the documented knob, nothing patched
        "REQUESTS_CA_BUNDLE": info["ca_bundle"],
    }


def test_run_with_workload_identity_connection_reports_failure(emulator, tmp_path):
    info = emulator.info
    conn = info["ado_service_connection_id"]  # the GUID the agent passes as the input's value
    template = tmp_path / "images" / "ubuntu-web.json"
    template.parent.mkdir()
    shutil.copy(ROOT / "examples/templates/linux-ubuntu.json", template)
    env = agent_env(tmp_path, {
        "connectedServiceName": conn, "command": "run", "templateFile": str(template),
        "resourceGroup": info["resource_group"], "namePrefix": "ado", "budgetMinutes": "4", "pollInterval": "0.5",
        "preflight": "false",  # the emulator serves no estate world here (tests/preflight covers it)
        "tags": "aib-emulator-scenario=customizer-failed", "logDir": str(tmp_path / "logs"),
    })
    env.update(wif_connection_env(info, conn))
    proc = run_launcher(env, tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    cmds = commands(proc.stdout)
    outs = variables(cmds)
    assert outs["state"] == "Failed" and outs["failedCustomizer"] == "apt-upgrade"
    assert outs["templateName"].startswith("ado-") and outs["category"]
    assert Path(outs["logPath"]).is_file() or (tmp_path / outs["logPath"]).is_file()
    # Output variables carry at most one command line; the report layer keeps it short (see report/).
    assert outs["diagnosisJson"].startswith('{"schema":"aib-pilot/diagnosis/v1"')
    issues = [c for c in cmds if c["name"] == "task.logissue" and c["props"].get("type") == "error"]
    on_line = [c for c in issues if c["props"].get("sourcepath", "").endswith("ubuntu-web.json")
               and int(c["props"].get("linenumber", 0)) in failing_customizer_lines(template, "apt-upgrade")]
    assert on_line, issues
    assert len(issues) <= 10
    summaries = [c["msg"] for c in cmds if c["name"] == "task.uploadsummary"]
    assert summaries and "apt-upgrade" in Path(summaries[-1]).read_text()
    assert [c["props"].get("result") for c in cmds if c["name"] == "task.complete"][-1] == "Failed"
    # The WIF path really went through the OIDC fake (System.AccessToken -> ADO ID token -> Entra).
    assert emulator.journal.count(service="oidc") >= 1
    # The job token is registered as a secret and printed nowhere else.
    leaks = [ln for ln in proc.stdout.splitlines() if info["ado_access_token"] in ln]
    assert leaks and all(ln.startswith("##vso[task.setsecret]") for ln in leaks)


def test_diagnose_local_log(tmp_path):
    log = ROOT / "examples/logs/linux-customizer-failed.log"
    template = ROOT / "examples/logs/linux-template.json"
    env = agent_env(tmp_path, {"command": "diagnose", "logFile": str(log), "templateFile": str(template)})
    proc = run_launcher(env, tmp_path)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    cmds = commands(proc.stdout)
    outs = variables(cmds)
    assert outs["category"] and outs["phase"] == "customize" and outs["failedCustomizer"]
    issue = next(c for c in cmds if c["name"] == "task.logissue" and c["props"].get("linenumber"))
    assert issue["props"]["sourcepath"].endswith("linux-template.json")


def test_missing_python_is_one_clear_line(tmp_path):
    env = agent_env(tmp_path, {"command": "lint", "pythonInterpreter": str(tmp_path / "no-python")})
    proc = run_launcher(env, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "pythonInterpreter" in proc.stderr
    # ... and the same line as an issue on the run, where the user looks first.
    issues = [c for c in commands(proc.stdout) if c["name"] == "task.logissue"]
    assert len(issues) == 1 and issues[0]["props"].get("type") == "error"
    assert "pythonInterpreter" in issues[0]["msg"]


def test_bad_input_is_reported_as_task_issue(tmp_path):
    env = agent_env(tmp_path, {"command": "monitor", "budgetMinutes": "an hour", "templateName": "t"})
    proc = run_launcher(env, tmp_path)
    assert proc.returncode == 2
    assert "input 'budgetMinutes' is 'an hour'" in proc.stderr
    issues = [c for c in commands(proc.stdout) if c["name"] == "task.logissue"]
    assert issues and "budgetMinutes" in issues[0]["msg"]
