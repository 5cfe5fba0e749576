"""Azure's fixed messages as the Go SDKs, Entra ID, Azure DevOps and older ARM wordings print them,
with names and values of our own. Each case keys a rule on the part the service always prints (an
error code in any of its printed shapes, a documented sentence), never on one excerpt's wording."""

import pytest

from aib_pilot.diagnosis.rules import RULES_BY_ID

from .answers import top_finding as _top


# ------------------------------------------------- a code owned by a hand-written rule, every shape
@pytest.mark.parametrize("text", [
    # the Go SDKs (azcore): the error block without the JSON body (cut by the log or the paste)
    "    build.go:88: reading gallery image version: GET https://management.azure.com/subscriptions/5d1e0b7c-"
    "0000-4c1a-9f3e-2b7d8c6a1e90/resourceGroups/imaging/providers/Microsoft.Compute/galleries/corpgal/images/"
    "ubuntu24/versions/3.2.1\n"
    "        RESPONSE 403: 403 Forbidden\n"
    "        ERROR CODE: AuthorizationFailed\n"
    "        --------------------------------------------------------------------------------\n",
    # Az PowerShell's record lines
    "Get-AzGalleryImageVersion: Operation returned an invalid status code 'Forbidden'\n"
    "ErrorCode: AuthorizationFailed\nStatusCode: 403\nReasonPhrase: Forbidden\n",
])
def test_an_owned_code_is_read_in_the_go_sdk_and_powershell_shapes(text):
    assert _top(text) == ("missing_permissions", "AIB103")


def test_the_code_word_inside_prose_is_not_the_code():
    # no error-code shape around the word: a sentence about the code, not the code
    assert _top("see the runbook for AuthorizationFailed handling in the wiki\n")[0] == "unknown"


# ---------------------------------------------------------------------------- Entra sign-in errors
def test_an_entra_error_outranks_the_http_error_of_the_same_token_request():
    # Azure DevOps task output: the 401 of the token request, then the body Entra sent back
    text = (
        "2025-02-11T07:41:02.5500000Z ##[debug]Exception message - System.Net.WebException: The remote server "
        "returned an error: (401) Unauthorized.\n"
        "2025-02-11T07:41:02.5600000Z ##[debug]Exception message extracted from response {\"error\":"
        "\"invalid_client\",\"error_description\":\"AADSTS7000222: The provided client secret keys for app "
        "'4b6c2d10-0000-4e7a-8c1f-0a9b8c7d6e5f' are expired. Visit the Azure portal to create new keys for "
        "your app: https://aka.ms/NewClientSecret.\\r\\nTrace ID: 0f1e2d3c-0000-4a5b-8c9d-112233445566\"}\n"
        "2025-02-11T07:41:02.6100000Z ##[error]Could not fetch access token for Azure. Verify the service "
        "connection.\n")
    assert _top(text) == ("token_expired", "AZ-AADSTS7000222")


def test_the_same_http_error_without_a_sign_in_error_is_still_a_download_failure():
    text = ("    azure-arm: Exception calling \"DownloadFile\" with \"2\" argument(s): \"The remote server returned "
            "an error: (404) Not Found.\"\n")
    assert _top(text)[0] == "file_download_failed"


def test_entra_codes_rank_with_the_hand_written_token_rules():
    assert RULES_BY_ID["AZ-AADSTS7000222"].priority == RULES_BY_ID["AIB402"].priority
    assert RULES_BY_ID["AZ-AADSTS7000222"].priority > RULES_BY_ID["AIB212"].priority


# ------------------------------------------------------------------ Azure DevOps job time limits
@pytest.mark.parametrize("line", [
    "2024-09-30T22:14:51.0000000Z ##[error]The job running on agent Hosted Agent ran longer than the maximum "
    "time of 120 minutes. For more information, see https://go.microsoft.com/fwlink/?linkid=2077134",
    "##[error]The job running on agent build-pool-07 ran longer than the maximum time of 45 minutes.",
    "##[error]The job exceeded the maximum allowed time of 02:00:00 and was stopped. Please visit the parallel "
    "jobs page for more information.",
])
def test_azure_devops_job_limit_wordings(line):
    assert _top(line + "\n") == ("pipeline_timeout", "AIB401")


def test_a_step_that_merely_ran_long_is_not_the_job_limit():
    assert _top("##[section]Finishing: the job ran longer than the last one (45 minutes)\n")[0] == "unknown"


