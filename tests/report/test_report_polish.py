"""Text and Markdown reports of a real diagnosis: status evidence, no-template hint, folded
wrapper findings, and skipped customizers in template order."""

from __future__ import annotations

import io
import json

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.result import Finding
from aib_pilot.report import facts, render_diagnosis

from . import samples
from .test_live_log import scenario_lines

STATUS = ("Failed while waiting for packerizer: Microservice has failed: Failed while processing request: "
          "Error when executing packerizer: Packer build command has failed: exit status 1.")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The customizer-failed scenario: customizer 1 of 3 fails, 2 and 3 never run."""
    from tests.emulator.scenarios.samples import template_for

    folder = tmp_path_factory.mktemp("polish")
    template = folder / "image.json"
    template.write_text(json.dumps(template_for("customizer-failed", None), indent=2))
    log = folder / "customization.log"
    log.write_text("\n".join(scenario_lines("customizer-failed")) + "\n")
    diag = diagnose(str(log), status_message=STATUS, template_path=str(template)).to_dict()
    return diag, str(template)


def render(diag, fmt, template_path=None) -> str:
    out = io.StringIO()
    render_diagnosis(samples.typed(diag), fmt, out, template_path=template_path, env={"NO_COLOR": "1"})
    return out.getvalue()


def test_status_evidence_is_labelled_status(real):
    diag, template = real
    diag = dict(diag, findings=[f for f in diag["findings"] if f["rule"] != "AIB202"])  # shown in full
    assert any(e["line"] is None for f in diag["findings"] for e in f["evidence"])  # the premise
    for fmt in ("text", "markdown"):
        text = render(diag, fmt, template)
        assert "None |" not in text, fmt
        assert "status | Failed while waiting for packerizer" in text, fmt


def test_missing_template_is_a_hint_not_a_broken_sentence(real):
    diag, _ = real
    diag = dict(diag, failed_customizer=dict(diag["failed_customizer"], file=None, line=None))
    text = render(diag, "text")
    line = next(x for x in text.splitlines() if x.strip().startswith("failing customizer:"))
    assert line.endswith("(pass --template to point at its line)") and "not given" not in line
    assert "(pass `--template` to point at its line)" in render(diag, "markdown")
    with_template = render(real[0], "text", real[1])
    assert f"at {real[1]}:" in next(x for x in with_template.splitlines() if "failing customizer:" in x)


def test_wrapper_findings_fold_into_one_line_after_the_cause(real):
    diag, template = real
    rules = [f["rule"] for f in diag["findings"]]
    assert rules[:3] == ["AIB202", "AIB201", "AIB203"]  # the premise: wrappers ranked after the cause
    text = render(diag, "text", template)
    assert "1. [AIB202]" in text and "[AIB201]" not in text and "[AIB203]" not in text
    also = [x for x in text.splitlines() if x.startswith("Also reported")]
    assert len(also) == 1
    assert "AIB201 Packer build command failed (wrapper message)" in also[0]
    assert "AIB203 Packer reported that the build errored (summary line)" in also[0]
    markdown = render(diag, "markdown", template)
    assert "1. **AIB202" in markdown and "2. **" not in markdown
    assert "_Also reported (wrappers of the cause above):_ `AIB201` Packer build command failed" in markdown


def test_generic_findings_keep_full_entries_when_nothing_specific_exists(real):
    diag, template = real
    diag = dict(diag, findings=[f for f in diag["findings"] if f["rule"] != "AIB202"])
    text = render(diag, "text", template)
    assert "1. [AIB201]" in text and "2. [AIB203]" in text and "Also reported" not in text


def test_kind_from_diagnosis_decides_when_given():
    specific_title = {"rule": "X1", "category": "customizer_failed", "title": "A summary of the failure"}
    assert not facts.is_specific(Finding.from_dict(specific_title))  # title heuristic
    assert facts.is_specific(Finding.from_dict(dict(specific_title, kind="specific")))
    assert not facts.is_specific(Finding(rule="X2", category="quota_or_capacity", title="Quota", kind="generic"))
    assert facts.is_specific(Finding.from_dict({"rule": "X3", "category": "quota_or_capacity", "title": "Quota exceeded"}))


def test_skipped_customizers_follow_the_last_run_one_before_cleanup(real):
    diag, template = real
    names = [i["name"] for i in diag["timeline"]]
    assert names.index("Cleanup") < names.index("index-page")  # the premise: diagnosis appends them
    text = render(diag, "text", template)
    timeline = [x.strip() for x in text[text.index("Timeline:"):].splitlines()[1:] if x.strip()]
    order = [x.split()[0] for x in timeline]
    assert order.index("update-and-install-nginx") < order.index("index-page") < order.index("publish-page") \
        < order.index("Cleanup")
    markdown = render(diag, "markdown", template)
    table = markdown[markdown.index("| Step | Status | Duration |"):]
    assert table.index("`index-page`") < table.index("`publish-page`") < table.index("`Cleanup`")


def test_display_timeline_when_no_customizer_ran():
    timeline = [{"kind": "phase", "name": "Deploy", "phase": "deploy", "status": "ok"},
                {"kind": "phase", "name": "Connect", "phase": "connect", "status": "failed"},
                {"kind": "phase", "name": "Cleanup", "phase": "cleanup", "status": "ok"},
                {"kind": "customizer", "name": "a", "phase": "customize", "status": "skipped"},
                {"kind": "customizer", "name": "b", "phase": "customize", "status": "skipped"}]
    timeline = samples.timeline(timeline)
    assert [i.name for i in facts.display_timeline(timeline)] == ["Deploy", "Connect", "a", "b", "Cleanup"]
    assert facts.display_timeline(timeline[:3]) == list(timeline[:3])
