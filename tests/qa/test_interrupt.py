"""Ctrl-C / SIGTERM while monitoring: a clean stop that says how to resume, never a traceback.
Ctrl-C anywhere else: exit 130 (128 + SIGINT, what shells report), "interrupted." and no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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
    # the loop has found the log and saved its first bytes: the point where a stop must keep them
    logs = tmp_path / "logs"
    _wait_until(lambda: any(p.stat().st_size > 0 for p in logs.rglob("customization.log")) or proc.poll() is not None,
                60, "the first bytes of the log to be saved")
    assert proc.poll() is None, "the monitor ended before it was signalled"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    output = first + out + err
    assert "Traceback" not in output, output
    assert proc.returncode == 0, output
    assert f"resume with: aib-pilot monitor --resource-group {rg} --name {template.stem}" in output
    assert list((tmp_path / "logs").rglob("customization.log")), "the log read so far was not kept"


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out after {timeout:g} s waiting for {what}"
        time.sleep(0.02)


def _has_open(pid: int, path: Path) -> bool:
    """True once process ``pid`` holds ``path`` open (its /proc/PID/fd links)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return str(path) in links


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the open FIFO")
def test_ctrl_c_while_waiting_for_input_exits_130(tmp_path):
    """``aib-pilot diagnose FIFO`` waits for a writer; Ctrl-C there is exit 130, one line, no traceback."""
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [sys.executable, "-m", "aib_pilot", "diagnose", str(fifo)], env=clean_env(), cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as at a terminal
    try:
        _wait_until(lambda: _has_open(proc.pid, fifo) or proc.poll() is not None, 60, "the FIFO to be opened")
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err, err
    assert err.strip().splitlines() == ["aib-pilot: interrupted."], err