# ------------------------------------------------------------------ ARM's older quota wording
@pytest.mark.parametrize("line", [
    "This operation couldn't be completed as it results in exceeding quota limit of Core.  Maximum allowed: 20, "
    "Current in use: 18, Additional requested: 8.",
    "Code=OperationNotAllowed\nMessage=Operation results in exceeding quota limits of Core. Maximum allowed: 6, "
    "Current in use: 6, Additional requested: 4.",
])
def test_the_documented_core_quota_sentence_singular_or_plural(line):
    assert _top(line + "\n") == ("quota_or_capacity", "AIB112")


def test_a_quota_limit_mentioned_without_the_maximum_is_not_matched_by_the_sentence_rule():
    assert _top("INFO: checked the quota limit of Core for eastus: fine\n")[0] == "unknown"


# ---------------------------------------------------------- Terraform's gallery lookups, Gen2 disks
def test_terraforms_shared_image_lookup_that_finds_nothing_is_a_missing_source_image():
    text = ("│ Error: Shared Image \"rhel9-hardened\" was not found in Gallery \"platform_images\" / Resource Group "
            "\"rg-platform-images\"\n│\n│   with data.azurerm_shared_image.source,\n")
    assert _top(text) == ("source_image_not_found", "AIB123")


def test_a_shared_image_found_in_the_gallery_is_not_a_failure():
    assert _top('data.azurerm_shared_image.source: Read complete after 1s [id=/subscriptions/0/resourceGroups/'
                'rg/providers/Microsoft.Compute/galleries/g/images/rhel9]\n')[0] == "unknown"


@pytest.mark.parametrize("text", [
    "ERROR: (BadRequest) Generation 2 Hypervisor Image and VM Size can only be used with managed-disk VMs.\n"
    "Code: BadRequest\nMessage: Generation 2 Hypervisor Image and VM Size can only be used with managed-disk VMs.\n",
    "==> azure-arm.vhd: ERROR: -> DeploymentFailed : At least one resource deployment operation failed.\n"
    "==> azure-arm.vhd: ERROR:   -> BadRequest : Generation 2 Hypervisor Image and VM Size can only be used with "
    "managed-disk VMs.\n",
])
def test_a_gen2_image_on_an_unmanaged_disk_is_a_generation_mismatch(text):
    assert _top(text) == ("security_type_mismatch", "AIB114")


# ---------------------------------------------------------------- the service's own retry advice
@pytest.mark.parametrize("text", [
    '{\n  "error": {\n    "code": "InternalRetriableError",\n    "message": "The operation cannot be completed '
    'due to an internal retrievable error. Please retry in sometime."\n  }\n}\n',
    "Error: creating Network Interface \"nic-build-01\": Code=\"AnotherOperationFailed\" Message=\"The request "
    "could not be processed right now. Please retry after some time.\"\n",
    "[2024-05-02 09:14:22] ERROR com.microsoft.azure.CloudException: A retryable error occured.\n"
    "    at com.microsoft.azure.AzureClient.createExceptionFromResponse(AzureClient.java:740)\n",
])
def test_azure_telling_the_caller_to_retry_is_a_transient_error(text):
    assert _top(text) == ("transient_service_error", "AIB117")


def test_retry_advice_does_not_outrank_a_specific_inner_cause():
    text = ('{"error": {"code": "DeploymentFailed", "details": [{"code": "SkuNotAvailable", "message": "The '
            "requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: "
            "Standard_D8s_v5' is currently not available in location 'westus3'. Please try another size or "
            'deploy to a different location or different zone. Please retry in some time."}]}}\n')
    assert _top(text)[0] == "quota_or_capacity"


def test_a_script_that_says_it_will_retry_is_not_a_service_error():
    assert _top("    azure-arm: download slow, will retry in a few seconds\n")[0] == "unknown"


# ------------------------------------------------------------- Storage's sentence, any capitals
def test_the_shared_key_refusal_is_read_whatever_the_host_capitalises():
    text = ("[2025-01-07T10:02:11.120Z] Host lock lease could not be acquired.\n"
            "[2025-01-07T10:02:11.121Z] Status: 403 (Key Based Authentication is not permitted on this storage "
            "account.)\n")
    assert _top(text) == ("storage_access_blocked", "AIB115")


# ------------------------------------------------------ Azure's own region policy for an offer
@pytest.mark.parametrize("text", [
    "ERROR: (RequestDisallowedByAzure) Resource 'it_rg-golden_win11' was disallowed by Azure: This policy "
    "maintains a set of best available regions where your subscription can deploy resources. Should you need "
    "additional or different regions, contact support.\n",
    # the sentence alone (a portal notification pasted without the code)
    "Deployment failed: Resource 'pkr-vm-7q2' was disallowed by Azure: This policy maintains a set of best "
    "available regions where your subscription can deploy resources.\n",
])
def test_azures_region_policy_for_an_offer_is_a_policy_denial(text):
    assert _top(text) == ("policy_denied", "AZ-RequestDisallowedByAzure")


