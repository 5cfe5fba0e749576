"""The sink surface: FORMATS, make_sink errors, bounded outputs, facts of a diagnosis."""

from __future__ import annotations

import copy
import io
import json

import pytest

from aib_pilot.errors import UsageError
from aib_pilot.report import FORMATS, make_sink, render_diagnosis
from aib_pilot.report.facts import MAX_OUTPUT_BYTES, bounded_json, headline, worst_state

from . import samples


def test_formats_and_sink_methods():
    assert FORMATS == ("text", "json", "github", "azure-devops", "markdown")
    for fmt in FORMATS:
        sink = make_sink(fmt, out=io.StringIO(), env={}, err=io.StringIO())
        for method in ("info", "warning", "error", "secret", "transition", "heartbeat", "group_start",
                       "group_end", "log_lines", "result", "fleet_summary"):
            assert callable(getattr(sink, method))


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError) as info:
        make_sink("yaml", out=io.StringIO(), env={})
    assert "yaml" in info.value.one_line() and "text, json, github, azure-devops, markdown" in info.value.one_line()
    with pytest.raises(UsageError):
        render_diagnosis(samples.typed(), "xml", io.StringIO())


def test_diagnosis_json_output_is_shortened_but_valid():
    diag = copy.deepcopy(samples.DIAGNOSIS)
    diag["tail"] = [{"line": i, "text": "x" * 400} for i in range(5000)]
    text = bounded_json(samples.typed(diag))
    assert len(text.encode()) <= MAX_OUTPUT_BYTES
    back = json.loads(text)
    assert back["category"] == "customizer_failed" and len(back["tail"]) == 20
    assert json.loads(bounded_json(samples.typed())) == samples.DIAGNOSIS


def test_headline_without_failure_and_worst_state():
    assert headline(samples.typed({"status": "succeeded", "findings": []})) == "No failure found (succeeded)."
    assert headline(samples.typed({"status": "failed", "category": "quota_or_capacity", "phase": "deploy"})) == \
        "quota_or_capacity in phase deploy"
    assert worst_state([samples.succeeded(), samples.running()]) == "Running"
    assert worst_state([samples.running(), samples.canceled(), samples.succeeded()]) == "Canceled"


def test_succeeded_diagnosis_makes_no_annotation():
    out = io.StringIO()
    render_diagnosis(samples.typed({"schema": "aib-pilot/diagnosis/v1", "status": "succeeded", "category": "unknown",
                                    "phase": None, "findings": [], "failed_customizer": None,
                                    "failing_section": None, "tail": [], "timeline": [], "lines_read": 10}),
                     "github", out, env={})
    assert "::error" not in out.getvalue() and "No failure found" in out.getvalue()


@pytest.mark.parametrize("text,seconds", [("2026-11-25T22:00:05.1234567Z", 5.123456),
                                          ("2026-11-25T22:00:05Z", 5.0),
                                          ("2026-11-25T23:00:05.5+01:00", 5.5)])
def test_azure_timestamps(text, seconds):
    from datetime import datetime, timezone
    from aib_pilot.report.facts import parse_time
    base = datetime(2026, 11, 25, 22, 0, 0, tzinfo=timezone.utc)
    assert abs((parse_time(text) - base).total_seconds() - seconds) < 1e-6
    assert parse_time("not a time") is None
