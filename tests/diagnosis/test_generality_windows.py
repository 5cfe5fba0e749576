"""Windows guests: the fixed words WinRM, Sysprep, Windows Installer, PowerShell, DISM and the Go
runtime print, in the shapes Packer and AIB show them, with machine names, packages, paths and
addresses of our own. Each case keys a rule on what the tool always prints, not on one excerpt."""

import pytest

from aib_pilot.diagnosis import diagnose

from .answers import top_finding as _top

OP = "3c9a7f12-0b4e-4d8a-9e61-5a2f7c0d1b84"


def _aib(lines: list[str]) -> str:
    return "".join(f"[{OP}] {line}\n" for line in lines)


# ------------------------------------------------------------------ WinRM communicator
@pytest.mark.parametrize("text", [
    # PACKER_LOG output of a Hyper-V build: the guest refuses the WinRM port (Windows' own wording)
    "2021/10/02 07:39:51 ui: ==> hyperv-iso.w2022: Waiting for WinRM to become available...\n"
    "2021/10/02 07:40:11 packer-builder-hyperv-iso plugin: [INFO] Attempting WinRM connection...\n"
    "2021/10/02 07:40:11 packer-builder-hyperv-iso plugin: [DEBUG] connecting to remote shell using WinRM\n"
    "2021/10/02 07:40:12 packer-builder-hyperv-iso plugin: [ERROR] connection error: unknown error Post "
    "\"http://192.168.40.12:5985/wsman\": dial tcp 192.168.40.12:5985: connectex: No connection could be made "
    "because the target machine actively refused it.\n"
    "2021/10/02 07:40:12 packer-builder-hyperv-iso plugin: [ERROR] WinRM connection err: unknown error Post "
    "\"http://192.168.40.12:5985/wsman\": dial tcp 192.168.40.12:5985: connectex: No connection could be made "
    "because the target machine actively refused it.\n",
    # the Azure plugin with HTTPS and a certificate Packer does not trust
    "2023/05/11 09:13:55 ui: ==> azure-arm.ws2019: Waiting for WinRM to become available...\n"
    "2023/05/11 09:14:02 packer-plugin-azure_v2.0.1_x5.0_linux_amd64 plugin: 2023/05/11 09:14:02 [ERROR] "
    "WinRM connection err: unknown error Post \"https://10.1.2.7:5986/wsman\": tls: failed to verify certificate: "
    "x509: certificate signed by unknown authority\n",
    # an IP filter in front of the listener answers 403
    "2024/01/20 16:02:50 packer: [INFO] Attempting WinRM connection...\n"
    "2024/01/20 16:02:55 packer: [ERROR] connection error: unknown error Post https://52.160.3.9:5986/wsman: Forbidden\n",
])
def test_winrm_connection_errors_are_a_communicator_timeout(text):
    assert _top(text) == ("communicator_timeout", "AIB270")


def test_winrm_errors_before_a_successful_connection_are_not_the_cause():
    text = (
        "2023/05/11 09:14:02 packer-plugin-azure plugin: [ERROR] WinRM connection err: unknown error Post "
        "\"https://10.1.2.7:5986/wsman\": dial tcp 10.1.2.7:5986: connectex: A connection attempt failed\n"
        "==> azure-arm.ws2019: Connected to WinRM!\n"
        "==> azure-arm.ws2019: Provisioning with Powershell...\n"
        "==> azure-arm.ws2019: Provisioning with powershell script: ./scripts/install-tools.ps1\n"
        "    azure-arm.ws2019: Installer failed with exit code: 1618\n"
        "==> azure-arm.ws2019: Script exited with non-zero exit status: 1618. Allowed exit codes are: [0]\n"
    )
    cat, rule = _top(text)
    assert (cat, rule) == ("customizer_failed", "AIB275")


