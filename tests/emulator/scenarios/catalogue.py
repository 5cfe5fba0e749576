"""SCENARIOS: every way a submission or build goes in the emulator, keyed by kebab-case name.

``seed_section`` is the anchor of the troubleshooting guide section the scenario reproduces
(None for scenarios beyond the guide); ``expected_category`` is the aib-pilot diagnosis category
the product must report, None for a success.
"""

from __future__ import annotations

from .model import Scenario

GUIDE = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"

#: provisioning_error messages are passed through literally (put_error messages may use
#: {template_name}, {subscription}, {resource_group}, {location}); resource ids in them use the
#: sample subscription.
SAMPLE_SUB = "00000000-0000-0000-0000-000000000000"

LOG_LOCATION = ("Image Build log location: {log_url}. OperationId: {operation_id}. "
                "Use this operationId to search packer logs.")

#: lastRunStatus.message of a build whose Packer run failed (the guide's "packer build command failure").
PACKER_FAILED = (
    "Failed while waiting for packerizer: Microservice has failed: Failed while processing request: "
    "Error when executing packerizer: Packer build command has failed: exit status 1. During the image "
    "build, a failure has occurred, please review the build log to identify which build/customization "
    "step failed. For more troubleshooting steps go to https://aka.ms/azvmimagebuilderts. "
    + LOG_LOCATION)

#: The same failure in the newer wording, naming the log by its ARM resource path (seen in the run
#: operation's error, code PackerBuildFailed: Azure/azure-powershell#24244).
PACKER_FAILED_ARM = (
    "During the image build a failure has occurred. Packer build logs are at location "
    "{log_resource_path}. Please navigate to this location using portal or other tools to download "
    "logs for identifying which build/customization step failed. Use this operationId {operation_id} "
    "to search packer logs. For more troubleshooting steps go to https://aka.ms/azvmimagebuilderts.")

#: lastRunStatus.message when buildTimeoutInMinutes ran out (the guide's "timeout exceeded").
TIMED_OUT = ("Failed in building/customizing image: Failed while waiting for packerizer: Timeout "
             "waiting for microservice to complete: 'context deadline exceeded'. " + LOG_LOCATION)

SIG_TIMEOUT = (
    "Failed in distributing 1 images out of total 1: {{[Error 0] [Distribute 0] Error publishing MDI to "
    "shared image gallery:/subscriptions/{subscription}/resourceGroups/aib-images/providers/"
    "Microsoft.Compute/galleries/aibGallery/images/ubuntu2204, Location:{location}. Error: Error returned "
    "from SIG client while publishing MDI to shared image gallery for dstImageLocation: {location}, "
    "dstSubscription: {subscription}, dstResourceGroupName: aib-images, dstGalleryName: aibGallery, "
    "dstGalleryImageName: ubuntu2204. Error: Error waiting on shared image gallery future for resource "
    "group: aib-images, gallery name: aibGallery, gallery image name: ubuntu2204.Error: "
    "Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context "
    "deadline exceeded}}. " + LOG_LOCATION)

VERSION_EXISTS = (
    "Failed in distributing 1 images out of total 1: {{[Error 0] [Distribute 0] "
    "compute.GalleryImageVersionsClient#CreateOrUpdate: Failure sending request: StatusCode=409 -- "
    "Original Error: Code=\"Conflict\" Message=\"Gallery image version 'ubuntu2204/versions/1.0.0' "
    "already exists and its source cannot be changed.\"}}. " + LOG_LOCATION)

PARTIAL = (
    "Failed in distributing 1 images out of total 2: {{[Error 0] [Distribute 1] Error publishing MDI to "
    "shared image gallery:/subscriptions/{subscription}/resourceGroups/aib-images/providers/"
    "Microsoft.Compute/galleries/aibGallery/images/ubuntu2204, Location:{location}. Error: "
    "compute.GalleryImagesClient#Get: Failure responding to request: StatusCode=404 -- Original Error: "
    "Code=\"GalleryImageNotFound\" Message=\"The gallery image ubuntu2204 is not found in gallery "
    "aibGallery (resource group aib-images).\"}}. " + LOG_LOCATION)