def test_a_region_list_without_the_policy_sentence_is_not_a_denial():
    assert _top("Available regions for this offer: westeurope, northeurope\n")[0] == "unknown"


# --------------------------------------------- OperationNotAllowed / InvalidParameter, by sentence
@pytest.mark.parametrize("text", [
    # AIB provisioningError after a template asked for a 40 GB OS disk on a 127 GB Windows image
    '{"provisioningError": {"provisioningErrorCode": "ServerError", "message": "Compute returned: '
    "Code=OperationNotAllowed; Message=The specified disk size 40 GB is smaller than the size of the "
    'corresponding disk in the VM image: 127 GB. This is not allowed."}}\n',
    # Az PowerShell record lines
    "New-AzVmss: The specified disk size 20 GB is smaller than the size of the corresponding disk in the VM "
    "image: 30 GB. This is not allowed. Please choose equal or greater size or do not specify an explicit size.\n"
    "ErrorCode: OperationNotAllowed\nErrorTarget: osDisk.diskSizeGB\nStatusCode: 409\n",
])
def test_an_os_disk_smaller_than_its_image_is_a_template_error(text):
    assert _top(text) == ("invalid_template", "AIB137")


def test_operation_not_allowed_without_the_disk_sentence_is_not_the_disk_rule():
    text = ('{"error": {"code": "OperationNotAllowed", "message": "Operation \'start\' is not allowed on VM '
            '\'pkrvm01\' since the VM is generalized."}}\n')
    assert _top(text)[1] != "AIB137"


@pytest.mark.parametrize("text", [
    "Error: creating Linux Virtual Machine \"build-01\": performing CreateOrUpdate: unexpected status 400 (400 Bad "
    "Request) with error: InvalidParameter: Requested operation cannot be performed because the VM size "
    "Standard_B2_v2 does not support the storage account type Premium_LRS of disk 'osdisk-build-01'. Consider "
    "updating the VM to a size that supports Premium storage.\n",
    "    azure-arm: 2024/11/03 08:12:55 Storage account type 'Premium_LRS' is not supported for VM size "
    "'Standard_A4_v2'.\n",
])
def test_a_size_without_premium_storage_is_a_template_error(text):
    assert _top(text) == ("invalid_template", "AIB138")


def test_private_endpoint_network_policies_in_an_escaped_error_body():
    text = ('{"status": "Failed", "error": {"code": "DeploymentFailed", "details": [{"code": "BadRequest", '
            '"message": "{\\r\\n  \\"error\\": {\\r\\n    \\"code\\": \\"PrivateEndpointCannotBeCreatedInSubnetThatHas'
            'NetworkPoliciesEnabled\\",\\r\\n    \\"message\\": \\"Private endpoint pe-blob-img cannot be created in a '
            'subnet snet-img since it has private endpoint network policies enabled.\\"\\r\\n  }\\r\\n}"}]}}\n')
    assert _top(text) == ("invalid_template", "AZ-PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled")


# ------------------------------------------------------- names that already exist in another region
@pytest.mark.parametrize("text,code", [
    ("Error: creating Resource Group \"rg-aib-staging\": resources.GroupsClient#CreateOrUpdate: Failure sending "
     "request: StatusCode=409 -- Original Error: Code=\"InvalidResourceGroupLocation\" Message=\"Invalid resource "
     "group location 'westus3'. The Resource group already exists in location 'eastus'.\"\n",
     "InvalidResourceGroupLocation"),
    ("New-AzResourceGroupDeployment: 10:02:11 - Error: Code=InvalidResourceLocation; Message=The resource "
     "'pkrkv4k2' already exists in location 'northeurope' in resource group 'rg-build'. A resource with the same "
     "name cannot be created in location 'westeurope'. Please select a new resource name.\n",
     "InvalidResourceLocation"),
])
def test_a_name_taken_in_another_region_is_a_template_error(text, code):
    assert _top(text) == ("invalid_template", f"AZ-{code}")


def test_the_sentence_without_the_code_still_names_the_region_conflict():
    text = "Invalid resource group location 'uksouth'. The Resource group already exists in location 'ukwest'.\n"
    assert _top(text) == ("invalid_template", "AZ-InvalidResourceGroupLocation")