def test_winrm_errors_while_the_vm_boots_then_a_connection_are_no_failure():
    text = (
        "2023/05/11 09:13:55 ui: ==> azure-arm.ws2019: Waiting for WinRM to become available...\n"
        "2023/05/11 09:14:02 packer-plugin-azure plugin: [ERROR] WinRM connection err: unknown error Post "
        "\"https://10.1.2.7:5986/wsman\": dial tcp 10.1.2.7:5986: i/o timeout\n"
        "2023/05/11 09:16:40 ui: ==> azure-arm.ws2019: Connected to WinRM!\n"
        "2023/05/11 09:16:41 ui: ==> azure-arm.ws2019: Provisioning with Powershell...\n"
    )
    assert _top(text)[0] != "communicator_timeout"


# ------------------------------------------------------------------ Sysprep and Store apps
def test_sysprep_appx_package_for_one_user_beats_the_image_state_loop():
    text = _aib([
        "PACKER OUT ==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner1122334455",
        "PACKER OUT     azure-arm: IMAGE_STATE_COMPLETE",
        "PACKER OUT     azure-arm: IMAGE_STATE_UNDEPLOYABLE",
        "PACKER OUT     azure-arm: IMAGE_STATE_UNDEPLOYABLE",
        "PACKER OUT     azure-arm: 2025-03-04 08:15:02, Error                 SYSPRP Package "
        "Fabrikam.PhotoTool_3.1.7.0_x64__q8r7s6t5u4v3w was installed for a user, but not provisioned for all users. "
        "This package will not function properly in the sysprep image.",
        "PACKER OUT     azure-arm: 2025-03-04 08:15:02, Error                 SYSPRP Failed to remove apps for "
        "the current user: 0x80073cf2.",
        "PACKER OUT     azure-arm: IMAGE_STATE_UNDEPLOYABLE",
    ])
    assert _top(text) == ("sysprep_failed", "AIB271")


def test_sysprep_appx_line_from_setupact_log_alone():
    text = ("2025-03-04 08:15:02, Error                 SYSPRP Package "
            "Contoso.Whiteboard_22.10.1.0_neutral__2b3c4d5e6f7g8 was installed for a user, but not provisioned "
            "for all users. This package will not function properly in the sysprep image.\n")
    assert _top(text) == ("sysprep_failed", "AIB271")


# ------------------------------------------------------------------ PowerShell customizers
def test_cmdlet_access_denied_asks_for_elevation():
    text = (
        "==> azure-arm.w11: Provisioning with powershell script: ./scripts/features.ps1\n"
        "==> azure-arm.w11: Enable-WindowsOptionalFeature : Access is denied.\n"
        "==> azure-arm.w11: At C:\\Windows\\Temp\\script-0a1b2c3d-4e5f-6789-abcd-ef0123456789.ps1:3 char:1\n"
        "==> azure-arm.w11: + Enable-WindowsOptionalFeature -Online -FeatureName Containers -All\n"
    )
    d = diagnose(text.encode()).to_dict()
    assert d["category"] == "customizer_failed"
    assert d["findings"][0]["rule"] == "AIB272"
    assert "runElevated" in d["findings"][0]["fix"]


def test_powershell_7_access_denied_form():
    assert _top("    vsphere-iso.win2025: Add-WindowsCapability: Access is denied.\n") == \
        ("customizer_failed", "AIB272")


def test_elevated_wrapper_failure_points_at_packers_scheduled_task_script():
    text = (
        "2022/08/18 10:21:30 ui:     azure-arm: Exception calling \"RegisterTaskDefinition\" with \"7\" argument(s): "
        "\"The user name or password is incorrect. (Exception from HRESULT: 0x8007052E)\"\n"
        "2022/08/18 10:21:30 ui:     azure-arm: At C:\\Windows\\Temp\\packer-elevated-shell-62fd8a10-7b2c-4c1e-9f30-"
        "1d2e3f4a5b6c.ps1:49 char:1\n"
        "2022/08/18 10:21:30 ui:     azure-arm: + $f.RegisterTaskDefinition($name, $t, 6, \"builder\", \"********\", 1, $null) ...\n"
    )
    assert _top(text) == ("customizer_failed", "AIB274")


