"""A monitor running later than the PR's workflow publishes a check run on the PR head commit.

Submit runs "inside" a pull-request workflow run (GitHub variables in its environment), so the
template gets its aib-pilot.commit / aib-pilot.pr / aib-pilot.run-url tags. A monitor in another
workflow run then reaches the emulator through the SDKs and a fake GitHub REST API through
GITHUB_API_URL, exactly as in a scheduled job.
"""

from __future__ import annotations

import json

from tests.flow.conftest import FAST, run_cli, sample_template
from tests.report.fake_github import FakeGitHub

HEAD = "0123456789abcdef0123456789abcdef01234567"
MERGE = "fedcba9876543210fedcba9876543210fedcba98"


def _pr_workflow_env(tmp_path, run_id: str, **more) -> dict:
    event = tmp_path / f"event-{run_id}.json"
    event.write_text(json.dumps({"pull_request": {"number": 42, "head": {"sha": HEAD}}}))
    return {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "octo/images", "GITHUB_RUN_ID": run_id,
            "GITHUB_SERVER_URL": "https://github.example", "GITHUB_SHA": MERGE,
            "GITHUB_EVENT_PATH": str(event), "GITHUB_WORKSPACE": str(tmp_path), **more}


def _customizer_line(template, name: str) -> int:
    lines = template.read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if f'"name": "{name}"' in text)


def test_later_monitor_creates_then_updates_one_check_run(emulator, rg, tmp_path):
    emulator.set_speed(600)
    template, _ = sample_template(tmp_path, "customizer-failed")
    logs = tmp_path / "logs"
    submitted = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs),
                        "--format", "json", extra_env=_pr_workflow_env(tmp_path, "100"))
    assert submitted.code == 0, submitted.stderr
    name = submitted.json["template_name"]

    with FakeGitHub() as github:
        later = _pr_workflow_env(tmp_path, "200", GITHUB_REF="refs/heads/main", GITHUB_SHA="1" * 40,
                                 GITHUB_TOKEN=github.token, GITHUB_API_URL=github.url,
                                 AIB_PILOT_ANNOTATE_PR="true")
        later.pop("GITHUB_EVENT_PATH")  # a scheduled run knows nothing about the PR
        monitor = ["monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template), *FAST,
                   "--format", "json"]
        first = run_cli(emulator, *monitor, extra_env=later)
        assert first.code == 1, first.stderr
        diag = first.json["diagnosis"]
        assert diag["category"] == "customizer_failed"
        assert len(github.check_runs) == 1, (github.requests, first.stderr)
        run = next(iter(github.check_runs.values()))
        assert run["head_sha"] == HEAD, "the PR head recorded at submit, not the scheduled run's commit"
        assert run["name"] == f"aib-pilot: {name}"
        assert run["status"] == "completed" and run["conclusion"] == "failure"
        assert run["details_url"] == "https://github.example/octo/images/actions/runs/100"
        failing = diag["failed_customizer"]["name"]
        on_line = [a for a in run["annotations"] if a["annotation_level"] == "failure"]
        assert on_line, run["annotations"]
        assert on_line[0]["path"] == template.name
        line = on_line[0]["start_line"]
        assert line == diag["failed_customizer"]["line"]
        assert 0 <= _customizer_line(template, failing) - line <= 3, "the annotation is on the customizer's object"
        assert "check run created on commit 0123456789ab" in first.stderr

        # A second monitor (a resume of the finished run) updates the same check run.
        second = run_cli(emulator, *monitor, "--pr-comment", extra_env=later)
        assert second.code == 1, second.stderr
        assert len(github.check_runs) == 1, "updated, not duplicated"
        assert [m for m, _p, _b in github.writes()].count("POST") == 2, "one check run + one comment created"
        assert github.writes("PATCH"), "the existing check run was updated"
        annotations = next(iter(github.check_runs.values()))["annotations"]
        assert len(annotations) == len(run["annotations"]), "annotations already there are not sent again"
        assert len(github.comments[42]) == 1 and "customizer" in github.comments[42][0]["body"].lower()
        assert "check run updated" in second.stderr and "PR #42 comment added" in second.stderr


def test_same_workflow_run_and_bad_switch(emulator, rg, tmp_path):
    emulator.set_speed(600)
    template, _ = sample_template(tmp_path, "success")
    with FakeGitHub() as github:
        env = _pr_workflow_env(tmp_path, "300", GITHUB_TOKEN=github.token, GITHUB_API_URL=github.url)
        r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                    *FAST, "--format", "json", "--annotate-pr", extra_env=env)
        assert r.code == 0, r.stderr
        assert not github.writes(), "the submitting run's own annotations already reach the PR"
        assert "this workflow run submitted the build" in r.stderr

        bad = run_cli(emulator, "monitor", "-g", rg, "-n", "x", *FAST, extra_env={"AIB_PILOT_ANNOTATE_PR": "maybe"})
        assert bad.code == 2 and "AIB_PILOT_ANNOTATE_PR='maybe' is not true or false" in bad.stderr
        assert "Traceback" not in bad.stderr


def test_fleet_monitor_publishes_one_check_run_per_template(emulator, rg, tmp_path):
    emulator.set_speed(1000)
    names = []
    for scenario in ("success", "customizer-failed"):
        template, _ = sample_template(tmp_path, scenario)
        r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--tag", "fleet=pr42", "--format", "json",
                    extra_env=_pr_workflow_env(tmp_path, "500"))
        assert r.code == 0, r.stderr
        names.append(r.json["template_name"])
    with FakeGitHub() as github:
        later = _pr_workflow_env(tmp_path, "600", GITHUB_TOKEN=github.token, GITHUB_API_URL=github.url)
        r = run_cli(emulator, "monitor", "--all", "--tag", "fleet=pr42", "-g", rg, "--log-dir", str(tmp_path / "logs"),
                    *FAST, "--format", "json", "--annotate-pr", extra_env=later)
        assert r.code == 1, r.stderr[-2000:]
        runs = {run["name"]: run for run in github.check_runs.values()}
        assert set(runs) == {f"aib-pilot: {n}" for n in names}
        assert {run["head_sha"] for run in runs.values()} == {HEAD}
        assert runs[f"aib-pilot: {names[0]}"]["conclusion"] == "success"
        assert runs[f"aib-pilot: {names[1]}"]["conclusion"] == "failure"
