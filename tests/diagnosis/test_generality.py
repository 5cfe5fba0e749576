"""Microsoft's fixed messages in the shapes az CLI, PowerShell, the Go/Terraform SDKs, Packer and AIB
print them, with names and values of our own: each keys a rule on the wording Azure always uses, not
on one excerpt."""

import pytest

from aib_pilot.diagnosis import diagnose

from .answers import top_finding as _top

OP = "7e0c5a1d-93b2-4f4e-a6c1-2d8b9f3e4a70"


# ------------------------------------------------------------------ Compute's refusals
@pytest.mark.parametrize("text,category,rule", [
    # az CLI: a managed image of one Hyper-V generation published into a definition of the other
    ("ERROR: (Conflict) The resource with id '/subscriptions/1111/resourceGroups/golden-rg/providers/Microsoft.Compute/"
     "images/agent-2404-0107' has a different Hypervisor generation ['V1'] than the parent gallery image Hypervisor "
     "generation ['V2'].\nCode: Conflict\nMessage: The resource with id '/subscriptions/1111/resourceGroups/golden-rg/"
     "providers/Microsoft.Compute/images/agent-2404-0107' has a different Hypervisor generation ['V1'] than the parent "
     "gallery image Hypervisor generation ['V2'].\n", "security_type_mismatch", "AIB114"),
    # Az PowerShell: the same refusal as ErrorCode/ErrorMessage lines
    ("New-AzGalleryImageVersion: Long running operation failed with status 'Failed'.\nErrorCode: Conflict\n"
     "ErrorMessage: The resource with id '/subscriptions/2222/resourceGroups/img/providers/Microsoft.Compute/"
     "virtualMachines/capture01' has a different Hypervisor generation ['V1'] than the parent gallery image "
     "Hypervisor generation ['V2'].\nStatus: Failed\n", "security_type_mismatch", "AIB114"),
    # AIB's own template validation (New-AzImageBuilderTemplate, PowerShell 7 wrapped)
    ("New-AzImageBuilderTemplate_CreateExpanded: Validation failed: Error with Hyper-V Version validation "
     "(cross-generation for multiple Hyper-V Versions is not supported). The provided SIG:\n"
     "     | /subscriptions/3333/resourceGroups/aib/providers/Microsoft.Compute/galleries/corp/images/ws2022,"
     " has a different Hyper-V Generation: V1,\n     | than source image: V2.\n", "security_type_mismatch", "AIB114"),
    # Go SDK: a VM from a gallery image that requires Trusted Launch
    ("error creating VM: compute.VirtualMachinesClient#CreateOrUpdate: Failure sending request: StatusCode=400 -- "
     "Original Error: Code=\"BadRequest\" Message=\"The provided gallery image only supports creation of VMs and VM "
     "Scale Sets with 'TrustedLaunch' security type.\"\n", "security_type_mismatch", "AIB114"),
    # Terraform / autorest: capturing a VM that was never generalized
    ("Error: creating Image \"web-0212\": compute.ImagesClient#CreateOrUpdate: Failure sending request: StatusCode=0 "
     "-- Original Error: autorest/azure: Service returned an error. Status=<nil> Code=\"OperationNotAllowed\" "
     "Message=\"The operation 'Create Image' requires the Virtual Machine 'web-build-3' to be Generalized.\"\n",
     "image_not_generalized", "AIB320"),
    # ARM deployment validation (portal / az deployment): a marketplace version that no longer exists
    ('{"code":"InvalidTemplateDeployment","message":"The template deployment \'vm-deploy\' is not valid according to '
     'the validation procedure.","details":[{"code":"InvalidParameter","target":"imageReference","message":"The '
     'following list of images referenced from the deployment template are not found: Publisher: Canonical, Offer: '
     'ubuntu-24_04-lts, Sku: server, Version: 24.04.199001010."}]}\n', "source_image_not_found", "AIB123"),
    # az sig image-version update: replication failed in a region
    ("ValidationError: Gallery replication jobs failed in one or more regions. The failing regions' details are as "
     "follows: '{region:swedencentral, detail:Failed with internal server error.}'. If retry does not work, then "
     "please do an update by removing the failed regions and update again by adding them back.\n",
     "distribution_failed", "AIB310"),
    # re-running a build into a gallery version that exists, built from another source
    ("==> azure-arm.ws2022: ERROR: -> PropertyChangeNotAllowed : Changing property "
     "'galleryImageVersion.properties.publishingProfile.source.managedImage.id' is not allowed.\n"
     "==> azure-arm.ws2022: Provisioning step had errors: Running the cleanup provisioner, if present...\n",
     "image_version_exists", "AIB309"),
    # Resource Manager throttling, as az CLI prints it
    ("ERROR: (SubscriptionRequestsThrottled) Number of 'read' requests for subscription "
     "'9f0e0d1c-0000-4b4b-8c8c-123456789abc' actor 'aa11bb22-0000-4c4c-9d9d-abcdefabcdef' exceeded. Please try again "
     "after '21' seconds after additional tokens are available.\n", "transient_service_error", "AIB135"),
    # the same sentence alone, as a Terraform or portal message quotes it
    ("Error: waiting for the VM: Number of requests for subscription '9f0e0d1c-0000-4b4b-8c8c-123456789abc' and "
     "operation 'PUT/SUBSCRIPTIONS/RESOURCEGROUPS/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES' exceeded the backend "
     "storage limit. Please try again after '3' seconds.\n", "transient_service_error", "AIB135"),
    # Network's refusal while an earlier operation on the subnet still runs, without its code
    ("az network vnet subnet update failed: Another operation on this or dependent resource is in progress. To "
     "retrieve status of the operation use uri: https://management.azure.com/subscriptions/0000/providers/"
     "Microsoft.Network/locations/westeurope/operations/1234?api-version=2023-09-01.\n",
     "run_in_progress", "AZ-AnotherOperationInProgress"),
    # Microsoft Graph refusing to create the identity's app or to resolve a principal
    ("Creating 'Contributor' role assignment under scope '/subscriptions/0000/resourceGroups/aib-rg'\n"
     "ERROR: Insufficient privileges to complete the operation.\n", "missing_permissions", "AIB136"),
    ('New-AzADServicePrincipal : {"odata.error":{"code":"Authorization_RequestDenied","message":{"lang":"en",'
     '"value":"Insufficient privileges to complete the operation."}}}\n', "missing_permissions", "AIB136"),
])
def test_compute_refusals_in_every_shape(text, category, rule):
    assert _top(text) == (category, rule)


