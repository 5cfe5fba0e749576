"""Azure error codes as data: what each code means for an image build and what to do about it.

This module is *data only* (literals, no logic). The diagnosis engine reads failure text (AIB
customization.log, raw Packer azure-arm output, ARM / az CLI / PowerShell errors, CI logs) where
Azure errors arrive nested: an outer *wrapper* code that only says that something failed
(``InvalidTemplateDeployment``, ``DeploymentFailed``, ``ResourceDeploymentFailure``, ``Conflict``,
``InternalOperationError``, ``PackerBuildFailed``, ...) around an inner *specific* code that names
the cause (``SkuNotAvailable``, ``RequestDisallowedByPolicy``, ``OSProvisioningTimedOut``, ...).
The innermost specific code wins; a wrapper alone means "the text is not enough, fetch the inner
error or the log". ``docs/azure-error-codes.md`` lists the same table for readers.

Every entry of ``CODES`` is a dict with these fields:

  code        the error code exactly as Azure prints it (case-sensitive). Entra ID (sign-in) errors
              use their AADSTS number, e.g. "AADSTS700024".
  category    the root-cause category of the engine's taxonomy (``catalogue.CATEGORIES``), or
              "unknown" for a wrapper.
  kind        "specific" (the code names a cause) or "wrapper" (it only carries inner errors or
              says that something failed). A wrapper's category is always "unknown".
  service     who returns it: arm | compute | gallery | network | storage | authorization |
              policy | aib | entra | keyvault | resources.
  title       one line.
  cause       what the code means for an image build, in our own words (1-3 sentences).
  fix         the concrete fix: the AIB template property (API 2025-10-01: properties.source,
              properties.vmProfile.vmSize, properties.distribute[], identity,
              properties.buildTimeoutInMinutes, properties.stagingResourceGroup, ...) or the exact
              ``az`` command.
  reference   a public Microsoft Learn page (or azure-rest-api-specs file) that documents the code
              or the condition it reports.
  example     one line (two for the ``Code:``/``Message:`` and PowerShell record shapes) in a shape
              real tools print: az CLI ``ERROR: (Code) message``, az CLI ``Code:``/``Message:``,
              ARM error JSON, autorest/Go ``Code="X" Message="..."``, Packer ``==> azure-arm:
              ERROR: -> X : message``, a PowerShell record with ``ErrorCode: X``, an AIB
              ``provisioningError`` / lastRunStatus text, an Entra ``AADSTSnnnn:`` reply. Written
              for this table from the documented message texts, with made-up names and IDs.
  phrases     (optional) plain message phrases (not regexes) from Microsoft's documented wording
              that identify the cause even when the code around them is generic or absent.
  exceptions  (optional) when the code does not mean this cause.
  phases      (optional) the build phases in which the code means this cause; printed in another
              phase it names nothing (e.g. ResourceGroupNotFound at submission is a wrong group,
              during the build it is the staging group deleted under the build).
"""

# Public sources, restated in our own words in docs/azure-error-codes.md.
ARM_ERRORS = "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors"
ARM_TS = "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/"
ARM_THROTTLING = "https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling"
ARM_LOCKS = "https://learn.microsoft.com/azure/azure-resource-manager/management/lock-resources"
DEPLOYMENT_SCRIPTS = "https://learn.microsoft.com/azure/azure-resource-manager/templates/deployment-script-template"
VM_ERRORS = "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/windows/error-messages"
VM_ALLOCATION = "https://learn.microsoft.com/troubleshoot/azure/virtual-machines/allocation-failure"
GALLERY_TS = "https://learn.microsoft.com/azure/virtual-machines/troubleshooting-shared-images"
MARKETPLACE = "https://learn.microsoft.com/azure/virtual-machines/marketplace-images"
FIND_IMAGE = "https://learn.microsoft.com/azure/virtual-machines/linux/cli-ps-findimage"
AIB_TS = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"
AIB_ERROR_CODES = ("https://learn.microsoft.com/rest/api/imagebuilder/virtual-machine-image-templates/get"
                   "#provisioningerrorcode")
PLS_POLICIES = "https://learn.microsoft.com/azure/private-link/disable-private-link-service-network-policy"
STORAGE_COMMON = "https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes"
STORAGE_BLOB = "https://learn.microsoft.com/rest/api/storageservices/blob-service-error-codes"
STORAGE_SHARED_KEY = "https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent"
STORAGE_ANONYMOUS = "https://learn.microsoft.com/azure/storage/blobs/anonymous-read-access-prevent"
KEYVAULT_CODES = "https://learn.microsoft.com/azure/key-vault/general/common-error-codes"
ENTRA_CODES = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
WIF_TS = "https://learn.microsoft.com/azure/devops/pipelines/release/troubleshoot-workload-identity"
FIC_LIMITS = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations"
SP_AUTH_TS = ("https://learn.microsoft.com/azure/developer/java/sdk/"
              "troubleshooting-authentication-service-principal")
ACCESS_TOKENS = "https://learn.microsoft.com/entra/identity-platform/access-tokens"
TOKEN_AUDIENCE_QA = ("https://learn.microsoft.com/answers/questions/880300/"
                     "receiving-invalidauthenticationtokenaudience-error")

