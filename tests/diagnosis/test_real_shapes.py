"""The diagnosis on failure text in the shapes real tools print (written for these tests).

Each excerpt below is the kind of text users paste: raw Packer output with any build name,
PACKER_LOG debug lines, machine-readable CSV, az CLI and PowerShell errors, autorest and ARM JSON
errors, CI logs with timestamps. None of them carries AIB's ``(telemetry)`` markers unless the
test says so, and each asserts the cause a careful reader would name.
"""

from __future__ import annotations

import pytest

from aib_pilot.diagnosis import diagnose


def cat(text: str, **kw) -> str:
    return diagnose(text.encode(), **kw).category


def top(text: str) -> str:
    d = diagnose(text.encode())
    return d.findings[0].rule.id if d.findings else "-"


# ------------------------------------------------------------------ wrappers never win
INNER_SKU = (
    "==> azure-arm: ERROR: -> InvalidTemplateDeployment : The template deployment 'pkrdp0x1' is not valid "
    "according to the validation procedure.\n"
    "==> azure-arm: ERROR:   -> SkuNotAvailable : The requested size for resource '/subscriptions/0000/"
    "resourceGroups/pkr-rg/providers/Microsoft.Compute/virtualMachines/pkrvm1' is currently not available in "
    "location 'northeurope' zones '' for subscription '0000'. Please try another size or deploy to a "
    "different location or zones.\n"
)


def test_inner_cause_beats_the_deployment_wrapper_in_a_packer_error_tree():
    d = diagnose(INNER_SKU.encode())
    assert d.category == "quota_or_capacity" and d.findings[0].rule.id == "AIB113"
    chain = d.to_dict()["chain"]
    assert chain[0]["rule"] == "AIB119" and chain[-1]["rule"] == "AIB113"
    assert [r.code for r in d.records][:1] == ["InvalidTemplateDeployment"]
    assert d.records[0].inner[0].code == "SkuNotAvailable"


def test_a_wrapper_alone_is_an_honest_unknown():
    text = ('Build \'ubuntu.azure-arm.base\' errored after 3 minutes 2 seconds: Code="DeploymentFailed" '
            'Message="At least one resource deployment operation failed. Please list deployment operations '
            'for details."\n')
    d = diagnose(text.encode())
    assert d.status == "failed" and d.category == "unknown"
    assert d.findings[0].rule.id == "AIB119" and "deployment operation" in d.findings[0].rule.fix


def test_policy_text_inside_an_autorest_wrapper():
    text = ('Build \'img\' errored after 12 seconds 40 milliseconds: resources.DeploymentsClient#CreateOrUpdate: '
            'Failure sending request: StatusCode=400 -- Original Error: Code="InvalidTemplateDeployment" '
            'Message="The template deployment failed because of policy violation. Please see details for more '
            'information." Details=[{"code":"RequestDisallowedByPolicy","target":"pkrkv12ab",'
            '"message":"Resource \'pkrkv12ab\' was disallowed by policy. Policy identifiers: \'[{}]\'."}]\n')
    d = diagnose(text.encode())
    assert d.category == "policy_denied"
    rec = d.records[0]
    assert rec.shape == "autorest" and rec.code == "InvalidTemplateDeployment"
    assert rec.inner and rec.inner[0].code == "RequestDisallowedByPolicy"


def test_escaped_json_inside_a_status_message_is_read_at_depth():
    status = ('{"status":"Failed","error":{"code":"ResourceDeploymentFailure","message":"The resource operation '
              'completed with terminal provisioning state \'Failed\'.","details":[{"code":"OSProvisioningTimedOut",'
              '"message":"OS Provisioning for VM \'vm2\' did not finish in the allotted time."}]}}')
    d = diagnose(None, status_message=status)
    assert d.category == "image_not_generalized"
    codes = [c for r in d.records for _, x in r.walk() for c in [x.code]]
    assert codes[:2] == ["ResourceDeploymentFailure", "OSProvisioningTimedOut"]


# ------------------------------------------------------------------ az CLI and PowerShell
def test_az_cli_parenthesised_code():
    assert cat("ERROR: (MissingSubscriptionRegistration) The subscription is not registered to use namespace "
               "'Microsoft.VirtualMachineImages'.\nCode: MissingSubscriptionRegistration\n") == "provider_not_registered"


def test_az_cli_code_and_message_block_is_one_record():
    d = diagnose(b"Code: OperationNotAllowed\nMessage: Operation could not be completed as it results in "
                 b"exceeding approved standardDSv5Family Cores quota.\n")
    assert d.category == "quota_or_capacity"
    assert d.records and d.records[0].code == "OperationNotAllowed" and d.records[0].shape == "az-cli"


