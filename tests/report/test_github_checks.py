"""Check runs and PR comments against a local fake GitHub API (requests unmodified)."""

from __future__ import annotations

import copy

import pytest

from aib_pilot.report.github_checks import (GitHubPublishError, comment_marker, publish_check_run,
                                             publish_from_environment)

from . import samples
from .fake_github import FakeGitHub

REPO = "contoso/images"
SHA = "9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a291807"


@pytest.fixture
def github():
    with FakeGitHub() as fake:
        yield fake


def publish(github, result, **kw):
    kw.setdefault("template_path", "images/ubuntu.json")
    return publish_check_run(result, token=github.token, repo=REPO, head_sha=SHA, api_url=github.url, **kw)


def only_run(github) -> dict:
    assert len(github.check_runs) == 1
    return next(iter(github.check_runs.values()))


def test_create_check_run_with_conclusion_summary_and_annotations(github):
    answer = publish(github, samples.failed(), details_url="https://github.example/run/1")
    run = only_run(github)
    assert answer["created"] is True and answer["check_run_id"] == run["id"]
    assert run["name"] == "aib-pilot: ubuntu-nginx" and run["head_sha"] == SHA
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert run["details_url"] == "https://github.example/run/1"
    assert run["output"]["title"] == "ubuntu-nginx: Failed (customizer_failed in install-nginx)"
    assert run["output"]["summary"].startswith("### ❌ aib-pilot: `ubuntu-nginx` Failed")
    first = run["annotations"][0]
    assert first["path"] == "images/ubuntu.json" and first["start_line"] == first["end_line"] == 41
    assert first["annotation_level"] == "failure" and first["title"].startswith("AIB101")
    # every finding is its own check annotation (no per-step cap); info dropped beside an error
    assert [a["annotation_level"] for a in run["annotations"]] == ["failure", "warning"]


def test_update_never_duplicates(github):
    publish(github, samples.running())
    run = only_run(github)
    assert run["status"] == "in_progress" and "conclusion" not in run and run["annotations"] == []
    again = publish(github, samples.failed())
    assert again["created"] is False and again["check_run_id"] == run["id"]
    run = only_run(github)
    assert run["conclusion"] == "failure" and len(run["annotations"]) == 2
    third = publish(github, samples.failed())  # same result again: nothing appended twice
    assert third["annotations_sent"] == 0 and len(only_run(github)["annotations"]) == 2
    assert [m for m, _, _ in github.writes()] == ["POST", "PATCH", "PATCH"]


def test_other_names_and_commits_are_left_alone(github):
    other = copy.deepcopy(samples.succeeded())
    other["template_name"] = "windows-2022"
    publish(github, other)
    publish(github, samples.succeeded())
    assert sorted(r["name"] for r in github.check_runs.values()) == ["aib-pilot: ubuntu-nginx",
                                                                      "aib-pilot: windows-2022"]
    assert all(r["conclusion"] == "success" for r in github.check_runs.values())


def test_annotations_are_sent_in_batches_of_fifty(github):
    result, diag = samples.failed(), copy.deepcopy(samples.DIAGNOSIS)
    base = diag["findings"][1]
    diag["findings"] = [dict(base, rule=f"AIB{500 + i}") for i in range(120)]
    result["diagnosis"] = samples.typed(diag)
    answer = publish(github, result)
    sizes = [len(((body or {}).get("output") or {}).get("annotations") or []) for _, _, body in github.writes()]
    assert sizes == [50, 50, 20] and answer["annotations_sent"] == 120
    run = only_run(github)
    assert len(run["annotations"]) == 120
    assert len({a["title"] for a in run["annotations"]}) == 120


