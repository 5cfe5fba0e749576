"""Provisioner failures told in the provisioners' own words, and errors the build went past.

The lines are written for these tests in the shapes the tools print (Packer's windows-update,
Chef/Ansible/Puppet provisioners and WinRM communicator, dpkg, rpm, cmd.exe, Pester, the AIB
DevOps task); builder names, paths, codes and values are made up.
"""

from __future__ import annotations

import pytest

from aib_pilot.diagnosis import diagnose


def run(text: str):
    return diagnose(text.encode())


WINRM_401 = (
    "2023/01/19 10:40:02 ui: ==> azure-arm.cis2019: Waiting for WinRM to become available...\n"
    "2023/01/19 10:40:02 packer-plugin-azure_v1.4.0 plugin: [INFO] Attempting WinRM connection...\n"
    "2023/01/19 10:40:03 packer-plugin-azure_v1.4.0 plugin: [ERROR] connection error: http response error: "
    "401 - invalid content type\n"
    "2023/01/19 10:40:03 packer-plugin-azure_v1.4.0 plugin: [ERROR] WinRM connection err: http response "
    "error: 401 - invalid content type\n"
    "2023/01/19 10:40:08 packer-plugin-azure_v1.4.0 plugin: [INFO] Attempting WinRM connection...\n"
    "2023/01/19 10:40:09 packer-plugin-azure_v1.4.0 plugin: [ERROR] WinRM connection err: http response "
    "error: 401 - invalid content type\n"
)