def test_windows_powershell_error_record_from_a_customizer():
    text = "\n".join([
        "==> azure-arm: Provisioning with powershell script: C:/build/install-agent.ps1",
        "    azure-arm: Installing the agent",
        "==> azure-arm: Start-Process : This command cannot be run due to the error: The system cannot find the file specified.",
        "==> azure-arm: At C:\\Windows\\Temp\\script-65a1.ps1:12 char:1",
        "==> azure-arm: + Start-Process -FilePath C:\\agent\\setup.exe -Wait",
        "==> azure-arm: + ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
        "==> azure-arm:     + CategoryInfo          : InvalidOperation: (:) [Start-Process], InvalidOperationException",
        "==> azure-arm:     + FullyQualifiedErrorId : InvalidOperationException,Microsoft.PowerShell.Commands.StartProcessCommand",
        "==> azure-arm: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
        "Build 'azure-arm' errored after 14 minutes 3 seconds: Script exited with non-zero exit status: 1.",
    ]) + "\n"
    d = diagnose(text.encode())
    assert d.category == "customizer_failed"
    assert d.failing_section["name"].startswith("powershell")
    rec = next(r for r in d.records if r.shape == "powershell")
    assert rec.code == "InvalidOperationException" and rec.target == "Start-Process" or rec.code


def test_powershell_7_parameter_binding_error_at_submission():
    text = ("PS /home/me> New-AzResourceGroupDeployment -ResourceGroupName rg -TemplateFile aib.json -api-version 2024-02-01\n"
            "New-AzResourceGroupDeployment: A parameter cannot be found that matches parameter name 'api-version'.\n")
    assert cat(text) == "invalid_template"


def test_powershell_quota_record_without_a_code():
    text = ("New-AzVM : Operation results in exceeding quota limits of Core. Maximum allowed: 20, Current in use: 18, "
            "Additional requested: 4.\nAt line:1 char:1\n+ New-AzVM -ResourceGroupName rg -Name vm1 -Image img\n"
            "    + CategoryInfo          : CloseError: (:) [New-AzVM], ComputeCloudException\n"
            "    + FullyQualifiedErrorId : Microsoft.Azure.Commands.Compute.NewAzureVMCommand\n")
    assert cat(text) == "quota_or_capacity"


def test_cmdlet_errors_outside_a_customizer_are_not_customizer_failures():
    text = ("New-AzResourceGroupDeployment : 10:02:11 - The deployment 'aib' failed with error(s).\n"
            "Status Message: Internal error occurred. (Code:InternalOperationError)\n"
            "    + CategoryInfo          : NotSpecified: (:) [New-AzResourceGroupDeployment], Exception\n"
            "    + FullyQualifiedErrorId : Microsoft.Azure.Commands.ResourceManager.Cmdlets.Implementation.NewAzureResourceGroupDeploymentCmdlet\n")
    assert cat(text) != "customizer_failed"


# ------------------------------------------------------------------ Packer's own words
def test_any_build_name_and_the_summary_block():
    text = "\n".join([
        "==> win2022.azure-arm.base: Provisioning with shell script: /tmp/packer-shell981",
        "    win2022.azure-arm.base: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 811 (apt-get)",
        "==> win2022.azure-arm.base: Provisioning step had errors: Running the cleanup provisioner, if present...",
        "Build 'win2022.azure-arm.base' errored after 5 minutes 1 second: Script exited with non-zero exit status: 100.",
        "",
        "==> Some builds didn't complete successfully and had errors:",
        "--> win2022.azure-arm.base: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
    ]) + "\n"
    d = diagnose(text.encode())
    assert d.category == "package_manager_locked"
    assert d.failing_section["exit_code"] == 100


def test_machine_readable_csv_lines():
    text = ("1700000000,,ui,say,==> azure-arm: Provisioning with shell script: /tmp/p1\n"
            "1700000003,,ui,error,==> azure-arm: curl: (6) Could not resolve host: artifacts.example.net\n"
            "1700000004,,ui,error,Build 'azure-arm' errored after 4 seconds: Script exited with non-zero exit status: 6.\n")
    assert cat(text) == "file_download_failed"


def test_packer_config_validation_errors_are_template_errors():
    text = ("Error: 2 error(s) occurred:\n\n* managed_image_name must be specified\n"
            "* a location must be specified when build_resource_group_name is not\n")
    assert cat(text) == "invalid_template"


def test_plugin_panic_is_a_packer_crash():
    text = ("2025/01/05 09:14:02 packer-plugin-azure_v2.2.0_x5.0_linux_amd64 plugin: panic: runtime error: "
            "invalid memory address or nil pointer dereference\n"
            "2025/01/05 09:14:02 packer-plugin-azure_v2.2.0_x5.0_linux_amd64 plugin: goroutine 91 [running]:\n"
            "Build 'azure-arm' errored after 41 minutes: unexpected EOF\n")
    assert cat(text) == "packer_crash"


