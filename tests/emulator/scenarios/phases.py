"""The fixed parts of every AIB build log, phase by phase, in the order the guide lists them.

Source of the structure and of the quoted strings: the troubleshooting guide (seed; English
original https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot),
sections "Understanding the customization log" and "Sysprep command: Windows" /
"Deprovision command: Linux". Packer's azure-arm step texts ("Deploying deployment template",
"Capturing image", "Publishing to Shared Image Gallery", "deleting individual resources") are
what the builder prints; the rest of the wording is the project's own.

1 deploy the build VM into the staging RG (ARM requests, ``Deploying deployment template``),
2 deployment status polling, 3 connect (SSH or WinRM), [4 customizers: see customizers.py],
5 the hidden deprovisioning provisioner, capture + distribution, 6 cleanup, then Packer's summary.
"""

from __future__ import annotations

from .context import BuildContext
from .writer import LogWriter

PACKER_VERSION = "1.10.3"

SYSPREP_SCRIPT = (
    "Write-Output '>>> Waiting for GA Service (RdAgent) to start ...'",
    "while ((Get-Service RdAgent) -and ((Get-Service RdAgent).Status -ne 'Running')) { Start-Sleep -s 5 }",
    "Write-Output '>>> Waiting for GA Service (WindowsAzureTelemetryService) to start ...'",
    "while ((Get-Service WindowsAzureTelemetryService) -and ((Get-Service WindowsAzureTelemetryService).Status -ne 'Running')) { Start-Sleep -s 5 }",
    "Write-Output '>>> Waiting for GA Service (WindowsAzureGuestAgent) to start ...'",
    "while ((Get-Service WindowsAzureGuestAgent) -and ((Get-Service WindowsAzureGuestAgent).Status -ne 'Running')) { Start-Sleep -s 5 }",
    "Write-Output '>>> Sysprepping VM ...'",
    "if( Test-Path $Env:SystemRoot\\system32\\Sysprep\\unattend.xml ) {",
    "  Remove-Item $Env:SystemRoot\\system32\\Sysprep\\unattend.xml -Force",
    "}",
    "& $Env:SystemRoot\\System32\\Sysprep\\Sysprep.exe /oobe /generalize /quiet /quit",
    "while($true) {",
    "  $imageState = (Get-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State).ImageState",
    "  Write-Output $imageState",
    "  if ($imageState -eq 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE') { break }",
    "  Start-Sleep -s 5",
    "}",
    "Write-Output '>>> Sysprep complete ...'",
)

DEPROVISION_LINUX = "/usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync"

WIN_DEPROVISION_PROBE = (
    "if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo "
    "\"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail or "
    "the VM created from the Image may not boot. Please make sure the deprovisioning script is not "
    "accidentally deleted by a Customizer in the Template.\"}"
)
LINUX_DEPROVISION_PROBE = (
    "if [ -f /tmp/DeprovisioningScript.sh ]; then cat /tmp/DeprovisioningScript.sh; else echo "
    "\"Deprovisioning script [/tmp/DeprovisioningScript.sh] could not be found. Image build may fail or "
    "the VM created from the Image may not boot. Please make sure the deprovisioning script is not "
    "accidentally deleted by a Customizer in the Template.\"; fi"
)


_RESPONSE_STATUS = {"GET": 200, "PUT": 201, "POST": 200, "DELETE": 202, "PATCH": 200}


def azure_request(w: LogWriter, ctx: BuildContext, method: str, path: str, dt: float = 0.0,
                  lower_rg: bool = False, status: int | None = None) -> None:
    """One ``Azure request method=... request=...`` debug line of Packer's ARM client and its response."""
    url = ctx.arm + path
    if lower_rg:
        url = url.replace("/resourceGroups/", "/resourcegroups/", 1)
    w.err(f'Azure request method="{method}" request="{url}?[REDACTED]" body=""', dt=dt)
    code = status or _RESPONSE_STATUS.get(method, 200)
    w.err(f'Azure response status={code} method="{method}" request="{url}?[REDACTED]"',
          dt=ctx.rng.uniform(0.05, 0.6))


