"""Attacks on aib-pilot as a hostile template, step input, log or Azure answer would make them.

Each test is the attack: the payload, what must (and must not) appear on stdout AND stderr, and
the files that must not change. Output is parsed the way the runners parse it (tests/report/
runners.py, folding what a culture-aware ICU search skips), so a command hidden behind an
ignorable character counts as executed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.qa.helpers import REPO, run
from tests.report.runners import ado_commands, github_commands

FAILED_LOG = REPO / "examples" / "logs" / "linux-customizer-failed.log"
FORMATS = ("text", "json", "github", "azure-devops", "markdown")

# The review's payloads for step inputs, file names and template keys, plus characters that a
# culture-aware search skips (U+0600, U+06DD, U+FFF9, a Hebrew point) and full-width look-alikes.
INJECTIONS = (
    "x\n::set-output name=state::Succeeded",
    "##vso[task.setvariable variable=state]Succeeded",
    "x\r\n##[set-output name=state;]Succeeded",
    "#\u0600#vso[task.setvariable variable=state]Succeeded",
    "x\n\ufff9::add-mask::aib",
    "x #\u06dd#[error]pwned",
    "x\n:\u05b0:warning::pwned",
    "\uff03\uff03vso[task.complete result=Succeeded;]",
    "#\x01#vso[task.setvariable variable=state]Succeeded",  # an ASCII control ICU ignores too
)


# What aib-pilot's own reports may print (the data of each is checked by the format's own tests).
AUTHORED_GH = ("error", "warning", "notice", "stop-commands", "resume-commands", "group", "endgroup")
AUTHORED_ADO = ("task.logissue", "task.setvariable", "task.uploadsummary", "task.complete")


def foreign_commands(text: str, allowed_github=("error",), allowed_ado=("task.logissue",)) -> list:
    """Commands in ``text`` that aib-pilot's error reporting does not author itself."""
    found = [c for c in github_commands(text) if c.name not in allowed_github]
    found += [c for c in ado_commands(text) if c.name not in allowed_ado]
    return found


# -- item 1: error lines on stderr are neutralised like stdout --------------------------------------
@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_in_an_error_line_is_no_command_on_either_stream(payload, fmt):
    result = run("diagnose", payload + ".log", "--format", fmt)
    assert result.code == 2, result.output
    assert foreign_commands(result.stdout) == [] and foreign_commands(result.stderr) == []
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("aib-pilot: error: log file "), result.stderr


@pytest.mark.parametrize("payload", INJECTIONS)
def test_a_github_step_input_in_an_error_line_is_no_command(payload, tmp_path):
    env = {"GITHUB_ACTIONS": "true", "INPUT_COMMAND": "monitor", "INPUT_FORMAT": "github",
           "INPUT_BUDGET-MINUTES": payload, "INPUT_TEMPLATE": payload, "INPUT_NAME": "n",
           "INPUT_RESOURCE-GROUP": "rg"}
    result = run(module="aib_pilot.entrypoints.github", env=env, cwd=tmp_path)
    assert result.code == 2, result.output
    assert foreign_commands(result.stdout) == [] and foreign_commands(result.stderr) == []
    assert result.stderr.startswith("aib-pilot: error: input 'budget-minutes' is ")


@pytest.mark.parametrize("payload", INJECTIONS)
def test_an_azure_devops_step_input_in_an_error_line_is_no_command(payload, tmp_path):
    env = {"TF_BUILD": "True", "INPUT_COMMAND": "monitor", "INPUT_BUDGETMINUTES": payload}
    result = run(module="aib_pilot.entrypoints.azure_devops", env=env, cwd=tmp_path)
    assert result.code == 2, result.output
    assert foreign_commands(result.stdout) == [] and foreign_commands(result.stderr) == []
    assert [c.name for c in ado_commands(result.stdout)] == ["task.logissue"]
    assert result.stderr.startswith("aib-pilot: error: input 'budgetMinutes' is ")


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize("fmt", ["github", "azure-devops", "text", "json"])
def test_a_template_key_quoted_by_the_loader_is_no_command(fmt, payload, tmp_path):
    """The loader names the JSON path of an ARM expression it cannot evaluate (in an ARM deployment
    template), so the key -- the payload -- is quoted in the error line."""
    resource = json.loads((REPO / "examples/logs/linux-template.json").read_text())
    resource.update(type="Microsoft.VirtualMachineImages/imageTemplates", name="t", location="westeurope")
    resource["properties"][payload] = "[concat('a', 'b')]"
    doc = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "contentVersion": "1.0.0.0", "resources": [resource]}
    template = tmp_path / "t.json"
    template.write_text(json.dumps(doc))
    before = template.read_bytes()
    result = run("submit", "--template", str(template), "-g", "rg", "--format", fmt)
    assert result.code == 2, result.output
    assert foreign_commands(result.stdout) == [] and foreign_commands(result.stderr) == []
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and "uses the ARM expression" in errors[0], result.stderr
    assert template.read_bytes() == before


@pytest.mark.parametrize("fmt", ["github", "azure-devops", "text"])
def test_a_template_key_with_line_breaks_is_no_command(fmt, tmp_path):
    """A template whose JSON key holds newlines (quoted by lint and diagnose messages)."""
    doc = json.loads((REPO / "examples/logs/linux-template.json").read_text())
    for payload in INJECTIONS:
        doc["properties"][payload] = 1
        doc["properties"]["customize"][0][payload] = payload
    template = tmp_path / "t.json"
    template.write_text(json.dumps(doc))
    before = template.read_bytes()
    for args in (("lint", str(template)), ("diagnose", str(FAILED_LOG), "--template", str(template))):
        result = run(*args, "--format", fmt)
        assert result.code in (0, 1), result.output
        for stream in (result.stdout, result.stderr):
            assert foreign_commands(stream, AUTHORED_GH, AUTHORED_ADO) == []
            assert not [c for c in ado_commands(stream) if c.props.get("variable") == "state"]
    assert template.read_bytes() == before


