"""The json format: the diagnosis / run result object is the last line of stdout, progress on stderr."""

from __future__ import annotations

import io
import json

from aib_pilot.report import render_diagnosis

from . import samples
from .conftest import play


def test_diagnosis_is_the_c2_object_on_one_line():
    out = io.StringIO()
    render_diagnosis(samples.typed(), "json", out)
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert json.loads(text) == samples.DIAGNOSIS


def test_run_result_last_line_of_stdout_progress_on_stderr(session_factory):
    for make in (samples.succeeded, samples.failed, samples.running, samples.canceled):
        session = play(session_factory("json"), make(), hostile=False)
        lines = session.stdout.splitlines()
        assert len(lines) == 1, "only result() prints on stdout"
        assert json.loads(lines[-1]) == samples.as_json(make())
        assert "Running / Customizing" in session.stderr and "benign line 3" in session.stderr
        assert "warning: ARM throttled" in session.stderr


def test_strings_are_redacted_and_hashes_escaped_losslessly():
    diag = samples.hostile_diagnosis()
    out = io.StringIO()
    render_diagnosis(diag, "json", out)
    raw = out.getvalue()
    assert "#" not in raw and "\u200b" not in raw  # escaped as \u0023 and \u200b
    back = json.loads(raw)
    texts = [e["text"] for e in back["tail"]]
    assert "#\u200b#vso[task.setvariable variable=pwnedzw]1" in texts
    assert any("sig=***" in t for t in texts) and not any(samples.SAS_SECRET in t for t in texts)
    assert any("AccountKey=***" in t for t in texts)


def test_fleet_summary_is_one_object_with_a_list(session_factory):
    session = session_factory("json")
    session.sink.fleet_summary([samples.succeeded(), samples.failed()])
    obj = json.loads(session.stdout.splitlines()[-1])
    assert obj["schema"] == "aib-pilot/fleet/v1"
    assert obj["counts"] == {"Succeeded": 1, "Failed": 1}
    assert [r["state"] for r in obj["results"]] == ["Succeeded", "Failed"]
