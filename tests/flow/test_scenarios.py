"""Every emulator scenario: submit -> monitor -> the right state, diagnosis, failing customizer, saved log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulator.scenarios import SCENARIOS
from tests.flow.conftest import FAST, blob_bytes, run_cli, sample_template




def _os_for(scenario) -> str:
    """The sample OS in which the scenario's failing customizer is the one the catalogue names."""
    from tests.emulator.scenarios import failing_customizer_index, samples

    if scenario.failing_customizer is not None and not scenario.submission_fails:
        for os_name in ("linux", "windows"):
            if failing_customizer_index(scenario, samples.template_for(scenario.name, os_name)) == scenario.failing_customizer:
                return os_name
    return "windows" if any(w in scenario.name for w in ("windows", "sysprep")) else "linux"


def _speed(scenario) -> float:
    """About two real seconds of build per scenario, whatever its simulated length."""
    return max(300.0, float(scenario.duration_minutes) * 60.0 / 2.0)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_end_to_end(emulator, rg, tmp_path, name):
    from tests.emulator.scenarios import failing_customizer_index

    scenario = SCENARIOS[name]
    emulator.set_speed(_speed(scenario))
    template, body = sample_template(tmp_path, name, _os_for(scenario))
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
    log_expected = not (scenario.submission_fails or scenario.log_absent or scenario.deny_staging_read
                        or scenario.delete_staging_midbuild)
    if scenario.failing_customizer is not None and log_expected:
        index = failing_customizer_index(scenario, body)
        named = result["diagnosis"]["failed_customizer"]
        assert named and named["name"] == body["properties"]["customize"][index]["name"]
        assert named["line"], "the failing customizer points at its line in the template file"
    if log_expected:
        saved = Path(result["log_path"]).read_bytes()
        assert saved.endswith(b"\n") or scenario.truncate_log
        current = blob_bytes(emulator, result["log_url"])
        if current is not None:
            assert saved == current
    if scenario.delete_staging_midbuild and result["log_path"]:
        assert Path(result["log_path"]).stat().st_size > 0  # what was read before the deletion is kept
    if scenario.deny_staging_read:
        assert result["log_path"] is None
        assert "az role assignment create --assignee" in monitored.stderr
        assert '--role "Storage Blob Data Reader"' in monitored.stderr or '--role "Reader"' in monitored.stderr
    if scenario.expected_category == "sig_replication_timeout":
        assert result["published_anyway"] is scenario.run_outputs_on_failure
    if scenario.outcome == "Succeeded" and not scenario.submission_fails:
        assert result["outputs"] and result["timeline"]