def remote_command_end(w: LogWriter, command: str, code: int, stdout_bytes: int,
                       stderr_bytes: int = 0, plugin: str | None = None) -> None:
    """The RPC bookkeeping lines Packer logs when a remote command returns."""
    w.err(f"[INFO] command '{command}' exited with code: {code}")
    w.err(f"[INFO] RPC endpoint: Communicator ended with: {code}")
    w.err1(f"[INFO] {stdout_bytes} bytes written for 'stdout'")
    w.err1(f"[INFO] {stderr_bytes} bytes written for 'stderr'")
    w.err1(f"[INFO] RPC client: Communicator ended with: {code}")
    w.err1(f"[INFO] RPC endpoint: Communicator ended with: {code}")
    if plugin:
        w.plugin(plugin, f"[INFO] {stdout_bytes} bytes written for 'stdout'")
        w.plugin(plugin, f"[INFO] {stderr_bytes} bytes written for 'stderr'")
        w.plugin(plugin, f"[INFO] RPC client: Communicator ended with: {code}")


def preamble(w: LogWriter, ctx: BuildContext) -> None:
    """Packer start-up, before the builder runs (runSubState Queued)."""
    w.sub_state("Queued")
    w.out("")
    w.err1(f"[INFO] Packer version: {PACKER_VERSION} [go1.21.9 linux amd64]")
    w.err1("[INFO] PACKER_CONFIG env var not set; checking the default config file path")
    w.err1("[INFO] PACKER_CONFIG env var set; attempting to open config file: /root/.packerconfig")
    w.err1("[WARN] Config file doesn't exist: /root/.packerconfig")
    w.err1("[INFO] Setting cache directory: /root/.cache/packer")
    for plugin in ("azure-arm", "azure-chroot", "azure-dtl"):
        w.err1(f"[INFO] found external [-packer-default-plugin-name- {plugin}] builders from azure plugin")
    w.err1("[INFO] PACKER_CONFIG env var not set; checking the default config file path", dt=0.4)
    w.err1("Build debug mode: false")
    w.err1("Force build: false")
    w.err1("On error: ")
    w.err1("Waiting on builds to complete...")
    w.err1("Starting build run: azure-arm")
    w.err1("Running builder: azure-arm")
    w.err1("[INFO] (telemetry) Starting builder azure-arm")


def _deploy_template(w: LogWriter, ctx: BuildContext, deployment: str, polls: int,
                     validate_only: bool = False) -> None:
    rg = ctx.rg_path
    w.say("Validating deployment template ...", dt=1.2)
    w.say(f" -> ResourceGroupName : '{ctx.staging_rg}'")
    w.say(f" -> DeploymentName    : '{deployment}'")
    azure_request(w, ctx, "POST", f"{rg}/providers/Microsoft.Resources/deployments/{deployment}/validate",
                  status=400 if validate_only else None)
    if validate_only:
        return
    w.say("Deploying deployment template ...", dt=2.5)
    w.say(f" -> ResourceGroupName : '{ctx.staging_rg}'")
    w.say(f" -> DeploymentName    : '{deployment}'")
    azure_request(w, ctx, "PUT", f"{rg}/providers/Microsoft.Resources/deployments/{deployment}", dt=0.4)
    status = ctx.rand_digits(20)
    for _ in range(polls):
        azure_request(w, ctx, "GET",
                      f"{rg}/providers/Microsoft.Resources/deployments/{deployment}/operationStatuses/{status}",
                      dt=ctx.rng.uniform(6.0, 12.0), lower_rg=True)


