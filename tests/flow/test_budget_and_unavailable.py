"""Attacks on the budget and on the meaning of exit codes: Azure failing for a long time.

* the budget is one clock: blob storage answering 503 for ever does not stretch ``--budget 0.5``;
* throttling and server errors are "Azure unavailable, try again" (exit 5, and for ``monitor``
  state Running with its resume command), never the access-error code 3 or a missing role;
* a saved log that lacks its end says so.
"""

from __future__ import annotations

from pathlib import Path

from tests.flow.conftest import FAST, run_cli, sample_template


def _failed_build(emulator, rg, tmp_path, logs: Path) -> str:
    emulator.set_speed(3000)
    template, _ = sample_template(tmp_path, "customizer-failed")
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs), "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    name = r.json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    return name


def test_blob_storage_failing_for_ever_keeps_the_budget_and_names_no_role(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    name = _failed_build(emulator, rg, tmp_path, logs)
    emulator.faults.server_error(503, count=None, service="blob")
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--budget", "0.5",
                "--format", "json", timeout=150)
    assert m.seconds < 30 + 10, f"--budget 0.5 took {m.seconds:.0f} s"
    assert m.code == 1, m.stderr[-2000:]  # the run failed; diagnosed from its status message
    result = m.json
    assert result["state"] == "Failed" and "log_access_error" not in result
    assert "Storage Blob Data Reader" not in m.stdout + m.stderr and "role" not in m.stderr
    assert "503" in m.stderr and "could not be read" in m.stderr


def test_without_a_budget_a_failing_blob_read_ends_within_a_minute(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    name = _failed_build(emulator, rg, tmp_path, logs)
    emulator.faults.server_error(503, count=None, service="blob")
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json",
                timeout=150)
    assert m.seconds < 60, f"no budget: {m.seconds:.0f} s of retrying after the build had ended"
    assert m.code == 1 and m.json["log_complete"] is False, m.stderr[-2000:]


def test_monitor_facing_arm_500s_is_exit_5_with_state_running_and_the_resume_command(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    emulator.set_speed(20)
    template, _ = sample_template(tmp_path, "customizer-failed")
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs), "--format", "json")
    name = r.json["template_name"]
    emulator.faults.server_error(500, count=None, service="arm", method="GET", path="imageTemplates/")
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--budget", "0.3",
                "--format", "json", timeout=150)
    assert m.code == 5, (m.code, m.stderr[-2000:])
    result = m.json
    assert result["state"] == "Running" and result["resume"].startswith("aib-pilot monitor ")
    assert "500" in result["unavailable"] and m.seconds < 18 + 10
    assert "aib-pilot: error:" not in m.stderr and "Permission" not in m.stderr


def test_submit_throttled_for_ever_is_exit_5_not_3(emulator, rg, tmp_path):
    template, _ = sample_template(tmp_path, "customizer-failed")
    emulator.faults.throttle(count=None, retry_after=1, service="arm", method="PUT")
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "l"),
                timeout=150)
    assert r.code == 5, (r.code, r.stderr[-2000:])
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and "429" in errors[0] and "try again" in errors[0], r.stderr
    assert "Traceback" not in r.stderr


def test_a_log_that_lost_its_end_is_said_to_be_incomplete(emulator, rg, tmp_path):
    emulator.set_speed(400)
    emulator.faults.delete_staging_at_end = True
    template, _ = sample_template(tmp_path, "customizer-failed")
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                *FAST, "--format", "json")
    assert r.code == 1, r.stderr[-2000:]
    result = r.json
    assert result["log_path"] and result["log_complete"] is False
    assert "may be incomplete" in r.stderr and "staging resource group was deleted" in r.stderr
