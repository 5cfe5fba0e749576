"""Causes printed in words or shapes the first rules did not read, and what must stay unread.

Each log below is written for this test in the shape the tool prints it (Packer's console and
summary lines with a named build, AIB's ``[operation] PACKER OUT`` prefix, the AIB DevOps task,
autorest errors, a log cut at a fixed width by a viewer). None is copied from a public thread.
Every cause has a neighbour that must not be read as that cause: an echo, a success, a bare
storage error body someone got opening a link.
"""

from __future__ import annotations

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.scanner import wrapped_lines

OP = "[6b1e0c2a-93d4-4f0e-b1a7-2c5d8e9f0a13]"


def run(text: str):
    return diagnose(text.encode())


def top(d) -> str:
    return d.findings[0].rule.id if d.findings else "-"


# ------------------------------------------------------------------ Azure Storage's own errors
def test_a_script_downloading_a_missing_blob_is_a_download_failure_not_a_missing_source_image():
    d = run("\n".join([
        "==> azure-arm.web: Provisioning with shell script: ./scripts/fetch-agent.sh",
        "    azure-arm.web: + curl -sfS https://stagentdrop.blob.core.windows.net/drop/agent-4.2.tgz",
        '    azure-arm.web: <?xml version="1.0" encoding="utf-8"?><Error><Code>ResourceNotFound</Code>'
        "<Message>The specified resource does not exist.",
        "    azure-arm.web: RequestId:0c5e1b7a-001e-0042-3a1b-8e7f2c000000",
        "==> azure-arm.web: Provisioning step had errors: Running the cleanup provisioner, if present...",
        "Build 'azure-arm.web' errored after 6 minutes 3 seconds: Script exited with non-zero exit status: 22. "
        "Allowed exit codes are: [0]",
    ]) + "\n")
    assert d.category == "file_download_failed" and top(d) == "AIB126"
    assert "AZ-ResourceNotFound" in [f.rule.id for f in d.findings]  # said, but outranked


def test_a_bare_storage_error_body_is_what_someone_got_opening_a_link():
    text = (
        "Deployment failed. Correlation ID: 1f0e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b. During the image build a "
        "failure has occurred. Please review the build log to identify which build/customization step "
        "failed. Image build log location: https://x1y2z3.blob.core.windows.net/packerlogs/"
        "0a1b2c3d/customization.log. OperationId: 0a1b2c3d-1111-2222-3333-444455556666.\n\n"
        "<Error>\n<Code>PublicAccessNotPermitted</Code>\n"
        "<Message>Public access is not permitted on this storage account. RequestId:77aa Time:2025-01-09T08:00:00Z"
        "</Message>\n</Error>\n")
    d = run(text)
    assert d.category == "unknown" and top(d) == "AIB119"
    assert all(f.category != "storage_access_blocked" for f in d.findings)


def test_the_same_storage_error_printed_by_the_build_still_counts():
    d = run(f"{OP} PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell101\n"
            f"{OP} PACKER OUT     azure-arm: AuthorizationFailure This request is not authorized to perform "
            "this operation. RequestId:9f00\n"
            f"{OP} PACKER ERR 2025/01/09 08:00:01 [INFO] (telemetry) ending shell\n"
            f"{OP} PACKER OUT Build 'azure-arm' errored after 2 minutes: Script exited with non-zero exit status: 1\n")
    assert d.category == "storage_access_blocked"


# ------------------------------------------------------------------ apt, dash, deprovision
def test_apt_reading_lists_while_cloud_init_rewrites_them():
    d = run("\n".join([
        f"{OP} PACKER 2025/02/11 10:01:07 ui: ==> azure-arm: Provisioning with shell script: /tmp/script_3311.sh",
        f"{OP} PACKER 2025/02/11 10:01:09 ui:     azure-arm: Reading package lists...",
        f"{OP} PACKER 2025/02/11 10:01:09 ui:     azure-arm: E: Could not open file /var/lib/apt/lists/"
        "azure.archive.ubuntu.com_ubuntu_dists_noble-updates_universe_binary-amd64_Packages - "
        "open (2: No such file or directory)",
        f"{OP} PACKER 2025/02/11 10:01:10 ui error: Build 'azure-arm' errored after 1 minute 40 seconds: "
        "Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
    ]) + "\n")
    assert d.category == "package_manager_locked" and top(d) == "AIB224"