def test_execution_policy_refusal_in_a_bare_error_record():
    text = (
        ".\\bootstrap.ps1 : File C:\\Build\\bootstrap.ps1 cannot be loaded because running scripts is disabled on "
        "this system. For more information, see about_Execution_Policies at https:/go.microsoft.com/fwlink/?LinkID=135170.\n"
        "At line:1 char:1\n"
        "+ .\\bootstrap.ps1\n"
        "+ ~~~~~~~~~~~~~~~\n"
        "    + CategoryInfo          : SecurityError: (:) [], PSSecurityException\n"
        "    + FullyQualifiedErrorId : UnauthorizedAccess\n"
    )
    assert _top(text) == ("customizer_failed", "AIB278")


# ------------------------------------------------------------------ installers: MSI codes
@pytest.mark.parametrize("text,rule", [
    # Chocolatey running an MSI while another one holds the Installer
    ("    azure-arm: Installing git.install...\n"
     "    azure-arm: WARNING: Another installation currently in progress. Try again later.\n"
     "    azure-arm: ERROR: Running [\"C:\\Windows\\System32\\msiexec.exe\" /i \"C:\\Windows\\TEMP\\chocolatey\\"
     "git.install\\2.44.0\\Git-2.44.0-64-bit.msi\" /qn /norestart] was not successful. Exit code was '1618'.\n"
     "    azure-arm: The install of git.install was NOT successful.\n", "AIB275"),
    # winget's own words for an MSI fatal error
    ("    azure-arm: Successfully verified installer hash\n"
     "    azure-arm: Starting package install...\n"
     "    azure-arm: Installer failed with exit code: 1603\n", "AIB276"),
    # a script whose installer succeeded but wants a restart
    ("==> azure-arm.sql: Provisioning with powershell script: ./scripts/install-sql-tools.ps1\n"
     "    azure-arm.sql: Setup completed; a restart is required.\n"
     "==> azure-arm.sql: Script exited with non-zero exit status: 3010. Allowed exit codes are: [0]\n"
     "==> azure-arm.sql: Step \"StepProvision\" failed\n", "AIB277"),
])
def test_windows_installer_exit_codes_name_their_meaning(text, rule):
    assert _top(text) == ("customizer_failed", rule)


def test_feature_on_demand_source_not_found():
    text = (
        "==> azure-arm: Add-WindowsCapability : Add-WindowsCapability failed. Error code = 0x800f0954\n"
        "==> azure-arm: At C:\\Windows\\Temp\\script-11223344-5566-7788-99aa-bbccddeeff00.ps1:2 char:1\n"
        "==> azure-arm: + Add-WindowsCapability -Online -Name Rsat.ActiveDirectory.DS-LDS.Tools~~~~0.0.1.0\n"
    )
    assert _top(text) == ("customizer_failed", "AIB279")


def test_restart_success_code_1641_is_read_like_3010():
    text = ("==> azure-arm.w11: Provisioning with powershell script: ./scripts/monitoring-agent.ps1\n"
            "    azure-arm.w11: Setup finished; restarting to complete.\n"
            "==> azure-arm.w11: Script exited with non-zero exit status: 1641. Allowed exit codes are: [0]\n")
    assert _top(text) == ("customizer_failed", "AIB277")


def test_appx_sysprep_validation_failure_code():
    text = ("2025-01-09 14:02:31, Error                 SYSPRP ActionPlatform::LaunchModule: Failure occurred while "
            "executing 'SysprepGeneralizeValidate' from C:\\Windows\\System32\\AppxSysprep.dll; dwRet = 0x3cf2\n"
            "2025-01-09 14:02:31, Error      [0x0f0070] SYSPRP RunExternalDlls:An error occurred while running "
            "registry sysprep DLLs, halting sysprep execution. dwRet = 0x3cf2\n")
    assert _top(text) == ("sysprep_failed", "AIB271")


def test_restart_provisioner_error_while_waiting_is_a_restart_timeout():
    text = ("==> azure-arm.ws2022: Restarting Machine\n"
            "==> azure-arm.ws2022: Waiting for machine to restart...\n"
            "==> azure-arm.ws2022: Error waiting for machine to restart: unknown error Post "
            "\"https://10.2.0.9:5986/wsman\": dial tcp 10.2.0.9:5986: i/o timeout\n"
            "Build 'azure-arm.ws2022' errored after 52 minutes: Error waiting for machine to restart: unknown error "
            "Post \"https://10.2.0.9:5986/wsman\": dial tcp 10.2.0.9:5986: i/o timeout\n")
    assert _top(text) == ("windows_restart_timeout", "AIB281")


