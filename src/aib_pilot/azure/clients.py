"""One place that builds the SDK clients for a cloud + credential + subscription."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from aib_pilot.azure.cloud import Cloud

# azure-core retries 429/5xx itself (honouring Retry-After); keep that short so the monitor's own
# tenacity loop, which knows the time budget, decides about longer waits.
_SDK_RETRY = {"retry_total": 2, "retry_backoff_factor": 0.5, "retry_backoff_max": 8}


@dataclass
class AzureSession:
    cloud: Cloud
    credential: Any
    subscription_id: str
    principal: str | None = None
    auth_mode: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

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
                                  **self._mgmt_kwargs(polling_interval=2))

    @functools.cached_property
    def storage(self):
        from azure.mgmt.storage import StorageManagementClient

        return StorageManagementClient(self.credential, self.subscription_id, base_url=self.cloud.arm_endpoint,
                                       **self._mgmt_kwargs())

    @functools.cached_property
    def resources(self):
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(self.credential, self.subscription_id, base_url=self.cloud.arm_endpoint,
                                        **self._mgmt_kwargs())

    def template_id(self, resource_group: str, name: str) -> str:
        return (f"/subscriptions/{self.subscription_id}/resourceGroups/{resource_group}"
                "/providers/Microsoft.VirtualMachineImages/imageTemplates/" + name)
