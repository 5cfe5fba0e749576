"""Live tail: only new bytes cross the wire; the saved copy is the blob, even after the RG is gone."""

from __future__ import annotations

from pathlib import Path

from tests.flow.conftest import FAST, blob_bytes, run_cli, sample_template


def test_ranged_reads_download_each_byte_once(emulator, rg, tmp_path):
    emulator.set_speed(400)
    template, _ = sample_template(tmp_path, "success")
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                *FAST, "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    saved = Path(r.json["log_path"]).read_bytes()
    reads = emulator.journal.entries(service="blob", method="GET", path_contains="customization.log")
    assert len(reads) > 3, "the log was tailed while it grew, not read once at the end"
    downloaded = sum(e.bytes for e in reads)
    print(f"live tail: {len(reads)} ranged reads, {downloaded} bytes downloaded for a {len(saved)}-byte log "
          f"(ratio {downloaded / len(saved):.3f})")
    assert downloaded <= 1.05 * len(saved), (downloaded, len(saved))
    assert saved == blob_bytes(emulator, r.json["log_url"])
    # the tail showed the customizers as groups, in the text progress on stderr
    assert "customizer 1/3: update-and-install-nginx" in r.stderr


def test_saved_log_survives_staging_group_deletion(emulator, rg, tmp_path):
    emulator.set_speed(400)
    emulator.faults.delete_staging_at_end = True
    template, _ = sample_template(tmp_path, "customizer-failed")
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                *FAST, "--format", "json")
    assert r.code == 1, r.stderr[-2000:]
    result = r.json
    assert blob_bytes(emulator, result["log_url"]) is None, "the staging group and its log are gone"
    saved = Path(result["log_path"]).read_bytes()
    run = emulator.template(rg, result["template_name"]).run
    written = "".join(e.text if e.text.endswith("\n") else e.text + "\n" for e in run.events[:run.next_event]).encode()
    # Everything the blob held when it was last read is kept, byte for byte. (The emulator writes the
    # last lines and deletes the staging group in the same instant, so those last lines cannot be read;
    # in Azure the group's deletion takes minutes.)
    assert written.startswith(saved) and len(saved) > 0.5 * len(written)
    assert b"(telemetry) Starting provisioner" in saved
    assert result["diagnosis"]["category"] == "customizer_failed"


def test_falls_back_to_the_account_key_when_entra_data_access_is_refused(emulator, rg, tmp_path):
    emulator.set_speed(3000)
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs), "--format", "json")
    name = r.json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    emulator.faults.server_error(403, count=1, service="blob")  # the first data-plane call is refused
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json")
    assert m.code == 1, m.stderr[-2000:]
    assert emulator.journal.count(service="arm", method="POST", path_contains="/listKeys") == 1
    saved = Path(m.json["log_path"]).read_bytes()
    assert saved and saved == blob_bytes(emulator, m.json["log_url"])
    assert "AccountKey" not in m.stdout + m.stderr


def test_resuming_after_the_staging_group_is_gone_uses_the_saved_copy(emulator, rg, tmp_path):
    emulator.set_speed(150)
    emulator.faults.delete_staging_at_end = True
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(logs), *FAST,
                "--budget", "0.04", "--format", "json")
    assert r.code == 0 and r.json["state"] == "Running", r.stderr[-2000:]
    first_copy = Path(r.json["log_path"]).read_bytes()
    name = r.json["template_name"]
    emulator.set_speed(3000)
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.staging_deleted, timeout=5)
    m = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template),
                *FAST, "--format", "json")
    assert m.code == 1, m.stderr[-2000:]
    assert m.json["log_path"] == r.json["log_path"]
    assert Path(m.json["log_path"]).read_bytes() == first_copy  # kept, not truncated or duplicated
    assert m.json["diagnosis"]["lines_read"] > 0