def test_marketplace_terms_sentence_without_its_code():
    text = ("Azure.RequestFailedException: User failed validation to purchase resources. Error message: 'You have not "
            "accepted the legal terms on this subscription: '0000-1111' for this plan. Before the subscription can "
            "be used, you need to accept the legal terms of the image.'\n")
    assert _top(text)[1] == "AZ-ResourcePurchaseValidationFailed"


# ---------------------------------------------- ARM's preflight RBAC check on template resources
@pytest.mark.parametrize("text", [
    "ERROR: {\"code\": \"InvalidTemplateDeployment\", \"message\": \"The template deployment failed with error: "
    "'Authorization failed for template resource 'id-aib-builder' of type 'Microsoft.ManagedIdentity/"
    "userAssignedIdentities'. The client 'gh-oidc' with object id '11111111-2222-4333-8444-555555555555' does not "
    "have permission to perform action 'Microsoft.ManagedIdentity/userAssignedIdentities/write' at scope "
    "'/subscriptions/0000/resourceGroups/rg-img'.'\"}\n",
    # the same sentence alone, as the portal shows it
    "The template deployment failed with error: 'Authorization failed for template resource 'aibTemplate' of type "
    "'Microsoft.VirtualMachineImages/imageTemplates'. (Code: InvalidTemplateDeployment)\n",
])
def test_preflight_authorization_failure_of_a_template_resource_is_missing_permissions(text):
    assert _top(text) == ("missing_permissions", "AIB103")


def test_the_wrapper_alone_stays_an_honest_unknown():
    text = ("Error: Code=InvalidTemplateDeployment; Message=The template deployment 'aib-7' is not valid according "
            "to the validation procedure. See inner errors for details.\n")
    assert _top(text)[0] == "unknown"


# ------------------------------------------------------- a managed identity the machine does not have
@pytest.mark.parametrize("text", [
    "==> azure-arm: ERROR: ManagedIdentityCredential authentication unavailable. The requested identity has not "
    "been assigned to this resource.\n",
    "    azure-arm: ERROR: Failed to connect to MSI. Please make sure MSI is configured correctly.\n"
    "    azure-arm: Get Token request returned: <Response [400]> {\"error\":\"invalid_request\","
    "\"error_description\":\"Identity not found\"}\n",
])
def test_a_managed_identity_not_assigned_to_the_machine(text):
    assert _top(text) == ("invalid_template", "AIB139")


def test_the_no_permission_sentence_alone_is_missing_permissions():
    text = ("... with object id '99999999-8888-4777-8666-555555555555' does not have permission to perform action "
            "'Microsoft.Compute/galleries/images/versions/write' at scope '/subscriptions/0000/resourceGroups/"
            "rg-gallery/providers/Microsoft.Compute/galleries/corp/images/ubuntu/versions/1.4.0'.\n")
    assert _top(text) == ("missing_permissions", "AIB103")


# ------------------------------------------------ a CI sign-in step without inputs; Basic SKU in a zone
def test_azure_login_without_client_and_tenant_ids_is_a_pipeline_configuration_error():
    text = ("2025-06-02T09:12:44.1200000Z ##[group]Run azure/login@v2\n"
            "2025-06-02T09:12:44.1300000Z ##[endgroup]\n"
            "2025-06-02T09:12:45.0100000Z ##[error]Login failed with Error: Using auth-type: SERVICE_PRINCIPAL. Not "
            "all values are present. Ensure 'client-id' and 'tenant-id' are supplied.. Double check if the "
            "'auth-type' is correct. Refer to https://github.com/Azure/login#readme for more information.\n")
    assert _top(text) == ("invalid_template", "AIB408")


def test_a_login_failure_that_names_no_cause_stays_unknown():
    text = ("Error: Az CLI Login failed. Please check the credentials. For more information refer "
            "https://aka.ms/create-secrets-for-GitHub-workflows\n")
    assert _top(text)[0] == "unknown"


def test_a_basic_public_ip_in_a_zone():
    text = ("==> azure-arm.zonal: ERROR: -> DeploymentFailed : At least one resource deployment operation failed.\n"
            "==> azure-arm.zonal: ERROR:   -> ZonesNotAllowedInBasicSkuResource : Request for resource /subscriptions/"
            "0000/resourceGroups/pkr-Resource-Group-x1/providers/Microsoft.Network/publicIPAddresses/pkrip-x1 is "
            "invalid as it is Basic sku and in an Availability Zone which is a deprecated configuration.\n")
    assert _top(text) == ("invalid_template", "AZ-ZonesNotAllowedInBasicSkuResource")
