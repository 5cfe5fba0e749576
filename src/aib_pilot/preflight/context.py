"""What every check shares: the SDK clients, read-once lookups, and how an SDK error is classified.

A check never writes: it only calls ``get``/``list`` operations. A 404 is an answer ("it does not
exist"); a 403 means the *caller* may not read it, which makes the check "could not check" (never a
pass or a failure); anything else unexpected is also "could not check" with the reason.
"""

from __future__ import annotations

import functools
import importlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from aib_pilot.preflight.plan import Plan

STORAGE_SCOPE = "https://storage.azure.com/.default"
SIGNED_IN = "<signed-in client id>"   # replaced by the session's client id when known


class WriteRefused(Exception):
    """Preflight's clients refuse to send anything but GET/HEAD (see ReadOnlyGuard)."""


def read_only_guard():
    """An azure-core policy that refuses every request but GET and HEAD.

    Placed after the retry policy (``per_retry_policies``), so it also sees the requests other
    policies make on their own: azure-mgmt-core's ARMAutoResourceProviderRegistrationPolicy answers a
    409 MissingSubscriptionRegistration by POSTing ``.../providers/<ns>/register`` -- a write that
    preflight must never make.
    """
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class ReadOnlyGuard(SansIOHTTPPolicy):
        def on_request(self, request):
            method = request.http_request.method.upper()
            if method not in ("GET", "HEAD"):
                raise WriteRefused(f"preflight refused to send {method} {request.http_request.url.split('?')[0]}")

    return ReadOnlyGuard()


class CouldNotCheck(Exception):
    """The caller cannot read what a check needs. ``role`` would allow it on ``scope``."""

    def __init__(self, what: str, *, role: str = "Reader", scope: str | None = None, reason: str = ""):
        super().__init__(what)
        self.what, self.role, self.scope, self.reason = what, role, scope, reason


@dataclass
class Outcome:
    """One check's verdict. ``status``: passed | failed | could_not_check | skipped."""

    check: str
    status: str
    detail: str
    rule: str | None = None
    line: int | None = None
    fix: str | None = None
    role: str | None = None       # could_not_check: the role that would let the caller read it
    scope: str | None = None

    @classmethod
    def from_error(cls, check: str, err: CouldNotCheck, line: int | None) -> "Outcome":
        where = f" on {err.scope}" if err.scope else ""
        detail = f"could not check {err.what}: {err.reason or 'no permission to read it'}"
        fix = (f"Grant the signed-in identity {err.role}{where}: az role assignment create --assignee "
               f"{SIGNED_IN} --role \"{err.role}\" --scope {err.scope or '/subscriptions/<id>'}")
        return cls(check, "could_not_check", detail, "AIB690", line, fix, err.role, err.scope)


def status_of(exc: BaseException) -> int | None:
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


def first_line(exc: BaseException) -> str:
    from aib_pilot.azure.errors import first_line as _first

    return _first(exc)


def read(what: str, call, *, scope: str | None = None, role: str = "Reader"):
    """``call()``'s result, or None when it answers 404; CouldNotCheck for 403 and other errors."""
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError, ServiceRequestError

    try:
        return call()
    except WriteRefused as exc:
        raise CouldNotCheck(what, role=role, scope=scope, reason=f"{exc} (a provider is probably not "
                            "registered; see the provider checks)") from None
    except ResourceNotFoundError:
        return None
    except HttpResponseError as exc:
        status = status_of(exc)
        if status == 404:
            return None
        if status == 401:   # the token itself was refused: no check can be made; exit 3 with the fix
            from aib_pilot.azure.errors import to_access_error

            raise to_access_error(exc, f"reading {what}") from None
        if status == 403:
            raise CouldNotCheck(what, role=role, scope=scope, reason=f"Azure answered {status}: "
                                f"{first_line(exc)}") from None
        raise CouldNotCheck(what, role=role, scope=scope, reason=f"Azure answered {status}: {first_line(exc)}") from None
    except ServiceRequestError as exc:
        raise CouldNotCheck(what, role=role, scope=scope, reason=f"request failed: {first_line(exc)}") from None


class Once:
    """Compute each key's value once, even when several threads ask at the same time; the
    exception of a failed computation is raised to every asker."""

    def __init__(self):
        self._lock = threading.Lock()
        self._futures: dict = {}

    def get(self, key, compute):
        with self._lock:
            future = self._futures.get(key)
            owner = future is None
            if owner:
                future = self._futures[key] = Future()
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:  # noqa: BLE001 - handed to every waiter
                future.set_exception(exc)
        return future.result()


def _client_property(module: str, name: str):
    """A lazily built, cached SDK client of class ``module.name`` (imported on first use)."""

    def build(self):
        return self._client(getattr(importlib.import_module(module), name))

    build.__doc__ = f"{name}, read-only (see read_only_guard)."
    return functools.cached_property(build)


@dataclass
class Context:
    """The session, the plan and the read-once lookups shared by the checks."""

    session: object
    plan: Plan
    resource_group: str
    template_name: str
    on_conflict: str
    location: str
    once: Once = field(default_factory=Once)

    # -- clients (the official SDKs; see docs/preflight.md for why each) -----------------------
    def _client(self, cls):
        s = self.session
        return cls(s.credential, s.subscription_id, base_url=s.cloud.arm_endpoint,
                   per_retry_policies=[read_only_guard(), s.throttle], **s._mgmt_kwargs())

    # Why each: compute reads images, galleries, SKUs and usages; authorization the role assignments
    # and definitions; msi the identity's principal; resources providers and the storage account
    # lookup; imagebuilder the template name.
    compute = _client_property("azure.mgmt.compute", "ComputeManagementClient")
    authorization = _client_property("azure.mgmt.authorization", "AuthorizationManagementClient")
    msi = _client_property("azure.mgmt.msi", "ManagedServiceIdentityClient")
    resources = _client_property("azure.mgmt.resource.resources", "ResourceManagementClient")
    imagebuilder = _client_property("azure.mgmt.imagebuilder", "ImageBuilderClient")

    @property
    def sub_scope(self) -> str:
        return f"/subscriptions/{self.session.subscription_id}"

    def warm_up(self) -> None:
        """Create the clients before the checks run in threads (cached_property is not atomic)."""
        _ = self.compute, self.authorization, self.msi, self.resources, self.imagebuilder
        # One token before the threads start: otherwise each thread's first request asks Entra ID for
        # its own (the credential's cache is empty until the first answer arrives).
        scopes = [self.session.cloud.credential_scopes]
        if self.plan.files:
            scopes.append([STORAGE_SCOPE])
        with ThreadPoolExecutor(max_workers=len(scopes)) as pool:
            list(pool.map(lambda s: self.session.credential.get_token(*s), scopes))
