"""Raw tool output around a build -- Vagrant, Terraform, Chef, apt, the Azure Linux agent, Packer's
file and shell provisioners and its Azure plugin -- in the shapes those tools print, with names and
values of our own. Each case keys a rule on the fixed part of the tool's message."""

import pytest

from aib_pilot.diagnosis import diagnose

VAGRANT_MUTED = ("The SSH command responded with a non-zero exit status. Vagrant\n"
                 "assumes that this means the command failed. The output for this command\n"
                 "should be in the log above. Please read the output to determine what\n"
                 "went wrong.\n")


def _top(text: str) -> tuple[str, str | None]:
    d = diagnose(text.encode()).to_dict()
    return d["category"], (d["findings"][0]["rule"] if d["findings"] else None)


@pytest.mark.parametrize("text,category,rule", [
    # Vagrant 2: a shell provisioner's script failed; its output is above Vagrant's sentence
    ("==> web: Running provisioner: shell...\n    web: Running: inline script\n"
     "    web: bash: line 3: nodejs: command not found\n" + VAGRANT_MUTED, "customizer_failed", "AIB237"),
    # Vagrant 1: its own step over WinRM, with the Stdout/Stderr blocks
    ("==> win10: Configuring and enabling network interfaces...\n"
     "The following WinRM command responded with a non-zero exit status.\n"
     "Vagrant assumes that this means the command failed!\n\n"
     "Set-NetIPAddress -InterfaceIndex 6 -IPAddress 172.28.4.20\n\nStdout from the command:\n\n\n\n"
     "Stderr from the command:\n\nAccess is denied.\n", "customizer_failed", "AIB237"),
    # the cause printed above Vagrant's sentence wins over it
    ("    db: Reading package lists...\n"
     "    db: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1822 (apt-get)\n"
     "    db: E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process "
     "using it?\n" + VAGRANT_MUTED, "package_manager_locked", "AIB211"),
])
def test_vagrant_non_zero_exit(text, category, rule):
    assert _top(text) == (category, rule)


def test_apt_without_root_is_not_a_held_lock():
    text = ("    azure-arm.jammy: E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n"
            "    azure-arm.jammy: E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n"
            "==> azure-arm.jammy: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]\n")
    assert _top(text) == ("customizer_failed", "AIB238")
    older = ("E: Could not open lock file /var/lib/dpkg/lock - open (13: Permission denied)\n"
             "E: Unable to lock the administration directory (/var/lib/dpkg/), are you root?\n")
    assert _top(older) == ("customizer_failed", "AIB238")


def test_apt_lists_vanishing_under_a_running_apt_is_concurrent_package_activity():
    text = ("    amazon-ebs.focal: Reading package lists...\n"
            "    amazon-ebs.focal: E: can not open /var/lib/apt/lists/azure.archive.ubuntu.com_ubuntu_dists_"
            "focal-updates_InRelease - fopen (2: No such file or directory)\n"
            "==> amazon-ebs.focal: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]\n")
    assert _top(text) == ("package_manager_locked", "AIB224")


@pytest.mark.parametrize("text", [
    "    azure-arm.app: Running handlers complete\n"
    "    azure-arm.app: Chef Infra Client failed. 7 resources updated in 01 minutes 12 seconds\n"
    "    azure-arm.app: [2024-04-02T08:11:09+00:00] FATAL: Stacktrace dumped to /var/chef/cache/chef-stacktrace.out\n",
    "    qemu.rhel9: ================================================================================\n"
    "    qemu.rhel9: Error Resolving Cookbooks for Run List:\n"
    "    qemu.rhel9: ================================================================================\n"
    "    qemu.rhel9: Missing Cookbooks:\n    qemu.rhel9: No such cookbook: base-hardening\n",
])
def test_chef_own_failure_lines(text):
    assert _top(text) == ("customizer_failed", "AIB229")


def test_a_command_that_ran_rules_out_a_template_check():
    # Terraform wraps a provisioner's failure in go-multierror's header, as Packer's validation does
    terraform = ('azurerm_linux_virtual_machine.runner (remote-exec): Connected!\n'
                 'Error applying plan:\n\n1 error(s) occurred:\n\n'
                 '* azurerm_linux_virtual_machine.runner: error executing "/tmp/terraform_4471.sh": '
                 'Process exited with status 3\n')
    assert _top(terraform) == ("customizer_failed", "AIB202")
    chef = ('Error applying plan:\n1 error(s) occurred:\n'
            'Command "powershell -NoProfile -File C:/Temp/bootstrap-node.ps1" exited with non-zero exit status: 2\n')
    assert _top(chef) == ("customizer_failed", "AIB202")
    # nothing ran: the same header is Packer's template check
    packer = ("Template validation failed. Errors are shown below.\n\n"
              "Errors validating build 'azure-arm.web'. 1 error(s) occurred:\n\n"
              "* a client_secret must be specified when client_id is set\n")
    assert _top(packer) == ("invalid_template", "AIB121")