def deploy(w: LogWriter, ctx: BuildContext, *, polls: int | None = None, validate_only: bool = False) -> None:
    """Phases 1 and 2: the ARM deployment of the build VM and its status polling (runSubState Building).

    ``validate_only``: the build VM's deployment is refused at validation (stop after it)."""
    n = ctx.names
    rg = ctx.rg_path
    w.sub_state("Building")
    w.say("Running builder ...", dt=0.8)
    w.say("Getting tokens using Managed Identity for Azure")
    w.err("[INFO] Getting tokens using Managed Identity for Azure", dt=0.3)
    azure_request(w, ctx, "GET", f"/subscriptions/{ctx.subscription}/resourcegroups/{ctx.staging_rg}", dt=0.9)
    w.say("Using existing resource group ...", dt=0.5)
    w.say(f" -> ResourceGroupName : '{ctx.staging_rg}'")
    w.say(f" -> Location          : '{ctx.location}'")
    azure_request(w, ctx, "POST", f"{rg}/providers/Microsoft.Storage/storageAccounts", dt=0.6)
    azure_request(w, ctx, "POST", f"{rg}/providers/Microsoft.Storage/storageAccounts/{n['storage']}/listKeys", dt=0.4)
    if ctx.windows:
        _deploy_template(w, ctx, "kv" + n["dp"], polls=4)
        w.say("Getting the certificate's URL ...", dt=1.0)
        w.say(f" -> Key Vault Name        : '{n['kv']}'")
        w.say(" -> Key Vault Secret Name : 'packerKeyVaultSecret'")
        azure_request(w, ctx, "GET", f"{rg}/providers/Microsoft.KeyVault/vaults/{n['kv']}", dt=0.5)
        w.say("Setting the certificate's URL ...")
    _deploy_template(w, ctx, n["dp"], polls if polls is not None else ctx.rng.randint(18, 30),
                     validate_only=validate_only)


def deploy_succeeded(w: LogWriter, ctx: BuildContext) -> None:
    """End of phase 2: the deployment is done and Packer learns the VM's address."""
    n = ctx.names
    azure_request(w, ctx, "GET", f"{ctx.rg_path}/providers/Microsoft.Resources/deployments/{n['dp']}",
                  dt=2.0, lower_rg=True)
    w.say("Getting the VM's IP address ...", dt=1.0)
    w.say(f" -> ResourceGroupName   : '{ctx.staging_rg}'")
    w.say(f" -> PublicIPAddressName : '{n['ip']}'")
    w.say(f" -> NicName             : '{n['ni']}'")
    w.say(" -> Network Connection  : 'PrivateEndpoint'")
    w.say(f" -> IP Address          : '10.0.0.{ctx.rng.randint(4, 60)}'")


def connect(w: LogWriter, ctx: BuildContext) -> None:
    """Phase 3: wait for the communicator (SSH on Linux, WinRM on Windows)."""
    ip = f"10.0.0.{ctx.rng.randint(4, 60)}"
    if ctx.windows:
        w.say("Waiting for WinRM to become available...", dt=0.5)
        w.err("Waiting for WinRM, up to timeout: 10m0s", dt=0.2)
        for _ in range(ctx.rng.randint(2, 5)):
            w.err("[DEBUG] connecting to remote shell using WinRM", dt=ctx.rng.uniform(15, 40))
        w.ui("WinRM connected.", dt=5)
        w.err("Connected to machine")
        w.say("Connected to WinRM!")
    else:
        w.say("Waiting for SSH to become available...", dt=0.5)
        w.err("[INFO] Waiting for SSH, up to timeout: 20m0s", dt=0.2)
        for _ in range(ctx.rng.randint(1, 3)):
            w.err(f"[INFO] Attempting SSH connection to {ip}:22...", dt=ctx.rng.uniform(5, 20))
            w.err("[DEBUG] reconnecting to TCP connection for SSH")
            w.err("[DEBUG] handshaking with SSH")
            w.err(f"[DEBUG] TCP connection to SSH ip/port failed: dial tcp {ip}:22: i/o timeout",
                  dt=ctx.rng.uniform(1, 4))
        w.err(f"[INFO] Attempting SSH connection to {ip}:22...", dt=5)
        w.err("[DEBUG] reconnecting to TCP connection for SSH")
        w.err("[DEBUG] handshaking with SSH")
        w.err("[DEBUG] handshake complete!", dt=0.4)
        w.err("[DEBUG] Opening new ssh session")
        w.say("Connected to SSH!")


