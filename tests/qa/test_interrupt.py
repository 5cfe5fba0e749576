"""Ctrl-C / SIGTERM while monitoring: a clean stop that says how to resume, never a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.qa.helpers import REPO, clean_env, run, scenario_template


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_monitor_leaves_a_resume_command(emulator, tmp_path, sig):
    template = scenario_template(tmp_path, "slow-success", emulator, name=f"qa-sig-{sig.name.lower()}")
    rg = emulator.info["resource_group"]
    env = clean_env(emulator.cli_env())
    submitted = run("submit", "--template", str(template), "-g", rg, "--name", template.stem, env=emulator.cli_env())
    assert submitted.code == 0, submitted.output
    proc = subprocess.Popen(
        [sys.executable, "-m", "aib_pilot", "monitor", "-g", rg, "-n", template.stem, "--poll-interval", "0.2",
         "--log-dir", str(tmp_path / "logs")],
        env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as at a terminal
    first = proc.stdout.readline()  # 'monitoring image template …': the loop is running
    assert first.startswith("monitoring image template"), first
    time.sleep(1.0)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    output = first + out + err
    assert "Traceback" not in output, output
    assert proc.returncode == 0, output
    assert f"resume with: aib-pilot monitor --resource-group {rg} --name {template.stem}" in output
    assert list((tmp_path / "logs").rglob("customization.log")), "the log read so far was not kept"