def test_pr_comment_is_created_once_then_edited(github):
    for i in range(3):  # other people's comments, over several pages
        github.add_comment(7, f"looks good {i}")
    github.add_comment(7, comment_marker("windows-2022") + "\nother template")
    first = publish(github, samples.running(), comment_pr=7)
    assert first["comment_created"] is True
    second = publish(github, samples.failed(), comment_pr=7)
    assert second["comment_created"] is False and second["comment_id"] == first["comment_id"]
    ours = [c for c in github.comments[7] if c["body"].startswith("<!-- aib-pilot:ubuntu-nginx -->\n")]
    assert len(ours) == 1 and "Failed" in ours[0]["body"]
    assert any(c["body"].endswith("other template") for c in github.comments[7])
    assert len(github.comments[7]) == 5


def test_marker_in_log_text_does_not_capture_the_comment(github):
    github.add_comment(7, "quoting a log:\n<!-- aib-pilot:ubuntu-nginx -->\n")
    answer = publish(github, samples.failed(), comment_pr=7)
    assert answer["comment_created"] is True
    assert github.comments[7][0]["body"].startswith("quoting a log")


def test_api_url_from_the_environment(github, monkeypatch):
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    publish_check_run(samples.succeeded(), token=github.token, repo=REPO, head_sha=SHA,
                      template_path="./images/ubuntu.json")
    assert only_run(github)["conclusion"] == "success"


def test_workspace_paths_become_repo_relative(github):
    publish(github, samples.failed(), template_path="/github/workspace/images/ubuntu.json")
    assert only_run(github)["annotations"][0]["path"] == "images/ubuntu.json"


def test_read_only_token_gives_one_clear_error(github):
    github.read_only = True
    with pytest.raises(GitHubPublishError) as info:
        publish(github, samples.failed())
    line = info.value.one_line()
    assert "HTTP 403" in line and "permissions: checks: write" in line and "\n" not in line
    assert info.value.exit_code == 3


@pytest.mark.parametrize("kwargs,needle", [({"token": ""}, "No GitHub token"),
                                           ({"repo": "not a repo"}, "OWNER/NAME"),
                                           ({"head_sha": "main"}, "not a commit SHA")])
def test_bad_input_is_rejected_before_any_request(github, kwargs, needle):
    args = dict(token=github.token, repo=REPO, head_sha=SHA, api_url=github.url)
    args.update(kwargs)
    with pytest.raises(GitHubPublishError, match=needle):
        publish_check_run(samples.failed(), **args)
    assert github.requests == []


def test_wrong_token_is_reported(github):
    with pytest.raises(GitHubPublishError, match="token was rejected"):
        publish_check_run(samples.failed(), token="nope", repo=REPO, head_sha=SHA, api_url=github.url)


def test_unreachable_api_is_one_line():
    with pytest.raises(GitHubPublishError, match="Could not reach the GitHub API"):
        publish_check_run(samples.failed(), token="t", repo=REPO, head_sha=SHA,
                          api_url="http://127.0.0.1:9", timeout=2)


def test_publish_from_environment_uses_the_runner_variables(github):
    env = {"GITHUB_TOKEN": github.token, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url,
           "GITHUB_WORKSPACE": "/home/runner/work/images/images"}
    warnings = []
    answer = publish_from_environment(samples.failed(), head_sha=SHA, pr="7", comment=True,
                                      template_path="/home/runner/work/images/images/images/ubuntu.json",
                                      env=env, warn=warnings.append)
    assert warnings == [] and answer["created"] and answer["comment_created"]
    assert only_run(github)["annotations"][0]["path"] == "images/ubuntu.json"


def test_publish_from_environment_degrades_to_a_warning(github):
    warnings = []
    env = {"GITHUB_TOKEN": github.token, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url}
    assert publish_from_environment(samples.failed(), head_sha=None, env=env, warn=warnings.append) is None
    assert publish_from_environment(samples.failed(), head_sha=SHA, env={}, warn=warnings.append) is None
    github.read_only = True  # a fork PR's token
    assert publish_from_environment(samples.failed(), head_sha=SHA, env=env, warn=warnings.append) is None
    assert len(warnings) == 3
    assert "aib-pilot.commit" in warnings[0] and "GITHUB_TOKEN" in warnings[1]
    assert "HTTP 403" in warnings[2] and "checks: write" in warnings[2]
    assert github.check_runs == {}
