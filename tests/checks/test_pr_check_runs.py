"""PR check runs land where the pull request shows them, with the build's real start and end.

The environment is the one a real ``pull_request`` workflow run has: ``GITHUB_REF`` is
``refs/pull/<n>/merge``, ``GITHUB_SHA`` the merge commit GitHub made for the run, and the event file
at ``GITHUB_EVENT_PATH`` holds the pull request with its head commit (docs/sources.md#github-pr).
Requests go to the local fake GitHub, which checks each against GitHub's REST description when
that is beside the checkout (tests/github_schemas.py).
"""
from __future__ import annotations

import copy
import json

import pytest

from aib_pilot.azure.ci_context import ci_tags, pr_target
from aib_pilot.report.github_checks import ANNOTATION_MESSAGE_BYTES, check_annotation, publish_from_environment
from tests import github_schemas
from tests.report import samples
from tests.report.fake_github import FakeGitHub

REPO = "contoso/images"
HEAD = "4b1c0d2e3f405162738495a6b7c8d9e0f1a2b3c4"    # the PR's head commit
MERGE = "e0d1c2b3a4958677869504a3b2c1d0e9f8a7b6c5"   # GitHub's test merge commit for the run


def pull_request_env(tmp_path, fake: FakeGitHub | None = None, *, number: int = 42) -> dict:
    event = {"action": "synchronize", "number": number,
             "pull_request": {"number": number, "state": "open",
                              "head": {"ref": "feature/nginx", "sha": HEAD, "repo": {"full_name": REPO}},
                              "base": {"ref": "main", "sha": "a" * 40, "repo": {"full_name": REPO}}},
             "repository": {"full_name": REPO}}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    env = {"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(path), "GITHUB_REF": f"refs/pull/{number}/merge",
           "GITHUB_REF_NAME": f"{number}/merge", "GITHUB_REF_TYPE": "branch", "GITHUB_SHA": MERGE,
           "GITHUB_HEAD_REF": "feature/nginx", "GITHUB_BASE_REF": "main", "GITHUB_REPOSITORY": REPO,
           "GITHUB_RUN_ID": "7001", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_WORKSPACE": "/home/runner/work/images/images", "RUNNER_TEMP": str(tmp_path)}
    if fake is not None:
        env.update(GITHUB_TOKEN=fake.token, GITHUB_API_URL=fake.url)
    return env


def test_submit_tags_the_head_commit_not_the_merge_commit(tmp_path):
    tags = ci_tags(pull_request_env(tmp_path))
    assert tags["aib-pilot.commit"] == HEAD
    assert tags["aib-pilot.pr"] == "42"
    assert tags["aib-pilot.run-url"] == "https://github.com/contoso/images/actions/runs/7001/attempts/1"


def test_a_push_run_keeps_its_own_commit(tmp_path):
    env = pull_request_env(tmp_path)
    (tmp_path / "event.json").write_text(json.dumps({"after": MERGE, "ref": "refs/heads/main"}))
    env.update(GITHUB_EVENT_NAME="push", GITHUB_REF="refs/heads/main")
    tags = ci_tags(env)
    assert tags["aib-pilot.commit"] == MERGE and "aib-pilot.pr" not in tags


def test_an_unreadable_event_file_falls_back_to_the_variables(tmp_path):
    env = pull_request_env(tmp_path)
    (tmp_path / "event.json").write_text("{not json")
    tags = ci_tags(env)
    assert tags["aib-pilot.commit"] == MERGE and tags["aib-pilot.pr"] == "42"


def _publish(fake, env, result):
    warnings: list[str] = []
    target = pr_target({}, env)
    answer = publish_from_environment(result, head_sha=target["head_sha"], pr=target["pr"], comment=True,
                                      template_path="/home/runner/work/images/images/images/ubuntu.json",
                                      details_url=target["details_url"], env=env, warn=warnings.append)
    assert answer is not None, warnings
    return answer


def test_check_run_goes_on_the_head_commit_with_the_builds_start_and_end(tmp_path):
    result = samples.failed()
    result.update(started="2026-11-25T21:31:07.1234567Z", ended="2026-11-25T22:12:40Z")
    with FakeGitHub() as fake:
        env = pull_request_env(tmp_path, fake)
        first = _publish(fake, env, result)
        run = fake.check_runs[first["check_run_id"]]
        assert run["head_sha"] == HEAD
        assert run["started_at"] == "2026-11-25T21:31:07Z"
        assert run["completed_at"] == "2026-11-25T22:12:40Z"
        assert run["details_url"] == "https://github.com/contoso/images/actions/runs/7001/attempts/1"
        second = _publish(fake, env, copy.deepcopy(result))      # a later monitor publishes again
        assert second["check_run_id"] == first["check_run_id"] and second["created"] is False
        assert fake.check_runs[first["check_run_id"]]["completed_at"] == "2026-11-25T22:12:40Z"
        patches = [body for method, path, body in fake.requests if method == "PATCH" and "/check-runs/" in path]
        assert patches and all(body.get("completed_at") in (None, "2026-11-25T22:12:40Z") for body in patches)
        assert list(fake.comments) == [42]


def test_a_running_build_shows_its_start(tmp_path):
    result = samples.running()
    result.update(started="2026-11-25T21:31:07Z", ended="0001-01-01T00:00:00Z")   # Azure's "not yet"
    with FakeGitHub() as fake:
        run = fake.check_runs[_publish(fake, pull_request_env(tmp_path, fake), result)["check_run_id"]]
        assert run["status"] == "in_progress" and run["started_at"] == "2026-11-25T21:31:07Z"
        assert "completed_at" not in run


def test_annotation_message_is_cut_at_githubs_64_kb():
    long = {"level": "error", "title": "AIB101 t", "line": 3, "message": "é" * 40_000}  # 80 000 bytes
    message = check_annotation(long, "images/ubuntu.json")["message"]
    assert len(message.encode("utf-8")) == ANNOTATION_MESSAGE_BYTES == 65_536
    assert message == "é" * 32_768
    odd = check_annotation(dict(long, message="x" + "é" * 40_000), "a.json")["message"]
    assert len(odd.encode("utf-8")) == 65_535 and odd.endswith("é"), "never half a character"
    short = check_annotation(dict(long, message="x" * 60_001), "a.json")["message"]
    assert len(short) == 60_001, "a message under the limit is kept whole"


def test_requests_are_checked_against_githubs_description():
    schemas = github_schemas.load()
    if schemas is None:
        pytest.skip(f"GitHub's REST schemas are not beside the checkout ({github_schemas.WHERE}); "
                    "CI has them there")
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
               "Authorization": "Bearer t", "User-Agent": "aib-pilot/0"}
    good = {"name": "aib-pilot: x", "head_sha": HEAD, "status": "completed", "conclusion": "failure",
            "started_at": "2026-11-25T21:31:07Z", "completed_at": "2026-11-25T22:12:40Z",
            "output": {"title": "t", "summary": "s", "annotations": [
                {"path": "images/ubuntu.json", "start_line": 3, "end_line": 3, "annotation_level": "failure",
                 "message": "m", "title": "AIB101"}]}}
    path = f"/repos/{REPO}/check-runs"
    assert schemas.check_request("POST", path, {}, good, headers) == []
    bad_bodies = {
        "level": lambda b: b["output"]["annotations"][0].update(annotation_level="error"),
        "offset time": lambda b: b.update(completed_at="2026-11-25T22:12:40+00:00"),
        "no conclusion": lambda b: b.pop("conclusion"),
        "long message": lambda b: b["output"]["annotations"][0].update(message="x" * 70_000),
        "absolute path": lambda b: b["output"]["annotations"][0].update(path="/home/runner/x.json"),
        "51 annotations": lambda b: b["output"].update(annotations=b["output"]["annotations"] * 51),
        "summary too long": lambda b: b["output"].update(summary="s" * 65_536),
    }
    for what, change in bad_bodies.items():
        body = copy.deepcopy(good)
        change(body)
        assert schemas.check_request("POST", path, {}, body, headers), what
    assert schemas.check_request("POST", path, {}, good, dict(headers, Accept="application/json"))
    assert schemas.check_request("GET", f"/repos/{REPO}/commits/{HEAD}/check-runs",
                                 {"check_name": ["x"], "filter": ["everything"]}, None, headers)
