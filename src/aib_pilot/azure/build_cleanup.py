"""The cleanup policy: what to delete once a build's outcome is known and its log is saved.

Deleting the image template makes AIB delete the staging resource group it created (and the build
log in it; docs/sources.md). Besides the template, aib-pilot deletes what it created itself for the
build, named in the template's tags (azure/created_resources.py): a blob container and, when it
made one, the storage account holding it. The distributed image is never touched.

Policies: ``on-success`` (the default) deletes after a Succeeded run and keeps everything after any
other outcome, for investigation; ``always`` deletes after every outcome; ``never`` keeps all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

from aib_pilot.azure.ci_context import TAG_PREFIX
from aib_pilot.azure.created_resources import ACCOUNT_TAG, CONTAINER_TAG
from aib_pilot.azure.errors import azure_access, status_of
from aib_pilot.errors import UsageError

POLICIES = ("on-success", "always", "never")
DEFAULT_POLICY = "on-success"
POLICY_TAG = TAG_PREFIX + "cleanup"  # the policy chosen at submit, for a monitor in a later job
SUBMITTED_TAG = TAG_PREFIX + "content-hash"  # set on every template aib-pilot submitted


def check_policy(value: str, source: str) -> str:
    policy = str(value).strip().lower()
    if policy not in POLICIES:
        raise UsageError(f"{source} {value!r} is not a cleanup policy.", hint=f"Use one of {', '.join(POLICIES)}.")
    return policy


def policy_for(explicit: str | None, template_tags: dict | None) -> tuple[str, str]:
    """(policy, where it came from): the command's choice, else the one recorded at submit, else
    on-success for a template aib-pilot submitted, else never (a template someone else created is
    theirs to delete)."""
    tags = template_tags or {}
    if explicit:
        return explicit, "chosen for this command"
    recorded = str(tags.get(POLICY_TAG, "")).strip().lower()
    if recorded in POLICIES:
        return recorded, f"recorded at submit in tag {POLICY_TAG}"
    if SUBMITTED_TAG in tags:
        return DEFAULT_POLICY, "the default"
    return "never", "the template was not submitted by aib-pilot"


def wants_deletion(policy: str, state: str | None) -> bool:
    return policy == "always" or (policy == "on-success" and state == "Succeeded")


@dataclass
class Cleaned:
    """What one cleanup deleted, and what it could not (one line each)."""

    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def fail(self, what: str, exc: BaseException | None = None) -> None:
        self.failed.append(what)
        if exc is not None:
            self.errors.append(exc)


def delete_build(session, resource_group: str, name: str, tags: dict | None, *, info,
                 wait_seconds: float | None = None) -> Cleaned:
    """Delete the template, then what the tags say aib-pilot created: the storage account if it
    made one (its containers go with it), else the container. Errors are collected, not raised:
    the build's outcome must still be reported.

    The template's delete (a long-running operation that also removes the staging group) is waited
    for at most ``wait_seconds`` (None: to the end); past that it goes on in Azure and is said so."""
    done = Cleaned()
    tags = tags or {}
    try:
        with azure_access(f"deleting image template {name} in {resource_group}"):
            poller = session.imagebuilder.virtual_machine_image_templates.begin_delete(resource_group, name)
            poller.result(timeout=wait_seconds)
        done.deleted.append(f"image template {name} (AIB deletes its staging resource group with it)")
        if poller.done():
            info(f"deleted image template {name}; AIB deletes its staging resource group with it")
        else:
            info(f"deleting image template {name}: accepted by Azure and still going on when the time budget "
                 "ended; AIB deletes its staging resource group with it")
    except Exception as exc:  # noqa: BLE001 - reported, never hides the outcome
        done.fail(f"image template {name}: {_why(exc)}", exc)
        return done  # the template may still need what it references; keep the rest
    account_id = str(tags.get(ACCOUNT_TAG) or "").strip()
    container_url = str(tags.get(CONTAINER_TAG) or "").strip().split("?", 1)[0]
    if account_id:
        _delete_account(session, account_id, done, info)
    elif container_url:
        _delete_container(session, container_url, done, info)
    return done


def _why(exc: BaseException) -> str:
    one_line = getattr(exc, "one_line", None)
    text = one_line() if callable(one_line) else (str(exc).splitlines() or [type(exc).__name__])[0]
    return text or type(exc).__name__


def _delete_account(session, account_id: str, done: Cleaned, info) -> None:
    parts = account_id.strip("/").split("/")
    lower = [p.lower() for p in parts]
    if len(parts) != 8 or lower[2] != "resourcegroups" or lower[4:7] != ["providers", "microsoft.storage", "storageaccounts"]:
        done.fail(f"storage account {account_id}: tag {ACCOUNT_TAG} does not hold a storage account id")
        return
    rg, account = parts[3], parts[7]
    try:
        with azure_access(f"deleting storage account {account}"):
            session.storage.storage_accounts.delete(rg, account)
    except Exception as exc:  # noqa: BLE001 - collected, see delete_build
        if status_of(exc.__cause__ or exc) != 404:
            done.fail(f"storage account {account}: {_why(exc)}", exc)
            return
    done.deleted.append(f"storage account {account} (created by aib-pilot for this build)")
    info(f"deleted storage account {account}, which aib-pilot created for this build")


def _delete_container(session, url: str, done: Cleaned, info) -> None:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.storage.blob import ContainerClient

    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.path.strip("/"):
        done.fail(f"container {url}: tag {CONTAINER_TAG} does not hold an https container URL")
        return
    client = ContainerClient.from_container_url(url, credential=session.credential,
                                                **session.cloud.connection_kwargs())
    try:
        with azure_access(f"deleting blob container {url}"):
            try:
                client.delete_container()
            except ResourceNotFoundError:
                pass  # already gone: nothing left to delete
    except Exception as exc:  # noqa: BLE001 - collected, see delete_build
        done.fail(f"blob container {url}: {_why(exc)} (the identity needs 'Storage Blob Data "
                  "Contributor' on it)", exc)
        return
    done.deleted.append(f"blob container {url} (created by aib-pilot for this build)")
    info(f"deleted blob container {url}, which aib-pilot created for this build")
