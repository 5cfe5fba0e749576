"""Run the real ``aib-pilot`` CLI (and the action entrypoint) in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO_TEMPLATE = REPO / "examples" / "demo" / "failing-template.json"
_CI_PREFIXES = ("AZURE_", "AIB_PILOT_", "ACTIONS_", "SYSTEM_", "GITHUB_", "TF_BUILD", "BUILD_", "INPUT_",
                "AGENT_", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.startswith("aib-pilot: error:")]


def clean_env(extra: dict | None = None) -> dict:
    """The caller's environment without anything that would make aib-pilot think it runs in CI or
    find credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_CI_PREFIXES)}
    env.update(extra or {})
    return env


def run(*args: str, env: dict | None = None, stdin: bytes | None = None, module: str = "aib_pilot",
        cwd: Path = REPO, timeout: float = 120) -> Result:
    proc = subprocess.run([sys.executable, "-m", module, *args], env=clean_env(env), input=stdin or b"",
                          capture_output=True, timeout=timeout, cwd=cwd)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def assert_one_line_error(result: Result, code: int, *needles: str) -> str:
    """Exit ``code``, exactly one ``aib-pilot: error:`` line containing each needle, no traceback."""
    assert result.code == code, result.output
    assert "Traceback" not in result.output, result.output
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def scenario_template(tmp_path: Path, scenario: str, emu, name: str = "qa") -> Path:
    """The demo template, pointed at an emulator scenario and the emulator's identity."""
    doc = json.loads(DEMO_TEMPLATE.read_text())
    doc["name"] = name
    doc["tags"] = {"aib-emulator-scenario": scenario}
    doc["location"] = emu.info.get("location", "eastus")
    identity = emu.info.get("identity_id")
    if identity:
        doc["identity"]["userAssignedIdentities"] = {identity: {}}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2))
    return path
