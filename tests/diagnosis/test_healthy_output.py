"""Words that healthy output also prints must not become a wrong specific cause.

The lines are written in the shapes Packer and PowerShell print them (other names and values than
any real excerpt): Packer's own teardown after the image was captured, and what a Windows restart
command prints while the machine goes down.
"""

import pytest

from aib_pilot.diagnosis import diagnose

SUB = "/subscriptions/0c4e2a51-7d3b-4f0e-9a61-2f5d8c1b9e70/resourceGroups/pkr-Resource-Group-q7m2xk4rtz"

CAPTURED_THEN_TEARDOWN = f"""==> lnx.azure-arm.base: Waiting for SSH to become available...
==> lnx.azure-arm.base: Connected to SSH!
==> lnx.azure-arm.base: Provisioning with shell script: ./scripts/harden.sh
    lnx.azure-arm.base: hardening done
==> lnx.azure-arm.base: Querying the machine's properties ...
==> lnx.azure-arm.base: Powering off machine ...
==> lnx.azure-arm.base: Capturing image ...
==> lnx.azure-arm.base:  -> Image Name                : 'base-2025-06-30'
==> lnx.azure-arm.base:
==> lnx.azure-arm.base: Deleting Virtual Machine deployment and its attached resources...
==> lnx.azure-arm.base: Adding to deletion queue -> Microsoft.Network/virtualNetworks : 'pkrvnq7m2xk4rtz'
==> lnx.azure-arm.base: Attempting deletion -> Microsoft.Network/virtualNetworks : 'pkrvnq7m2xk4rtz'
==> lnx.azure-arm.base: Error deleting resource. Will retry.
==> lnx.azure-arm.base: Name: pkrvnq7m2xk4rtz
==> lnx.azure-arm.base: Error: network.VirtualNetworksClient#Delete: Failure sending request: StatusCode=400 -- Original Error: Code="InUseSubnetCannotBeDeleted" Message="Subnet pkrsnq7m2xk4rtz is in use by {SUB}/providers/Microsoft.Network/networkInterfaces/pkrniq7m2xk4rtz/ipConfigurations/ipconfig and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet." Details=[]
==> lnx.azure-arm.base:
==> lnx.azure-arm.base: Attempting deletion -> Microsoft.Network/virtualNetworks : 'pkrvnq7m2xk4rtz'
"""


def test_deletion_errors_after_the_capture_name_no_cause():
    d = diagnose(CAPTURED_THEN_TEARDOWN.encode()).to_dict()
    assert d["category"] == "unknown"
    assert d["status"] != "failed"
    # still said, as what it is: a secondary finding in Packer's cleanup
    subnet = [f for f in d["findings"] if f["rule"] == "AZ-InUseSubnetCannotBeDeleted"]
    assert all(f["secondary"] for f in subnet)
    assert "cleanup" in [t["phase"] for t in d["timeline"]]


def test_deletion_errors_after_a_success_line_stay_harmless():
    text = CAPTURED_THEN_TEARDOWN + ("Build 'lnx.azure-arm.base' finished after 9 minutes 12 seconds.\n\n"
                                     "==> Builds finished. The artifacts of successful builds are:\n"
                                     "--> lnx.azure-arm.base: Azure.ResourceManagement.VMImage:\n")
    d = diagnose(text.encode()).to_dict()
    assert d["status"] == "succeeded" and d["category"] == "unknown"


def test_the_same_error_before_any_capture_is_still_a_cause():
    # not Packer's teardown: the deployment itself reports the code (no capture happened)
    text = ("==> lnx.azure-arm.base: Deploying deployment template ...\n"
            "==> lnx.azure-arm.base: ERROR: -> InUseSubnetCannotBeDeleted : Subnet default is in use by "
            f"{SUB}/providers/Microsoft.Network/networkInterfaces/nic0/ipConfigurations/ipconfig and cannot be deleted.\n"
            "Build 'lnx.azure-arm.base' errored after 1 minute 3 seconds: deployment failed\n")
    d = diagnose(text.encode()).to_dict()
    assert d["findings"][0]["rule"] == "AZ-InUseSubnetCannotBeDeleted"
    assert not d["findings"][0]["secondary"]


