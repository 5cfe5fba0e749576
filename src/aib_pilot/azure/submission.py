"""Submitting a template: name it, handle an existing one (attach / replace / fail), tag it, run it.

Two failure channels exist (docs/sources.md#aib-failures): a synchronous ARM error on
the PUT (e.g. 400 ValidationFailed, 409 Conflict) and ``provisioningState: Failed`` with
``provisioningError`` on the template. Both come back as :class:`SubmissionFailed` holding the
error for the diagnosis (``diagnose(provisioning_error=...)``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aib_pilot.azure.ci_context import TAG_PREFIX, ci_tags
from aib_pilot.azure.errors import azure_access, error_code, first_line, status_of
from aib_pilot.azure.templates import LoadedTemplate, Templates, is_running
from aib_pilot.errors import UsageError

ON_CONFLICT = ("attach", "replace", "fail")
# ARM error codes on the PUT that mean "this template was rejected" (diagnosed, exit 1) rather than
# "you may not do this here" (AzureAccessError, exit 3), whatever their HTTP status.
TEMPLATE_REJECTIONS = frozenset({"RequestDisallowedByPolicy", "InvalidTemplate", "ValidationFailed",
                                 "InvalidParameter", "Conflict", "MissingSubscriptionRegistration",
                                 "LinkedAuthorizationFailed"})


@dataclass
class Submitted:
    name: str
    template_id: str
    action: str  # created | attached | rerun | replaced
    template: dict


class SubmissionFailed(Exception):
    """The template was rejected; ``error`` is an ARM envelope or a provisioningError dict."""

    def __init__(self, name: str, template_id: str, error: dict):
        super().__init__(json.dumps(error)[:500])
        self.name = name
        self.template_id = template_id
        self.error = error


def _error_envelope(exc: BaseException) -> dict:
    response = getattr(exc, "response", None)
    try:
        body = response.json() if response is not None else None
    except Exception:  # noqa: BLE001 - not JSON
        body = None
    if isinstance(body, dict) and ("error" in body or "code" in body):
        return body if "error" in body else {"error": body}
    err = getattr(exc, "error", None)
    return {"error": {"code": getattr(err, "code", None) or str(status_of(exc) or "Error"),
                      "message": getattr(err, "message", None) or first_line(exc)}}


def build_tags(template: LoadedTemplate, user_tags: dict[str, str], env=None) -> dict[str, str]:
    tags = dict(template.body.get("tags") or {})
    tags.update(ci_tags(env))
    tags[TAG_PREFIX + "content-hash"] = template.content_hash
    tags.update(user_tags)
    return tags


def submit(session, resource_group: str, template: LoadedTemplate, name: str, *, on_conflict: str = "attach",
           user_tags: dict[str, str] | None = None, info=lambda msg: None, env=None, fresh_role=None,
           sleep=None) -> Submitted:
    """Create (or reuse) the template and start its run without waiting for the build.

    ``fresh_role`` (payload.FreshRole): a reader role this run assigned on the workspace files;
    while AIB refuses to read them, the create is tried again after ``sleep(seconds)``
    (default time.sleep) until the role's time to take effect is up."""
    if on_conflict not in ON_CONFLICT:
        raise UsageError(f"--on-conflict {on_conflict!r} is not valid.", hint=f"Use one of {', '.join(ON_CONFLICT)}.")
    templates = Templates(session)
    template_id = session.template_id(resource_group, name)
    tags = build_tags(template, user_tags or {}, env)
    from aib_pilot.templating.provenance import with_artifact_tags

    body, skipped = with_artifact_tags(template.body, template.provenance)
    body = dict(body, tags=tags)
    for warning in skipped:
        info(f"warning: {warning}")
    with azure_access(f"reading image template {name} in resource group {resource_group}"):
        existing = templates.find(resource_group, name)
        if template.needs_rg_location:
            body["location"] = session.resources.resource_groups.get(resource_group).location

    if existing is not None:
        provisioning = (existing.get("properties") or {}).get("provisioningState")
        if on_conflict == "fail":
            raise UsageError(f"Image template {name} already exists in {resource_group}.",
                             hint="Use --on-conflict attach (follow/rerun it) or replace, or pick another --name.")
        if is_running(existing):
            if on_conflict == "replace":
                raise UsageError(f"Image template {name} has a run in progress; it cannot be replaced now.",
                                 hint=f"Attach with --on-conflict attach, or cancel it first: aib-pilot cancel -g {resource_group} -n {name}.")
            info(f"template {name} already has a run in progress: attaching to it")
            return Submitted(name, existing.get("id") or template_id, "attached", existing)
        if on_conflict == "attach" and provisioning != "Failed":
            with azure_access(f"re-running image template {name}"):
                templates.update_tags(resource_group, name, tags)
                templates.start_run(resource_group, name)
            info(_rerun_message(name, existing, template))
            return Submitted(name, existing.get("id") or template_id, "rerun", existing)
        info(f"deleting the existing template {name} (provisioning state {provisioning}) before re-creating it")
        with azure_access(f"deleting image template {name}"):
            templates.delete(resource_group, name)
        action = "replaced"
    else:
        action = "created"

    created = _create(templates, resource_group, name, template_id, body, fresh_role, sleep, info)
    props = created.get("properties") or {}
    if props.get("provisioningState") == "Failed":
        raise SubmissionFailed(name, created.get("id") or template_id,
                               props.get("provisioningError") or {"provisioningErrorCode": "Other", "message": "provisioningState Failed"})
    with azure_access(f"starting the run of image template {name}"):
        templates.start_run(resource_group, name)
    return Submitted(name, created.get("id") or template_id, action, created)