NIC_MESSAGE = (
    "network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404 -- Original Error: "
    "autorest/azure: Service returned an error. Status=404 Code=\"ResourceNotFound\" Message=\"The Resource "
    "'Microsoft.Network/networkInterfaces/aibplsq3k9x1.nic.5b7e2c1a-0d4f-4e8a-9c61-2f0b8d3e7a14' under "
    "resource group '{staging_rg}' was not found.\"")

STAGING_GONE = (
    "Failed while waiting for packerizer: Microservice has failed: Failed while processing request: "
    "compute.VirtualMachinesClient#Get: Failure responding to request: StatusCode=404 -- Original Error: "
    "autorest/azure: Service returned an error. Status=404 Code=\"ResourceGroupNotFound\" "
    "Message=\"Resource group '{staging_rg}' could not be found.\"")

MANAGED_IMAGE_403 = (
    "Build (Managed Image) step failed: Error getting Managed Image '/subscriptions/" + SAMPLE_SUB + "/resourceGroups/"
    "images/providers/Microsoft.Compute/images/golden-base': Error getting managed image (golden-base): "
    "compute.ImagesClient#Get: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: "
    "Service returned an error. Status=403 Code=\"AuthorizationFailed\" Message=\"The client "
    "'5d1e0f3a-7b2c-4e8d-9a61-0c3f2b7d8e14' with object id '5d1e0f3a-7b2c-4e8d-9a61-0c3f2b7d8e14' does not "
    "have authorization to perform action 'Microsoft.Compute/images/read' over scope '/subscriptions/"
    + SAMPLE_SUB + "/resourceGroups/images/providers/Microsoft.Compute/images/golden-base' or the scope is "
    "invalid. If access was recently granted, please refresh your credentials.\"")

IMAGE_VERSION_404 = (
    "Build (Shared Image Version) step failed for Image Version '/subscriptions/" + SAMPLE_SUB + "/resourceGroups/"
    "images/providers/Microsoft.Compute/galleries/golden/images/ubuntu-base/versions/0.24012.1730': Error "
    "getting Image Version '/subscriptions/" + SAMPLE_SUB + "/resourceGroups/images/providers/Microsoft.Compute/"
    "galleries/golden/images/ubuntu-base/versions/0.24012.1730': Error getting image version "
    "'golden:ubuntu-base:0.24012.1730': compute.GalleryImageVersionsClient#Get: Failure responding to "
    "request: StatusCode=404 -- Original Error: autorest/azure: Service returned an error. Status=404 "
    "Code=\"ResourceNotFound\" Message=\"The Resource 'Microsoft.Compute/galleries/golden/images/"
    "ubuntu-base/versions/0.24012.1730' under resource group 'images' was not found.\"")

SUBMIT_DOWNLOAD = (
    "Downloading external file (https://aibartifacts.blob.core.windows.net/scripts/setup.sh) to local file "
    "(9d2f7c1b-0e4a-4b8f-a3d6-5c1e8f2b7a90.0.customizer.fp) [attempt 1 of 10] failed: Error downloading "
    "'https://aibartifacts.blob.core.windows.net/scripts/setup.sh' to "
    "'9d2f7c1b-0e4a-4b8f-a3d6-5c1e8f2b7a90.0.customizer.fp'..")

#: Which distributor the sample template of a scenario gets (samples.template_for).
SAMPLE_DISTRIBUTE: dict[str, str] = {}


def _s(name: str, summary: str, **kw) -> Scenario:
    return Scenario(name=name, summary=summary, **kw)