def test_clearing_apt_lists_in_a_build_that_succeeds_is_not_a_cause():
    d = run("\n".join([
        "==> azure-arm.ubuntu: Provisioning with shell script: ./cleanup.sh",
        "    azure-arm.ubuntu: + rm -rf /var/lib/apt/lists/*",
        "    azure-arm.ubuntu: + apt-get update",
        "    azure-arm.ubuntu: Reading package lists...",
        "Build 'azure-arm.ubuntu' finished after 9 minutes 12 seconds.",
        "==> Builds finished. The artifacts of successful builds are:",
    ]) + "\n")
    assert d.status == "succeeded" and d.findings == []


def test_dash_says_not_found_without_command():
    d = run("\n".join([
        "==> azure-arm.ub2404: Provisioning with shell script: ./scripts/tools.sh",
        "    azure-arm.ub2404: /tmp/script_8812.sh: 4: yq: not found",
        "==> azure-arm.ub2404: Provisioning step had errors: Running the cleanup provisioner, if present...",
        "Build 'azure-arm.ub2404' errored after 3 minutes 8 seconds: Script exited with non-zero exit status: 127. "
        "Allowed exit codes are: [0]",
    ]) + "\n")
    assert d.category == "customizer_failed" and top(d) == "AIB213"


def test_waagent_missing_in_aibs_deprovision_step_in_dash_words():
    d = run("\n".join([
        "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell228811",
        "PACKER OUT     azure-arm: /usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync",
        "PACKER OUT     azure-arm: /tmp/DeprovisioningScript.sh: 1: /usr/sbin/waagent: not found",
        "PACKER ERR 2025/03/02 11:40:02 [INFO] RPC client: Communicator ended with: 127",
    ]) + "\n")
    assert d.category == "deprovision_failed" and top(d) == "AIB304"



def test_a_script_quoting_apts_lock_message_does_not_outrank_the_real_cause():
    # set -x shows the command, then the script's own message quotes apt; the failure is curl's
    d = run("\n".join([
        "==> azure-arm.u: Provisioning with shell script: ./install.sh",
        "    azure-arm.u: + echo 'waiting while: Could not get lock /var/lib/dpkg/lock-frontend'",
        "    azure-arm.u: waiting while: Could not get lock /var/lib/dpkg/lock-frontend",
        "    azure-arm.u: + curl -fsSL https://pkgs.example.net/key.gpg",
        "    azure-arm.u: curl: (6) Could not resolve host: pkgs.example.net",
        "Build 'azure-arm.u' errored after 2 minutes: Script exited with non-zero exit status: 6. "
        "Allowed exit codes are: [0]",
    ]) + "\n")
    assert d.category == "file_download_failed" and top(d) == "AIB212"
    assert "AIB211" not in [f.rule.id for f in d.findings]


def test_a_traced_command_naming_an_error_is_not_that_error():
    d = run("==> azure-arm.u: Provisioning with shell script: ./check.sh\n"
            "    azure-arm.u: ++ grep -c 'The specified blob does not exist.' /var/log/fetch.log\n"
            "    azure-arm.u: + test 0 -eq 0\n"
            "Build 'azure-arm.u' errored after 1 minute: Script exited with non-zero exit status: 1. "
            "Allowed exit codes are: [0]\n")
    assert d.category == "customizer_failed" and top(d) == "AIB202"

# ------------------------------------------------------------------ capture and publishing
def test_copying_the_vhd_timing_out_is_a_capture_failure():
    d = run("\n".join([
        "==> azure-arm.vhd: Querying the machine's properties ...",
        "==> azure-arm.vhd: Capturing image ...",
        "==> azure-arm.vhd:  Copying VHD to Storage Account ...",
        "==> azure-arm.vhd:  VHD Name                  : 'pkros8k2j1x0abc.vhd'",
        "==> azure-arm.vhd: failed to capture OS Disk with err : failed to copy to storage with err : "
        "error copying: waiting for file to copy: context deadline exceeded",
        "==> azure-arm.vhd: Provisioning step had errors: Running the cleanup provisioner, if present...",
        "Build 'azure-arm.vhd' errored after 2 hours 1 minute: failed to capture OS Disk with err : failed to copy "
        "to storage with err : error copying: waiting for file to copy: context deadline exceeded",
    ]) + "\n")
    assert d.category == "distribution_failed" and top(d) == "AIB314" and d.phase == "distribute"


