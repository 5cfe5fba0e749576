"""Write the test logs (tests/diagnosis/logs/) and the example logs (examples/logs/).

Each seed error of the AIB troubleshooting guide gets a full, realistic log: the guide's own excerpt
placed in the phase where it happens, with the other phases around it. Run after changing a case:

    .venv/bin/python tests/diagnosis/make_logs.py
"""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from tests.emulator.scenarios.phases import SYSPREP_SCRIPT  # noqa: E402  AIB's Sysprep script, one copy
from logbuilder import APT_INSTALL, APT_UPDATE, Log  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOGS = os.path.join(HERE, "logs")
EXAMPLES = os.path.join(ROOT, "examples", "logs")

SEED_PACKER_FAILED = (
    "Failed while waiting for packerizer: Microservice has failed: Failed while processing request: Error when "
    "executing packerizer: Packer build command has failed: exit status 1. During the image build, a failure has "
    "occurred, please review the build log to identify which build/customization step failed. For more "
    "troubleshooting steps go to https://aka.ms/azvmimagebuilderts. Image Build log location: "
    "https://xxxxxxxxxx.blob.core.windows.net/packerlogs/xxxxxxx-xxxx-xxxx-xxxx-xxxxxxxx/customization.log. "
    "OperationId: xxxxxx-5a8c-4379-xxxx-8d85493bc791. Use this operationId to search packer logs.")
SEED_TIMEOUT = ("Deployment failed. Correlation ID: xxxxx-xxxx-xxxx-xxxx-xxxxxxxxx. Failed in building/customizing "
                "image: Failed while waiting for packerizer: Timeout waiting for microservice to complete: "
                "'context deadline exceeded'")
SEED_SIG = (
    "Deployment failed. Correlation ID: XXXXXX-XXXX-XXXXXX-XXXX-XXXXXX. Failed in distributing 1 images out of total 1: "
    "{[Error 0] [Distribute 0] Error publishing MDI to shared image gallery:/subscriptions/<subId>/resourceGroups/xxxxxx/"
    "providers/Microsoft.Compute/galleries/xxxxx/images/xxxxxx, Location:eastus. Error: Error returned from SIG client "
    "while publishing MDI to shared image gallery for dstImageLocation: eastus, dstSubscription: <subId>, "
    "dstResourceGroupName: XXXXXX, dstGalleryName: XXXXXX, dstGalleryImageName: XXXXXX. Error: Error waiting on shared "
    "image gallery future for resource group: XXXXXX, gallery name: XXXXXX, gallery image name: XXXXXX.Error: "
    "Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded}")


def linux_prefix(log: Log) -> Log:
    return log.deploy().deployment_status().connect()


def windows_prefix(log: Log) -> Log:
    return log.deploy(windows=True).deployment_status().connect(windows=True)


def write(path: str, content: str | bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode, **({} if isinstance(content, bytes) else {"encoding": "utf-8", "newline": ""})) as fh:
        fh.write(content)


# --------------------------------------------------------------------------- examples (README demo)
def example_linux_failed() -> str:
    log = linux_prefix(Log(template="linuxWebTemplate01"))
    log.shell(APT_UPDATE, seconds=20)                                     # customize[0] update-apt-cache
    log.file("https://aibscripts.blob.core.windows.net/config/nginx.conf", "/tmp/nginx.conf")  # [1]
    log.shell(["+ sudo apt-get install -y nginx",
               "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1406 (unattended-upgr)",
               "N: Be aware that removing the lock file is not a solution and may break your system.",
               "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"],
              code=100, seconds=4)                                        # customize[2] install-nginx
    log.cleanup(failed=True, noise=True)
    log.finish_failed("Script exited with non-zero exit status: 100. Allowed exit codes are: [0]")
    return log.text()


def example_linux_ok() -> str:
    log = linux_prefix(Log(template="linuxWebTemplate01"))
    log.shell(APT_UPDATE, seconds=20)
    log.file("https://aibscripts.blob.core.windows.net/config/nginx.conf", "/tmp/nginx.conf")
    log.shell(["Waiting for cloud-init: status: done"] + APT_INSTALL, seconds=90)
    log.deprovision_linux()
    log.distribute().cleanup()
    log.finish_ok()
    return log.text()


