"""The container action's entrypoint with the environment the GitHub runner gives it (no container;
tests/container/run.sh runs the same through act and podman)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def read_outputs(path: Path) -> dict[str, str]:
    """Parse GITHUB_OUTPUT like the runner: name=value or name<<DELIM ... DELIM."""
    out, lines, i = {}, path.read_text().split("\n"), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
            i += 1
        else:
            i += 1
    return out


def runner_env(tmp_path: Path, inputs: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "AZURE_", "AIB_PILOT_", "ACTIONS_"))}
    (tmp_path / "file_commands").mkdir()
    env.update({"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(tmp_path),
                "GITHUB_OUTPUT": str(tmp_path / "file_commands/set_output_1"),
                "GITHUB_STEP_SUMMARY": str(tmp_path / "file_commands/step_summary_1"),
                "GITHUB_EVENT_NAME": "pull_request", "GITHUB_REPOSITORY": "octo-org/octo-repo"})
    # action.yml defaults, as the runner fills them in
    env.update({"INPUT_COMMAND": "run", "INPUT_LOG-DIR": "aib-pilot-logs", "INPUT_ALL": "false",
                "INPUT_CANCEL-ON-INTERRUPT": "true", "INPUT_ANNOTATE-PR": "true", "INPUT_PR-COMMENT": "false",
                "INPUT_FORMAT": "github", "INPUT_GITHUB-TOKEN": "", "INPUT_PREFLIGHT": "true"})
    env.update({"INPUT_" + k.upper(): v for k, v in inputs.items()})
    return env


def azure_inputs(info: dict) -> dict[str, str]:
    """The action's Azure inputs for the emulator: a client secret, its endpoints."""
    return {"resource-group": info["resource_group"], "subscription": info["subscription"],
            "tenant-id": info["tenant"], "client-id": info["client_id"], "client-secret": info["client_secret"],
            "arm-endpoint": info["arm"], "authority-host": info["authority"]}


def test_oidc_run_writes_outputs_summary_and_annotation(emulator, tmp_path):
    info = emulator.info
    (tmp_path / "images").mkdir()
    shutil.copy(ROOT / "examples/templates/linux-ubuntu.json", tmp_path / "images/web.json")
    env = runner_env(tmp_path, {
        "template": "images/web.json", "resource-group": info["resource_group"], "name-prefix": "gh",
        "subscription": info["subscription"], "tenant-id": info["tenant"], "client-id": info["client_id"],
        "arm-endpoint": info["arm"], "authority-host": info["authority"], "poll-interval": "0.5",
        "budget-minutes": "4", "tag": "aib-emulator-scenario=customizer-failed",
        "preflight": "false"})  # the emulator serves no estate world here (tests/preflight covers it)
    # id-token: write -> the runner sets these; with a client id the action picks oidc-github itself
    env.update({"ACTIONS_ID_TOKEN_REQUEST_URL": info["github_oidc_request_url"],
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN": info["github_oidc_request_token"],
                "REQUESTS_CA_BUNDLE": info["ca_bundle"]})
    proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "auth: oidc-github" in proc.stderr
    assert emulator.journal.count(service="oidc") >= 1
    outputs = read_outputs(tmp_path / "file_commands/set_output_1")
    assert outputs["state"] == "Failed" and outputs["failed-customizer"] == "apt-upgrade"
    assert (tmp_path / outputs["log-path"]).is_file()
    summary = (tmp_path / "file_commands/step_summary_1").read_text()
    assert "apt-upgrade" in summary and "Failed" in summary
    line = int(outputs["failed-customizer-line"])
    assert re.search(rf"^::error file=images/web\.json,line={line}\b", proc.stdout, re.M)
    # ... and that line belongs to the failing customizer's object in the template
    template_lines = (tmp_path / "images/web.json").read_text().splitlines()
    name_at = next(i for i, t in enumerate(template_lines) if '"name": "apt-upgrade"' in t)  # 0-based
    opening = max(i for i in range(name_at) if template_lines[i].strip() == "{")
    assert opening + 1 <= line <= name_at + 1


def test_nightly_fleet_submit_then_monitor_all_by_tag(emulator, tmp_path):
    """nightly-fleet-submit.yml then nightly-fleet-monitor.yml, through the action's inputs."""
    info = emulator.info
    (tmp_path / "images").mkdir()
    azure = azure_inputs(info)

    def action(workdir: Path, inputs: dict[str, str]) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
        env = runner_env(workdir, {**azure, **inputs})
        env["REQUESTS_CA_BUNDLE"] = info["ca_bundle"]
        proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=180)
        return proc, read_outputs(workdir / "file_commands/set_output_1")

    for image, example, scenario in (("ubuntu-web", "linux-ubuntu.json", "customizer-failed"),
                                     ("win2022-iis", "windows-server.json", "success")):
        shutil.copy(ROOT / "examples/templates" / example, tmp_path / f"images/{image}.json")
        job = tmp_path / f"submit-{image}"
        job.mkdir()
        proc, outputs = action(job, {"command": "submit", "template": f"images/{image}.json",
                                     "name-prefix": f"{image}-nightly", "on-conflict": "replace",
                                     "preflight": "false",  # no estate world in this emulator
                                     "tag": f"fleet=nightly\nimage={image}\naib-emulator-scenario={scenario}"})
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert outputs["template-name"].startswith(f"{image}-nightly")

    job = tmp_path / "monitor"
    job.mkdir()
    proc, outputs = action(job, {"command": "monitor", "all": "true", "tag": "fleet=nightly",
                                 "budget-minutes": "4", "poll-interval": "0.5"})
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]  # one of the two failed
    rows = json.loads(outputs["fleet-json"])
    assert len(rows) == 2 and outputs["state"] == "Failed"
    assert any("ubuntu-web-nightly" in json.dumps(r) and "Failed" in json.dumps(r) for r in rows)
    assert any("win2022-iis-nightly" in json.dumps(r) and "Succeeded" in json.dumps(r) for r in rows)
    assert "Traceback" not in proc.stderr