def deprovision_start(w: LogWriter, ctx: BuildContext) -> None:
    """Phase 5 opening: AIB's hidden last provisioner shows the deprovisioning script it will run."""
    if ctx.windows:
        w.err1("[INFO] (telemetry) Starting provisioner powershell", dt=1.0)
        w.say("Provisioning with powershell script: C:/Windows/Temp/packer-ps-deprovision.ps1")
        w.err(f"Found command: {WIN_DEPROVISION_PROBE}")
        for line in SYSPREP_SCRIPT:
            w.ui(line)
        w.err("Found command: c:\\DeprovisioningScript.ps1", dt=0.5)
    else:
        w.err1("[INFO] (telemetry) Starting provisioner shell", dt=1.0)
        w.say("Provisioning with shell script: /tmp/packer-shell" + ctx.rand_digits(9))
        w.err(f"Found command: {LINUX_DEPROVISION_PROBE}")
        w.ui(DEPROVISION_LINUX)
        w.err("Found command: sudo sh /tmp/DeprovisioningScript.sh", dt=0.5)


def deprovision_linux_ok(w: LogWriter, ctx: BuildContext) -> None:
    for line in ("WARNING! The waagent service will be stopped.",
                 "WARNING! Cached DHCP leases will be deleted.",
                 "WARNING! root password will be disabled. You will not be able to login as root.",
                 "WARNING! /etc/resolv.conf will be deleted.",
                 "WARNING! packer account and entire home directory will be deleted."):
        w.ui(line, dt=0.6)
    w.wait(3.0)
    remote_command_end(w, "sudo sh /tmp/DeprovisioningScript.sh", 0, 396)
    w.err1("[INFO] (telemetry) ending shell")


def deprovision_windows_ok(w: LogWriter, ctx: BuildContext) -> None:
    # A successful Sysprep also prints IMAGE_STATE_UNDEPLOYABLE a few times before
    # IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE (hashicorp/packer#8128: "The build of my image is
    # successful, however in the build output I see ... IMAGE_STATE_UNDEPLOYABLE").
    for svc in ("RdAgent", "WindowsAzureTelemetryService", "WindowsAzureGuestAgent"):
        w.ui(f">>> Waiting for GA Service ({svc}) to start ...", dt=ctx.rng.uniform(0.5, 4))
    w.ui(">>> Sysprepping VM ...", dt=1.0)
    w.ui("IMAGE_STATE_COMPLETE", dt=3.0)
    for _ in range(ctx.rng.randint(3, 9)):
        w.ui("IMAGE_STATE_UNDEPLOYABLE", dt=5.0)
    w.ui("IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE", dt=5.0)
    w.ui(">>> Sysprep complete ...")
    remote_command_end(w, "c:\\DeprovisioningScript.ps1", 0, 1024)
    w.err1("[INFO] (telemetry) ending powershell")


def optimize_and_validate(w: LogWriter, ctx: BuildContext) -> None:
    """Optional Optimizing / Validating sub-states when the template asks for them."""
    props = ctx.template
    if ((props.get("optimize") or {}).get("vmBoot") or {}).get("state") == "Enabled":
        w.sub_state("Optimizing")
        w.say("Optimizing the image for VM boot ...", dt=2.0)
        w.ui("vmBoot optimization: collecting boot trace", dt=60)
        w.ui("vmBoot optimization: complete", dt=90)
    if props.get("validate"):
        w.sub_state("Validating")
        w.say("Running in-VM validations ...", dt=2.0)
        for i, v in enumerate(props["validate"].get("inVMValidations") or []):
            w.ui(f"validation {i} ({v.get('type', 'Shell')} {v.get('name', '')}): passed", dt=30)
        w.say("Validation completed.", dt=1.0)


