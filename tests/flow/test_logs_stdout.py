"""`aib-pilot logs --stdout` prints an untrusted log: nothing in it may act as a CI command."""

from __future__ import annotations

from pathlib import Path

from tests.flow.conftest import run_cli, sample_template
from tests.report.runners import ado_commands, github_commands


def test_logs_stdout_neutralises_commands_and_secrets_but_keeps_the_file_exact(emulator, rg, tmp_path):
    emulator.set_speed(600)
    template, _ = sample_template(tmp_path, "hostile-log")
    sub = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "l"),
                  "--format", "json")
    assert sub.code == 0, sub.stderr
    name = sub.json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=60)

    out = run_cli(emulator, "logs", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "logs"), "--stdout")
    assert out.code == 0, out.stderr
    saved = Path(out.stdout.strip().splitlines()[-1])
    raw = saved.read_bytes()
    # The planted text really is in the saved file (exact bytes), so the checks below have teeth.
    assert b"##vso[task.setvariable" in raw and b"::set-output" in raw and b"SECRETSIG123" in raw

    printed = out.stdout
    assert "Script exited with non-zero exit status" in printed  # the log is printed
    assert github_commands(printed) == []
    assert ado_commands(printed) == []
    assert "SECRETSIG123" not in printed and "SECRETKEY" not in printed
