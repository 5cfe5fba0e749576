"""Every emulator scenario: submit -> monitor -> the right state, diagnosis, failing customizer, saved log.

All scenarios run once, concurrently (``aib-pilot run`` = submit + monitor in one process, as a CI
job would), in two speed groups so that each build lasts about two real seconds; the parametrized
tests then check each scenario's outcome. What must be read from the emulator (the log blob) is
recorded right after the runs, before any other test resets it.
"""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from tests.emulator.scenarios import SCENARIOS
from tests.flow.conftest import FAST, blob_bytes, run_cli, sample_template

WORKERS = 8
BATCH = 15


def _os_for(scenario) -> str:
    """The sample OS in which the scenario's failing customizer is the one the catalogue names."""
    from tests.emulator.scenarios import failing_customizer_index, samples

    if scenario.failing_customizer is not None and not scenario.submission_fails:
        for os_name in ("linux", "windows"):
            if failing_customizer_index(scenario, samples.template_for(scenario.name, os_name)) == scenario.failing_customizer:
                return os_name
    return "windows" if any(w in scenario.name for w in ("windows", "sysprep")) else "linux"


def _run_one(emu, rg, folder: Path, name: str) -> dict:
    scenario = SCENARIOS[name]
    folder.mkdir(parents=True, exist_ok=True)
    template, body = sample_template(folder, name, _os_for(scenario))
    r = run_cli(emu, "run", "--template", str(template), "-g", rg, "--log-dir", str(folder / "logs"), *FAST,
                "--format", "json", timeout=180)
    result = r.json if r.stdout.strip() else None
    blob = blob_bytes(emu, result["log_url"]) if result and result.get("log_url") else None
    return {"cli": r, "result": result, "body": body, "blob": blob}


@pytest.fixture(scope="module")
def outcomes(_emulator_session, tmp_path_factory):
    emu = _emulator_session
    emu.reset()
    rg = emu.info["resource_group"]
    base = tmp_path_factory.mktemp("scenarios")
    # Batches of similar length (the emulator's storage account pool holds 24 staging accounts),
    # each at a speed that makes its longest build last about two real seconds.
    by_length = sorted(SCENARIOS, key=lambda n: SCENARIOS[n].duration_minutes)
    found: dict[str, dict] = {}
    for start in range(0, len(by_length), BATCH):
        names = by_length[start:start + BATCH]
        emu.reset()
        emu.set_speed(max(300.0, max(SCENARIOS[n].duration_minutes for n in names) * 30.0))
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            futures = {n: pool.submit(_run_one, emu, rg, base / n, n) for n in names}
            found.update({n: f.result() for n, f in futures.items()})
    emu.reset()
    return found


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_end_to_end(outcomes, name):
    from tests.emulator.scenarios import failing_customizer_index

    scenario = SCENARIOS[name]
    got = outcomes[name]
    cli, result, body = got["cli"], got["result"], got["body"]
    expected_state = "Failed" if scenario.submission_fails else scenario.outcome
    assert result is not None, cli.stderr[-2000:]
    assert cli.code == (0 if expected_state == "Succeeded" else 1), cli.stderr[-2000:]
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
        if got["blob"] is not None:
            assert saved == got["blob"], "the saved log is the blob, byte for byte"
    if scenario.delete_staging_midbuild and result["log_path"]:
        assert Path(result["log_path"]).stat().st_size > 0  # what was read before the deletion is kept
    if scenario.deny_staging_read:
        assert result["log_path"] is None
        assert "az role assignment create --assignee" in cli.stderr
        assert '--role "Storage Blob Data Reader"' in cli.stderr or '--role "Reader"' in cli.stderr
    if scenario.expected_category == "sig_replication_timeout":
        assert result["published_anyway"] is scenario.run_outputs_on_failure
    if scenario.outcome == "Succeeded" and not scenario.submission_fails:
        assert result["outputs"] and result["timeline"]
    if scenario.outcome == "PartiallySucceeded":  # only what was produced is listed as an output
        assert result["outputs"] and all(o["artifact_id"] or o["artifact_uri"] for o in result["outputs"])
        assert len(result["outputs"]) < len(body["properties"]["distribute"])
    if scenario.deny_staging_read:
        assert "staging resource group may already be deleted" not in cli.stderr, "the real reason is named"