def example_windows_sysprep() -> str:
    log = windows_prefix(Log(op="922bdf36-b53c-4e78-9cd8-6b70b9674685", start="2026/11/25 22:04:10",
                             template="win2022Template01"))
    log.powershell(["Installing IIS ...", "Success Restart Needed Exit Code      Feature Result",
                    "True    No             Success        {Common HTTP Features, Default Document...}"], seconds=3)
    log.deprovision_windows_start()
    for line in (">>> Waiting for GA Service (RdAgent) to start ...",
                 ">>> Waiting for GA Service (WindowsAzureTelemetryService) to start ...",
                 ">>> Waiting for GA Service (WindowsAzureGuestAgent) to start ...", ">>> Sysprepping VM ...",
                 "IMAGE_STATE_COMPLETE"):
        log.tick(2).vm(line)
    log.ui("Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'.")
    log.ui("At C:\\DeprovisioningScript.ps1:6 char:9")
    log.ui("+     + CategoryInfo          : ObjectNotFound: (WindowsAzureGuestAgent:String) [Get-Service], ServiceCommandException")
    for _ in range(40):
        log.tick(5).vm("IMAGE_STATE_UNDEPLOYABLE")
    log.tick(3600)
    log.err("Cancelling builder after context cancellation context canceled", plugin=None)
    log.out("Cancelling build after receiving terminated")
    log.err("Cancelling provisioning due to context cancellation: context canceled")
    log.cleanup(failed=True)
    log.finish_failed("context canceled")
    return log.text()


def example_template() -> str:
    return json.dumps({
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "location": "eastus",
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aibImageRG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aibIdentity": {}}},
        "properties": {
            "buildTimeoutInMinutes": 60,
            "vmProfile": {"vmSize": "Standard_D2s_v5"},
            "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy",
                       "sku": "22_04-lts-gen2", "version": "latest"},
            "customize": [
                {"type": "Shell", "name": "update-apt-cache", "inline": ["sudo apt-get update"]},
                {"type": "File", "name": "copy-nginx-config",
                 "sourceUri": "https://aibscripts.blob.core.windows.net/config/nginx.conf", "destination": "/tmp/nginx.conf"},
                {"type": "Shell", "name": "install-nginx",
                 "inline": ["sudo apt-get install -y nginx", "sudo cp /tmp/nginx.conf /etc/nginx/nginx.conf"]},
            ],
            "distribute": [{"type": "ManagedImage", "imageId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aibImageRG/providers/Microsoft.Compute/images/web-image",
                            "location": "eastus", "runOutputName": "web-image"}],
        },
    }, indent=2) + "\n"


# --------------------------------------------------------------------------- seed cases
CASES: dict[str, object] = {}


def case(name):
    def deco(fn):
        CASES[name] = fn
        return fn
    return deco


@case("submission_conflict.txt")
def _conflict():
    return ("$ az image builder create -g aibImageRG -n helloImageTemplate01 --image-source Canonical:0001-com-ubuntu-server-jammy:22_04-lts:latest\n"
            "ERROR: Deployment failed. Correlation ID: 1d2f3e4a-0000-4000-8000-000000000001.\n"
            "'Conflict'. Details: Update/Upgrade of image templates is currently not supported\n")


@case("terminal_provisioning_failed.txt")
def _terminal():
    return ("2026-11-25T21:00:01.1000000Z starting put template...\n"
            "Microsoft.VirtualMachineImages/imageTemplates 'helloImageTemplateforSIG01' failed with message '{\n"
            "  \"status\": \"Failed\",\n"
            "  \"error\": {\n"
            "    \"code\": \"ResourceDeploymentFailure\",\n"
            "    \"message\": \"The resource operation completed with terminal provisioning state 'Failed'.\",\n"
            "    \"details\": [\n"
            "      {\n"
            "        \"code\": \"InternalOperationError\",\n"
            "        \"message\": \"Internal error occurred.\"\n"
            "      }\n"
            "    ]\n"
            "  }\n"
            "}'\n")