@pytest.mark.parametrize("text", [
    # the agent's newer one-line error log of the failed command
    "    azure-arm.ub: 2025-06-03T14:02:11.204518Z ERROR Daemon Command: [userdel -f -r builder], return code: [12], "
    "stdout: [] stderr: [userdel: cannot remove /home/builder]\n",
    # shadow-utils' refusal alone, as the deprovisioning step prints it
    "[5d0c1e2a-77b3-4a09-8e1f-0c3b2a9d4e61] PACKER OUT     azure-arm: userdel: user packer is currently used by "
    "process 2044\n",
])
def test_waagent_userdel_failure_each_wording(text):
    assert _top(text) == ("deprovision_failed", "AIB239")


def test_waagent_cannot_delete_the_build_user():
    text = ("    azure-arm.ub: 2024/02/20 09:15:44.812345 ERROR Command: 'userdel -f -r ubuntu'\n"
            "    azure-arm.ub: 2024/02/20 09:15:44.812901 ERROR Return code: 8\n"
            "    azure-arm.ub: 2024/02/20 09:15:44.813002 ERROR Result: userdel: user ubuntu is currently used by "
            "process 1377\n")
    assert _top(text) == ("deprovision_failed", "AIB239")


@pytest.mark.parametrize("text,category,rule", [
    ("==> vsphere-iso.rocky: Uploading files/limits.conf => /etc/security/limits.d/90-build.conf\n"
     "==> vsphere-iso.rocky: Upload failed: Process exited with status 1\n"
     "Build 'vsphere-iso.rocky' errored after 4 minutes 2 seconds: Process exited with status 1\n",
     "customizer_failed", "AIB240"),
    ("2024/05/02 11:12:13 ui error: ==> qemu.win11: Upload failed: unexpected status code 500 from wsman\n",
     "customizer_failed", "AIB240"),
    # the rule's exception: the connection broke during the copy
    ("2024/05/02 11:12:13 ui error: ==> qemu.win11: Upload failed: read tcp 127.0.0.1:50432->127.0.0.1:3951: "
     "wsarecv: An existing connection was forcibly closed by the remote host.\n", "connection_lost", "AIB219"),
])
def test_file_provisioner_upload_failed(text, category, rule):
    assert _top(text) == (category, rule)


def test_cleanup_reconnect_after_a_script_is_a_lost_connection_without_deprovisioning():
    text = ("==> qemu.deb12: Provisioning with shell script: scripts/kernel.sh\n"
            "    qemu.deb12: Installing linux-image-6.1.0-18-amd64 and rebooting into it\n"
            "Build 'qemu.deb12' errored after 6 minutes 40 seconds: Retryable error: Error removing temporary "
            "script at /tmp/script_4410.sh: Timeout during SSH handshake\n")
    assert _top(text) == ("connection_lost", "AIB241")


def test_cleanup_handshake_eof_without_deprovisioning_is_a_lost_connection():
    text = ("==> amazon-ebs.al2023: Provisioning with shell script: scripts/harden-sshd.sh\n"
            "    amazon-ebs.al2023: Restricting sshd to the admins group\n"
            "Build 'amazon-ebs.al2023' errored after 3 minutes 5 seconds: Retryable error: Error removing temporary "
            "script at /tmp/script_8120.sh: ssh: handshake failed: EOF\n")
    assert _top(text) == ("connection_lost", "AIB241")
    # only Packer's summary line: still the clean-up reconnect, not a first connection that failed
    summary = ("Build 'qemu.alma9' errored after 52 seconds: Retryable error: Error removing temporary script at "
               "/tmp/script_301.sh: ssh: handshake failed: read tcp 10.0.2.2:50110->10.0.2.15:22: read: connection "
               "reset by peer\n")
    assert _top(summary) == ("connection_lost", "AIB241")


def test_cleanup_reconnect_after_waagent_deprovision_is_the_deprovisioning_step():
    text = ("==> azure-arm.lin: Provisioning with shell script: /tmp/packer-shell918273\n"
            "    azure-arm.lin: WARNING! The waagent service will be stopped.\n"
            "    azure-arm.lin: WARNING! Cached DHCP leases will be deleted.\n"
            "    azure-arm.lin: WARNING! builder account and entire home directory will be deleted.\n"
            "Build 'azure-arm.lin' errored after 11 minutes: Retryable error: Error removing temporary script at "
            "/tmp/script_2231.sh: ssh: handshake failed: EOF\n")
    assert _top(text) == ("deprovision_failed", "AIB312")


def test_several_subnets_and_none_named():
    text = ("==> azure-arm.ws2022: Running builder ...\n"
            "Build 'azure-arm.ws2022' errored after 2 seconds 310 milliseconds: Found multiple subnets in the "
            "resource group \"net-shared\" associated with the virtual network called \"hub-vnet\", please use "
            "virtual_network_subnet_name and virtual_network_resource_group_name to disambiguate\n\n"
            "==> Builds finished but no artifacts were created.\n")
    assert _top(text) == ("invalid_template", "AIB242")
