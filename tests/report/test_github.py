"""The github format: annotations, groups, masks, stop-commands, outputs file and step summary."""

from __future__ import annotations

import copy
import io
import json

from aib_pilot.report import make_sink, render_diagnosis
from aib_pilot.report.facts import OUTPUT_NAMES

from . import samples
from .conftest import SECRET, TEMPLATE, parse_env_file, play
from .runners import github_commands


def test_error_annotation_on_the_failing_customizer_line(session_factory):
    session = play(session_factory("github"), samples.failed(), hostile=False)
    annotations = [c for c in github_commands(session.stdout) if c.name in ("error", "warning", "notice")
                   and c.props.get("file")]
    assert len(annotations) == 1  # one per place: the warning joins it, the info finding is dropped
    first = annotations[0]
    assert first.name == "error"
    assert first.props == {"file": TEMPLATE, "line": "41", "title": "AIB101 A Shell customizer exited with a non-zero code"}
    lines = first.data.splitlines()
    assert lines[0] == "Failing customizer: install-nginx (Shell, customizer 2)"
    assert "Fix: Fix the script (see the last lines below); run it on a VM from the same source image to reproduce." in lines
    assert "log line 1851: ==> azure-arm: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]" in lines
    assert lines[-1] == "Also found here: AIB121 apt/dpkg lock held by another process"


def test_findings_elsewhere_get_their_own_file_annotation_and_order_is_kept():
    diag = copy.deepcopy(samples.DIAGNOSIS)
    diag["findings"].insert(0, dict(diag["findings"][1], rule="AIB610", title="Gallery replication failed",
                                    phase="distribute", severity="error"))
    out = io.StringIO()
    render_diagnosis(samples.typed(diag), "github", out, template_path=TEMPLATE, env={})
    issued = [c for c in github_commands(out.getvalue()) if c.name in ("error", "warning", "notice")]
    assert [(c.props["title"].split()[0], c.props.get("line")) for c in issued] == [("AIB610", None), ("AIB101", "41")]
    assert all(c.props["file"] == TEMPLATE for c in issued)
    assert "Failing customizer" not in issued[0].data


def test_info_findings_are_annotated_only_when_nothing_worse_exists():
    diag = copy.deepcopy(samples.DIAGNOSIS)
    diag["findings"] = [diag["findings"][2]]
    out = io.StringIO()
    render_diagnosis(samples.typed(diag), "github", out, template_path=TEMPLATE, env={})
    issued = [c for c in github_commands(out.getvalue()) if c.name in ("error", "warning", "notice")]
    assert [(c.name, c.props["title"].split()[0]) for c in issued] == [("notice", "AIB190")]


def test_at_most_ten_annotations_per_level_and_step():
    out = io.StringIO()
    sink = make_sink("github", out=out, env={})
    sent = [sink.issue("warning", f"w{i}") for i in range(12)]
    assert sent == [True] * 10 + [False] * 2
    sink.result(samples.failed(), template_path=TEMPLATE)  # errors have their own budget
    names = [c.name for c in github_commands(out.getvalue()) if c.name in ("error", "warning")]
    assert names.count("warning") == 10 and names.count("error") == 1


def test_properties_and_data_are_escaped():
    sink_out = io.StringIO()
    sink = make_sink("github", out=sink_out, env={})
    diag = copy.deepcopy(samples.DIAGNOSIS)
    diag["findings"] = [dict(diag["findings"][1], title="50% done, then: boom", cause="a\r\nb %0A c")]
    sink.diagnosis(samples.typed(diag), template_path="dir,with:odd/t.json")
    line = sink_out.getvalue().splitlines()[0]
    assert line.startswith("::error file=dir%2Cwith%3Aodd/t.json,line=41,title=AIB101 50%25 done%2C then%3A boom::")
    parsed = github_commands(line)[0]
    assert parsed.props["title"] == "AIB101 50% done, then: boom"
    assert parsed.props["file"] == "dir,with:odd/t.json"
    assert "Cause: a\nb %0A c" in parsed.data


def test_groups_masks_and_stop_commands(session_factory):
    session = play(session_factory("github"), samples.succeeded(), hostile=False)
    lines = session.stdout.splitlines()
    assert lines[0] == f"::add-mask::{SECRET}"
    assert "::group::update-packages" in lines and "::group::install-nginx" in lines
    # groups never nest: the second group closes the first
    first, second = lines.index("::group::update-packages"), lines.index("::group::install-nginx")
    assert "::endgroup::" in lines[first:second]
    stop = next(l for l in lines if l.startswith("::stop-commands::"))
    token = stop.split("::")[2]
    assert len(token) >= 32 and f"::{token}::" in lines
    inside = lines[lines.index(stop) + 1: lines.index(f"::{token}::")]
    assert inside[0] == "    azure-arm: benign line 0"
    assert not any(SECRET in l for l in lines[1:])
    assert "line with the secret *** inside" in lines


