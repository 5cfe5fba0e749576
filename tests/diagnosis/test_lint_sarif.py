"""aib-pilot lint on several files, and its SARIF 2.1.0 report (validated against OASIS's schema)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

from aib_pilot.diagnosis.lint import LINT_RULES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / ".ci/schemas/sarif-schema-2.1.0.json").read_text())

WINDOWS = {
    "buildTimeoutInMinutes": 120,
    "vmProfile": {"vmSize": "Standard_D4s_v5"},
    "customize": [
        {"type": "PowerShell", "name": "iis", "inline": ["Install-WindowsFeature Web-Server", "Restart-Computer -Force"]},
        {"type": "WindowsRestart", "name": "reboot"},
    ],
}
LINUX_BAD = {  # an error (AIB501) and a restart (AIB513)
    "buildTimeoutInMinutes": 60,
    "customize": [{"type": "Shell", "name": "pkgs", "inline": ["sudo apt-get install nginx", "sudo reboot"]}],
}


def write(folder: Path, name: str, props: dict) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": props},
                               indent=2))
    return path


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aib_pilot", "lint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


def test_sarif_is_valid_and_points_at_the_template_lines(tmp_path):
    write(tmp_path, "images/win.json", WINDOWS)
    write(tmp_path, "images/linux.json", LINUX_BAD)
    proc = lint(tmp_path, "images/win.json", "images/linux.json", "--format", "sarif", "--budget", "50",
                "--output", "reports/lint.sarif")
    assert proc.returncode == 1, proc.stderr  # linux.json has an error-level finding
    assert proc.stdout == "" and "written to reports/lint.sarif" in proc.stderr
    log = json.loads((tmp_path / "reports/lint.sarif").read_text())
    jsonschema.validate(log, SCHEMA)  # draft-04 schema, as OASIS publishes it
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in LINT_RULES]
    for rule, meta in zip(rules, LINT_RULES):
        assert rule["helpUri"] == meta.reference and meta.fix in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning"}[meta.severity]
    found = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and not artifact["uri"].startswith("/")
        line = location["physicalLocation"]["region"]["startLine"]
        found.setdefault((artifact["uri"], result["ruleId"]), []).append(
            (tmp_path / artifact["uri"]).read_text().splitlines()[line - 1])
    assert any("Restart-Computer" in t for t in found[("images/win.json", "AIB513")])
    assert any('"buildTimeoutInMinutes": 120' in t for t in found[("images/win.json", "AIB512")])
    assert any("apt-get install nginx" in t for t in found[("images/linux.json", "AIB501")])
    assert any("sudo reboot" in t for t in found[("images/linux.json", "AIB513")])
    assert {r["level"] for r in run["results"] if r["ruleId"] == "AIB501"} == {"error"}


def test_hostile_template_text_never_becomes_a_runner_command(tmp_path):
    hostile = {"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "name": "x", "inline": [
        "sudo apt-get install pwn\n::error file=a,line=1::Injected\n##[error]Injected ##vso[task.complete result=Succeeded]",
        "reboot # ::set-output name=state::Succeeded"]}]}
    write(tmp_path, "t.json", hostile)
    for fmt in ("sarif", "json"):
        proc = lint(tmp_path, "t.json", "--format", fmt)
        assert proc.returncode == 1, proc.stderr
        for line in (proc.stdout + proc.stderr).splitlines():
            assert not line.lstrip().startswith("::") and "##[" not in line and "##vso[" not in line, line
        doc = json.loads(proc.stdout.splitlines()[-1])
        assert "Injected" in json.dumps(doc)  # the data is kept, only its raw form is neutralised


def test_several_files_json_is_one_line_each_and_clean_files_exit_0(tmp_path):
    write(tmp_path, "a.json", WINDOWS)
    write(tmp_path, "b.json", {**WINDOWS, "customize": [{"type": "PowerShell", "inline": ["echo ok"]},
                                                      {"type": "WindowsRestart"}]})
    proc = lint(tmp_path, "a.json", "b.json", "--format", "json")
    assert proc.returncode == 0, proc.stderr  # warnings only
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [d["source"] for d in docs] == ["a.json", "b.json"]
    assert [f["rule"] for f in docs[0]["findings"]] == ["AIB513"] and docs[1]["findings"] == []


@pytest.mark.parametrize("args,error", [
    (["t.json", "--output", "x.txt"], "--output writes a sarif or json report, not text"),
    (["t.json", "--runs", "3"], "--runs needs --budget"),
    (["t.json", "--budget", "50", "--runs", "0"], "--runs 0 is not usable"),
    (["t.json", "--budget", "-5"], "--budget -5 is not usable"),
    (["t.json", "missing.json"], "missing.json"),
    (["t.json", "--format", "sarif", "--output", "t.json/x.sarif"], "cannot be written"),
])
def test_bad_lint_input_is_one_line(args, error, tmp_path):
    write(tmp_path, "t.json", WINDOWS)
    proc = lint(tmp_path, *args)
    assert proc.returncode == 2 and error in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_the_example_workflow_step_writes_the_sarif_upload_sarif_reads(tmp_path):
    """examples/github/lint-sarif.yml, its lint step run through the action's entrypoint as the
    runner would (INPUT_* with action.yml defaults), then the file its upload step names."""
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((ROOT / "examples/github/lint-sarif.yml").read_text())
    steps = workflow["jobs"]["lint"]["steps"]
    ours = next(s for s in steps if str(s.get("uses", "")).startswith("aib-pilot/aib-pilot@"))
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    (tmp_path / "images").mkdir()
    for name, example in (("ubuntu-web.json", "linux-ubuntu.json"), ("win2022-iis.json", "windows-server.json")):
        (tmp_path / "images" / name).write_text((ROOT / "examples/templates" / example).read_text())
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GITHUB_ACTIONS": "true",
           "GITHUB_WORKSPACE": str(tmp_path)}
    for name, body in action["inputs"].items():
        value = ours["with"].get(name, body.get("default", ""))
        env["INPUT_" + name.upper()] = "" if str(value).startswith("${{") else str(value)
    proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the example templates have warnings only
    log = json.loads((tmp_path / upload["with"]["sarif_file"]).read_text())
    jsonschema.validate(log, SCHEMA)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"] for loc in r["locations"]}
    assert uris == {"images/win2022-iis.json"}  # 240 minutes > 3 x 50; ubuntu-web's 120 fits
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"AIB512"}


def test_an_output_that_is_a_pipe_stays_a_pipe_and_gets_the_report(tmp_path):
    """`--output /dev/stdout` or a named pipe is written into. Replacing the file by a rename, as a
    regular report file is, would put a plain file where the pipe (or, run as root, /dev/null) was."""
    import os
    import stat
    import threading

    write(tmp_path, "t.json", LINUX_BAD)
    fifo = tmp_path / "report.sarif"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    proc = lint(tmp_path, "t.json", "--format", "sarif", "--output", str(fifo))
    reader.join(timeout=30)
    assert proc.returncode == 1, proc.stderr  # AIB501 is an error
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not (tmp_path / "report.sarif.tmp").exists()
    doc = json.loads(received[0])
    assert {r["ruleId"] for r in doc["runs"][0]["results"]} >= {"AIB501"}
