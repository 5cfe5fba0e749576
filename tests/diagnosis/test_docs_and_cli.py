"""docs/rules.md is generated from the catalogue; the CLI edge: formats, exit codes, bad input."""

import io
import json
import os
import sys

import pytest

from aib_pilot.cli import main
from aib_pilot.diagnosis import SCHEMA, docs

from .conftest import ROOT, example_path, log_path


def test_rules_md_is_up_to_date():
    with open(os.path.join(ROOT, "docs", "rules.md"), encoding="utf-8") as fh:
        current = fh.read()
    assert current == docs.render(), "docs/rules.md is stale: run python -m aib_pilot.diagnosis.docs"


def test_rules_md_documents_every_rule_with_fix_and_reference():
    text = docs.render()
    from aib_pilot.diagnosis.rules import RULES
    for r in RULES:
        section = text.split(f"## {r.id}: ", 1)[1].split("\n## ", 1)[0]
        assert "**Fix.**" in section and "**Why it happens.**" in section and r.reference in section


def run_cli(argv, stdin: bytes | None = None, monkeypatch=None, capsys=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


JSON_KEYS = {"schema", "source", "status", "category", "phase", "findings", "failed_customizer",
           "failing_section", "tail", "timeline", "lines_read", "chain", "engine", "records"}


def test_json_output_keys_and_exit_1_on_failure(capsys, monkeypatch):
    code, out, _ = run_cli(["diagnose", example_path("linux-customizer-failed.log"), "--format", "json",
                            "--template", example_path("linux-template.json")], capsys=capsys)
    assert code == 1
    doc = json.loads(out.strip().splitlines()[-1])
    assert set(doc) == JSON_KEYS and doc["schema"] == SCHEMA
    assert doc["category"] == "package_manager_locked"
    assert doc["failed_customizer"]["line"] == 37
    for item in doc["timeline"]:
        assert set(item) == {"kind", "name", "phase", "start_line", "end_line", "start", "end",
                             "duration_seconds", "status", "exit_code"}
    for f in doc["findings"]:
        assert set(f) == {"rule", "category", "severity", "title", "cause", "fix", "reference", "phase",
                          "kind", "secondary", "evidence"}
        assert f["kind"] in ("specific", "generic", "noise")


def test_success_exit_0(capsys):
    code, out, _ = run_cli(["diagnose", example_path("linux-success.log"), "--format", "json"], capsys=capsys)
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["status"] == "succeeded"


def test_stdin_and_status_message(capsys, monkeypatch):
    data = open(log_path("timeout_prompt.log"), "rb").read()
    code, out, _ = run_cli(["diagnose", "-", "--format", "json", "--status-message",
                            "Failed while waiting for packerizer: Timeout waiting for microservice to complete: "
                            "'context deadline exceeded'"], stdin=data, monkeypatch=monkeypatch, capsys=capsys)
    doc = json.loads(out.strip().splitlines()[-1])
    assert code == 1 and doc["source"] == "-" and doc["category"] == "waiting_for_input"


@pytest.mark.parametrize("fmt", ["text", "github", "azure-devops", "markdown"])
def test_every_format_renders(fmt, capsys):
    code, out, _ = run_cli(["diagnose", example_path("windows-sysprep-failed.log"), "--format", fmt], capsys=capsys)
    assert code == 1 and "sysprep" in out.lower()


@pytest.mark.parametrize("argv,needle", [
    (["diagnose", "/nonexistent/customization.log"], "does not exist"),
    (["diagnose", "."], "is a directory"),
    (["diagnose"], "nothing to diagnose"),
    (["diagnose", "LOG", "--template", "/nonexistent/t.json"], "does not exist"),
    (["diagnose", "LOG", "--template", "BADJSON"], "not a usable image template"),
    (["diagnose", "LOG", "--format", "yaml"], "invalid choice"),
])
def test_bad_input_is_one_line_exit_2(argv, needle, capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"properties": {"customize": [ {"type": "Shell",, } ]}}')
    argv = [example_path("linux-success.log") if a == "LOG" else str(bad) if a == "BADJSON" else a for a in argv]
    code, out, err = run_cli(argv, capsys=capsys)
    assert code == 2
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in err