def _az_show(provisioning_state="Succeeded", run_state=None, message=None, perr=None) -> str:
    doc = {"id": "/subscriptions/0b9f5c11-2d4e-4a7b-9c41-6f0e2a7d1c35/resourceGroups/aibImageRG/providers/"
                 "Microsoft.VirtualMachineImages/imageTemplates/helloImageTemplate01",
           "name": "helloImageTemplate01", "location": "eastus",
           "type": "Microsoft.VirtualMachineImages/imageTemplates",
           "properties": {"provisioningState": provisioning_state, "buildTimeoutInMinutes": 80}}
    if perr:
        doc["properties"]["provisioningError"] = perr
    if run_state:
        doc["properties"]["lastRunStatus"] = {"startTime": "2020-05-01T00:13:52.599326198Z",
                                              "endTime": "2020-05-01T00:15:13.62366898Z",
                                              "runState": run_state, "runSubState": None, "message": message}
    return json.dumps(doc, indent=2) + "\n"


@case("managed_image_403.json")
def _managed_403():
    return _az_show("Failed", perr={"provisioningErrorCode": "Other", "message": (
        "Build (Managed Image) step failed: Error getting Managed Image '/subscriptions/.../providers/Microsoft.Compute/"
        "images/mymanagedmg1': Error getting managed image (...): compute.ImagesClient#Get: Failure responding to "
        "request: StatusCode=403 -- Original Error: autorest/azure: Service returned an error. Status=403 "
        "Code=\"AuthorizationFailed\" Message=\"The client '......' with object id '......' does not have authorization "
        "to perform action 'Microsoft.Compute/images/read' over scope")})


@case("image_version_404.json")
def _sig_404():
    return _az_show("Failed", perr={"provisioningErrorCode": "Other", "message": (
        "Build (Shared Image Version) step failed for Image Version '/subscriptions/.../providers/Microsoft.Compute/"
        "galleries/.../images/... /versions/0.23768.4001': Error getting Image Version '/subscriptions/.../resourceGroups/"
        "<rgName>/providers/Microsoft.Compute/galleries/.../images/.../versions/0.23768.4001': Error getting image "
        "version '... :0.23768.4001': compute.GalleryImageVersionsClient#Get: Failure responding to request: "
        "StatusCode=404 -- Original Error: autorest/azure: Service returned an error. Status=404 Code=\"ResourceNotFound\" "
        "Message=\"The Resource 'Microsoft.Compute/galleries/.../images/.../versions/0.23768.4001' under resource group "
        "'<rgName>' was not found.\"")})


@case("external_file_download.json")
def _download():
    return _az_show("Failed", perr={"provisioningErrorCode": "Other", "message": (
        "Downloading external file (https://aibscripts.blob.core.windows.net/scripts/myFile.sh) to local file "
        "(xxxxx.0.customizer.fp) [attempt 1 of 10] failed: Error downloading "
        "'https://aibscripts.blob.core.windows.net/scripts/myFile.sh' to 'xxxxx.0.customizer.fp'..")})


@case("packer_failed_linux.log")
def _packer_failed():
    log = linux_prefix(Log(op="45f485cf-5a8c-4379-9937-8d85493bc791", start="2020/04/30 23:24:06"))
    log.shell(APT_UPDATE)
    log.shell(["Installing application", "cp: cannot stat '/tmp/app/config.yaml': No such file",
               "install failed, see above"], code=1)
    log.cleanup(failed=True, noise=True)
    log.finish_failed("Script exited with non-zero exit status: 1. Allowed exit codes are: [0]")
    return log.text()


@case("timeout_prompt.log")
def _timeout_prompt():
    log = linux_prefix(Log(op="086cf9c4-0457-4e8f-bfd4-908cfe3fe43c"))
    log.shell(APT_UPDATE)
    log.shell(["Reading package lists...", "Building dependency tree...", "Reading state information...",
               "The following NEW packages will be installed:", "  nginx nginx-common nginx-core",
               "0 upgraded, 3 newly installed, 0 to remove and 31 not upgraded.",
               "Need to get 602 kB of archives.", "After this operation, 2,105 kB of additional disk space will be used.",
               "Do you want to continue? [Y/n]"], seconds=5, end=False)
    log.tick(14400)
    log.err("Cancelling builder after context cancellation context canceled", plugin=None)
    log.out("Cancelling build after receiving terminated")
    log.err("Cancelling provisioning due to context cancellation: context canceled", plugin="packer-builder-azure-arm plugin")
    log.err("[ERROR] Remote command exited without exit status or exit signal.", plugin="packer-builder-azure-arm plugin")
    log.end("shell")
    log.cleanup(failed=True)
    log.finish_failed("context canceled")
    return log.text()