# ------------------------------------------------------------------ words whose meaning depends on the phase
def test_ssh_timeouts_while_waiting_are_a_communicator_timeout():
    text = ("==> azure-arm: Waiting for SSH to become available...\n"
            "2024/04/01 10:00:15 packer-plugin-azure plugin: [DEBUG] TCP connection to SSH ip/port failed: "
            "dial tcp 172.16.4.9:22: i/o timeout\n"
            "==> azure-arm: Timeout waiting for SSH.\n")
    assert cat(text) == "communicator_timeout"


def test_ssh_timeouts_before_a_successful_connection_are_not_a_cause():
    text = ("==> azure-arm: Waiting for SSH to become available...\n"
            "2024/04/01 10:00:15 packer-plugin-azure plugin: [DEBUG] TCP connection to SSH ip/port failed: "
            "dial tcp 172.16.4.9:22: i/o timeout\n"
            "==> azure-arm: Connected to SSH!\n"
            "==> azure-arm: Provisioning with shell script: /tmp/p\n"
            "    azure-arm: E: Unable to locate package nginx-full2\n"
            "==> azure-arm: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]\n"
            "Build 'azure-arm' errored after 2 minutes: Script exited with non-zero exit status: 100.\n")
    d = diagnose(text.encode())
    assert d.category == "customizer_failed" and "AIB220" not in [f.rule.id for f in d.findings]


def test_upload_timeouts_during_a_customizer_are_a_lost_connection():
    text = ("==> vhd: Provisioning with powershell script: C:/images/scripts/Install-Tools.ps1\n"
            "==> vhd: Error processing command: Error uploading ps script containing env vars: Error uploading file "
            "to $env:TEMP\\winrmcp-1.tmp: Couldn't create shell: unknown error Post \"https://20.1.2.3:5986/wsman\": "
            "dial tcp 20.1.2.3:5986: i/o timeout\n")
    assert cat(text) == "connection_lost"


def test_unexpected_eof_in_a_windows_update_is_an_exhausted_vm_but_not_after_capture():
    during = ("==> azure-arm: Uploading the Windows update elevated script...\n"
              "==> azure-arm: Running Windows update...\n"
              "    azure-arm: Downloading 12 updates (2104 MB)...\n"
              "Build 'azure-arm' errored after 1 hour 2 minutes: unexpected EOF\n")
    assert cat(during) == "vm_resources_exhausted"
    after = ("==> azure-arm: Capturing image ...\n"
             "==> azure-arm:  -> Image Name                : 'base-2204'\n"
             "==> azure-arm: Cleanup requested, deleting resource group ...\n"
             "Build 'azure-arm' errored after 40 minutes: unexpected EOF\n")
    assert cat(after) == "unknown"


def test_context_deadline_while_publishing_vs_while_deploying():
    publishing = ("==> azure-arm: Publishing to Shared Image Gallery ...\n"
                  "==> azure-arm: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- "
                  "Original Error: context deadline exceeded\n")
    assert cat(publishing) == "sig_replication_timeout"
    deploying = ("==> azure-arm: Deploying deployment template ...\n"
                 "Build 'azure-arm' errored after 20 minutes: Future#WaitForCompletion: context has been cancelled: "
                 "StatusCode=200 -- Original Error: context deadline exceeded\n")
    assert cat(deploying) == "transient_service_error"


def test_changed_source_vm_at_capture_means_the_image_name_is_taken():
    text = ("==> azure-arm: Capturing image ...\n"
            "==> azure-arm: ERROR: -> PropertyChangeNotAllowed : Changing property 'sourceVirtualMachine' is not allowed.\n"
            "Build 'azure-arm' errored after 25 minutes: unexpected EOF\n")
    assert cat(text) == "image_version_exists"


# ------------------------------------------------------------------ sequences
def _sysprep(states: list[str], tail: str) -> str:
    lines = ["==> azure-arm: Provisioning with Powershell...",
             "==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner1"]
    lines += [f"    azure-arm: IMAGE_STATE_{s}" for s in states]
    return "\n".join(lines) + "\n" + tail


def test_sysprep_polling_that_never_reaches_oobe_is_a_sysprep_failure():
    text = _sysprep(["COMPLETE"] + ["UNDEPLOYABLE"] * 6, "Build 'azure-arm' errored: Build was cancelled\n")
    d = diagnose(text.encode())
    assert d.category == "sysprep_failed" and d.findings[0].rule.id == "AIB311"