CODES = (
    # ================================================================ ARM: wrappers
    {
        "code": "InvalidTemplateDeployment",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "Deployment rejected by preflight validation (see the inner error)",
        "cause": "Resource Manager validated the deployment before creating anything and found a "
                 "problem; the reason is in the inner error (a policy denial, a SKU or quota "
                 "problem, a bad parameter). On its own the code says only that validation failed.",
        "fix": "Read the inner `details[]` of the error, or run `az deployment group validate -g RG "
               "--template-file FILE` to print them, and fix what the innermost code names.",
        "reference": ARM_TS + "error-invalid-template",
        "example": 'ERROR: {"code": "InvalidTemplateDeployment", "message": "The template deployment '
                   "'pkrdp7q2x' is not valid according to the validation procedure. The tracking id "
                   "is '5f1c0d2e-7a41-4b0c-9e55-0a1b2c3d4e5f'. See inner errors for details.\"}",
    },
    {
        "code": "DeploymentFailed",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "At least one resource of the deployment failed (see the operations)",
        "cause": "A general result code of a template deployment: one or more of its resource "
                 "operations failed. The failing operation's own code carries the cause.",
        "fix": "List the failed operations: `az deployment operation group list -g RG --name "
               "DEPLOYMENT --query \"[?properties.provisioningState=='Failed'].properties.statusMessage\"` "
               "and act on the innermost code.",
        "reference": ARM_TS + "find-error-code",
        "example": "Code: DeploymentFailed\nMessage: At least one resource deployment operation failed. "
                   "Please list deployment operations for details.",
    },
    {
        "code": "ResourceDeploymentFailure",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "A resource ended in the terminal provisioning state Failed",
        "cause": "The resource operation finished in the state Failed. The nested details (for AIB "
                 "often InternalOperationError, for a VM an OSProvisioning or allocation code) hold "
                 "the reason.",
        "fix": "Look at the nested `details[]`; for an AIB template also read "
               "`az image builder show -g RG -n TEMPLATE --query provisioningError`.",
        "reference": AIB_TS + "#the-resource-operation-completed-with-terminal-provisioning-state-failed",
        "example": '{"status": "Failed", "error": {"code": "ResourceDeploymentFailure", "message": '
                   "\"The resource write operation failed to complete successfully, because it "
                   "reached terminal provisioning state 'Failed'.\"}}",
    },
    {
        "code": "ResourceOperationFailure",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "A resource operation failed (see the nested error)",
        "cause": "Returned by Resource Manager when a long-running resource operation fails; like "
                 "ResourceDeploymentFailure it only reports the terminal state and nests the real "
                 "error.",
        "fix": "Read the nested error or the resource's provisioning error "
               "(`az resource show --ids ID --query properties.provisioningError`).",
        "reference": ARM_TS + "find-error-code",
        "example": "ERROR: (ResourceOperationFailure) The resource operation completed with terminal "
                   "provisioning state 'Failed'.",
    },
    {
        "code": "BadRequest",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "The request was rejected as malformed (see the inner message)",
        "cause": "A generic HTTP 400 code: the values sent do not match what the service expects. "
                 "The inner status message names the property; the code alone does not name a cause.",
        "fix": "Read the inner message; validate the template against the resource schema "
               "(`az image builder show ... --query provisioningError` for AIB).",
        "reference": ARM_ERRORS,
        "example": 'Code="BadRequest" Message="The request body is invalid: a required property is '
                   'missing."',
    },
    {
        "code": "Conflict",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "The operation conflicts with the resource's current state",
        "cause": "A generic HTTP 409 code: the requested operation is not allowed in the current "
                 "state of the resource. Which state is in the message.",
        "fix": "Read the message: wait for the running operation, delete the old resource, or pick "
               "another name.",
        "exceptions": "With AIB's message 'Update/Upgrade of image templates is currently not "
                      "supported' it means the template already exists (template_exists): delete it "
                      "with `az image builder delete -g RG -n TEMPLATE` or use a new name.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (Conflict) Disk resizing is allowed only when creating a VM or when the VM "
                   "is deallocated.",
    },
    {
        "code": "NotFound",
        "category": "unknown",
        "kind": "wrapper",
        "service": "arm",
        "title": "Something referenced was not found (the message names it)",
        "cause": "A generic 404 code used by many providers (an availability set, a tenant, an "
                 "image, a parent resource deployed in parallel). Only the message says which "
                 "resource is missing, so the code alone does not name a cause.",
        "fix": "Read which resource the message names; check its ID, subscription and region, or add "
               "a `dependsOn` when it is created in the same deployment.",
        "reference": ARM_TS + "error-not-found",
        "example": '{"error": {"code": "NotFound", "message": "The Availability Set '
                   "'/subscriptions/0000/resourceGroups/rg-img/providers/Microsoft.Compute/"
                   "availabilitySets/avset1' cannot be found.\"}}",
    },
    {
        "code": "InternalOperationError",
        "category": "unknown",
        "kind": "wrapper",
        "service": "compute",
        "title": "Internal error during the operation (generic)",
        "cause": "A generic code used by AIB and Compute for an operation that failed inside the "
                 "service. AIB's troubleshooting guide says that for image templates it most often "
                 "hides a missing permission of the template identity, but the code itself does not "
                 "say which.",
        "fix": "Check the template identity's roles (Reader on the source, Contributor on the "
               "distribution target, Storage Blob Data Reader on script storage): `az role "
               "assignment list --assignee PRINCIPAL_ID --all -o table`; then read the "
               "customization.log.",
        "exceptions": "With 'Replication failed in this region' it is a gallery replication failure "
                      "(distribution_failed).",
        "reference": AIB_TS + "#the-resource-operation-completed-with-terminal-provisioning-state-failed",
        "example": "Status Message: Internal error occurred while processing the request. "
                   "(Code:InternalOperationError)",
    },
    {
        "code": "OperationNotAllowed",
        "category": "unknown",
        "kind": "wrapper",
        "service": "compute",
        "title": "Operation not allowed (quota, VM state or SKU: read the message)",
        "cause": "Compute uses this one code for many different refusals: a vCPU quota that would be "
                 "exceeded, an operation on a VM in the wrong power state, a capture of a VM that is "
                 "not generalized, a Trusted Launch VM captured into a managed image. The message "
                 "decides the cause.",
        "fix": "Read the message: for quota, `az vm list-usage -l REGION -o table` and request more "
               "vCPUs; for Trusted Launch, distribute to a gallery instead of a managed image.",
        "exceptions": "Quota wording ('exceeding approved ... quota') is quota_or_capacity; "
                      "'requires the Virtual Machine to be Generalized' is image_not_generalized; "
                      "'TrustedLaunch security type' is security_type_mismatch.",
        "reference": VM_ERRORS,
        "example": "==> azure-arm: ERROR: -> OperationNotAllowed : Operation 'start' is not allowed "
                   "on VM 'pkrvm9k2' since the VM is marked for deletion.",
    },
    {
        "code": "PackerBuildFailed",
        "category": "unknown",
        "kind": "wrapper",
        "service": "aib",
        "title": "AIB: the Packer build failed (the cause is in customization.log)",
        "cause": "AIB's run result when the Packer build inside the service failed. It only points to "
                 "the log; the failing customizer, deprovisioning step or Azure error is in "
                 "customization.log.",
        "fix": "Open customization.log (staging resource group, storage account, container "
               "`packerlogs`) and search for `(telemetry)` to find the last customizer that ran.",
        "reference": AIB_TS + "#packer-build-command-failure",
        "example": "ERROR: (PackerBuildFailed) During the image build, a failure has occurred. Please "
                   "review the build log to identify which step failed.",
    },
    {
        "code": "DeploymentScriptError",
        "category": "unknown",
        "kind": "wrapper",
        "service": "resources",
        "title": "A deployment script (the user's script) threw an error",
        "cause": "A template's deploymentScripts resource ran the user's Azure PowerShell or CLI "
                 "script and it failed. The code only says the script failed; its output says why.",
        "fix": "Read the script log: `az deployment-scripts show-log -g RG -n SCRIPT_NAME`, and fix "
               "the command it names.",
        "reference": DEPLOYMENT_SCRIPTS,
        "example": '{"error": {"code": "DeploymentScriptError", "message": "The provided script failed '
                   'with the following error: Get-AzImageBuilderTemplate: the operation timed out."}}',
    },
    # ================================================================ ARM: template and request
    {
        "code": "InvalidTemplate",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The ARM template or Bicep file is invalid",
        "cause": "Resource Manager could not parse or validate the template itself (a syntax error, "
                 "a bad expression, a missing parameter, a circular dependency). Unlike "
                 "InvalidTemplateDeployment it does not wrap inner codes: the message is the cause, "
                 "so it is specific.",
        "fix": "Fix the line and expression the message points to; check the template with "
               "`az deployment group validate -g RG --template-file FILE` before submitting.",
        "phrases": ["Deployment template validation failed"],
        "reference": ARM_TS + "error-invalid-template",
        "example": "New-AzResourceGroupDeployment : Deployment template validation failed: 'The "
                   "template parameter 'imageTemplateName' is not found.'\nErrorCode: InvalidTemplate",
    },
    {
        "code": "InvalidRequestContent",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The request body has unknown or missing values",
        "cause": "The resource body contains a property the API version does not know, or lacks a "
                 "required one; for an image template this is usually a property name typo or a "
                 "property from a newer API version.",
        "fix": "Compare the template with the AIB template reference for the API version you send "
               "(2025-10-01) and fix property names and casing.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (InvalidRequestContent) The request content was invalid and could not be "
                   "deserialized: 'Could not find member 'customise' on object of type "
                   "'ImageTemplateProperties''.",
    },
    {
        "code": "InvalidRequestFormat",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The request is not well formed",
        "cause": "Resource Manager could not read the request (bad JSON, wrong content type, an "
                 "invalid value type).",
        "fix": "Run the command with `--debug` to see the request body and fix the JSON of the "
               "template or parameters file.",
        "reference": ARM_ERRORS,
        "example": 'Code="InvalidRequestFormat" Message="Cannot parse the request."',
    },
    {
        "code": "InvalidParameter",
        "category": "invalid_template",
        "kind": "specific",
        "service": "compute",
        "title": "A property value is invalid for the resource",
        "cause": "One value in the request does not match what the provider expects (a VM size, an "
                 "OS disk setting, a data disk LUN, a computer name, osProfile on a specialized "
                 "image). The message names the parameter.",
        "fix": "Correct the property the message names, e.g. `properties.vmProfile.vmSize` or "
               "`properties.vmProfile.osDiskSizeGB`, or the source image reference.",
        "exceptions": "'The requested VM size ... is not available in the current region' is "
                      "quota_or_capacity; 'images ... were not found' for a gallery image is "
                      "source_image_not_found.",
        "reference": ARM_ERRORS,
        "example": "==> azure-arm: ERROR: -> InvalidParameter : The value of parameter "
                   "osProfile.adminPassword is invalid.",
    },
    {
        "code": "LinkedInvalidPropertyId",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "A resource ID in the request is malformed",
        "cause": "A property that must hold a full resource ID (the identity, the source image "
                 "version, a gallery image, a subnet) holds a partial or mistyped ID.",
        "fix": "Use the full ID (`/subscriptions/SUB/resourceGroups/RG/providers/...`) in "
               "`identity.userAssignedIdentities`, `properties.source.imageVersionId`, "
               "`properties.distribute[].galleryImageId` or `vmProfile.vnetConfig.subnetId`.",
        "reference": ARM_TS + "error-invalid-name-segments",
        "example": '{"error": {"code": "LinkedInvalidPropertyId", "message": "Property id '
                   "'rg-img/galleries/gal1/images/ubuntu' at path 'properties.distribute[0]."
                   "galleryImageId' is invalid. Expect fully qualified resource Id that start with "
                   "'/subscriptions/{subscriptionId}'.\"}}",
    },
    {
        "code": "InvalidResourceNamespace",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The resource type's namespace is wrong",
        "cause": "The `type` of a resource names a provider namespace that does not exist "
                 "(for example a typo in Microsoft.VirtualMachineImages).",
        "fix": "Use `Microsoft.VirtualMachineImages/imageTemplates` as the type and check the "
               "spelling of other namespaces.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (InvalidResourceNamespace) The resource namespace "
                   "'Microsoft.VirtualMachineImage' is invalid.",
    },
    {
        "code": "InvalidResourceType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The resource type is not known to the provider",
        "cause": "The provider exists but has no resource type of that name, or not for the API "
                 "version sent.",
        "fix": "Check the type (`imageTemplates`) and API version: `az provider show -n "
               "Microsoft.VirtualMachineImages --query \"resourceTypes[].resourceType\"`.",
        "reference": ARM_ERRORS,
        "example": "Code: InvalidResourceType\nMessage: The resource type 'imageTemplate' could not "
                   "be found in the namespace 'Microsoft.VirtualMachineImages' for api version "
                   "'2025-10-01'.",
    },
    {
        "code": "InvalidApiVersionParameter",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The API version sent is not supported for the resource type",
        "cause": "A request used an `api-version` the resource provider does not offer for that "
                 "resource type (a typo, a preview version that was retired, or a tool too old or "
                 "too new for the cloud it talks to). The message lists the versions that work.",
        "fix": "Use one of the versions the message lists; for a template, set `apiVersion` to a "
               "supported one (`az provider show -n Microsoft.VirtualMachineImages --query "
               "\"resourceTypes[?resourceType=='imageTemplates'].apiVersions\"`); for Packer, "
               "upgrade the azure plugin.",
        "reference": ARM_TS + "error-register-resource-provider",
        "example": "Build 'azure-arm' errored: storage/AccountsClient:ListKeys 400 Failure responding "
                   "to request -- Original Error: azure: Service returned an error. "
                   "Code=\"InvalidApiVersionParameter\" Message=\"The api-version '2014-02-30' is "
                   "invalid. The supported versions are '2023-01-01,2022-09-01'.\" Status=400",
    },
    {
        "code": "InvalidResourceReference",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "A referenced resource does not exist or is referenced wrongly",
        "cause": "A resource points to another one (a subnet, a NIC, an identity) that does not "
                 "exist yet or whose reference is incomplete.",
        "fix": "Check the referenced ID, add a `dependsOn` when it is created in the same "
               "deployment, and for AIB check `vmProfile.vnetConfig.subnetId`.",
        "reference": ARM_TS + "error-not-found",
        "example": 'Code="InvalidResourceReference" Message="Resource /subscriptions/0000/'
                   "resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/"
                   'build referenced by resource nic1 was not found."',
    },
    {
        "code": "LocationRequired",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The resource has no location",
        "cause": "The template does not set `location` on a resource that needs one; an image "
                 "template must have one.",
        "fix": "Set the template's `location` (the region AIB runs the build in).",
        "reference": ARM_ERRORS,
        "example": "ERROR: (LocationRequired) The location property is required for this definition.",
    },
    {
        "code": "LocationNotAvailableForResourceType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The resource type is not offered in this region",
        "cause": "The region is misspelled, or the service (AIB, a gallery) is not available there or "
                 "needs an access request.",
        "fix": "Pick a supported region: `az provider show -n Microsoft.VirtualMachineImages --query "
               "\"resourceTypes[?resourceType=='imageTemplates'].locations\"`.",
        "phrases": ["is not available for resource type"],
        "reference": GALLERY_TS,
        "example": "ERROR: (LocationNotAvailableForResourceType) The provided location 'westeurop' is "
                   "not available for resource type 'Microsoft.VirtualMachineImages/imageTemplates'.",
    },
    {
        "code": "ParentResourceNotFound",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The parent of a nested resource does not exist",
        "cause": "A child resource was requested under a parent that is missing: for images, a "
                 "gallery image version under an image definition or gallery that does not exist.",
        "fix": "Create the gallery and image definition first (`az sig image-definition create ...`) "
               "or correct `properties.distribute[].galleryImageId`.",
        "phrases": ["Can not perform requested operation on nested resource"],
        "reference": ARM_TS + "error-parent-resource",
        "example": '{"error": {"code": "ParentResourceNotFound", "message": "Can not perform '
                   "requested operation on nested resource. Parent resource 'gal1/ubuntu-2204' "
                   'not found."}}',
    },
    {
        "code": "ResourceNotFound",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "arm",
        "title": "A referenced resource was not found (AIB: usually the source image)",
        "cause": "Resource Manager could not find a resource by its ID. In an AIB build the AIB "
                 "troubleshooting guide ties it to the source image (a gallery image version or "
                 "managed image) that does not exist in the template's region or subscription.",
        "fix": "Check `properties.source.imageVersionId` / `properties.source.imageId` with "
               "`az resource show --ids ID`, and replicate the source version to the template's "
               "region.",
        "exceptions": "A 404 on a staging NIC or VM during cleanup is noise, and so is Packer's "
                      "lookup of its output managed image before the build (it checks whether the "
                      "image already exists); look for the error that follows. When the missing "
                      "resource is the identity, gallery or subnet, the template is wrong "
                      "(invalid_template).",
        "reference": AIB_TS + "#build--step-failed-for-image-version",
        "example": "Status=404 Code=\"ResourceNotFound\" Message=\"The Resource "
                   "'Microsoft.Compute/galleries/gal1/images/win2022/versions/1.0.7' under resource "
                   "group 'rg-img' was not found.\"",
    },
    {
        "code": "ResourceGroupNotFound",
        "category": "invalid_template",
        # after submission it is the staging group that went away, not a template error
        "phases": ["submission", "pipeline"],
        "kind": "specific",
        "service": "resources",
        "title": "The resource group does not exist in this subscription",
        "cause": "The target resource group (of the template, a distribution target or a source) "
                 "does not exist, or the command ran in another subscription.",
        "fix": "Create it (`az group create -n RG -l REGION`) or select the right subscription "
               "(`az account set -s SUB`).",
        "reference": ARM_ERRORS,
        "example": "ERROR: (ResourceGroupNotFound) Resource group 'rg-images-prod' could not be "
                   "found.",
    },
    {
        "code": "InvalidResourceGroupLocation",
        "category": "invalid_template",
        "kind": "specific",
        "service": "resources",
        "title": "The resource group already exists in another region",
        "cause": "A resource group keeps the region it was created in; creating it again under the "
                 "same name with another location is refused (for a build: a staging or distribution "
                 "group left from a run in another region).",
        "fix": "Use the group's existing region (`az group show -n RG --query location`), or another "
               "group name such as a new `properties.stagingResourceGroup`.",
        "phrases": ["The Resource group already exists in location"],
        "reference": ARM_ERRORS,
        "example": "Code: InvalidResourceGroupLocation\nMessage: Invalid resource group location 'westus3'. "
                   "The Resource group already exists in location 'northeurope'.",
    },
    {
        "code": "InvalidResourceLocation",
        "category": "invalid_template",
        "kind": "specific",
        "service": "resources",
        "title": "A resource of that name exists in another region of the group",
        "cause": "Names are unique per resource type in a resource group whatever the region: the "
                 "template creates a resource in one region while one of the same name exists in "
                 "another (a re-run of the build or deployment in a new region with fixed names).",
        "fix": "Give the resource a new name (or include the region in it), or delete the old one "
               "first.",
        "phrases": ["A resource with the same name cannot be created in location"],
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "InvalidResourceLocation", "message": "The resource \'aibstg7f2\' already '
                   "exists in location 'westeurope' in resource group 'rg-aib'. A resource with the same name "
                   "cannot be created in location 'swedencentral'. Please select a new resource name.\"}}",
    },
    {
        "code": "SubscriptionNotFound",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The subscription cannot be found or accessed",
        "cause": "The subscription ID is wrong or malformed, or the signed-in principal has no access "
                 "to it.",
        "fix": "Check the ID with `az account list -o table` and give the principal a role on the "
               "subscription.",
        "reference": ARM_ERRORS,
        "example": "Code: SubscriptionNotFound\nMessage: The subscription "
                   "'11111111-2222-3333-4444-555555555555' could not be found.",
    },
    {
        "code": "PropertyChangeNotAllowed",
        "category": "image_version_exists",
        "kind": "specific",
        "service": "compute",
        "title": "The target image (version) already exists with other settings",
        "cause": "A PUT reached an existing resource whose property cannot change after creation: "
                 "in image builds, a gallery image version or managed image of that name already "
                 "exists from an earlier or parallel run, created from another source.",
        "fix": "Publish a new version number (`properties.distribute[].galleryImageId` with a new "
               "`versions/X.Y.Z`, or let AIB pick one) or delete the old image first "
               "(`az sig image-version delete ...`).",
        "exceptions": "For an image definition property (OS type, Hyper-V generation, publisher/offer/"
                      "SKU) the definition does not fit the image: create a new definition "
                      "(invalid_template).",
        "reference": GALLERY_TS,
        "example": "==> azure-arm: ERROR: -> PropertyChangeNotAllowed : Changing property "
                   "'galleryImageVersion.properties.storageProfile.source.id' is not allowed.",
    },
    # ================================================================ ARM: registration
    {
        "code": "MissingSubscriptionRegistration",
        "category": "provider_not_registered",
        "kind": "specific",
        "service": "arm",
        "title": "The subscription is not registered for a resource provider",
        "cause": "A provider AIB needs (Microsoft.VirtualMachineImages, Compute, Storage, Network, "
                 "KeyVault, ContainerInstance) has never been registered on the subscription.",
        "fix": "`az provider register -n Microsoft.VirtualMachineImages` (and the others the message "
               "names), then wait until `az provider show -n NAMESPACE --query registrationState` "
               "says Registered.",
        "phrases": ["is not registered to use namespace"],
        "reference": ARM_TS + "error-register-resource-provider",
        "example": "ERROR: (MissingSubscriptionRegistration) The subscription is not registered to "
                   "use namespace 'Microsoft.VirtualMachineImages'.",
    },
    {
        "code": "SubscriptionNotRegistered",
        "category": "provider_not_registered",
        "kind": "specific",
        "service": "arm",
        "title": "The provider registration has not completed yet",
        "cause": "The resource provider is not (yet) registered for the subscription; automatic "
                 "registration during a deployment sometimes does not finish in time.",
        "fix": "Register it before the build: `az provider register -n NAMESPACE --wait`.",
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "SubscriptionNotRegistered", "message": "The subscription is '
                   'not registered for the resource type imageTemplates."}}',
    },
    {
        "code": "NoRegisteredProviderFound",
        "category": "provider_not_registered",
        "kind": "specific",
        "service": "arm",
        "title": "No registered provider for this type, region and API version",
        "cause": "Either the provider is not registered, or the API version or region is not "
                 "supported for the resource type; the message lists what is.",
        "fix": "Register the provider (`az provider register -n Microsoft.VirtualMachineImages`) and "
               "use an API version and region from the message.",
        "exceptions": "When the provider is Registered, it is a wrong API version or region "
                      "(invalid_template).",
        "phrases": ["No registered resource provider found for location"],
        "reference": ARM_TS + "error-register-resource-provider",
        "example": "Code: NoRegisteredProviderFound\nMessage: No registered resource provider found "
                   "for location 'westeurope' and API version '2019-01-01' for type 'imageTemplates'.",
    },
    {
        "code": "MissingRegistrationForLocation",
        "category": "provider_not_registered",
        "kind": "specific",
        "service": "arm",
        "title": "The provider is not registered for this region",
        "cause": "The subscription's provider registration does not cover the requested region.",
        "fix": "Check registration and supported regions: `az provider show -n NAMESPACE`; "
               "re-register or pick a listed region.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (MissingRegistrationForLocation) The subscription is not registered for "
                   "the resource type 'imageTemplates' in the location 'swedensouth'.",
    },
    {
        "code": "InvalidSubscriptionRegistrationState",
        "category": "provider_not_registered",
        "kind": "specific",
        "service": "arm",
        "title": "The provider registration is in an invalid state",
        "cause": "The provider's registration on the subscription is unregistered or stuck.",
        "fix": "`az provider register -n NAMESPACE` and wait for Registered.",
        "reference": ARM_ERRORS,
        "example": 'Code="InvalidSubscriptionRegistrationState" Message="Subscription registration '
                   'state for the resource provider is not valid."',
    },
    # ================================================================ ARM: quota and capacity
    {
        "code": "ResourceQuotaExceeded",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "arm",
        "title": "A subscription, resource group or region quota would be exceeded",
        "cause": "Creating the build resources would go beyond a quota of the subscription, resource "
                 "group or region.",
        "fix": "Free resources or request a higher quota; check usage with "
               "`az vm list-usage -l REGION -o table`.",
        "reference": ARM_TS + "error-resource-quota",
        "example": "ERROR: (ResourceQuotaExceeded) Creating the resource would exceed the quota of "
                   "the resource group 'IT_rg-img_ubuntu_4f1a'.",
    },
    {
        "code": "QuotaExceeded",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "compute",
        "title": "Not enough vCPU quota for the build VM size",
        "cause": "The region's total or per-family vCPU quota is too small for the build VM "
                 "(`vmProfile.vmSize`) next to what already runs in the subscription.",
        "fix": "Request more vCPUs for that VM family and region (`az quota update ...` or the "
               "portal's Quotas page), or choose a size from a family with free quota in "
               "`properties.vmProfile.vmSize`.",
        "phrases": ["exceeding approved", "results in exceeding quota limits"],
        "reference": ARM_TS + "error-resource-quota",
        "example": "Code: QuotaExceeded\nMessage: Operation could not be completed as it results in "
                   "exceeding approved standardDSv5Family Cores quota. Location: northeurope, Current "
                   "Limit: 10, Current Usage: 8, Additional Required: 4.",
    },
    {
        "code": "SubscriptionIsOverQuotaForSku",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "arm",
        "title": "The subscription has no quota left for the requested SKU in that region",
        "cause": "The region's quota for the SKU asked for (an App Service plan, or a VM series in "
                 "some offers) is used up or zero for this subscription, so validation refuses the "
                 "deployment before anything is created.",
        "fix": "Request more quota for that SKU and region (portal: Quotas), or deploy to a region "
               "or SKU with free quota; for the build VM change `properties.vmProfile.vmSize` or the "
               "template's `location`.",
        "phrases": ["Operation cannot be completed without additional quota"],
        "reference": ARM_TS + "error-resource-quota",
        "example": '{"code": "SubscriptionIsOverQuotaForSku", "message": "This region has quota of 0 '
                   'instances for your subscription. Try selecting different region or SKU."}',
    },
    {
        "code": "DeploymentQuotaExceeded",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "resources",
        "title": "The resource group holds 800 deployments already",
        "cause": "A resource group keeps at most 800 deployments in its history; a CI that deploys "
                 "each template through ARM fills it.",
        "fix": "Delete old deployments: `az deployment group list -g RG --query \"[].name\" -o tsv | "
               "xargs -n1 az deployment group delete -g RG -n`.",
        "reference": ARM_TS + "deployment-quota-exceeded",
        "example": "ERROR: (DeploymentQuotaExceeded) Creating the deployment 'aib-1187' would exceed "
                   "the quota of '800'.",
    },
    {
        "code": "RegionDoesNotAllowProvisioning",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "arm",
        "title": "The region does not allow provisioning for this subscription",
        "cause": "The subscription has no access to create this resource in the region.",
        "fix": "Choose another region or file a region access request in the portal.",
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "RegionDoesNotAllowProvisioning", "message": "Resources '
                   "cannot be created in region 'qatarcentral' for this subscription.\"}}",
    },
    # ================================================================ policy, locks, RBAC
    {
        "code": "RequestDisallowedByPolicy",
        "category": "policy_denied",
        "kind": "specific",
        "service": "policy",
        "title": "An Azure Policy assignment denied a resource",
        "cause": "A deny policy blocks a resource the build creates (the staging storage account, "
                 "build VM, NIC, public IP, Packer's temporary key vault) or a property of it "
                 "(tags, region, SKU, network rules).",
        "fix": "Find the assignment named in the message (`az policy assignment show --name NAME`) "
               "and ask for an exemption on the staging resource group, or set what it requires "
               "(tags, `properties.stagingResourceGroup`, `vmProfile.vnetConfig`).",
        "phrases": ["was disallowed by policy", "failed because of policy violation"],
        "reference": ARM_TS + "error-policy-requestdisallowedbypolicy",
        "example": "ERROR: (RequestDisallowedByPolicy) Resource 'stgaibx41' was disallowed by policy. "
                   "Policy identifiers: '[{\"policyAssignment\":{\"name\":\"Deny public storage\"}}]'.",
    },
    {
        "code": "RequestDisallowedByAzure",
        "category": "policy_denied",
        "kind": "specific",
        "service": "policy",
        "title": "Azure's own region policy for the subscription's offer denied the resource",
        "cause": "Some subscription offers (student, trial, sponsored) may deploy only to a set of "
                 "regions chosen by Azure; a build VM, staging group or distribution target in "
                 "another region is refused by that built-in policy, not by one of yours.",
        "fix": "Build and distribute in a region the offer allows (`location` of the template, "
               "`distribute[].replicationRegions` / `targetRegions`); the message says to contact "
               "support for other regions.",
        "phrases": ["This policy maintains a set of best available regions where your subscription "
                    "can deploy resources"],
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "RequestDisallowedByAzure", "message": "Resource \'vm-aib-build\' '
                   "was disallowed by Azure: This policy maintains a set of best available regions "
                   'where your subscription can deploy resources."}}',
    },
    {
        "code": "ScopeLocked",
        "category": "policy_denied",
        "kind": "specific",
        "service": "authorization",
        "title": "A resource lock blocks the write or delete",
        "cause": "A CanNotDelete or ReadOnly lock on the resource group or subscription stops AIB "
                 "from creating or removing staging resources or the output image. Like a policy, "
                 "it is a governance control, not a missing role.",
        "fix": "List locks (`az lock list -g RG -o table`) and remove or move the one on the "
               "staging or distribution resource group.",
        "reference": ARM_LOCKS,
        "example": "Code: ScopeLocked\nMessage: The scope '/subscriptions/0000/resourceGroups/"
                   "IT_rg-img_win_77a1' cannot perform delete operation because following scope(s) "
                   "are locked.",
    },
    {
        "code": "AuthorizationFailed",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "authorization",
        "title": "The caller has no role for the action",
        "cause": "The identity in the message (the template's user-assigned identity, or your CI "
                 "principal) has no role assignment granting the named action at that scope.",
        "fix": "Grant the role at the scope in the message, e.g. `az role assignment create "
               "--assignee PRINCIPAL_ID --role Contributor --scope /subscriptions/SUB/"
               "resourceGroups/RG`; allow a few minutes to propagate.",
        "exceptions": "Right after a provider was never registered, the same code can appear; "
                      "check registration too.",
        "phrases": ["does not have authorization to perform action"],
        "reference": AIB_TS + "#error-getting-managed-image",
        "example": 'Code="AuthorizationFailed" Message="The client \'5c2b0e4f-0000-4a7e-9d3c-'
                   "6f2a1b0c9d8e' with object id '5c2b0e4f-0000-4a7e-9d3c-6f2a1b0c9d8e' does not "
                   "have authorization to perform action 'Microsoft.Compute/galleries/images/"
                   "versions/write' over scope '/subscriptions/0000/resourceGroups/rg-gal'.\"",
    },
    {
        "code": "LinkedAuthorizationFailed",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "authorization",
        "title": "No permission on a resource linked from the request",
        "cause": "The caller may write the resource itself but not use a resource it links to: "
                 "assigning the user-assigned identity, joining the subnet of "
                 "`vnetConfig.subnetId`, or a resource in another tenant.",
        "fix": "Grant the linked action, e.g. Managed Identity Operator on the identity "
               "(`.../userAssignedIdentities/*/assign/action`) or Network Contributor on the "
               "subnet (`.../subnets/join/action`).",
        "reference": ARM_ERRORS,
        "example": "ERROR: (LinkedAuthorizationFailed) The client has permission to perform action "
                   "'Microsoft.VirtualMachineImages/imageTemplates/write' on scope 'rg-img', however "
                   "it does not have permission to perform action 'Microsoft.ManagedIdentity/"
                   "userAssignedIdentities/assign/action' on the linked scope(s) 'id-aib'.",
    },
    # ================================================================ ARM: tokens
    {
        "code": "InvalidAuthenticationToken",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "Resource Manager rejected the access token",
        "cause": "The bearer token is not one Resource Manager accepts: issued for another cloud or "
                 "resource, malformed, or missing required claims. The sign-in configuration is "
                 "wrong rather than a permission missing.",
        "fix": "Sign in against the right cloud and resource (`az cloud set -n AzureCloud`, "
               "`az login --service-principal ...`) and do not pass tokens between clouds.",
        "exceptions": "A token that simply ran out returns ExpiredAuthenticationToken.",
        "reference": ACCESS_TOKENS,
        "example": '{"error": {"code": "InvalidAuthenticationToken", "message": "The access token is '
                   'invalid."}}',
    },
    {
        "code": "InvalidAuthenticationTokenAudience",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The access token was issued for another resource",
        "cause": "The token's audience is not the Resource Manager endpoint (for example a Graph "
                 "token, or the public-cloud endpoint used against a sovereign cloud).",
        "fix": "Request the token for `https://management.azure.com/` (or your cloud's ARM "
               "endpoint).",
        "reference": TOKEN_AUDIENCE_QA,
        "example": "ERROR: (InvalidAuthenticationTokenAudience) The access token has been obtained for "
                   "wrong audience or resource 'https://vault.azure.net'.",
    },
    {
        "code": "InvalidAuthenticationTokenTenant",
        "category": "invalid_template",
        "kind": "specific",
        "service": "arm",
        "title": "The access token is from another tenant",
        "cause": "The token was issued by a tenant other than the one that owns the subscription.",
        "fix": "Sign in to the subscription's tenant: `az login --tenant TENANT_ID` (or the "
               "`tenant-id` input of the login step).",
        "reference": ARM_ERRORS,
        "example": "Code: InvalidAuthenticationTokenTenant\nMessage: The access token is from the "
                   "wrong issuer. It must match the tenant associated with this subscription.",
    },
    {
        "code": "ExpiredAuthenticationToken",
        "category": "token_expired",
        "kind": "specific",
        "service": "arm",
        "title": "The access token expired during the run",
        "cause": "A long build outlived the ARM access token the CI obtained at sign-in, and it "
                 "could not be refreshed (a federated or one-shot token has no refresh).",
        "fix": "Sign in again before late calls (a new `az login` step after the wait), or monitor "
               "with aib-pilot's resume command from a later job with a fresh login.",
        "reference": ACCESS_TOKENS,
        "example": 'Code="ExpiredAuthenticationToken" Message="The access token expiry UTC time '
                   "'12/1/2026 9:14:03 AM' is earlier than current UTC time '12/1/2026 9:52:41 AM'.\"",
    },
    # ================================================================ ARM: state and transient
    {
        "code": "ResourceGroupBeingDeleted",
        "category": "run_in_progress",
        "kind": "specific",
        "service": "resources",
        "title": "The resource group is still being deleted",
        "cause": "The build targets a resource group (often a fixed `stagingResourceGroup` name "
                 "reused right after a template was deleted) whose deletion is still running.",
        "fix": "Wait for the delete (`az group wait -n RG --deleted`) or give every build its own "
               "`properties.stagingResourceGroup`.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (ResourceGroupBeingDeleted) The resource group 'rg-aib-staging' is in "
                   "deprovisioning state and cannot perform this operation.",
    },
    {
        "code": "DeploymentActiveAndUneditable",
        "category": "run_in_progress",
        "kind": "specific",
        "service": "resources",
        "title": "Another deployment of this name is still running",
        "cause": "A deployment with the same name in the resource group has not finished.",
        "fix": "Wait for it (`az deployment group wait -g RG -n NAME --created`) or use a unique "
               "deployment name per run.",
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "DeploymentActiveAndUneditable", "message": "Unable to edit '
                   "or replace deployment 'aib-template': previous deployment from "
                   "'12/1/2026 8:02:11 AM' is still active.\"}}",
    },
    {
        "code": "InternalServerError",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "arm",
        "title": "Temporary server-side error",
        "cause": "Resource Manager documents it as caused by a temporary problem in the service. "
                 "It names a cause (transient), so it is specific; an inner code, when present, "
                 "still wins.",
        "fix": "Retry the submission or run; if it repeats for hours, open a support request with "
               "the correlation ID.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (InternalServerError) Encountered internal server error. Diagnostic "
                   "information: timestamp '20261201T081502Z', tracking id "
                   "'9a8b7c6d-0000-4e3f-8a9b-1c2d3e4f5a6b'.",
    },
    {
        "code": "TooManyRequests",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "arm",
        "title": "Requests throttled (HTTP 429)",
        "cause": "The subscription or tenant sent more requests than Resource Manager allows in the "
                 "window; the response carries a Retry-After.",
        "fix": "Wait the Retry-After and retry; poll less often (aib-pilot polls with back-off) and "
               "do not run many monitors against one subscription at once.",
        "reference": ARM_THROTTLING,
        "example": '{"error": {"code": "TooManyRequests", "message": "The request is being throttled '
                   'as the limit has been reached for operation type - Read_ObservationWindow_00:05:00."}}',
    },
    {
        "code": "SubscriptionRequestsThrottled",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "arm",
        "title": "Subscription-level request throttling",
        "cause": "Resource Manager or a provider throttled requests for the subscription.",
        "fix": "Retry after the time in the message; reduce polling frequency.",
        "reference": ARM_THROTTLING,
        "example": "ERROR: (SubscriptionRequestsThrottled) Number of requests for subscription "
                   "'0000' and operation 'GET/SUBSCRIPTIONS/RESOURCEGROUPS' exceeded the backend "
                   "storage limit. Please try again after '6' seconds.",
    },
    {
        "code": "ServiceUnavailable",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "arm",
        "title": "The service is temporarily unavailable (HTTP 503)",
        "cause": "The provider behind Resource Manager did not answer; the request was not processed.",
        "fix": "Retry after a short wait; check Azure status for the region if it persists.",
        "reference": ARM_THROTTLING,
        "example": 'Code="ServiceUnavailable" Message="The service is currently unavailable. Please '
                   'retry the request later."',
    },
    {
        "code": "GatewayTimeout",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "arm",
        "title": "The provider did not answer in time (HTTP 504)",
        "cause": "Resource Manager timed out waiting for the resource provider.",
        "fix": "Retry; for a PUT, first GET the resource to see whether it was created anyway.",
        "reference": ARM_THROTTLING,
        "example": '{"error": {"code": "GatewayTimeout", "message": "The gateway did not receive a '
                   "response from 'Microsoft.VirtualMachineImages' within the specified time period.\"}}",
    },
    # ================================================================ Compute: capacity
    {
        "code": "SkuNotAvailable",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "compute",
        "title": "The VM size is not available in this region or zone",
        "cause": "The build VM size (`vmProfile.vmSize`, default Standard_D1_v2 / D2ds_v4) is not "
                 "offered, restricted for the subscription, or out of capacity in the region.",
        "fix": "List the sizes offered to you there (`az vm list-skus -l REGION --size Standard_D "
               "-o table`; skip rows with restrictions) and set one in "
               "`properties.vmProfile.vmSize`.",
        "phrases": ["is currently not available in location"],
        "reference": ARM_TS + "error-sku-not-available",
        "example": "ERROR: (SkuNotAvailable) The requested size for resource '/subscriptions/0000/"
                   "resourceGroups/IT_rg-img_win/providers/Microsoft.Compute/virtualMachines/"
                   "pkrvmq1' is currently not available in location 'westeurope' zones '' for "
                   "subscription '0000'.",
    },
    {
        "code": "AllocationFailed",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "compute",
        "title": "No capacity for the VM size in the region",
        "cause": "The region's clusters had no free capacity for the requested size at that moment "
                 "(older sizes are affected most).",
        "fix": "Retry later, or choose a newer size in `properties.vmProfile.vmSize`, or build in "
               "another region.",
        "phrases": ["do not have sufficient capacity for the requested VM size"],
        "reference": VM_ALLOCATION,
        "example": "New-AzVM : Allocation failed. We do not have sufficient capacity for the requested "
                   "VM size in this region.\nErrorCode: AllocationFailed",
    },
    {
        "code": "ZonalAllocationFailed",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "compute",
        "title": "No capacity for the VM size in the requested zone",
        "cause": "Same as AllocationFailed, but for a zonal request: the chosen availability zone "
                 "has no free capacity for the size.",
        "fix": "Try another size or zone, or retry later.",
        "reference": VM_ALLOCATION,
        "example": '{"error": {"code": "ZonalAllocationFailed", "message": "Allocation failed. We do '
                   'not have sufficient capacity for the requested VM size in this zone."}}',
    },
    {
        "code": "OverconstrainedAllocationRequest",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "compute",
        "title": "No capacity for the VM size under the requested constraints",
        "cause": "The size is available, but not together with the constraints of the request "
                 "(accelerated networking, a zone, a proximity group, a feature of the image).",
        "fix": "Use another `vmProfile.vmSize` or remove constraints; retry later.",
        "reference": VM_ERRORS,
        "example": "Code: OverconstrainedAllocationRequest\nMessage: The required VM size is not "
                   "currently available in the selected location with the constraints applied.",
    },
    {
        "code": "OverconstrainedZonalAllocationRequest",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "compute",
        "title": "No capacity for the VM size in the zone under the requested constraints",
        "cause": "The zonal form of OverconstrainedAllocationRequest: no host in the chosen zone "
                 "offers the size together with the other constraints (accelerated networking, "
                 "ephemeral disks).",
        "fix": "Choose another `properties.vmProfile.vmSize`, drop constraints, or retry later.",
        "reference": VM_ALLOCATION,
        "example": '{"code": "OverconstrainedZonalAllocationRequest", "message": "Allocation failed. '
                   'VM(s) with the following constraints cannot be allocated, because the condition '
                   'is too restrictive."}',
    },
    # ================================================================ Compute: provisioning
    {
        "code": "OSProvisioningTimedOut",
        "category": "image_not_generalized",
        "kind": "specific",
        "service": "compute",
        "title": "The OS did not finish provisioning (image likely not generalized)",
        "cause": "The VM created from the image did not report ready in time. Azure's message adds "
                 "that the image may not have been properly prepared (generalized); when the guest "
                 "agent is seen running, it says so outright.",
        "fix": "Make sure the source or output image was generalized (Sysprep / `waagent "
               "-deprovision+user`); for a specialized source use a gallery definition with "
               "`--os-state Specialized`.",
        "exceptions": "A very slow first boot of a correct image can time out too; if the image is "
                      "known good, retry.",
        "phrases": ["guest agent was detected running", "not been properly prepared"],
        "reference": VM_ERRORS,
        "example": "ERROR: (OSProvisioningTimedOut) OS Provisioning for VM 'vm-test-01' did not "
                   "finish in the allotted time. The VM may still finish provisioning successfully.",
    },
    {
        "code": "OSProvisioningClientError",
        "category": "image_not_generalized",
        "kind": "specific",
        "service": "compute",
        "title": "The guest OS failed to provision (image preparation)",
        "cause": "Provisioning inside the guest failed: most often the image was not generalized "
                 "properly; also an invalid admin user name for the distribution or a broken "
                 "provisioning agent.",
        "fix": "Generalize the image before capture (AIB's deprovisioning step must run; do not "
               "delete DeprovisioningScript), and check the Linux agent / cloud-init setup.",
        "exceptions": "'Username specified for the VM is invalid' is a bad parameter "
                      "(invalid_template).",
        "reference": VM_ERRORS,
        "example": '{"code": "OSProvisioningClientError", "message": "OS provisioning for VM '
                   "'vm-test-02' failed. Make sure the image has been properly prepared "
                   '(generalized)."}',
    },
    {
        "code": "OSProvisioningInternalError",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "compute",
        "title": "OS provisioning failed inside the platform",
        "cause": "The platform reported an internal error while provisioning the guest.",
        "fix": "Retry the build; if it repeats, try another size or region.",
        "reference": VM_ERRORS,
        "example": "==> azure-arm: ERROR: -> OSProvisioningInternalError : OS Provisioning failed "
                   "for VM 'pkrvm3t8' due to an internal error.",
    },
    {
        "code": "VMAgentStatusCommunicationError",
        "category": "communicator_timeout",
        "kind": "specific",
        "service": "compute",
        "title": "The VM agent never reported status",
        "cause": "The VM agent in the build VM did not report to Azure: it is missing or not "
                 "started, or outbound traffic to Azure storage is blocked (custom VNet, NSG or "
                 "firewall).",
        "fix": "With `vmProfile.vnetConfig`, allow outbound HTTPS to Azure (storage and the "
               "platform endpoints); check that the source image has a working guest agent.",
        "phrases": ["has not reported status for VM agent or extensions"],
        "reference": VM_ERRORS,
        "example": "Code: VMAgentStatusCommunicationError\nMessage: VM 'pkrvm8c2' has not reported "
                   "status for VM agent or extensions. Verify that the OS is up and healthy.",
    },
    {
        "code": "VMExtensionProvisioningError",
        "category": "customizer_failed",
        "kind": "specific",
        "service": "compute",
        "title": "A VM extension (a script run in the VM) failed",
        "cause": "An extension on the VM reported failure; for a custom script extension, the "
                 "script inside the VM exited with an error.",
        "fix": "Read the extension's status (`az vm get-instance-view -g RG -n VM --query "
               "instanceView.extensions`) and fix the script.",
        "reference": VM_ERRORS,
        "example": "New-AzVMCustomScriptExtension : VM has reported a failure when processing "
                   "extension 'install'.\nErrorCode: VMExtensionProvisioningError",
    },
    {
        "code": "VMExtensionHandlerNonTransientError",
        "category": "customizer_failed",
        "kind": "specific",
        "service": "compute",
        "title": "A VM extension handler failed with a terminal error",
        "cause": "The extension handler reported a non-retryable failure with its own error code "
                 "and message.",
        "fix": "Fix what the handler's message names and remove/re-add the extension.",
        "reference": VM_ERRORS,
        "example": '{"error": {"code": "VMExtensionHandlerNonTransientError", "message": "Handler '
                   "'Microsoft.Azure.Extensions.CustomScript' has reported failure for VM Extension "
                   "'setup' with terminal error code '1009'.\"}}",
    },
    {
        "code": "VMExtensionProvisioningTimeout",
        "category": "build_timeout",
        "kind": "specific",
        "service": "compute",
        "title": "A VM extension did not finish in time",
        "cause": "The extension ran too long or its status could not be read before the platform's "
                 "deadline.",
        "fix": "Shorten what the extension runs or split it; check the VM can reach Azure storage.",
        "reference": VM_ERRORS,
        "example": "ERROR: (VMExtensionProvisioningTimeout) Provisioning of VM extension 'bootstrap' "
                   "has timed out.",
    },
    {
        "code": "VMStartTimedOut",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "compute",
        "title": "The VM did not start in time",
        "cause": "The platform did not see the VM start within its window; it may still start.",
        "fix": "Check the power state later; retry the build if it stays stopped.",
        "reference": VM_ERRORS,
        "example": "Code: VMStartTimedOut\nMessage: VM 'pkrvm5d1' did not start in the allotted time.",
    },
    {
        "code": "ResourceUpdateBlockedOnPlatformUpdate",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "compute",
        "title": "A platform update blocks changes right now",
        "cause": "Azure is updating the host; the resource cannot change until it finishes.",
        "fix": "Retry later.",
        "reference": VM_ERRORS,
        "example": 'Code="ResourceUpdateBlockedOnPlatformUpdate" Message="Resource cannot be updated '
                   'at this time due to ongoing platform update. Please try again later."',
    },
    {
        "code": "InternalExecutionError",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "compute",
        "title": "Compute hit an internal execution error",
        "cause": "A Compute long-running operation failed inside the platform without a more "
                 "specific reason.",
        "fix": "Retry the operation; if it repeats, open a support request with the operation ID.",
        "reference": VM_ERRORS,
        "example": '{"status": "Failed", "error": {"code": "InternalExecutionError", "message": "An '
                   'internal execution error occurred. Please retry later."}}',
    },
    # ================================================================ Compute: images
    {
        "code": "ImageNotFound",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "compute",
        "title": "The source image does not exist",
        "cause": "The image named in the request (managed image or image reference) cannot be "
                 "found in that subscription and region.",
        "fix": "Check `properties.source` (type ManagedImage: `imageId`; type PlatformImage: "
               "publisher/offer/sku/version) with `az image show --ids ID`.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (ImageNotFound) The image '/subscriptions/0000/resourceGroups/rg-base/"
                   "providers/Microsoft.Compute/images/base-2204' cannot be found.",
    },
    {
        "code": "PlatformImageNotFound",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "compute",
        "title": "The Marketplace image version is not available in the region",
        "cause": "The publisher/offer/SKU/version of a Marketplace source does not exist in the "
                 "build region (a pinned version was retired, or a typo).",
        "fix": "List versions: `az vm image list --publisher P --offer O --sku S --all -l REGION "
               "-o table` and use one of them (or `latest`) in `properties.source.version`.",
        "reference": FIND_IMAGE,
        "example": "==> azure-arm: ERROR: -> PlatformImageNotFound : The platform image "
                   "'Canonical:0001-com-ubuntu-server-jammy:22_04-lts:22.04.199901010' is not "
                   "available.",
    },
    {
        "code": "GalleryImageNotFound",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "gallery",
        "title": "The gallery image (version) is not available in the region",
        "cause": "The Compute Gallery, community or shared image named as the source is not "
                 "replicated to, or not visible in, the region where the VM is created.",
        "fix": "Replicate the version to the build region (`az sig image-version update ... "
               "--add publishingProfile.targetRegions name=REGION`) or build where it exists.",
        "reference": GALLERY_TS,
        "example": "ERROR: (GalleryImageNotFound) The gallery image /CommunityGalleries/contoso-1a2b/"
                   "Images/base/Versions/latest is not available in eastus2 region.",
    },
    {
        "code": "DiskImageNotReady",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "compute",
        "title": "The source image exists but is not ready yet",
        "cause": "The source managed image is still being created (or failed), so it cannot be used "
                 "yet.",
        "fix": "Wait until `az image show --ids ID --query provisioningState` is Succeeded, then "
               "rerun.",
        "exceptions": "If the image stays Failed, recreate it; that is not a transient state.",
        "reference": VM_ERRORS,
        "example": "Code: DiskImageNotReady\nMessage: Disk image /subscriptions/0000/resourceGroups/"
                   "rg-base/providers/Microsoft.Compute/images/base-win is in Creating state.",
    },
    {
        "code": "VMMarketplaceInvalidInput",
        "category": "invalid_template",
        "kind": "specific",
        "service": "compute",
        "title": "Marketplace plan information missing or wrong",
        "cause": "A Marketplace image that carries a purchase plan was used without the plan "
                 "(or with the wrong one), or plan information was sent for a non-Marketplace "
                 "image.",
        "fix": "Set `properties.source.planInfo` (planName, planProduct, planPublisher) exactly as "
               "`az vm image show --urn URN --query plan` prints it, or remove it for images "
               "without a plan.",
        "reference": VM_ERRORS,
        "example": "==> azure-arm: ERROR: -> VMMarketplaceInvalidInput : Creating a virtual machine "
                   "from Marketplace image requires Plan information in the request.",
    },
    {
        "code": "MarketplacePurchaseEligibilityFailed",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "compute",
        "title": "The subscription may not buy this Marketplace image",
        "cause": "The subscription is not eligible to purchase the offer (Marketplace purchases "
                 "disabled for the billing account, an offer not sold to this subscription type).",
        "fix": "Ask the billing admin to allow Marketplace purchases, or use an image without a "
               "plan in `properties.source`.",
        "reference": MARKETPLACE,
        "example": "ERROR: (MarketplacePurchaseEligibilityFailed) Marketplace purchase eligibilty "
                   "check returned errors for the offer in this subscription.",
    },
    {
        "code": "ResourcePurchaseValidationFailed",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "compute",
        "title": "The Marketplace terms were not accepted for this subscription",
        "cause": "Deploying a Marketplace image with a plan needs its legal terms accepted once per "
                 "subscription; they were not.",
        "fix": "`az vm image terms accept --urn PUBLISHER:OFFER:PLAN:latest` in the build "
               "subscription, then rerun.",
        "phrases": ["Legal terms have not been accepted for this item on this subscription",
                    "You have not accepted the legal terms on this subscription"],
        "reference": MARKETPLACE,
        "example": '{"error": {"code": "ResourcePurchaseValidationFailed", "message": "User failed '
                   "validation to purchase resources. Error message: 'Legal terms have not been "
                   "accepted for this item on this subscription.'\"}}",
    },
    {
        "code": "SubscriptionNotAuthorizedForImage",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "compute",
        "title": "The subscription may not use this image",
        "cause": "The image is restricted to other subscriptions (a private or preview image, or a "
                 "gallery shared with someone else).",
        "fix": "Share the image or gallery with the build subscription, or use an image it may use.",
        "reference": VM_ERRORS,
        "example": "Code: SubscriptionNotAuthorizedForImage\nMessage: The subscription is not "
                   "authorized.",
    },
    # ================================================================ gallery distribution
    {
        "code": "CrpPirReplicationJobsNotCompleted",
        "category": "distribution_failed",
        "kind": "specific",
        "service": "gallery",
        "title": "Gallery replication to a region did not complete",
        "cause": "The gallery reported that the replication job of the new image version did not "
                 "complete in one of the target regions.",
        "fix": "Check each region's state (`az sig image-version show ... --expand "
               "ReplicationStatus`), then retry the distribution or drop the failing region from "
               "`properties.distribute[].targetRegions`.",
        "reference": GALLERY_TS,
        "example": '{"status": "Failed", "error": {"code": "CrpPirReplicationJobsNotCompleted", '
                   '"message": "Replication job not completed at region: southcentralus"}}',
    },
    # ================================================================ network
    {
        "code": "NetworkingInternalOperationError",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "network",
        "title": "Transient networking error while creating the VM",
        "cause": "The platform failed to allocate or process the VM's network profile; Azure calls "
                 "it unknown or internal.",
        "fix": "Retry the build; if it repeats in one region, try another region or size.",
        "reference": VM_ERRORS,
        "example": 'Status=200 Code="NetworkingInternalOperationError" Message="Unknown network '
                   'allocation error."',
    },
    {
        "code": "SubnetIsFull",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "network",
        "title": "No free addresses left in the build subnet",
        "cause": "The subnet of `vmProfile.vnetConfig.subnetId` (or of the container instance "
                 "subnet) has no free IP address for the build VM, proxy VM or load balancer.",
        "fix": "Free addresses or use a larger subnet: `az network vnet subnet update ... "
               "--address-prefixes 10.1.2.0/26`, or point `vnetConfig.subnetId` at another subnet.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (SubnetIsFull) Subnet build-subnet with address prefix 10.1.2.0/29 does "
                   "not have enough capacity for 1 IP addresses.",
    },
    {
        "code": "InUseSubnetCannotBeDeleted",
        "category": "invalid_template",
        "kind": "specific",
        "service": "network",
        "title": "A redeployed network template tries to remove a subnet in use",
        "cause": "Updating the virtual network would delete and recreate a subnet that still has "
                 "NICs or endpoints (for example the one the build uses).",
        "fix": "Keep every existing subnet in the network template (specify all unchanged values) "
               "and do not update the VNet while a build uses it.",
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "InUseSubnetCannotBeDeleted", "message": "Subnet '
                   "build-subnet is in use by /subscriptions/0000/resourceGroups/rg-net/providers/"
                   'Microsoft.Network/networkInterfaces/nic-proxy/ipConfigurations/ipconfig1 and '
                   'cannot be deleted."}}',
    },
    {
        "code": "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled",
        "category": "invalid_template",
        "kind": "specific",
        "service": "network",
        "title": "The build subnet still enforces private link service network policies",
        "cause": "AIB with an existing VNet creates a private link service in the subnet, which "
                 "needs `privateLinkServiceNetworkPolicies` disabled on that subnet.",
        "fix": "`az network vnet subnet update -g RG --vnet-name VNET -n SUBNET "
               "--disable-private-link-service-network-policies true`.",
        "reference": PLS_POLICIES,
        "example": 'Code="PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled" '
                   'Message="Private link service cannot be created in a subnet since it has private '
                   'link service network policies enabled."',
    },
    {
        "code": "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled",
        "category": "invalid_template",
        "kind": "specific",
        "service": "network",
        "title": "The subnet still enforces private endpoint network policies",
        "cause": "A private endpoint (for example one for the staging storage account of an isolated "
                 "build) was placed in a subnet whose `privateEndpointNetworkPolicies` are enabled, "
                 "which older API versions refuse.",
        "fix": "`az network vnet subnet update -g RG --vnet-name VNET -n SUBNET "
               "--disable-private-endpoint-network-policies true`, or use another subnet.",
        "phrases": ["since it has private endpoint network policies enabled"],
        "reference": "https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy",
        "example": '{"error": {"code": "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled", '
                   '"message": "Private endpoint pe-stg-aib cannot be created in a subnet snet-build since it '
                   'has private endpoint network policies enabled."}}',
    },
    {
        "code": "PrivateIPAddressNotInSubnet",
        "category": "invalid_template",
        "kind": "specific",
        "service": "network",
        "title": "A static private IP is outside the subnet range",
        "cause": "The request sets a private IP that does not belong to the subnet's address range.",
        "fix": "Use an address inside the subnet or dynamic allocation.",
        "reference": ARM_ERRORS,
        "example": "ERROR: (PrivateIPAddressNotInSubnet) IP address 10.2.0.9 does not belong to the "
                   "subnet build-subnet with address prefix 10.1.2.0/26.",
    },
    {
        "code": "AnotherOperationInProgress",
        "category": "run_in_progress",
        "kind": "specific",
        "service": "network",
        "title": "Another operation on the resource is still running",
        "cause": "A concurrent operation on the same network resource (or its parent) has not "
                 "finished.",
        "fix": "Wait for the other operation and retry; serialize builds that change the same VNet.",
        "reference": ARM_ERRORS,
        "phrases": ["Another operation on this or dependent resource is in progress"],
        "example": "Code: AnotherOperationInProgress\nMessage: Another operation on this or dependent "
                   "resource is in progress. Retry the request after the operation is complete.",
    },
    {
        "code": "PublicIPCountLimitReached",
        "category": "quota_or_capacity",
        "kind": "specific",
        "service": "network",
        "title": "The public IP address limit is reached",
        "cause": "The subscription has as many public IPs in the region as its limit allows; the "
                 "build VM's public IP cannot be created.",
        "fix": "Delete unused public IPs, request a higher limit, or build inside a VNet "
               "(`vmProfile.vnetConfig`) so no public IP is needed.",
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "PublicIPCountLimitReached", "message": "Cannot create more '
                   'than 20 public IP addresses for this subscription in this region."}}',
    },
    {
        "code": "ZonesNotAllowedInBasicSkuResource",
        "category": "invalid_template",
        "kind": "specific",
        "service": "network",
        "title": "A Basic-SKU public IP or load balancer was placed in an availability zone",
        "cause": "Basic SKU public IPs and load balancers do not support availability zones; a template "
                 "(or a Packer build with `zone`/zones set) asked for one in a zone.",
        "fix": "Use the Standard SKU for the public IP, or drop the zone (in Packer: "
               "`public_ip_sku = \"Standard\"`), or build without a public IP inside a VNet "
               "(`vmProfile.vnetConfig`).",
        "reference": "https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses#sku",
        "example": '{"error": {"code": "ZonesNotAllowedInBasicSkuResource", "message": "Request for resource '
                   "/subscriptions/0000/resourceGroups/pkr-rg/providers/Microsoft.Network/publicIPAddresses/"
                   'pkrip01 is invalid as it is Basic sku and in an Availability Zone."}}',
    },
    {
        "code": "RetryableError",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "network",
        "title": "A retryable provider error",
        "cause": "The provider reports that the operation failed for a temporary reason and may "
                 "succeed when retried.",
        "fix": "Retry the build.",
        "reference": ARM_THROTTLING,
        "example": "ERROR: (RetryableError) A retryable error occurred.",
    },
    # ================================================================ storage
    {
        "code": "AuthorizationPermissionMismatch",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "storage",
        "title": "No data-plane role for the blob operation",
        "cause": "The caller signed in with Entra ID but has no Storage Blob Data role on the "
                 "account: the template identity reading `scriptUri`/`sourceUri`, or your CI "
                 "reading customization.log.",
        "fix": "`az role assignment create --assignee PRINCIPAL_ID --role \"Storage Blob Data "
               "Reader\" --scope STORAGE_ACCOUNT_ID`.",
        "phrases": ["not authorized to perform this operation using this permission"],
        "reference": STORAGE_COMMON,
        "example": "ErrorCode:AuthorizationPermissionMismatch This request is not authorized to "
                   "perform this operation using this permission.",
    },
    {
        "code": "AuthorizationFailure",
        "category": "storage_access_blocked",
        "kind": "specific",
        "service": "storage",
        "title": "The storage account's network rules refused the request",
        "cause": "The account's firewall or virtual-network rules (or disabled public network "
                 "access) refused the caller's address.",
        "fix": "Allow the build's network (`az storage account network-rule add ...`) or use a "
               "`vmProfile.vnetConfig` subnet with a service endpoint / private endpoint to the "
               "account.",
        "exceptions": "Without network rules on the account, check the role assignment instead "
                      "(missing_permissions).",
        "reference": STORAGE_COMMON,
        "example": '<Error><Code>AuthorizationFailure</Code><Message>This request is not authorized '
                   "to perform this operation.</Message></Error>",
    },
    {
        "code": "AuthorizationSourceIPMismatch",
        "category": "storage_access_blocked",
        "kind": "specific",
        "service": "storage",
        "title": "The SAS only allows other source IPs",
        "cause": "The shared access signature restricts source IPs, and the request came from "
                 "elsewhere (the build VM, not your agent).",
        "fix": "Issue a SAS without the IP range, or with the build network's addresses.",
        "reference": STORAGE_COMMON,
        "example": "Code: AuthorizationSourceIPMismatch\nMessage: This request is not authorized to "
                   "perform this operation using this source IP 20.50.1.7.",
    },
    {
        "code": "KeyBasedAuthenticationNotPermitted",
        "category": "storage_access_blocked",
        "kind": "specific",
        "service": "storage",
        "title": "Shared key (and key-signed SAS) access is disabled on the account",
        "cause": "`allowSharedKeyAccess` is false, so account keys and SAS tokens signed with them "
                 "are refused; only Entra ID access works.",
        "fix": "Use Entra ID (the template identity with Storage Blob Data Reader, or "
               "`--auth-mode login`), or a user delegation SAS: `az storage blob generate-sas "
               "--as-user --auth-mode login ...`.",
        "phrases": ["Key based authentication is not permitted on this storage account"],
        "reference": STORAGE_SHARED_KEY,
        "example": "ERROR: (KeyBasedAuthenticationNotPermitted) Key based authentication is not "
                   "permitted on this storage account.",
    },
    {
        "code": "PublicAccessNotPermitted",
        "category": "storage_access_blocked",
        "kind": "specific",
        "service": "storage",
        "title": "Anonymous blob access is disabled on the account",
        "cause": "A `scriptUri`/`sourceUri` without credentials points at an account that forbids "
                 "anonymous read access.",
        "fix": "Give the template identity Storage Blob Data Reader on the account (AIB then "
               "downloads with it) or use a SAS URL.",
        "phrases": ["Public access is not permitted on this storage account"],
        "reference": STORAGE_ANONYMOUS,
        "example": "Status=409 Code=\"PublicAccessNotPermitted\" Message=\"Public access is not "
                   "permitted on this storage account.\"",
    },
    {
        "code": "AuthenticationFailed",
        "category": "token_expired",
        "kind": "specific",
        "service": "storage",
        "title": "The storage request's signature or token was refused (often an expired SAS)",
        "cause": "The server could not authenticate the request; for a customizer URL this is "
                 "usually a SAS whose expiry passed before the build reached that step.",
        "fix": "Issue the SAS with an expiry beyond the whole build (`--expiry` past "
               "`buildTimeoutInMinutes`), or drop SAS and use the template identity's role.",
        "exceptions": "A malformed signature or wrong key gives the same code (invalid_template).",
        "reference": STORAGE_COMMON,
        "example": "<Code>AuthenticationFailed</Code><Message>Server failed to authenticate the "
                   "request. Signed expiry time [Mon, 30 Nov 2026 22:00:00 GMT] must be after "
                   "signed start time.</Message>",
    },
    {
        "code": "InsufficientAccountPermissions",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "storage",
        "title": "The SAS or key lacks a permission for the operation",
        "cause": "The credential works but does not carry the permission the operation needs "
                 "(for example a SAS without read).",
        "fix": "Issue a SAS with the needed permissions (`--permissions r` for downloads).",
        "reference": STORAGE_COMMON,
        "example": "Code: InsufficientAccountPermissions\nMessage: The account being accessed does "
                   "not have sufficient permissions to execute this operation.",
    },
    {
        "code": "BlobNotFound",
        "category": "file_download_failed",
        "kind": "specific",
        "service": "storage",
        "title": "The customizer's file does not exist at that URL",
        "cause": "The blob named by a `scriptUri` or File customizer `sourceUri` is not there "
                 "(wrong path or name, not uploaded yet, case mismatch).",
        "fix": "Check it: `az storage blob show --account-name ACCT -c CONTAINER -n PATH "
               "--auth-mode login`, and fix the URI in `properties.customize[]`.",
        "exceptions": "A missing customization.log while aib-pilot saves the log is not the "
                      "build's cause.",
        "reference": STORAGE_BLOB,
        "example": "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code>"
                   "<Message>The specified blob does not exist.</Message></Error>",
    },
    {
        "code": "ContainerNotFound",
        "category": "file_download_failed",
        "kind": "specific",
        "service": "storage",
        "title": "The container of the customizer's file does not exist",
        "cause": "The URL names a container that does not exist in the account.",
        "fix": "Fix the container name in `scriptUri`/`sourceUri` or create and upload it.",
        "reference": STORAGE_BLOB,
        "example": "ErrorCode:ContainerNotFound The specified container does not exist.",
    },
    {
        "code": "ServerBusy",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "storage",
        "title": "The storage service is busy",
        "cause": "Storage is throttling or temporarily unable to serve the request.",
        "fix": "Retry with back-off.",
        "reference": STORAGE_COMMON,
        "example": "<Error><Code>ServerBusy</Code><Message>The server is currently unable to receive "
                   "requests. Please retry your request.</Message></Error>",
    },
    {
        "code": "StorageAccountNotFound",
        "category": "invalid_template",
        "kind": "specific",
        "service": "storage",
        "title": "The storage account named in the request does not exist",
        "cause": "A storage account referenced by subscription, resource group and name cannot be "
                 "found (deleted, misspelled, another region).",
        "fix": "Check it with `az storage account show -n NAME -g RG` and fix the reference.",
        "reference": ARM_ERRORS,
        "example": '{"error": {"code": "StorageAccountNotFound", "message": "The storage account '
                   "'stscripts01' was not found.\"}}",
    },
    # ================================================================ key vault
    {
        "code": "AccessDenied",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "keyvault",
        "title": "Key Vault access policy does not allow the operation",
        "cause": "The vault's access policies (or RBAC) give the caller no permission for the "
                 "operation, e.g. a script in the build VM reading a secret with the VM identity.",
        "fix": "`az keyvault set-policy -n VAULT --object-id PRINCIPAL_ID --secret-permissions get` "
               "or, with RBAC, assign Key Vault Secrets User.",
        "exceptions": "Other services use the same code name; only read it as Key Vault when the "
                      "request went to a vault.",
        "reference": KEYVAULT_CODES,
        "example": '{"error": {"code": "Forbidden", "message": "The user, group or application does '
                   "not have secrets get permission on key vault 'kv-build'.\", \"innererror\": "
                   '{"code": "AccessDenied"}}}',
    },
    {
        "code": "ForbiddenByFirewall",
        "category": "storage_access_blocked",
        "kind": "specific",
        "service": "keyvault",
        "title": "The key vault's firewall refused the caller",
        "cause": "The vault allows only selected networks and the caller (build VM, Packer host) is "
                 "not among them and not a trusted service. Like a storage firewall, it blocks data "
                 "access by network, not by role.",
        "fix": "Add the build network: `az keyvault network-rule add -n VAULT --subnet SUBNET_ID` "
               "(with `vmProfile.vnetConfig`) or the caller's IP.",
        "phrases": ["Client address is not authorized and caller is not a trusted service"],
        "reference": KEYVAULT_CODES,
        "example": "ERROR: (Forbidden) Client address is not authorized and caller is not a trusted "
                   "service.\nInner error: {\"code\": \"ForbiddenByFirewall\"}",
    },
    {
        "code": "ForbiddenByRbac",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "keyvault",
        "title": "No Key Vault data role for the operation (RBAC vault)",
        "cause": "The vault uses Azure RBAC and the caller (a script in the build VM using "
                 "`vmProfile.userAssignedIdentities`, or your CI) has no data-plane role such as "
                 "Key Vault Secrets User; a control-plane role like Contributor is not enough.",
        "fix": "`az role assignment create --assignee PRINCIPAL_ID --role \"Key Vault Secrets User\" "
               "--scope VAULT_ID`, then allow a few minutes to propagate.",
        "reference": "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
        "example": "ERROR: (Forbidden) Caller is not authorized to perform action on resource.\n"
                   "Inner error: {\"code\": \"ForbiddenByRbac\"}",
    },
    {
        "code": "VaultAlreadyExists",
        "category": "invalid_template",
        "kind": "specific",
        "service": "keyvault",
        "title": "A key vault of that name exists (or is soft-deleted)",
        "cause": "Vault names are global; the name is taken by another subscription or by a "
                 "soft-deleted vault still inside its retention period.",
        "fix": "Use another name, or purge the deleted one: `az keyvault purge -n NAME`.",
        "reference": KEYVAULT_CODES,
        "example": "ERROR: (VaultAlreadyExists) The vault name 'pkrkv4x7w2' is already in use. Vault "
                   "names are globally unique.",
    },
    # ================================================================ AIB
    {
        "code": "ValidationFailed",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB rejected the image template",
        "cause": "AIB validated the template at submission and a field has a bad value (source, "
                 "customizer, distribute type, identity). No build ran and no log exists.",
        "fix": "Fix the field the message names; values are case-sensitive (`SharedImage`, "
               "`PlatformImage`, `Shell`, `PowerShell`). `az image builder show ... --query "
               "provisioningError` repeats it.",
        "phrases": ["has a bad value"],
        "reference": AIB_TS + "#troubleshoot-image-template-submission-errors",
        "example": "ERROR: (ValidationFailed) Validation failed: 'ImageTemplate.properties.source': "
                   "Field 'imageId' has a bad value: 'rg-base/base-2204'.",
    },
    {
        "code": "BadSourceType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the source type is not valid",
        "cause": "`properties.source.type` is not one of AIB's source types.",
        "fix": "Use `PlatformImage`, `ManagedImage` or `SharedImageVersion` (case-sensitive).",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadSourceType", "message": '
                   "\"Source type 'platformimage' is not supported.\"}",
    },
    {
        "code": "BadPIRSource",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the Marketplace (platform) source is not usable",
        "cause": "The publisher/offer/SKU/version of a PlatformImage source does not resolve in the "
                 "template's region.",
        "fix": "Check it with `az vm image show --urn P:O:S:V -l REGION` and fix "
               "`properties.source`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadPIRSource", "message": "The '
                   'platform image could not be found in westus3."}',
    },
    {
        "code": "BadManagedImageSource",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the managed image source is not usable",
        "cause": "The managed image in `properties.source.imageId` is missing, in another region, or "
                 "not readable by the template identity.",
        "fix": "Check the ID and region; give the identity Reader on the image's resource group.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadManagedImageSource", '
                   '"message": "Managed image source could not be accessed."}',
    },
    {
        "code": "BadSharedImageVersionSource",
        "category": "source_image_not_found",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the gallery image version source is not usable",
        "cause": "The gallery image version in `properties.source.imageVersionId` is missing, not "
                 "replicated to the template's region, or not readable by the identity.",
        "fix": "Check with `az sig image-version show ...`, replicate it to the region, and give the "
               "identity Reader on the gallery.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadSharedImageVersionSource", '
                   '"message": "The image version is not replicated to the template region."}',
    },
    {
        "code": "BadCustomizerType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: a customizer type is not valid",
        "cause": "A `properties.customize[].type` is misspelled or miscased.",
        "fix": "Use `Shell`, `PowerShell`, `WindowsRestart`, `WindowsUpdate` or `File`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadCustomizerType", "message": '
                   "\"Customizer type 'shell' is not valid.\"}",
    },
    {
        "code": "UnsupportedCustomizerType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the customizer does not fit the OS",
        "cause": "The customizer type is known but not supported for this source (for example "
                 "WindowsUpdate on Linux, Shell on Windows).",
        "fix": "Use the customizers of the source's OS in `properties.customize[]`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "UnsupportedCustomizerType", '
                   '"message": "Customizer WindowsRestart is not supported for a Linux source."}',
    },
    {
        "code": "NoCustomizerScript",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: a customizer has no script",
        "cause": "A Shell or PowerShell customizer has neither `scriptUri` nor `inline`.",
        "fix": "Add `scriptUri` (with `sha256Checksum`) or `inline` to the customizer.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "NoCustomizerScript", "message": '
                   '"Customizer 2 has no script content."}',
    },
    {
        "code": "BadValidatorType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: a validator type is not valid",
        "cause": "A `properties.validate.inVMValidations[].type` is misspelled or miscased.",
        "fix": "Use `Shell`, `PowerShell` or `File`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadValidatorType", "message": '
                   "\"Validator type 'powershell' is not valid.\"}",
    },
    {
        "code": "UnsupportedValidatorType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the validator does not fit the OS",
        "cause": "The validator type is not supported for this source's OS.",
        "fix": "Use a validator of the source's OS in `properties.validate.inVMValidations[]`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "UnsupportedValidatorType", '
                   '"message": "Validator PowerShell is not supported for a Linux source."}',
    },
    {
        "code": "NoValidatorScript",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: a validator has no script",
        "cause": "A Shell or PowerShell validator has neither `scriptUri` nor `inline`.",
        "fix": "Add `scriptUri` or `inline` to the validator.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "NoValidatorScript", "message": '
                   '"Validator 1 has no script content."}',
    },
    {
        "code": "BadDistributeType",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: a distribution type is not valid",
        "cause": "A `properties.distribute[].type` is misspelled or miscased.",
        "fix": "Use `ManagedImage`, `SharedImage` or `VHD`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadDistributeType", "message": '
                   "\"Distribute type 'sharedImage' is not valid.\"}",
    },
    {
        "code": "BadSharedImageDistribute",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the gallery distribution target is not valid",
        "cause": "The SharedImage distribution has a bad `galleryImageId` (missing definition, wrong "
                 "ID) or bad target regions.",
        "fix": "Create the image definition first and use its full ID in "
               "`properties.distribute[].galleryImageId`; list regions in `targetRegions[]`.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadSharedImageDistribute", '
                   '"message": "The gallery image definition for distribution could not be found."}',
    },
    {
        "code": "BadStagingResourceGroup",
        "category": "invalid_template",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: the staging resource group is not usable",
        "cause": "`properties.stagingResourceGroup` names a group that is not empty, is in another "
                 "region or subscription, or the identity has no Contributor role on it.",
        "fix": "Use a new or empty group in the template's region and give the identity "
               "Contributor on it, or leave `stagingResourceGroup` empty.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "BadStagingResourceGroup", '
                   '"message": "The staging resource group must be empty."}',
    },
    {
        "code": "ServerError",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "aib",
        "title": "AIB: internal service error at submission",
        "cause": "AIB failed to process the template for a reason on its side.",
        "fix": "Delete the failed template (`az image builder delete -g RG -n TEMPLATE`) and submit "
               "again.",
        "reference": AIB_ERROR_CODES,
        "example": '"provisioningError": {"provisioningErrorCode": "ServerError", "message": "An '
                   'internal error occurred while processing the template."}',
    },
    # ================================================================ Entra ID sign-in
    {
        "code": "AADSTS700024",
        "category": "token_expired",
        "kind": "specific",
        "service": "entra",
        "title": "The federated (OIDC) client assertion expired",
        "cause": "A CI job signed in with workload identity federation; the client assertion is "
                 "short-lived, and a later token request in the long build reused the expired one.",
        "fix": "Sign in again right before late Azure calls, or use a managed identity, or split "
               "submit and monitor into jobs (aib-pilot's resume command) each with its own login.",
        "phrases": ["Client assertion is not within its valid time range"],
        "reference": WIF_TS,
        "example": "ERROR: AADSTS700024: Client assertion is not within its valid time range. Current "
                   "time: 2026-12-01T10:02:33Z, assertion valid from 2026-12-01T09:02:31Z, expiry "
                   "time of assertion 2026-12-01T09:07:31Z.",
    },
    {
        "code": "AADSTS7000222",
        "category": "token_expired",
        "kind": "specific",
        "service": "entra",
        "title": "The service principal's client secret expired",
        "cause": "The app registration's secret used by the pipeline has passed its end date.",
        "fix": "Create a new secret (`az ad app credential reset --id APP_ID`) and update the CI "
               "secret, or move to workload identity federation.",
        "reference": ENTRA_CODES,
        "example": '{"error": "invalid_client", "error_description": "AADSTS7000222: The provided '
                   "client secret keys for app '3f9e1c20-0000-4c7b-a1d2-9e8f7a6b5c4d' are "
                   'expired."}',
    },
    {
        "code": "AADSTS700082",
        "category": "token_expired",
        "kind": "specific",
        "service": "entra",
        "title": "The refresh token expired from inactivity",
        "cause": "A cached sign-in (refresh token) was unused longer than its lifetime, so a later "
                 "token refresh failed.",
        "fix": "Sign in again (`az login ...`) at the start of the job rather than reusing an old "
               "cache.",
        "reference": ENTRA_CODES,
        "example": "AADSTS700082: The refresh token has expired due to inactivity. The token was "
                   "issued on 2026-08-02T10:11:12Z and was inactive for 90.00:00:00.",
    },
    {
        "code": "AADSTS50173",
        "category": "token_expired",
        "kind": "specific",
        "service": "entra",
        "title": "The grant was revoked; a fresh sign-in is needed",
        "cause": "An admin or the user revoked the tokens (for example after a password change), "
                 "so the cached refresh token no longer works.",
        "fix": "Sign in again (`az login`).",
        "reference": ENTRA_CODES,
        "example": "ERROR: AADSTS50173: The provided grant has expired due to it being revoked, a fresh "
                   "auth token is needed.",
    },
    {
        "code": "AADSTS70043",
        "category": "token_expired",
        "kind": "specific",
        "service": "entra",
        "title": "The refresh token is too old for the sign-in frequency policy",
        "cause": "Conditional Access sign-in frequency limits the token's lifetime and it has passed.",
        "fix": "Sign in again; for automation use a service principal or managed identity.",
        "reference": ENTRA_CODES,
        "example": "AADSTS70043: The refresh token has expired or is invalid due to sign-in frequency "
                   "checks by conditional access.",
    },
    {
        "code": "AADSTS500133",
        "category": "token_expired",
        "kind": "specific",
        "service": "entra",
        "title": "The assertion presented is outside its valid time range",
        "cause": "An access token or assertion used to obtain another token had already expired "
                 "(or the clocks disagree).",
        "fix": "Obtain a fresh token before exchanging it; check the runner's clock.",
        "reference": ENTRA_CODES,
        "example": "AADSTS500133: Assertion is not within its valid time range. Ensure that the "
                   "access token is not expired before using it for user assertion.",
    },
    {
        "code": "AADSTS700016",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "The application (client ID) is not in this tenant",
        "cause": "The client ID is wrong, the app was deleted, or the sign-in went to another "
                 "tenant.",
        "fix": "Check `client-id` and `tenant-id` of the login step against `az ad app show --id "
               "APP_ID`.",
        "reference": WIF_TS,
        "example": "ERROR: AADSTS700016: Application with identifier "
                   "'9d8c7b6a-0000-4f3e-8d2c-1b0a9f8e7d6c' was not found in the directory "
                   "'contoso.onmicrosoft.com'.",
    },
    {
        "code": "AADSTS7000215",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "Invalid client secret",
        "cause": "The secret sent does not match the app's secrets; often the secret's ID was "
                 "stored instead of its value.",
        "fix": "Store the secret *value* in the CI secret, or create a new one "
               "(`az ad app credential reset --id APP_ID`).",
        "exceptions": "An expired secret returns AADSTS7000222 instead.",
        "reference": SP_AUTH_TS,
        "example": '{"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client '
                   'secret provided. Ensure the secret being sent in the request is the client secret '
                   'value, not the client secret ID."}',
    },
    {
        "code": "AADSTS7000218",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "No client secret or assertion was sent",
        "cause": "The token request had neither `client_secret` nor `client_assertion`: the CI "
                 "secret is empty, or the OIDC token was not requested (missing `id-token: "
                 "write` permission in GitHub Actions).",
        "fix": "Provide the secret, or grant `permissions: id-token: write` for federated sign-in.",
        "reference": ENTRA_CODES,
        "example": "AADSTS7000218: The request body must contain the following parameter: "
                   "'client_assertion' or 'client_secret'.",
    },
    {
        "code": "AADSTS700027",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "The client assertion's signature is not valid",
        "cause": "The certificate or assertion presented does not match a credential of the app.",
        "fix": "Upload the certificate to the app registration, or fix the federated credential "
               "configuration.",
        "reference": SP_AUTH_TS,
        "example": "ERROR: AADSTS700027: Client assertion failed signature validation.",
    },
    {
        "code": "AADSTS70021",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "No federated credential matches the presented token",
        "cause": "The OIDC token's issuer, subject or audience matches no federated identity "
                 "credential on the app or identity (a new credential can also take minutes to "
                 "propagate).",
        "fix": "Compare the assertion's issuer/subject with `az ad app federated-credential list --id "
               "APP_ID` and add the missing subject (branch, environment, pull_request).",
        "phrases": ["No matching federated identity record found"],
        "reference": FIC_LIMITS,
        "example": "AADSTS70021: No matching federated identity record found for presented assertion. "
                   "Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion "
                   "Subject: 'repo:contoso/images:ref:refs/heads/release'.",
    },
    {
        "code": "AADSTS700211",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "No federated credential for the assertion's issuer",
        "cause": "No federated credential on the identity has the issuer the CI presented.",
        "fix": "Add a federated credential with that issuer, or fix the issuer URL.",
        "reference": WIF_TS,
        "example": "ERROR: AADSTS700211: No matching federated identity record found for presented "
                   "assertion issuer 'https://vstoken.dev.azure.com/7c1e0000-0000-0000-0000-000000000001'.",
    },
    {
        "code": "AADSTS700213",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "No federated credential for the assertion's subject",
        "cause": "The issuer is known but no credential has the subject the CI presented "
                 "(another branch, environment or service connection name).",
        "fix": "Add a federated credential whose subject is exactly the one in the message.",
        "reference": WIF_TS,
        "example": "AADSTS700213: No matching federated identity record found for presented assertion "
                   "subject 'repo:contoso/images:environment:prod'.",
    },
    {
        "code": "AADSTS70025",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "The app has no federated credentials at all",
        "cause": "Federated sign-in was attempted with an app or identity that has no federated "
                 "identity credential configured.",
        "fix": "Create one: `az ad app federated-credential create --id APP_ID --parameters "
               "cred.json`.",
        "reference": WIF_TS,
        "example": "ERROR: AADSTS70025: Client application has no configured federated identity "
                   "credentials.",
    },
    {
        "code": "AADSTS700223",
        "category": "policy_denied",
        "kind": "specific",
        "service": "entra",
        "title": "Workload identity federation is disabled in the tenant",
        "cause": "A tenant policy constrains or disables federated credentials, so the CI's OIDC "
                 "sign-in is refused.",
        "fix": "Ask the tenant admin to allow workload identity federation, or sign in with a "
               "managed identity.",
        "reference": WIF_TS,
        "example": "AADSTS700223: Workload identity federation is constrained or disabled for this "
                   "tenant.",
    },
    {
        "code": "AADSTS700238",
        "category": "policy_denied",
        "kind": "specific",
        "service": "entra",
        "title": "The issuer is not allowed to use workload identity federation",
        "cause": "The tenant restricts which issuers may federate, and the CI's issuer is not "
                 "allowed for this kind of identity.",
        "fix": "Ask the tenant admin to allow the issuer for app registrations or managed "
               "identities.",
        "reference": WIF_TS,
        "example": "Microsoft Entra rejected the token: AADSTS700238: The issuer is not allowed to use "
                   "workload identity federation for this identity type.",
    },
    {
        "code": "AADSTS90002",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "The tenant was not found",
        "cause": "The tenant ID or name is wrong, or it belongs to another cloud than the endpoint "
                 "used.",
        "fix": "Fix `tenant-id` (GUID from `az account show --query tenantId`) and the cloud "
               "(`az cloud set`).",
        "reference": ENTRA_CODES,
        "example": "ERROR: AADSTS90002: Tenant 'contoso-images.onmicrosoft.com' not found. Check to "
                   "make sure you have the correct tenant ID and are signing into the correct cloud.",
    },
    {
        "code": "AADSTS900382",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "Cross-cloud sign-in of a confidential client",
        "cause": "A service principal of one cloud (e.g. US Government) signed in against another "
                 "cloud's endpoint.",
        "fix": "Select the principal's cloud (`az cloud set -n AzureUSGovernment`; Packer "
               "`cloud_environment_name`) before signing in.",
        "reference": WIF_TS,
        "example": '{"error": "invalid_request", "error_description": "AADSTS900382: Confidential '
                   'Client is not supported in Cross Cloud request."}',
    },
    {
        "code": "AADSTS90038",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "The tenant belongs to a national cloud",
        "cause": "The tenant lives in a national cloud that does not federate with the endpoint "
                 "used.",
        "fix": "Sign in against the tenant's cloud (`az cloud set -n NAME`).",
        "reference": ENTRA_CODES,
        "example": "AADSTS90038: The specified tenant belongs to the national cloud 'AzureChinaCloud'. "
                   "Current cloud instance 'AzureCloud' does not federate with it.",
    },
    {
        "code": "AADSTS500011",
        "category": "invalid_template",
        "kind": "specific",
        "service": "entra",
        "title": "The requested resource is not in the tenant",
        "cause": "A token was requested for a resource (audience) whose service principal does not "
                 "exist in the tenant: a typo in the resource URI or the wrong cloud.",
        "fix": "Request the right resource (e.g. `https://management.azure.com/`) from the right "
               "tenant.",
        "reference": ENTRA_CODES,
        "example": "AADSTS500011: The resource principal named https://management.azure.example was "
                   "not found in the tenant named Contoso.",
    },
    {
        "code": "AADSTS50020",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "entra",
        "title": "The account is not a member or guest of the tenant",
        "cause": "The signed-in user exists in another directory and was never added to this tenant.",
        "fix": "Invite the account as a guest or sign in with an account of the tenant "
               "(`az login --tenant TENANT_ID`).",
        "reference": ENTRA_CODES,
        "example": "ERROR: AADSTS50020: User account 'builder@fabrikam.com' from identity provider "
                   "'live.com' does not exist in tenant 'Contoso' and cannot access the application.",
    },
    {
        "code": "AADSTS7000112",
        "category": "missing_permissions",
        "kind": "specific",
        "service": "entra",
        "title": "The application is disabled",
        "cause": "The app's service principal is disabled in the tenant, so it cannot sign in.",
        "fix": "Re-enable it: `az ad sp update --id APP_ID --set accountEnabled=true`.",
        "reference": ENTRA_CODES,
        "example": "AADSTS7000112: Application '4e3d2c1b-0000-4a9b-8c7d-6e5f4a3b2c1d' is disabled.",
    },
    {
        "code": "AADSTS53003",
        "category": "policy_denied",
        "kind": "specific",
        "service": "entra",
        "title": "Blocked by Conditional Access",
        "cause": "A Conditional Access policy does not allow token issuance for this sign-in (for "
                 "example a location or workload identity policy against the CI runner).",
        "fix": "Ask the admin to exclude the CI identity or allow the runner's location.",
        "reference": ENTRA_CODES,
        "example": "ERROR: AADSTS53003: Access has been blocked by Conditional Access policies. The "
                   "access policy does not allow token issuance.",
    },
    {
        "code": "AADSTS50076",
        "category": "policy_denied",
        "kind": "specific",
        "service": "entra",
        "title": "Multifactor authentication is required",
        "cause": "A policy requires MFA for the account, which a non-interactive CI sign-in cannot "
                 "give.",
        "fix": "Use a service principal or managed identity for automation, not a user account.",
        "reference": ENTRA_CODES,
        "example": "AADSTS50076: Due to a configuration change made by your administrator, or because "
                   "you moved to a new location, you must use multi-factor authentication to access "
                   "the resource.",
    },
    {
        "code": "AADSTS50033",
        "category": "transient_service_error",
        "kind": "specific",
        "service": "entra",
        "title": "Transient sign-in service error",
        "cause": "Entra ID reported a retryable error while issuing the token; nothing is wrong with the request.",
        "fix": "Retry the sign-in.",
        "reference": ENTRA_CODES,
        "example": "AADSTS50033: A transient error has occurred. Please try again.",
    },
)