@case("long_file_download.log")
def _big_file():
    log = linux_prefix(Log(op="086cf9c4-0457-4e8f-bfd4-908cfe3fe43c"))
    log.shell(APT_UPDATE)
    log.start("file")
    log.ui("Uploading https://aibscripts.blob.core.windows.net/media/myBigFile.zip => /tmp/myBigFile.zip")
    for pct in range(1, 60):
        log.tick(240)
        log.out()
        log.raw(f"myBigFile.zip {826 * pct} B / 826000 B  {pct / 10:.2f}%")
    log.err("Cancelling builder after context cancellation context canceled", plugin=None)
    log.end("file")
    log.cleanup(failed=True)
    log.finish_failed("context canceled")
    return log.text()


@case("low_windows_resources.log")
def _low_resources():
    op = "45f485cf-5a8c-4379-9937-8d85493bc791"
    log = windows_prefix(Log(op=op, start="2020/04/30 23:24:06", template="window2019VnetTemplate01"))
    log.powershell(["Installing IIS", "Success Restart Needed Exit Code Feature Result"])
    log.tick(300).start("windows-update")
    log.ui("Uploading the Windows update elevated script...")
    log.raw(f"""
[{op}] PACKER OUT     azure-arm: Waiting for operation to complete (system performance: 1% cpu; 37% memory)...
[{op}] PACKER OUT     azure-arm: Waiting for operation to complete (system performance: 51% cpu; 35% memory)...
[{op}] PACKER OUT     azure-arm: Waiting for operation to complete (system performance: 21% cpu; 37% memory)...
[{op}] PACKER OUT     azure-arm: Waiting for operation to complete (system performance: 21% cpu; 36% memory)...
[{op}] PACKER OUT     azure-arm: Waiting for operation to complete (system performance: 90% cpu; 32% memory)...
[{op}] PACKER OUT     azure-arm: Waiting for the Windows Modules Installer to exit...
[{op}] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] command 'PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File C:/Windows/Temp/packer-windows-update-elevated.ps1' exited with code: 101
[{op}] PACKER OUT ==> azure-arm: Restarting the machine...
[{op}] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] RPC endpoint: Communicator ended with: 101
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] 1672 bytes written for 'stdout'
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] 0 bytes written for 'stderr'
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] RPC client: Communicator ended with: 101
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] RPC endpoint: Communicator ended with: 101
[{op}] PACKER OUT ==> azure-arm: Waiting for machine to become available...
[{op}] PACKER ERR 2020/04/30 23:38:58 packer-provisioner-windows-update: 2020/04/30 23:38:58 [INFO] 1672 bytes written for 'stdout'
[{op}] PACKER ERR 2020/04/30 23:38:58 packer-provisioner-windows-update: 2020/04/30 23:38:58 [INFO] 0 bytes written for 'stderr'
[{op}] PACKER ERR 2020/04/30 23:38:58 packer-provisioner-windows-update: 2020/04/30 23:38:58 [INFO] RPC client: Communicator ended with: 101
[{op}] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] starting remote command: shutdown.exe -f -r -t 0 -c "packer restart"
[{op}] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] command 'shutdown.exe -f -r -t 0 -c "packer restart"' exited with code: 0
[{op}] PACKER ERR 2020/04/30 23:38:58 packer: 2020/04/30 23:38:58 [INFO] RPC endpoint: Communicator ended with: 0
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] 0 bytes written for 'stderr'
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] 0 bytes written for 'stdout'
[{op}] PACKER OUT ==> azure-arm: A system shutdown is in progress.(1115)
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] RPC client: Communicator ended with: 0
[{op}] PACKER ERR 2020/04/30 23:38:58 [INFO] RPC endpoint: Communicator ended with: 0
[{op}] PACKER ERR 2020/04/30 23:38:59 packer: 2020/04/30 23:38:59 [INFO] starting remote command: shutdown.exe -f -r -t 60 -c "packer restart test"
[{op}] PACKER ERR 2020/04/30 23:38:59 packer: 2020/04/30 23:38:59 [INFO] command 'shutdown.exe -f -r -t 60 -c "packer restart test"' exited with code: 1115
[{op}] PACKER ERR 2020/04/30 23:38:59 packer: 2020/04/30 23:38:59 [INFO] RPC endpoint: Communicator ended with: 1115
[{op}] PACKER ERR 2020/04/30 23:38:59 packer-provisioner-windows-update: 2020/04/30 23:38:59 Retryable error: Machine not yet available (exit status 1115)
""")
    log.t = log.t.replace(hour=23, minute=39, second=0)
    log.end("windows-update")
    log.raw(f"[{op}] PACKER OUT Build 'azure-arm' errored: unexpected EOF\n[{op}] PACKER OUT ")
    log.cleanup(failed=True)
    log.finish_failed("unexpected EOF")
    return log.text()