def capture(w: LogWriter, ctx: BuildContext) -> None:
    """Power off, generalize and capture the build VM as the managed image AIB distributes from."""
    n = ctx.names
    w.say("Querying the machine's properties ...", dt=1.0)
    w.say(f" -> ResourceGroupName : '{ctx.staging_rg}'")
    w.say(f" -> ComputeName       : '{n['vm']}'")
    w.say(f" -> Managed OS Disk   : '{ctx.rid('Microsoft.Compute/disks', n['os'])}'")
    w.say("Querying the machine's additional properties ...")
    azure_request(w, ctx, "GET", f"{ctx.rg_path}/providers/Microsoft.Compute/virtualMachines/{n['vm']}", dt=0.5)
    w.say("Powering off machine ...", dt=1.0)
    azure_request(w, ctx, "POST", f"{ctx.rg_path}/providers/Microsoft.Compute/virtualMachines/{n['vm']}/powerOff", dt=0.3)
    w.say(f" -> ResourceGroupName : '{ctx.staging_rg}'")
    w.say(f" -> ComputeName       : '{n['vm']}'")
    if not ctx.windows:
        w.say("Generalizing machine ...", dt=20.0)
        w.say(f" -> Compute ResourceGroupName : '{ctx.staging_rg}'")
        w.say(f" -> Compute Name              : '{n['vm']}'")
        w.say(f" -> Compute Location          : '{ctx.location}'")
        azure_request(w, ctx, "POST", f"{ctx.rg_path}/providers/Microsoft.Compute/virtualMachines/{n['vm']}/generalize", dt=0.3)
    w.say("Capturing image ...", dt=25.0)
    w.say(f" -> Compute ResourceGroupName : '{ctx.staging_rg}'")
    w.say(f" -> Compute Name              : '{n['vm']}'")
    w.say(f" -> Compute Location          : '{ctx.location}'")
    w.say(f" -> Image ResourceGroupName   : '{ctx.staging_rg}'")
    w.say(f" -> Image Name                : '{staging_image(ctx)}'")
    w.say(f" -> Image Location            : '{ctx.location}'")
    azure_request(w, ctx, "PUT", f"{ctx.rg_path}/providers/Microsoft.Compute/images/{staging_image(ctx)}", dt=0.4)
    for _ in range(ctx.rng.randint(3, 6)):
        azure_request(w, ctx, "GET", f"/subscriptions/{ctx.subscription}/providers/Microsoft.Compute/locations/{ctx.location}/operations/{ctx.rand_digits(8)}-{ctx.rand_digits(4)}",
                      dt=ctx.rng.uniform(8, 20))


def staging_image(ctx: BuildContext) -> str:
    return "aib" + ctx.names["vm"][5:]


def mdi_id(ctx: BuildContext) -> str:
    return ctx.rid("Microsoft.Compute/images", staging_image(ctx))


def sig_version(ctx: BuildContext, dist: dict) -> str:
    """The gallery image version a SharedImage distributor publishes.

    The same rule as the emulator's run output (tests/emulator/world.py ``_outputs``) for a
    template's first run, so the log and ``runOutputs[].artifactId`` agree: ``<major>.0.1`` with
    versioning Latest/major, else ``0.<yyyymmdd of the run's start>.1``.
    """
    versioning = dist.get("versioning") or {}
    major = versioning.get("major", -1) if versioning.get("scheme") == "Latest" else -1
    if isinstance(major, int) and major >= 0:
        return f"{major}.0.1"
    return f"0.{ctx.start:%Y%m%d}.1"


def distribute_start(w: LogWriter, ctx: BuildContext) -> None:
    w.sub_state("Distributing")
    w.say(f"Distributing the image to {len(ctx.distribute) or 1} target(s) ...", dt=2.0)


