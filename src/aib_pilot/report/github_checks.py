"""Publish a run result to a pull request through the GitHub REST API (``requests``).

Used when a monitor runs later than the PR's own workflow (scheduled or chained), so workflow
commands would land on the wrong run: a **check run** named ``aib-pilot: <template-name>`` on the
PR head commit (found by name + head SHA and updated, never duplicated), with the conclusion, the
Markdown summary and annotations on the template file; optionally one PR comment, found again by
the hidden marker ``<!-- aib-pilot:<template-name> -->`` and edited in place.

REST facts (docs/sources.md#github-checks): POST/PATCH
``/repos/{owner}/{repo}/check-runs[/{id}]``; at most 50 annotations per request and PATCH appends
them, so later batches go in further PATCH calls and annotations already on the check run are not
sent again; ``GET /repos/{owner}/{repo}/commits/{ref}/check-runs?check_name=``; output.summary at
most 65 535 characters; PR comments live at ``/repos/{owner}/{repo}/issues/{n}/comments``.
Creating check runs needs ``permissions: checks: write``; comments need ``pull-requests: write``.

Callers (the monitor and the entrypoints) find the head SHA, repository and PR number (template tags
``aib-pilot.commit`` / ``aib-pilot.pr``) and pass them in; this module only talks to GitHub.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from urllib.parse import quote, urlparse

import requests

from aib_pilot import __version__
from aib_pilot.errors import EXIT_AZURE_ACCESS, PilotError
from aib_pilot.redact import redact
from aib_pilot.report import facts
from aib_pilot.report.markdown import Markdown, truncate_markdown

DEFAULT_API_URL = "https://api.github.com"
ANNOTATIONS_PER_REQUEST = 50
SUMMARY_LIMIT = 60_000      # output.summary allows 65 535 characters; bytes <= characters
COMMENT_LIMIT = 60_000      # issue comment bodies allow 65 536 characters
ANNOTATION_MESSAGE_BYTES = 64 * 1024   # an annotation's message: "The maximum size is 64 KB."
ANNOTATION_TITLE_LIMIT = 255
CONCLUSION = {"Succeeded": "success", "PartiallySucceeded": "neutral", "Failed": "failure",
              "Canceled": "cancelled"}
LEVEL = {"error": "failure", "warning": "warning", "notice": "notice"}


class GitHubPublishError(PilotError):
    """The check run or comment could not be published (token, permission, network)."""

    exit_code = EXIT_AZURE_ACCESS


def check_name(template_name: str) -> str:
    return f"aib-pilot: {template_name}"


def comment_marker(template_name: str) -> str:
    """The hidden first line that identifies our PR comment for one template."""
    name = str(template_name)
    if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or "--" in name:
        name = quote(name, safe="._").replace("-", "%2D")
    return f"<!-- aib-pilot:{name} -->"


def publish_check_run(result: dict, *, token: str, repo: str, head_sha: str,
                      template_path: str | None = None, api_url: str | None = None,
                      comment_pr: int | None = None, details_url: str | None = None,
                      workspace: str | None = None, timeout: float = 30.0) -> dict:
    """Create or update the check run (and optionally the PR comment) for one run result.

    ``result`` is a run result dict (its ``diagnosis`` a Diagnosis or None). Returns ``{"check_run_id", "check_run_url", "created",
    "annotations_sent", "comment_id", "comment_created"}``. Raises GitHubPublishError with one
    line saying what failed and how to fix it.
    """
    if not token:
        raise GitHubPublishError("No GitHub token to publish the check run.",
                                 hint="Pass github-token: ${{ github.token }} (or set GITHUB_TOKEN).")
    if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo or ""):
        raise GitHubPublishError(f"GitHub repository {repo!r} is not in OWNER/NAME form.",
                                 hint="Pass the repository as OWNER/NAME (GITHUB_REPOSITORY).")
    if not re.fullmatch(r"[0-9a-fA-F]{7,64}", head_sha or ""):
        raise GitHubPublishError(f"Head commit {head_sha!r} is not a commit SHA.",
                                 hint="Pass the PR head SHA (the aib-pilot.commit template tag).")
    api = GitHubApi(api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL, token, timeout)
    name = result.get("template_name") or "image"
    fc = facts.customizer(result.get("diagnosis"))
    path = repo_relative(template_path or (fc.file if fc else None), workspace or os.environ.get("GITHUB_WORKSPACE"))
    markdown = Markdown()
    summary = truncate_markdown(markdown.result(result, template_path), SUMMARY_LIMIT)
    wanted = [check_annotation(a, path) for a in
              facts.annotations(result.get("diagnosis"), path, result, limit=1000, group=False) if path]

    body = {"name": check_name(name), "head_sha": head_sha, "external_id": str(result.get("template") or name)[:255]}
    if details_url:
        body["details_url"] = details_url
    state = facts.state_of(result)
    started, ended = github_time(result.get("started")), github_time(result.get("ended"))
    if started:     # the build's own start, so GitHub shows how long it really took
        body["started_at"] = started
    if state in CONCLUSION:
        # The build's end, not the publishing time: a second publish of the same result sends the
        # same completed_at. "Now" only when Azure gave no end time.
        completed = ended or github_time(datetime.now(timezone.utc))
        if started and completed < started:
            completed = started
        body.update(status="completed", conclusion=CONCLUSION[state], completed_at=completed)
    else:
        body.update(status="in_progress")
    output = {"title": check_title(result)[:255], "summary": summary}

    existing = api.find_check_run(repo, head_sha, body["name"])
    if existing:
        already = api.annotations_of(repo, existing["id"])
        wanted = [a for a in wanted if annotation_key(a) not in already]
    batches = [wanted[i:i + ANNOTATIONS_PER_REQUEST] for i in range(0, len(wanted), ANNOTATIONS_PER_REQUEST)] or [[]]
    first = dict(body, output=dict(output, annotations=batches[0]))
    if existing:
        first.pop("head_sha")
        run = api.call("PATCH", f"/repos/{repo}/check-runs/{existing['id']}", first)
    else:
        run = api.call("POST", f"/repos/{repo}/check-runs", first)
    for batch in batches[1:]:
        api.call("PATCH", f"/repos/{repo}/check-runs/{run['id']}", {"output": dict(output, annotations=batch)})

    answer = {"check_run_id": run.get("id"), "check_run_url": run.get("html_url"),
              "created": not existing, "annotations_sent": len(wanted),
              "comment_id": None, "comment_created": None}
    if comment_pr:
        comment_id, created = upsert_comment(api, repo, int(comment_pr), name, summary, run.get("html_url"))
        answer.update(comment_id=comment_id, comment_created=created)
    return answer


def publish_from_environment(result: dict, *, head_sha: str | None, pr: int | str | None = None,
                             comment: bool = False, template_path: str | None = None,
                             details_url: str | None = None, env=None, warn=None) -> dict | None:
    """Glue for the monitor: publish with GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL.

    Never fails the build: a missing head SHA/token or an API error is reported through
    ``warn(message)`` (e.g. ``sink.warning``) and None is returned. ``pr`` is used only when
    ``comment`` is true.
    """
    env = os.environ if env is None else env
    warn = warn or (lambda message: None)
    if not head_sha:
        warn("Not publishing a check run: the template has no aib-pilot.commit tag (submit from the PR "
             "workflow to record it).")
        return None
    token, repo = env.get("GITHUB_TOKEN") or "", env.get("GITHUB_REPOSITORY") or ""
    if not token or not repo:
        warn("Not publishing a check run: GITHUB_TOKEN and GITHUB_REPOSITORY are needed "
             "(pass github-token: ${{ github.token }}).")
        return None
    comment_pr = None
    if comment and pr not in (None, ""):
        try:
            comment_pr = int(pr)
        except (TypeError, ValueError):
            warn(f"Not commenting: PR number {pr!r} is not a number.")
    try:
        return publish_check_run(result, token=token, repo=repo, head_sha=head_sha,
                                 template_path=template_path, api_url=env.get("GITHUB_API_URL"),
                                 comment_pr=comment_pr, details_url=details_url,
                                 workspace=env.get("GITHUB_WORKSPACE"))
    except GitHubPublishError as exc:
        warn(f"Could not publish the check run: {exc.one_line()}")
        return None


def upsert_comment(api: "GitHubApi", repo: str, pr: int, template_name: str, summary: str,
                   check_url: str | None) -> tuple[int, bool]:
    """Edit our comment for this template if the PR has one, else add it. Returns (id, created)."""
    marker = comment_marker(template_name)
    text = marker + "\n" + summary
    if check_url and check_url.startswith("https://"):
        text += f"\n[Check run details]({check_url})\n"
    text = text[:COMMENT_LIMIT]
    for comment in api.pages(f"/repos/{repo}/issues/{pr}/comments"):
        if str(comment.get("body") or "").startswith(marker + "\n"):
            api.call("PATCH", f"/repos/{repo}/issues/comments/{comment['id']}", {"body": text})
            return comment["id"], False
    made = api.call("POST", f"/repos/{repo}/issues/{pr}/comments", {"body": text})
    return made["id"], True


def check_title(result: dict) -> str:
    state = facts.state_of(result)
    diag = result.get("diagnosis")
    title = f"{result.get('template_name') or 'image'}: {state}"
    if diag is not None and diag.category and state in ("Failed", "Canceled", "PartiallySucceeded"):
        title += f" ({diag.category}"
        name = facts.customizer_name(diag)
        title += f" in {name})" if name is not None else ")"
    elif state == "Running" and result.get("run_sub_state"):
        title += f" ({result['run_sub_state']})"
    return redact(title)


def github_time(value) -> str | None:
    """A time as GitHub's check runs take it (``YYYY-MM-DDTHH:MM:SSZ``, UTC); None when absent,
    unreadable or Azure's zero value (``0001-01-01``, sent while a run has not ended)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            # Python 3.10 reads neither "Z" nor Azure's seven fractional digits: drop both first.
            text = re.sub(r"\.\d+", "", str(value).strip()).replace("Z", "+00:00").replace("z", "+00:00")
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    if moment.year < 1971:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def cut_utf8(text: str, limit_bytes: int) -> str:
    """``text`` cut to at most ``limit_bytes`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8")
    return text if len(data) <= limit_bytes else data[:limit_bytes].decode("utf-8", errors="ignore")


def check_annotation(item: dict, path: str) -> dict:
    line = item.get("line") or 1
    out = {"path": path, "start_line": line, "end_line": line,
           "annotation_level": LEVEL.get(item["level"], "notice"),
           "title": redact(item["title"])[:ANNOTATION_TITLE_LIMIT],
           "message": cut_utf8(redact(item["message"]), ANNOTATION_MESSAGE_BYTES)}
    return out


def annotation_key(annotation: dict) -> tuple:
    return (annotation.get("path"), annotation.get("start_line"), annotation.get("annotation_level"),
            annotation.get("title"), annotation.get("message"))


def repo_relative(path: str | None, workspace: str | None) -> str | None:
    """Annotations need a path relative to the repository root."""
    if not path:
        return None
    text = str(path).replace("\\", "/")
    for root in (workspace, "/github/workspace"):
        if root and text.startswith(root.rstrip("/") + "/"):
            text = text[len(root.rstrip("/")) + 1:]
            break
    while text.startswith("./"):
        text = text[2:]
    return os.path.normpath(text).replace("\\", "/") if text else None


class GitHubApi:
    """A tiny REST client: bearer token, JSON, pagination that never leaves the API host."""

    def __init__(self, base_url: str, token: str, timeout: float):
        self.base = base_url.rstrip("/")
        self.origin = urlparse(self.base)
        self.session = requests.Session()
        self.session.headers.update({
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"aib-pilot/{__version__}",
        })
        self.timeout = timeout

    def _request(self, method: str, url: str, body=None, params=None) -> requests.Response:
        try:
            response = self.session.request(method, url, json=body, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise GitHubPublishError(f"Could not reach the GitHub API at {self.base}: {type(exc).__name__}.",
                                     hint="Check GITHUB_API_URL and the network.") from None
        if response.status_code in (401, 403, 404):
            what = {401: "the token was rejected", 403: "the token lacks permission",
                    404: "the repository, commit or pull request was not found (or is not visible to the token)"}
            raise GitHubPublishError(
                f"GitHub API {method} {urlparse(url).path} failed: {what[response.status_code]} "
                f"(HTTP {response.status_code}).",
                hint="Give the workflow 'permissions: checks: write' (and 'pull-requests: write' for "
                     "comments); fork PRs get a read-only token, so publish from a scheduled workflow.")
        if response.status_code >= 400:
            detail = ""
            try:
                detail = str(response.json().get("message") or "")[:200]
            except ValueError:
                pass
            raise GitHubPublishError(
                f"GitHub API {method} {urlparse(url).path} failed with HTTP {response.status_code}"
                + (f": {detail}" if detail else "") + ".",
                hint="Retry later; if it persists, report it with this message.")
        return response

    def call(self, method: str, path: str, body=None, params=None):
        response = self._request(method, self.base + path, body, params)
        return response.json() if response.content else {}

    def pages(self, path: str, params=None, key: str | None = None):
        """Yield items over every page, following Link rel=next only on the same host."""
        url, query = self.base + path, dict(params or {}, per_page=100)
        while url:
            response = self._request("GET", url, params=query)
            data = response.json()
            yield from (data.get(key) or []) if key else data
            nxt = response.links.get("next", {}).get("url")
            parsed = urlparse(nxt) if nxt else None
            url = nxt if parsed and (parsed.scheme, parsed.netloc) == (self.origin.scheme, self.origin.netloc) else None
            query = None

    def find_check_run(self, repo: str, sha: str, name: str) -> dict | None:
        runs = [r for r in self.pages(f"/repos/{repo}/commits/{sha}/check-runs",
                                      {"check_name": name, "filter": "all"}, key="check_runs")
                if r.get("name") == name]
        return max(runs, key=lambda r: r.get("id") or 0) if runs else None

    def annotations_of(self, repo: str, run_id: int) -> set[tuple]:
        return {annotation_key(a) for a in self.pages(f"/repos/{repo}/check-runs/{run_id}/annotations")}