@case("no_artifacts.log")
def _no_artifacts():
    op = "a170b40d-2d77-4ac3-8719-72cdc35cf889"
    log = Log(op=op, start="2020/04/30 21:59:02").deploy().deployment_status(polls=40)
    log.raw(f"""
[{op}] PACKER OUT Build 'azure-arm' errored: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded
[{op}] PACKER ERR ==> Some builds didn't complete successfully and had errors:
[{op}] PACKER OUT 
[{op}] PACKER ERR 2020/04/30 22:29:23 machine readable: azure-arm,error []string{{"Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded"}}
[{op}] PACKER OUT ==> Some builds didn't complete successfully and had errors:
[{op}] PACKER ERR ==> Builds finished but no artifacts were created.
[{op}] PACKER OUT --> azure-arm: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded
[{op}] PACKER ERR 2020/04/30 22:29:23 Cancelling builder after context cancellation context canceled
[{op}] PACKER OUT 
[{op}] PACKER ERR 2020/04/30 22:29:23 [INFO] (telemetry) Finalizing.
[{op}] PACKER OUT ==> Builds finished but no artifacts were created.
[{op}] PACKER ERR 2020/04/30 22:29:24 waiting for all plugin processes to complete...
Done exporting Packer logs to Azure for Packer prefix: [{op}] PACKER OUT
""")
    return log.text()


@case("nic_not_found.json")
def _nic():
    return _az_show("Succeeded", run_state="Failed", message=(
        "network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404 -- Original Error: "
        "autorest/azure: Service returned an error. Status=404 Code=\"ResourceNotFound\" Message=\"The Resource "
        "'Microsoft.Network/networkInterfaces/aibpls7lz2e.nic.4609d697-be0a-4cb0-86af-49b6fe877fe1' under resource "
        "group 'IT_aibImageRG200_window2019VnetTemplate01_9988723b-af56-413a-9006-84130af0e9df' was not found.\""))


@case("sysprep_timing.log")
def _sysprep():
    op = "922bdf36-b53c-4e78-9cd8-6b70b9674685"
    log = windows_prefix(Log(op=op, start="2020/05/05 21:10:00", template="win2019Template01"))
    log.powershell(["Creating C:\\buildArtifacts", "Done"], seconds=2)
    log.windows_restart()
    log.deprovision_windows_start()
    body = [
        *SYSPREP_SCRIPT,
        ">>> Waiting for GA Service (RdAgent) to start ...",
        ">>> Waiting for GA Service (WindowsAzureTelemetryService) to start ...",
        ">>> Waiting for GA Service (WindowsAzureGuestAgent) to start ...",
        ">>> Sysprepping VM ...",
        "IMAGE_STATE_COMPLETE",
    ]
    for line in body:
        log.vm(line)
    log.raw(f"""
[{op}] PACKER OUT ==> azure-arm: Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'.
[{op}] PACKER OUT ==> azure-arm: At C:\\DeprovisioningScript.ps1:6 char:9
[{op}] PACKER OUT ==> azure-arm: + while ((Get-Service WindowsAzureGuestAgent) -and ((Get-Service Window ...
[{op}] PACKER OUT ==> azure-arm: +         ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
[{op}] PACKER OUT ==> azure-arm:     + CategoryInfo          : ObjectNotFound: (WindowsAzureGuestAgent:String) [Get-Service], ServiceCommandException
[{op}] PACKER OUT ==> azure-arm:     + FullyQualifiedErrorId : NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand
[{op}] PACKER OUT ==> azure-arm:
""")
    for _ in range(12):
        log.vm("IMAGE_STATE_UNDEPLOYABLE")
    log.raw(f"""
[{op}] PACKER ERR 2020/05/05 22:26:17 Cancelling builder after context cancellation context canceled
[{op}] PACKER OUT Cancelling build after receiving terminated
[{op}] PACKER ERR 2020/05/05 22:26:17 packer: 2020/05/05 22:26:17 Cancelling provisioning due to context cancellation: context canceled
[{op}] PACKER OUT ==> azure-arm: 
[{op}] PACKER ERR 2020/05/05 22:26:17 packer: 2020/05/05 22:26:17 Cancelling hook after context cancellation context canceled
""")
    log.t = log.t.replace(hour=22, minute=26, second=18)
    log.end("powershell")
    log.raw(f"""
[{op}] PACKER OUT ==> azure-arm: The resource group was not created by Packer, deleting individual resources ...
[{op}] PACKER ERR ==> azure-arm: The resource group was not created by Packer, deleting individual resources ...
""")
    log.cleanup()
    log.finish_failed("context canceled")
    return log.text()