def test_outputs_file_heredoc_with_random_delimiters(session_factory):
    session = play(session_factory("github"), samples.failed(), hostile=False)
    raw = session.output_file.read_text()
    values = parse_env_file(raw)
    assert list(values) == list(OUTPUT_NAMES)
    assert values["state"] == "Failed" and values["run-state"] == "Failed"
    assert values["template-name"] == "ubuntu-nginx" and values["template-id"] == samples.TEMPLATE_ID
    assert values["category"] == "customizer_failed" and values["phase"] == "customize"
    assert values["failed-customizer"] == "install-nginx" and values["failed-customizer-line"] == "41"
    assert values["rule"] == "AIB101"
    assert values["log-path"] == "/github/workspace/aib-logs/ubuntu-nginx/customization.log"
    assert json.loads(values["diagnosis-json"]) == samples.DIAGNOSIS
    delimiters = [line.split("<<", 1)[1] for line in raw.splitlines() if "<<" in line]
    assert len(set(delimiters)) == len(delimiters) and all(len(d) >= 32 for d in delimiters)
    assert "EOF" not in delimiters


def test_outputs_of_a_succeeded_run(session_factory):
    session = play(session_factory("github"), samples.succeeded(), hostile=False)
    values = parse_env_file(session.output_file.read_text())
    assert values["artifact-id"].endswith("/versions/1.0.42")
    assert json.loads(values["outputs-json"])[0]["name"] == "ubuntu-nginx-sig"
    assert values["category"] == "" and values["diagnosis-json"] == ""
    assert values["elapsed-seconds"] == "2470"


def test_running_result_gives_a_notice_and_the_resume_command(session_factory):
    session = play(session_factory("github"), samples.running(), hostile=False)
    notices = [c for c in github_commands(session.stdout) if c.name == "notice"]
    assert notices and "aib-pilot monitor --resource-group rg-images" in notices[0].data
    values = parse_env_file(session.output_file.read_text())
    assert values["state"] == "Running" and values["run-sub-state"] == "Customizing"
    assert values["resume-command"].startswith("aib-pilot monitor")


def test_canceled_result_is_an_error_annotation(session_factory):
    session = play(session_factory("github"), samples.canceled(), hostile=False)
    errors = [c for c in github_commands(session.stdout) if c.name == "error" and "file" in c.props]
    assert len(errors) == 1 and errors[0].props["title"] == "AIB build Canceled: ubuntu-nginx"


def test_step_summary_is_the_markdown_report(session_factory):
    session = play(session_factory("github"), samples.failed(), hostile=False)
    summary = session.summary_file.read_text()
    assert summary.startswith("### ❌ aib-pilot: `ubuntu-nginx` Failed")
    assert "```mermaid" in summary and "#### Findings" in summary
    assert "Full log saved to" in summary


def test_no_files_without_the_runner_variables(session_factory, tmp_path):
    session = play(session_factory("github", with_env=False), samples.failed(), hostile=False)
    assert list(session.tmp.iterdir()) == []
    assert "::error" in session.stdout


def test_progress_warnings_keep_room_for_the_result_annotations():
    out = io.StringIO()
    sink = make_sink("github", out=out, env={})
    for i in range(12):
        sink.error(f"transient problem {i}")
    sink.result(samples.failed(), template_path=TEMPLATE)
    errors = [c for c in github_commands(out.getvalue()) if c.name == "error"]
    assert len(errors) == 4  # 3 progress + the one error finding; the rest printed plainly
    assert errors[-1].props.get("line") == "41"
    assert "error: transient problem 11" in out.getvalue()


def test_fleet_summary_outputs_and_summary(session_factory):
    session = session_factory("github")
    session.sink.fleet_summary([samples.succeeded(), samples.failed(), samples.running()])
    values = parse_env_file(session.output_file.read_text())
    assert values["state"] == "Failed"
    rows = json.loads(values["fleet-json"])
    assert [r["state"] for r in rows] == ["Succeeded", "Failed", "Running"]
    assert "| Template | State |" in session.summary_file.read_text()


def test_customizer_line_output_when_the_diagnosis_has_no_file(session_factory):
    result, diag = samples.failed(), copy.deepcopy(samples.DIAGNOSIS)
    del diag["failed_customizer"]["file"]
    result["diagnosis"] = samples.typed(diag)
    session = play(session_factory("github"), result, hostile=False)
    values = parse_env_file(session.output_file.read_text())
    assert values["failed-customizer-line"] == "41"


def test_generic_findings_are_not_annotated_beside_a_specific_one():
    diag = copy.deepcopy(samples.DIAGNOSIS)
    summary = dict(diag["findings"][1], rule="AIB203", title="Packer reported that the build errored",
                   category="unknown", phase="pipeline")
    wrapper = dict(diag["findings"][1], rule="AIB201", title="Packer build command failed", kind="generic")
    diag["findings"] += [summary, wrapper]
    out = io.StringIO()
    render_diagnosis(samples.typed(diag), "github", out, template_path=TEMPLATE, env={})
    issued = [c for c in github_commands(out.getvalue()) if c.name in ("error", "warning", "notice")]
    assert [c.props["title"].split()[0] for c in issued] == ["AIB101"]
    assert "AIB203" in out.getvalue() and "AIB201" in out.getvalue()  # still in the echoed report