def test_packer_summary_after_the_teardown_still_names_the_cause():
    # the cleanup ran after the capture, then Packer's summary restates why the build failed
    text = CAPTURED_THEN_TEARDOWN + (
        "==> lnx.azure-arm.base: Removing the created Deployment object: 'pkrdpq7m2xk4rtz'\n"
        "Build 'lnx.azure-arm.base' errored after 52 minutes 7 seconds: InUseSubnetCannotBeDeleted: "
        "Subnet pkrsnq7m2xk4rtz is in use and cannot be deleted.\n"
        "\n==> Some builds didn't complete successfully and had errors:\n"
        "--> lnx.azure-arm.base: InUseSubnetCannotBeDeleted: Subnet pkrsnq7m2xk4rtz is in use and cannot be deleted.\n")
    d = diagnose(text.encode()).to_dict()
    assert d["status"] == "failed"
    top = d["findings"][0]
    assert top["rule"] == "AZ-InUseSubnetCannotBeDeleted" and not top["secondary"]


RESTART_RECORD = """==> win.azure-arm.gold: Restarting Machine
    win.azure-arm.gold: Restart-Computer : Failed to restart the computer PKRVM7QX2 with the
    win.azure-arm.gold: following error message: A system shutdown is in progress.
    win.azure-arm.gold: At line:1 char:4
    win.azure-arm.gold: + & {Restart-Computer -force }
    win.azure-arm.gold: +    ~~~~~~~~~~~~~~~~~~~~~~~
    win.azure-arm.gold: + CategoryInfo          : OperationStopped: (PKRVM7QX2:String) [Restart-Computer], InvalidOperationException
    win.azure-arm.gold: + FullyQualifiedErrorId : RestartcomputerFailed,Microsoft.PowerShell.Commands.RestartComputerCommand
"""


def test_restart_command_error_record_is_not_a_customizer_failure():
    d = diagnose(RESTART_RECORD.encode()).to_dict()
    assert d["category"] == "unknown"
    assert "AIB221" not in [f["rule"] for f in d["findings"]]


def test_the_same_record_in_a_failing_powershell_step_is_still_evidence():
    text = ("==> win.azure-arm.gold: Provisioning with powershell script: ./scripts/reboot-now.ps1\n"
            + RESTART_RECORD.split("\n", 1)[1]
            + "==> win.azure-arm.gold: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]\n"
            "Build 'win.azure-arm.gold' errored after 14 minutes 40 seconds: Script exited with non-zero exit status: 1.\n")
    d = diagnose(text.encode()).to_dict()
    assert d["category"] == "customizer_failed"
    assert "AIB221" in [f["rule"] for f in d["findings"]]


def test_a_delete_refused_after_the_step_failed_is_not_the_cause():
    # the customizer failed without saying why; Packer then cleans up and one DELETE is refused
    text = ("==> win.azure-arm.gold: Provisioning with powershell script: ./scripts/install-agent.ps1\n"
            "    win.azure-arm.gold: Installing agent 4.2.1\n"
            "==> win.azure-arm.gold: Provisioning step had errors: Running the cleanup provisioner, if present...\n"
            "==> win.azure-arm.gold: Deleting individual resources ...\n"
            "==> win.azure-arm.gold: Error deleting resource. Please delete manually.\n"
            "==> win.azure-arm.gold: Error: network.PublicIPAddressesClient#Delete: Failure responding to request: "
            "StatusCode=403 -- Original Error: autorest/azure: Service returned an error. Status=403 "
            "Code=\"AuthorizationFailed\" Message=\"The client 'f3a1c0de-0000-4e1b-9c2a-7d5e8b6f4a21' with object id "
            "'f3a1c0de-0000-4e1b-9c2a-7d5e8b6f4a21' does not have authorization to perform action "
            "'Microsoft.Network/publicIPAddresses/delete' over scope '" + SUB + "/providers/Microsoft.Network/"
            "publicIPAddresses/pkripq7m2xk4rtz'.\"\n"
            "Build 'win.azure-arm.gold' errored after 23 minutes 5 seconds: Error uploading ps script containing env vars: "
            "Couldn't create shell: unknown error Post \"https://10.20.3.4:5986/wsman\": EOF\n")
    d = diagnose(text.encode()).to_dict()
    assert d["findings"][0]["rule"] != "AIB103"
    auth = [f for f in d["findings"] if f["rule"] == "AIB103"]
    assert auth and all(f["secondary"] for f in auth)


def _failing_step(name: str, step_line: str, body: list[str], code: int) -> bytes:
    """One Packer step whose script exits non-zero, in the shape raw Packer output has."""
    lines = [f"==> {name}: {step_line}"] + [f"    {name}: {b}" for b in body]
    lines += [f"==> {name}: Script exited with non-zero exit status: {code}. Allowed exit codes are: [0]",
              f"Build '{name}' errored after 6 minutes 48 seconds: Script exited with non-zero exit status: {code}."]
    return ("\n".join(lines) + "\n").encode()


def _shell_step_failing(body: list[str], name: str = "lnx.azure-arm.ub2404") -> bytes:
    return (f"==> {name}: Connected to SSH!\n".encode()
            + _failing_step(name, "Provisioning with shell script: ./scripts/tools.sh", body, 127))


