"""Provenance tags for the distributed image, read from the CI run's variables."""

from __future__ import annotations

from aib_pilot.azure.templates import LoadedTemplate
from aib_pilot.templating.provenance import MAX_TAGS, provenance_tags, with_artifact_tags

GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "octo/images", "GITHUB_RUN_ID": "42",
          "GITHUB_RUN_ATTEMPT": "2", "GITHUB_SHA": "0123abc", "GITHUB_WORKFLOW": "Build images",
          "GITHUB_SERVER_URL": "https://github.com"}
ADO = {"TF_BUILD": "True", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/org/", "SYSTEM_TEAMPROJECT": "proj",
       "BUILD_BUILDID": "9", "BUILD_SOURCEVERSION": "fedcba", "BUILD_REPOSITORY_NAME": "images",
       "BUILD_DEFINITIONNAME": "nightly-images", "BUILD_BUILDNUMBER": "20261203.4"}


def test_github_and_azure_devops_runs_name_repo_commit_run_and_workflow_or_pipeline():
    assert provenance_tags(GITHUB) == {
        "aib-pilot.repo": "octo/images", "aib-pilot.commit": "0123abc",
        "aib-pilot.run-url": "https://github.com/octo/images/actions/runs/42/attempts/2",
        "aib-pilot.workflow": "Build images"}
    assert provenance_tags(ADO) == {
        "aib-pilot.repo": "images", "aib-pilot.commit": "fedcba",
        "aib-pilot.run-url": "https://dev.azure.com/org/proj/_build/results?buildId=9",
        "aib-pilot.pipeline": "nightly-images", "aib-pilot.build": "20261203.4"}
    assert provenance_tags({}) == {}


def test_values_are_cut_to_azure_limit():
    tags = provenance_tags(dict(GITHUB, GITHUB_WORKFLOW="w" * 400))
    assert len(tags["aib-pilot.workflow"]) == 256


def test_every_distributor_gets_the_tags_and_the_users_own_win():
    body = {"properties": {"distribute": [
        {"type": "ManagedImage", "runOutputName": "a"},
        {"type": "SharedImage", "runOutputName": "b", "artifactTags": {"AIB-PILOT.COMMIT": "mine", "team": "x"}},
        {"type": "VHD", "runOutputName": "c"}]}}
    tags = provenance_tags(GITHUB)
    out, warnings = with_artifact_tags(body, tags)
    dists = out["properties"]["distribute"]
    assert dists[0]["artifactTags"] == tags and dists[2]["artifactTags"] == tags
    assert dists[1]["artifactTags"]["AIB-PILOT.COMMIT"] == "mine" and "aib-pilot.commit" not in dists[1]["artifactTags"]
    assert dists[1]["artifactTags"]["team"] == "x" and warnings == []
    assert "artifactTags" not in body["properties"]["distribute"][0]  # the input is not changed


def test_no_more_than_fifty_tags_and_it_is_said():
    own = {f"t{i}": "v" for i in range(MAX_TAGS - 1)}
    out, warnings = with_artifact_tags({"properties": {"distribute": [{"runOutputName": "a", "artifactTags": own}]}},
                                       provenance_tags(GITHUB))
    assert len(out["properties"]["distribute"][0]["artifactTags"]) == MAX_TAGS
    assert len(warnings) == 1 and "aib-pilot.commit" in warnings[0] and "50" in warnings[0]


def test_content_hash_follows_the_commit_but_not_the_run_attempt():
    def named(env):
        t = LoadedTemplate({"location": "x", "properties": {"a": 1}}, "t.json")
        t.provenance = provenance_tags(env)
        return t.content_hash

    assert named(GITHUB) == named(dict(GITHUB, GITHUB_RUN_ATTEMPT="3", GITHUB_RUN_ID="43"))
    assert named(GITHUB) != named(dict(GITHUB, GITHUB_SHA="999"))
    plain = LoadedTemplate({"location": "x", "properties": {"a": 1}}, "t.json")
    assert plain.content_hash != named(GITHUB)
