"""Every emulator scenario: submit -> monitor -> the right state, diagnosis, failing customizer, saved log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import _scenarios
from tests.flow.conftest import FAST, blob_bytes, run_cli, sample_template

SCENARIOS = _scenarios().SCENARIOS


def _speed(scenario) -> float:
    """About two real seconds of build per scenario, whatever its simulated length."""
    return max(300.0, float(scenario.duration_minutes) * 60.0 / 2.0)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_end_to_end(emulator, rg, tmp_path, name):
    from tests.emulator.scenarios import failing_customizer_index

    scenario = SCENARIOS[name]
    emulator.set_speed(_speed(scenario))
    template, body = sample_template(tmp_path, name)
    logs = tmp_path / "logs"
    submitted = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs),
                        "--format", "json")
    if scenario.submission_fails:
        assert submitted.code == 1, submitted.stderr
        result = submitted.json
    else:
        assert submitted.code == 0, submitted.stderr
        monitored = run_cli(emulator, "monitor", "-g", rg, "-n", submitted.json["template_name"], "--log-dir",
                            str(logs), "--template", str(template), *FAST, "--format", "json")
        assert monitored.code == (0 if scenario.outcome == "Succeeded" else 1), monitored.stderr
        result = monitored.json

    expected_state = "Failed" if scenario.submission_fails else scenario.outcome
    assert result["state"] == expected_state
    if scenario.expected_category:
        assert result["diagnosis"]["category"] == scenario.expected_category, result["diagnosis"]["findings"][:2]
    if scenario.failing_customizer is not None and not scenario.submission_fails:
        index = failing_customizer_index(scenario, body)
        named = result["diagnosis"]["failed_customizer"]
        assert named and named["name"] == body["properties"]["customize"][index]["name"]
        assert named["line"], "the failing customizer points at its line in the template file"
    log_expected = not (scenario.submission_fails or scenario.log_absent or scenario.deny_staging_read)
    if log_expected:
        saved = Path(result["log_path"]).read_bytes()
        assert saved.endswith(b"\n") or scenario.truncate_log
        current = blob_bytes(emulator, result["log_url"])
        if current is not None:
            assert saved == current
    if scenario.outcome == "Succeeded" and not scenario.submission_fails:
        assert result["outputs"] and result["timeline"]