#: apt output in a failing shell step -> the cause it shows (a held lock or a failed download
#: only when apt itself gave up; a wait that went on is not a cause)
APT_OUTCOMES = {
    "fetch-failed": ([
        "Err:1 http://azure.archive.ubuntu.com/ubuntu noble-updates/main amd64 jq amd64 1.7.1-3build1",
        "  Temporary failure resolving 'azure.archive.ubuntu.com'",
        "E: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/pool/main/j/jq/jq_1.7.1-3build1_amd64.deb  "
        "Temporary failure resolving 'azure.archive.ubuntu.com'",
        "E: Unable to fetch some archives, maybe run apt-get update or try with --fix-missing?",
    ], "file_download_failed"),
    "waited-for-lock-then-went-on": ([
        "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1893 (unattended-upgr)... 14s",
        "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1893 (unattended-upgr)... 19s",
        "Setting up python3-venv (3.12.3-0ubuntu2) ...",
        "/tmp/script_4410.sh: line 14: pipx: command not found",
    ], "customizer_failed"),
    "gave-up-on-the-lock": ([
        "Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1893 (unattended-upgr)... 118s",
        "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1893 (unattended-upgr)",
        "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?",
    ], "package_manager_locked"),
}


@pytest.mark.parametrize("case", sorted(APT_OUTCOMES))
def test_apt_names_a_cause_only_when_apt_gave_up(case):
    body, category = APT_OUTCOMES[case]
    assert diagnose(_shell_step_failing(body)).to_dict()["category"] == category


def test_apt_run_without_root_is_not_a_held_lock():
    d = diagnose(_shell_step_failing([
        "E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)",
        "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?",
    ])).to_dict()
    assert d["category"] != "package_manager_locked"


def test_ssh_handshake_retries_before_the_connection_are_not_the_cause():
    name = "lnx.azure-arm.ub2404"
    text = "".join(
        f"2025/02/11 08:1{i}:0{i} packer-plugin-azure_v2.3.0_x5.0_linux_amd64 plugin: 2025/02/11 08:1{i}:0{i} "
        "[DEBUG] SSH handshake err: ssh: handshake failed: ssh: unable to authenticate, attempted methods "
        "[none publickey], no supported methods remain\n" for i in range(3)).encode()
    text += _shell_step_failing(["/tmp/script_4410.sh: line 3: cd: /opt/app: No such file or directory"], name)
    d = diagnose(text).to_dict()
    assert d["category"] == "customizer_failed"
    assert "AIB215" not in [f["rule"] for f in d["findings"]]


def test_connection_resets_while_waiting_for_ssh_are_not_a_lost_connection():
    name = "lnx.azure-arm.rhel9"
    plugin = "2025/04/02 13:05:1{i} packer-plugin-azure_v2.3.1_x5.0_linux_amd64 plugin: 2025/04/02 13:05:1{i} "
    text = f"==> {name}: Waiting for SSH to become available...\n"
    text += "".join((plugin + "[DEBUG] SSH handshake err: read tcp 10.40.0.4:5181{i}->10.40.1.9:22: read: "
                     "connection reset by peer\n").format(i=i) for i in range(3))
    text += (f"==> {name}: Connected to SSH!\n"
             f"==> {name}: Provisioning with shell script: ./scripts/agent.sh\n"
             f"    {name}: registering agent\n"
             f"==> {name}: Provisioning step had errors: Running the cleanup provisioner, if present...\n"
             f"Build '{name}' errored after 18 minutes 2 seconds: unexpected error\n")
    d = diagnose(text.encode()).to_dict()
    assert d["category"] not in ("connection_lost", "communicator_timeout")
    assert "AIB219" not in [f["rule"] for f in d["findings"] if not f["secondary"]]


def test_terraform_apply_error_list_header_is_not_a_template_error():
    text = ("azurerm_linux_virtual_machine.build (remote-exec): Connected!\n"
            "azurerm_linux_virtual_machine.build: Still creating... (4m10s elapsed)\n"
            "Error applying plan:\n\n"
            "1 error(s) occurred:\n\n"
            "* azurerm_linux_virtual_machine.build: error executing \"/tmp/terraform_1834.sh\": "
            "Process exited with status 2\n"
            'Command "bash /tmp/bootstrap.sh" exited with non-zero exit status: 2\n')
    d = diagnose(text.encode()).to_dict()
    assert d["category"] != "invalid_template"


def test_packer_configuration_error_list_is_still_a_template_error():
    text = ("packer build ./win2022/\n"
            "Error: 1 error(s) occurred:\n\n"
            "* managed_image_name must be set when managed_image_resource_group_name is set\n\n"
            "  on win2022/build.pkr.hcl line 3:\n  (source code not available)\n")
    assert diagnose(text.encode()).to_dict()["category"] == "invalid_template"


