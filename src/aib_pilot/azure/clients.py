"""One place that builds the SDK clients for a cloud + credential + subscription."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from aib_pilot.azure.cloud import Cloud

# azure-core retries 429/5xx itself (honouring Retry-After); keep that short so the monitor's own
# tenacity loop, which knows the time budget, decides about longer waits.
_SDK_RETRY = {"retry_total": 2, "retry_backoff_factor": 0.5, "retry_backoff_max": 8}


class SignInCredential:
    """The session's credential: the azure-identity one, whose authentication errors are marked with
    the --auth mode and client id (azure/errors.py turns them into the fix for that mode)."""

    def __init__(self, inner: Any, mode: str, client_id: str | None):
        self.inner, self.mode, self.client_id = inner, mode, client_id
        if hasattr(inner, "get_token_info"):  # azure-core's newer protocol, offered only when the inner has it
            self.get_token_info = self._get_token_info

    def _marked(self, call, *args, **kwargs):
        from azure.core.exceptions import ClientAuthenticationError

        from aib_pilot.azure.errors import with_sign_in

        try:
            return call(*args, **kwargs)
        except ClientAuthenticationError as exc:
            raise with_sign_in(exc, self.mode, self.client_id)

    def get_token(self, *scopes, **kwargs):
        return self._marked(self.inner.get_token, *scopes, **kwargs)

    def _get_token_info(self, *scopes, **kwargs):
        return self._marked(self.inner.get_token_info, *scopes, **kwargs)

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close:
            close()


def _new_throttle():
    from aib_pilot.azure.throttle import ArmThrottle

    return ArmThrottle()


@dataclass
class AzureSession:
    cloud: Cloud
    credential: Any
    subscription_id: str
    principal: str | None = None
    _cache: dict = field(default_factory=dict, repr=False)
    # one gate for every ARM request of the session: a 429 holds them all (azure/throttle.py)
    throttle: Any = field(default_factory=_new_throttle, repr=False)

    def _mgmt_kwargs(self, polling_interval: float | None = None) -> dict:
        kwargs: dict[str, Any] = dict(self.cloud.connection_kwargs(), **_SDK_RETRY)
        kwargs["credential_scopes"] = self.cloud.credential_scopes
        if polling_interval is not None:
            kwargs["polling_interval"] = polling_interval
        return kwargs

    @functools.cached_property
    def imagebuilder(self):
        from azure.mgmt.imagebuilder import ImageBuilderClient

        return ImageBuilderClient(self.credential, self.subscription_id, base_url=self.cloud.arm_endpoint,
                                  per_retry_policies=[self.throttle], **self._mgmt_kwargs(polling_interval=2))

    @functools.cached_property
    def storage(self):
        from azure.mgmt.storage import StorageManagementClient

        return StorageManagementClient(self.credential, self.subscription_id, base_url=self.cloud.arm_endpoint,
                                       per_retry_policies=[self.throttle], **self._mgmt_kwargs())

    @functools.cached_property
    def resources(self):
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(self.credential, self.subscription_id, base_url=self.cloud.arm_endpoint,
                                        per_retry_policies=[self.throttle], **self._mgmt_kwargs())

    def template_id(self, resource_group: str, name: str) -> str:
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{resource_group}"
                "/providers/Microsoft.VirtualMachineImages/imageTemplates/" + name)


def open_session(*, cloud: Cloud, subscription: str, mode: str | None, env, service_connection_id: str | None = None,
                 announce=None) -> AzureSession:
    """Sign-in for ``mode`` (explicit, else inferred from ``env``) on ``cloud``; ``announce`` is told which."""
    from aib_pilot.azure.auth import make_credential

    choice = make_credential(mode, cloud, env, service_connection_id=service_connection_id)
    where = cloud.name if not cloud.custom else f"custom cloud {cloud.arm_endpoint}"
    if announce:
        announce(f"auth: {choice.mode} ({choice.reason}); {where}")
    return AzureSession(cloud, SignInCredential(choice.credential, choice.mode, choice.principal), subscription,
                        principal=choice.principal)
