"""Build realistic customization.log files: the six phases of an AIB build around chosen content.

Used by ``make_logs.py`` (test and example logs) and by ``bench/make_big_log.py``. The shapes of the
lines follow the excerpts in Microsoft's AIB troubleshooting guide (the seed).
"""

from __future__ import annotations

from datetime import datetime, timedelta

SUB = "0b9f5c11-2d4e-4a7b-9c41-6f0e2a7d1c35"


class Log:
    def __init__(self, op: str = "45f485cf-5a8c-4379-9937-8d85493bc791",
                 start: str = "2026/11/25 21:04:06", rg: str = "aibImageRG",
                 template: str = "linuxWebTemplate01"):
        self.op = op
        self.t = datetime.strptime(start, "%Y/%m/%d %H:%M:%S")
        self.lines: list[str] = []
        self.staging = f"IT_{rg}_{template}_9988723b-af56-413a-9006-84130af0e9df"

    # ---------------------------------------------------------------- primitives
    def tick(self, seconds: float = 1) -> "Log":
        self.t += timedelta(seconds=seconds)
        return self

    @property
    def ts(self) -> str:
        return self.t.strftime("%Y/%m/%d %H:%M:%S")

    def out(self, msg: str = "") -> "Log":
        self.lines.append(f"[{self.op}] PACKER OUT {msg}".rstrip(" ") if msg else f"[{self.op}] PACKER OUT ")
        return self

    def err(self, msg: str, plugin: str | None = "packer") -> "Log":
        inner = f"{plugin}: {self.ts} {msg}" if plugin else msg
        self.lines.append(f"[{self.op}] PACKER ERR {self.ts} {inner}")
        return self

    def ui(self, msg: str) -> "Log":
        return self.out(f"==> azure-arm: {msg}")

    def vm(self, msg: str) -> "Log":
        return self.out(f"    azure-arm: {msg}")

    def raw(self, text: str) -> "Log":
        self.lines.extend(line for line in text.strip("\n").splitlines())
        return self

    def azure(self, method: str, path: str) -> "Log":
        return self.err(f'Azure request method="{method}" request="https://management.azure.com/subscriptions/'
                        f'{SUB}/resourceGroups/{self.staging}/providers/{path}?[REDACTED]" body=""')

    def rpc(self, code: int = 0, plugin: str = "packer-provisioner-shell plugin", stdout: int = 1024) -> "Log":
        self.err(f"[INFO] RPC endpoint: Communicator ended with: {code}")
        self.err(f"[INFO] {stdout} bytes written for 'stdout'", plugin=None)
        self.err("[INFO] 0 bytes written for 'stderr'", plugin=None)
        self.err(f"[INFO] RPC client: Communicator ended with: {code}", plugin=None)
        self.err(f"[INFO] {stdout} bytes written for 'stdout'", plugin=plugin)
        return self

    # ---------------------------------------------------------------- phases
    def deploy(self, windows: bool = False) -> "Log":
        self.err("[INFO] Packer version: 1.9.4 [go1.20.10 linux amd64]", plugin=None)
        self.err("Loading plugin config file: /root/.config/packer/packer.pkr.hcl", plugin=None)
        self.out("azure-arm: output will be in this color.")
        self.out()
        self.ui("Running builder ...")
        self.ui("Getting tokens using Managed Identity for Azure")
        self.tick(2).azure("POST", f"Microsoft.Storage/storageAccounts/a{self.op[:8]}/listKeys")
        self.ui("Using existing resource group ...")
        self.ui(f" -> ResourceGroupName : '{self.staging}'")
        self.ui(" -> Location          : 'eastus'")
        self.ui("Validating deployment template ...")
        self.tick(3).azure("PUT", "Microsoft.Resources/deployments/pkrdp51lc0339jg")
        self.ui("Deploying deployment template ...")
        self.ui(" -> DeploymentName    : 'pkrdp51lc0339jg'")
        return self

    def deployment_status(self, polls: int = 6) -> "Log":
        for i in range(polls):
            self.tick(15).azure("GET", f"Microsoft.Resources/deployments/pkrdp51lc0339jg/operationStatuses/0858613317620752351{i}")
        self.tick(2).ui("Getting the VM's IP address ...")
        self.ui(" -> IP Address        : '10.1.0.4'")
        return self

    def connect(self, windows: bool = False) -> "Log":
        if windows:
            self.ui("Waiting for WinRM to become available...")
            self.err("Waiting for WinRM, up to timeout: 10m0s")
            self.tick(95).out("    azure-arm: WinRM connected.")
            self.ui("Connected to WinRM!")
        else:
            self.ui("Waiting for SSH to become available...")
            self.err("[INFO] Waiting for SSH, up to timeout: 20m0s")
            self.tick(40).ui("Connected to SSH!")
        return self

    def start(self, provisioner: str) -> "Log":
        self.tick(1).err(f"[INFO] (telemetry) Starting provisioner {provisioner}", plugin=None)
        return self

    def end(self, provisioner: str) -> "Log":
        self.err(f"[INFO] (telemetry) ending {provisioner}", plugin=None)
        return self

    def shell(self, output: list[str], code: int = 0, seconds: int = 30, end: bool = True) -> "Log":
        self.start("shell")
        self.ui("Provisioning with shell script: /tmp/packer-shell2436011953")
        self.err("[INFO] Opening /tmp/packer-shell2436011953 for reading", plugin="packer-provisioner-shell plugin")
        step = max(1, seconds // max(1, len(output)))
        for line in output:
            self.tick(step).vm(line)
        self.rpc(code)
        if end:
            self.end("shell")
        return self

    def powershell(self, output: list[str], code: int = 0, seconds: int = 30, command: str =
                   "powershell -executionpolicy bypass \"& { if (Test-Path variable:global:ProgressPreference)"
                   "{set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};"
                   ". c:/Windows/Temp/packer-ps-env-vars-6569d9a2.ps1; &'c:/Windows/Temp/script-6569d9a2.ps1'; exit $LastExitCode }\"",
                   end: bool = True) -> "Log":
        self.start("powershell")
        self.ui("Provisioning with powershell script: /tmp/powershell-provisioner3459276522")
        self.err(f"[INFO] starting remote command: {command}")
        step = max(1, seconds // max(1, len(output)))
        for line in output:
            self.tick(step).vm(line)
        self.err(f"[INFO] command '{command}' exited with code: {code}")
        self.rpc(code, plugin="packer-provisioner-powershell plugin")
        if end:
            self.end("powershell")
        return self

    def file(self, source: str, dest: str, size: int = 826, end: bool = True) -> "Log":
        self.start("file")
        self.ui(f"Uploading {source} => {dest}")
        name = source.rsplit("/", 1)[-1]
        self.out(f"{name} {size} B / {size} B  100.00%")
        self.rpc(0, plugin="packer-provisioner-file plugin")
        if end:
            self.end("file")
        return self

    def windows_restart(self, end: bool = True) -> "Log":
        self.start("windows-restart")
        self.ui("Restarting Machine")
        self.err("[INFO] starting remote command: shutdown /r /f /t 0 /c \"packer restart\"")
        self.err("[INFO] command 'shutdown /r /f /t 0 /c \"packer restart\"' exited with code: 0")
        self.ui("Waiting for machine to restart...")
        self.tick(60).vm("PKRVM21F9BDE restarted.")
        self.ui("Machine successfully restarted, moving on")
        if end:
            self.end("windows-restart")
        return self

    def deprovision_linux(self, output: list[str] | None = None, code: int = 0, end: bool = True) -> "Log":
        self.start("shell")
        self.ui("Provisioning with shell script: /tmp/packer-shell3120843541")
        self.err("[INFO] starting remote command: chmod +x /tmp/DeprovisioningScript.sh; sudo /tmp/DeprovisioningScript.sh")
        for line in output if output is not None else [
                "WARNING! The waagent service will be stopped.",
                "WARNING! Cached DHCP leases will be deleted.",
                "WARNING! root password will be disabled. You will not be able to login as root.",
                "WARNING! /etc/resolv.conf will be deleted.",
                "WARNING! packer account and entire home directory will be deleted."]:
            self.tick(1).vm(line)
        self.rpc(code)
        if end:
            self.end("shell")
        return self

    def deprovision_windows_start(self) -> "Log":
        self.start("powershell")
        self.err('Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else '
                 '{echo "Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail '
                 'or the VM created from the Image may not boot. Please make sure the deprovisioning script is not '
                 'accidentally deleted by a Customizer in the Template."}')
        return self

    def deprovision_windows(self, end: bool = True) -> "Log":
        self.deprovision_windows_start()
        for line in (">>> Waiting for GA Service (RdAgent) to start ...",
                     ">>> Waiting for GA Service (WindowsAzureTelemetryService) to start ...",
                     ">>> Waiting for GA Service (WindowsAzureGuestAgent) to start ...",
                     ">>> Sysprepping VM ...", "IMAGE_STATE_COMPLETE", "IMAGE_STATE_COMPLETE",
                     "IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE", ">>> Sysprep complete ..."):
            self.tick(20).vm(line)
        self.err("[INFO] command 'powershell -executionpolicy bypass -file c:/Windows/Temp/deprovision.ps1' exited with code: 0")
        self.rpc(0, plugin="packer-provisioner-powershell plugin")
        if end:
            self.end("powershell")
        return self

    def distribute(self) -> "Log":
        self.ui("Querying the machine's properties ...")
        self.ui(" -> Managed OS Disk   : '/subscriptions/.../disks/pkrospkrvm21f9bde'")
        self.tick(5).ui("Powering off machine ...")
        self.tick(60).ui("Capturing image ...")
        self.ui(" -> Image ResourceGroupName   : 'aibImageRG'")
        self.tick(90)
        return self

    def cleanup(self, failed: bool = False, noise: bool = False) -> "Log":
        if failed:
            self.ui("The resource group was not created by Packer, deleting individual resources ...")
            self.err("==> azure-arm: The resource group was not created by Packer, deleting individual resources ...",
                     plugin=None)
        self.ui("Removing the created Deployment object: 'pkrdp51lc0339jg'")
        for res in ("Microsoft.Compute/virtualMachines/pkrvm21f9bde",
                    "Microsoft.Network/networkInterfaces/pkrni21f9bde",
                    "Microsoft.Network/virtualNetworks/pkrvn21f9bde",
                    "Microsoft.Compute/disks/pkrospkrvm21f9bde"):
            self.tick(8).azure("DELETE", res)
            self.ui(f"Deleted -> {res.rsplit('/', 1)[-1]}")
        if noise:
            self.ui("Error deleting resource. Please delete manually.")
            self.ui("Name: pkrsg21f9bde")
            self.err("Retrying DELETE request to https://management.azure.com/.../networkSecurityGroups/pkrsg21f9bde (attempt 2)")
        return self

    def finish_ok(self) -> "Log":
        self.out("Build 'azure-arm' finished after 14 minutes 2 seconds.")
        self.out()
        self.out("==> Wait completed after 14 minutes 2 seconds")
        self.out()
        self.out("==> Builds finished. The artifacts of successful builds are:")
        self.out("--> azure-arm: Azure.ResourceManagement.VMImage:")
        self.err("[INFO] (telemetry) Finalizing.", plugin=None)
        self.err("waiting for all plugin processes to complete...", plugin=None)
        self.raw(f"Done exporting Packer logs to Azure for Packer prefix: [{self.op}] PACKER OUT")
        return self

    def finish_failed(self, error: str) -> "Log":
        self.out(f"Build 'azure-arm' errored after 9 minutes 41 seconds: {error}")
        self.out()
        self.out("==> Wait completed after 9 minutes 41 seconds")
        self.err("==> Some builds didn't complete successfully and had errors:", plugin=None)
        self.err(f'machine readable: azure-arm,error []string{{"{error}"}}', plugin=None)
        self.out("==> Some builds didn't complete successfully and had errors:")
        self.out(f"--> azure-arm: {error}")
        self.out()
        self.out("==> Builds finished but no artifacts were created.")
        self.err("[INFO] (telemetry) Finalizing.", plugin=None)
        self.err("waiting for all plugin processes to complete...", plugin=None)
        self.raw(f"Done exporting Packer logs to Azure for Packer prefix: [{self.op}] PACKER OUT")
        return self

    def text(self, crlf: bool = False) -> str:
        nl = "\r\n" if crlf else "\n"
        return nl.join(self.lines) + nl


APT_UPDATE = [
    "Hit:1 http://azure.archive.ubuntu.com/ubuntu jammy InRelease",
    "Get:2 http://azure.archive.ubuntu.com/ubuntu jammy-updates InRelease [119 kB]",
    "Get:3 http://azure.archive.ubuntu.com/ubuntu jammy-backports InRelease [109 kB]",
    "Get:4 http://azure.archive.ubuntu.com/ubuntu jammy-security InRelease [110 kB]",
    "Fetched 338 kB in 1s (412 kB/s)",
    "Reading package lists...",
]
APT_INSTALL = [
    "Reading package lists...",
    "Building dependency tree...",
    "Reading state information...",
    "The following NEW packages will be installed:",
    "  nginx nginx-common nginx-core",
    "0 upgraded, 3 newly installed, 0 to remove and 31 not upgraded.",
    "Need to get 602 kB of archives.",
    "Get:1 http://azure.archive.ubuntu.com/ubuntu jammy-updates/main amd64 nginx-common all 1.18.0-6ubuntu14.4 [40.0 kB]",
    "Selecting previously unselected package nginx-common.",
    "Unpacking nginx-common (1.18.0-6ubuntu14.4) ...",
    "Setting up nginx-common (1.18.0-6ubuntu14.4) ...",
    "Setting up nginx-core (1.18.0-6ubuntu14.4) ...",
    "Processing triggers for man-db (2.10.2-1) ...",
]