# -- item 2: every secret the environment gives is masked in every output ----------------------------
SECRET = "Qz8~sp-Secret.Value_4711"
TOKEN = "ghs_oidcRequestTokenNotShapedLikeAJwt"


def log_echoing(tmp_path: Path, *values: str) -> Path:
    """The failed example log, with a customizer that echoed the values inside the failing section."""
    lines = FAILED_LOG.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "Could not get lock" in line)
    echoed = [f"[45f485cf-5a8c-4379-9937-8d85493bc791] PACKER OUT     azure-arm: E: login with {v} failed\n"
              for v in values]
    path = tmp_path / "customization.log"
    path.write_text("".join(lines[:at] + echoed + lines[at:]))
    return path


def test_github_secrets_are_masked_in_outputs_summary_and_streams(tmp_path):
    log = log_echoing(tmp_path, SECRET, TOKEN)
    env = {"GITHUB_ACTIONS": "true", "AZURE_CLIENT_SECRET": SECRET, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": TOKEN,
           "GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}
    result = run("diagnose", str(log), "--format", "github", env=env)
    assert result.code == 1, result.output
    outputs = (tmp_path / "out").read_text()
    summary = (tmp_path / "summary").read_text()
    assert "diagnosis-json" in outputs and "***" in outputs + summary
    for text in (result.stdout, result.stderr, outputs, summary):
        assert SECRET not in text and TOKEN not in text


def test_azure_devops_connection_key_is_masked_in_variable_and_summary(tmp_path):
    log = log_echoing(tmp_path, SECRET)
    conn = "3f1c2a9e-0000-4000-8000-00000000abcd"
    env = {"TF_BUILD": "True", "AGENT_TEMPDIRECTORY": str(tmp_path),
           f"ENDPOINT_AUTH_PARAMETER_{conn}_SERVICEPRINCIPALKEY": SECRET}
    result = run("diagnose", str(log), "--format", "azure-devops", env=env)
    assert result.code == 1, result.output
    variables = [c for c in ado_commands(result.stdout) if c.name == "task.setvariable"]
    assert any(c.props.get("variable") == "diagnosisJson" for c in variables)
    summaries = list(tmp_path.glob("aib-pilot-*.md"))
    assert summaries
    for text in (result.stdout, result.stderr, *(p.read_text() for p in summaries)):
        assert SECRET not in text


@pytest.mark.parametrize("fmt", ["json", "markdown", "text"])
def test_the_secret_is_masked_in_the_plain_formats(fmt, tmp_path):
    log = log_echoing(tmp_path, SECRET)
    result = run("diagnose", str(log), "--format", fmt, env={"AZURE_CLIENT_SECRET": SECRET})
    assert result.code == 1 and "login with" in result.stdout, result.output
    assert SECRET not in result.stdout + result.stderr


# -- item 8: characters a culture-aware search skips --------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_log_lines_hidden_behind_ignorable_characters_are_no_command(fmt, tmp_path):
    payloads = ["#\u0600#vso[task.setvariable variable=pwned]1", "\ufff9::set-output name=pwned::1",
                "#\u070f#[set-output name=pwned;]1", "##\u0640vso[task.complete result=Succeeded;]",
                ":\u05b0:add-mask::aib", "\uff03\uff03vso[task.setvariable variable=pwned]1"]
    log = log_echoing(tmp_path, *payloads)
    result = run("diagnose", str(log), "--format", fmt)
    assert result.code == 1, result.output
    bad = foreign_commands(result.stdout + result.stderr, AUTHORED_GH, AUTHORED_ADO)
    bad += [c for c in ado_commands(result.stdout) if c.props.get("variable") == "pwned"]
    assert bad == []
    assert "pwned" in result.stdout  # the text is shown, only disarmed


# -- item 9: template text in Markdown prose links or notifies nobody --------------------------------
def _prose_outside_code(markdown: str) -> str:
    """The Markdown with fenced blocks and code spans removed: what GitHub would link or mention in."""
    import re

    without_fences = re.sub(r"(?ms)^(\s*)(`{3,}).*?^\s*\2\s*$", "", markdown)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", without_fences)


def test_customizer_names_do_not_mention_or_autolink_in_the_summary(tmp_path):
    doc = json.loads((REPO / "examples/logs/linux-template.json").read_text())
    for index, customizer in enumerate(doc["properties"]["customize"]):
        customizer["name"] = f"cc @octocat see https://evil.example/x{index}.png www.evil.example #12"
    template = tmp_path / "t.json"
    template.write_text(json.dumps(doc))
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(tmp_path / "o")}
    gh = run("diagnose", str(FAILED_LOG), "--template", str(template), "--format", "github", env=env)
    md = run("diagnose", str(FAILED_LOG), "--template", str(template), "--format", "markdown")
    assert gh.code == md.code == 1, gh.output + md.output
    for text in (summary.read_text(), md.stdout):
        assert "@octocat" in text  # the name is shown ...
        prose = _prose_outside_code(text)
        for linkable in ("@octocat", "https://evil", "www.evil", "#12"):
            assert linkable not in prose, [ln for ln in prose.splitlines() if linkable in ln]