@case("context_cancelled.log")
def _cancelled():
    op = "5c1d9e2a-3b4f-4c6d-8e7f-9a0b1c2d3e4f"
    log = linux_prefix(Log(op=op, start="2020/03/26 21:50:00"))
    log.shell(APT_UPDATE)
    log.start("shell")
    log.ui("Provisioning with shell script: /tmp/packer-shell1094312870")
    log.vm("Firewall is active and enabled on system startup")
    log.vm("Rules updated")
    log.raw(f"""
[{op}] PACKER ERR 2020/03/26 22:11:23 Cancelling builder after context cancellation context canceled
[{op}] PACKER OUT Cancelling build after receiving terminated
[{op}] PACKER ERR 2020/03/26 22:11:23 packer-builder-azure-arm plugin: Cancelling hook after context cancellation context canceled
[{op}] PACKER ERR 2020/03/26 22:11:23 packer-builder-azure-arm plugin: Cancelling provisioning due to context cancellation: context canceled
[{op}] PACKER ERR 2020/03/26 22:11:25 packer-builder-azure-arm plugin: [ERROR] Remote command exited without exit status or exit signal.
[{op}] PACKER ERR 2020/03/26 22:11:25 packer-builder-azure-arm plugin: [INFO] RPC endpoint: Communicator ended with: 2300218
[{op}] PACKER ERR 2020/03/26 22:11:25 [INFO] 148974 bytes written for 'stdout'
[{op}] PACKER ERR 2020/03/26 22:11:25 [INFO] 0 bytes written for 'stderr'
[{op}] PACKER ERR 2020/03/26 22:11:25 [INFO] RPC client: Communicator ended with: 2300218
[{op}] PACKER ERR 2020/03/26 22:11:25 [INFO] RPC endpoint: Communicator ended with: 2300218
""")
    log.t = log.t.replace(hour=22, minute=11, second=26)
    log.end("shell")
    log.cleanup(failed=True)
    log.finish_failed("context canceled")
    return log.text()


@case("devops_canceled.log")
def _devops():
    return """2020-05-05T18:28:24.9280196Z ##[section]Starting: Azure VM Image Builder Task
2020-05-05T18:28:24.9609966Z ==============================================================================
2020-05-05T18:28:24.9610739Z Task         : Azure VM Image Builder Test
2020-05-05T18:28:24.9611277Z Description  : Build images using Azure Image Builder resource provider.
2020-05-05T18:28:24.9611608Z Version      : 1.0.18
2020-05-05T18:28:24.9612003Z Author       : Microsoft Corporation
2020-05-05T18:28:24.9612718Z Help         : For documentation, and end to end example, please visit: http://aka.ms/azvmimagebuilderdevops
2020-05-05T18:28:24.9613390Z ==============================================================================
2020-05-05T18:28:26.0651512Z start reading task parameters...
2020-05-05T18:28:26.0673377Z found build at:  d:\\a\\r1\\a\\_AppsAndImageBuilder\\webApp
2020-05-05T18:28:26.0708785Z end reading parameters
2020-05-05T18:28:26.0745447Z getting storage account details for aibstagstor1565047758
2020-05-05T18:28:29.8812270Z created archive d:\\a\\_temp\\temp_web_package_09737279437949953.zip
2020-05-05T18:28:33.1568013Z Source for image:  { type: 'PlatformImage',
2020-05-05T18:28:33.1584131Z   publisher: 'MicrosoftWindowsServer',
2020-05-05T18:28:33.1585965Z   offer: 'WindowsServer',
2020-05-05T18:28:33.1592768Z   sku: '2016-Datacenter',
2020-05-05T18:28:33.1594191Z   version: '14393.3630.2004101604' }
2020-05-05T18:28:33.1595387Z template name:  t_1588703313152
2020-05-05T18:28:33.1597453Z starting put template...
2020-05-05T18:28:52.9278603Z put template:  Succeeded
2020-05-05T18:28:52.9281282Z starting run template...
2020-05-05T19:33:14.3923479Z ##[error]The operation was canceled.
2020-05-05T19:33:14.3939721Z ##[section]Finishing: Azure VM Image Builder Task
"""


