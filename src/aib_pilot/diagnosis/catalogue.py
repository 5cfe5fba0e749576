"""The rule catalogue: what each known AIB failure looks like in the logs, why it happens, the fix.

This module is *data only* (literals, no logic) so it can be read, diffed and documented like a
table. ``aib_pilot.diagnosis.rules`` validates and compiles it; ``docs/rules.md`` is generated
from it (``python -m aib_pilot.diagnosis.docs``). Rule IDs are stable: never renumber, only add.

ID scheme: AIB1xx submission / ARM / identity, AIB2xx build and customizers, AIB3xx deprovision and
distribution, AIB4xx pipeline, auth and noise.

Fields of a rule:
  id, category, severity (error|warning|info), title, cause, fix, exceptions, reference
  phase     -- the phase the rule belongs to; None = the phase of the section it was found in
  kind      -- "specific" (a cause), "generic" (a wrapper that only says *that* it failed) or
               "noise" (cleanup chatter that is never a cause)
  priority  -- tie-breaker between findings of the same kind (higher wins); sub-causes of a
               timeout are higher than the timeout itself
  context   -- extra conditions on the evidence: "failing-section" (inside the section that failed),
               "timeout" (a build timeout was seen), "no-timeout", "no-outside-stop" (no rule with
               outside_stop saw Packer stopped by a signal), "deprovision" (inside AIB's hidden
               deprovisioning provisioner), "not-deprovision", "after-deprovision" (printed once a
               deprovisioning step had started), "before-run" (dropped when the text shows that a
               command ran on the build VM: a check made before building cannot have stopped it)
  patterns  -- Python regular expressions, matched against each raw log line (bytes)
  positives / negatives -- example lines the patterns must / must not match (checked by tests)
  code, generic_message -- (optional) the Azure error code the rule reads and a regex for the
               message the service gives that code when it says itself that the error is generic
               ("This is a generic error"): when every record of the code in the text carries such
               a message, the rule counts only as a wrapper
"""

TROUBLESHOOT = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"
PERMISSIONS = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-permissions-cli"
TEMPLATE_REF = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-json"
ARM_ERRORS = "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors"
PACKER_ARM = "https://developer.hashicorp.com/packer/integrations/hashicorp/azure/latest/components/builder/arm"

CATEGORIES = (
    "template_exists", "run_in_progress", "cancel_stuck", "invalid_template", "missing_permissions",
    "policy_denied", "provider_not_registered", "source_image_not_found", "file_download_failed",
    "storage_access_blocked", "quota_or_capacity", "security_type_mismatch", "customizer_failed",
    "package_manager_locked", "build_timeout", "waiting_for_input", "large_file_customizer",
    "vm_resources_exhausted", "windows_update_failed", "windows_restart_timeout", "sysprep_failed",
    "deprovision_failed", "connection_lost", "communicator_timeout", "packer_crash",
    "transient_service_error", "sig_replication_timeout", "distribution_failed",
    "image_version_exists", "pipeline_timeout", "token_expired", "image_not_generalized", "unknown",
)

PHASES = (
    "submission", "deploy", "deployment-status", "connect", "customize", "deprovision",
    "distribute", "cleanup", "pipeline",
)

