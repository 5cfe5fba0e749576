"""Raw tool output around a build -- Vagrant, Terraform, Chef, Ansible, apt, yum, the Azure Linux
agent, Packer's file and shell provisioners, its Azure plugin and Go's stack traces -- in the shapes
those tools print, with names and values of our own. Each case keys a rule on the fixed part of the
tool's message, or checks that what came before (a command that ran, a deprovisioning step, the
phase) changes what the same words mean."""

import pytest

from aib_pilot.diagnosis import diagnose

#: (what the case shows, the log lines, the category, the top rule)
CASES = [
    # --- Vagrant's non-zero exit sentence (SSH or WinRM); a cause printed above it wins
    ('vagrant_non_zero_exit', [
        '==> web: Running provisioner: shell...\n',
        '    web: Running: inline script\n',
        '    web: bash: line 3: nodejs: command not found\n',
        'The SSH command responded with a non-zero exit status. Vagrant\n',
        'assumes that this means the command failed. The output for this command\n',
        'should be in the log above. Please read the output to determine what\n',
        'went wrong.\n',
     ], 'customizer_failed', 'AIB237'),
    ('vagrant_non_zero_exit', [
        '==> win10: Configuring and enabling network interfaces...\n',
        'The following WinRM command responded with a non-zero exit status.\n',
        'Vagrant assumes that this means the command failed!\n',
        '\n',
        'Set-NetIPAddress -InterfaceIndex 6 -IPAddress 172.28.4.20\n',
        '\n',
        'Stdout from the command:\n',
        '\n',
        '\n',
        '\n',
        'Stderr from the command:\n',
        '\n',
        'Access is denied.\n',
     ], 'customizer_failed', 'AIB237'),
    ('vagrant_non_zero_exit', [
        '    db: Reading package lists...\n',
        '    db: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1822 (apt-get)\n',
        '    db: E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n',
        'The SSH command responded with a non-zero exit status. Vagrant\n',
        'assumes that this means the command failed. The output for this command\n',
        'should be in the log above. Please read the output to determine what\n',
        'went wrong.\n',
     ], 'package_manager_locked', 'AIB211'),
    # --- apt run without root: 'are you root?', not a lock another process holds
    ('apt_without_root_is_not_a_held_lock', [
        '    azure-arm.jammy: E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n',
        '    azure-arm.jammy: E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n',
        '==> azure-arm.jammy: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]\n',
     ], 'customizer_failed', 'AIB238'),
    ('apt_without_root_is_not_a_held_lock', [
        'E: Could not open lock file /var/lib/dpkg/lock - open (13: Permission denied)\n',
        'E: Unable to lock the administration directory (/var/lib/dpkg/), are you root?\n',
     ], 'customizer_failed', 'AIB238'),
    # --- older apt's fopen of a lists file that vanished under a running apt
    ('apt_lists_vanishing_under_a_running_apt_is_concurrent_package_activity', [
        '    amazon-ebs.focal: Reading package lists...\n',
        '    amazon-ebs.focal: E: can not open /var/lib/apt/lists/azure.archive.ubuntu.com_ubuntu_dists_focal-updates_InRelease - fopen (2: No such file or directory)\n',
        '==> amazon-ebs.focal: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]\n',
     ], 'package_manager_locked', 'AIB224'),
    # --- Chef's own closing lines
    ('chef_own_failure_lines', [
        '    azure-arm.app: Running handlers complete\n',
        '    azure-arm.app: Chef Infra Client failed. 7 resources updated in 01 minutes 12 seconds\n',
        '    azure-arm.app: [2024-04-02T08:11:09+00:00] FATAL: Stacktrace dumped to /var/chef/cache/chef-stacktrace.out\n',
     ], 'customizer_failed', 'AIB229'),
    ('chef_own_failure_lines', [
        '    qemu.rhel9: ================================================================================\n',
        '    qemu.rhel9: Error Resolving Cookbooks for Run List:\n',
        '    qemu.rhel9: ================================================================================\n',
        '    qemu.rhel9: Missing Cookbooks:\n',
        '    qemu.rhel9: No such cookbook: base-hardening\n',
     ], 'customizer_failed', 'AIB229'),
    # --- go-multierror's header: a template check only when nothing ran
    ('a_command_that_ran_rules_out_a_template_check', [
        'azurerm_linux_virtual_machine.runner (remote-exec): Connected!\n',
        'Error applying plan:\n',
        '\n',
        '1 error(s) occurred:\n',
        '\n',
        '* azurerm_linux_virtual_machine.runner: error executing "/tmp/terraform_4471.sh": Process exited with status 3\n',
     ], 'customizer_failed', 'AIB202'),
    ('a_command_that_ran_rules_out_a_template_check', [
        'Error applying plan:\n',
        '1 error(s) occurred:\n',
        'Command "powershell -NoProfile -File C:/Temp/bootstrap-node.ps1" exited with non-zero exit status: 2\n',
     ], 'customizer_failed', 'AIB202'),
    ('a_command_that_ran_rules_out_a_template_check', [
        'Template validation failed. Errors are shown below.\n',
        '\n',
        "Errors validating build 'azure-arm.web'. 1 error(s) occurred:\n",
        '\n',
        '* a client_secret must be specified when client_id is set\n',
     ], 'invalid_template', 'AIB121'),
    # --- the Azure Linux agent's failed userdel, each wording
    ('waagent_userdel_failure_each_wording', [
        '    azure-arm.ub: 2025-06-03T14:02:11.204518Z ERROR Daemon Command: [userdel -f -r builder], return code: [12], stdout: [] stderr: [userdel: cannot remove /home/builder]\n',
     ], 'deprovision_failed', 'AIB239'),
    ('waagent_userdel_failure_each_wording', [
        '[5d0c1e2a-77b3-4a09-8e1f-0c3b2a9d4e61] PACKER OUT     azure-arm: userdel: user packer is currently used by process 2044\n',
     ], 'deprovision_failed', 'AIB239'),
    # --- the Azure Linux agent's failed userdel, older three-line log
    ('waagent_cannot_delete_the_build_user', [
        "    azure-arm.ub: 2024/02/20 09:15:44.812345 ERROR Command: 'userdel -f -r ubuntu'\n",
        '    azure-arm.ub: 2024/02/20 09:15:44.812901 ERROR Return code: 8\n',
        '    azure-arm.ub: 2024/02/20 09:15:44.813002 ERROR Result: userdel: user ubuntu is currently used by process 1377\n',
     ], 'deprovision_failed', 'AIB239'),
    # --- Packer's file provisioner; a broken connection is its exception
    ('file_provisioner_upload_failed', [
        '==> vsphere-iso.rocky: Uploading files/limits.conf => /etc/security/limits.d/90-build.conf\n',
        '==> vsphere-iso.rocky: Upload failed: Process exited with status 1\n',
        "Build 'vsphere-iso.rocky' errored after 4 minutes 2 seconds: Process exited with status 1\n",
     ], 'customizer_failed', 'AIB240'),
    ('file_provisioner_upload_failed', [
        '2024/05/02 11:12:13 ui error: ==> qemu.win11: Upload failed: unexpected status code 500 from wsman\n',
     ], 'customizer_failed', 'AIB240'),
    ('file_provisioner_upload_failed', [
        '2024/05/02 11:12:13 ui error: ==> qemu.win11: Upload failed: read tcp 127.0.0.1:50432->127.0.0.1:3951: wsarecv: An existing connection was forcibly closed by the remote host.\n',
     ], 'connection_lost', 'AIB219'),
    # --- the clean-up reconnect after a script that rebooted
    ('cleanup_reconnect_after_a_script_is_a_lost_connection_without_deprovisioning', [
        '==> qemu.deb12: Provisioning with shell script: scripts/kernel.sh\n',
        '    qemu.deb12: Installing linux-image-6.1.0-18-amd64 and rebooting into it\n',
        "Build 'qemu.deb12' errored after 6 minutes 40 seconds: Retryable error: Error removing temporary script at /tmp/script_4410.sh: Timeout during SSH handshake\n",
     ], 'connection_lost', 'AIB241'),
    # --- the clean-up reconnect with no deprovisioning step in sight
    ('cleanup_handshake_eof_without_deprovisioning_is_a_lost_connection', [
        '==> amazon-ebs.al2023: Provisioning with shell script: scripts/harden-sshd.sh\n',
        '    amazon-ebs.al2023: Restricting sshd to the admins group\n',
        "Build 'amazon-ebs.al2023' errored after 3 minutes 5 seconds: Retryable error: Error removing temporary script at /tmp/script_8120.sh: ssh: handshake failed: EOF\n",
     ], 'connection_lost', 'AIB241'),
    ('cleanup_handshake_eof_without_deprovisioning_is_a_lost_connection', [
        "Build 'qemu.alma9' errored after 52 seconds: Retryable error: Error removing temporary script at /tmp/script_301.sh: ssh: handshake failed: read tcp 10.0.2.2:50110->10.0.2.15:22: read: connection reset by peer\n",
     ], 'connection_lost', 'AIB241'),
    # --- the clean-up reconnect after waagent -deprovision+user
    ('cleanup_reconnect_after_waagent_deprovision_is_the_deprovisioning_step', [
        '==> azure-arm.lin: Provisioning with shell script: /tmp/packer-shell918273\n',
        '    azure-arm.lin: WARNING! The waagent service will be stopped.\n',
        '    azure-arm.lin: WARNING! Cached DHCP leases will be deleted.\n',
        '    azure-arm.lin: WARNING! builder account and entire home directory will be deleted.\n',
        "Build 'azure-arm.lin' errored after 11 minutes: Retryable error: Error removing temporary script at /tmp/script_2231.sh: ssh: handshake failed: EOF\n",
     ], 'deprovision_failed', 'AIB312'),
    # --- packer-plugin-azure's subnet resolver
    ('several_subnets_and_none_named', [
        '==> azure-arm.ws2022: Running builder ...\n',
        'Build \'azure-arm.ws2022\' errored after 2 seconds 310 milliseconds: Found multiple subnets in the resource group "net-shared" associated with the virtual network called "hub-vnet", please use virtual_network_subnet_name and virtual_network_resource_group_name to disambiguate\n',
        '\n',
        '==> Builds finished but no artifacts were created.\n',
     ], 'invalid_template', 'AIB242'),
    # --- Ansible's yum lock and failed play, Vagrant's boot timeout
    ('config_management_lock_and_vagrant_boot', [
        'TASK [common : install base packages] *****************************************\n',
        'fatal: [build-node-3]: FAILED! => {"changed": false, "msg": "yum lockfile is held by another process"}\n',
     ], 'package_manager_locked', 'AIB211'),
    ('config_management_lock_and_vagrant_boot', [
        'fatal: [10.20.0.7]: FAILED! => {\n',
        '    "changed": false\n',
        '}\n',
        'MSG:\n',
        'yum lockfile is held by another process\n',
     ], 'package_manager_locked', 'AIB211'),
    ('config_management_lock_and_vagrant_boot', [
        'failed: [web01] => (item=nginx) => {"failed": true, "item": "nginx"}\n',
        "msg: No package matching 'nginx-extras' is available\n",
        '\n',
        'FATAL: all hosts have already failed -- aborting\n',
     ], 'customizer_failed', 'AIB229'),
    ('config_management_lock_and_vagrant_boot', [
        '    qemu.base: fatal: [default]: FAILED! => {"changed": false, "rc": 1}\n',
        '    qemu.base: NO MORE HOSTS LEFT *************************************************************\n',
     ], 'customizer_failed', 'AIB229'),
    ('config_management_lock_and_vagrant_boot', [
        '==> dev: Waiting for machine to boot. This may take a few minutes...\n',
        '    dev: SSH address: 127.0.0.1:2200\n',
        'Timed out while waiting for the machine to boot. This means that\n',
        'Vagrant was unable to communicate with the guest machine within\n',
        'the configured ("config.vm.boot_timeout" value) time period.\n',
     ], 'communicator_timeout', 'AIB243'),
    # --- 'unexpected EOF' while connecting vs inside a customizer
    ('unexpected_eof_while_connecting_is_the_plugin_not_the_vm', [
        '==> amazon-ebs.win2022: Using winrm communicator to connect: 10.40.7.19\n',
        '==> amazon-ebs.win2022: Waiting for WinRM to become available...\n',
        "Build 'amazon-ebs.win2022' errored after 4 minutes 12 seconds: unexpected EOF\n",
     ], 'packer_crash', 'AIB244'),
    ('unexpected_eof_while_connecting_is_the_plugin_not_the_vm', [
        '==> azure-arm.w: Provisioning with powershell script: ./install-sql.ps1\n',
        '    azure-arm.w: Installing SQL Server features...\n',
        "Build 'azure-arm.w' errored after 38 minutes: unexpected EOF\n",
     ], 'vm_resources_exhausted', 'AIB207'),
    # --- Go stack frames, unless Packer names another cause
    ('go_stack_frames_mean_a_crash_unless_packer_names_another_cause', [
        '2022/11/08 07:15:02 packer-plugin-vsphere plugin: github.com/hashicorp/packer-plugin-sdk/rpc.(*CommunicatorServer).Start.func1(0xc000512a80)\n',
        '2022/11/08 07:15:02 packer-plugin-vsphere plugin: \t/home/runner/go/pkg/mod/github.com/hashicorp/packer-plugin-sdk@v0.3.2/rpc/communicator.go:259 +0x1b4\n',
        "2022/11/08 07:15:02 ui error: Build 'vsphere-clone.rhel' errored: unexpected EOF\n",
     ], 'packer_crash', 'AIB245'),
    ('go_stack_frames_mean_a_crash_unless_packer_names_another_cause', [
        '2022/11/08 07:15:02 packer-plugin-vsphere plugin: github.com/hashicorp/packer-plugin-sdk/rpc.(*CommunicatorServer).Start.func1(0xc000512a80)\n',
        '2022/11/08 07:15:02 packer-plugin-vsphere plugin: \t/home/runner/go/pkg/mod/github.com/hashicorp/packer-plugin-sdk@v0.3.2/rpc/communicator.go:259 +0x1b4\n',
        "2022/11/08 07:15:09 ui error: Build 'vsphere-clone.win' errored: Timeout waiting for machine to restart.\n",
     ], 'windows_restart_timeout', 'AIB210'),
    # --- 'unexpected EOF' after a failed step
    ('eof_after_a_failed_step_is_the_plugin_shutting_down', [
        '==> amazon-ebs.app: Error executing Ansible: Non-zero exit status: exit status 2\n',
        '==> amazon-ebs.app: Step "StepProvision" failed, aborting...\n',
        "Build 'amazon-ebs.app' errored: unexpected EOF\n",
     ], 'customizer_failed', 'AIB229'),
    # --- 'unexpected EOF' during the capture names no cause
    ('eof_during_the_capture_names_no_cause', [
        "==> azure-arm.lin: Querying the machine's properties ...\n",
        '==> azure-arm.lin: Powering off machine ...\n',
        '==> azure-arm.lin: Capturing image ...\n',
        "Build 'azure-arm.lin' errored after 51 minutes: unexpected EOF\n",
     ], 'unknown', 'AIB203'),
    # --- third held-out set's shapes: Ansible refusing the playbook, Chef's failed command, Vagrant's refusal
    ('ansible_role_missing', [
        "2023/09/14 10:02:33 ui:     azure-arm.rhel: ERROR! the role 'corp.hardening' was not found in /tmp/packer-"
        "provisioner-ansible-local/651a/roles:/etc/ansible/roles\n",
        "    azure-arm.rhel: The offending line appears to be:\n",
     ], 'customizer_failed', 'AIB229'),
    ('vagrant_ansible_failed', [
        "    build: Running ansible-playbook...\n",
        "ERROR! Attempting to decrypt but no vault secrets found\n",
        "Ansible failed to complete successfully. Any error output should be\n",
        "visible above. Please fix these errors and try again.\n",
     ], 'customizer_failed', 'AIB229'),
    ('ansible_playbook_missing', [
        "    qemu.deb: Executing Ansible: cd /tmp/packer-provisioner-ansible-local/77c1 && ansible-playbook site-base.yml\n",
        "    qemu.deb: ERROR! the playbook: site-base.yml could not be found\n",
     ], 'customizer_failed', 'AIB229'),
    ('chef_shellout_expected_exit', [
        "    amazon-ebs.w19: Error executing action `run` on resource 'execute[install-agent]'\n",
        "    amazon-ebs.w19: Expected process to exit with [0, 3010], but received '1603'\n",
     ], 'customizer_failed', 'AIB229'),
    ('chef_shellout_ran_returned', [
        "    amazon-ebs.w19: Ran C:\\Windows\\system32\\msiexec.exe /qn /i C:\\chef\\cache\\agent.msi returned 1603\n",
        "    amazon-ebs.w19: Resource Declaration:\n",
     ], 'customizer_failed', 'AIB229'),
    ('vagrant_ssh_refused', [
        " INFO retryable: Retryable exception raised: #<Errno::ECONNREFUSED: Connection refused - connect(2) for "
        "10.44.0.21:22>\n",
        " INFO ssh: Attempting to connect to SSH...\n",
     ], 'communicator_timeout', 'AIB220'),
    # --- fourth held-out set: apt's "Failed to fetch <url>  404  Not Found" with the "E:" split off by a wrapper
    ('apt_fetch_404_without_prefix', [
        "==> web: E\n",
        "==> web: : \n",
        "==> web: Failed to fetch http://deb.example.org/debian/pool/main/n/nginx/nginx-common_1.22.1-9_all.deb  "
        "404  Not Found [IP: 192.0.2.41 80]\n",
     ], 'file_download_failed', 'AIB212'),
]


@pytest.mark.parametrize("lines,category,rule", [c[1:] for c in CASES], ids=[f"{i:02d}-{c[0]}" for i, c in enumerate(CASES)])
def test_raw_tool_output(lines, category, rule):
    d = diagnose("".join(lines).encode()).to_dict()
    assert (d["category"], d["findings"][0]["rule"] if d["findings"] else None) == (category, rule)
