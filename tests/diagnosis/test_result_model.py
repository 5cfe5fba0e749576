"""The typed result: every diagnosis, lint and preflight result reads back into the same JSON."""

import glob
import json
import os

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.lint import lint_template
from aib_pilot.diagnosis.result import (LINT_SCHEMA, PREFLIGHT_SCHEMA, SCHEMA, Customizer, Diagnosis, Evidence,
                                        Finding, FrozenResultError, TimelineEntry)
from aib_pilot.preflight.context import Outcome
from aib_pilot.preflight.runner import result_of

from .conftest import HERE, example_path

LOGS = sorted(glob.glob(os.path.join(HERE, "logs", "*")) + glob.glob(example_path("*.log")))
LINUX_TEMPLATE = example_path("linux-template.json")


def as_json(value) -> str:
    """The JSON text as the json format writes it: the key order counts too."""
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("path", LOGS, ids=os.path.basename)
@pytest.mark.parametrize("template", [None, LINUX_TEMPLATE], ids=["no-template", "template"])
def test_every_bundled_log_round_trips(path, template):
    analysis = diagnose(path, template_path=template)
    today = analysis.to_dict()
    typed = analysis.result()
    assert as_json(typed.to_dict()) == as_json(today)
    again = Diagnosis.from_dict(json.loads(as_json(typed.to_dict())))
    assert as_json(again.to_dict()) == as_json(today)
    assert again == typed
    # the typed fields hold what the JSON says
    assert (typed.schema, typed.status, typed.category, typed.phase) == (SCHEMA, today["status"], today["category"],
                                                                        today["phase"])
    assert [f.rule for f in typed.findings] == [f["rule"] for f in today["findings"]]
    assert [[e.line for e in f.evidence] for f in typed.findings] == \
        [[e["line"] for e in f["evidence"]] for f in today["findings"]]
    assert [t.name for t in typed.timeline] == [t["name"] for t in today["timeline"]]
    assert [c.rule for c in typed.chain] == [c["rule"] for c in today["chain"]]
    assert [r.code for r in typed.records] == [r["code"] for r in today["records"]]
    assert typed.failed == analysis.failed
    fc = today["failed_customizer"]
    assert (typed.failed_customizer is None) == (fc is None)
    if fc is not None:
        assert (typed.failed_customizer.name, typed.failed_customizer.line) == (fc["name"], fc["line"])


def test_the_bundled_logs_cover_failures_and_customizers():
    results = [diagnose(p, template_path=LINUX_TEMPLATE).result() for p in LOGS]
    assert len(LOGS) >= 20
    assert sum(r.failed for r in results) >= 10
    assert any(r.failed_customizer and r.failed_customizer.line for r in results)
    assert any(r.chain for r in results) and any(r.records for r in results)
    assert any(any(f.secondary for f in r.findings) or r.failing_section for r in results)


def test_lint_results_round_trip(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text(json.dumps({"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": {
        "customize": [{"type": "Shell", "name": "web", "inline": ["sudo apt-get install nginx"]}]}}, indent=2))
    for path in (LINUX_TEMPLATE, str(bad)):
        result = lint_template(path)
        typed = Diagnosis.from_dict(result)
        assert as_json(typed.to_dict()) == as_json(result)
        assert typed.is_lint and not typed.is_preflight
    typed = Diagnosis.from_dict(lint_template(str(bad)))
    assert typed.findings[0].rule == "AIB501" and typed.findings[0].kind is None
    assert "kind" not in typed.findings[0].to_dict() and "chain" not in typed.to_dict()


def test_preflight_results_round_trip():
    outcomes = [Outcome("vm size", "failed", "Standard_X is not offered in westeurope", rule="AIB609", line=12),
                Outcome("gallery", "could_not_check", "no permission", rule="AIB690", role="Reader", scope="/sub/x"),
                Outcome("identity", "passed", "ok")]
    result = result_of(outcomes, "image.json", 1.23456, lines_read=40, caller="me")
    typed = Diagnosis.from_dict(result)
    assert as_json(typed.to_dict()) == as_json(result)
    assert typed.is_preflight and typed.seconds == 1.235
    assert [c.status for c in typed.checks] == ["failed", "could_not_check", "passed"]
    assert (typed.findings[0].line, typed.findings[0].check) == (12, "vm size")
    assert (typed.findings[1].role, typed.findings[1].scope) == ("Reader", "/sub/x")
    assert typed.findings[0].secondary is None and "secondary" not in typed.findings[0].to_dict()


def test_unknown_and_missing_keys_are_kept_as_they_were():
    saved = {"schema": SCHEMA, "status": "failed", "added_later": {"x": [1, 2]},
             "findings": [{"rule": "AIB101", "evidence": [{"line": 3, "text": "t", "column": 4}], "score": 0.5}],
             "timeline": [{"name": "deploy", "status": "ok", "host": "vm"}]}
    typed = Diagnosis.from_dict(saved)
    assert as_json(typed.to_dict()) == as_json(saved)
    assert typed.extra["added_later"] == {"x": [1, 2]} and typed.findings[0].extra["score"] == 0.5
    assert typed.category is None and typed.failed_customizer is None and typed.tail == ()


def test_objects_built_in_code_write_every_field_and_stay_immutable():
    finding = Finding(rule="AIB101", severity="error", evidence=[Evidence(line=5, text="boom")])
    diag = Diagnosis(status="failed", findings=[finding], failed_customizer=Customizer(name="web", index=0),
                     timeline=[TimelineEntry(name="deploy", status="ok")])
    out = diag.to_dict()
    assert list(out) == list(Diagnosis.KEYS) and list(out["findings"][0]) == list(Finding.KEYS)
    assert out["findings"][0]["evidence"] == [{"line": 5, "text": "boom"}]
    assert isinstance(diag.findings, tuple) and isinstance(diag.findings[0].evidence, tuple)
    with pytest.raises(FrozenResultError):
        diag.status = "succeeded"
    with pytest.raises(TypeError):
        diag.extra["x"] = 1
    assert Diagnosis.from_dict(out) == diag
    with pytest.raises(TypeError):
        Diagnosis(state="failed")  # not a field: a typo is an error, not a silent extra key


def test_replace_changes_a_copy_and_keeps_the_json_keys():
    lint = Diagnosis.from_dict({"schema": LINT_SCHEMA, "status": "failed",
                                "findings": [{"rule": "AIB501", "severity": "error", "evidence": []}]})
    quiet = lint.replace(findings=tuple(f.replace(severity="info", kind="generic") for f in lint.findings))
    assert lint.findings[0].severity == "error" and quiet.findings[0].severity == "info"
    assert quiet.to_dict() == {"schema": LINT_SCHEMA, "status": "failed",
                               "findings": [{"rule": "AIB501", "severity": "info", "evidence": [], "kind": "generic"}]}
    assert quiet != lint and quiet.replace(findings=lint.findings) == lint


def test_other_schemas_are_told_apart():
    assert Diagnosis.from_dict({"schema": LINT_SCHEMA}).is_lint
    assert Diagnosis.from_dict({"schema": PREFLIGHT_SCHEMA}).is_preflight
    assert not Diagnosis().is_lint and not Diagnosis().is_preflight


def test_copies_and_pickles_are_equal_objects():
    import copy
    import pickle

    diag = diagnose(example_path("linux-customizer-failed.log"), template_path=LINUX_TEMPLATE).result()
    for other in (copy.deepcopy(diag), pickle.loads(pickle.dumps(diag)), copy.copy(diag)):
        assert other == diag and as_json(other.to_dict()) == as_json(diag.to_dict())
