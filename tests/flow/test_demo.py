"""``aib-pilot demo`` (README's main command): the whole flow against a fresh emulator, fast."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from tests.flow.conftest import REPO


def test_demo_runs_the_two_budgeted_steps_and_prints_the_diagnosis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AIB_PILOT_", "GITHUB_", "TF_BUILD"))}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "aib_pilot", "demo", "--log-dir", str(tmp_path)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=120)
    seconds = time.monotonic() - started
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "job 2: monitor with a" in out and "still running; resume with: aib-pilot monitor" in out
    assert "customizer_failed" in out and "install-nginx" in out
    assert "failing-template.json:" in out, "the diagnosis points at the customizer's line"
    saved = list(tmp_path.rglob("customization.log"))
    assert saved and saved[0].stat().st_size > 10_000
    assert seconds < 30, f"the demo took {seconds:.1f} s"


def test_demo_outside_a_checkout_says_so(tmp_path):
    import pytest

    from aib_pilot.commands.demo import find_repo_root
    from aib_pilot.errors import UsageError

    assert find_repo_root([REPO / "src"]) == REPO
    with pytest.raises(UsageError, match="needs the aib-pilot source checkout"):
        find_repo_root([tmp_path])