def test_delete_while_a_build_runs_is_a_run_in_progress_and_canceling_stays_cancel_stuck():
    running = ('Remove-AzResource : {\n  "code": "OperationNotAllowed",\n  "message": "Operation '
               "'Microsoft.VirtualMachineImages/imageTemplates/delete' is not allowed in provisioningState: "
               "'Succeeded', runState: 'Running'\"\n }\nAt line:3 char:1\n"
               "+ Remove-AzResource -ResourceId $templateId -Force\n"
               "    + FullyQualifiedErrorId : Microsoft.Azure.Commands.ResourceManager.Cmdlets.Implementation."
               "RemoveAzureResourceCmdlet\n")
    assert _top(running) == ("run_in_progress", "AIB107")
    canceling = ("Remove-AzImageBuilderTemplate_Delete: Operation Microsoft.VirtualMachineImages/imageTemplates/delete "
                 "is not allowed in provisioning state: succeeded or run state: canceling.\n")
    assert _top(canceling)[0] == "cancel_stuck"


def test_packer_error_tree_lines_are_not_a_customizer_error_record():
    text = ("==> azure-arm: Deploying deployment template ...\n"
            "==> azure-arm:  -> ResourceGroupName : 'pkr-Resource-Group-q1w2e3'\n"
            "==> azure-arm: ERROR: -> DeploymentFailed : At least one resource deployment operation failed. Please list "
            "deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.\n"
            "==> azure-arm: ERROR:   -> BadRequest\n"
            "==> azure-arm: ERROR:   -> BadRequest : The value of parameter tenantId is invalid.\n"
            "==> azure-arm:\n")
    category, rule = _top(text)
    assert rule != "AIB221" and category != "customizer_failed"


# ------------------------------------------------------------------ a build stopped from outside
def _terminated_during_windows_update(extra: list[str] = ()) -> str:
    lines = [
        "PACKER 2026/02/11 07:58:02 ui: ==> azure-arm: Running Windows update...",
        "PACKER 2026/02/11 09:40:51 ui:     azure-arm: Waiting for operation to complete "
        "(system performance: 22% cpu; 51% memory)...",
        "PACKER 2026/02/11 09:41:07 ui error: Cancelling build after receiving terminated",
        "PACKER 2026/02/11 09:41:07 Cancelling builder after context cancellation context canceled",
        "PACKER ==> azure-arm: Deleting Virtual Machine deployment and its attached resources...",
        "PACKER 2026/02/11 09:41:07 Cancelling provisioner after context cancellation context canceled",
        *extra,
        "PACKER 2026/02/11 09:41:07 packer-plugin-windows-update_v0.17.1_x5.0_linux_amd64 plugin: "
        "2026/02/11 09:41:07 Retryable error: context canceled",
    ]
    return "".join(f"[{OP}] {line}\n" for line in lines)