#: (text, the cause a careful reader names, the rule expected on top or None)
CAUSES = [
    pytest.param(
        "==> hyperv-iso.w11: Machine successfully restarted, moving on\n"
        "==> hyperv-iso.w11: Uploading the Windows update elevated script...\n"
        "==> hyperv-iso.w11: Uploading the Windows update script...\n"
        "==> hyperv-iso.w11: Running Windows update...\n"
        "Build 'hyperv-iso.w11' errored after 41 minutes: Windows update script exited with non-zero exit "
        "status: 16001\n",
        "windows_update_failed", "AIB227", id="windows_update_script_exit_status_is_a_windows_update_failure"),
    pytest.param(
        "2023/09/14 07:02:11 ui: ==> azure-arm.w2022: Running Windows update...\n"
        "2023/09/14 07:02:11 packer-plugin-azure_v2.0.2 plugin: 2023/09/14 07:02:11 [INFO] starting remote "
        "command: PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File "
        "C:/Windows/Temp/packer-windows-update-elevated.ps1\n"
        "2023/09/14 07:02:40 ui:     azure-arm.w2022: Searching for Windows updates...\n"
        "2023/09/14 07:05:52 packer-plugin-azure_v2.0.2 plugin: 2023/09/14 07:05:52 [INFO] command "
        "'PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File "
        "C:/Windows/Temp/packer-windows-update-elevated.ps1' exited with code: 2147500037\n"
        "2023/09/14 07:05:52 packer-plugin-azure_v2.0.2 plugin: 2023/09/14 07:05:52 [INFO] RPC endpoint: "
        "Communicator ended with: 2147500037\n",
        "windows_update_failed", "AIB227", id="the_elevated_update_task_exit_code_in_debug_output"),
    pytest.param(
        "2022/05/10 14:21:07 ui error: ==> googlecompute.web: Error executing Ansible: Non-zero exit status: 2\n"
        "==> googlecompute.web: Error executing Ansible: Non-zero exit status: 2\n"
        "2022/05/10 14:21:07 ui error: ==> googlecompute.web: Step \"StepProvision\" failed, aborting...\n"
        "2022/05/10 14:21:07 /usr/bin/packer: plugin process exited\n"
        "2022/05/10 14:21:07 ui error: Build 'googlecompute.web' errored: unexpected EOF\n"
        "==> Some builds didn't complete successfully and had errors:\n"
        "--> googlecompute.web: unexpected EOF\n",
        "customizer_failed", "AIB229", id="unexpected_eof_after_a_failed_provisioner_is_its_teardown"),
    pytest.param(
        "==> azure-arm.api: Provisioning with shell script: ./install.sh\n"
        "    azure-arm.api: Building wheels for collected packages ...\n"
        "Build 'azure-arm.api' errored after 52 minutes 3 seconds: unexpected EOF\n",
        "vm_resources_exhausted", None, id="unexpected_eof_alone_still_points_at_an_exhausted_vm"),
    pytest.param(
        "==> qemu.rhel9: Puppet exited with a non-zero exit status: 4\n"
        "Build 'qemu.rhel9' errored after 6 minutes: Puppet exited with a non-zero exit status: 4\n",
        "customizer_failed", "AIB229", id="puppet_non_zero_exit"),
    pytest.param(
        WINRM_401,
        "communicator_timeout", "AIB228", id="winrm_refusing_every_login_is_a_connection_failure"),
    pytest.param(
        "==> azure-arm.focal: dpkg: error: dpkg frontend is locked by another process\n",
        "package_manager_locked", None, id="dpkg_frontend_locked_wording"),
    pytest.param(
        "  Installing       : crypto-policies-20230731-1.el9.noarch            18/52Error unpacking rpm package "
        "crypto-policies-20230731-1.el9.noarch\n"
        "error: unpacking of archive failed on file /etc/crypto-policies/back-ends;6501a2b0: cpio: File from "
        "package already exists as a directory in system\n"
        "error: crypto-policies-20230731-1.el9.noarch: install failed\n",
        "customizer_failed", "AIB230", id="rpm_unpack_failure_is_a_customizer_failure"),
    pytest.param(
        "==> vmware-iso.w10: Provisioning with windows-shell...\n"
        "==> vmware-iso.w10: Provisioning with shell script: C:\\build\\scripts\\tools.bat\n"
        "==> vmware-iso.w10: 'nuget' is not recognized as an internal or external command,\n"
        "==> vmware-iso.w10: operable program or batch file.\n"
        "==> vmware-iso.w10: Provisioning step had errors: Running the cleanup provisioner, if present...\n",
        "customizer_failed", None, id="cmd_exe_unknown_command_in_a_windows_shell_provisioner"),
    # no "Provisioning with" line: the lines before Packer's failure report are the failing step
    pytest.param(
        "    amazon-ebs.jammy: Reading state information...\n"
        "==> amazon-ebs.jammy: E: Unable to locate package linux-tools-6.2.0-1012-aws\n"
        "==> amazon-ebs.jammy: Provisioning step had errors: Running the cleanup provisioner, if present...\n"
        "==> amazon-ebs.jammy: Terminating the source AWS instance...\n",
        "customizer_failed", "AIB213", id="apt_error_in_an_excerpt_without_customizer_markers"),
    pytest.param(
        "    azure-arm.vs2022: Describing Docker\n"
        "    azure-arm.vs2022:   [+] docker-compose is installed 210ms (205ms|5ms)\n"
        "    azure-arm.vs2022:   [-] docker service is running 1.02s (1.01s|8ms)\n"
        "    azure-arm.vs2022:    Expected 'Running', but got 'Stopped'.\n"
        "    azure-arm.vs2022: Tests Passed: 61, Failed: 1, Skipped: 0 NotRun: 0\n",
        "customizer_failed", "AIB231", id="pester_failure"),
    pytest.param(
        "==> azure-arm.rocky: Deploying deployment template ...\n"
        "==> azure-arm.rocky: resources.DeploymentsClient#CreateOrUpdate: Failure sending request: "
        "StatusCode=503 -- Original Error: Code=\"ServiceUnavailable\" Message=\"The service is unavailable.\"\n"
        "==> azure-arm.rocky: Cleanup requested, deleting resource group ...\n"
        "Build 'azure-arm.rocky' errored after 2 minutes: ServiceUnavailable\n",
        "transient_service_error", None, id="a_transient_error_with_nothing_after_it_is_still_the_cause"),
    pytest.param(
        "    qemu.debian12: TASK [base : install chrony] **********************************************\n"
        "    qemu.debian12: fatal: [default]: FAILED! => {\"changed\": false, \"msg\": \"No package matching "
        "'chronyd' is available\"}\n"
        "    qemu.debian12: PLAY RECAP *********************************************************************\n"
        "    qemu.debian12: default                    : ok=7    changed=3    unreachable=0    failed=1    "
        "skipped=0    rescued=0    ignored=0\n"
        "Build 'qemu.debian12' errored after 3 minutes 9 seconds: Error executing Ansible: Non-zero exit "
        "status: exit status 2\n",
        "customizer_failed", "AIB229", id="ansible_error_in_its_string_form_and_its_recap"),
    pytest.param(
        "2024/03/08 12:00:01 packer-plugin-azure_v2.1.3 plugin: [INFO] Attempting SSH connection to 10.4.0.7:22...\n"
        "2024/03/08 12:00:01 packer-plugin-azure_v2.1.3 plugin: [DEBUG] handshaking with SSH\n"
        "2024/03/08 12:01:01 packer-plugin-azure_v2.1.3 plugin: [DEBUG] SSH handshake err: Timeout during SSH "
        "handshake\n"
        "2024/03/08 12:01:08 packer-plugin-azure_v2.1.3 plugin: [INFO] Attempting SSH connection to 10.4.0.7:22...\n"
        "2024/03/08 12:02:08 packer-plugin-azure_v2.1.3 plugin: [DEBUG] SSH handshake err: Timeout during SSH "
        "handshake\n",
        "communicator_timeout", "AIB232", id="ssh_handshake_failing_on_every_attempt"),
    pytest.param(
        "Build 'hyperv-iso.w2019' errored: Error processing command: Retryable error: Error uploading ps "
        "script containing env vars: Error uploading file to $env:TEMP\\winrmcp-0a1b.tmp: Couldn't create "
        "shell: http response error: 401 - invalid content type\n",
        "communicator_timeout", "AIB228", id="winrm_401_when_creating_a_shell_for_an_upload"),
    pytest.param(
        "2016/03/02 10:11:12 packer-builder-qemu: 2016/03/02 10:11:12 starting remote command: chmod +x "
        "/tmp/script_118.sh; /tmp/script_118.sh\n"
        "2016/03/02 10:11:19 packer-builder-qemu: 2016/03/02 10:11:19 remote command exited with '3': "
        "/tmp/script_118.sh\n"
        "2016/03/02 10:11:19 packer-builder-qemu: 2016/03/02 10:11:19 [INFO] RPC endpoint: Communicator ended with: 3\n",
        "customizer_failed", "AIB202", id="the_ssh_communicators_remote_command_exit_line"),
    # the "Running Windows update..." line was not pasted: the plugin's own error lines still count
    pytest.param(
        "2024-05-02T09:10:11.0000000Z     azure-arm.w11: ERROR EXCEPTION: System.Runtime.InteropServices."
        "COMException (0x80070422)\n"
        "2024-05-02T09:10:16.0000000Z ==> azure-arm.w11: Provisioning step had errors: Running the cleanup "
        "provisioner, if present...\n",
        "windows_update_failed", None, id="windows_update_plugin_exception_in_an_excerpt_without_its_start_line"),
    pytest.param(
        "2019/11/04 16:20:01 ui:     qemu.centos7: Loaded plugins: fastestmirror\n"
        "2019/11/04 16:20:31 ui:     qemu.centos7: Could not retrieve mirrorlist http://mirrors.example.org/?release=7 "
        "error was\n"
        "2019/11/04 16:20:31 ui:     qemu.centos7: 12: Timeout on http://mirrors.example.org/?release=7: (28, 'Connection "
        "timed out after 30001 milliseconds')\n"
        "2019/11/04 16:20:31 ui:     qemu.centos7: One of the configured repositories failed (Unknown),\n",
        "file_download_failed", "AIB212", id="yum_repository_unreachable"),
    pytest.param(
        "2015/06/02 11:00:05 packer-builder-amazon-windows-ebs: 2015/06/02 11:00:05 WinRM connection err: unknown "
        "error Post http://172.31.9.14:5985/wsman: dial tcp 172.31.9.14:5985: connection timed out\n"
        "2015/06/02 11:00:12 packer-builder-amazon-windows-ebs: 2015/06/02 11:00:12 WinRM connection err: http "
        "error: 401 - \n",
        "communicator_timeout", None, id="older_winrm_client_wordings"),
    pytest.param(
        "==> azure-arm.w2019: Provisioning with powershell script: ./scripts/features.ps1\n"
        "    azure-arm.w2019: Enabling IIS...\n"
        "==> azure-arm.w2019: Enable-WindowsOptionalFeature : The referenced assembly could not be found.\n"
        "==> azure-arm.w2019: Provisioning step had errors: Running the cleanup provisioner, if present...\n",
        "customizer_failed", "AIB221", id="powershell_record_first_line_on_packers_error_stream"),
]


