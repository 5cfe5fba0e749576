"""The preflight rules (AIB6xx): each failed check of ``aib-pilot preflight`` is one of these.

Same fields as the diagnosis catalogue (rule, category, severity, title, cause, fix, reference)
so the report layer prints preflight findings exactly like diagnosis findings. ``fix`` here is
the general remedy; each finding also carries the exact ``az`` command for the names in the
template (``Outcome.fix``), which is what the report shows first.
"""

from __future__ import annotations

from dataclasses import dataclass

TROUBLESHOOT = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"
PERMISSIONS = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-permissions-cli"
TEMPLATE_REF = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-json"
TRUSTED_LAUNCH = "https://learn.microsoft.com/azure/virtual-machines/trusted-launch"
QUOTAS = "https://learn.microsoft.com/azure/quotas/per-vm-quota-requests"
SKU_ERRORS = "https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-sku-not-available"
PROVIDERS = "https://learn.microsoft.com/azure/virtual-machines/image-builder-overview#register-the-features"
RBAC = "https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest"


@dataclass(frozen=True)
class PreflightRule:
    id: str
    category: str
    severity: str
    title: str
    cause: str
    fix: str
    reference: str


RULES = (
    PreflightRule("AIB601", "missing_permissions", "error", "Build identity not found",
                  "The user-assigned identity in the template's `identity` does not exist; AIB rejects the "
                  "template or cannot act for it.",
                  "Create the identity or point `identity.userAssignedIdentities` at an existing one.", PERMISSIONS),
    PreflightRule("AIB602", "missing_permissions", "error", "Build identity lacks a role on a scope the build uses",
                  "No role assignment of the build identity (directly, through a group, or inherited from a parent "
                  "scope) grants an action AIB performs there; the build fails after queueing and provisioning.",
                  "Assign a role that grants the listed actions to the identity's principal on that scope.",
                  PERMISSIONS),
    PreflightRule("AIB603", "provider_not_registered", "error", "Resource provider not registered",
                  "AIB needs this resource provider registered in the subscription; calls to it fail with "
                  "MissingSubscriptionRegistration.",
                  "Register the provider (one time per subscription).", PROVIDERS),
    PreflightRule("AIB604", "source_image_not_found", "error", "Platform image not found in the build region",
                  "The marketplace image (publisher/offer/sku/version) does not exist in the template's location; "
                  "AIB fails with PlatformImageNotFound after queueing.",
                  "Pick a version that exists in the region (or `latest`).", TROUBLESHOOT),
    PreflightRule("AIB605", "source_image_not_found", "error", "Source gallery image version not found",
                  "The gallery image version in `source.imageVersionId` (or its gallery/definition) does not exist.",
                  "Point `source.imageVersionId` at an existing version.", TROUBLESHOOT),
    PreflightRule("AIB606", "source_image_not_found", "error", "Source version not replicated to the build region",
                  "AIB builds in the template's location and reads the source gallery version there; a version "
                  "not replicated to that region cannot be used.",
                  "Add the build region to the version's target regions.", TROUBLESHOOT),
    PreflightRule("AIB607", "source_image_not_found", "error", "Source managed image not found",
                  "`source.imageId` names a managed image that does not exist, or lives in another region than the "
                  "template (it must be in the same subscription and region).",
                  "Point `source.imageId` at an existing managed image in the template's region.", TEMPLATE_REF),
    PreflightRule("AIB608", "security_type_mismatch", "error", "Security type or generation does not fit",
                  "The source image's security type (Trusted Launch) or Hyper-V generation does not match the "
                  "build VM size or a distribution target; the build or the publish step fails.",
                  "Make the source, `vmProfile.vmSize` and the distribution target agree on generation and "
                  "security type.", TRUSTED_LAUNCH),
    PreflightRule("AIB609", "quota_or_capacity", "error", "VM size not offered in the build region",
                  "The build VM size is not offered to this subscription in the template's location (absent or "
                  "restricted); AIB fails with SkuNotAvailable when it creates the build VM.",
                  "Choose another `vmProfile.vmSize` offered in the region, or ask for access to the size.",
                  SKU_ERRORS),
    PreflightRule("AIB610", "quota_or_capacity", "error", "vCPU quota too small for the build VM",
                  "Creating the build VM would exceed the regional or VM-family vCPU quota; AIB fails with "
                  "OperationNotAllowed (quota) after queueing.",
                  "Request more quota for the family/region, free vCPUs, or choose a smaller size.", QUOTAS),
    PreflightRule("AIB611", "distribution_failed", "error", "Distribution gallery or image definition not found",
                  "`distribute[].galleryImageId` names a gallery or image definition that does not exist; the "
                  "build runs to the end and then fails to publish.",
                  "Create the gallery image definition before the build.", TEMPLATE_REF),
    PreflightRule("AIB612", "image_version_exists", "error", "Gallery image version to publish already exists",
                  "The gallery image version the template publishes already exists; the publish step fails at "
                  "the end of the build.",
                  "Bump the version, or delete the existing one.", TROUBLESHOOT),
    PreflightRule("AIB613", "invalid_template", "error", "Distribution target region is not a valid region",
                  "A target/replication region is not an Azure region this subscription can use for galleries.",
                  "Use region names such as eastus, westeurope (az account list-locations -o table).", TEMPLATE_REF),
    PreflightRule("AIB614", "invalid_template", "error", "Managed image to distribute already exists",
                  "`distribute[].imageId` (ManagedImage) names an image that already exists; AIB cannot "
                  "overwrite it.",
                  "Choose a new image name, or delete the existing image.", TEMPLATE_REF),
    PreflightRule("AIB615", "file_download_failed", "error", "Customizer file not readable by the build",
                  "A customizer's file on Azure storage is neither public nor readable by the build identity (no "
                  "Storage Blob Data Reader on it), or does not exist; the customizer fails with 403/404 after "
                  "the build VM is up.",
                  "Grant the identity Storage Blob Data Reader on the container (or fix the URI).", TROUBLESHOOT),
    PreflightRule("AIB616", "template_exists", "error", "Image template name already taken",
                  "An image template with this name exists and `--on-conflict fail` was given; AIB templates "
                  "cannot be updated in place.",
                  "Use --on-conflict attach or replace, another --name, or delete the template.", TROUBLESHOOT),
    PreflightRule("AIB690", "could_not_check", "warning", "Could not check (no permission to read)",
                  "The signed-in identity may not read what this check needs, so preflight neither passed nor "
                  "failed it.",
                  "Grant the signed-in identity the named role on that scope, or check by hand.", RBAC),
)
RULES_BY_ID = {r.id: r for r in RULES}