def test_packer_terminated_while_a_step_still_works_is_the_build_timeout():
    assert _top(_terminated_during_windows_update()) == ("build_timeout", "AIB235")
    # an excerpt that starts in the middle of the step: its phase is only guessed from the first
    # line, so the phase shown is the cause's own, not the guess
    cut = "".join(line + "\n" for line in _terminated_during_windows_update().splitlines()[1:])
    d = diagnose(cut.encode()).to_dict()
    assert (d["category"], d["phase"]) == ("build_timeout", "customize")


def test_terminated_with_a_dropped_connection_stays_connection_lost():
    dropped = _terminated_during_windows_update([
        "PACKER 2026/02/11 09:41:09 packer-plugin-azure_v2.3.0_x5.0_linux_amd64 plugin: 2026/02/11 09:41:09 "
        "[ERROR] Remote command exited without exit status or exit signal."])
    assert _top(dropped) == ("connection_lost", "AIB214")


def test_terminated_run_known_as_canceled_is_the_cancel():
    assert _top(_terminated_during_windows_update(), run_state="Canceled")[1] == "AIB406"


@pytest.mark.parametrize("line", [
    # the head of AIB's validation message, as az CLI prints it when the rest is cut off
    "ERROR: Validation failed: Error with Hyper-V Version validation (cross-generation for multiple Hyper-V "
    "Versions is not supported).",
    # the continuation line of the same message after PowerShell 7 wrapped it
    "     | /subscriptions/4444/resourceGroups/aib/providers/Microsoft.Compute/galleries/g1/images/rhel9, has a "
    "different Hyper-V Generation: V2,",
])
def test_each_part_of_aibs_hyper_v_validation_message(line):
    assert _top(line + "\n") == ("security_type_mismatch", "AIB114")


# ------------------------------------------------------------------ AIB's own "generic error"
_GENERIC_BODY = ('{\n    "status": "Failed",\n    "error": {\n        "code": "InternalOperationError",\n'
                 '        "message": "Internal error occurred. This is a generic error. To identify possible causes, '
                 'go to https://aka.ms/azvmimagebuilderts."\n    }\n}\n')


def test_a_pretty_json_body_after_a_line_of_prose_is_read_as_a_record():
    from aib_pilot.diagnosis.records import read_records

    recs = read_records("The deployment of the image template failed:\n" + _GENERIC_BODY, line=1)
    assert [(r.code, r.shape, r.line) for r in recs] == [("InternalOperationError", "json", 2)]
    assert "generic error" in recs[0].message


def test_internal_operation_error_that_aib_calls_generic_is_an_honest_unknown():
    d = diagnose(("Deployment of imageTemplates 'win11-avd' failed:\n" + _GENERIC_BODY).encode()).to_dict()
    assert d["category"] == "unknown"
    assert d["findings"][0]["rule"] == "AIB102" and d["findings"][0]["kind"] == "generic"
    assert d["findings"][0]["category"] == "unknown"  # shown as a wrapper, naming no cause
    # the same message given as the run's status message
    assert _top("", status_message='{"status":"Failed","error":{"code":"InternalOperationError","message":'
                                   '"Internal error occurred. This is a generic error. To identify possible causes, '
                                   'go to https://aka.ms/azvmimagebuilderts."}}')[0] == "unknown"


def test_internal_operation_error_of_the_guide_keeps_its_permissions_reading():
    body = _GENERIC_BODY.replace(" This is a generic error. To identify possible causes, go to "
                                 "https://aka.ms/azvmimagebuilderts.", "")
    assert _top(body) == ("missing_permissions", "AIB102")
    # one record of the code says more than the generic sentence: not every one is generic
    mixed = ('{"status":"Failed","error":{"code":"ResourceOperationFailure","message":"The resource operation '
             "completed with terminal provisioning state 'Failed'.\",\"details\":[{\"code\":\"InternalOperationError\","
             '"message":"Internal error occurred."},{"code":"InternalOperationError","message":"Internal error '
             'occurred. This is a generic error."}]}}\n')
    assert _top(mixed) == ("missing_permissions", "AIB102")


def test_a_generic_message_needs_the_code_it_belongs_to():
    from aib_pilot.diagnosis.rules import CatalogueError, _build

    entry = {"id": "AIB299", "category": "unknown", "severity": "error", "title": "t", "cause": "c", "fix": "f",
             "reference": "r", "patterns": [r"Internal error"], "generic_message": r"generic"}
    with pytest.raises(CatalogueError, match="needs the code"):
        _build(entry)