RULES = (
    # ------------------------------------------------------------------ AIB1xx: submission, ARM
    {
        "id": "AIB101",
        "category": "template_exists",
        "severity": "error",
        "phase": "submission",
        "title": "Image template already exists (updates are not supported)",
        "patterns": [r"Update/Upgrade of image templates is currently not supported"],
        "cause": "An image template with this name already exists in the resource group. AIB "
                 "templates are immutable: a PUT on an existing name is rejected with Conflict. A "
                 "template whose earlier submission failed also stays behind as an artifact.",
        "fix": "Delete the old template and submit again (`az image builder delete -g RG -n NAME`), "
               "or give every run its own template name (aib-pilot adds a run suffix unless "
               "`--name` pins it).",
        "exceptions": "None: AIB never updates a template in place.",
        "reference": TROUBLESHOOT + "#updateupgrade-of-image-templates-is-currently-not-supported",
        "positives": [
            "'Conflict'. Details: Update/Upgrade of image templates is currently not supported",
            '{"error": {"code": "Conflict", "message": "Update/Upgrade of image templates is currently not supported"}}',
        ],
        "negatives": ["Updating image template helloImageTemplate01"],
    },
    {
        "id": "AIB102",
        "category": "missing_permissions",
        "severity": "error",
        "phase": "submission",
        "priority": 20,
        "title": "Resource deployment failed with InternalOperationError",
        # AIB's catch-all wording: the service says itself that it does not know the cause
        "code": "InternalOperationError",
        "generic_message": r"(?i)\bThis is a generic error\b",
        "patterns": [
            r"\"?code\"?\s*[:=]\s*\"?InternalOperationError",
            # AIB's provisioningError message: "... Details: InternalOperationError: Internal error occurred."
            r"\bInternalOperationError: ",
        ],
        "cause": "The template's resource operation ended in the terminal state Failed with the "
                 "inner code InternalOperationError. In most cases the template's user-assigned "
                 "identity lacks a permission it needs (source image or gallery resource group, "
                 "distribution target, storage holding customizer files); a staging resource group "
                 "shared with another template also causes it.",
        "fix": "Give the template identity the roles it needs: Reader on the source image/gallery "
               "resource group, Contributor (or a custom role with images/write and galleries/"
               "images/versions/write) on the distribution target, Storage Blob Data Reader on "
               "the storage holding scripts. Example: `az role assignment create --assignee "
               "<identity principalId> --role Contributor --scope <distribution RG id>`. Use a "
               "unique `stagingResourceGroup` per template.",
        "exceptions": "A transient platform error can produce the same code; if the permissions are "
                      "proven complete, retry once.",
        "reference": TROUBLESHOOT + "#the-resource-operation-completed-with-terminal-provisioning-state-failed",
        "positives": [
            '        "code": "InternalOperationError",',
            "ResourceDeploymentFailure: The resource operation completed with terminal provisioning state "
            "'Failed'. Details: InternalOperationError: Internal error occurred.",
        ],
        "negatives": ['    "provisioningState": "Failed",', "InternalOperation completed",
                      # ARM's wrapper sentence alone: AIB119 (no cause inside it)
                      "    \"message\": \"The resource operation completed with terminal provisioning state 'Failed'.\","],
    },
    {
        "id": "AIB103",
        "category": "missing_permissions",
        "severity": "error",
        "phase": None,
        "priority": 88,
        "title": "The template identity is not authorized (403 AuthorizationFailed)",
        "patterns": [
            r"Code=\\?\"?AuthorizationFailed",
            r"\"code\"\s*:\s*\"AuthorizationFailed\"",
            r"does(?: not|n't) have authorization to perform action",
            r"does(?: not|n't) have permission\s+to perform action '",
            r"Authorization failed for template resource '",
            r"Not authorized to access the\b",
            r"Error getting Managed Image .{0,400}StatusCode=403",
            r"Failure (?:responding to|sending) request: StatusCode=403\b",
        ],
        "cause": "AIB acts with the template's user-assigned managed identity. That identity has no "
                 "role assignment granting the action named in the message (for example "
                 "Microsoft.Compute/images/read on a managed image used as source).",
        "fix": "Assign the missing role to the template identity at the scope in the message, e.g. "
               "`az role assignment create --assignee <identity principalId> --role Reader "
               "--scope <source image RG id>` (source) or Contributor on the distribution resource "
               "group. Role assignments take a few minutes to propagate before you rerun.",
        "exceptions": "When the message names your own CI principal rather than the template "
                      "identity, the pipeline's service connection lacks the role instead.",
        "reference": TROUBLESHOOT + "#error-getting-managed-image",
        "positives": [
            "Message=\"The template deployment failed with error: 'Authorization failed for template resource 'stgaib01' of type 'Microsoft.Storage/storageAccounts'. The client 'ci-deployer' with object id '7a1e0000-0000-4000-8000-000000000001' does not have permission to perform action 'Microsoft.Storage/storageAccounts/write' at scope '/subscriptions/0000/resourceGroups/rg-aib'.'\"",
            "Status=403 Code=\"AuthorizationFailed\" Message=\"The client '......' with object id '......' does not have authorization to perform action 'Microsoft.Compute/images/read' over scope",
            "Not authorized to access the resource: /subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g. Please check the user assigned identity has the correct permissions.",
            '==> azure-arm: resources.GroupsClient#CreateOrUpdate: Failure responding to request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error.',
        ],
        "negatives": ["Checking authorization for the build VM ...", "Authorization: ok"],
    },
    {
        "id": "AIB104",
        "category": "source_image_not_found",
        "severity": "error",
        "phase": "submission",
        "priority": 80,
        "title": "Source image (gallery image version or managed image) not found",
        "patterns": [
            r"Build \((?:Shared Image Version|Managed Image|Platform Image)\) step failed",
            r"GalleryImageVersionsClient#Get: Failure responding to request: StatusCode=404",
            r"Error getting Image Version .{0,600}(?:StatusCode=404|was not found)",
            r"(?:BadSharedImageVersionSource|BadManagedImageSource|BadPIRSource)",
            r"PlatformImageNotFound|Artifact: VMImage was not found",
        ],
        "cause": "AIB could not find the source image named in `source`: the gallery image version "
                 "or managed image ID is wrong, was deleted, or is not replicated to the region of "
                 "the image template; for marketplace images the publisher/offer/sku/version does "
                 "not exist in that region.",
        "fix": "Check `properties.source` in the template: `az sig image-version show --ids "
               "<imageVersionId>` must succeed and list the template's location among its "
               "replication regions; for PlatformImage run `az vm image list --location <loc> "
               "--publisher P --offer O --sku S --all`. Use `latest` for version if you do not "
               "need a pinned one.",
        "exceptions": "A 403 for the same image is a permission problem (AIB103), not a missing "
                      "image.",
        "reference": TROUBLESHOOT + "#build--step-failed-for-image-version",
        "positives": [
            "Build (Shared Image Version) step failed for Image Version '/subscriptions/.../versions/0.23768.4001': Error getting Image Version",
            "compute.GalleryImageVersionsClient#Get: Failure responding to request: StatusCode=404 -- Original Error: autorest/azure: Service returned an error.",
        ],
        "negatives": ["Build (Shared Image Version) step succeeded", "GalleryImageVersionsClient#Get: StatusCode=200"],
    },
    {
        "id": "AIB105",
        "category": "file_download_failed",
        "severity": "error",
        "phase": "submission",
        "priority": 80,
        "title": "AIB could not download a customizer file (scriptUri/sourceUri)",
        "patterns": [r"Downloading external file \(.{0,600}\) to local file \(.{0,400}\) \[attempt \d+ of \d+\] failed"],
        "cause": "Before the build VM starts, AIB downloads every `scriptUri`/`sourceUri` into the "
                 "staging storage account. The URL is misspelled, the blob does not exist, the SAS "
                 "expired, the storage account is private, or the server uses a cipher suite AIB "
                 "does not accept.",
        "fix": "Open the URL from outside the VM (`curl -fI '<uri>'`). Fix the customizer's "
               "`scriptUri`/`sourceUri`, or store the file in an Azure storage account and grant "
               "the template identity Storage Blob Data Reader on it.",
        "exceptions": "The attempt counter repeats for transient failures; only the last attempt "
                      "failing is fatal.",
        "reference": TROUBLESHOOT + "#downloading-external-file-to-local-file",
        "positives": [
            "Downloading external file (https://example.blob.core.windows.net/scripts/setup.sh) to local file (d2a1.0.customizer.fp) [attempt 1 of 10] failed: Error downloading 'https://example.blob.core.windows.net/scripts/setup.sh' to 'd2a1.0.customizer.fp'..",
        ],
        "negatives": ["Downloading external file (https://x/setup.sh) to local file (d2a1.0.customizer.fp) [attempt 1 of 10]"],
    },
    {
        "id": "AIB106",
        "category": "invalid_template",
        "severity": "error",
        "phase": "submission",
        "priority": 70,
        "title": "The image template is invalid",
        "patterns": [
            r"Validation failed: '?ImageTemplate\b",
            r"\"code\"\s*:\s*\"ValidationFailed\"",
            r"\b(?:BadSourceType|BadCustomizerType|UnsupportedCustomizerType|NoCustomizerScript|BadValidatorType|UnsupportedValidatorType|NoValidatorScript|BadDistributeType|BadSharedImageDistribute|BadStagingResourceGroup)\b",
            r"\bInvalidTemplate\b",
        ],
        "cause": "ARM or AIB rejected the template while validating it: a field has a bad value, a "
                 "customizer has neither `inline` nor `scriptUri`, a distributor is missing "
                 "`runOutputName`, or `stagingResourceGroup` is not empty/in another region.",
        "fix": "Read the field named in the message and correct it in the template (reference: "
               "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-json). Run "
               "`aib-pilot lint TEMPLATE.json` for the common mistakes, then submit again.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#troubleshoot-image-template-submission-errors",
        "positives": [
            "\"message\": \"Validation failed: 'ImageTemplate.properties.source': Field 'imageId' has a bad value: '/subscriptions/x'.\"",
            '"provisioningErrorCode": "NoCustomizerScript",',
            "Details: Validation failed: 'ImageTemplate': Missing field 'vmProfile'. Please review the template reference.",
        ],
        "negatives": ["Validation succeeded", '"code": "ValidationSucceeded"'],
    },
    {
        "id": "AIB107",
        "category": "run_in_progress",
        "severity": "error",
        "phase": "submission",
        "priority": 70,
        "title": "A run of this template is already in progress",
        "patterns": [
            r"(?i)(?:image template|template) (?:is )?(?:already|currently) (?:running|in progress)",
            r"(?i)(?:build|run) (?:is )?already (?:running|in progress)",
            r"(?i)an? (?:existing|active|ongoing) (?:run|build) (?:is )?in progress",
            r"not allowed in provisioning ?[Ss]tate:? '?(?:[Cc]reating|[Uu]pdating|[Dd]eleting)",
            # AIB's refusal of a delete/run/update while a build runs names both states
            r"not allowed in provisioning ?[Ss]tate:? '?\w+'?,? (?:or )?run ?[Ss]tate:? '?[Rr]unning\b",
        ],
        "cause": "AIB allows one run per template at a time; Run or Update was called while the "
                 "previous run had not finished (lastRunStatus.runState Running or Canceling).",
        "fix": "Wait for the current run (`aib-pilot monitor -g RG -n NAME`) or cancel it "
               "(`aib-pilot cancel -g RG -n NAME`), then start a new run.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#troubleshoot-image-template-submission-errors",
        "positives": ["Conflict: the image template is already running. Wait for the run to complete.",
            "Operation 'DELETE' is not allowed in provisioningState: 'Creating'",
            "Operation 'Microsoft.VirtualMachineImages/imageTemplates/run' is not allowed in "
            "provisioningState: 'Succeeded', runState: 'Running'",
        ],
        "negatives": ["Waiting: the build is currently running (step 3 of 7)", "Build is running on agent Hosted Agent", "run completed",
                      "Operation 'delete' is not allowed in provisioning state: succeeded or run state: canceling."],
    },
    {
        "id": "AIB108",
        "category": "cancel_stuck",
        "severity": "warning",
        "phase": "submission",
        "priority": 40,
        "title": "A cancel request has not finished",
        "patterns": [r"\"runState\"\s*:\s*\"Canceling\"", r"\brunState[=: ]+Canceling\b"],
        "cause": "The run is in the Canceling state. AIB stops Packer and deletes the build VM "
                 "before the state becomes Canceled, which can take tens of minutes; until then no "
                 "new run can start and the template cannot be deleted.",
        "fix": "Wait and check again with `aib-pilot monitor -g RG -n NAME`. If it stays Canceling "
               "for more than an hour, open a support case (Azure Image Builder) with the "
               "template ID.",
        "exceptions": "A few minutes in Canceling is normal.",
        "reference": TROUBLESHOOT + "#getting-support",
        "positives": ['"runState": "Canceling",'],
        "negatives": ['"runState": "Canceled",'],
    },
    {
        "id": "AIB110",
        "category": "policy_denied",
        "severity": "error",
        "phase": None,
        "priority": 85,
        "title": "Azure Policy denied a resource AIB needs",
        "patterns": [r"RequestDisallowedByPolicy", r"was disallowed by policy",
            r"\bbecause of policy violation\b",
            r"\bpolicyAssignment(?:Id|Name|DisplayName)\b.{0,40}\bpolicyDefinition",
        ],
        "cause": "An Azure Policy assignment denies a resource AIB creates: the staging resource "
                 "group, its storage account (e.g. policies requiring a firewall or disabling "
                 "shared keys), the build VM, NIC, public IP, container instance, or required tags.",
        "fix": "Read the policy name in the message (`az policy assignment list --disable-scope-"
               "strict-match`). Ask for an exemption for the staging resource group "
               "(`az policy exemption create ... --scope <staging RG id>`), set "
               "`stagingResourceGroup` to a pre-created, exempted group, or add the tags the "
               "policy requires via `managedResourceTags`.",
        "exceptions": "Audit-only policies never block; this rule only fires on a Deny.",
        "reference": "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-policy-requestdisallowedbypolicy",
        "positives": ["Code=\"RequestDisallowedByPolicy\" Message=\"Resource 'aibstorage' was disallowed by policy. Policy identifiers: '[{\\\"policyAssignment\\\":{\\\"name\\\":\\\"deny-public-storage\\\"}}]'\"",
            'Code="InvalidTemplateDeployment" Message="The template deployment failed because of policy violation. Please see details for more information."',
        ],
        "negatives": ["Policy evaluation: compliant"],
    },
    {
        "id": "AIB111",
        "category": "provider_not_registered",
        "severity": "error",
        "phase": "submission",
        "priority": 85,
        "title": "A resource provider is not registered on the subscription",
        "patterns": [r"MissingSubscriptionRegistration", r"is not registered to use namespace", r"NoRegisteredProviderFound",
            r"is not registered for the resource type",
            r"\bSubscriptionNotRegistered\b",
            r"subscription is not registered to use",
        ],
        "cause": "The subscription has never registered a namespace AIB uses "
                 "(Microsoft.VirtualMachineImages, Microsoft.Compute, Microsoft.Storage, "
                 "Microsoft.Network, Microsoft.KeyVault, Microsoft.ContainerInstance).",
        "fix": "Register it once per subscription: `az provider register -n "
               "Microsoft.VirtualMachineImages` (and the namespace named in the message), then "
               "`az provider show -n Microsoft.VirtualMachineImages --query registrationState`.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-register-resource-provider",
        "positives": ['"code": "MissingSubscriptionRegistration", "message": "The subscription is not registered to use namespace \'Microsoft.VirtualMachineImages\'."',
            "ERROR: (MissingSubscriptionRegistration) The subscription is not registered for the resource type 'imageTemplates'.",
        ],
        "negatives": ["Registering provider Microsoft.Compute ... done"],
    },
    {
        "id": "AIB112",
        "category": "quota_or_capacity",
        "severity": "error",
        "phase": "deploy",
        "priority": 85,
        "title": "Not enough vCPU quota for the build VM",
        "patterns": [
            r"QuotaExceeded",
            r"exceeding approved .{0,80}(?:Cores|cores|vCPUs?) quota",
            r"Operation could not be completed as it results in exceeding approved",
            r"ContainerGroupQuotaReached|StandardCores.{0,40}quota",
            r"exceeding quota limits? of \w+\.\s*Maximum allowed: \d+",
            r"exceeding quota limits of",
            r"(?i)\bquota (?:limit )?(?:exceeded|reached)\b",
            r"\b(?:Regional|Family) Cores quota\b",
        ],
        "cause": "The build VM (or the proxy VM / container instance of an isolated build) needs "
                 "vCPUs of a VM family for which the subscription's regional quota is used up.",
        "fix": "Request more quota for the family named in the message (Portal > Quotas > "
               "Compute, or `az quota create`), free cores in that region, or pick a `vmProfile."
               "vmSize` from a family with headroom (`az vm list-usage -l <location> -o table`).",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/quotas/per-vm-quota-requests",
        "positives": [
            "==> azure-arm: ERROR:   -> OperationNotAllowed : Operation could not be completed as it results in exceeding approved standardDSv2Family Cores quota. Additional details - Deployment Model: Resource Manager, Location: eastus, Current Limit: 10, Current Usage: 10",
            '"code": "QuotaExceeded"',
            'New-AzVM : Operation results in exceeding quota limits of Core. Maximum allowed: 10, Current in use: 10, Additional requested: 4.',
        ],
        "negatives": ["quota check passed for standardDSv2Family"],
    },
    {
        "id": "AIB113",
        "category": "quota_or_capacity",
        "severity": "error",
        "phase": "deploy",
        "priority": 85,
        "title": "The build VM size is not available in the region or zone",
        "patterns": [r"SkuNotAvailable", r"\b(?:Zonal)?AllocationFailed\b", r"OverconstrainedAllocationRequest", r"requested VM size .{0,80} is not available",
            r"is currently not available in location",
            r"requested size for resource .{0,300} not available",
        ],
        "cause": "The region (or zone) has no capacity for `vmProfile.vmSize`, or the size is "
                 "restricted for the subscription there.",
        "fix": "Choose another `vmProfile.vmSize` (`az vm list-skus -l <location> --size "
               "Standard_D --output table` shows restrictions) or build in another region; retry "
               "later for transient AllocationFailed.",
        "exceptions": "AllocationFailed is often temporary; one retry is reasonable.",
        "reference": "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-sku-not-available",
        "positives": ["Code=\"SkuNotAvailable\" Message=\"The requested size for resource '/subscriptions/x/virtualMachines/pkrvm' is currently not available in location 'westeurope' zones ''",
            "ERROR: (SkuNotAvailable) The requested size for resource '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1' is currently not available in location 'westeurope' zones '' for subscription 'x'.",
        ],
        "negatives": ["Sku available: Standard_D2s_v3"],
    },
    {
        "id": "AIB114",
        "category": "security_type_mismatch",
        "severity": "error",
        "phase": None,
        "priority": 85,
        "title": "Security type / VM generation mismatch (Trusted Launch, Gen2)",
        "patterns": [
            r"(?i)(?:not supported|does not support|doesn't support|mismatch|not compatible|cannot be|must be|invalid).{0,160}(?:TrustedLaunch|Trusted Launch|SecurityType|Confidential ?VM)",
            r"(?i)(?:TrustedLaunch|Trusted Launch|SecurityType|Confidential ?VM).{0,160}(?:not supported|does not support|doesn't support|mismatch|not compatible|cannot be used|must be)",
            r"cannot boot Hypervisor Generation",
            r"HyperVGeneration.{0,80}(?:does not match|mismatch|not supported)",
            r"only supports creation of VMs(?: and VM Scale Sets)? with '?(?:TrustedLaunch|ConfidentialVM)",
            r"has a different Hypervisor generation \[?'?V\d",
            r"(?i)different Hyper-V Generation: V\d",
            r"Error with Hyper-V Version validation",
            r"Generation 2 Hypervisor Image and VM Size can only be used with managed-disk VMs",
        ],
        "cause": "The source image, the build VM size and the gallery image definition disagree on "
                 "security type or Hyper-V generation: a Trusted Launch or Gen2 source built on a "
                 "Gen1-only size (the default Standard_D1_v2), or a Trusted Launch image "
                 "distributed to a gallery definition created without the TrustedLaunch feature. "
                 "A Gen2 image also needs managed disks: deployed with an unmanaged (VHD blob) OS "
                 "disk, as a Packer VHD build does, Compute refuses it.",
        "fix": "Use a Gen2 size that supports Trusted Launch in `vmProfile.vmSize` (e.g. "
               "Standard_D2s_v5), and create the gallery image definition with `--hyper-v-"
               "generation V2 --features SecurityType=TrustedLaunchSupported` (or TrustedLaunch) "
               "to match the source. For the managed-disk refusal, build to a managed image or a "
               "gallery (Packer: `managed_image_name` instead of `capture_container_name`) or pick "
               "a Gen1 source.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/trusted-launch-existing-vm",
        "positives": [
            "Message=\"The selected VM size 'Standard_D1_v2' cannot boot Hypervisor Generation '2'. If this was a Create operation please check that the Hypervisor Generation of the Image matches the Hypervisor Generation of the selected VM Size.\"",
            "The gallery image definition does not support security type TrustedLaunch required by the source image",
            "Code=\"BadRequest\" Message=\"The provided gallery image only supports creation of VMs and VM Scale Sets "
            "with 'TrustedLaunch' security type.\"",
            "ERROR: (Conflict) The resource with id '/subscriptions/0000/resourceGroups/img-rg/providers/Microsoft.Compute/"
            "images/web-2404' has a different Hypervisor generation ['V1'] than the parent gallery image Hypervisor "
            "generation ['V2'].",
            "Validation failed: Error with Hyper-V Version validation (cross-generation for multiple Hyper-V Versions is "
            "not supported). The provided SIG: /subscriptions/0000/resourceGroups/img-rg/providers/Microsoft.Compute/"
            "galleries/corp/images/web, has a different Hyper-V Generation: V1, than source image: V2.",
            'Status=400 Code="BadRequest" Message="Generation 2 Hypervisor Image and VM Size can only be used with '
            'managed-disk VMs."',
        ],
        "negatives": ['    "securityType": "TrustedLaunch",', "Trusted Launch enabled: secure boot on",
                      '    "hyperVGeneration": "V2",'],
    },
    {
        "id": "AIB115",
        "category": "storage_access_blocked",
        "severity": "error",
        "phase": None,
        "priority": 86,
        "title": "Storage access blocked (shared keys disabled, public access or firewall)",
        "patterns": [
            r"KeyBasedAuthenticationNotPermitted",
            r"(?i)Key based authentication is not permitted on this storage account",
            r"PublicAccessNotPermitted|Public access is not permitted on this storage account",
            r"AuthorizationFailure.{0,120}This request is not authorized to perform this operation",
            r"This request is not authorized to perform this operation\.? .{0,80}AuthorizationFailure",
        ],
        "cause": "A storage account AIB or the build VM must reach refuses the request: the "
                 "staging storage account has shared-key access disabled by policy, or the "
                 "account holding your scripts blocks public/network access.",
        "fix": "Exempt the staging resource group from the 'storage accounts should prevent shared "
               "key access' policy (or use a pre-created `stagingResourceGroup` with an exemption); "
               "for script storage grant the template identity Storage Blob Data Reader and add "
               "it to `vmProfile.userAssignedIdentities`, or allow the build subnet in the "
               "storage firewall.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent",
        "positives": ["Code=\"KeyBasedAuthenticationNotPermitted\" Message=\"Key based authentication is not permitted on this storage account.\"",
                      "Azure.RequestFailedException: Key Based authentication is not permitted on this storage account."],
        "negatives": ["allowSharedKeyAccess: true"],
    },
    {
        "id": "AIB116",
        "category": "transient_service_error",
        "severity": "error",
        "phase": None,
        "priority": 55,
        "title": "Timed out waiting for an Azure resource (no artifacts created)",
        "patterns": [
            r"errored: Future#WaitForCompletion: context has been cancelled",
            r"errored after [^:]{1,80}: Future#WaitForCompletion: context has been cancelled",
            r"azure-arm,error \[\]string\{\"Future#WaitForCompletion: context has been cancelled",
            r"--> azure-arm: Future#WaitForCompletion: context has been cancelled",
        ],
        "cause": "Packer timed out waiting for an Azure operation (creating the build VM, disk or "
                 "image) to complete; the platform operation was slow or stuck.",
        "fix": "Run the build again (`aib-pilot run ...`). If it repeats, check the Azure status "
               "page for the region and raise `buildTimeoutInMinutes`.",
        "exceptions": "When the same text is part of a gallery publication error, the gallery "
                      "replication timeout rule (AIB305) applies instead.",
        "reference": TROUBLESHOOT + "#builds-finished-but-no-artifacts-were-created",
        "positives": ["PACKER OUT Build 'azure-arm' errored: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded"],
        "negatives": ["PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1"],
    },
    {
        "id": "AIB117",
        "category": "transient_service_error",
        "severity": "error",
        "phase": None,
        "priority": 35,
        "title": "Azure service error (retryable)",
        "patterns": [
            r"\bInternalServerError\b",
            r"\"provisioningErrorCode\"\s*:\s*\"ServerError\"",
            r"StatusCode=(?:500|502|503|504)\b",
            r"\b(?:ServiceUnavailable|GatewayTimeout|TooManyRequests)\b",
            r"\bNetworkingInternalOperationError\b",
            r"(?i)\bplease retry (?:later|in ?some ?time|after some time|in a (?:few|while))\b",
            r"\bRetryableError\b|\bInternalRetriableError\b",
            r"(?i)\bA retryable error occurr?ed\b",
            r"The gateway did not receive a response from '?[\w.]+'? within the specified time period",
            r"\(CODE: 50[0234]\)",
        ],
        "cause": "An Azure service returned a server-side or throttling error.",
        "fix": "Rerun the build. If the error persists, note the correlation/operation ID from the "
               "message and open a support case.",
        "exceptions": "Errors that Packer retried successfully are not causes; this rule only ranks "
                      "when nothing more specific was found.",
        "reference": TROUBLESHOOT + "#getting-support",
        "positives": ['"provisioningErrorCode": "ServerError", "message": "Internal server error"',
            '--> azure-arm: Code="NetworkingInternalOperationError" Message="An unexpected error occurred while processing the network profile of the VM. Please retry later."',
            "##[error]Error: post template call failed for template t_1700000000 with error: The gateway did not receive a response from 'Microsoft.VirtualMachineImages' within the specified time period. (CODE: 504)",
            "ERROR: (InternalRetriableError) The operation cannot be completed due to an internal retrievable error. Please retry in sometime.",
            "    azure-arm: Error: compute.VirtualMachinesClient#CreateOrUpdate: A retryable error occured.",
        ],
        "negatives": ["StatusCode=200", "##[error]Error: put template call failed with error: Internal error occurred. (CODE: 200)"],
    },
    {
        "id": "AIB118",
        "category": "missing_permissions",
        "severity": "error",
        "phase": "deploy",
        "priority": 80,
        "title": "Build VM network interface not found (404 ResourceNotFound)",
        "patterns": [r"network\.InterfacesClient#\w+: Failure responding to request: StatusCode=404"],
        "cause": "AIB could not find or tag the build VM's network interface in the staging "
                 "resource group. The guide attributes this to missing permissions of the "
                 "template identity (for example on a custom VNet or staging resource group).",
        "fix": "Check the identity's roles: Network Contributor (or join action) on the subnet in "
               "`vmProfile.vnetConfig.subnetId`, Contributor on a custom `stagingResourceGroup`. "
               "Then rerun.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#resource-not-found",
        "positives": ["\"message\": \"network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404 -- Original Error: autorest/azure: Service returned an error. Status=404 Code=\\\"ResourceNotFound\\\"\""],
        "negatives": ["network.InterfacesClient#UpdateTags: StatusCode=200"],
    },
    # ------------------------------------------------------------------ AIB2xx: build, customizers
    {
        "id": "AIB201",
        "category": "customizer_failed",
        "severity": "error",
        "kind": "generic",
        "phase": "customize",
        "priority": 20,
        "title": "Packer build command failed (wrapper message)",
        "patterns": [r"Packer build command has failed"],
        "cause": "The status message only says that Packer exited non-zero; the real cause is in "
                 "customization.log, usually a customizer (script) that failed.",
        "fix": "Read the failing customizer in customization.log (search `(telemetry)`): "
               "`aib-pilot logs -g RG -n NAME` downloads it and `aib-pilot diagnose LOG --template "
               "T.json` points at the customizer. Test the script on a VM from the same source "
               "image first.",
        "exceptions": "Never the root cause by itself.",
        "reference": TROUBLESHOOT + "#packer-build-command-failure",
        "positives": ["Failed while waiting for packerizer: Microservice has failed: Failed while processing request: Error when executing packerizer: Packer build command has failed: exit status 1."],
        "negatives": ["Packer build command started"],
    },
    {
        "id": "AIB202",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 40,
        "context": ["not-deprovision"],
        "title": "A customizer's script exited with a non-zero code",
        "patterns": [
            r"Script exited with non-zero exit status: ?\d+",
            r"exited with non-zero exit status",
            r"^(?!.*(?:packer restart|windows-update-elevated)).*exited with code: (?!(?:0|1115|1190)\b)\d+",
            r"[Rr]emote command exited with '(?!0')\d+'",
            # Terraform's remote-exec (Go's SSH client names the exit status)
            r"error executing \"[^\"]{1,300}\": Process exited with status [1-9]\d*",
        ],
        "cause": "A command in a Shell or PowerShell customizer failed and the script stopped with "
                 "that exit code; Packer then aborted the build.",
        "fix": "Run the script on a VM from the same source image and fix the failing command "
               "(the last lines of the customizer's output show it). For PowerShell codes that "
               "mean success (e.g. 3010 reboot required) list them in the customizer's "
               "`validExitCodes`; make scripts non-interactive (`set -euo pipefail`, `-y`).",
        "exceptions": "windows-update's internal exit code 101 means 'restart needed' and is not a "
                      "failure by itself.",
        "reference": TROUBLESHOOT + "#packer-build-command-failure",
        "positives": [
            "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
            "packer: 2020/04/30 23:38:58 [INFO] command 'powershell -executionpolicy bypass \"& { . c:/Windows/Temp/script.ps1 }\"' exited with code: 1",
            "2016/03/02 10:11:12 packer-builder-qemu: 2016/03/02 10:11:12 remote command exited with '2': /tmp/script_118.sh",
            '* azurerm_linux_virtual_machine.agent: error executing "/tmp/terraform_90210.sh": Process exited with status 2',
        ],
        "negatives": [
            "[INFO] command 'shutdown.exe -f -r -t 0 -c \"packer restart\"' exited with code: 0",
            "2016/03/02 10:11:12 packer-builder-qemu: 2016/03/02 10:11:12 remote command exited with '0': /tmp/script_118.sh",
            "[INFO] command 'PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File C:/Windows/Temp/packer-windows-update-elevated.ps1' exited with code: 101",
        ],
    },
    {
        "id": "AIB203",
        "category": "unknown",
        "severity": "error",
        "kind": "generic",
        "phase": None,
        "priority": 10,
        "title": "Packer reported that the build errored (summary line)",
        "patterns": [
            r"Microservice has failed",
            r"Some builds didn't complete successfully and had errors",
            r"Builds finished but no artifacts were created",
            r"Build '[\w.-]+' errored",
        ],
        "cause": "Packer's or AIB's closing summary of a failed build. It repeats the error of the "
                 "step that failed and is never the cause itself.",
        "fix": "Look at the step before this line; aib-pilot ranks the specific cause above it.",
        "exceptions": "Never a cause by itself.",
        "reference": TROUBLESHOOT + "#troubleshoot-build-failures",
        "positives": ["PACKER ERR ==> Some builds didn't complete successfully and had errors:", "PACKER OUT ==> Builds finished but no artifacts were created."],
        "negatives": ["==> Builds finished. The artifacts of successful builds are:"],
    },
    {
        "id": "AIB204",
        "category": "build_timeout",
        "severity": "error",
        "phase": "customize",
        "priority": 30,
        "title": "The build exceeded buildTimeoutInMinutes",
        "patterns": [
            r"Timeout waiting for microservice to complete",
            r"Failed while waiting for packerizer: .{0,40}context deadline exceeded",
            r"(?i)build (?:has )?timed out after \d+ minutes",
        ],
        "cause": "The whole build (customize, validate, distribute) took longer than "
                 "`buildTimeoutInMinutes` (default 240). Usually a customizer hangs (a prompt, a "
                 "wait for a lock or reboot) or the VM is too small for the work.",
        "fix": "Find the last customizer that started (`(telemetry) Starting provisioner` nearest "
               "the end of customization.log; aib-pilot shows it as the failing section). Make its "
               "commands non-interactive; if the work is just long, raise "
               "`properties.buildTimeoutInMinutes` (max 960) or use a bigger `vmProfile.vmSize`.",
        "exceptions": "When a more specific sub-cause is visible (a prompt, a large File download, "
                      "a saturated VM), that finding ranks first.",
        "reference": TROUBLESHOOT + "#timeout-exceeded",
        "positives": ["Deployment failed. Correlation ID: x. Failed in building/customizing image: Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'"],
        "negatives": ["Waiting for microservice to complete"],
    },
    {
        "id": "AIB205",
        "category": "waiting_for_input",
        "severity": "error",
        "phase": "customize",
        "priority": 90,
        "context": ["failing-section"],
        "title": "A customizer is waiting for keyboard input",
        "patterns": [
            r"Do you want to continue\? \[Y/n\]",
            r"\[[yY]/[nN]\]\s*\??\s*$",
            r"\((?:yes/no|y/n)(?:/\[fingerprint\])?\)\??\s*$",
            r"(?i)press any key to continue",
            r"(?i)Which services should be restarted\?",
            r"(?i)enter (?:passphrase|password) for",
            r"(?i)^(?!.*Pausing (?:after|before) ).*press enter to continue",
            r"Are you sure you want to perform this action\?",
            r"\[Y\] Yes\s+\[A\] Yes to All",
        ],
        "cause": "The last running customizer printed an interactive prompt (apt-get without -y, "
                 "an installer asking yes/no, a needrestart dialog, PowerShell's Confirm prompt of "
                 "Remove-Item without -Recurse/-Confirm:$false). Nobody answers in an AIB "
                 "build, so the script waits until the build times out.",
        "fix": "Make the command non-interactive: `apt-get install -y`, "
               "`DEBIAN_FRONTEND=noninteractive`, `yum -y`, installer silent switches (`/quiet`, "
               "`/S`); for needrestart set `NEEDRESTART_MODE=a`. Test with `</dev/null` on a VM "
               "from the same image.",
        "exceptions": "A prompt that was answered (followed by further output) is not a cause; the "
                      "rule only ranks inside the failing customizer.",
        "reference": TROUBLESHOOT + "#timeout-exceeded",
        "positives": ["PACKER OUT     azure-arm: Do you want to continue? [Y/n]",
                      "    azure-arm: Are you sure you want to continue connecting (yes/no/[fingerprint])?",
                      '    azure-arm: [Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): '],
        "negatives": ["    azure-arm: Reading package lists... Done", "Continuing without prompt (yes)"],
    },
    {
        "id": "AIB206",
        "category": "large_file_customizer",
        "severity": "error",
        "phase": "customize",
        "priority": 85,
        "context": ["failing-section"],
        "title": "The File customizer is downloading a large file",
        "patterns": [r" \d{1,15} B / \d{1,15} B\s{1,8}(?!100\.00%)\d{1,3}\.\d+%"],
        "cause": "The File customizer copies its `sourceUri` through Packer's communicator, which "
                 "is only fit for small files (< 20 MB). Large artifacts crawl for hours and the "
                 "build times out.",
        "fix": "Replace the File customizer with a Shell/PowerShell customizer that downloads the "
               "file on the VM: `curl -fsSL -o /opt/app.zip '<url>'` (Linux) or `Invoke-"
               "WebRequest -Uri '<url>' -OutFile C:\\app.zip` (Windows); keep File for small "
               "config files.",
        "exceptions": "Small files show the same progress lines but finish; the rule only ranks "
                      "when the File customizer is the failing section and had not reached 100%.",
        "reference": TROUBLESHOOT + "#long-file-download-time",
        "positives": ["myBigFile.zip 1652 B / 826000 B  2.00%"],
        "negatives": ["small.cfg 826 B / 826 B  100.00%", "Downloading 826 kB"],
    },
    {
        "id": "AIB207",
        "category": "vm_resources_exhausted",
        "severity": "error",
        "phase": None,
        "priority": 70,
        "context": ["before-step-failed"],
        # before any customizer ran the VM runs nothing of yours: an EOF then is Packer's own
        # plugin process dying (a crash), not an exhausted VM; while connecting AIB244 says so
        "by_phase": {"distribute": None, "cleanup": None, "deprovision": None,
                     "deploy": "packer_crash", "deployment-status": "packer_crash", "connect": None},
        "title": "The build VM ran out of resources (communicator lost: unexpected EOF)",
        "patterns": [
            r"errored: unexpected EOF",
            r"errored after [^:]{1,80}: unexpected EOF",
            r"--> [\w.-]+: unexpected EOF",
            r"Out of memory: Killed process",
            r"(?i)\bcannot allocate memory\b",
            r"No space left on device",
            r"System\.OutOfMemoryException",
            r"Insufficient system resources exist to complete the requested service",
            r"There is not enough space on the disk",
            r"(?i)\bdisk (?:is )?full\b",
        ],
        "cause": "The build VM is saturated: on the default size (Standard_D1_v2, 1 vCPU, 3.5 GB) "
                 "Windows Update or big installs starve the machine, its WinRM/SSH service stops "
                 "answering and Packer's connection ends with 'unexpected EOF'; on Linux the OOM "
                 "killer or a full OS disk stops the script.",
        "fix": "Use a bigger build VM: set `vmProfile.vmSize` (e.g. Standard_D4s_v5) and, for a "
               "full disk, `vmProfile.osDiskSizeGB`.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#low-windows-resource-information-events",
        "positives": ["PACKER OUT Build 'azure-arm' errored: unexpected EOF", "    azure-arm: dpkg: error processing archive: No space left on device",
            '==> azure-arm: ERROR: Cannot write the archive: There is not enough space on the disk. : C:\\Windows\\Temp\\tools.zip',
        ],
        "negatives": ["reached EOF of input", "Build 'azure-arm' finished after 20 minutes."],
    },
    {
        "id": "AIB208",
        "category": "vm_resources_exhausted",
        "severity": "warning",
        "phase": "customize",
        "priority": 60,
        "context": ["failing-section"],
        "title": "The build VM is saturated (system performance near 100%)",
        "patterns": [r"system performance: (?:9\d|100)% cpu", r"system performance: \d+% cpu; (?:9\d|100)% memory"],
        "cause": "The windows-update provisioner reports the VM's CPU or memory near saturation "
                 "while the failing step runs; the default build VM is too small.",
        "fix": "Set `vmProfile.vmSize` to a size with more vCPU and memory (e.g. Standard_D4s_v5).",
        "exceptions": "Short peaks are normal; the rule only ranks inside the failing section.",
        "reference": TROUBLESHOOT + "#low-windows-resource-information-events",
        "positives": ["azure-arm: Waiting for operation to complete (system performance: 90% cpu; 32% memory)..."],
        "negatives": ["azure-arm: Waiting for operation to complete (system performance: 21% cpu; 37% memory)..."],
    },
    {
        "id": "AIB209",
        "category": "windows_update_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 70,
        "title": "Windows Update failed",
        "patterns": [
            r"(?i)windows.update.{0,80}(?:failed|error 0x|returned error)",
            # not 0x80240017 (WU_E_NOT_APPLICABLE): an update that does not apply, which install
            # scripts skip on purpose
            r"\b0x8024(?!0017\b)[0-9A-Fa-f]{4}\b",
            r"Windows update failed",
            r"Exception from HRESULT: 0x80072[Ee][Ff][0-9A-Fa-f]",
            r"\bWU_E_[A-Z_]+\b",
        ],
        "cause": "The WindowsUpdate customizer could not search, download or install updates "
                 "(Windows Update error codes 0x8024xxxx), often because the source image has no "
                 "network path to Windows Update or the update service is still busy.",
        "fix": "Check the error code, allow the build VM to reach Windows Update (proxy/firewall), "
               "narrow `searchCriteria`/`filters` in the WindowsUpdate customizer, put a "
               "WindowsRestart customizer before and after it, and use a bigger `vmProfile.vmSize`.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#low-windows-resource-information-events",
        "positives": ["    azure-arm: Windows update failed with HResult 0x80244022",
            '    azure-arm: ERROR: Exception from HRESULT: 0x80072EFD',
        ],
        "negatives": ["    azure-arm: Found Windows update KB5034439", "azure-arm: Waiting for the Windows Modules Installer to exit...",
                      "    azure-arm: KB5031364 is not applicable to this computer (0x80240017), skipping"],
    },
    {
        "id": "AIB210",
        "category": "windows_restart_timeout",
        "severity": "error",
        "phase": "customize",
        "priority": 80,
        "title": "Timed out waiting for Windows to restart",
        "patterns": [r"Timeout waiting for machine to restart", r"Timeout waiting for restart"],
        "cause": "A WindowsRestart customizer (or windows-update's restart) rebooted the VM and "
                 "WinRM did not come back within `restartTimeout` (default 5m): updates being "
                 "applied during boot, first-logon tasks, or a small VM.",
        "fix": "Raise `restartTimeout` in the WindowsRestart customizer (e.g. \"30m\"), use a "
               "bigger `vmProfile.vmSize`, and avoid changes that block WinRM after reboot.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#low-windows-resource-information-events",
        "positives": ["PACKER OUT --> azure-arm: Timeout waiting for machine to restart."],
        "negatives": ["    azure-arm: Waiting for machine to restart..."],
    },
    {
        "id": "AIB211",
        "category": "package_manager_locked",
        "severity": "error",
        "phase": "customize",
        "priority": 85,
        "title": "The package manager lock is held by another process",
        "patterns": [
            # apt ends the same sentence with "are you root?" when the lock file cannot be opened
            # for lack of permission: nothing holds the lock then (AIB238). "Waiting for cache
            # lock" is apt waiting, and going on, not failing
            r"Unable to acquire the dpkg frontend lock(?! \([^)]{0,200}\), are you root)",
            r"Unable to lock the administration directory(?! \([^)]{0,200}\), are you root)",
            r"is another process using it\?",
            r"Another app is currently holding the yum lock",
            r"yum lockfile is held by another process",  # Ansible's yum module
            r"(?:frontend )?lock was locked by another process",
            r"dpkg(?: frontend| status database)?(?: lock)? is locked by another process",
            r"E: ?Could not get lock /var/(?:lib|cache)/(?:dpkg|apt)",
            # not "Waiting for cache lock ..." or a script's "waiting for unattended-upgrades":
            # apt (or the script) waits and goes on; when the wait runs out apt prints the E: lines
        ],
        "cause": "cloud-init or unattended-upgrades is still installing packages when the "
                 "customizer calls apt/yum, so the package manager lock is taken.",
        "fix": "Wait for boot-time package activity before installing: start the Shell customizer "
               "with `cloud-init status --wait` and/or `while fuser /var/lib/dpkg/lock-frontend "
               ">/dev/null 2>&1; do sleep 5; done`, or use `apt-get -o "
               "DPkg::Lock::Timeout=600 install -y ...`.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#tips-for-troubleshooting-scriptinline-customization",
        "positives": ["    azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1406 (unattended-upgr)",
            '==> azure-arm: dpkg: error: dpkg frontend lock was locked by another process with pid 2411',
        ],
        "negatives": ["    azure-arm: Reading state information... Done",
                      "    azure-arm: E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?",
                      "    azure-arm: Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 2210 (unattended-upgr)... 9s",
                      # a script's own message quoting apt's words is not apt speaking
                      "    azure-arm: retrying while: Could not get lock /var/lib/dpkg/lock-frontend",
                      "E: Unable to lock the administration directory (/var/lib/dpkg/), are you root?"],
    },
    {
        "id": "AIB212",
        "category": "file_download_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 65,
        "title": "A download inside the build VM failed",
        "patterns": [
            r"curl: \(\d+\) ",
            r"ERROR 40[34]: ",
            r"Invoke-WebRequest : .{0,200}(?:\(40[0-9]\)|\(50[0-9]\)|could not be resolved|Unable to connect)",
            r"E: Failed to fetch ",
            # apt's reason after the URL, when a wrapper split the "E:" off the line ("W:" is apt
            # going on without that index)
            r"(?<!W: )Failed to fetch \S{1,500}\s+(?:40[0-9]|50[0-9])\s+[A-Z][\w ]{1,40}(?:\[IP: |$)",
            r"Temporary failure resolving|Could not resolve host",
            r"The remote server returned an error: \(\d{3}\)",
            r"Invoke-WebRequest : ",
            r"Invoke-WebRequest: ",
            # a line the tool itself marks as a warning ("WARNING: ... could not download ...,
            # using the cached copy") is not a failed download
            r"^(?!.*(?:WARNING|Warning|WARN)[:!] ).*\bCould not download\b",
            r"\bCannot download (?:link|file)\b",
            r"\bUnableToDownload\b",
            r'Exception calling \"DownloadFile\"',
            r"(?i)^(?!.*(?-i:WARNING|Warning|WARN)[:!] ).*(?<!W: Some index files )\bfailed to download\b",
            r"One of the configured repositories failed",
            r"Cannot find a valid baseurl for repo",
            r"Could not retrieve mirrorlist ",
            r"HTTP response code .{0,300}\b(?:40[0-9]|50[0-9])\b",
            r"\bThe underlying connection was closed\b",
        ],
        "cause": "A script downloads something (package, installer, repository key) and the "
                 "server answered with an error or was unreachable from the build VM (DNS, "
                 "proxy, firewall, private endpoint).",
        "fix": "Check the URL and that the build VM can reach it; with `vmProfile.vnetConfig` "
               "make sure the subnet has outbound access (NAT gateway/firewall rules) and DNS. "
               "Add retries: `curl --retry 5 --retry-all-errors`.",
        "exceptions": "Downloads retried successfully later are not the cause.",
        "reference": TROUBLESHOOT + "#tips-for-troubleshooting-scriptinline-customization",
        "positives": ["    qemu.rocky8: Error: Cannot find a valid baseurl for repo: appstream", "    azure-arm: curl: (22) The requested URL returned error: 404", "    azure-arm: E: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/pool/main/n/nginx.deb  Temporary failure resolving 'azure.archive.ubuntu.com'",
            "==> azure-arm: Invoke-WebRequest : The remote name could not be resolved: 'downloads.example.org'",
            '    azure-arm: Could not download https://example.org/releases/tool-1.2.3.tar.gz',
        ],
        "negatives": ["    azure-arm: Get:1 http://azure.archive.ubuntu.com/ubuntu focal InRelease [265 kB]",
                      "    azure-arm: W: Some index files failed to download. They have been ignored, or old ones used instead.",
                      "    azure-arm: WARNING: Could not download the optional symbols package, continuing without it",
                      "    azure-arm: Loaded plugins: fastestmirror, langpacks"],
    },
    {
        "id": "AIB213",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 60,
        "context": ["failing-section", "not-deprovision"],
        "title": "A command in the script does not exist or a package is unknown",
        "patterns": [
            r": command not found\s*$",
            r": \d+: [^:\s]+: not found\s*$",
            r"is not recognized as the name of a cmdlet",
            r"is not recognized as an internal or external command",
            r"E: Unable to locate package ",
            r"No package .{1,80} available\.",
            r"No such file or directory\s*$",
        ],
        "cause": "The customizer calls a command, cmdlet or package that does not exist on the "
                 "source image (wrong name, missing repository, not on PATH).",
        "fix": "Install the missing tool first (add the repository, `apt-get update` before "
               "`apt-get install -y`), use full paths, and test the script on the same source "
               "image.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#tips-for-troubleshooting-scriptinline-customization",
        "positives": ["    azure-arm: E: Unable to locate package ngnix", "    azure-arm: /tmp/script_1234.sh: line 3: dockerd: command not found",
            "    azure-arm.ubuntu: /tmp/script_4312.sh: 7: jq: not found"],
        "negatives": ["    azure-arm: Selecting previously unselected package nginx.", "    azure-arm: 3: optional plugin: not found, skipping it"],
    },
    {
        "id": "AIB214",
        "category": "connection_lost",
        "severity": "error",
        "phase": "customize",
        "priority": 50,
        "title": "The connection to the build VM was lost (SSH/WinRM)",
        "patterns": [r"Remote command exited without exit status or exit signal"],
        "cause": "AIB lost its SSH (port 22) or WinRM (port 5986) connection to the build VM while a "
                 "customizer ran, and the build was cancelled. Scripts that enable or reconfigure "
                 "the firewall, sshd or WinRM, or reboot without a WindowsRestart customizer, "
                 "cause it.",
        "fix": "Review the failing customizer for firewall (ufw/iptables/firewalld, "
               "Set-NetFirewallProfile), sshd_config or WinRM changes and keep ports 22/5986 open "
               "to the build; reboot only through a WindowsRestart customizer (Linux: end the "
               "script and use `expect_disconnect`-free designs).",
        "exceptions": "A command killed by AIB's own cancellation can end the same way; a more "
                      "specific cause in the failing customizer (a prompt, a large download, a "
                      "saturated VM) ranks first.",
        "reference": TROUBLESHOOT + "#cancelling-builder-after-context-cancellation-context-canceled",
        "positives": [
            "PACKER ERR 2020/03/26 22:11:25 packer-builder-azure-arm plugin: [ERROR] Remote command exited without exit status or exit signal.",
        ],
        "negatives": ["PACKER ERR 2020/03/26 22:11:25 [INFO] RPC client: Communicator ended with: 2300218"],
    },
    {
        "id": "AIB215",
        "category": "communicator_timeout",
        "severity": "error",
        "phase": "connect",
        "priority": 80,
        "context": ["not-before-connect"],
        "title": "Could not connect to the build VM (SSH/WinRM timeout)",
        "patterns": [r"Timeout waiting for (?:SSH|WinRM)", r"timeout waiting for (?:SSH|WinRM)", r"ssh: handshake failed", r"(?i)winrm: .{0,60}(?:connection refused|i/o timeout)",
                     # Packer's WinRM wait loop, the guest dropping each attempt
                     r"(?:WinRM connection err|\] connection error): .{0,400}(?:forcibly closed by the remote host|connection reset by peer)"],
        "cause": "The build VM booted but SSH/WinRM never answered: a hardened image (CIS) or a "
                 "source image that disables WinRM/SSH, an NSG or firewall on a custom VNet "
                 "blocking 22/5986 from the proxy, or a VM too slow to boot.",
        "fix": "Use a source image with SSH/WinRM enabled; on a custom `vmProfile.vnetConfig` allow "
               "inbound 22 (Linux) or 5986 (Windows) from the proxy VM/container subnet; try a "
               "bigger `vmProfile.vmSize`.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#cancelling-builder-after-context-cancellation-context-canceled",
        "positives": ["PACKER OUT ==> azure-arm: Timeout waiting for SSH.",
                      "2024/10/08 06:12:41 packer-plugin-azure plugin: [ERROR] WinRM connection err: unknown error Post "
                      "\"https://10.8.0.7:5986/wsman\": read tcp 10.8.0.4:61902->10.8.0.7:5986: read: connection reset by peer"],
        "negatives": ["PACKER ERR 2019/12/10 17:20:51 packer: 2020/04/10 17:20:51 [INFO] Waiting for SSH, up to timeout: 20m0s"],
    },
    {
        "id": "AIB216",
        "category": "packer_crash",
        "severity": "error",
        "phase": None,
        "priority": 90,
        "title": "Packer crashed",
        "patterns": [r"Packer crashed!", r"PACKER CRASH", r"^(?:\[[^\]]*\] )?(?:PACKER (?:OUT|ERR) )?(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?panic: ", r"goroutine \d+ \[running\]:",
            r"\bplugin: panic: (?:runtime error|interface conversion|assignment to entry|send on closed)",
        ],
        "cause": "The Packer process inside AIB crashed (a Go panic); this is a defect in Packer or "
                 "a plugin, not in your template.",
        "fix": "Rerun the build; if it crashes again at the same step, open a support case with the "
               "panic text and the customizer that was running (simplifying that customizer is "
               "the usual workaround).",
        "exceptions": "A script printing the word 'panic' is not a crash; the pattern requires "
                      "Go's format at the start of the line.",
        "reference": TROUBLESHOOT + "#getting-support",
        "positives": ["PACKER ERR 2023/01/01 10:00:00 panic: runtime error: invalid memory address or nil pointer dereference", "PACKER OUT !!!!!!!!!!!!!!!!!!!!!!!!!!! PACKER CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!",
            '2024/03/01 10:00:00 packer-plugin-azure_v2.1.0_x5.0_linux_amd64 plugin: panic: runtime error: index out of range [0] with length 0',
        ],
        "negatives": ["    azure-arm: kernel: do not panic: this is a test",
],
    },
    {
        "id": "AIB217",
        "category": "image_not_generalized",
        "severity": "error",
        "phase": "deprovision",
        "priority": 60,
        "title": "Windows servicing still pending at generalization (slow first logon)",
        "patterns": [r"Please wait for the Windows Modules Installer", r"\bOSProvisioningTimedOut\b", r"VM '.{0,80}' did not start in the allotted time",
            r"\bOSProvisioningClientError\b",
            r"has not been properly prepared to be used as a VM image",
        ],
        "cause": "VMs created from the image hang at first logon ('Please wait for the Windows "
                 "Modules Installer') or time out provisioning: the image was generalized with "
                 "reboots or installs still pending, or Sysprep's default options do not suit it.",
        "fix": "Add a WindowsRestart customizer as the last customizer, make sure installers have "
               "finished, and add `/mode:vm` to the Sysprep command by overriding "
               "c:\\DeprovisioningScript.ps1.",
        "exceptions": "Seen on VMs created from the image, not in the build log.",
        "reference": TROUBLESHOOT + "#slow-windows-logon-please-wait-for-the-windows-modules-installer",
        "positives": ["Please wait for the Windows Modules Installer",
            '{"code": "OSProvisioningClientError", "message": "OS Provisioning for VM \'vm1\' did not finish in the allotted time. However, the VM guest agent was detected running. This suggests the guest OS has not been properly prepared to be used as a VM image (with CreateOption=FromImage)."}',
        ],
        "negatives": ["    azure-arm: Waiting for the Windows Modules Installer to exit..."],
    },
    {
        "id": "AIB218",
        "category": "connection_lost",
        "severity": "error",
        "phase": "customize",
        "priority": 45,
        "context": ["no-timeout", "no-outside-stop"],
        "title": "The build was cancelled while a customizer ran (context canceled)",
        "patterns": [r"Cancelling builder after context cancellation", r"Cancelling provisioning due to context cancellation"],
        "cause": "Packer was cancelled in the middle of a customizer. Without a timeout or a cancel "
                 "request, this is how a lost SSH/WinRM connection to the build VM ends (the guide's "
                 "'context canceled' case): a script changed the firewall, sshd or WinRM, or "
                 "rebooted the VM.",
        "fix": "Check the failing customizer for firewall/SSH/WinRM changes or reboots (use a "
               "WindowsRestart customizer to reboot); if you cancelled the run yourself, ignore it.",
        "exceptions": "After a build timeout (lastRunStatus 'context deadline exceeded') the "
                      "cancellation is a consequence of the timeout and this rule does not count; "
                      "nor when Packer says it received a signal (AIB235, AIB236): then something "
                      "outside stopped it.",
        "reference": TROUBLESHOOT + "#cancelling-builder-after-context-cancellation-context-canceled",
        "positives": ["PACKER ERR 2020/03/26 22:11:23 Cancelling builder after context cancellation context canceled"],
        "negatives": ["PACKER OUT Cancelling build after receiving terminated"],
    },
    # ------------------------------------------------------------------ AIB3xx: deprovision, distribution
    {
        "id": "AIB301",
        "category": "sysprep_failed",
        "severity": "error",
        "phase": "deprovision",
        "priority": 90,
        "context": ["failing-section"],
        "title": "Sysprep failed: image state UNDEPLOYABLE / guest agent not installed yet",
        "patterns": [
            
            r"Cannot find any service with service name 'WindowsAzureGuestAgent'",
            r"Cannot find any service with service name 'RdAgent'",
        ],
        "cause": "AIB's hidden deprovisioning step runs Sysprep right after the last customizer. "
                 "When customizations finish within seconds on the small default VM, the Azure "
                 "guest agent (WindowsAzureGuestAgent) is not installed yet, Sysprep leaves the "
                 "image IMAGE_STATE_UNDEPLOYABLE and the wait loop never ends.",
        "fix": "Use a bigger `vmProfile.vmSize`, or add a PowerShell customizer `Start-Sleep "
               "-Seconds 60` as the last customizer so the guest agent is up before Sysprep.",
        "exceptions": "Sysprep passes through IMAGE_STATE_UNDEPLOYABLE on its way to "
                      "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE in healthy builds; the rule only counts "
                      "when the deprovisioning step is the one that failed.",
        "reference": TROUBLESHOOT + "#sysprep-timing",
        "positives": ["PACKER OUT ==> azure-arm: Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'."],
        "negatives": ["PACKER OUT     azure-arm: IMAGE_STATE_COMPLETE", "azure-arm:   if ($imageState -eq 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE') { break }"],
    },
    {
        "id": "AIB302",
        "category": "sysprep_failed",
        "severity": "error",
        "phase": "deprovision",
        "priority": 70,
        "title": "Sysprep reported an error",
        "patterns": [r"(?i)sysprep.{0,80}(?:failed|fatal error|error occurred)", r"SYSPRP .{0,200}(?:Error|error|failed)", r"Sysprep_Clean_Validate_\w+.{0,80}(?:failed|Error)"],
        "cause": "Sysprep could not generalize Windows: an AppX package installed per-user, a "
                 "pending servicing operation, or a third-party agent blocks it.",
        "fix": "Read C:\\Windows\\System32\\Sysprep\\Panther\\setupact.log on the build VM "
               "(set `errorHandling.onCustomizerError` to `abort` to keep it), remove per-user "
               "AppX packages, and finish installs with a WindowsRestart customizer before "
               "deprovisioning.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#vms-created-from-aib-images-do-not-create-successfully",
        "positives": ["    azure-arm: SYSPRP Package Microsoft.BingWeather_4.25 was installed for a user, but not provisioned for all users. Error 0x80073cf2"],
        "negatives": ["PACKER OUT     azure-arm: >>> Sysprepping VM ...", "azure-arm: Write-Output '>>> Sysprep complete ...'"],
    },
    {
        "id": "AIB303",
        "category": "deprovision_failed",
        "severity": "error",
        "phase": None,
        "priority": 85,
        "title": "The deprovisioning script is missing",
        "patterns": [r"(?<!echo \")Deprovisioning script \[[^\]]*\] could not be found",
            r"Cannot find any service with service name 'WindowsAzureTelemetryService'",
            r"At [A-Za-z]:\\DeprovisioningScript\.ps1:\d+ char:\d+",
        ],
        "cause": "A customizer deleted or moved AIB's deprovisioning script "
                 "(c:\\DeprovisioningScript.ps1 or /tmp/DeprovisioningScript.sh), so the image "
                 "is not generalized and may not boot.",
        "fix": "Do not clean C:\\ or /tmp wholesale in a customizer; exclude DeprovisioningScript.* "
               "from cleanup. To change the command, overwrite the file with the exact name "
               "instead of deleting it.",
        "exceptions": "The same sentence inside the `Found command:` line is AIB's script text, "
                      "not an error; the pattern skips it.",
        "reference": TROUBLESHOOT + "#command-locations-and-filenames",
        "positives": ["PACKER OUT     azure-arm: Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail or the VM created from the Image may not boot.",
            'PACKER OUT ==> azure-arm: At C:\\DeprovisioningScript.ps1:5 char:12',
        ],
        "negatives": ["packer: 2020/03/04 23:05:04 Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo \"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail\"}"],
    },
    {
        "id": "AIB304",
        "category": "deprovision_failed",
        "severity": "error",
        "phase": "deprovision",
        "priority": 65,
        "context": ["deprovision"],
        "title": "The deprovisioning step (Sysprep / waagent -deprovision) failed",
        "patterns": [
            r"Script exited with non-zero exit status: ?\d+",
            r"exited with code: (?!0\b)\d+",
            r"waagent: (?:command )?not found|waagent: No such file",
            r"(?i)waagent.{0,80}(?:error|failed)",
        ],
        "cause": "AIB's hidden last provisioner (Windows: Sysprep via c:\\DeprovisioningScript.ps1; "
                 "Linux: `waagent -force -deprovision+user` via /tmp/DeprovisioningScript.sh) "
                 "exited non-zero: the Azure agent is missing on the image, or a customizer left "
                 "the system in a state that blocks generalization.",
        "fix": "Make sure the source image has the Azure Linux agent (waagent) or Windows guest "
               "agent, do not remove it in a customizer, and if you need a different command "
               "overwrite /tmp/DeprovisioningScript.sh or c:\\DeprovisioningScript.ps1 in a "
               "customizer.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#deprovision-command-linux",
        "positives": ["    azure-arm: sudo: /usr/sbin/waagent: command not found", "Script exited with non-zero exit status: 125",
            "PACKER OUT     azure-arm: /tmp/DeprovisioningScript.sh: 1: /usr/sbin/waagent: not found"],
        "negatives": ["    azure-arm: WARNING! The waagent service will be stopped."],
    },
    {
        "id": "AIB305",
        "category": "sig_replication_timeout",
        "severity": "error",
        "phase": "distribute",
        "priority": 95,
        "title": "Timed out waiting for Azure Compute Gallery replication",
        "patterns": [
            r"Error waiting on shared image gallery future",
            r"Error publishing MDI to shared image gallery.{0,2000}context deadline exceeded",
        ],
        "cause": "The image was built and handed to the Azure Compute Gallery, but AIB's wait for "
                 "replication to all target regions exceeded the build timeout. Replication "
                 "continues; the image version usually appears anyway.",
        "fix": "Raise `buildTimeoutInMinutes`, replicate to fewer `targetRegions` in the build and "
               "add regions later (`az sig image-version update --add publishingProfile."
               "targetRegions ...`). Check the run output: `az resource show --ids <template "
               "id>/runOutputs/<runOutputName>`.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT + "#error-waiting-on-shared-image-gallery",
        "positives": ["Error: Error waiting on shared image gallery future for resource group: rg, gallery name: g, gallery image name: img.Error: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded}"],
        "negatives": ["Publishing MDI to shared image gallery: done"],
    },
    {
        "id": "AIB306",
        "category": "distribution_failed",
        "severity": "error",
        "phase": "distribute",
        "priority": 50,
        "title": "Distribution of the image failed",
        "patterns": [r"Failed in distributing \d+ images? out of total \d+", r"Error publishing MDI to", r"\[Distribute \d+\] Error",
            r"\[Distribute \d+\]",
            r"(?i)distribut(?:e|ing) (?:to|the image).{0,120}failed",
        ],
        "cause": "The image was built but could not be published to a target (managed image, "
                 "gallery or VHD): missing permission on the target, wrong location, or a target "
                 "that already exists.",
        "fix": "Read the inner error after `[Distribute N]`; check the distributor's target ID, "
               "`location`/`targetRegions` and the template identity's role on the target "
               "resource group.",
        "exceptions": "More specific distribution findings (replication timeout, version exists) "
                      "rank first.",
        "reference": TROUBLESHOOT + "#error-waiting-on-shared-image-gallery",
        "positives": ["Deployment failed. Correlation ID: x. Failed in distributing 1 images out of total 1: {[Error 0] [Distribute 0] Error publishing MDI to shared image gallery"],
        "negatives": ["Distributing image to 2 regions"],
    },
    {
        "id": "AIB307",
        "category": "image_version_exists",
        "severity": "error",
        "phase": "distribute",
        "priority": 90,
        "title": "The gallery image version already exists",
        "patterns": [
            r"(?i)(?:image ?version|versions/[\w.]+).{0,200}already exists",
            r"GalleryImageVersionAlreadyExists",
        ],
        "cause": "The SharedImage distributor targets an image version number that is already in "
                 "the gallery (fixed `versioning` or a rerun with the same version).",
        "fix": "Use `\"versioning\": {\"scheme\": \"Latest\", \"major\": N}` in the SharedImage "
               "distributor so AIB picks the next version, or delete the existing version "
               "(`az sig image-version delete ...`) before rerunning.",
        "exceptions": "None.",
        "reference": TEMPLATE_REF + "#distribute-sharedimage",
        "positives": ["Code=\"Conflict\" Message=\"Gallery image version '/subscriptions/x/galleries/g/images/i/versions/1.0.0' already exists.\""],
        "negatives": ["Image version 1.0.1 created"],
    },
    {
        "id": "AIB308",
        "category": "deprovision_failed",
        "severity": "error",
        "phase": "deprovision",
        "priority": 55,
        "context": ["deprovision"],
        "title": "The deprovisioning step hung until the build was cancelled",
        "patterns": [r"Cancelling provisioning due to context cancellation", r"Cancelling builder after context cancellation"],
        "cause": "AIB's hidden last step (Sysprep on Windows, `waagent -force -deprovision+user` on "
                 "Linux) never finished, so the build ran into its timeout (or was cancelled) "
                 "there: the Azure agent is missing or stuck, a service blocks shutdown, or Sysprep "
                 "waits for something a customizer left running.",
        "fix": "Check that the image's Azure agent (waagent / WindowsAzureGuestAgent) is installed "
               "and running at the end of your customizers; stop services you started; on Windows "
               "add a WindowsRestart as last customizer. Set `errorHandling.onCustomizerError` to "
               "`abort` to keep the build VM and inspect it.",
        "exceptions": "Sysprep's IMAGE_STATE_UNDEPLOYABLE loop (AIB301) is the more specific cause "
                      "when it is visible.",
        "reference": TROUBLESHOOT + "#vms-created-from-aib-images-do-not-create-successfully",
        "positives": ["PACKER ERR 2026/01/01 03:57:56 packer: 2026/01/01 03:57:56 Cancelling provisioning due to context cancellation: context canceled"],
        "negatives": ["PACKER OUT Cancelling build after receiving terminated"],
    },
    # ------------------------------------------------------------------ AIB4xx: pipeline, auth, noise
    {
        "id": "AIB401",
        "category": "pipeline_timeout",
        "severity": "error",
        "phase": "pipeline",
        "priority": 80,
        "title": "The CI job was cancelled by its time limit",
        "patterns": [
            r"##\[error\]The operation was canceled\.",
            r"has exceeded the maximum execution time of \d+ minutes",
            r"The job running on (?:runner|agent) .{0,120} has exceeded the maximum execution time",
            r"The job running on (?:runner|agent) .{0,120} ran longer than the maximum time of \d+ minutes",
            r"The job exceeded the maximum allowed time of [\d:.]+ and was stopped",
            r"We stopped hearing from agent",
            r"lost communication with the server",
            r"(?i)the agent .{0,80}did not respond",
        ],
        "cause": "The pipeline blocked until the build finished and the CI platform killed the job "
                 "at its limit (Microsoft-hosted Azure DevOps agents: 60 minutes for private "
                 "projects; GitHub-hosted: 6 hours). The AIB build itself may still be running.",
        "fix": "Run aib-pilot with a time budget below the job limit: it exits cleanly and a later "
               "job resumes with `aib-pilot monitor -g RG -n NAME`. Otherwise use a self-hosted "
               "agent or shorten the build (replicate to one region, add regions later).",
        "exceptions": "A user pressing Cancel produces the same line.",
        "reference": TROUBLESHOOT + "#operation-was-canceled",
        "positives": ["2020-05-05T19:33:14.3923479Z ##[error]The operation was canceled.",
            '##[error]We stopped hearing from agent Azure Pipelines 3. Verify the agent machine is running and has a healthy network connection.',
            "2024-03-02T11:05:12.4410000Z ##[error]The job running on agent Hosted Agent ran longer than the maximum time of 90 minutes. For more information, see https://go.microsoft.com/fwlink/?linkid=2077134",
            "##[error]The job exceeded the maximum allowed time of 00:30:00 and was stopped.",
        ],
        "negatives": ["2020-05-05T18:28:52.9281282Z starting run template..."],
    },
    {
        "id": "AIB402",
        "category": "token_expired",
        "severity": "error",
        "phase": "pipeline",
        "priority": 85,
        "title": "The CI federated token expired (AADSTS700024)",
        "patterns": [r"AADSTS700024", r"Client assertion is not within its valid time range", r"\bExpiredAuthenticationToken\b|InvalidAuthenticationTokenExpired|AADSTS70043"],
        "cause": "The pipeline signed in with a federated (OIDC) token. Such tokens live minutes; "
                 "a long wait for the build outlived it and the next Azure call failed.",
        "fix": "Let aib-pilot acquire a fresh token per request (it uses the workload identity "
               "credential that re-reads the token), or keep each job short and resume the "
               "monitor in a later job; on GitHub re-run `azure/login` before late steps.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/entra/identity-platform/reference-error-codes",
        "positives": ["ERROR: AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-05-01T10:00:00Z, assertion valid from 2024-05-01T08:50:00Z"],
        "negatives": ["AADSTS: token acquired"],
    },
    {
        "id": "AIB408",
        "category": "invalid_template",
        "severity": "error",
        "phase": "pipeline",
        "priority": 75,
        "title": "The azure/login step got no client ID or tenant ID",
        "patterns": [r"Not all values are present\. Ensure 'client-id' and 'tenant-id' are supplied"],
        "cause": "The GitHub azure/login action checks its inputs before signing in: with a service "
                 "principal (or OIDC) it needs `client-id` and `tenant-id`, given directly or inside the "
                 "`creds` JSON. They were empty, most often because the secrets they come from are not "
                 "defined for the repository or environment the job runs in (or a fork's pull request).",
        "fix": "Define the secrets (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_SUBSCRIPTION_ID`, or one "
               "`AZURE_CREDENTIALS` JSON with clientId/tenantId/clientSecret/subscriptionId) where the job "
               "can read them and pass them to `azure/login`; give the job `permissions: id-token: write` "
               "for OIDC.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/developer/github/connect-from-azure",
        "positives": ["Error: Login failed with Error: Using auth-type: SERVICE_PRINCIPAL. Not all values are present. "
                      "Ensure 'client-id' and 'tenant-id' are supplied.. Double check if the 'auth-type' is correct."],
        "negatives": ["Run azure/login@v2 with client-id and tenant-id supplied"],
    },
    {
        "id": "AIB405",
        "category": "unknown",
        "severity": "error",
        "kind": "generic",
        "phase": "pipeline",
        "priority": 5,
        "title": "The pipeline reported an error",
        "patterns": [r"##\[error\]", r"^(?:\S+ )?::error(?: [^:]*)?::"],
        "cause": "An Azure DevOps (`##[error]`) or GitHub Actions (`::error::`) error line. It says "
                 "that a step failed, not why.",
        "fix": "Read the error text; if the step ran an AIB build, diagnose the build's "
               "customization.log (`aib-pilot logs`, then `aib-pilot diagnose`).",
        "exceptions": "More specific pipeline findings (job time limit, token expiry) rank first.",
        "reference": TROUBLESHOOT + "#troubleshooting-the-task",
        "positives": ["2024-01-01T10:00:00.0000000Z ##[error]Error: Process completed with exit code 1."],
        "negatives": ["2024-01-01T10:00:00.0000000Z ##[section]Starting: Build image"],
    },
    {
        "id": "AIB406",
        "category": "pipeline_timeout",
        "severity": "error",
        "phase": "pipeline",
        "priority": 60,
        "title": "The run was canceled (CI job limit or a cancel request)",
        "patterns": [r"\brunState\W{1,4}Canceled\b"],
        "cause": "lastRunStatus.runState is Canceled: someone or something cancelled the build. If "
                 "nobody did it by hand, the CI job that waited for the build hit its time limit "
                 "and its cancellation stopped the run (Microsoft-hosted Azure DevOps agents stop "
                 "jobs after 60 minutes). The 'context canceled' lines in customization.log are the "
                 "consequence.",
        "fix": "Give aib-pilot a time budget below the job's limit (it exits cleanly and a later "
               "job resumes with `aib-pilot monitor -g RG -n NAME`) instead of cancelling the job, "
               "or use a self-hosted agent / a longer job timeout.",
        "exceptions": "A run you cancelled on purpose.",
        "reference": TROUBLESHOOT + "#operation-was-canceled",
        "positives": ["runState: Canceled", '"runState": "Canceled",'],
        "negatives": ['"runState": "Canceling",', "runState: Succeeded"],
    },
    {
        "id": "AIB403",
        "category": "unknown",
        "severity": "info",
        "kind": "noise",
        "phase": "cleanup",
        "priority": 0,
        "title": "Cleanup could not delete a staging resource",
        "patterns": [r"Error deleting resource\. Please delete manually", r"(?i)error deleting resource"],
        "cause": "After a failure Packer deletes what it created one by one; resources already "
                 "gone or still locked produce this line. AIB deletes the staging resource group "
                 "with the template anyway.",
        "fix": "Nothing for the build. Delete the template when you are done (`az image builder "
               "delete`) so AIB removes the staging resource group.",
        "exceptions": "Never a cause of a failed build.",
        "reference": TROUBLESHOOT + "#understanding-the-customization-log",
        "positives": ["PACKER ERR ==> azure-arm: Error deleting resource. Please delete manually."],
        "negatives": ["PACKER OUT ==> azure-arm: Deleting individual resources ..."],
    },
    {
        "id": "AIB404",
        "category": "unknown",
        "severity": "info",
        "kind": "noise",
        "phase": "cleanup",
        "priority": 0,
        "title": "Cleanup request retried",
        "patterns": [r"(?i)retry(?:ing)? .{0,80}\bDELETE\b", r"method=\"DELETE\".{0,400}(?:StatusCode=(?:409|429|5\d\d)|retry)"],
        "cause": "A DELETE of a staging resource was retried (conflict or throttling while other "
                 "deletions finish). This is normal during cleanup.",
        "fix": "Nothing to do for the build; the retry is part of normal cleanup.",
        "exceptions": "Never a cause.",
        "reference": TROUBLESHOOT + "#understanding-the-customization-log",
        "positives": ["packer: 2020/02/04 02:04:23 Retrying DELETE request to https://management.azure.com/x/networkInterfaces/pkrni (attempt 2)"],
        "negatives": ["packer: 2020/02/04 02:04:23 Azure request method=\"DELETE\" request=\"https://management.azure.com/x\" body=\"\""],
    },

    {
        "id": "AIB407",
        "category": "unknown",
        "severity": "warning",
        "phase": None,
        "kind": "generic",
        "priority": 1,
        "trigger": "template-mismatch",
        "title": "The template given does not match the log",
        "cause": "The customizers the log ran differ from the template's `properties.customize` (their "
                 "number or their types), so the template is not the one this build used; its lines "
                 "would point at the wrong customizer.",
        "fix": "Pass the template the build was submitted with (`--template`), e.g. the "
               "`template.json` aib-pilot saved beside the log, or `az image builder show -g RG -n NAME`.",
        "exceptions": "Raw Packer output (no AIB telemetry markers) is not compared.",
        "reference": TEMPLATE_REF + "#properties-customize",
        "positives": [],
        "negatives": [],
    },
    {
        "id": "AIB119",
        "category": "unknown",
        "severity": "error",
        "phase": None,
        "kind": "generic",
        "priority": 15,
        "title": "An Azure deployment failed (a wrapper around the real error)",
        "patterns": [
            r"\bInvalidTemplateDeployment\b",
            r"\bDeploymentFailed\b",
            r"\bResourceDeploymentFailure\b",
            r"At least one resource deployment operation failed",
            r"\bResourceOperationFailure\b",
            r"\bPackerBuildFailed\b",
            r"During the image build a failure has occurred",
            r"terminal provisioning state '?Failed",
        ],
        "cause": "Azure Resource Manager (or AIB) reports that an operation failed and carries the "
                 "actual error inside: in `details`, in an escaped JSON `message`, or only in the "
                 "deployment operations / customization.log. These codes never name a cause.",
        "fix": "Read the inner error: `az deployment operation group list -g RG -n DEPLOYMENT "
               "--query \"[?properties.provisioningState=='Failed'].properties.statusMessage\"`; for "
               "an AIB build, the customization.log in the staging resource group (`aib-pilot logs "
               "-g RG -n TEMPLATE`).",
        "exceptions": "When the inner error is in the same text, aib-pilot reports that instead.",
        "reference": ARM_ERRORS,
        "positives": [
            'ERROR: {"code": "DeploymentFailed", "message": "At least one resource deployment operation failed."}',
            "Code=\"InvalidTemplateDeployment\" Message=\"The template deployment 'pkrdp' is not valid according to the validation procedure.\"",
            "The resource write operation failed to complete successfully, because it reached terminal provisioning state 'Failed'.",
        ],
        "negatives": ["Deployment 'pkrdp' succeeded", "validating the deployment template"],
    },
    {
        "id": "AIB120",
        "category": "invalid_template",
        "severity": "error",
        "phase": None,
        "priority": 55,
        "title": "A property of the deployment or template is invalid",
        "patterns": [
            r"(?:\"code\\?\"\s*:\s*\\?\"|Code=\\?\"?|\(|-> |Code: |ErrorCode: |ERROR CODE: |with error: )InvalidParameter\b",
            r"is invalid according to its validation rule",
            r"Parameter '?[\w.]+'? is not allowed",
            r"does not have required value\(?s?\)?",
            r"\b(?:InvalidRequestContent|InvalidRequestFormat|LinkedInvalidPropertyId|InvalidResourceNamespace|InvalidResourceType|InvalidDeploymentParameterValue|MissingRequiredParameter)\b",
            r"\bPropertyChangeNotAllowed\b",
        ],
        "cause": "Azure rejected a value in the request: a property the resource does not accept in "
                 "this combination (an OS profile for a specialized image, data disks the source "
                 "image does not have), a name outside the allowed pattern, a malformed resource "
                 "ID or namespace, or a property that cannot change on an existing resource.",
        "fix": "Correct the property the message names in the template (for AIB: `properties.source`, "
               "`properties.vmProfile`, `properties.distribute[]`); validate before building with "
               "`aib-pilot lint` and `az deployment group validate`.",
        "exceptions": "A changed property on an existing image is usually a name clash (AIB309).",
        "reference": ARM_ERRORS,
        "positives": [
            "==> azure-arm: ERROR:   -> InvalidParameter : The value of parameter imageReference.version is invalid.",
            '{"error": {"code": "InvalidParameter", "message": "Parameter \'osProfile\' is not allowed.", "target": "osProfile"}}',
        ],
        "negatives": ["InvalidParameterValueWarning suppressed", "parameters are valid"],
    },
    {
        "id": "AIB121",
        "category": "invalid_template",
        "severity": "error",
        "phase": "submission",
        "priority": 60,
        "context": ["before-run"],
        "title": "Packer rejected its configuration before building",
        "patterns": [
            # go-multierror's header (shared by Packer and Terraform) names Packer's template
            # check only where Packer prints it: at the start, after "Error: " or after
            # "Errors validating build 'x'." -- not inside another tool's message
            # not the bare "N error(s) occurred:" list header: Terraform prints it too after
            # "Error applying plan:", for whatever failed while applying
            r"(?:Error: |Errors validating build '[^']*'\. )\d+ error\(s\) occurred:",
            r"Error: Failed to prepare build",
            r"Failed to initialize build",
            r"is unknown by Packer",
            r"Error: Unsupported argument",
            r"Error: Missing required argument",
        ],
        "cause": "Packer validated its template (HCL or JSON) and refused it: a required setting is "
                 "missing, a value is invalid, or the installed plugin expects other settings. "
                 "No Azure resource was created.",
        "fix": "Fix the setting named after `*` in the message; run `packer validate` locally with "
               "the same plugin version (`packer init` with a pinned `required_plugins` block).",
        "exceptions": "None.",
        "reference": PACKER_ARM,
        "positives": ["Error: 2 error(s) occurred:", "Error: Failed to prepare build: \"azure-arm.ubuntu\""],
        "negatives": ["0 errors occurred", "Build 'azure-arm' finished.",
                      "Error: Error refreshing state: 1 error(s) occurred:",
                      "3 error(s) occurred:",
                      "* data.azurerm_image.base: 1 error(s) occurred:"],
    },
    {
        "id": "AIB122",
        "category": "invalid_template",
        "severity": "error",
        "phase": "submission",
        "priority": 60,
        "title": "A PowerShell parameter does not exist on the command or the template",
        "patterns": [
            r"A parameter cannot be found that matches parameter name",
            r"\bNamedParameterNotFound\b",
            r"Cannot bind parameter '\w+'",
        ],
        "cause": "The submission command was given a parameter it (or the ARM template it deploys) "
                 "does not declare, so PowerShell refused to bind it and nothing was submitted: "
                 "for `New-AzResourceGroupDeployment` every template parameter becomes a dynamic "
                 "parameter, and `-api-version` is not one.",
        "fix": "Declare the parameter in the template's `parameters` section, or remove it from the "
               "command; pass the API version inside the template (`\"apiVersion\"` of the "
               "imageTemplates resource), not on the command line.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_parameters",
        "positives": ["New-AzResourceGroupDeployment: A parameter cannot be found that matches parameter name 'imageName'."],
        "negatives": ["A parameter was found"],
    },
    {
        "id": "AIB123",
        "category": "source_image_not_found",
        "severity": "error",
        "phase": None,
        "priority": 82,
        "by_phase": {"distribute": None},  # while publishing, a missing gallery image is the target
        "title": "The source image does not exist in the region",
        "patterns": [
            r"images referenced from the deployment template (?:were|are) not found",
            r"\b(?:ImageNotFound|GalleryImageNotFound|PlatformImageNotFound|ImageVersionNotFound)\b",
            r"The platform image '.{1,200}' is not available",
            r"Image .{1,200} (?:was )?not found in (?:region|location)",
            r"The Image '/subscriptions/[^']+' cannot be found",
            r'Shared Image "[^"]{1,200}" was not found in Gallery "',
        ],
        "cause": "The image the build starts from is not there: the marketplace version, gallery "
                 "(or community gallery) image version or managed image does not exist, was "
                 "removed, is excluded from `latest`, or is not replicated to the build region.",
        "fix": "Check `properties.source`: `az vm image list -l LOCATION -p PUBLISHER -f OFFER -s SKU "
               "--all -o table` for a platform image, `az sig image-version list` (or "
               "`az sig image-version list-community`) for a gallery image and its target regions.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot",
        "positives": ["Error: Code=InvalidParameter; Message=In region westus2, the following list of Shared Image Gallery images referenced from the deployment template were not found: /CommunityGalleries/x/Images/y/Versions/latest",
            '{"error": {"code": "NotFound", "message": "The Image \'/subscriptions/0000/resourceGroups/images-rg/providers/Microsoft.Compute/images/base-2204\' cannot be found."}}',
            '  on data.tf line 4, in data "azurerm_shared_image" "base": Shared Image "win2022-base" was not found in Gallery "corp_gallery" / Resource Group "rg-images"',
        ],
        "negatives": ["image found in region westus2", "The Image Builder template cannot be found in the cache",
                      "All images referenced from the deployment template are available"],
    },
    {
        "id": "AIB124",
        "category": "invalid_template",
        "severity": "error",
        "phase": "submission",
        "priority": 80,
        "title": "The gallery image definition to publish to does not exist",
        "patterns": [
            r"Shared Gallery Image (?:'[^']+' )?to which to publish .{0,200}does not exist",
            r"(?i)gallery image definition .{0,160}(?:does not exist|was not found|not found)",
        ],
        "cause": "The distribution target names a gallery or image definition that is not there "
                 "(a typo, another resource group or subscription): the image version cannot be "
                 "created under it.",
        "fix": "Create the definition first (`az sig image-definition create -g RG -r GALLERY -i "
               "DEFINITION --publisher P --offer O --sku S --os-type Linux`) or correct "
               "`properties.distribute[].galleryImageId`.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/image-builder-gallery",
        "positives": ["Build 'azure-arm' errored: the Shared Gallery Image to which to publish the managed image version to does not exist in the resource group images-rg",
            "--> azure-arm.win: the Shared Gallery Image 'win2022' to which to publish the managed image version to does not exist in the resource group 'img-rg' or does not contain managed image 'base'"],
        "negatives": ["the gallery image definition exists"],
    },
    {
        "id": "AIB125",
        "category": "cancel_stuck",
        "severity": "error",
        "phase": "submission",
        "priority": 70,
        "title": "The template cannot be deleted: its canceled run is still canceling",
        "patterns": [r"not allowed in provisioning ?[Ss]tate:? .{0,60}\brun ?[Ss]tate:? '?[Cc]anceling"],
        "cause": "A cancel was requested but the build never finished canceling, so AIB refuses "
                 "to delete (or change) the template while its run state stays Canceling.",
        "fix": "Wait a few minutes and retry the delete; if the run state is still Canceling after "
               "an hour, open a support request with the template's resource ID (the staging "
               "resource group is kept until it ends). Build under a new template name meanwhile.",
        "exceptions": "None.",
        "reference": TROUBLESHOOT,
        "positives": ["(OperationNotAllowed) Operation Microsoft.VirtualMachineImages/imageTemplates/delete is not allowed in provisioning state: Succeeded or run state: Canceling."],
        "negatives": ["runState: Canceled"],
    },
    {
        "id": "AIB313",
        "category": "sig_replication_timeout",
        "severity": "error",
        "phase": None,
        "priority": 60,
        "by_phase": {"deploy": None, "deployment-status": None, "connect": None},
        "title": "Packer stopped waiting for the gallery image version (replication too slow)",
        "patterns": [r"Future#WaitForCompletion: context has been cancelled"],
        "cause": "Packer waits for long Azure operations with a deadline; after the build, the "
                 "longest is publishing the image version to the gallery and replicating it to "
                 "every target region. When that takes longer than the deadline, Packer gives up "
                 "with 'context deadline exceeded' although Azure may still finish the version.",
        "fix": "Raise the wait (`shared_image_gallery_timeout` in Packer, `buildTimeoutInMinutes` "
               "for AIB), publish to fewer regions at build time and add replicas later "
               "(`az sig image-version update --add publishingProfile.targetRegions ...`), or use "
               "`replicaCount` 1 during the build.",
        "exceptions": "During the VM deployment the same words mean a slow deployment (AIB116).",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot",
        "positives": ["==> azure-arm: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded"],
        "negatives": ["waiting for completion of the gallery image version"],
    },
    {
        "id": "AIB219",
        "category": "connection_lost",
        "severity": "error",
        "phase": None,
        "priority": 60,
        "context": ["not-before-connect"],
        "by_phase": {"connect": "communicator_timeout", "deploy": "communicator_timeout"},
        "title": "The connection to the build VM dropped during a customizer",
        "patterns": [
            r"forcibly closed by the remote host",
            r"Script disconnected unexpectedly",
            r"'std(?:out|err)' copy error: connection reset",
            r"Error decoding response stream \d+: connection reset",
            r"\bwsarecv: ",
            r"Error uploading .{0,400}(?:i/o timeout|connection refused|connection reset|EOF)",
            r"(?:read|write) tcp [\d.:\[\]]+->[\d.:\[\]]+: (?:read: )?connection reset by peer",
        ],
        "cause": "Packer had connected to the build VM, then lost its SSH or WinRM session in the "
                 "middle of a customizer: the VM restarted (a script rebooted it, or Windows "
                 "Update did), the network path dropped, or the guest's remote service stopped.",
        "fix": "If a script restarts the VM, move the restart into a `WindowsRestart` customizer "
               "(or set `expect_disconnect` in Packer's shell provisioner); make the step retry-safe; "
               "use a larger `vmProfile.vmSize` if the VM was starved.",
        "exceptions": "Before the first connection the same words mean the VM was never reachable "
                      "(communicator_timeout).",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners/shell",
        "positives": [
            "==> azure-arm: Script disconnected unexpectedly. If you expected your script to disconnect, add `expect_disconnect` to the provisioner.",
            "2024/05/02 11:00:03 packer-provisioner-shell plugin: [ERR] 'stdout' copy error: connection reset",
        ],
        "negatives": ["Connected to SSH!", "connection established"],
    },
    {
        "id": "AIB220",
        "category": "communicator_timeout",
        "severity": "error",
        "phase": None,
        "priority": 75,
        "context": ["not-before-connect"],
        "by_phase": {"customize": "connection_lost", "deprovision": "connection_lost"},
        "title": "The build VM's SSH or WinRM port cannot be reached",
        "patterns": [
            r"TCP connection to SSH ip/port failed",
            # Ruby's refusal as Vagrant logs it, and Vagrant's own sentence
            r"Errno::ECONNREFUSED: Connection refused - connect\(2\) for [\w.:\[\]-]+:(?:22|5985|5986)\b",
            r"\bSSH connection was refused!",
            r"dial tcp [\w.:\[\]-]+:(?:22|5985|5986): (?:i/o timeout|connect: connection refused|connect: no route to host"
            r"|(?:connect: )?connection timed out)",
        ],
        "cause": "Packer cannot open a TCP connection to the VM's SSH (22) or WinRM (5985/5986) "
                 "port: the VM sits on a private address the runner cannot route to (a custom "
                 "VNet without a public IP), a network security group blocks the port, or the "
                 "guest never started the service.",
        "fix": "For AIB with `vmProfile.vnetConfig`, let AIB's proxy reach the subnet (allow port "
               "60000-60001 from the AzureLoadBalancer tag, disable private link network policies "
               "on the subnet); for Packer, run from inside the VNet or set "
               "`private_virtual_network_with_public_ip`.",
        "exceptions": "After a successful connection, the same error means the connection was lost.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-vnet",
        "positives": ["2024/01/10 08:00:00 packer-builder-azure-arm plugin: [DEBUG] TCP connection to SSH ip/port failed: dial tcp 10.20.0.4:22: i/o timeout",
                      "2024/01/10 08:00:00 packer-builder-azure-arm plugin: [ERROR] WinRM connection err: unknown error Post \"http://10.20.0.4:5985/wsman\": dial tcp 10.20.0.4:5985: connect: connection timed out"],
        "negatives": ["dial tcp 10.0.0.4:443: i/o timeout"],
    },
    {
        "id": "AIB221",
        "category": "customizer_failed",
        "severity": "error",
        "phase": None,
        "priority": 25,
        "context": ["customizer", "not-deprovision", "not-provisioner:windows-restart"],
        "title": "A customizer printed an error record",
        "patterns": [
            r"(?:==> |    )[\w.-]+:\s+\+ (?:CategoryInfo|FullyQualifiedErrorId)\s*: ",
            r"(?:==> |    )[\w.-]+:.{0,200}\bSystem\.(?:\w+\.)*\w*Exception: ",
            r"(?:==> |    )[\w.-]+: (?:ERROR|Error|FATAL|Fatal)(?::| -) (?!\s*-> )(?!\s*$)",
            r"(?i)\bwas NOT successful\b",
            r"Chocolatey installed \d+/\d+ packages\. [1-9]\d* packages? failed",
            r"(?i)\bException occurred\b",
            r"==> [\w.-]+: [A-Z][a-z]+-[A-Z][A-Za-z]+ : \S",
        ],
        "cause": "A customizer's own output reports an error (a PowerShell error record, a .NET "
                 "exception, a package manager's failure summary, an `ERROR:` line) and the "
                 "customizer then failed; the line names what went wrong inside your script.",
        "fix": "Fix the command the error record points at (the `At …ps1:LINE` line names the "
               "script line); make the script stop on errors (`$ErrorActionPreference = 'Stop'`, "
               "`set -euo pipefail`) so the failing step is the last one in the log.",
        "exceptions": "Errors a script handled itself also print records; the rule only counts in "
                      "the customizer that failed.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot",
        "positives": ["==> azure-arm.w2022: Add-WindowsCapability : The request is not supported.", 
            "==> azure-arm:     + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand",
            "==> azure-arm.win: ERROR: (1312, 'CredRead', 'A specified logon session does not exist.')",
            "    azure-arm: System.IO.FileNotFoundException: Could not find file 'C:\\tools\\setup.ini'.",
        ],
        "negatives": ["    azure-arm.w2022: Get-Service : listing services", "==> azure-arm: ERROR: -> DeploymentFailed : At least one resource deployment operation failed.",
                      "==> azure-arm: ERROR:   -> BadRequest : An invalid value was provided for 'tags'.",
                      "    azure-arm: 0 errors, 0 warnings"],
    },
    {
        "id": "AIB222",
        "category": "windows_restart_timeout",
        "severity": "error",
        "phase": "customize",
        "priority": 65,
        "title": "The VM does not come back from a Windows restart",
        "patterns": [
            r"echo didn't succeed; retrying",
        ],
        "cause": "The windows-restart customizer keeps polling the VM and never gets an answer: "
                 "the restart is stuck installing updates or language features, or the guest's "
                 "WinRM service does not start again after the reboot.",
        "fix": "Give the restart more time (`restartTimeout` of the WindowsRestart customizer, "
               "e.g. \"30m\"), split heavy installs across restarts, and use a bigger "
               "`vmProfile.vmSize`.",
        "exceptions": "A few retries during a normal restart are expected; the rule counts only "
                      "when the build then failed.",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners/windows-restart",
        "positives": ["PACKER ERR 2024/02/01 10:00:00 packer-provisioner-windows-restart plugin: echo didn't succeed; retrying..."],
        "negatives": ["Machine successfully restarted, moving on"],
    },
    {
        "id": "AIB223",
        "category": "windows_update_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 72,
        "context": ["provisioner:windows-update"],
        "title": "The Windows Update provisioner reported an error",
        "patterns": [
            r"ERROR: Exception from HRESULT: 0x[0-9A-Fa-f]{8}",
            r"ERROR EXCEPTION: ",
        ],
        "cause": "The windows-update customizer could not search, download or install updates: "
                 "the VM cannot reach Windows Update (proxy, TLS or DNS), another installation or a "
                 "pending reboot is in progress, or the update service failed.",
        "fix": "Add a WindowsRestart customizer before the WindowsUpdate one, retry the build, and "
               "check that the build VM reaches Windows Update (no blocking proxy or firewall on "
               "`vmProfile.vnetConfig`); use `filters`/`searchCriteria` to skip failing updates.",
        "exceptions": "None.",
        "reference": "https://github.com/rgl/packer-plugin-windows-update",
        "positives": ["    azure-arm: ERROR: Exception from HRESULT: 0x8024402C"],
        "negatives": ["    azure-arm: Found 3 updates"],
    },
    {
        "id": "AIB227",
        "category": "windows_update_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 72,
        "title": "The Windows Update provisioner's script exited with an error code",
        "patterns": [
            r"Windows update script exited with non-zero exit status: ?\d+",
            r"packer-windows-update-elevated\.ps1'? exited with code: (?!(?:0|101)\b)\d+",
        ],
        "cause": "The windows-update customizer runs its update script as a scheduled task and "
                 "reads its exit code: 0 means done, 101 means a restart is pending (the provisioner "
                 "restarts the VM and runs the script again). Any other code stops the build: the "
                 "update search, download or installation failed, the VM restarted under the "
                 "script, or the task could not start.",
        "fix": "Read the lines the update script printed just before the exit code (the failing "
               "update or HRESULT). Put a WindowsRestart customizer before WindowsUpdate so no "
               "restart or installation is pending, let installers finish (wait or sleep) before "
               "it, and exclude a failing update with `filters`.",
        "exceptions": "Exit code 101 (restart pending) is part of the normal update loop.",
        "reference": "https://github.com/rgl/packer-plugin-windows-update",
        "positives": [
            "==> win-2022: Windows update script exited with non-zero exit status: 16001",
            "Build 'azure-arm.win' errored after 3 hours 2 minutes: Windows update script exited with non-zero exit status: 1",
            "2023/02/01 09:12:40 packer-plugin-azure_v2.0.1 plugin: 2023/02/01 09:12:40 [INFO] command "
            "'PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File C:/Windows/Temp/packer-windows-update-elevated.ps1' "
            "exited with code: 2147942402",
        ],
        "negatives": [
            "[INFO] command 'PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File "
            "C:/Windows/Temp/packer-windows-update-elevated.ps1' exited with code: 101",
            "[INFO] command 'PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File "
            "C:/Windows/Temp/packer-windows-update-elevated.ps1' exited with code: 0",
        ],
    },
    # ---------------------------------------------- AIB270-AIB280: Windows guests (WinRM, MSI, sysprep)
    {
        "id": "AIB270",
        "category": "communicator_timeout",
        "severity": "error",
        "phase": "connect",
        "priority": 72,
        "context": ["not-before-connect", "not-before-progress"],
        "title": "Packer's WinRM connection attempts fail",
        # packer-plugin-sdk's WinRM connect step logs every failed attempt as "[ERROR] WinRM connection
        # err: <error>"; the WinRM client's own error names the /wsman endpoint it posted to.
        "patterns": [
            r"\bWinRM connection err: \S",
            r"\bconnection error: unknown error Post \"?https?://[^/\s\"]+/wsman\b",
        ],
        "cause": "Packer tries to open a WinRM shell on the build VM and every attempt fails before "
                 "a shell exists: the listener is not there yet or not at all (the port refuses or "
                 "times out), the HTTPS listener's certificate is refused, or the listener answers "
                 "with an HTTP error (403 Forbidden from an IP filter or a hardening baseline). "
                 "Packer retries until `winrm_timeout` and then reports the timeout.",
        "fix": "Check that the VM configures a WinRM listener on the port Packer uses "
               "(`winrm_port`, 5985 for HTTP, 5986 for `winrm_use_ssl`) and that the NSG or firewall "
               "lets Packer reach it; with a self-signed certificate set `winrm_insecure: true`; "
               "raise `winrm_timeout` for slow first boots. In AIB the service configures WinRM; a "
               "source image whose hardening removes the listener or blocks 5986 cannot be "
               "customized with PowerShell customizers.",
        "exceptions": "Failed attempts before a later `Connected to WinRM!` are the VM still booting, "
                      "not the cause.",
        "reference": "https://developer.hashicorp.com/packer/docs/communicators/winrm",
        "positives": [
            "2023/05/11 09:14:02 packer-plugin-azure_v2.0.1_x5.0_linux_amd64 plugin: 2023/05/11 09:14:02 [ERROR] "
            "WinRM connection err: unknown error Post \"https://10.1.2.7:5986/wsman\": x509: certificate signed by unknown authority",
            "2021/10/02 07:40:11 packer-builder-hyperv-iso plugin: [ERROR] connection error: unknown error Post "
            "http://192.168.40.12:5985/wsman: dial tcp 192.168.40.12:5985: connectex: No connection could be made "
            "because the target machine actively refused it.",
            "2024/01/20 16:02:55 packer: [ERROR] connection error: unknown error Post https://52.160.3.9:5986/wsman: Forbidden",
        ],
        "negatives": [
            "2023/05/11 09:14:02 packer-plugin-azure plugin: [INFO] Attempting WinRM connection...",
            "2023/05/11 09:14:02 packer-plugin-azure plugin: [DEBUG] connecting to remote shell using WinRM",
            "==> azure-arm: Waiting for WinRM to become available...",
        ],
    },
    {
        "id": "AIB271",
        "category": "sysprep_failed",
        "severity": "error",
        "phase": None,
        "priority": 92,
        "title": "Sysprep stops at a Store (AppX) package installed for one user only",
        # Sysprep's own setupact.log / setuperr.log wording, as Microsoft documents it.
        "patterns": [
            r"(?i)\binstalled for a user,? but not provisioned for all users\b",
            r"(?i)\bSYSPRP Failed to remove apps for the current user: 0x80073cf2\b",
            r"(?i)\bAppxSysprep\.dll; dwRet = 0x3cf2\b",
        ],
        "cause": "Sysprep /generalize refuses an image in which a Microsoft Store (AppX/MSIX) package "
                 "is installed for a user account but not provisioned for all users (an app installed "
                 "or updated from the Store, by winget, or by an installer that registers a per-user "
                 "package). Sysprep stops, the image state never reaches "
                 "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE, and the build loops or times out.",
        "fix": "Remove the package for every user and from the provisioned set before Sysprep runs, "
               "in a PowerShell customizer: `Get-AppxPackage -AllUsers <name>* | "
               "Remove-AppxPackage -AllUsers` and `Get-AppxProvisionedPackage -Online | Where-Object "
               "DisplayName -like '<name>*' | Remove-AppxProvisionedPackage -Online`; install such apps "
               "provisioned (DISM `Add-AppxProvisionedPackage`) instead of per user; keep the Store "
               "from updating apps during the build.",
        "exceptions": "None known: the line is Sysprep's own reason for stopping.",
        "reference": "https://learn.microsoft.com/troubleshoot/windows-client/deployment/"
                     "sysprep-fails-remove-or-update-store-apps",
        "positives": [
            "2024-02-11 10:42:17, Error                 SYSPRP Package Contoso.Viewer_4.2.0.0_x64__a1b2c3d4e5f6g was "
            "installed for a user, but not provisioned for all users. This package will not function properly in the sysprep image.",
            "2024-02-11 10:42:17, Error                 SYSPRP Failed to remove apps for the current user: 0x80073cf2.",
            "2024-02-11 10:42:17, Error                 SYSPRP ActionPlatform::LaunchModule: Failure occurred while "
            "executing 'SysprepGeneralizeValidate' from C:\\Windows\\System32\\AppxSysprep.dll; dwRet = 0x3cf2",
            "    azure-arm: Package Fabrikam.Notes_1.0.3.0_neutral__9zyx8wvu7ts6r installed for a user, but not provisioned for all users",
        ],
        "negatives": [
            "2024-02-11 10:42:17, Info                  SYSPRP Package Contoso.Viewer_4.2.0.0_x64__a1b2c3d4e5f6g was provisioned for all users.",
            "    azure-arm: Removing provisioned package Contoso.Viewer for all users",
        ],
    },
    {
        "id": "AIB272",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 60,
        "context": ["not-deprovision"],
        "title": "A PowerShell cmdlet was denied access (the step must run elevated)",
        # PowerShell's error record: "<Verb-Noun> : Access is denied." (Windows PowerShell 5.1) or
        # "<Verb-Noun>: Access is denied." (PowerShell 7)
        "patterns": [
            r"\b[A-Z][a-z]+-[A-Z][A-Za-z]+ ?: Access (?:is )?denied\b",
        ],
        "cause": "A cmdlet in a PowerShell step was refused by Windows access control. Over WinRM a "
                 "script runs with a filtered (non-elevated) token even for an administrator, so "
                 "servicing cmdlets (`Add-WindowsCapability`, `Enable-WindowsOptionalFeature`, DISM, "
                 "service and registry changes under HKLM) that need a full administrator token fail.",
        "fix": "Run the step elevated: in AIB set `\"runElevated\": true` on the PowerShell "
               "customizer (optionally `\"runAsSystem\": true`); in Packer set `elevated_user` and "
               "`elevated_password` on the powershell provisioner.",
        "exceptions": "A path that is really locked (a file in use, an ACL that denies Administrators) "
                      "gives the same message; elevation does not help there.",
        "reference": TEMPLATE_REF + "#powershell-customizer",
        "positives": [
            "==> azure-arm: Enable-WindowsOptionalFeature : Access is denied.",
            "    win2022: Add-WindowsCapability: Access is denied.",
            "I keep getting \"Install-WindowsFeature : Access denied.\" from the provisioner",
        ],
        "negatives": [
            "==> azure-arm: Enable-WindowsOptionalFeature -Online -FeatureName NetFx3 -All",
            "    azure-arm: Access is denied.",
            "    azure-arm: Get-Acl : Cannot find path 'C:\\data' because it does not exist.",
        ],
    },
    {
        "id": "AIB273",
        "category": "packer_crash",
        "severity": "error",
        "phase": None,
        "priority": 88,
        "title": "A Packer process dumped its goroutines (it crashed)",
        # The Go runtime prints every goroutine's stack when a process dies of a panic or a fatal
        # error; the header of the ones not running reads "goroutine N [<wait reason>]:".
        "patterns": [
            r"\bgoroutine \d+ \[(?:select|chan receive|chan send|IO wait|semacquire|syscall|sleep|runnable|"
            r"sync\.Cond\.Wait|sync\.Mutex\.Lock|sync\.WaitGroup\.Wait|GC worker \(idle\)|select \(no cases\))"
            r"(?:, \d+ minutes)?(?:, locked to thread)?\]:",
        ],
        "cause": "Packer or one of its plugins died with a Go runtime crash and printed the stacks of "
                 "all its goroutines. The process ends, so the step it was running (often a WinRM "
                 "command or upload) reports `unexpected EOF`: that EOF is the consequence, not an "
                 "exhausted VM.",
        "fix": "Look for the `panic:` or `fatal error:` line above the goroutine dump (it names the "
               "crash), update Packer and the plugin to a release that fixes it, and report it to "
               "the plugin with the crash log if it persists. In AIB retry the build; the Packer "
               "version is the service's.",
        "exceptions": "None: a goroutine dump is only printed when the process dies.",
        "reference": "https://developer.hashicorp.com/packer/docs/debugging",
        "positives": [
            "2019/11/02 18:03:41 packer-provisioner-powershell plugin: goroutine 41 [select]:",
            "goroutine 7 [chan receive, 12 minutes]:",
            "2022/06/30 04:12:09 packer.exe: goroutine 115 [IO wait]:",
        ],
        "negatives": [
            "2022/06/30 04:12:09 packer.exe: created by net/http.(*Transport).dialConn",
            "    azure-arm: waiting for 3 goroutines to finish",
        ],
    },
    {
        "id": "AIB274",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 65,
        "context": ["not-deprovision"],
        "title": "Packer's elevated wrapper could not start the step as a scheduled task",
        # The PowerShell error record points into the wrapper script Packer uploads for elevated runs.
        "patterns": [
            r"\bAt [A-Za-z]:[\\/][Ww]indows[\\/][Tt]emp[\\/]packer-elevated-shell-[0-9A-Fa-f-]+\.ps1:\d+ char:\d+",
        ],
        "cause": "A step set to run elevated (Packer's `elevated_user`, AIB's `runElevated`) is run "
                 "through a scheduled task that a wrapper script registers and starts. The error "
                 "record points into that wrapper: the task could not be registered or run, most "
                 "often because the elevated user or password is wrong, the user may not log on as a "
                 "batch job, or the account does not exist yet.",
        "fix": "Check `elevated_user`/`elevated_password` (Packer: `\"elevated_password\": "
               "\"{{ .WinRMPassword }}\"` with the WinRM user), create the account before the step, "
               "and allow it the 'Log on as a batch job' right; in AIB use `runElevated` with "
               "`runAsSystem: true` instead of a named account.",
        "exceptions": "An error record that points into the user's own script (`script-<id>.ps1`) is "
                      "the script's failure, not the wrapper's.",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners/powershell#elevated_user",
        "positives": [
            "==> azure-arm: At C:\\Windows\\Temp\\packer-elevated-shell-64f0c2aa-18d3-4e21-a95c-0c1f3e2d7b11.ps1:52 char:1",
            "    vsphere-clone.win: At c:\\windows\\temp\\packer-elevated-shell-5d1e.ps1:61 char:5",
        ],
        "negatives": [
            "==> azure-arm: At C:\\Windows\\Temp\\script-64f0c2aa-18d3-4e21-a95c-0c1f3e2d7b11.ps1:52 char:1",
            "2020/01/17 08:59:49 packer plugin: Uploading file to 'C:/Windows/Temp/packer-elevated-shell-64f0c2aa.ps1'",
        ],
    },
    {
        "id": "AIB275",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 62,
        "context": ["not-deprovision"],
        "title": "Windows Installer is busy with another installation (MSI 1618)",
        "patterns": [
            r"(?i)\bexit(?:ed(?: with code)?| code| status)(?: was)?:? ?'?1618\b",
            r"(?i)\bAnother (?:installation is already in progress|program is being installed)",
            r"(?i)\bAnother installation currently in progress\b",
        ],
        "cause": "An MSI installation (msiexec, or a Chocolatey or winget package that runs one) "
                 "ended with 1618, ERROR_INSTALL_ALREADY_RUNNING: Windows Installer runs one "
                 "installation at a time and another one held it: a parallel install in the same "
                 "script, Windows Update or an agent installing in the background.",
        "fix": "Install MSI packages one after another (no parallel jobs), wait for the "
               "Windows Installer to be idle before the step (`while (Get-Process msiexec -EA 0 | "
               "Where-Object SessionId -eq 0 ...)`), or retry the install on 1618; put a "
               "WindowsRestart customizer after Windows Update and before the installs.",
        "exceptions": "None known: 1618 always means the Installer was busy.",
        "reference": "https://learn.microsoft.com/windows/win32/msi/error-codes",
        "positives": [
            "    azure-arm: ERROR: Running [\"C:\\Windows\\System32\\msiexec.exe\" /i \"C:\\Temp\\agent.msi\" /qn] was not successful. Exit code was '1618'.",
            "    azure-arm: Installer failed with exit code: 1618",
            "    azure-arm:  - nodejs-lts (exited 1618) - Error while running 'C:\\ProgramData\\chocolatey\\lib\\nodejs-lts\\tools\\chocolateyinstall.ps1'.",
            "    azure-arm: Another installation is already in progress. Complete that installation before proceeding with this install.",
        ],
        "negatives": [
            "    azure-arm: Installer finished with exit code: 0",
            "    azure-arm: Exit code was '16180'.",
            "    azure-arm: Downloaded 1618 KB of 2048 KB",
        ],
    },
    {
        "id": "AIB276",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 58,
        "context": ["not-deprovision"],
        "title": "An MSI installation failed with a fatal error (MSI 1603)",
        "patterns": [
            r"(?i)\bexit(?:ed(?: with code)?| code| status)(?: was)?:? ?'?1603\b",
            r"(?i)\bFatal error during installation\b",
        ],
        "cause": "An MSI installation (msiexec, or a Chocolatey or winget package that runs one) "
                 "ended with 1603, ERROR_INSTALL_FAILURE: the installer hit a fatal error. The code "
                 "is generic; common reasons in an image build are a pending restart, a missing "
                 "prerequisite, the same or a newer version already installed, and no access to a "
                 "path.",
        "fix": "Run the installer with a verbose log (`msiexec /i app.msi /qn /l*v "
               "C:\\Windows\\Temp\\app-msi.log`, or Chocolatey `--install-arguments "
               "'\"/l*v C:\\Windows\\Temp\\app-msi.log\"'`), print the lines around `Return value 3` "
               "in the same step, and put a WindowsRestart customizer before the step when updates "
               "or other installs left a restart pending.",
        "exceptions": "Some packages report 1603 although they installed; check the product before "
                      "adding 1603 to the valid exit codes.",
        "reference": "https://learn.microsoft.com/windows/win32/msi/error-codes",
        "positives": [
            "    azure-arm: ERROR: Running [\"C:\\Windows\\System32\\msiexec.exe\" /i \"C:\\Temp\\tool.msi\" /quiet] was not successful. Exit code was '1603'. See log for possible error messages.",
            "    azure-arm: Installer failed with exit code: 1603",
            "==> azure-arm: Script exited with non-zero exit status: 1603. Allowed exit codes are: [0]",
        ],
        "negatives": [
            "    azure-arm: Installer finished with exit code: 0",
            "    azure-arm: Copied 1603 files.",
        ],
    },
    {
        "id": "AIB277",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 63,
        "context": ["not-deprovision"],
        "title": "A step succeeded but asks for a restart (exit code 3010 or 1641) and it counts as a failure",
        "patterns": [
            r"(?i)\bexit(?:ed(?: with code)?| code| status)(?: was)?:? ?'?(?:3010|1641)\b",
        ],
        "cause": "Exit code 3010 (ERROR_SUCCESS_REBOOT_REQUIRED) means the installation succeeded "
                 "and needs a restart to complete; 1641 (ERROR_SUCCESS_REBOOT_INITIATED) means it "
                 "succeeded and started the restart itself. Packer treats every code but the allowed ones "
                 "(`[0]` by default) as a failure, so the step fails although it worked.",
        "fix": "Allow the code and restart after the step: AIB `\"validExitCodes\": [0, 3010, 1641]` on the "
               "PowerShell customizer followed by a `WindowsRestart` customizer; Packer "
               "`valid_exit_codes = [0, 3010, 1641]` followed by a `windows-restart` provisioner. With "
               "1641 the installer restarts the VM itself: pass its no-restart switch "
               "(`/norestart`) so the restart happens in the WindowsRestart step.",
        "exceptions": "None: 3010 is a success code by definition.",
        "reference": "https://learn.microsoft.com/windows/win32/msi/error-codes",
        "positives": [
            "==> azure-arm: Script exited with non-zero exit status: 3010. Allowed exit codes are: [0]",
            "    azure-arm: Installer failed with exit code: 3010",
            "==> azure-arm.w11: Script exited with non-zero exit status: 1641. Allowed exit codes are: [0]",
            "2023/03/09 12:00:41 packer-plugin-azure plugin: [INFO] command 'powershell -executionpolicy bypass -file C:/Windows/Temp/script.ps1' exited with code: 3010",
        ],
        "negatives": [
            "==> azure-arm: Script exited with non-zero exit status: 30101. Allowed exit codes are: [0]",
            "    azure-arm: Listening on port 3010",
        ],
    },
    {
        "id": "AIB278",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 58,
        "context": ["not-deprovision"],
        "title": "PowerShell's execution policy blocks or overrides the script",
        "patterns": [
            r"(?i)\bcannot be loaded because running scripts is disabled on this system\b",
            r"\bFullyQualifiedErrorId\s*: (?:UnauthorizedAccess|ExecutionPolicyOverride)\b",
            r"(?i)\bthe setting is overridden by\s+a policy defined at a more specific scope\b",
        ],
        "cause": "PowerShell refused to run a script file because of the execution policy "
                 "(Restricted or AllSigned, often set by Group Policy or a hardening baseline), or a "
                 "script tried to change the policy while a more specific scope (the process scope "
                 "Packer sets with `-ExecutionPolicy Bypass`, or a Group Policy) overrides it, which "
                 "PowerShell reports as an error record.",
        "fix": "Do not change the execution policy inside the build script (drop "
               "`Set-ExecutionPolicy`, or call it with `-Scope Process -Force -ErrorAction "
               "SilentlyContinue`); run child scripts with `powershell -ExecutionPolicy Bypass -File "
               "script.ps1`; in Packer set `execution_policy = \"bypass\"` on the powershell "
               "provisioner; apply a hardening baseline that restricts scripts as the last step.",
        "exceptions": "The override record alone does not stop a script unless it runs with "
                      "`$ErrorActionPreference = 'Stop'`; then another error may be the cause.",
        "reference": "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_execution_policies",
        "positives": [
            "==> azure-arm: C:\\Windows\\Temp\\setup-tools.ps1 : File C:\\Windows\\Temp\\setup-tools.ps1 cannot be loaded because running scripts is disabled on this system.",
            "    + FullyQualifiedErrorId : ExecutionPolicyOverride,Microsoft.PowerShell.Commands.SetExecutionPolicyCommand",
            "    azure-arm: Set-ExecutionPolicy : Windows PowerShell updated your execution policy successfully, but the setting is overridden by a policy defined at a more specific scope.",
        ],
        "negatives": [
            "    azure-arm: Set-ExecutionPolicy Bypass -Scope Process -Force",
            "    + FullyQualifiedErrorId : CommandNotFoundException",
        ],
    },
    {
        "id": "AIB279",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 64,
        "context": ["not-deprovision"],
        "title": "A Windows feature or capability could not find its source files",
        # DISM's CBS_E_* / source-not-found codes, as Microsoft documents them for Features on Demand
        "patterns": [
            r"(?i)\b0x800f081f\b",
            r"(?i)\b0x800f0954\b",
            r"(?i)\b0x800f0950\b",
            r"\bThe source files could not be (?:found|downloaded)\b",
        ],
        "cause": "Installing a Windows feature or Feature on Demand (`Add-WindowsCapability`, "
                 "`Install-WindowsFeature`, `Enable-WindowsOptionalFeature`, `DISM /Add-Capability`, "
                 ".NET 3.5) needs payload that is not in the image: Windows could not reach Windows "
                 "Update for it (a WSUS policy, no outbound internet from the build VM's subnet) "
                 "and no `-Source` was given (0x800f081f, 0x800f0954, 0x800f0950).",
        "fix": "Give the build VM outbound access to Windows Update (or set the policy 'Specify "
               "settings for optional component installation and component repair' to download "
               "from Windows Update instead of WSUS), or pass `-Source`/`-LimitAccess` with a "
               "mounted Features on Demand or SxS source that matches the OS build.",
        "exceptions": "None known for these codes.",
        "reference": "https://learn.microsoft.com/windows-hardware/manufacture/desktop/features-on-demand-v2--capabilities",
        "positives": [
            "==> azure-arm: Add-WindowsCapability : Add-WindowsCapability failed. Error code = 0x800f0954",
            "    azure-arm: Error: 0x800f081f",
            "    azure-arm: The source files could not be found.",
        ],
        "negatives": [
            "    azure-arm: Error: 0x800f0922",
            "    azure-arm: Searching for source files in C:\\sources\\sxs",
        ],
    },
    {
        "id": "AIB281",
        "category": "windows_restart_timeout",
        "severity": "error",
        "phase": "customize",
        "priority": 82,
        "title": "The windows-restart step lost the VM while waiting for it to come back",
        # Packer's windows-restart provisioner: "Error waiting for machine to restart: <error>"
        "patterns": [
            r"\bError waiting for machine to restart: \S",
        ],
        "cause": "A WindowsRestart customizer (Packer's windows-restart provisioner) restarted the VM "
                 "and then failed while waiting for WinRM to answer again: the connection attempts "
                 "ended in an error instead of a shell. The VM is still installing updates after "
                 "the restart, is slow to boot, or does not come back (a stop error, a changed "
                 "WinRM listener or firewall).",
        "fix": "Raise `restartTimeout` on the WindowsRestart customizer (`\"restartTimeout\": "
               "\"30m\"`; Packer `restart_timeout`), use a larger VM size so updates finish faster, "
               "give `restartCheckCommand` a command that succeeds only once the VM is ready, and "
               "check the boot diagnostics screenshot of the staging VM if it never returns.",
        "exceptions": "None known.",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners/windows-restart",
        "positives": [
            "==> azure-arm.ws2022: Error waiting for machine to restart: unknown error Post \"https://10.2.0.9:5986/wsman\": "
            "dial tcp 10.2.0.9:5986: i/o timeout",
            "Build 'azure-arm' errored after 48 minutes 10 seconds: Error waiting for machine to restart: "
            "http response error: 401 - invalid content type",
        ],
        "negatives": [
            "==> azure-arm.ws2022: Waiting for machine to restart...",
            "==> azure-arm.ws2022: Machine successfully restarted, moving on",
        ],
    },
    {
        "id": "AIB282",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 35,
        "context": ["not-deprovision"],
        "title": "A command the Windows script calls does not exist in its session",
        # cmd.exe's and PowerShell's fixed sentences for a name that resolves to nothing
        "patterns": [
            r"is not recognized as an internal or external command\b",
            r"is not recognized as the name of a cmdlet, function, script file, or operable program",
        ],
        "cause": "cmd.exe or PowerShell could not find a command the step calls. In an image build "
                 "the usual reasons are: the tool was installed earlier in the same step and the "
                 "session still has the old PATH; the tool is installed per user (winget comes with "
                 "the App Installer Store package, which the SYSTEM account and WinRM sessions do "
                 "not have); the PowerShell module that provides the cmdlet is not installed or not "
                 "imported; or a typo.",
        "fix": "Call the tool by its full path, or refresh PATH in the step "
               "(`$env:Path = [Environment]::GetEnvironmentVariable('Path','Machine')`), or install "
               "it in an earlier customizer; install and import the module that provides the cmdlet "
               "(`Install-Module <name> -Force; Import-Module <name>`); do not rely on winget in a "
               "build VM session, install packages with their MSI/EXE or Chocolatey instead.",
        "exceptions": "A script that probes for a command (`if (Get-Command x)`) and handles its "
                      "absence prints the same record without failing.",
        "reference": "https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_command_precedence",
        "positives": [
            "'choco' is not recognized as an internal or external command, operable program or batch file.",
            "    azure-arm: Install-Module : The term 'Install-Module' is not recognized as the name of a cmdlet, "
            "function, script file, or operable program.",
        ],
        "negatives": [
            "    azure-arm: The command 'winget' was found in C:\\Program Files\\WindowsApps",
            "    azure-arm: Get-Command choco -ErrorAction SilentlyContinue",
        ],
    },
    {
        "id": "AIB283",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 50,
        "context": ["not-deprovision"],
        "title": "An installer run by the script returned a failure exit code",
        # winget's, Chocolatey's and the runner-images install helper's fixed wording
        "patterns": [
            r"\bInstaller failed with exit code: (?!0\b)\S",
            r"\bwas not successful\. Exit code was '-?\d+'",
            r"\bUnsuccessful exit code returned by the installation process: -?\d+",
        ],
        "cause": "A package installer (an MSI or EXE run by winget, Chocolatey or an install helper "
                 "in the script) ended with a non-zero exit code, and the step failed on it. The "
                 "code is the installer's own: MSI codes are listed by Windows Installer (1603 fatal "
                 "error, 1618 another installation running, 1638 another version installed, "
                 "3010 restart required), EXE installers document their own.",
        "fix": "Look the code up for that installer, rerun it with its log switch (`/l*v "
               "C:\\Windows\\Temp\\install.log` for MSI) and print the log in the same step; "
               "install prerequisites and restart (WindowsRestart) before it if a restart is "
               "pending; add codes that mean success to `validExitCodes`.",
        "exceptions": "Some installers return non-zero codes for success with conditions (1641, "
                      "3010); those are not failures once allowed.",
        "reference": "https://learn.microsoft.com/windows/win32/msi/error-codes",
        "positives": [
            "    azure-arm.win: Installer failed with exit code: 2316632107",
            "    azure-arm: ERROR: Running [\"C:\\Temp\\setup.exe\" /S] was not successful. Exit code was '2'. See log for possible error messages.",
            "    azure-arm: Unsuccessful exit code returned by the installation process: 1638.",
        ],
        "negatives": [
            "    azure-arm: Installer failed with exit code: 0",
            "    azure-arm: The install of 7zip was successful.",
        ],
    },
    {
        "id": "AIB280",
        "category": "vm_resources_exhausted",
        "severity": "error",
        "phase": None,
        "priority": 76,
        "title": "The build VM's Windows disk is full (0x80070070)",
        "patterns": [
            r"(?i)\b0x80070070\b",
            r"\bERROR_DISK_FULL\b",
        ],
        "cause": "Windows reported ERROR_DISK_FULL (HRESULT 0x80070070, Win32 error 112): the OS disk "
                 "of the build VM has no free space left. Windows Update, installers and downloads "
                 "need several GB of free space; marketplace images have a 127 GB OS disk, smaller "
                 "ones exist (`smalldisk` SKUs with 30 GB).",
        "fix": "Raise `vmProfile.osDiskSizeGB` (Packer: `os_disk_size_gb`) and extend the C: "
               "partition in the first customizer (`Resize-Partition -DriveLetter C -Size "
               "(Get-PartitionSupportedSize -DriveLetter C).SizeMax`), avoid `smalldisk` images, "
               "and clean temporary downloads in the same step.",
        "exceptions": "None known.",
        "reference": "https://learn.microsoft.com/windows/win32/debug/system-error-codes--0-499-",
        "positives": [
            "    azure-arm: ERROR: Exception from HRESULT: 0x80070070",
            "    azure-arm: Installation Failure: Windows failed to install the following update with error 0x80070070: 2024-05 Cumulative Update.",
        ],
        "negatives": [
            "    azure-arm: Exception from HRESULT: 0x80070005",
            "    azure-arm: Free space on C: 12 GB",
        ],
    },
    {
        "id": "AIB228",
        "category": "communicator_timeout",
        "severity": "error",
        "phase": "connect",
        "priority": 78,
        "context": ["not-before-connect", "not-before-progress"],
        "title": "WinRM refuses Packer's login (HTTP 401)",
        "patterns": [
            r"WinRM connection err: http (?:response )?error: 401\b",
            r"http response error: 401 - invalid content type",
        ],
        "cause": "Packer reaches the VM's WinRM listener but every login is answered with HTTP 401: "
                 "the listener does not accept the authentication Packer uses (Basic over HTTP, or "
                 "NTLM), the user or password is wrong, or a hardening baseline (CIS, STIG) switched "
                 "it off. Packer keeps retrying until the WinRM timeout.",
        "fix": "Allow the authentication Packer uses on the listener (`winrm set "
               "winrm/config/service/auth @{Basic=\"true\"}` for Basic over HTTP, or use "
               "`winrm_use_ssl` with NTLM), check `winrm_username`/`winrm_password`, and apply "
               "hardening that disables Basic auth only at the end of the build.",
        "exceptions": "Refusals before a later successful connection (WinRM restarting) are not "
                      "the cause.",
        "reference": "https://developer.hashicorp.com/packer/docs/communicators/winrm",
        "positives": [
            "2022/03/04 11:20:33 packer-builder-azure-arm plugin: [ERROR] WinRM connection err: http response error: 401 - invalid content type",
            "2022/03/04 11:20:33 packer-plugin-azure_v2.1.0 plugin: [ERROR] connection error: http response error: 401 - invalid content type",
            "Build 'hyperv-iso' errored: Error processing command: Error uploading ps script containing env vars: "
            "Couldn't create shell: http response error: 401 - invalid content type",
        ],
        "negatives": [
            "2022/03/04 11:20:33 packer-builder-azure-arm plugin: [ERROR] WinRM connection err: unknown error Post \"https://10.0.0.4:5986/wsman\": dial tcp 10.0.0.4:5986: i/o timeout",
        ],
    },
    {
        "id": "AIB229",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 45,
        "context": ["not-deprovision"],
        "title": "A configuration-management provisioner exited with a non-zero code",
        "patterns": [
            r"Error executing [\w -]{1,40}: Non-zero exit status: ?(?:exit status )?\d+",
            r"\b(?:Puppet|DSC) exited with a non-zero exit status: ?\d+",
            r": ok=\d+ +changed=\d+ +unreachable=\d+ +failed=[1-9]\d*",
            # Ansible's own end of a failed play (older and newer wording)
            r"FATAL: all hosts have already failed -- aborting",
            r"^(?:.{0,80}: )?NO MORE HOSTS LEFT \*",
            # Chef's own words: the run's summary and its cookbook resolution error
            r"\bChef (?:Infra )?Client failed\. \d+ resources updated",
            r"\bError Resolving Cookbooks for Run List\b",
            # Chef's failed command resource (Mixlib::ShellOut's report)
            r"Expected process to exit with \[[\d, ]{1,40}\], but received '\d+'",
            r"(?:^|: )Ran \S.{0,400} returned [1-9]\d*\s*$",
            # Ansible refusing the playbook before any task, and Vagrant's Ansible provisioner
            r"ERROR! the role '[^']{1,200}' was not found\b",
            r"ERROR! the playbook: .{1,300} could not be found",
            r"\bAnsible failed to complete successfully\b",
        ],
        "cause": "A Chef, Ansible, Puppet or DSC provisioner ran its tool on the build VM and the "
                 "tool failed (a recipe, task or manifest errored; Ansible's PLAY RECAP counts the "
                 "failed tasks). Packer stops the build; an "
                 "`unexpected EOF` printed after it is the provisioner's plugin shutting down, not "
                 "a second cause.",
        "fix": "Read the tool's own output just before this line (the failed resource or task), "
               "fix it and run the tool against a test VM first.",
        "exceptions": "None.",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners",
        "positives": [
            "==> azure-arm.app: Error executing Chef: Non-zero exit status: 1",
            "==> azure-arm: Error executing Ansible: Non-zero exit status: 2",
            "==> vsphere-iso: Puppet exited with a non-zero exit status: 6",
            "Build 'qemu.base' errored after 9 minutes: Error executing Ansible: Non-zero exit status: exit status 4",
            "    azure-arm.web: 10.1.0.4                  : ok=31   changed=12   unreachable=0    failed=1    skipped=3",
            "FATAL: all hosts have already failed -- aborting",
            "    qemu.base: NO MORE HOSTS LEFT *************************************************************",
            "    azure-arm: Chef Infra Client failed. 4 resources updated in 41 seconds",
            "    qemu.rhel: Error Resolving Cookbooks for Run List:",
            "    azure-arm: Expected process to exit with [0], but received '1603'",
            "    amazon-ebs.win: Ran C:\\Windows\\system32\\msiexec.exe /qn /i C:\\tmp\\agent.msi returned 1603",
            "    azure-arm: ERROR! the role 'corp.baseline' was not found in /tmp/packer-provisioner-ansible-local/roles",
            "Ansible failed to complete successfully. Any error output should be",
        ],
        "negatives": [
            "    azure-arm: Executing Chef: sudo chef-solo --no-color -c /tmp/packer-chef-solo/solo.rb",
            "    azure-arm.web: 10.1.0.4                  : ok=31   changed=12   unreachable=0    failed=0    skipped=3",
            "    azure-arm: Chef Infra Client finished, 12/40 resources updated in 02 minutes 10 seconds",
        ],
    },
    {
        "id": "AIB231",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 35,
        "context": ["customizer", "not-deprovision"],
        "title": "A Pester test run by a customizer failed",
        "patterns": [
            r"Tests Passed: \d+, Failed: [1-9]\d*, ",
            r"\[-\] .{1,400} \d+(?:\.\d+)?m?s \(\d+(?:\.\d+)?m?s\|\d+(?:\.\d+)?m?s\)\s*$",
        ],
        "cause": "The customizer runs Pester tests that check the image (installed tools, versions, "
                 "Windows features) and at least one test failed; the script then exits non-zero. "
                 "The failing test's name follows `[-]` and its assertion (`Expected ...`) is on the "
                 "next lines.",
        "fix": "Read the `[-]` test and its `Expected ...` line: fix the installation it checks, or "
               "the test if the expectation is out of date.",
        "exceptions": "None.",
        "reference": "https://pester.dev/docs/usage/output",
        "positives": [
            "    azure-arm.win: Tests Passed: 118, Failed: 2, Skipped: 0 NotRun: 0",
            "    azure-arm.win:   [-] Git is on the PATH 48ms (41ms|7ms)",
        ],
        "negatives": [
            "    azure-arm.win: Tests Passed: 118, Failed: 0, Skipped: 3 NotRun: 0",
            "    azure-arm.win:   [+] Git is on the PATH 48ms (41ms|7ms)",
        ],
    },
    {
        "id": "AIB232",
        "category": "communicator_timeout",
        "severity": "error",
        "phase": "connect",
        "priority": 76,
        "context": ["not-before-connect", "not-before-progress"],
        "title": "Packer reaches the SSH port but the SSH handshake keeps failing",
        "patterns": [
            r"SSH handshake err: ",
            r"Timeout during SSH handshake",
        ],
        "cause": "The VM answers on the SSH port, but Packer cannot complete the SSH handshake: sshd "
                 "is still starting or is restricted (hardened ciphers, `MaxStartups`), a proxy or "
                 "load balancer answers instead of sshd, or the key or user is refused. Packer retries "
                 "`ssh_handshake_attempts` times and then gives up.",
        "fix": "Check the VM's serial console and sshd log; allow the key type and ciphers Packer "
               "offers, raise `ssh_handshake_attempts`/`ssh_timeout` for slow first boots, and make "
               "sure the address Packer uses reaches the VM's sshd.",
        "exceptions": "Handshake errors before a later successful connection are normal while the "
                      "VM boots.",
        "reference": "https://developer.hashicorp.com/packer/docs/communicators/ssh",
        "positives": [
            "2023/06/01 09:14:02 packer-plugin-azure_v2.0.0 plugin: [DEBUG] SSH handshake err: Timeout during SSH handshake",
            "2023/06/01 09:14:02 packer-plugin-azure_v2.0.0 plugin: [DEBUG] SSH handshake err: ssh: handshake failed: EOF",
        ],
        "negatives": ["2023/06/01 09:14:02 packer-plugin-azure_v2.0.0 plugin: [DEBUG] handshaking with SSH"],
    },
    {
        "id": "AIB230",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 55,
        "context": ["customizer", "not-deprovision"],
        "title": "The package manager could not install a package",
        "patterns": [
            r"error: unpacking of archive failed",
            r"Error unpacking rpm package \S+",
            r"^error: \S+: install failed\s*$",
            r"E: Sub-process /usr/bin/dpkg returned an error code",
        ],
        "cause": "apt/dpkg or dnf/rpm started installing a package and the installation "
                 "itself failed: a package script errored, a file in the package collides with one "
                 "on the image, or the package download or checksum failed.",
        "fix": "Read the package manager's lines before this one (the package and its error), fix "
               "the conflicting file or version, and keep image customizations idempotent "
               "(re-running an install must not fail).",
        "exceptions": "None.",
        "reference": "https://rpm.org/documentation.html",
        "positives": [
            "error: unpacking of archive failed on file /usr/lib/python3.9/site-packages;5f2a: cpio: File from package already exists as a directory in system",
            "  Installing       : tar-1.34-6.el9.x86_64      12/40Error unpacking rpm package tar-1.34-6.el9.x86_64",
            "error: tar-1.34-6.el9.x86_64: install failed",
            "    azure-arm: E: Sub-process /usr/bin/dpkg returned an error code (1)",
        ],
        "negatives": ["    azure-arm: Unpacking nginx (1.24.0-2) ...", "    azure-arm: Installed: tar.x86_64 2:1.34-6.el9"],
    },
    {
        "id": "AIB309",
        "category": "image_version_exists",
        "severity": "error",
        "phase": None,
        "priority": 92,
        "title": "An image with this name already exists",
        "patterns": [
            # Compute's refusal to change the source of an existing image or image version
            # ('sourceVirtualMachine', '...publishingProfile.source.managedImage.id',
            # '...storageProfile.source.id'): the name is taken by an image built from another source
            r"Changing property '(?:\w+\.)*source(?:VirtualMachine)?(?:\.\w+)*' is not allowed",
            r"A managed image named .{1,200} already exists",
            r"(?i)\bimage (?:named |with the name )?'?[\w.-]+'? already exists\b",
        ],
        "cause": "The output image name is taken: a managed image (or image version) of that name "
                 "was left by an earlier or concurrent build, and Azure refuses to overwrite it "
                 "from another VM.",
        "fix": "Give every run its own output name (add the run number to `runOutputName` / "
               "`imageId` / the gallery version), or delete the old image first (`az image delete "
               "-g RG -n NAME`).",
        "exceptions": "None.",
        "reference": ARM_ERRORS,
        "positives": ["==> azure-arm: ERROR: -> PropertyChangeNotAllowed : Changing property 'sourceVirtualMachine' is not allowed.",
                      "==> azure-arm.sig: ERROR: -> PropertyChangeNotAllowed : Changing property "
                      "'galleryImageVersion.properties.storageProfile.source.id' is not allowed."],
        "negatives": ["Changing property 'tags' is allowed",
                      "Changing property 'galleryImage.properties.osType' is not allowed.",
                      "Changing property 'galleryImage.properties.hyperVGeneration' is not allowed."],
    },
    {
        "id": "AIB310",
        "category": "distribution_failed",
        "severity": "error",
        "phase": "distribute",
        "priority": 75,
        "title": "Gallery replication or publishing failed",
        "patterns": [
            r"Replication failed in this region",
            r"\b\w+ResponseFromPIR\b",
            r"(?i)\breplication (?:jobs? )?failed\b",
            r"\bGalleryImageVersion\w*(?:Failed|Error)\b",
        ],
        "cause": "The image was built, but copying it into the gallery (or to one of its target "
                 "regions) failed inside Azure's image repository: a storage allocation or "
                 "encryption mismatch in the region, or a transient service failure.",
        "fix": "Retry the distribution; if one region keeps failing, remove it from "
               "`properties.distribute[].targetRegions` or check its disk encryption set "
               "(`targetRegions[].encryption`); `az sig image-version show -e` shows the "
               "replication status per region.",
        "exceptions": "A timeout while waiting for replication is AIB305 instead.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/troubleshooting-shared-images",
        "positives": ["Message: Replication failed in this region due to 'Storage allocation failure'.",
                      "ERROR: Gallery replication jobs failed in one or more regions. The failing regions' details "
                      "are as follows: '{region:westus3, detail:Failed with internal server error.}'."],
        "negatives": ["Replication completed in this region"],
    },
    {
        "id": "AIB311",
        "category": "sysprep_failed",
        "severity": "error",
        "phase": "deprovision",
        "priority": 85,
        "trigger": "sysprep-poll-never-finished",
        "title": "Sysprep never reached IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE",
        "cause": "The generalize step polls the image state until Sysprep reports "
                 "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE. Here it kept reporting another state "
                 "(IMAGE_STATE_UNDEPLOYABLE, SPECIALIZE_RESEAL_TO_OOBE) until the build ended: "
                 "Sysprep hung or failed (an appx package installed for one user, a pending "
                 "update, Defender or a service blocking the cleanup).",
        "fix": "Read C:\\Windows\\System32\\Sysprep\\Panther\\setuperr.log on the build VM (keep it with "
               "a customizer that prints it on failure); remove per-user appx packages, finish "
               "pending updates with a WindowsRestart customizer before the end, and do not run "
               "Sysprep yourself in a customizer (AIB's deprovisioning does).",
        "exceptions": "A build still running is not stuck: with the run state known to be Running "
                      "the rule does not fire.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot",
        "positives": [],
        "negatives": [],
    },
    {
        "id": "AIB312",
        "category": "deprovision_failed",
        "severity": "error",
        "phase": None,
        "priority": 85,
        "context": ["after-deprovision"],
        "title": "Packer could not clean up after the deprovisioning step",
        "patterns": [
            r"Error removing temporary (?:script|file) .{0,200}(?:handshake failed|EOF|connection)",
        ],
        "cause": "The last script ran, but Packer could not reconnect to delete it: the script "
                 "removed Packer's own login (`waagent -deprovision+user`) or stopped SSH, so the "
                 "next connection fails.",
        "fix": "Run deprovisioning as the last step with `skip_clean: true` (Packer) or leave it "
               "to AIB's own deprovisioning (do not call `waagent -deprovision+user` in a "
               "customizer).",
        "exceptions": "None.",
        "reference": PACKER_ARM,
        "positives": ["Build 'azure-arm' errored: Retryable error: Error removing temporary script at /tmp/script_1234.sh: ssh: handshake failed: EOF"],
        "negatives": ["Removing temporary script /tmp/script_1234.sh"],
    },
    # ---------------------------------------------- raw tool output: Vagrant, waagent, file uploads
    {
        "id": "AIB237",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 40,
        "context": ["not-deprovision"],
        "title": "Vagrant: a command run in the guest over SSH or WinRM exited non-zero",
        # Vagrant's own sentence (its locale file, ssh_bad_exit_status / _muted and the WinRM
        # twin): what the command printed comes before it and names the cause when a rule knows it
        "patterns": [
            r"(?:SSH|WinRM) command responded with a non-zero exit status",
        ],
        "cause": "Vagrant ran a command in the guest (a shell provisioner, or its own network, "
                 "shared-folder or guest-tools step) and the command ended with a non-zero code. "
                 "The failing command's output is printed above this sentence (with "
                 "`Stdout from the command` / `Stderr from the command` blocks for Vagrant's own "
                 "steps).",
        "fix": "Read the output above the sentence and fix that command; run the same script on a "
               "VM from the same box or source image first. For AIB, the same script in a Shell "
               "customizer fails the same way: make it non-interactive (`set -euo pipefail`, "
               "`-y`) and check each step's exit code.",
        "exceptions": "When the command is Vagrant's own (network configuration, `mount`, guest "
                      "additions) the box and Vagrant versions are the suspects rather than your "
                      "script.",
        "reference": "https://developer.hashicorp.com/vagrant/docs/provisioning/shell",
        "positives": [
            "The following SSH command responded with a non-zero exit status.",
            "ERROR warden: Error occurred: The SSH command responded with a non-zero exit status. Vagrant",
            "The following WinRM command responded with a non-zero exit status.",
        ],
        "negatives": ["The SSH command responded with exit status 0", "    default: SSH auth method: private key"],
    },
    {
        "id": "AIB238",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 70,
        "title": "apt/dpkg was run without root rights",
        # apt's messages when the lock file cannot even be opened (errno 13), as opposed to a lock
        # that another process holds (AIB211): "are you root?" is apt's own question
        "patterns": [
            r"Unable to (?:lock the administration directory|acquire the dpkg frontend lock) "
            r"\([^)]{0,200}\), are you root\?",
            r"Could not open lock file \S{1,200} - open \(13: Permission denied\)",
        ],
        "cause": "The script called apt-get or dpkg as an ordinary user: the package manager could "
                 "not open its lock file (permission denied), so nothing was installed. This is not "
                 "another process holding the lock.",
        "fix": "Run the package commands as root: `sudo apt-get ...` in the script, or a Packer "
               "`execute_command` with `sudo -E sh '{{ .Path }}'`. AIB's Shell customizer runs as "
               "an ordinary user unless the script uses sudo.",
        "exceptions": "None.",
        "reference": "https://manpages.debian.org/apt-get",
        "positives": [
            "E: Unable to lock the administration directory (/var/lib/dpkg/), are you root?",
            "==> azure-arm: E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)",
        ],
        "negatives": [
            "E: Unable to lock the administration directory (/var/lib/dpkg/), is another process using it?",
            "E: Could not get lock /var/lib/dpkg/lock-frontend - open (11: Resource temporarily unavailable)",
        ],
    },
    {
        "id": "AIB239",
        "category": "deprovision_failed",
        "severity": "error",
        "phase": "deprovision",
        "priority": 86,
        "title": "waagent could not delete the build user while deprovisioning",
        # the Azure Linux agent's error log of a failed command, in its older ("Command: 'x'") and
        # newer ("Command: [x], return code: [n]") wording, for the userdel that -deprovision+user
        # runs; and shadow-utils' own refusal
        "patterns": [
            r"\bERROR (?:[A-Z]\w+ ){0,2}Command: ['\[]userdel\b",
            r"userdel: user \S{1,64} is currently used by process \d+",
        ],
        "cause": "`waagent -deprovision+user` deletes the account Packer logs in with; `userdel` "
                 "refused because a process of that user (the provisioning session itself, or a "
                 "service started under it) was still running, so the VM was not deprovisioned.",
        "fix": "Under AIB leave deprovisioning to AIB's own step (do not call waagent in a "
               "customizer) and stop services you started under the build user before the end. "
               "With Packer run `/usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 "
               "&& sync` as the last provisioner with `skip_clean: true` and `execute_command` "
               "through sudo.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/disable-provisioning",
        "positives": [
            "    azure-arm: 2024/03/11 08:01:02.123456 ERROR Command: 'userdel -f -r azureuser'",
            "2025-01-09T10:00:01.5Z ERROR Daemon Command: [userdel -f -r builder], return code: [8], stdout: [] stderr: []",
            "    azure-arm.img: userdel: user builder is currently used by process 2210",
        ],
        "negatives": ["    azure-arm: WARNING! packer account and entire home directory will be deleted.",
                      "    azure-arm: ERROR Command: 'systemctl stop walinuxagent'"],
    },
    {
        "id": "AIB240",
        "category": "customizer_failed",
        "severity": "error",
        "phase": "customize",
        "priority": 45,
        "title": "A file provisioner (File customizer) could not upload to the build VM",
        # Packer's file provisioner prints "Upload failed: <error>" when the copy to the guest fails
        "patterns": [
            r"(?:^|[\s\"':>])Upload failed: ",
        ],
        "cause": "Packer copies a file customizer's source to the VM over SSH (scp/sftp) or WinRM. "
                 "The copy failed: the destination folder does not exist or is not writable by "
                 "the build user (`Process exited with status 1` from scp), or the connection "
                 "broke during a large transfer.",
        "fix": "Upload to a folder the build user can write (`/tmp`, `C:\\Windows\\Temp`) and move "
               "the file with a Shell/PowerShell step using sudo; create the destination folder "
               "first. AIB's File customizer is meant for small files: download large ones inside "
               "the VM with a script step instead.",
        "exceptions": "An `Upload failed` after the VM rebooted or lost its network is a lost "
                      "connection rather than a bad destination.",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners/file",
        "positives": [
            "==> azure-arm: Upload failed: Process exited with status 1",
            "2024/05/02 11:12:13 ui error: ==> qemu.win: Upload failed: read tcp 10.0.2.2:50432: connection reset by peer",
        ],
        "negatives": ["==> azure-arm: Uploading ./files/app.conf => /tmp/app.conf",
                      "==> azure-arm: Upload failed once, retrying"],
    },
    {
        "id": "AIB241",
        "category": "connection_lost",
        "severity": "error",
        "phase": None,
        "priority": 82,  # above a bare handshake failure (AIB215): the script had run
        "title": "Packer could not reconnect after a script to remove its temporary file",
        # the shell provisioner's clean-up step: a new session after the script ended. Without a
        # deprovisioning step in the log (AIB312) the script's reboot or login change is the cause
        "patterns": [
            r"Error removing temporary (?:script|file) .{0,200}(?:[Hh]andshake|unable to authenticate|EOF|connection)",
        ],
        "cause": "The script ended, then Packer opened a new SSH session to delete its temporary "
                 "script and could not: the script rebooted the VM, stopped SSH, changed the "
                 "login's keys or password, or removed the account.",
        "fix": "Give the script that reboots or changes the login `expect_disconnect: true` and "
               "`skip_clean: true` (Packer), and put a pause or a restart-aware step after it. "
               "Under AIB do not reboot from a Shell customizer.",
        "exceptions": "Right after `waagent -deprovision+user` this is the deprovisioning step "
                      "(AIB312).",
        "reference": "https://developer.hashicorp.com/packer/docs/provisioners/shell",
        "positives": [
            "    qemu.deb: Retryable error: Error removing temporary script at /tmp/script_7781.sh: Timeout during SSH handshake",
            "Build 'amazon-ebs.base' errored: Retryable error: Error removing temporary script at /tmp/script_12.sh: ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain",
        ],
        "negatives": ["Removing temporary script /tmp/script_7781.sh"],
    },
    {
        "id": "AIB242",
        "category": "invalid_template",
        "severity": "error",
        "phase": "submission",
        "priority": 70,
        "title": "The virtual network has several subnets and the template names none (Packer)",
        # packer-plugin-azure's resource resolver, before anything is created
        "patterns": [
            r"Found multiple subnets in the resource group .{0,300}disambiguate",
            r"Cannot find a subnet in the resource group .{0,200}associated with the virtual network",
        ],
        "cause": "The build names a virtual network but no subnet, and the plugin found several "
                 "subnets (or none) in it, so it cannot choose where to put the build VM. Older "
                 "plugin versions also say this when the subnet is named but the network's "
                 "resource group is not.",
        "fix": "Set `virtual_network_subnet_name` and `virtual_network_resource_group_name` next to "
               "`virtual_network_name` (Packer); with AIB set `vmProfile.vnetConfig.subnetId` to "
               "the subnet's full resource ID.",
        "exceptions": "None.",
        "reference": PACKER_ARM,
        "positives": [
            "--> azure-arm.win: Found multiple subnets in the resource group \"rg-net\" associated with the virtual network called \"vnet-build\", please use virtual_network_subnet_name and virtual_network_resource_group_name to disambiguate",
            "Build 'azure-arm' errored: Cannot find a subnet in the resource group \"rg-net\" associated with the virtual network called \"vnet-2\"",
        ],
        "negatives": ["==> azure-arm:  -> Subnet : 'build-subnet'"],
    },
    {
        "id": "AIB243",
        "category": "communicator_timeout",
        "severity": "error",
        "phase": "connect",
        "priority": 80,
        "title": "Vagrant: the machine never answered over SSH/WinRM while booting",
        # Vagrant's boot timeout sentence (config.vm.boot_timeout; config.ssh.timeout in old versions)
        "patterns": [r"Timed out while waiting for the machine to boot\b"],
        "cause": "Vagrant booted the VM and tried to log in until its boot timeout ran out: the "
                 "guest never accepted the SSH or WinRM connection (no network, sshd/WinRM not "
                 "started, wrong credentials or keys in the box, or a guest too slow to boot).",
        "fix": "Look at the connection warnings above the sentence; check the box's network and "
               "login setup, or raise `config.vm.boot_timeout`. For the same image under AIB the "
               "source image must allow SSH (Linux) or WinRM (Windows) from the build's network.",
        "exceptions": "None.",
        "reference": "https://developer.hashicorp.com/vagrant/docs/vagrantfile/machine_settings",
        "positives": ["Timed out while waiting for the machine to boot. This means that"],
        "negatives": ["==> app: Waiting for machine to boot. This may take a few minutes...",
                      "==> app: Machine booted and ready!"],
    },
    {
        "id": "AIB244",
        "category": "packer_crash",
        "severity": "error",
        "phase": None,
        "priority": 65,
        # what 'unexpected EOF' means before any connection: only the plugin can have gone away
        "by_phase": {p: None for p in PHASES if p != "connect"},
        "context": ["before-step-failed"],
        "title": "Packer lost its builder plugin while connecting (unexpected EOF)",
        "patterns": [
            r"errored(?: after [^:]{1,80})?: unexpected EOF",
            r"--> [\w.-]+: unexpected EOF",
        ],
        "cause": "`unexpected EOF` is Packer losing the RPC connection to a plugin process: the "
                 "plugin exited or crashed. While Packer was still waiting for SSH/WinRM no "
                 "command had run on the VM, so the build VM's resources cannot be the cause; the "
                 "builder plugin itself stopped.",
        "fix": "Rerun with `PACKER_LOG=1` to capture the plugin's panic; update Packer and the "
               "builder plugin (`packer init -upgrade` with a pinned `required_plugins` "
               "version). Under AIB rerun the build; if it repeats, open a support case.",
        "exceptions": "Inside a customizer the same words mean an exhausted VM (AIB207).",
        "reference": "https://developer.hashicorp.com/packer/docs/debugging",
        "positives": ["Build 'amazon-ebs.win' errored after 6 minutes: unexpected EOF"],
        "negatives": ["Build 'amazon-ebs.win' errored after 6 minutes: Timeout waiting for WinRM."],
    },
    {
        "id": "AIB245",
        "category": "packer_crash",
        "severity": "error",
        "phase": None,
        "priority": 75,  # above an 'unexpected EOF' read as an exhausted VM, below a named timeout
        "title": "A Packer process printed a Go stack trace (its panic line may be cut off)",
        # Go's stack frame format (path/file.go:line +0xoffset): a panic, or a Go process killed
        # with SIGQUIT, prints these; an excerpt often keeps the frames but not the panic line
        "patterns": [r"\S/[\w./@-]{1,300}\.go:\d+ \+0x[0-9a-f]+\s*$"],
        "cause": "Packer or one of its plugins crashed and printed the goroutine stacks; the RPC "
                 "connection to the dead plugin then ends with `unexpected EOF`. The frames name "
                 "the step that crashed (a builder step, a provisioner, the communicator).",
        "fix": "Find the `panic:` line above the frames and the plugin that printed them; update "
               "Packer and that plugin (`packer init -upgrade`), rerun with `PACKER_LOG=1` and, if "
               "it repeats, report the panic to the plugin. Under AIB rerun the build.",
        "exceptions": "When Packer's own error line names another cause (a restart or connection "
                      "timeout), that cause ranks first: the plugin died after it.",
        "reference": "https://developer.hashicorp.com/packer/docs/debugging",
        "positives": ["2024/03/01 10:00:00 packer-plugin-azure_v2.1.0_x5.0_linux_amd64 plugin: \t/home/ci/go/pkg/mod/github.com/hashicorp/packer-plugin-sdk@v0.5.2/rpc/server.go:112 +0x2c4"],
        "negatives": ["    azure-arm: go build ./cmd/api/main.go: ok",
                      "    azure-arm: vet: ./internal/store.go:41: unreachable code"],
    },
    {
        "id": "AIB126",
        "category": "file_download_failed",
        "severity": "error",
        "phase": None,
        "priority": 60,
        "title": "Azure Storage says the blob or container does not exist",
        "patterns": [
            r"The specified (?:resource|blob|container) does not exist\.",
        ],
        "cause": "A URL into Azure Storage (a customizer's `scriptUri` / `sourceUri`, or a download "
                 "in a script) names a blob or container that is not there. Storage answers with "
                 "its own XML error (`<Code>ResourceNotFound</Code>`, `BlobNotFound`, "
                 "`ContainerNotFound`) and this sentence; unlike ARM's ResourceNotFound it is not "
                 "about an Azure resource such as the source image.",
        "fix": "Check the URL in the template (account, container, blob name, case) with `az "
               "storage blob exists --account-name ACCOUNT -c CONTAINER -n BLOB --auth-mode "
               "login`, and that the template identity has Storage Blob Data Reader on the account "
               "(a private blob without that role may be reported as not found).",
        "exceptions": "None: the sentence is Azure Storage's own.",
        "reference": "https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes",
        "positives": ["    azure-arm: <?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.",
                      "    azure-arm: <Error><Code>ResourceNotFound</Code><Message>The specified resource does not exist."],
        "negatives": ["The specified resource group was found", "    azure-arm: the specified file does not exist yet, creating it"],
    },
    {
        "id": "AIB224",
        "category": "package_manager_locked",
        "severity": "error",
        "phase": "customize",
        "priority": 70,
        "title": "apt's package lists are missing or being rewritten",
        "patterns": [
            r"E: Could not open file /var/lib/apt/lists/",
            r"E: The package lists or status file could not be parsed or opened",
            # older apt's wording of the same (a lists file gone while apt reads it)
            r"E: ?[Cc]an ?not open /var/lib/apt/lists/\S{1,300} - fopen \(2: ",
        ],
        "cause": "apt reads its package lists while they are absent or half written. On a fresh "
                 "Azure VM this is cloud-init's own `apt-get update` still running when the "
                 "customizer starts (the same race that takes the dpkg lock), or a script that "
                 "cleared /var/lib/apt/lists and installs without updating first.",
        "fix": "Start the Shell customizer with `cloud-init status --wait` (or `while fuser "
               "/var/lib/dpkg/lock-frontend /var/lib/apt/lists/lock >/dev/null 2>&1; do sleep 5; "
               "done`), then `apt-get update` before `apt-get install -y ...`.",
        "exceptions": "A script that removes the lists on purpose and then runs `apt-get update` "
                      "does not fail: only the error lines count.",
        "reference": TROUBLESHOOT + "#tips-for-troubleshooting-scriptinline-customization",
        "positives": ["    azure-arm: E: Could not open file /var/lib/apt/lists/azure.archive.ubuntu.com_ubuntu_dists_jammy_InRelease - open (2: No such file or directory)",
                      "    azure-arm: E: can not open /var/lib/apt/lists/mirror.example.net_debian_dists_stable_Release - fopen (2: No such file or directory)"],
        "negatives": ["    azure-arm: rm -rf /var/lib/apt/lists/*", "    azure-arm: Reading package lists... Done"],
    },
    {
        "id": "AIB226",
        "category": "invalid_template",
        "severity": "error",
        "phase": "connect",
        "priority": 80,
        "title": "Packer is told to use an SSH agent that is not running",
        "patterns": [
            r"SSH_AUTH_SOCK is not set",
        ],
        "cause": "The build is configured with `ssh_agent_auth = true`, so Packer asks the local SSH "
                 "agent for keys, but the environment Packer runs in has no agent "
                 "(`SSH_AUTH_SOCK` is empty). Packer never gets an SSH configuration and waits until "
                 "`ssh_timeout`.",
        "fix": "Remove `ssh_agent_auth` (Packer then creates a key pair for the build VM), or start "
               "an agent and load the key before `packer build` (`eval $(ssh-agent) && ssh-add "
               "KEY`).",
        "exceptions": "None.",
        "reference": "https://developer.hashicorp.com/packer/docs/communicators/ssh",
        "positives": ["    2024/05/02 08:01:12 packer: 2024/05/02 08:01:12 [DEBUG] Error getting SSH config: SSH_AUTH_SOCK is not set"],
        "negatives": ["    azure-arm: export SSH_AUTH_SOCK=/tmp/agent.sock"],
    },
    {
        "id": "AIB314",
        "category": "distribution_failed",
        "severity": "error",
        "phase": "distribute",
        "priority": 70,
        "title": "Capturing the OS disk or copying the VHD failed",
        "patterns": [
            r"failed to capture (?:OS Disk|image|VHD)",
            r"Error capturing image",
            r"failed to copy to storage with err",
            r"[Ee]rror copying (?:the )?VHD",
        ],
        "cause": "After the customizers, Packer captures the VM's OS disk and (for a VHD target) "
                 "copies it into the storage account. The copy or the capture did not finish: "
                 "the copy of a large disk outlasted Packer's polling time (`context deadline "
                 "exceeded`), the storage account refused the write, or the capture itself "
                 "failed.",
        "fix": "Read the error after the colon. For a timeout, raise the Packer setting "
               "`polling_duration_timeout` (or `buildTimeoutInMinutes` for AIB) and keep the OS disk "
               "small; for storage errors check the account's network rules and the identity's "
               "Storage Blob Data Contributor role; prefer a managed image or gallery target over "
               "VHD copies.",
        "exceptions": "None.",
        "reference": PACKER_ARM,
        "positives": [" failed to capture OS Disk with err : failed to copy to storage with err : error copying: waiting for file to copy: context deadline exceeded",
                      "==> azure-arm: Error capturing image: compute.VirtualMachinesClient#Capture: Failure sending request: StatusCode=409"],
        "negatives": ["==> azure-arm: Capturing image ...", "==> azure-arm: Copying VHD to Storage Account ..."],
    },

    {
        "id": "AIB235",
        "category": "build_timeout",
        "severity": "error",
        "phase": "customize",
        "priority": 46,
        "title": "AIB stopped Packer while the build was still working (terminated)",
        "outside_stop": True,
        "patterns": [r"Cancelling build after receiving terminated"],
        "cause": "Packer received SIGTERM: it did not fail, something outside stopped it. Under "
                 "AIB that is the service ending the build when `buildTimeoutInMinutes` runs out "
                 "(default 240) or when the run is cancelled. The step that was running (often "
                 "Windows Update or a long install) had not finished; a connection that really "
                 "dropped shows its own line (AIB214).",
        "fix": "If nobody cancelled the run (`lastRunStatus.runState` is Failed, not Canceled), "
               "the build ran out of time: raise `properties.buildTimeoutInMinutes` (max 960), "
               "use a bigger `vmProfile.vmSize`, or split the long step (limit Windows Update "
               "with `filters`/`updateLimit`).",
        "exceptions": "With runState Canceled the stop was a cancel (AIB406); a lost connection "
                      "(AIB214) or a more specific sub-cause (a prompt, a hung Sysprep) ranks first.",
        "reference": TROUBLESHOOT + "#timeout-exceeded",
        "positives": ["[2b7c6f8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f] PACKER 2026/02/11 09:41:07 ui error: Cancelling build after receiving terminated",
                      "PACKER OUT Cancelling build after receiving terminated"],
        "negatives": ["==> azure-arm: Cancelling build after receiving interrupt",
                      "PACKER ERR 2026/02/11 09:41:07 Cancelling builder after context cancellation context canceled"],
    },
    {
        "id": "AIB136",
        "category": "missing_permissions",
        "severity": "error",
        "phase": "submission",
        "priority": 70,
        "title": "Microsoft Entra ID refused a directory request (insufficient privileges)",
        "patterns": [r"\bAuthorization_RequestDenied\b", r"Insufficient privileges to complete the operation"],
        "cause": "Microsoft Graph refused to read or write a directory object: the signed-in identity "
                 "may not create app registrations or service principals, or may not look up the "
                 "principal a role is being assigned to (setting up the template's identity).",
        "fix": "Ask a directory administrator for the needed role (Application Developer or "
               "Application Administrator to create the app, Directory Readers to resolve "
               "principals), or assign roles by object ID so no lookup is needed: `az role "
               "assignment create --assignee-object-id ID --assignee-principal-type "
               "ServicePrincipal --role ROLE --scope SCOPE`.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/role-based-access-control/troubleshooting",
        "positives": ['{"odata.error": {"code": "Authorization_RequestDenied", "message": {"lang": "en", "value": "Insufficient privileges to complete the operation."}}}',
                      "ERROR: Insufficient privileges to complete the operation."],
        "negatives": ["Sufficient privileges: the operation completed", "Authorization_RequestDeniedHandler loaded"],
    },
    {
        "id": "AIB137",
        "category": "invalid_template",
        "severity": "error",
        "phase": None,
        "priority": 80,
        "title": "The OS disk size asked for is smaller than the source image's disk",
        "patterns": [r"The specified disk size \d+ GB is smaller than the size of the corresponding disk in the VM image"],
        "cause": "Compute refuses to create a VM whose OS disk is smaller than the disk of the image "
                 "it starts from (code OperationNotAllowed, target osDisk.diskSizeGB). An OS disk "
                 "can only grow: for a build, `vmProfile.osDiskSizeGB` below the source image's size "
                 "fails; for a VM or scale set made from the new image, a disk size smaller than the "
                 "image's does.",
        "fix": "Set `properties.vmProfile.osDiskSizeGB` to at least the size in the message, or to 0 "
               "to keep the source image's size (`az vm image show --urn URN --query "
               "osDiskImage.sizeInGb` shows it for a marketplace image).",
        "exceptions": "None.",
        "reference": TEMPLATE_REF + "#osdisksizegb",
        "positives": ['Code="OperationNotAllowed" Message="The specified disk size 40 GB is smaller than the size of '
                      'the corresponding disk in the VM image: 64 GB. This is not allowed." Target="osDisk.diskSizeGB"'],
        "negatives": ["The specified disk size 128 GB was applied to the OS disk",
                      "disk size 40 GB is larger than the corresponding disk in the VM image"],
    },
    {
        "id": "AIB138",
        "category": "invalid_template",
        "severity": "error",
        "phase": None,
        "priority": 78,
        "title": "The VM size does not support the premium disk type asked for",
        "patterns": [r"does not support the storage account type '?Premium_\w+",
                     r"(?i)storage account type '?Premium_\w+'? is not supported for VM size"],
        "cause": "Premium SSD disks can only be attached to VM sizes that support premium storage "
                 "(the sizes with an 's' in their name, such as D2s_v5); the size asked for does not, "
                 "so Compute rejects the disk type (code InvalidParameter).",
        "fix": "Pick a premium-capable size in `properties.vmProfile.vmSize` (e.g. Standard_D2s_v5 "
               "instead of Standard_D2_v5), or ask for Standard_LRS / StandardSSD_LRS disks.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/disks-types#premium-ssds",
        "positives": ["ERROR: (InvalidParameter) Requested operation cannot be performed because the VM size "
                      "Standard_A2_v2 does not support the storage account type Premium_LRS of disk 'osdisk-aib'.",
                      "Storage account type 'Premium_ZRS' is not supported for VM size 'Standard_F2'."],
        "negatives": ["Storage account type 'Premium_LRS' is supported for VM size 'Standard_D4s_v5'."],
    },
    {
        "id": "AIB139",
        "category": "invalid_template",
        "severity": "error",
        "phase": None,
        "priority": 72,
        "title": "A managed identity was asked for that the machine does not have",
        "patterns": [r"The requested identity has not been assigned to this resource",
                     r"\"error_description\"\s*:\s*\"Identity not found\""],
        "cause": "A sign-in with a managed identity (az login --identity, Connect-AzAccount -Identity, "
                 "an Azure SDK credential) asked the machine's metadata endpoint for an identity that is "
                 "not assigned to that machine. Inside an AIB build that is the build VM: the template's "
                 "own `identity` is used by the service, not by the VM, which only gets the identities in "
                 "`vmProfile.userAssignedIdentities`. On a self-hosted CI agent it is the agent VM.",
        "fix": "Add the identity to `properties.vmProfile.userAssignedIdentities` (and use its client "
               "ID in the script: `az login --identity --username CLIENT_ID`), or assign it to the CI "
               "agent VM (`az vm identity assign -g RG -n VM --identities ID`).",
        "exceptions": "None.",
        "reference": TEMPLATE_REF + "#user-assigned-identity-for-the-image-builder-build-vm",
        "positives": ["    azure-arm: ManagedIdentityCredential authentication unavailable. The requested identity has not been assigned to this resource.",
                      '{"error": "invalid_request", "error_description": "Identity not found"}'],
        "negatives": ["ManagedIdentityCredential: the requested identity was found and a token was acquired",
                      '"error_description": "Identity found"'],
    },
    {
        "id": "AIB236",
        "category": "pipeline_timeout",
        "severity": "error",
        "phase": None,
        "kind": "generic",
        "priority": 40,
        "outside_stop": True,
        "title": "Packer was interrupted (Ctrl+C, or the CI job running it was cancelled)",
        "patterns": [r"Cancelling build after receiving interrupt"],
        "cause": "Packer received SIGINT: someone pressed Ctrl+C, or the CI job running Packer was "
                 "cancelled or reached its time limit. It stopped the step that was running; the "
                 "'context canceled' lines after it are the consequence, not a lost connection.",
        "fix": "If the job hit its time limit, raise it or run the build in the background and "
               "watch it with a budget (`aib-pilot monitor`); if the step was slow for a reason, "
               "the lines before the interrupt show which step and why.",
        "exceptions": "Not a cause by itself: a specific error printed before the interrupt ranks "
                      "first.",
        "reference": "https://developer.hashicorp.com/packer/docs/commands/build",
        "positives": ["==> azure-arm.win2022: Cancelling build after receiving interrupt",
                      "2026/02/11 10:02:44 ui error: Cancelling build after receiving interrupt"],
        "negatives": ["Cancelling build after receiving terminated",
                      "==> azure-arm: Step \"StepDeployTemplate\" was interrupted by the user"],
    },
    {
        "id": "AIB320",
        "category": "image_not_generalized",
        "severity": "error",
        "phase": "distribute",
        "priority": 80,
        "title": "The VM to capture was not generalized",
        "patterns": [r"requires the Virtual Machine '[^']{1,200}' to be Generalized"],
        "cause": "Compute refuses to make an image from a VM that is not marked generalized: the "
                 "capture ran before Sysprep (Windows) or `waagent -deprovision` plus "
                 "`az vm generalize` (Linux) completed. Under AIB the deprovision step does this; "
                 "a customizer that removed or replaced it, or a capture of your own VM outside "
                 "AIB, leaves the VM specialized.",
        "fix": "Generalize before capturing (`az vm deallocate` then `az vm generalize -g RG -n "
               "VM`), or publish the VM as a specialized gallery image version "
               "(`--os-state Specialized` on the image definition). Under AIB keep its "
               "deprovisioning script in place.",
        "exceptions": "None.",
        "reference": "https://learn.microsoft.com/azure/virtual-machines/capture-image-resource",
        "positives": ["Code=\"OperationNotAllowed\" Message=\"The operation 'Create Image' requires the Virtual Machine 'build-vm-07' to be Generalized.\"",
                      "ERROR: (OperationNotAllowed) The operation 'Capture' requires the Virtual Machine 'web01' to be Generalized."],
        "negatives": ["The Virtual Machine 'web01' was generalized by Sysprep",
                      "Operation 'start' is not allowed on VM 'web01' since the VM is generalized."],
    },
    {
        "id": "AIB135",
        "category": "transient_service_error",
        "severity": "error",
        "phase": None,
        "priority": 60,
        "title": "Azure Resource Manager throttled the requests of the subscription",
        "patterns": [r"Number of (?:'\w+' )?requests for subscription '[^']{1,100}'.{0,300}?exceeded"],
        "cause": "Resource Manager limits the read, write and delete requests per subscription "
                 "and principal (and a provider can limit its own operations); past the limit it "
                 "answers 429 with the number of seconds to wait. Many builds or monitors polling "
                 "the same subscription, or a script listing resources in a loop, run into it.",
        "fix": "Retry after the seconds the message gives; poll less often (aib-pilot's monitor "
               "backs off on 429), spread parallel builds over time or subscriptions.",
        "exceptions": "Throttling is not the cause when a later error names another one.",
        "reference": "https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling",
        "positives": ["Number of 'write' requests for subscription '1111-2222' actor '3333' exceeded. Please try again after '17' seconds after additional tokens are available.",
                      "ERROR: Number of requests for subscription '1111-2222' and operation 'GET/SUBSCRIPTIONS/PROVIDERS/MICROSOFT.COMPUTE/GALLERIES' exceeded the backend storage limit. Please try again after '4' seconds."],
        "negatives": ["Number of requests for subscription '1111-2222' is within the limit",
                      "x-ms-ratelimit-remaining-subscription-reads: 11999"],
    },
)