def test_capturing_and_copying_lines_of_a_successful_build_are_not_causes():
    d = run("\n".join([
        "==> azure-arm.vhd: Capturing image ...",
        "==> azure-arm.vhd:  Copying VHD to Storage Account ...",
        "==> azure-arm.vhd: Deleting individual resources ...",
        "Build 'azure-arm.vhd' finished after 48 minutes.",
        "==> Builds finished. The artifacts of successful builds are:",
    ]) + "\n")
    assert d.status == "succeeded" and d.findings == []


# ------------------------------------------------------------------ submission and ARM
def test_the_devops_task_reporting_a_gateway_timeout():
    d = run("starting run template...\n"
            "##[error]Error: post template call failed for template t_1718000000 with error: The gateway did not "
            "receive a response from 'Microsoft.VirtualMachineImages' within the specified time period. (CODE: 504)\n")
    assert d.category == "transient_service_error" and top(d) == "AIB117"


def test_the_devops_task_reporting_a_generic_internal_error_stays_unknown():
    d = run("##[error]Error: put template call failed for template t_1718000001 with error: Internal error "
            "occurred. This is a generic error. To identify possible causes, go to https://aka.ms/azvmimagebuilderts. "
            "(CODE: 200)\n")
    assert d.category == "unknown"


def test_an_unsupported_api_version_is_a_template_error():
    d = run("Build 'azure-arm.ci' errored after 841 milliseconds: compute.ImagesClient#Get: Failure responding "
            "to request: StatusCode=400 -- Original Error: autorest/azure: Service returned an error. Status=400 "
            "Code=\"InvalidApiVersionParameter\" Message=\"The api-version '2017-13-01' is invalid. The supported "
            "versions are '2024-07-01,2024-03-01'.\"\n")
    assert d.category == "invalid_template" and top(d) == "AZ-InvalidApiVersionParameter"


def test_arms_terminal_state_sentence_alone_is_a_wrapper():
    d = run("Set-AzVMExtension : Long running operation failed with status 'Failed'. The resource write "
            "operation failed to complete successfully, because it reached terminal provisioning state 'Failed'.\n")
    assert d.category == "unknown" and top(d) == "AIB119"


def test_the_terminal_state_sentence_around_an_inner_code_gives_the_inner_cause():
    status = ('{"status":"Failed","error":{"code":"ResourceDeploymentFailure","message":"The resource write '
              "operation failed to complete successfully, because it reached terminal provisioning state "
              '\'Failed\'.","details":[{"code":"VMExtensionProvisioningError","message":"VM has reported a failure '
              "when processing extension 'setup'. Error message: \\\"Enable failed: command terminated with exit "
              'status=1\\"."}]}}')
    d = diagnose(None, status_message=status)
    assert d.category == "customizer_failed"


def test_aib_validation_message_without_a_dotted_path():
    d = run("ERROR: Operation failed with status: 'Bad Request'. Details: Validation failed: 'ImageTemplate': "
            "Missing field 'source'. Please review http://aka.ms/azvmimagebuildertmplref for details.\n")
    assert d.category == "invalid_template" and top(d) == "AIB106"


def test_a_managed_source_image_that_cannot_be_found():
    d = run("==> azure-arm: ERROR: -> NotFound : The Image '/subscriptions/0000/resourceGroups/golden-rg/providers/"
            "Microsoft.Compute/images/base-2404' cannot be found.\n")
    assert d.category == "source_image_not_found" and top(d) == "AIB123"


def test_a_cut_off_not_authorized_sentence_is_still_a_permission_problem():
    d = run("Deployment failed. Correlation ID: 0f1e2d3c-0000-1111-2222-333344445555. Not authorized to access the\n")
    assert d.category == "missing_permissions"


def test_gallery_image_missing_in_the_wording_that_names_it():
    d = run("Build 'azure-arm.w11' errored after 2 seconds 5 milliseconds: the Shared Gallery Image 'w11-avd' to "
            "which to publish the managed image version to does not exist in the resource group 'img' or does not "
            "contain managed image 'base'\n")
    assert d.category == "invalid_template" and top(d) == "AIB124"