def test_a_changed_definition_property_is_not_an_existing_version():
    text = ("ERROR: (PropertyChangeNotAllowed) Changing property 'galleryImage.properties.osType' is not allowed.\n"
            "Code: PropertyChangeNotAllowed\nMessage: Changing property 'galleryImage.properties.osType' is not "
            "allowed.\n")
    assert _top(text) == ("invalid_template", "AIB120")


def test_an_interrupted_packer_is_not_a_lost_connection():
    text = ("==> azure-arm.rhel9: Waiting for SSH to become available...\n"
            "2026/02/11 10:02:44 ui error: Cancelling build after receiving interrupt\n"
            "2026/02/11 10:02:44 Cancelling builder after context cancellation context canceled\n"
            "2026/02/11 10:02:44 packer-plugin-azure_v2.3.0_x5.0_linux_amd64 plugin: 2026/02/11 10:02:44 "
            "Cancelling provisioning due to context cancellation: context canceled\n"
            "==> azure-arm.rhel9: Deleting Virtual Machine deployment and its attached resources...\n")
    d = diagnose(text.encode()).to_dict()
    rules = [f["rule"] for f in d["findings"]]
    assert "AIB218" not in rules and d["category"] != "connection_lost"
    assert rules[0] == "AIB236" and d["findings"][0]["kind"] == "generic"
    # without the signal line the guide's reading of a bare cancellation stays
    bare = text.replace("2026/02/11 10:02:44 ui error: Cancelling build after receiving interrupt\n", "")
    assert "AIB218" in [f["rule"] for f in diagnose(bare.encode()).to_dict()["findings"]]


def test_go_multierror_header_is_packers_template_check_only_where_packer_prints_it():
    terraform = ("Error: Error refreshing state: 1 error(s) occurred:\n\n"
                 "* data.azurerm_image.golden: 1 error(s) occurred:\n\n"
                 "* data.azurerm_image.golden: data.azurerm_image.golden: image \"golden-2204\" was not found in "
                 "resource group \"img-rg\"\n")
    assert "AIB121" not in [f["rule"] for f in diagnose(terraform.encode()).to_dict()["findings"]]
    packer = ("Template validation failed. Errors are shown below.\n\n"
              "Errors validating build 'azure-arm'. 1 error(s) occurred:\n\n"
              "* An image_sku must be specified\n")
    assert _top(packer) == ("invalid_template", "AIB121")


# ------------------------------------------------------------------ the Go SDKs' shapes
@pytest.mark.parametrize("text,category,code", [
    ("Error: creating Linux Virtual Machine (Subscription: \"0000\"\nResource Group Name: \"build-rg\"\n"
     "Virtual Machine Name: \"golden-01\"): performing CreateOrUpdate: unexpected status 400 (400 Bad Request) with "
     "error: InvalidParameter: The value of parameter imageReference.offer is invalid.\n",
     "invalid_template", "InvalidParameter"),
    ("PUT https://management.azure.com/subscriptions/0000/resourceGroups/build-rg/providers/Microsoft.Compute/"
     "virtualMachines/golden-01\n"
     "--------------------------------------------------------------------------------\n"
     "RESPONSE 409: 409 Conflict\nERROR CODE: QuotaExceeded\n"
     "--------------------------------------------------------------------------------\n",
     "quota_or_capacity", "QuotaExceeded"),
    ("GET https://images01.blob.core.windows.net/scripts/setup.sh\n"
     "--------------------------------------------------------------------------------\n"
     "RESPONSE 503: 503 Service Unavailable\nERROR CODE: ServerBusy\n"
     "--------------------------------------------------------------------------------\n",
     "transient_service_error", "ServerBusy"),
])
def test_go_sdk_error_shapes(text, category, code):
    d = diagnose(text.encode()).to_dict()
    assert d["category"] == category
    assert code in [r["code"] for r in d["records"]]


@pytest.mark.parametrize("line,category,rule", [
    # Compute's allocation sentence without its code (the rule owning AllocationFailed reads it)
    ('    "message": "Allocation failed. We do not have sufficient capacity for the requested VM size in this '
     'region. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance"',
     "quota_or_capacity", "AIB113"),
    # Resource Manager's sentence for an API version a region does not serve, without its code
    ("New-AzResourceGroupDeployment : 09:12:40 - Resource Microsoft.Compute/galleries/images 'corp/web' failed with "
     "message 'No registered resource provider found for location 'swedencentral' and API version '2017-01-01' "
     "for type 'galleries/images'. The supported api-versions are '2019-03-01, 2021-10-01'.'",
     "provider_not_registered", "AIB111"),
])
def test_a_rule_that_owns_a_code_also_reads_its_documented_sentence(line, category, rule):
    assert _top(line + "\n") == (category, rule)