def _create(templates, resource_group: str, name: str, template_id: str, body: dict, fresh_role, sleep,
            info) -> dict:
    """PUT the template; AIB refusing to read workspace files whose reader role this run has just
    assigned is waited out (docs/usage.md, "A role assigned just now")."""
    import time

    refused = fresh_role.refused if fresh_role is not None else (lambda error: False)
    while True:
        try:
            return _create_once(templates, resource_group, name, template_id, body, refused)
        except SubmissionFailed as failed:
            if not refused(failed.error):
                raise
            wait = fresh_role.wait_before_retry()
            if wait is None:
                raise SubmissionFailed(name, template_id, fresh_role.gave_up(failed.error)) from None
        info(fresh_role.waiting_line(wait))
        (sleep or time.sleep)(wait)


def _create_once(templates, resource_group: str, name: str, template_id: str, body: dict, refused) -> dict:
    """One PUT; a rejection (or an answer ``refused(envelope)`` recognises, whatever its status)
    raises SubmissionFailed."""
    from azure.core.exceptions import AzureError, HttpResponseError

    try:
        created = templates.create(resource_group, name, body)
    except HttpResponseError as exc:
        status, code = status_of(exc), error_code(exc)
        if code in TEMPLATE_REJECTIONS or status in (400, 409, 422) or refused(_error_envelope(exc)):
            raise SubmissionFailed(name, template_id, _error_envelope(exc)) from exc
        if status in (None, 200, 201, 202):  # the create LRO ended Failed: read provisioningError
            with azure_access(f"reading image template {name} in {resource_group}"):
                created = templates.find(resource_group, name)
            if created is None:
                raise SubmissionFailed(name, template_id, _error_envelope(exc)) from exc
        else:  # auth/permission/not found -> exit 3; throttling/5xx after retries -> exit 5 "try again"
            with azure_access(f"creating image template {name} in {resource_group}"):
                raise
    except AzureError:  # no answer at all (connection reset, DNS, TLS): exit 5 "try again"
        with azure_access(f"creating image template {name} in {resource_group}"):
            raise
    return created


def _rerun_message(name: str, existing: dict, template: LoadedTemplate) -> str:
    """What a rerun of an existing template builds: AIB cannot update a template, so a rerun always
    builds the content stored in Azure, which may not be the file's."""
    stored = (existing.get("tags") or {}).get(TAG_PREFIX + "content-hash")
    if stored == template.content_hash:
        return f"template {name} already exists with the same content: started a new run of it"
    why = "has different content" if stored else "was not created by aib-pilot, so its content is unknown"
    return (f"template {name} already exists and {why}: started a new run of the EXISTING template, not of "
            f"your file (Azure cannot update a template). To build your file use --on-conflict replace, or "
            f"--name-prefix so each content gets its own template")
