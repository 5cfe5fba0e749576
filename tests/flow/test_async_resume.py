"""Asynchronous monitoring: budgets that end before the build, resuming, killing the monitor."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.flow.conftest import FAST, blob_bytes, run_cli, sample_template, start_cli


def _submit(emu, rg, template: Path, logs: Path) -> str:
    r = run_cli(emu, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs), "--format", "json")
    assert r.code == 0, r.stderr
    assert r.json["state"] == "Running" and r.json["resume"].startswith("aib-pilot monitor")
    return r.json["template_name"]


def test_budget_shorter_than_build_returns_running_then_resume_finishes(emulator, rg, tmp_path):
    emulator.set_speed(200)  # customizer-failed runs 14 simulated minutes: about 4 s here
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    name = _submit(emulator, rg, template, logs)
    common = ["monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template), *FAST,
              "--format", "json"]

    first = run_cli(emulator, *common, "--budget", "0.02")
    assert first.code == 0, first.stderr
    assert first.json["state"] == "Running"
    assert f"--name {name}" in first.json["resume"] and "--log-dir" in first.json["resume"]
    assert first.seconds < 1.2 + 5, "a budgeted monitor must end near its budget"

    second = run_cli(emulator, *common)
    assert second.code == 1, second.stderr
    result = second.json
    assert result["state"] == "Failed"
    assert result["diagnosis"]["category"] == "customizer_failed"
    saved = Path(result["log_path"]).read_bytes()
    assert saved and saved == blob_bytes(emulator, result["log_url"])

    again = run_cli(emulator, *common)  # idempotent: a finished run is reported, not re-run
    assert again.code == 1 and again.json["state"] == "Failed"
    assert "the run had already ended when this monitor started" in again.stderr
    assert "azure-arm" not in again.stderr, "a finished run's log is not replayed"
    assert emulator.journal.count(service="arm", method="POST", path_contains="/run") == 1
    assert Path(again.json["log_path"]).read_bytes() == saved


def test_killed_monitor_is_replaced_with_the_same_outcome(emulator, rg, tmp_path):
    emulator.set_speed(150)
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    name = _submit(emulator, rg, template, logs)
    args = ["monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template), *FAST,
            "--format", "json"]
    proc = start_cli(emulator, *args)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(p.stat().st_size > 0 for p in logs.rglob("customization.log")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # no chance to clean up: the next job starts from what is on disk
    proc.communicate(timeout=10)
    partial = sum(p.stat().st_size for p in logs.rglob("customization.log"))
    assert partial > 0

    r = run_cli(emulator, *args)
    assert r.code == 1, r.stderr
    assert r.json["state"] == "Failed" and r.json["diagnosis"]["category"] == "customizer_failed"
    assert "resuming the log at byte" in r.stderr
    saved = Path(r.json["log_path"]).read_bytes()
    downloaded = emulator.journal.bytes(service="blob", method="GET", path_contains="customization.log")
    # the killed job may have fetched a range it never saved (SIGKILL between read and write); the
    # replacement resumes from what is on disk, so no byte is read more than twice
    assert downloaded <= 2 * len(saved), "the replacement resumed instead of reading the log again"
    assert saved == blob_bytes(emulator, r.json["log_url"])  # no byte lost or duplicated across processes
