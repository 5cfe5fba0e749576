"""Bad input anywhere: one line saying what is wrong and how to fix it, exit 2, no traceback."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.qa.helpers import REPO, assert_one_line_error, run

FAILED_LOG = REPO / "examples" / "logs" / "linux-customizer-failed.log"


def test_argparse_errors_name_the_command_once():
    line = assert_one_line_error(run("submit"), 2, "submit: the following arguments are required: --template")
    assert line.count("aib-pilot") == 2  # the prefix and the --help hint, not a repeated program name
    line = assert_one_line_error(run("bogus"), 2, "invalid choice: 'bogus'")
    assert not line.startswith("aib-pilot: error: aib-pilot")


@pytest.mark.parametrize("option", ["--budget", "--poll-interval"])
def test_a_word_where_a_number_belongs_is_named_plainly(option):
    assert_one_line_error(run("monitor", "-g", "rg", "-n", "x", option, "soon"), 2,
                          f"{option} takes a number, not 'soon'", "monitor --help")


def test_diagnose_empty_stdin_is_bad_input_not_a_clean_bill(tmp_path):
    assert_one_line_error(run("diagnose", "-", stdin=b""), 2, "standard input is empty", "--status-message")


def test_diagnose_zero_byte_file(tmp_path):
    empty = tmp_path / "customization.log"
    empty.write_bytes(b"")
    assert_one_line_error(run("diagnose", str(empty)), 2, "is empty", "aib-pilot logs")


def test_diagnose_zero_byte_file_with_a_status_message_still_diagnoses(tmp_path):
    empty = tmp_path / "customization.log"
    empty.write_bytes(b"")
    result = run("diagnose", str(empty), "--format", "json", "--status-message",
                 "Conflict. Update/Upgrade of image templates is currently not supported")
    assert result.code == 1, result.output
    assert json.loads(result.stdout)["category"] == "template_exists"


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_diagnose_binary_input(tmp_path, how):
    blob = bytes(range(256)) * 40
    path = tmp_path / "image.vhd"
    path.write_bytes(blob)
    result = run("diagnose", str(path)) if how == "file" else run("diagnose", "-", stdin=blob)
    line = assert_one_line_error(result, 2, "looks binary")
    assert "\x00" not in result.stdout and result.stdout == ""
    assert "text log" in line


def test_diagnose_gzipped_log_says_how_to_unpack(tmp_path):
    packed = tmp_path / "customization.log.gz"
    packed.write_bytes(gzip.compress(FAILED_LOG.read_bytes()))
    assert_one_line_error(run("diagnose", str(packed)), 2, "gzip-compressed", f"gunzip -k {packed}")


def test_diagnose_from_stdin_reads_the_whole_log():
    """The bytes read to check the input are not lost: stdin and the file give the same diagnosis."""
    from_file = run("diagnose", str(FAILED_LOG), "--format", "json")
    from_stdin = run("diagnose", "-", "--format", "json", stdin=FAILED_LOG.read_bytes())
    a, b = json.loads(from_file.stdout), json.loads(from_stdin.stdout)
    assert from_stdin.code == from_file.code == 1
    assert a["lines_read"] == b["lines_read"] > 0
    assert a["findings"] == b["findings"]


def test_diagnose_utf16_log_with_bom_is_text():
    text = FAILED_LOG.read_text(encoding="utf-8", errors="replace")
    result = run("diagnose", "-", "--format", "json", stdin=text.encode("utf-16"))
    assert result.code == 1, result.output
    assert json.loads(result.stdout)["category"] != "unknown"


@pytest.mark.parametrize("content,needle", [
    (b"", "unexpected end of file"),
    (b"\x00\x01\x02 binary", "unexpected character"),
    (b"[1, 2]", "not a JSON object"),
    (b"{}", "no image template found"),
])
def test_lint_unusable_template_files(tmp_path, content, needle):
    path = tmp_path / "t.json"
    path.write_bytes(content)
    assert_one_line_error(run("lint", str(path)), 2, needle)


def test_lint_arm_template_with_two_image_templates(tmp_path):
    one = json.loads((REPO / "examples" / "demo" / "failing-template.json").read_text())
    arm = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "contentVersion": "1.0.0.0", "resources": [dict(one, name="a"), dict(one, name="b")]}
    path = tmp_path / "arm.json"
    path.write_text(json.dumps(arm))
    assert_one_line_error(run("lint", str(path)), 2, "holds 2 Microsoft.VirtualMachineImages/imageTemplates")
    assert_one_line_error(run("diagnose", str(FAILED_LOG), "--template", str(path)), 2, "exactly one is needed")


def test_usage_error_is_an_annotation_inside_github_actions(tmp_path):
    result = run("monitor", "-g", "rg", "-n", "x", "--budget", "soon", "--format", "github")
    assert_one_line_error(result, 2, "--budget takes a number")
    assert [ln for ln in result.stdout.splitlines() if ln.startswith("::error")] == [
        "::error::monitor: --budget takes a number, not 'soon'. Run 'aib-pilot monitor --help' for the options."]


def test_usage_error_is_a_task_issue_inside_azure_pipelines():
    result = run("monitor", "-g", "rg", "-n", "x", "--budget", "soon", env={"TF_BUILD": "True"})
    assert_one_line_error(result, 2, "--budget takes a number")
    issues = [ln for ln in result.stdout.splitlines() if ln.startswith("##vso[task.logissue type=error")]
    assert len(issues) == 1 and "--budget takes a number" in issues[0]


# -- the GitHub action's entrypoint: inputs named as the workflow names them ---------------------------
def action(**inputs: str):
    env = {"INPUT_" + k.replace("_", "-").upper(): v for k, v in inputs.items()}
    return run(module="aib_pilot.entrypoints.github", env=env)


def test_action_missing_template_names_the_input():
    result = action(command="run", resource_group="rg")
    assert_one_line_error(result, 2, "input 'template' is required for command 'run'")
    assert "::error::input 'template' is required" in result.stdout


def test_action_lint_takes_the_template_input(tmp_path):
    result = action(command="lint", template=str(REPO / "examples" / "templates" / "linux-ubuntu.json"))
    assert result.code in (0, 1), result.output
    assert "aib-pilot: error" not in result.stderr
    assert_one_line_error(action(command="lint"), 2, "input 'template' is required for command 'lint'")


def test_action_bad_poll_interval_suggests_a_poll_interval():
    assert_one_line_error(action(command="monitor", poll_interval="0"), 2,
                          "input 'poll-interval' is '0': give a positive number, e.g. 15.")


def test_lint_report_is_headed_as_a_lint_not_a_diagnosis(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text(json.dumps({"location": "eastus", "properties": {
        "source": {"type": "PlatformImage"},
        "customize": [{"type": "Shell", "name": "pkgs", "inline": ["apt-get install nginx"]}]}}))
    result = run("lint", str(bad))
    assert result.code == 1, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("Lint: 1 error") and "Diagnosis" not in result.stdout
    assert "  customizer: pkgs (Shell, customizer 1)" in result.stdout
    clean = run("lint", str(REPO / "examples" / "demo" / "failing-template.json"))
    assert clean.code == 0 and clean.stdout.splitlines()[0] == "Lint: No problems found in the template."
    md = run("lint", str(bad), "--format", "markdown")
    assert "aib-pilot lint: 1 error" in md.stdout


def test_annotation_evidence_from_the_status_message_is_not_log_line_none():
    result = run("diagnose", "--format", "github", "--status-message",
                 "Failed while waiting for packerizer: Timeout waiting for microservice to complete: "
                 "'context deadline exceeded'")
    assert result.code == 1, result.output
    annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::error")]
    assert annotations and "log line None" not in annotations[0]
    assert "status message: Failed while waiting for packerizer" in annotations[0]


def test_diagnose_with_stdin_closed():
    import subprocess
    import sys

    from tests.qa.helpers import clean_env

    proc = subprocess.run([sys.executable, "-m", "aib_pilot", "diagnose", "-"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=clean_env(), cwd=REPO,
                          pass_fds=(), close_fds=True, preexec_fn=lambda: __import__("os").close(0))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("aib-pilot: error: standard input is closed")