_ALL = [
    # ---- successes ---------------------------------------------------------------------------
    _s("success", "Build succeeds and distributes a managed image (about 25 minutes).",
       seed_section="understanding-the-customization-log", expected_category=None,
       outcome="Succeeded", duration_minutes=25),
    _s("success-gallery", "Build succeeds and publishes a gallery image version replicated to two regions.",
       seed_section="understanding-the-customization-log", expected_category=None,
       outcome="Succeeded", duration_minutes=48),
    _s("success-vhd", "Build succeeds and exports a VHD to the staging storage account.",
       seed_section="understanding-the-customization-log", expected_category=None,
       outcome="Succeeded", duration_minutes=31),
    _s("slow-success", "Build succeeds after 95 minutes, longer than a 60-minute hosted CI job.",
       seed_section="operation-was-canceled", expected_category=None,
       outcome="Succeeded", duration_minutes=95),
    # ---- customizer failures -----------------------------------------------------------------
    _s("customizer-failed", "The first inline Shell/PowerShell customizer's last real command fails; script exits 1.",
       seed_section="packer-build-command-failure", expected_category="customizer_failed",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=14, failing_customizer=0),
    _s("hostile-log", "customizer-failed whose output injects CI workflow commands and fake secrets.",
       seed_section="packer-build-command-failure", expected_category="customizer_failed",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=14, failing_customizer=0),
    _s("waiting-for-input", "apt-get install without -y waits at 'Do you want to continue? [Y/n]' until the timeout.",
       seed_section="timeout-exceeded", expected_category="waiting_for_input",
       outcome="Failed", last_run_message=TIMED_OUT, duration_minutes=240, failing_customizer=0),
    _s("build-timeout", "A script step never returns; buildTimeoutInMinutes runs out (context deadline exceeded).",
       seed_section="timeout-exceeded", expected_category="build_timeout",
       outcome="Failed", last_run_message=TIMED_OUT, duration_minutes=240, failing_customizer=0),
    _s("large-file-customizer", "A File customizer crawls through a 826 MB upload (progress lines) until the timeout.",
       seed_section="long-file-download-time", expected_category="large_file_customizer",
       outcome="Failed", last_run_message=TIMED_OUT, duration_minutes=240, failing_customizer=1),
    _s("vm-resources-exhausted", "A 50 GB download exhausts the small build VM; it stops answering until the timeout.",
       seed_section="timeout-exceeded", expected_category="vm_resources_exhausted",
       outcome="Failed", last_run_message=TIMED_OUT, duration_minutes=240, failing_customizer=0),
    _s("sig-replication-timeout", "Gallery replication outlasts the build timeout; the image version exists anyway.",
       seed_section="error-waiting-on-shared-image-gallery", expected_category="sig_replication_timeout",
       outcome="Failed", last_run_message=SIG_TIMEOUT, duration_minutes=240, run_outputs_on_failure=True),
    _s("windows-update-low-resources", "windows-update on a small VM: 90% cpu, exit 101, shutdown 1115, unexpected EOF.",
       seed_section="low-windows-resource-information-events", expected_category="vm_resources_exhausted",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=16, failing_customizer=4),
    _s("windows-update-failed", "The Windows Update agent fails with 0x80240438 inside the windows-update customizer.",
       seed_section=None, expected_category="windows_update_failed",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=50, failing_customizer=4),
    _s("no-artifacts", "Waiting for the build VM's deployment hits Future#WaitForCompletion's deadline: no artifacts.",
       seed_section="builds-finished-but-no-artifacts-were-created", expected_category="transient_service_error",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=20),
    _s("nic-not-found", "Tagging the build VM's NIC fails with 404 ResourceNotFound 80 s into the run.",
       seed_section="resource-not-found", expected_category="missing_permissions",
       outcome="Failed", last_run_message=NIC_MESSAGE, duration_minutes=1.35),
    _s("sysprep-timing", "Sysprep starts before WindowsAzureGuestAgent exists: IMAGE_STATE_UNDEPLOYABLE until timeout.",
       seed_section="sysprep-timing", expected_category="sysprep_failed",
       outcome="Failed", last_run_message=TIMED_OUT, duration_minutes=240),
    _s("connection-lost", "A customizer enables a firewall; SSH/WinRM drops: context canceled, no exit status.",
       seed_section="cancelling-builder-after-context-cancellation-context-canceled",
       expected_category="connection_lost", outcome="Failed", last_run_message=TIMED_OUT,
       duration_minutes=240, failing_customizer=2),
    _s("communicator-timeout", "The build VM never answers on SSH/WinRM: 'Timeout waiting for SSH.'",
       seed_section=None, expected_category="communicator_timeout",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=27),
    _s("devops-canceled", "A long build is canceled at 60 minutes, as a hosted CI job's time limit does.",
       seed_section="operation-was-canceled", expected_category="pipeline_timeout",
       outcome="Canceled", last_run_message="", duration_minutes=60, failing_customizer=0),
    _s("deprovision-failed", "AIB's hidden deprovisioning step fails (waagent missing / script deleted).",
       seed_section="vms-created-from-aib-images-do-not-create-successfully",
       expected_category="deprovision_failed", outcome="Failed", last_run_message=PACKER_FAILED_ARM,
       duration_minutes=22),
    _s("windows-logon-slow", "Succeeds, but Windows updates are the last step with no restart after them.",
       seed_section="slow-windows-logon-please-wait-for-the-windows-modules-installer",
       expected_category=None, outcome="Succeeded", duration_minutes=70),
    # ---- beyond the guide ---------------------------------------------------------------------
    _s("quota-exceeded", "The build VM's deployment exceeds the regional vCPU quota (OperationNotAllowed).",
       seed_section=None, expected_category="quota_or_capacity",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=4),
    _s("sku-not-available", "The build VM size is not available in the region (SkuNotAvailable).",
       seed_section=None, expected_category="quota_or_capacity",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=4),
    _s("policy-denied", "Azure Policy denies the build VM in the staging resource group (RequestDisallowedByPolicy).",
       seed_section=None, expected_category="policy_denied",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=3.5),
    _s("policy-denied-submit", "Azure Policy denies the image template itself: 403 RequestDisallowedByPolicy on PUT.",
       seed_section=None, expected_category="policy_denied", outcome="Failed",
       put_error={"status": 403, "code": "RequestDisallowedByPolicy",
                  "message": "Resource '{template_name}' was disallowed by policy. Reasons: 'Require a "
                             "CostCenter tag on resources'. See error details for policy resource IDs."}),
    _s("trusted-launch-mismatch", "A Trusted Launch image goes to a gallery definition without TrustedLaunch support.",
       seed_section=None, expected_category="security_type_mismatch",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=35),
    _s("distribution-partial", "A managed image is published but the gallery target's image definition is missing.",
       seed_section=None, expected_category="distribution_failed", outcome="PartiallySucceeded",
       last_run_message=PARTIAL, duration_minutes=33, run_outputs_on_failure=True),
    _s("apt-lock", "apt-get fails: unattended-upgrades holds /var/lib/dpkg/lock-frontend (exit 100).",
       seed_section=None, expected_category="package_manager_locked",
       outcome="Failed", last_run_message=PACKER_FAILED_ARM, duration_minutes=9, failing_customizer=0),
    _s("windows-restart-timeout", "The VM does not come back from a windows-restart within restartTimeout.",
       seed_section=None, expected_category="windows_restart_timeout",
       outcome="Failed", last_run_message=PACKER_FAILED_ARM, duration_minutes=30, failing_customizer=2),
    _s("image-version-exists", "The gallery already holds the image version the build publishes (409).",
       seed_section=None, expected_category="image_version_exists",
       outcome="Failed", last_run_message=VERSION_EXISTS, duration_minutes=30),
    _s("provider-not-registered", "Microsoft.VirtualMachineImages is not registered: 409 MissingSubscriptionRegistration.",
       seed_section=None, expected_category="provider_not_registered", outcome="Failed",
       put_error={"status": 409, "code": "MissingSubscriptionRegistration",
                  "message": "The subscription is not registered to use namespace "
                             "'Microsoft.VirtualMachineImages'. See https://aka.ms/rps-not-found for how to "
                             "register subscriptions."}),
    _s("storage-public-access-blocked", "A File customizer's blob source is refused: PublicAccessNotPermitted.",
       seed_section=None, expected_category="storage_access_blocked",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=10, failing_customizer=1),
    _s("packer-crash", "Packer's Azure plugin panics in a customizer (PACKER CRASH).",
       seed_section=None, expected_category="packer_crash",
       outcome="Failed", last_run_message=PACKER_FAILED_ARM, duration_minutes=12, failing_customizer=0),
    _s("invalid-template", "The template is rejected on PUT: 400 ValidationFailed (bad source imageId).",
       seed_section="troubleshoot-image-template-submission-errors", expected_category="invalid_template",
       outcome="Failed",
       put_error={"status": 400, "code": "ValidationFailed",
                  "message": "Validation failed: 'ImageTemplate.properties.source': Field 'imageId' has a bad "
                             "value: '/subscriptions/" + SAMPLE_SUB + "/resourceGroups/images/providers/"
                             "Microsoft.Compute/images/missing'. Please review http://aka.ms/azvmimagebuildertshoot "
                             "for more details on fields requirements in the Image Builder Template."}),
    # ---- what the product must survive --------------------------------------------------------
    # without the log only the wrapper is known: the honest answer is unknown, and what to fetch
    _s("staging-read-denied", "customizer-failed, but the caller may not read the staging RG or its log.",
       seed_section="packer-build-command-failure", expected_category="unknown",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=14, failing_customizer=0,
       deny_staging_read=True),
    _s("staging-deleted-midbuild", "The staging RG (and its log) is deleted mid-build; the build VM vanishes.",
       seed_section=None, expected_category="unknown",
       outcome="Failed", last_run_message=STAGING_GONE, duration_minutes=30, delete_staging_midbuild=True),
    _s("log-absent", "customizer-failed, but customization.log was never written.",
       seed_section="packer-build-command-failure", expected_category="unknown",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=14, failing_customizer=0,
       log_absent=True),
    _s("log-truncated", "customizer-failed whose customization.log ends mid-line.",
       seed_section="packer-build-command-failure", expected_category="customizer_failed",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=14, failing_customizer=0,
       truncate_log=True),
    # ---- submission errors (no build, no log) -------------------------------------------------
    _s("template-exists", "PUT on an existing template: 409 Conflict 'Update/Upgrade ... not supported'.",
       seed_section="updateupgrade-of-image-templates-is-currently-not-supported",
       expected_category="template_exists", outcome="Failed",
       put_error={"status": 409, "code": "Conflict",
                  "message": "Update/Upgrade of image templates is currently not supported"}),
    _s("terminal-provisioning-failed", "Template creation ends in ResourceDeploymentFailure / InternalOperationError.",
       seed_section="the-resource-operation-completed-with-terminal-provisioning-state-failed",
       expected_category="missing_permissions", outcome="Failed",
       provisioning_error={"provisioningErrorCode": "Other",
                           "message": "ResourceDeploymentFailure: The resource operation completed with terminal "
                                      "provisioning state 'Failed'. Details: InternalOperationError: Internal "
                                      "error occurred.",
                           # what the create LRO's status document carries (the guide's excerpt)
                           "operation_error": {
                               "code": "ResourceDeploymentFailure",
                               "message": "The resource operation completed with terminal provisioning "
                                          "state 'Failed'.",
                               "details": [{"code": "InternalOperationError",
                                            "message": "Internal error occurred."}]}}),
    _s("managed-image-403", "The source managed image cannot be read: 403 AuthorizationFailed.",
       seed_section="error-getting-managed-image", expected_category="missing_permissions",
       outcome="Failed",
       provisioning_error={"provisioningErrorCode": "BadManagedImageSource", "message": MANAGED_IMAGE_403}),
    _s("image-version-404", "The source gallery image version does not exist: 404 ResourceNotFound.",
       seed_section="build--step-failed-for-image-version", expected_category="source_image_not_found",
       outcome="Failed",
       provisioning_error={"provisioningErrorCode": "BadSharedImageVersionSource", "message": IMAGE_VERSION_404}),
    _s("file-download-failed-submit", "A customizer file cannot be downloaded when the template is submitted.",
       seed_section="downloading-external-file-to-local-file", expected_category="file_download_failed",
       outcome="Failed",
       provisioning_error={"provisioningErrorCode": "Other", "message": SUBMIT_DOWNLOAD}),
    _s("file-download-failed", "A File customizer's source cannot be downloaded during the build (10 attempts, 404).",
       seed_section="downloading-external-file-to-local-file", expected_category="file_download_failed",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=10, failing_customizer=1),
]

SAMPLE_DISTRIBUTE.update({name: "SharedImage" for name in
                          ("success-gallery", "sig-replication-timeout", "trusted-launch-mismatch",
                           "image-version-exists")})
SAMPLE_DISTRIBUTE["success-vhd"] = "VHD"
SAMPLE_DISTRIBUTE["distribution-partial"] = "ManagedImage+SharedImage"

SCENARIOS: dict[str, Scenario] = {s.name: s for s in _ALL}

#: Scenarios that only make sense for one OS (the other OS still gets a log, played on its nearest
#: equivalent step, but it is not what the scenario is about).
WINDOWS_ONLY = frozenset({"windows-update-low-resources", "windows-update-failed", "sysprep-timing",
                          "windows-restart-timeout", "windows-logon-slow"})
LINUX_ONLY = frozenset({"apt-lock"})


def sample_os(name: str) -> str:
    """The OS whose sample template shows scenario ``name`` best ("linux" unless Windows-only)."""
    return "windows" if name in WINDOWS_ONLY else "linux"