@pytest.mark.parametrize("text,category,rule", CAUSES)
def test_the_tool_s_own_words_name_the_cause(text, category, rule):
    d = run(text)
    assert d.category == category
    if rule is not None:
        assert d.findings[0].rule.id == rule


#: texts in which the build went on or finished: no failure cause
NO_CAUSE = [
    pytest.param(
        "    azure-arm.vs2022:   [+] docker-compose is installed 210ms (205ms|5ms)\n"
        "    azure-arm.vs2022: Tests Passed: 62, Failed: 0, Skipped: 0 NotRun: 0\n",
        id="passing_pester_run_is_no_failure"),
    pytest.param(
        "    qemu.debian12: default                    : ok=9    changed=4    unreachable=0    failed=0    "
        "skipped=1    rescued=0    ignored=1\n"
        "Build 'qemu.debian12' finished after 5 minutes 2 seconds.\n",
        id="ansible_recap_without_failures_is_no_cause"),
    pytest.param(
        "==> azure-arm.alma9: Waiting for SSH to become available...\n"
        "2024/03/08 12:01:01 packer-plugin-azure plugin: [DEBUG] SSH handshake err: ssh: handshake failed: EOF\n"
        "==> azure-arm.alma9: Connected to SSH!\n"
        "==> azure-arm.alma9: Provisioning with shell script: ./base.sh\n"
        "    azure-arm.alma9: Complete!\n"
        "Build 'azure-arm.alma9' finished after 12 minutes 40 seconds.\n",
        id="ssh_handshake_errors_while_the_vm_boots_are_no_cause"),
]


