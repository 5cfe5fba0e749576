"""The example templates are accepted by the (emulated) Image Builder API and build to the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "examples/templates").glob("*.json"))


def test_there_are_linux_and_windows_examples():
    kinds = {json.loads(p.read_text())["properties"]["source"]["offer"] for p in TEMPLATES}
    assert any("ubuntu" in k for k in kinds) and any("Windows" in k for k in kinds)
    for path in TEMPLATES:
        doc = json.loads(path.read_text())
        assert doc["apiVersion"] == "2025-10-01" and doc["type"] == "Microsoft.VirtualMachineImages/imageTemplates"
        assert all(c.get("name") for c in doc["properties"]["customize"]), path.name


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_example_template_builds(emulator, tmp_path, template):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AIB_PILOT_", "GITHUB_", "TF_BUILD"))}
    env.update(emulator.cli_env())
    proc = subprocess.run(
        [sys.executable, "-m", "aib_pilot", "run", "--template", str(template),
         "--resource-group", emulator.info["resource_group"], "--tag", "aib-emulator-scenario=success",
         "--poll-interval", "0.5", "--budget", "4", "--log-dir", str(tmp_path), "--format", "json"],
        env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["state"] == "Succeeded"
    assert not result.get("diagnosis") or result["diagnosis"].get("status") != "failed"
