"""Where this run comes from (pipeline run URL, commit, PR, repository), read from CI variables.

These become ``aib-pilot.*`` tags on the image template so a later job -- a scheduled fleet
monitor, or the next stage of a pipeline -- can find the build and report back to the right PR.
"""

from __future__ import annotations

import json
import os
import re
from typing import Mapping

TAG_PREFIX = "aib-pilot."
MAX_TAG_VALUE = 256  # ARM limit for tag values


def _event(env: Mapping[str, str]) -> dict:
    """The webhook payload of the event that started the workflow ({} when absent or unreadable)."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as fh:
            event = json.load(fh)
    except (OSError, ValueError):
        return {}
    return event if isinstance(event, dict) else {}


def _github(env: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    repo = env.get("GITHUB_REPOSITORY")
    if repo:
        out["repo"] = repo
        if env.get("GITHUB_RUN_ID"):
            url = f"{server}/{repo}/actions/runs/{env['GITHUB_RUN_ID']}"
            if env.get("GITHUB_RUN_ATTEMPT"):
                url += f"/attempts/{env['GITHUB_RUN_ATTEMPT']}"
            out["run-url"] = url
    if env.get("GITHUB_SHA"):
        out["commit"] = env["GITHUB_SHA"]
    match = re.match(r"refs/pull/(\d+)/", env.get("GITHUB_REF", ""))
    if match:
        out["pr"] = match.group(1)
    # In a pull_request workflow GITHUB_SHA is the merge commit GitHub made for the run; checks and
    # annotations show on the pull request only on its head commit, which the event file names
    # (docs/sources.md#github-pr). So the event file is read whatever GITHUB_REF says.
    pull_request = _event(env).get("pull_request")
    if isinstance(pull_request, dict):
        if pull_request.get("number"):
            out["pr"] = str(pull_request["number"])
        head = pull_request.get("head")
        if isinstance(head, dict) and isinstance(head.get("sha"), str) and head["sha"]:
            out["commit"] = head["sha"]
    return out


def _azure_devops(env: Mapping[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    collection = env.get("SYSTEM_COLLECTIONURI") or env.get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI")
    project = env.get("SYSTEM_TEAMPROJECT")
    if collection and project and env.get("BUILD_BUILDID"):
        out["run-url"] = f"{collection.rstrip('/')}/{project}/_build/results?buildId={env['BUILD_BUILDID']}"
    if env.get("BUILD_SOURCEVERSION"):
        out["commit"] = env["BUILD_SOURCEVERSION"]
    pr = env.get("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER") or env.get("SYSTEM_PULLREQUEST_PULLREQUESTID")
    if pr:
        out["pr"] = pr
    if env.get("BUILD_REPOSITORY_NAME"):
        out["repo"] = env["BUILD_REPOSITORY_NAME"]
    return out


def run_facts(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """What the CI run says about itself: repo, commit, run-url, pr; plus workflow (GitHub) or
    pipeline and build (Azure DevOps). Empty outside CI."""
    env = os.environ if env is None else env
    facts: dict[str, str] = {}
    if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_RUN_ID"):
        facts = _github(env)
        if facts and env.get("GITHUB_WORKFLOW"):
            facts["workflow"] = env["GITHUB_WORKFLOW"]
    if not facts and (env.get("TF_BUILD") or env.get("BUILD_BUILDID")):
        facts = _azure_devops(env)
        if env.get("BUILD_DEFINITIONNAME"):
            facts["pipeline"] = env["BUILD_DEFINITIONNAME"]
        if env.get("BUILD_BUILDNUMBER"):
            facts["build"] = env["BUILD_BUILDNUMBER"]
    return {k: v for k, v in facts.items() if v}


def ci_tags(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``aib-pilot.*`` tags describing the current CI run, for the image template (empty outside CI)."""
    facts = run_facts(env)
    return {TAG_PREFIX + k: facts[k][:MAX_TAG_VALUE] for k in ("repo", "run-url", "commit", "pr") if k in facts}


def _same_run(a: str | None, b: str | None) -> bool:
    """Two run URLs name the same workflow run (attempts aside)."""
    if not a or not b:
        return False
    return re.sub(r"/attempts/\d+$", "", a) == re.sub(r"/attempts/\d+$", "", b)


def pr_target(template_tags: Mapping[str, str] | None, env: Mapping[str, str] | None = None) -> dict:
    """Where a check run for this template belongs: the commit, PR, repository and run URL that
    ``submit`` recorded in the template's ``aib-pilot.*`` tags, each falling back to the current
    GitHub run's (GITHUB_SHA, the PR of GITHUB_REF / the event, GITHUB_REPOSITORY).

    ``same_run`` is true when this process runs in the workflow run that submitted the template:
    its own workflow annotations already show on the PR, so a check run would repeat them.
    """
    env = os.environ if env is None else env
    current = _github(env) if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_RUN_ID") or env.get("GITHUB_SHA") else {}
    tags = {k[len(TAG_PREFIX):]: v for k, v in (template_tags or {}).items() if k.startswith(TAG_PREFIX) and v}
    merged = {**current, **{k: tags[k] for k in ("commit", "pr", "run-url", "repo") if k in tags}}
    return {"head_sha": merged.get("commit"), "pr": merged.get("pr"), "details_url": merged.get("run-url"),
            "repo": merged.get("repo"), "same_run": _same_run(tags.get("run-url"), current.get("run-url"))}