def distribute_one(w: LogWriter, ctx: BuildContext, index: int, dist: dict, version: str,
                   *, wait_replication: bool = True) -> None:
    """The lines of one distributor (ManagedImage copy, gallery publish + replication, or VHD)."""
    kind = str(dist.get("type", "ManagedImage"))
    name = str(dist.get("runOutputName") or f"output{index}")
    w.say(f"[Distribute {index}] {kind} -> runOutputName '{name}'", dt=1.0)
    if kind == "SharedImage":
        gallery_image = str(dist.get("galleryImageId") or
                            f"/subscriptions/{ctx.subscription}/resourceGroups/images/providers/Microsoft.Compute/galleries/gallery/images/image")
        parts = gallery_image.split("/")
        rg = parts[4] if len(parts) > 4 else "images"
        gallery = parts[8] if len(parts) > 8 else "gallery"
        image = parts[10] if len(parts) > 10 else "image"
        regions = [r.get("name") for r in dist.get("targetRegions") or [] if r.get("name")] or \
            list(dist.get("replicationRegions") or []) or [ctx.location]
        w.say("Publishing to Shared Image Gallery ...")
        w.say(f" -> MDI ID used for SIG publish     : '{mdi_id(ctx)}'")
        w.say(f" -> SIG publish resource group     : '{rg}'")
        w.say(f" -> SIG gallery name               : '{gallery}'")
        w.say(f" -> SIG image name                 : '{image}'")
        w.say(f" -> SIG image version              : '{version}'")
        w.say(f" -> SIG replication regions        : '{regions}'")
        w.say(f" -> SIG storage account type       : '{(dist.get('targetRegions') or [{}])[0].get('storageAccountType', 'Standard_LRS')}'")
        path = f"{gallery_image}/versions/{version}"
        azure_request(w, ctx, "PUT", path, dt=1.0)
        if wait_replication:
            for _ in range(8 + 4 * len(regions)):
                azure_request(w, ctx, "GET", path, dt=ctx.rng.uniform(20, 45))
            w.say(f" -> SIG image version '{version}' replicated to {len(regions)} region(s)", dt=2.0)
    elif kind == "VHD":
        uri = dist.get("uri") or (f"https://{ctx.names['storage']}.blob.core.windows.net/vhds/"
                                  f"{ctx.template_name}-{ctx.operation_id}.vhd")
        w.say("Exporting the OS disk as a VHD ...")
        w.say(f" -> VHD URI : '{uri}'")
        for pct in (10, 35, 60, 85, 100):
            w.ui(f"copy progress: {pct}%", dt=ctx.rng.uniform(20, 50))
    else:
        image_id = str(dist.get("imageId") or ctx.rid("Microsoft.Compute/images", "image"))
        w.say("Creating the managed image in the destination resource group ...")
        w.say(f" -> Image ID       : '{image_id}'")
        w.say(f" -> Image Location : '{dist.get('location') or ctx.location}'")
        azure_request(w, ctx, "PUT", image_id, dt=1.0)
        for _ in range(ctx.rng.randint(2, 5)):
            azure_request(w, ctx, "GET", f"/subscriptions/{ctx.subscription}/providers/Microsoft.Compute/locations/{ctx.location}/operations/{ctx.rand_digits(8)}-{ctx.rand_digits(4)}",
                          dt=ctx.rng.uniform(10, 25))
    w.say(f"[Distribute {index}] completed: runOutputName '{name}'", dt=0.5)


_CLEANUP_TYPES = (("Microsoft.Compute/virtualMachines", "vm"),
                  ("Microsoft.Network/networkInterfaces", "ni"),
                  ("Microsoft.Network/publicIPAddresses", "ip"),
                  ("Microsoft.Network/virtualNetworks", "vn"),
                  ("Microsoft.Network/networkSecurityGroups", "ns"))


def cleanup(w: LogWriter, ctx: BuildContext) -> None:
    """Phase 6: delete the build VM and its resources one by one (the staging RG is not Packer's)."""
    n = ctx.names
    types = list(_CLEANUP_TYPES)
    if ctx.windows:
        types.append(("Microsoft.KeyVault/vaults", "kv"))
    w.say("", dt=1.0)
    w.say("Deleting individual resources ...")
    w.say("The resource group was not created by Packer, deleting individual resources ...")
    w.errn("==> azure-arm: The resource group was not created by Packer, deleting individual resources ...")
    for rtype, key in types:
        w.say(f"Adding to deletion queue -> {rtype} : '{n[key]}'")
    w.say("Waiting for deletion of all resources...")
    for rtype, key in types:
        w.say(f"Attempting deletion -> {rtype} : '{n[key]}'", dt=0.3)
        azure_request(w, ctx, "DELETE", f"{ctx.rg_path}/providers/{rtype}/{n[key]}", dt=0.2)
    for rtype, key in types:
        w.err(f"[INFO] Waiting for deletion of {rtype} : '{n[key]}'", dt=ctx.rng.uniform(5, 25))
        azure_request(w, ctx, "GET", f"/subscriptions/{ctx.subscription}/providers/Microsoft.Network/locations/{ctx.location}/operations/{ctx.rand_digits(8)}-{ctx.rand_digits(4)}",
                      dt=ctx.rng.uniform(2, 8))
    w.say("Deleting -> Microsoft.Compute/disks : '" + ctx.rid("Microsoft.Compute/disks", n["os"]) + "'", dt=1.0)
    azure_request(w, ctx, "DELETE", f"{ctx.rg_path}/providers/Microsoft.Compute/disks/{n['os']}", dt=0.2)
    w.say("Removing the created Deployment object", dt=5.0)
    azure_request(w, ctx, "DELETE", f"{ctx.rg_path}/providers/Microsoft.Resources/deployments/{n['dp']}", dt=0.2)
    w.say("")


