"""Attacks on the budget and on the meaning of exit codes: Azure failing for a long time.

* the budget is one clock: blob storage answering 503 for ever does not stretch ``--budget 0.5``;
* throttling and server errors are "Azure unavailable, try again" (exit 5, and for ``monitor``
  state Running with its resume command), never the access-error code 3 or a missing role;
* a saved log that lacks its end says so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flow.conftest import FAST, run_cli, sample_template


def _failed_build(emulator, rg, tmp_path, logs: Path) -> str:
    emulator.set_speed(3000)
    template, _ = sample_template(tmp_path, "customizer-failed")
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs), "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    name = r.json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    return name


@pytest.mark.waits
def test_blob_storage_failing_for_ever_keeps_the_budget_and_names_no_role(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    name = _failed_build(emulator, rg, tmp_path, logs)
    emulator.faults.server_error(503, count=None, service="blob")
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--budget", "0.5",
                "--format", "json", timeout=150)
    print(f"--budget 0.5 (30 s) with blob storage answering 503: monitor ended after {m.seconds:.1f} s")
    assert m.seconds < 30 + 10, f"--budget 0.5 took {m.seconds:.0f} s"
    assert m.code == 1, m.stderr[-2000:]  # the run failed; diagnosed from its status message
    result = m.json
    assert result["state"] == "Failed" and "log_access_error" not in result
    assert "Storage Blob Data Reader" not in m.stdout + m.stderr and "role" not in m.stderr
    assert "503" in m.stderr and "could not be read" in m.stderr


@pytest.mark.waits
def test_without_a_budget_a_failing_blob_read_ends_within_a_minute(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    name = _failed_build(emulator, rg, tmp_path, logs)
    emulator.faults.server_error(503, count=None, service="blob")
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json",
                timeout=150)
    print(f"no budget, blob storage answering 503 after the build ended: monitor ended after {m.seconds:.1f} s")
    assert m.seconds < 60, f"no budget: {m.seconds:.0f} s of retrying after the build had ended"
    assert m.code == 1 and m.json["log_complete"] is False, m.stderr[-2000:]


@pytest.mark.waits
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


@pytest.mark.parametrize("fault,said", [("throttle", "429"), ("server_error", "503"), ("reset_connection", "reached")])
def test_submit_facing_an_unavailable_azure_is_exit_5_not_3(emulator, rg, tmp_path, fault, said):
    template, _ = sample_template(tmp_path, "customizer-failed")
    kwargs = {"throttle": {"retry_after": 1}, "server_error": {"status": 503}, "reset_connection": {}}[fault]
    getattr(emulator.faults, fault)(count=None, service="arm", method="PUT", **kwargs)
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "l"),
                timeout=150)
    assert r.code == 5, (r.code, r.stderr[-2000:])
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and said in errors[0] and "try again" in errors[0], r.stderr
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


# -- the log URL in lastRunStatus.message is untrusted text ------------------------------------------
def test_a_foreign_log_url_in_the_status_message_gets_no_token_and_writes_nothing_outside(emulator, rg, tmp_path):
    logs = tmp_path / "work" / "logs"
    name = _failed_build(emulator, rg, tmp_path, logs)
    run = emulator.template(rg, name).run
    arm = emulator.info["arm"].rstrip("/")  # a loopback server that is not the staging account
    hostile = (f"Image Build log location: {arm}/stolen/{'packerlogs'}/../../../../escape/customization.log. "
               f"OperationId: {run.operation_id}")
    run.message = run.message_override = hostile
    before = len(emulator.journal)
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json")
    assert m.code == 1, m.stderr[-2000:]
    new = list(emulator.journal)[before:]
    assert not [e for e in new if "packerlogs" in str(getattr(e, "path", "")) and getattr(e, "service", "") != "blob"]
    assert not (tmp_path / "work" / "escape").exists() and not (tmp_path / "escape").exists()
    assert "ignored the log URL" in m.stderr
    result = m.json
    assert Path(result["log_path"]).resolve().is_relative_to(logs.resolve())
    assert result["diagnosis"]["category"] == "customizer_failed"  # the real log, found in the staging account


# -- the log folder: planted links are not followed, a saved prefix is verified ----------------------
def _run_folder(emulator, rg, name, tmp_path) -> str:
    probe = run_cli(emulator, "logs", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "probe"))
    assert probe.code == 0, probe.stderr[-2000:]
    return Path(probe.stdout.strip().splitlines()[-1]).parent.name


def test_a_planted_customization_log_link_is_not_written_through(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    name = _failed_build(emulator, rg, tmp_path, tmp_path / "submit-logs")
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    folder = logs / name / _run_folder(emulator, rg, name, tmp_path)
    folder.mkdir(parents=True)
    (folder / "customization.log").symlink_to(victim)
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json")
    assert victim.read_text() == "do not touch\n"
    assert m.code == 2 and "symbolic link" in m.stderr and "Traceback" not in m.stderr, m.stderr[-2000:]


def test_a_planted_template_json_link_is_not_written_through(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    name = _failed_build(emulator, rg, tmp_path, tmp_path / "submit-logs")
    victim = tmp_path / "victim.json"
    victim.write_text("{}\n")
    (logs / name).mkdir(parents=True)
    (logs / name / "template.json").symlink_to(victim)
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json")
    assert victim.read_text() == "{}\n"
    assert m.code == 1, m.stderr[-2000:]  # replaced the link, not its target
    assert not (logs / name / "template.json").is_symlink()


def test_a_tampered_saved_log_is_not_continued(emulator, rg, tmp_path):
    logs = tmp_path / "logs"
    emulator.set_speed(150)
    template, _ = sample_template(tmp_path, "customizer-failed")
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(logs), *FAST,
                "--budget", "0.04", "--format", "json")
    assert r.code == 0 and r.json["state"] == "Running", r.stderr[-2000:]
    saved = Path(r.json["log_path"])
    planted = b"X" * saved.stat().st_size  # same length, other bytes
    saved.write_bytes(planted)
    name = r.json["template_name"]
    emulator.set_speed(3000)
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json")
    assert m.code == 1, m.stderr[-2000:]
    from tests.flow.conftest import blob_bytes

    assert Path(m.json["log_path"]).read_bytes() == blob_bytes(emulator, m.json["log_url"])
    assert "was not continued" in m.stderr
    assert [p.read_bytes() for p in saved.parent.glob("customization.log.unverified-*")] == [planted]


# -- bad input edges: FIFOs, devices and log folders are refused before anything waits or signs in -----
def test_a_fifo_no_process_writes_to_is_refused_instead_of_waiting_for_ever(tmp_path):
    import os

    import pytest

    from aib_pilot.commands.diagnose import read_special
    from aib_pilot.errors import UsageError

    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="FIFO that no process wrote to"):
        read_special(str(fifo), wait=0.3)


def test_dev_null_is_empty_input_like_an_empty_file(tmp_path):
    from tests.qa.helpers import assert_one_line_error, run

    (tmp_path / "empty.log").write_text("")
    for path in ("/dev/null", str(tmp_path / "empty.log")):
        assert_one_line_error(run("diagnose", path), 2, "is empty")


@pytest.mark.parametrize("kind", ["file", "too-long", "under-a-file"])
def test_a_bad_log_dir_is_exit_2_before_signing_in(emulator, rg, tmp_path, kind):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    log_dir = {"file": a_file, "too-long": tmp_path / ("d" * 300), "under-a-file": a_file / "logs"}[kind]
    before = len(emulator.journal)
    for argv in (["monitor", "-n", "t"], ["logs", "-n", "t"], ["diagnose", "-n", "t"]):
        r = run_cli(emulator, *argv, "-g", rg, "--log-dir", str(log_dir))
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
        assert r.code == 2 and len(errors) == 1 and "--log-dir" in errors[0], r.stderr[-2000:]
    assert len(emulator.journal) == before, "nothing was sent to Azure (or Entra ID)"
    assert a_file.read_text() == "x"
