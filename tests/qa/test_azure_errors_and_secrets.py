"""Against the emulator: access errors are one teaching line (exit 3) that never prints a secret, and
no output of any format carries the secrets a hostile build log plants."""

from __future__ import annotations

import pytest

from tests.qa.helpers import assert_one_line_error, run, scenario_template

PLANTED = ("SECRETSIG123", "SECRETKEY")


def emu_env(emulator, **extra) -> dict:
    env = dict(emulator.cli_env())
    env.update(extra)
    return env


def test_wrong_client_secret_is_exit_3_in_one_line_without_the_secret(emulator):
    wrong = "emu~QA-wrong-secret-value-1234567890"
    result = run("monitor", "-g", emulator.info["resource_group"], "-n", "anything",
                 env=emu_env(emulator, AZURE_CLIENT_SECRET=wrong))
    line = assert_one_line_error(result, 3)
    assert "get_token_info failed" not in result.stderr  # azure-identity's own log line is not echoed
    assert wrong not in result.output and emulator.info["client_secret"] not in result.output
    assert "secret" in line.lower()


def test_wrong_client_secret_inside_github_actions_is_an_error_annotation(emulator):
    wrong = "emu~QA-wrong-secret-value-1234567890"
    result = run("monitor", "-g", emulator.info["resource_group"], "-n", "anything",
                 env=emu_env(emulator, AZURE_CLIENT_SECRET=wrong, GITHUB_ACTIONS="true"))
    line = assert_one_line_error(result, 3)
    annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::error")]
    assert len(annotations) == 1 and "secret" in annotations[0].lower()
    assert line.split(": ", 2)[-1][:40] in annotations[0]  # the same sentence, as an annotation
    assert wrong not in result.output


@pytest.mark.parametrize("command", ["monitor", "logs", "cancel", "cleanup", "diagnose"])
def test_template_that_does_not_exist_is_exit_3(emulator, command):
    result = run(command, "-g", emulator.info["resource_group"], "-n", "no-such-template", env=emu_env(emulator))
    assert_one_line_error(result, 3, "no-such-template", "--name")


@pytest.mark.parametrize("fmt", ["text", "json", "github", "azure-devops"])
def test_hostile_log_secrets_are_printed_nowhere(emulator, tmp_path, fmt):
    template = scenario_template(tmp_path, "hostile-log", emulator, name=f"qa-hostile-{fmt}")
    out_file, summary_file, agent_tmp = tmp_path / "gh_output", tmp_path / "gh_summary", tmp_path / "agent"
    agent_tmp.mkdir()
    env = emu_env(emulator, GITHUB_OUTPUT=str(out_file), GITHUB_STEP_SUMMARY=str(summary_file),
                  AGENT_TEMPDIRECTORY=str(agent_tmp))
    logs = tmp_path / "logs"
    result = run("run", "--template", str(template), "-g", emulator.info["resource_group"], "--poll-interval", "0.2",
                 "--name", f"qa-hostile-{fmt}",
                 "--log-dir", str(logs), "--format", fmt, env=env)
    assert result.code == 1, result.output  # the scenario's customizer fails
    saved = list(logs.rglob("customization.log"))
    assert saved and all(s.encode() in saved[0].read_bytes() for s in PLANTED), "the scenario planted no secret"
    again = run("diagnose", "-g", emulator.info["resource_group"], "-n", f"qa-hostile-{fmt}", "--log-dir",
                str(tmp_path / "logs2"), "--format", fmt, "--template", str(template), env=env)
    assert again.code == 1, again.output
    written = [p.read_text(errors="replace") for p in (out_file, summary_file) if p.exists()]
    written += [p.read_text(errors="replace") for p in agent_tmp.iterdir()]
    if fmt == "github":
        assert len(written) == 2  # outputs and summary were written, and checked below
    for text in [result.stdout, result.stderr, again.stdout, again.stderr, *written]:
        for secret in (*PLANTED, emulator.info["client_secret"]):
            assert secret not in text