def test_sysprep_polling_that_reaches_oobe_is_not_a_failure():
    text = _sysprep(["COMPLETE", "UNDEPLOYABLE", "UNDEPLOYABLE", "GENERALIZE_RESEAL_TO_OOBE"],
                    "==> azure-arm: Querying the machine's properties ...\n"
                    "==> azure-arm: ERROR: -> ReplicationJobsNotCompleted : Replication failed in this region.\n")
    d = diagnose(text.encode())
    assert "AIB311" not in [f.rule.id for f in d.findings] and d.category == "distribution_failed"


def test_sysprep_polling_of_a_running_build_is_not_called_stuck():
    text = _sysprep(["COMPLETE", "UNDEPLOYABLE", "UNDEPLOYABLE", "UNDEPLOYABLE"], "")
    assert "AIB311" not in [f.rule.id for f in diagnose(text.encode(), run_state="Running").findings]


# ------------------------------------------------------------------ CI logs
def test_azure_devops_agent_lost():
    text = ("2025-02-03T10:00:00.1234567Z ==> azure-arm: Running Windows update...\n"
            "##[error]We stopped hearing from agent Hosted Agent. Verify the agent machine is running and has a "
            "healthy network connection.\n")
    assert cat(text) == "pipeline_timeout"


def test_github_actions_timestamps_and_error_lines():
    text = ("2025-03-01T08:00:01.0000000Z ==> azure-arm.img: Provisioning with shell script: ./setup.sh\n"
            "2025-03-01T08:00:09.0000000Z     azure-arm.img: dpkg: error: dpkg frontend lock was locked by another process with pid 1977\n"
            "2025-03-01T08:00:10.0000000Z ##[error]Process completed with exit code 1.\n")
    assert cat(text) == "package_manager_locked"


@pytest.mark.parametrize("text, category", [
    ("Operation 'DELETE' is not allowed in provisioningState: 'Updating'\n", "run_in_progress"),
    ("(OperationNotAllowed) Operation Microsoft.VirtualMachineImages/imageTemplates/delete is not allowed in "
     "provisioning state: Succeeded or run state: Canceling.\n", "cancel_stuck"),
    ("[error]Error: put template call failed for template t_1 with error: The subscription is not registered for "
     "the resource type 'imageTemplates'. (CODE: 409)\n", "provider_not_registered"),
    ("Build 'azure-arm' errored: A managed image named web-2025 already exists in the resource group img.\n",
     "image_version_exists"),
    ("==> azure-arm: ERROR: Cannot create file: There is not enough space on the disk. : D:\\cache\\sdk.zip\n",
     "vm_resources_exhausted"),
    ("    azure-arm: Could not download https://downloads.example.org/tool/v9/tool.tgz\n", "file_download_failed"),
    ('--> vhd: Code="NetworkingInternalOperationError" Message="An unexpected error occurred while processing '
     'the network profile of the VM. Please retry later."\n', "transient_service_error"),
    ("Error: Code=InvalidParameter; Message=In region westus3, the following list of Shared Image Gallery images "
     "referenced from the deployment template were not found: /CommunityGalleries/c1/Images/i1/Versions/latest.\n",
     "source_image_not_found"),
    ("Build 'azure-arm' errored: the Shared Gallery Image to which to publish the managed image version to does "
     "not exist in the resource group images\n", "invalid_template"),
    ("==> azure-arm: ERROR: -> InternalOperationError : Replication failed in this region due to 'Storage "
     "allocation failure'.\n", "distribution_failed"),
    # the reconnect after a script failed; with no deprovisioning step in sight, a lost connection
    # (after `waagent -deprovision+user` it is the deprovisioning step: test_generality_packer2)
    ("Build 'azure-arm' errored: Retryable error: Error removing temporary script at /tmp/script_42.sh: ssh: "
     "handshake failed: EOF\n", "connection_lost"),
    ("*PACKER ERR 2024/05/06 11:00:00 packer-provisioner-windows-restart plugin: echo didn't succeed; retrying...\n"
     "*PACKER ERR 2024/05/06 11:00:00 packer-provisioner-windows-restart plugin: echo didn't succeed; retrying...\n",
     "windows_restart_timeout"),
])
def test_one_line_shapes(text, category):
    assert cat(text) == category


@pytest.mark.parametrize("text", [
    "==> azure-arm: Pausing after run of step 'StepDeployTemplate'. Press enter to continue.\n",
    "    azure-arm: 0 errors, 0 warnings\n",
    "==> azure-arm: ERROR: -> DeploymentFailed : At least one resource deployment operation failed.\n",
])
def test_lines_that_are_not_a_cause(text):
    assert cat(text) == "unknown"