# ------------------------------------------------------------------ AIB5xx: template checks (lint)
#: ``aib-pilot lint``'s checks, in the same format as ``RULES``. They read the template, not a log:
#: ``positives`` / ``negatives`` are template ``properties`` (one JSON line each) that must / must
#: not make the check fire (tests lint each of them). The checks themselves are in ``lint.py``.
LINT = (
    {
        "id": 'AIB501',
        "category": 'waiting_for_input',
        "severity": 'error',
        "title": 'Package command without -y',
        "cause": 'apt-get/yum/dnf install without -y waits for an answer nobody gives; the build hangs until buildTimeoutInMinutes.',
        "fix": 'Add -y (and DEBIAN_FRONTEND=noninteractive for apt): `sudo apt-get install -y PKG`.',
        "reference": TROUBLESHOOT + '#timeout-exceeded',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "name": "pkgs", "inline": ["sudo apt-get install nginx"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "name": "pkgs", "inline": ["sudo DEBIAN_FRONTEND=noninteractive apt-get install -y nginx"]}]}'],
    },
    {
        "id": 'AIB502',
        "category": 'vm_resources_exhausted',
        "severity": 'warning',
        "title": 'WindowsUpdate on the default build VM size',
        "cause": "Windows Update on the default Standard_D1_v2 (1 vCPU, 3.5 GB) starves the VM; WinRM drops with 'unexpected EOF'.",
        "fix": 'Set `properties.vmProfile.vmSize`, e.g. "Standard_D4s_v5".',
        "reference": TROUBLESHOOT + '#low-windows-resource-information-events',
        "positives": ['{"buildTimeoutInMinutes": 120, "customize": [{"type": "WindowsUpdate"}, {"type": "WindowsRestart"}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 120, "vmProfile": {"vmSize": "Standard_D4s_v5"}, "customize": [{"type": "WindowsUpdate"}, {"type": "WindowsRestart"}]}'],
    },
    {
        "id": 'AIB503',
        "category": 'windows_restart_timeout',
        "severity": 'warning',
        "title": 'No WindowsRestart after WindowsUpdate',
        "cause": 'Updates leave reboots pending; Sysprep or first logon then waits for the Windows Modules Installer.',
        "fix": 'Add {"type": "WindowsRestart", "restartTimeout": "30m"} after the WindowsUpdate customizer.',
        "reference": TROUBLESHOOT + '#slow-windows-logon-please-wait-for-the-windows-modules-installer',
        "positives": ['{"buildTimeoutInMinutes": 120, "vmProfile": {"vmSize": "Standard_D4s_v5"}, "customize": [{"type": "WindowsRestart"}, {"type": "WindowsUpdate"}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 120, "vmProfile": {"vmSize": "Standard_D4s_v5"}, "customize": [{"type": "WindowsUpdate"}, {"type": "WindowsRestart"}]}'],
    },
    {
        "id": 'AIB504',
        "category": 'large_file_customizer',
        "severity": 'warning',
        "title": 'File customizer for a large artifact',
        "cause": 'The File customizer is meant for files under 20 MB; installers and archives crawl through it for hours.',
        "fix": 'Download it in a Shell (curl -fsSL -o) or PowerShell (Invoke-WebRequest) customizer instead.',
        "reference": TROUBLESHOOT + '#long-file-download-time',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "File", "sourceUri": "https://files.example.org/agent/setup.msi", "destination": "C:\\\\setup.msi"}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "File", "sourceUri": "https://files.example.org/agent/config.json", "destination": "/tmp/config.json"}]}'],
    },
    {
        "id": 'AIB505',
        "category": 'build_timeout',
        "severity": 'warning',
        "title": 'buildTimeoutInMinutes missing or low',
        "cause": 'Without buildTimeoutInMinutes the build may run 240 minutes; a very low value times out normal builds (Windows updates take an hour).',
        "fix": "Set `properties.buildTimeoutInMinutes` to what the build needs (max 960), below your CI job's limit if you wait for it.",
        "reference": TROUBLESHOOT + '#timeout-exceeded',
        "positives": ['{"customize": [{"type": "Shell", "inline": ["echo hello"]}]}', '{"buildTimeoutInMinutes": 10, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
    },
    {
        "id": 'AIB506',
        "category": 'invalid_template',
        "severity": 'error',
        "title": 'buildTimeoutInMinutes above the maximum',
        "cause": 'AIB rejects values above 960 minutes.',
        "fix": 'Use at most 960.',
        "reference": TEMPLATE_REF + '#properties-buildtimeoutinminutes',
        "positives": ['{"buildTimeoutInMinutes": 1000, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 960, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
    },
    {
        "id": 'AIB507',
        "category": 'invalid_template',
        "severity": 'error',
        "title": 'Script customizer without exactly one of inline/scriptUri',
        "cause": 'Shell and PowerShell customizers need either `inline` or `scriptUri` (not both); AIB rejects the template (NoCustomizerScript).',
        "fix": 'Give the customizer exactly one of `inline` or `scriptUri`.',
        "reference": TROUBLESHOOT + '#troubleshoot-image-template-submission-errors',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "name": "empty"}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "scriptUri": "https://files.example.org/setup.sh"}]}'],
    },
    {
        "id": 'AIB508',
        "category": 'image_not_generalized',
        "severity": 'warning',
        "title": 'Windows image does not end with WindowsRestart',
        "cause": 'Pending reboots at generalization make first logon slow or VM creation time out.',
        "fix": 'Make a WindowsRestart customizer the last customizer.',
        "reference": TROUBLESHOOT + '#slow-windows-logon-please-wait-for-the-windows-modules-installer',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "PowerShell", "inline": ["Write-Output done"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "PowerShell", "inline": ["Write-Output done"]}, {"type": "WindowsRestart"}]}'],
    },
    {
        "id": 'AIB509',
        "category": 'deprovision_failed',
        "severity": 'warning',
        "title": "A command may delete AIB's deprovisioning script",
        "cause": 'AIB runs /tmp/DeprovisioningScript.sh or c:\\DeprovisioningScript.ps1 after the customizers; cleaning /tmp or C:\\ removes it.',
        "fix": 'Exclude DeprovisioningScript.* from the cleanup.',
        "reference": TROUBLESHOOT + '#command-locations-and-filenames',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["sudo rm -rf /tmp/*"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["sudo rm -rf /tmp/build"]}]}'],
    },
    {
        "id": 'AIB510',
        "category": 'connection_lost',
        "severity": 'warning',
        "title": 'A command changes the firewall, SSH or WinRM',
        "cause": 'AIB talks to the build VM over SSH (22) or WinRM (5986); closing them cancels the build.',
        "fix": 'Keep ports 22/5986 open during the build; apply hardening in a later pipeline step.',
        "reference": TROUBLESHOOT + '#cancelling-builder-after-context-cancellation-context-canceled',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["sudo ufw enable"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["sudo ufw status"]}]}'],
    },
    {
        "id": 'AIB511',
        "category": 'unknown',
        "severity": 'error',
        "title": 'Unknown customizer type',
        "cause": 'AIB supports Shell, PowerShell, File, WindowsRestart and WindowsUpdate customizers.',
        "fix": "Fix the customizer's `type`.",
        "reference": TEMPLATE_REF + '#properties-customize',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Bash", "inline": ["echo hello"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
    },
    {
        "id": 'AIB512',
        "category": 'build_timeout',
        "severity": 'warning',
        "title": 'Build may outlast the monitoring budget chain',
        "cause": "buildTimeoutInMinutes (240 when unset) is longer than the monitoring jobs watch in total "
                 "(lint's --budget times --runs: the first job plus its resumes); the build can still be running "
                 "when the last job ends, and nobody saves its log or reports its result.",
        "fix": 'Add resume jobs (the number lint prints), raise the budget within the job limit, or lower '
               '`buildTimeoutInMinutes` to what the build needs.',
        "reference": TROUBLESHOOT + '#timeout-exceeded',
        # Checked with this budget chain (tests pass it to lint): 2 runs of 50 minutes.
        "lint_options": {"budget_minutes": 50, "runs": 2},
        "positives": ['{"buildTimeoutInMinutes": 120, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}',
                      '{"customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 100, "customize": [{"type": "Shell", "inline": ["echo hello"]}]}'],
    },
    {
        "id": 'AIB513',
        "category": 'connection_lost',
        "severity": 'warning',
        "title": 'Restart inside a script customizer',
        "cause": 'A reboot started by a Shell or PowerShell step (shutdown -r, Restart-Computer, reboot, or a script '
                 'named reboot/restart) drops the SSH/WinRM session the step runs in; the step fails or the next one '
                 'cannot connect. The troubleshooting guide fixes pending restarts with a WindowsRestart customizer, '
                 'which reboots and waits for the VM to come back.',
        "fix": 'Windows: replace the command with {"type": "WindowsRestart", "restartTimeout": "10m"} after the step. '
               'Linux: AIB has no restart customizer; leave the reboot out (VMs made from the image boot fresh).',
        "reference": TROUBLESHOOT + '#slow-windows-logon-please-wait-for-the-windows-modules-installer',
        "positives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "PowerShell", "inline": ["Install-WindowsFeature Web-Server", "Restart-Computer -Force"]}, {"type": "WindowsRestart"}]}',
                      '{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["sudo apt-get install -y nginx && sudo reboot"]}]}',
                      '{"buildTimeoutInMinutes": 60, "customize": [{"type": "PowerShell", "inline": ["shutdown /r /t 0"]}, {"type": "WindowsRestart"}]}',
                      '{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "scriptUri": "https://files.example.org/scripts/reboot.sh"}]}'],
        "negatives": ['{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": ["test -f /var/run/reboot-required && echo needs a restart"]}]}',
                      '{"buildTimeoutInMinutes": 60, "customize": [{"type": "PowerShell", "inline": ["Install-WindowsFeature Web-Server"]}, {"type": "WindowsRestart", "restartTimeout": "10m"}]}',
                      '{"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "scriptUri": "https://files.example.org/scripts/restartable-service.sh"}]}'],
    },
)