def _powershell_step_failing(script: str, body: list[str]) -> bytes:
    return _failing_step("win.azure-arm.w2022", f"Provisioning with powershell script: ./scripts/{script}", body, 1)


def test_an_update_that_does_not_apply_is_not_a_windows_update_failure():
    d = diagnose(_powershell_step_failing("patches.ps1", [
        "Installing windows10.0-kb5031364-x64.msu",
        "KB5031364 is not applicable to this computer (0x80240017), skipping",
        "Set-ItemProperty : Cannot find path 'HKLM:\\SOFTWARE\\Contoso\\Agent' because it does not exist.",
    ])).to_dict()
    assert d["category"] == "customizer_failed"


#: download errors that the tool itself reported as warnings and went past, before the real failure
WARNED_DOWNLOADS = {
    "apt-update-ignored-an-index": lambda: _shell_step_failing([
        "Hit:1 http://azure.archive.ubuntu.com/ubuntu noble InRelease",
        "Err:2 https://packages.contoso.example/apt noble InRelease",
        "  404  Not Found [IP: 203.0.113.24 443]",
        "Reading package lists...",
        "W: Failed to fetch https://packages.contoso.example/apt/dists/noble/InRelease  404  Not Found [IP: 203.0.113.24 443]",
        "W: Some index files failed to download. They have been ignored, or old ones used instead.",
        "/tmp/script_4410.sh: line 9: yq: command not found",
    ]),
    "powershell-warnings": lambda: _powershell_step_failing("sdk.ps1", [
        "WARNING: Could not download the optional symbols package, continuing without it",
        "WARNING: Failed to download release notes from the mirror; using the bundled copy",
        "Install-Module : No match was found for the specified search criteria and module name 'Contoso.Sdk'.",
    ]),
}


@pytest.mark.parametrize("case", sorted(WARNED_DOWNLOADS))
def test_a_download_the_tool_called_a_warning_is_not_the_cause(case):
    d = diagnose(WARNED_DOWNLOADS[case]()).to_dict()
    assert d["category"] == "customizer_failed"
    assert "AIB212" not in [f["rule"] for f in d["findings"]]


def _winrm_wait_loop(error: str) -> str:
    plugin = "2024/10/08 06:1{i}:0{i} packer-plugin-azure_v2.1.7_x5.0_windows_amd64.exe plugin: 2024/10/08 06:1{i}:0{i} "
    return "".join((plugin + "[INFO] Attempting WinRM connection...\n" + plugin + "[ERROR] WinRM connection err: "
                    "unknown error Post \"https://10.8.0.7:5986/wsman\": read tcp 10.8.0.4:6190{i}->10.8.0.7:5986: "
                    + error + "\n").format(i=i) for i in range(3))


@pytest.mark.parametrize("error", ["wsarecv: An existing connection was forcibly closed by the remote host.",
                                   "read: connection reset by peer"])
def test_winrm_attempts_dropped_while_waiting_are_a_communicator_timeout(error):
    d = diagnose(_winrm_wait_loop(error).encode()).to_dict()
    assert d["category"] == "communicator_timeout"


def test_a_connection_dropped_inside_a_customizer_is_still_a_lost_connection():
    name = "win.azure-arm.w2022"
    text = (f"==> {name}: Connected to WinRM!\n"
            f"==> {name}: Provisioning with powershell script: ./scripts/vs-buildtools.ps1\n"
            f"    {name}: Installing Visual Studio Build Tools 17.10\n"
            f"==> {name}: Error uploading ps script containing env vars: Couldn't create shell: unknown error "
            f"Post \"https://10.8.0.7:5986/wsman\": read tcp 10.8.0.4:61913->10.8.0.7:5986: wsarecv: "
            "An existing connection was forcibly closed by the remote host.\n"
            f"Build '{name}' errored after 48 minutes 2 seconds: Error uploading ps script containing env vars\n")
    assert diagnose(text.encode()).to_dict()["category"] == "connection_lost"


def test_an_eof_while_waiting_for_the_first_connection_is_packer_crashing_not_a_full_vm():
    name = "win.azure-arm.w2019"
    text = (f"==> {name}: Getting the VM's IP address ...\n"
            f"==> {name}:  -> IP Address          : '10.8.0.7'\n"
            f"==> {name}: Waiting for WinRM to become available...\n"
            f"Build '{name}' errored after 4 minutes 51 seconds: unexpected EOF\n")
    d = diagnose(text.encode()).to_dict()
    assert d["category"] == "packer_crash"