@pytest.mark.parametrize("text", [
    # cmd.exe in a windows-shell step, the tool installed in the same session
    "==> azure-arm.agent: Provisioning with windows-shell...\n"
    "    azure-arm.agent: C:\\Users\\packer>nuget restore C:\\src\\App.sln\n"
    "    azure-arm.agent: 'nuget' is not recognized as an internal or external command,\n"
    "    azure-arm.agent: operable program or batch file.\n",
    # PowerShell's sentence for a cmdlet whose module is not installed, pasted alone
    "Connect-MgGraph : The term 'Connect-MgGraph' is not recognized as the name of a cmdlet, function, script file, "
    "or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct "
    "and try again.\n",
])
def test_command_missing_from_the_windows_session(text):
    assert _top(text) == ("customizer_failed", "AIB282")


@pytest.mark.parametrize("text", [
    "    azure-arm.dev: Found Contoso Studio [Contoso.Studio] Version 9.1\n"
    "    azure-arm.dev: Starting package install...\n"
    "    azure-arm.dev: Installer failed with exit code: 2147942402\n",
    "    azure-arm.dev: Downloading https://downloads.example.net/tools/viewer-setup.exe\n"
    "    azure-arm.dev: Unsuccessful exit code returned by the installation process: 1638.\n",
])
def test_installer_failure_codes_without_a_named_meaning(text):
    assert _top(text) == ("customizer_failed", "AIB283")


# ------------------------------------------------------------------ resources, crashes
def test_windows_disk_full_hresult():
    text = (
        "    azure-arm: Installing Windows updates...\n"
        "    azure-arm: ERROR: Exception from HRESULT: 0x80070070\n"
        "    azure-arm: ERROR EXCEPTION: System.Runtime.InteropServices.COMException (0x80070070): "
        "Exception from HRESULT: 0x80070070\n"
    )
    assert _top(text) == ("vm_resources_exhausted", "AIB280")


def test_goroutine_dump_is_a_crash_not_an_exhausted_vm():
    text = (
        "2019/11/02 18:03:41 packer-provisioner-powershell plugin: goroutine 41 [select]:\n"
        "2019/11/02 18:03:41 packer-provisioner-powershell plugin: net/http.(*persistConn).readLoop(0xc0004a2000)\n"
        "2019/11/02 18:03:41 packer-provisioner-powershell plugin: \t/usr/local/go/src/net/http/transport.go:2205 +0x9b1\n"
        "2019/11/02 18:03:41 packer-provisioner-powershell plugin: created by net/http.(*Transport).dialConn\n"
        "2019/11/02 18:03:41 ui error: Build 'win-base' errored: unexpected EOF\n"
        "==> Some builds didn't complete successfully and had errors:\n"
        "--> win-base: unexpected EOF\n"
    )
    assert _top(text) == ("packer_crash", "AIB273")


# ------------------------------------------------------------------ no false alarms
@pytest.mark.parametrize("text", [
    # a restart that worked, with the 1115 "shutdown in progress" polling in between
    "==> azure-arm.ws2022: Restarting Machine\n"
    "==> azure-arm.ws2022: Waiting for machine to restart...\n"
    "==> azure-arm.ws2022: A system shutdown is in progress.(1115)\n"
    "    azure-arm.ws2022: pkrvmq3x8k2 restarted.\n"
    "==> azure-arm.ws2022: Machine successfully restarted, moving on\n",
    # installers reporting success, and words that only resemble the codes
    "    azure-arm: Installer finished with exit code: 0\n"
    "    azure-arm: Downloaded 1618 KB of 4096 KB\n"
    "    azure-arm: Listening on port 3010\n",
])
def test_no_cause_where_nothing_failed(text):
    assert _top(text)[0] == "unknown"