@case("slow_logon.txt")
def _slow_logon():
    return ("After creating a VM from the image and connecting over RDP, the first logon shows a blue screen for minutes:\n"
            "Please wait for the Windows Modules Installer\n")


@case("deprovision_waagent.log")
def _deprov_linux():
    log = linux_prefix(Log(op="7e6d5c4b-3a29-4817-a6b5-c4d3e2f1a0b9"))
    log.shell(APT_UPDATE)
    log.shell(["Removing walinuxagent (2.2.45-0ubuntu1) ...", "Purging configuration files for walinuxagent ..."])
    log.deprovision_linux(["sudo: /usr/sbin/waagent: command not found"], code=1)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 1. Allowed exit codes are: [0]")
    return log.text()


@case("deprovision_script_missing.log")
def _deprov_missing():
    op = "3f2e1d0c-9b8a-4766-8554-433221100ffe"
    log = windows_prefix(Log(op=op, template="win2022Template01"))
    log.powershell(["Cleaning up C:\\ temporary files", "Removed 214 items"])
    log.deprovision_windows_start()
    log.vm("Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail or the VM "
           "created from the Image may not boot. Please make sure the deprovisioning script is not accidentally "
           "deleted by a Customizer in the Template.")
    log.err("[INFO] command 'powershell -executionpolicy bypass -file c:/Windows/Temp/deprovision.ps1' exited with code: 1")
    log.rpc(1, plugin="packer-provisioner-powershell plugin")
    log.end("powershell")
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 1. Allowed exit codes are: [0]")
    return log.text()


@case("success_linux.log")
def _success():
    return example_linux_ok()


@case("success_with_cleanup_noise.log")
def _success_noise():
    log = linux_prefix(Log())
    log.shell(APT_UPDATE)
    log.deprovision_linux()
    log.distribute().cleanup(noise=True)
    log.finish_ok()
    return log.text()


@case("quota_exceeded.log")
def _quota():
    op = "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
    log = Log(op=op).deploy()
    log.ui("ERROR: -> OperationNotAllowed : Operation could not be completed as it results in exceeding approved "
           "standardDSv2Family Cores quota. Additional details - Deployment Model: Resource Manager, Location: eastus, "
           "Current Limit: 10, Current Usage: 10, Additional Required: 1, (Minimum) New Limit Required: 11.")
    log.cleanup(failed=True)
    log.finish_failed("Code=\"OperationNotAllowed\" Message=\"Operation could not be completed as it results in "
                      "exceeding approved standardDSv2Family Cores quota.\"")
    return log.text()


@case("restart_timeout.log")
def _restart_timeout():
    log = windows_prefix(Log(op="c0ffee00-1234-4abc-9def-0123456789ab", template="win2022Template01"))
    log.powershell(["Installing .NET Framework 4.8", "Done"])
    log.start("windows-restart")
    log.ui("Restarting Machine")
    log.err("[INFO] command 'shutdown /r /f /t 0 /c \"packer restart\"' exited with code: 0")
    log.ui("Waiting for machine to restart...")
    log.tick(300).err("Timeout waiting for machine to restart.")
    log.ui("Timeout waiting for machine to restart.")
    log.end("windows-restart")
    log.cleanup(failed=True)
    log.finish_failed("Timeout waiting for machine to restart.")
    return log.text()


def main() -> None:
    for name, fn in CASES.items():
        write(os.path.join(LOGS, name), fn())
    write(os.path.join(EXAMPLES, "linux-customizer-failed.log"), example_linux_failed())
    write(os.path.join(EXAMPLES, "linux-template.json"), example_template())
    write(os.path.join(EXAMPLES, "linux-success.log"), example_linux_ok())
    write(os.path.join(EXAMPLES, "windows-sysprep-failed.log"), example_windows_sysprep())
    print(f"wrote {len(CASES)} test logs to {LOGS} and 4 files to {EXAMPLES}")


if __name__ == "__main__":
    main()
