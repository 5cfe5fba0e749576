"""Scenario plots: where and how each build fails, written as overrides of one build step.

Error strings that the troubleshooting guide quotes are kept as the guide shows them (they are what
diagnosis rules match); the surrounding output is the project's own. One module per family:
scripts, files, windows, infrastructure, distribution; shared pieces in helpers.
"""

from __future__ import annotations

from ..build import Plot
from .distribution import (TRUSTED_LAUNCH, VERSION_EXISTS, GalleryPublishRejected,
                           PartialDistribution, SigReplicationTimeout)
from .files import DownloadRefused, LargeFileCustomizer
from .infrastructure import (POLICY, QUOTA, SKU, CommunicatorTimeout, DeploymentRejected,
                             DeprovisionFailed, NicNotFound, NoArtifacts, StagingDeleted)
from .scripts import (AptLock, BuildTimeout, ConnectionLost, CustomizerFailed, DevopsCanceled,
                      HostileLog, PackerCrash, VmResourcesExhausted, WaitingForInput)
from .windows import (SysprepTiming, WindowsRestartTimeout, WindowsUpdateFailed,
                      WindowsUpdateLowResources)

_PLOTS: dict[str, Plot] = {
    "customizer-failed": CustomizerFailed(),
    "staging-read-denied": CustomizerFailed(),
    "log-absent": CustomizerFailed(),
    "log-truncated": CustomizerFailed(),
    "hostile-log": HostileLog(),
    "waiting-for-input": WaitingForInput(),
    "build-timeout": BuildTimeout(),
    "large-file-customizer": LargeFileCustomizer(),
    "vm-resources-exhausted": VmResourcesExhausted(),
    "sig-replication-timeout": SigReplicationTimeout(),
    "windows-update-low-resources": WindowsUpdateLowResources(),
    "no-artifacts": NoArtifacts(),
    "nic-not-found": NicNotFound(),
    "sysprep-timing": SysprepTiming(),
    "connection-lost": ConnectionLost(),
    "devops-canceled": DevopsCanceled(),
    "deprovision-failed": DeprovisionFailed(),
    "quota-exceeded": DeploymentRejected("OperationNotAllowed", QUOTA),
    "sku-not-available": DeploymentRejected("SkuNotAvailable", SKU),
    "policy-denied": DeploymentRejected("RequestDisallowedByPolicy", POLICY, at_validation=True),
    "trusted-launch-mismatch": GalleryPublishRejected(TRUSTED_LAUNCH),
    "apt-lock": AptLock(),
    "distribution-partial": PartialDistribution(),
    "windows-restart-timeout": WindowsRestartTimeout(),
    "image-version-exists": GalleryPublishRejected(VERSION_EXISTS, version="1.0.0"),
    "storage-public-access-blocked": DownloadRefused(
        "bad response code: 409 PublicAccessNotPermitted: Public access is not permitted on this storage account."),
    "file-download-failed": DownloadRefused("bad response code: 404 Not Found"),
    "packer-crash": PackerCrash(),
    "staging-deleted-midbuild": StagingDeleted(),
    "communicator-timeout": CommunicatorTimeout(),
    "windows-update-failed": WindowsUpdateFailed(),
}


_DEFAULT = Plot()


def plot_for(name: str) -> Plot:
    """The plot of scenario ``name`` (the plain successful build for success variants)."""
    return _PLOTS.get(name, _DEFAULT)