def _elapsed(at: float) -> str:
    m, s = divmod(int(at), 60)
    return f"{m} minutes {s} seconds"


def finish_ok(w: LogWriter, ctx: BuildContext) -> None:
    """Packer's success summary, the Finalizing telemetry and the exporter's last line."""
    w.out("Build 'azure-arm' finished.", dt=1.0)
    w.out("")
    w.out(lambda at: f"==> Wait completed after {_elapsed(at)}")
    w.out("")
    w.out("==> Builds finished. The artifacts of successful builds are:")
    w.err1('machine readable: azure-arm,artifact-count []string{"1"}')
    w.out("--> azure-arm: Azure.ResourceManagement.VMImage:")
    w.out("")
    w.out(f"OSType: {'Windows' if ctx.windows else 'Linux'}")
    w.out(f"ManagedImageResourceGroupName: {ctx.staging_rg}")
    w.out(f"ManagedImageName: {staging_image(ctx)}")
    w.out(f"ManagedImageId: {mdi_id(ctx)}")
    w.out(f"ManagedImageLocation: {ctx.location}")
    w.out("")
    exporter_tail(w, ctx)


def finish_error(w: LogWriter, ctx: BuildContext, message: str, *, cancelled: bool = False) -> None:
    """Packer's failure summary for ``message`` (what `Build 'azure-arm' errored:` says).

    ``cancelled``: AIB's deadline also cancelled the builder (the guide's "no artifacts" excerpt).
    """
    w.out(f"Build 'azure-arm' errored: {message}", dt=1.0)
    w.errn("==> Some builds didn't complete successfully and had errors:")
    w.out("")
    w.err1(f'machine readable: azure-arm,error []string{{"{message}"}}')
    w.out(lambda at: f"==> Wait completed after {_elapsed(at)}")
    w.out("==> Some builds didn't complete successfully and had errors:")
    w.errn("==> Builds finished but no artifacts were created.")
    w.out(f"--> azure-arm: {message}")
    if cancelled:
        w.err1("Cancelling builder after context cancellation context canceled")
    w.out("")
    w.out("==> Builds finished but no artifacts were created.")
    exporter_tail(w, ctx)


def announce_cancel(w: LogWriter) -> None:
    """What Packer logs when AIB cancels it (build deadline reached or run canceled)."""
    w.err1("Cancelling builder after context cancellation context canceled")
    w.out("Cancelling build after receiving terminated")
    w.err("Cancelling provisioning due to context cancellation: context canceled")
    w.say("")
    w.err("Cancelling hook after context cancellation context canceled")


def finish_cancel(w: LogWriter, ctx: BuildContext, *, with_cleanup: bool = True,
                  announce: bool = True) -> None:
    """The context-cancellation ending (build timeout hit, run canceled, or AIB gave up)."""
    if announce:
        announce_cancel(w)
    if with_cleanup:
        cleanup(w, ctx)
    w.out("Build 'azure-arm' errored: build was cancelled", dt=0.5)
    w.out(lambda at: f"==> Wait completed after {_elapsed(at)}")
    w.out("Cleanly cancelled builds after being interrupted.")
    exporter_tail(w, ctx)


def exporter_tail(w: LogWriter, ctx: BuildContext) -> None:
    w.err1("[INFO] (telemetry) Finalizing.", dt=0.5)
    w.errn("")
    w.err1("waiting for all plugin processes to complete...", dt=0.5)
    for name in ("azure", "shell", "file", "powershell", "windows-restart"):
        w.err1(f"/root/.config/packer/plugins/packer-plugin-{name}: plugin process exited")
    w.raw(f"Done exporting Packer logs to Azure for Packer prefix: [{ctx.operation_id}] PACKER OUT", dt=1.0)