def test_ssh_agent_auth_without_an_agent():
    d = run("\n".join([
        "==> azure-arm: Waiting for SSH to become available...",
        "2025/04/02 09:10:11 packer: 2025/04/02 09:10:11 [DEBUG] Error getting SSH config: SSH_AUTH_SOCK is not set",
        "2025/04/02 09:10:16 packer: 2025/04/02 09:10:16 [DEBUG] Error getting SSH config: SSH_AUTH_SOCK is not set",
    ]) + "\n")
    assert d.category == "invalid_template" and top(d) == "AIB226"


# ------------------------------------------------------------------ text cut by a log viewer
def _wrap(text: str, width: int) -> str:
    out = []
    for line in text.splitlines():
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return "\n".join(out) + "\n"


GALLERY = ("==> azure-arm.rhel9: Running builder ...\n"
           "Build 'azure-arm.rhel9' errored after 1 second 31 milliseconds: the Shared Gallery Image to which to "
           "publish the managed image version to does not exist in the resource group images-prod\n"
           "==> Builds finished but no artifacts were created.\n")


def test_a_cause_cut_in_two_by_a_fixed_width_viewer_is_read_on_the_joined_line():
    assert diagnose(GALLERY.encode()).category == "invalid_template"
    cut = _wrap(GALLERY, 80)
    d = diagnose(cut.encode())
    assert d.category == "invalid_template" and top(d) == "AIB124"
    assert d.findings[0].evidence[0].line == 2  # the first physical part of the cut line


def test_a_hard_wrap_is_told_from_an_ordinary_log():
    cut = _wrap(GALLERY, 80).encode()
    groups = wrapped_lines(cut)
    assert [n for n, _ in groups] == [2] and b"to which to publish the managed" in groups[0][1]
    assert wrapped_lines(GALLERY.encode()) == []          # lines of many lengths: no wrap
    polling = ("    azure-arm: Waiting for operation to complete (system performance: 12% cpu; 40% memory)...\n" * 4
               + "    azure-arm: done\n").encode()
    assert wrapped_lines(polling) == []                   # one line repeated is a polling loop, not a cut
    odd = ("x" * 77 + "\n" + "y" * 20 + "\n").encode()
    assert wrapped_lines(odd) == []                       # one full line at an unusual width



ONE_LINERS = [
    # the capture step failing for another reason than the copy
    ("==> azure-arm.img: Capturing image ...\n"
     "==> azure-arm.img: failed to capture OS Disk with err : compute.VirtualMachinesClient#Generalize: "
     "Failure sending request: StatusCode=409 -- Original Error: Code=\"OperationNotAllowed\"\n"
     "Build 'azure-arm.img' errored after 31 minutes 2 seconds: failed to capture OS Disk with err : "
     "compute.VirtualMachinesClient#Generalize: Failure sending request: StatusCode=409\n",
     "distribution_failed", "AIB314"),
    # the AIB DevOps task's status code alone names a server error
    ("##[error]Error: put template call failed for template t_1718000002 with error: upstream request "
     "reset (CODE: 503)\n", "transient_service_error", "AIB117"),
    # an over-quota SKU under two validation wrappers, as az prints inner errors
    ('{"code": "InvalidTemplateDeployment", "message": "The template deployment \'img\' is not valid '
     'according to the validation procedure. See inner errors for details."}\n\nInner Errors: \n'
     '{"code": "ValidationForResourceFailed", "message": "Validation failed for a resource."}\n\n'
     'Inner Errors: \n{"code": "SubscriptionIsOverQuotaForSku", "message": "This region has quota of 0 '
     'instances for your subscription. Try selecting different region or SKU."}\n',
     "quota_or_capacity", "AZ-SubscriptionIsOverQuotaForSku"),
]


@pytest.mark.parametrize("text,category,rule", ONE_LINERS)
def test_one_excerpt_one_cause(text, category, rule):
    d = run(text)
    assert d.category == category and top(d) == rule


def test_aibs_provisioning_error_text_with_internal_operation_error_inside_the_wrapper():
    # the guide's case in the form AIB's provisioningError message prints it: the wrapper sentence
    # alone is unknown, the InternalOperationError inside it is the permissions case
    d = diagnose(None, provisioning_error={
        "provisioningErrorCode": "Other",
        "provisioningErrorMessage": "ResourceDeploymentFailure: The resource operation completed with terminal "
                                    "provisioning state 'Failed'. Details: InternalOperationError: Internal error "
                                    "occurred."})
    assert d.category == "missing_permissions" and top(d) == "AIB102"
