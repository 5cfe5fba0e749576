"""A failed build is explained within seconds even with 100 ms added to every request."""

from __future__ import annotations

from tests.flow.conftest import FAST, run_cli, sample_template


def test_failed_build_diagnosed_within_five_seconds_at_100ms_latency(emulator, rg, tmp_path):
    emulator.set_speed(600)
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    submitted = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs),
                        "--format", "json")
    assert submitted.code == 0, submitted.stderr
    name = submitted.json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=30)
    emulator.faults.add_latency(0.1)
    r = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template),
                *FAST, "--format", "json")
    assert r.code == 1 and r.json["diagnosis"]["category"] == "customizer_failed"
    assert "azure-arm" not in r.stderr, "the log of a run that ended before the monitor is saved, not replayed"
    assert r.json["log_path"] and "exited with code: 1" in open(r.json["log_path"], encoding="utf-8").read()
    print(f"failed -> diagnosis printed in {r.seconds:.2f} s (process start included)")
    assert r.seconds <= 5.0