@pytest.mark.parametrize("text", NO_CAUSE)
def test_no_failure_cause(text):
    d = run(text)
    assert d.category == "unknown" and d.status != "failed"


def test_exit_code_101_is_the_update_loop_asking_for_a_restart():
    d = run(
        "==> azure-arm.w2019: Running Windows update...\n"
        "2023/09/14 07:05:52 packer-plugin-azure plugin: [INFO] command 'PowerShell -ExecutionPolicy Bypass "
        "-OutputFormat Text -File C:/Windows/Temp/packer-windows-update-elevated.ps1' exited with code: 101\n"
        "==> azure-arm.w2019: Restarting the machine...\n"
        "==> azure-arm.w2019: Waiting for machine to become available...\n"
    )
    assert "AIB227" not in {f.rule.id for f in d.findings}
    assert d.category != "windows_update_failed"


def test_winrm_refusals_before_a_connection_are_not_the_cause():
    d = run(WINRM_401 + "2023/01/19 10:41:30 ui: ==> azure-arm.cis2019: Connected to WinRM!\n"
            "2023/01/19 10:41:30 ui: ==> azure-arm.cis2019: Provisioning with Powershell...\n"
            "==> azure-arm.cis2019: Script exited with non-zero exit status: 5. Allowed exit codes are: [0]\n")
    assert d.category == "customizer_failed"
    assert "AIB228" not in {f.rule.id for f in d.findings}


def test_gateway_timeout_retried_then_the_run_succeeded():
    d = run(
        "Starting run template...\n"
        "##[warning]post template call failed, will retry: The gateway did not receive a response from "
        "'Microsoft.VirtualMachineImages' within the specified time period. (CODE: 504)\n"
        "run template:  Succeeded\n"
    )
    assert d.category == "unknown" and d.status == "succeeded"
    assert not [f for f in d.findings if f.rule.severity == "error" and not f.secondary]


def test_throttling_during_deploy_then_the_build_went_on():
    d = run(
        "==> azure-arm.rocky: Deploying deployment template ...\n"
        "2024/02/02 11:03:10 packer-plugin-azure plugin: Azure response StatusCode=503 ServiceUnavailable "
        "retrying in 20s\n"
        "==> azure-arm.rocky: Getting the VM's IP address ...\n"
        "==> azure-arm.rocky: Waiting for SSH to become available...\n"
        "==> azure-arm.rocky: Connected to SSH!\n"
        "==> azure-arm.rocky: Provisioning with shell script: ./harden.sh\n"
        "    azure-arm.rocky: /tmp/script_4411.sh: line 12: semanage: command not found\n"
        "==> azure-arm.rocky: Script exited with non-zero exit status: 127. Allowed exit codes are: [0]\n"
    )
    assert d.category == "customizer_failed"
    transient = [f for f in d.findings if f.category == "transient_service_error"]
    assert all(f.secondary for f in transient)
