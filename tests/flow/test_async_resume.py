"""Asynchronous monitoring: budgets that end before the build, resuming, killing the monitor."""

from __future__ import annotations

import hashlib
import json
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

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


def _consistent(log: Path) -> bool:
    """The saved log and its state file agree (length and SHA-256): a point where a monitor may die
    and the next one continue the file (otherwise it is moved aside and read again)."""
    state_file = log.with_name(f".{log.name}.state")
    try:
        data, state = log.read_bytes(), json.loads(state_file.read_text())
    except (OSError, ValueError):
        return False
    return bool(data) and state.get("length") == len(data) and state.get("sha256") == hashlib.sha256(data).hexdigest()


def test_killed_monitor_is_replaced_with_the_same_outcome(emulator, rg, tmp_path):
    emulator.set_speed(150)
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    name = _submit(emulator, rg, template, logs)
    args = ["monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template), *FAST,
            "--format", "json"]
    proc = start_cli(emulator, *args)
    # SIGKILL gives no chance to clean up: the next job starts from what is on disk. The monitor is
    # stopped (SIGSTOP) until its saved log and state file agree, then killed there: a state the
    # replacement must continue byte for byte.
    deadline = time.monotonic() + 30
    while True:
        assert time.monotonic() < deadline and proc.poll() is None, "no consistent saved log to kill the monitor at"
        proc.send_signal(signal.SIGSTOP)
        saved_logs = list(logs.rglob("customization.log"))
        if len(saved_logs) == 1 and _consistent(saved_logs[0]):
            proc.send_signal(signal.SIGKILL)
            break
        proc.send_signal(signal.SIGCONT)
        time.sleep(0.02)
    proc.communicate(timeout=10)
    partial = saved_logs[0].stat().st_size
    mark = len(emulator.journal)

    r = run_cli(emulator, *args)
    after = emulator.journal.entries()[mark:]  # before this test reads the blob itself
    assert r.code == 1, r.stderr
    assert r.json["state"] == "Failed" and r.json["diagnosis"]["category"] == "customizer_failed"
    assert f"resuming the log at byte {partial}:" in r.stderr
    saved = Path(r.json["log_path"]).read_bytes()
    assert saved == blob_bytes(emulator, r.json["log_url"])  # no byte lost or duplicated across processes
    # What the replacement downloaded of this log (its requests begin with its first ARM read; the
    # killed process was gone by then): the last KiB of what was saved, to check it is still the
    # blob's, then exactly the bytes past it. Nothing is read twice.
    started = min(e.at for e in after if e.service == "arm")
    blob_path = urlsplit(r.json["log_url"]).path
    downloaded = sum(e.bytes for e in after if e.service == "blob" and e.method == "GET" and e.path == blob_path
                     and e.status in (200, 206) and e.at >= started)
    assert downloaded == min(partial, 1024) + len(saved) - partial, (downloaded, partial, len(saved))
