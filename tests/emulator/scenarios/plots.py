"""Scenario plots: where and how each build fails, written as overrides of one build step.

Error strings that the troubleshooting guide quotes are kept as the guide shows them (they are what
diagnosis rules match); the surrounding output is the project's own.
"""

from __future__ import annotations

from . import customizers, phases
from .commands import apt_install_head
from .build import Build, Plot, Stop
from .context import customizer_kind, packer_name

EXIT_MESSAGE = "Script exited with non-zero exit status: {code}. Allowed exit codes are: [0]"


# --------------------------------------------------------------------------------------------
# helpers shared by the customizer failures


def script_lines(cust: dict) -> list[str]:
    """The inline lines of a script customizer, or one stand-in line for a scriptUri/other kind."""
    lines = customizers.inline_lines(cust)
    if lines:
        return lines
    if customizer_kind(cust) == "powershell":
        return ["& .\\" + (str(cust.get("scriptUri") or "setup.ps1").rsplit("/", 1)[-1])]
    return ["bash ./" + (str(cust.get("scriptUri") or "setup.sh").split("?", 1)[0].rsplit("/", 1)[-1])]


def shell_failure(line: str, path: str, lineno: int) -> list[tuple[float, str, str]]:
    """stderr of a failing Linux command, chosen to fit the command (exit status 1)."""
    words = line.replace("sudo ", "").split()
    head = words[0].rsplit("/", 1)[-1] if words else "sh"
    if head == "systemctl" and len(words) > 2:
        unit = words[-1] if words[-1].endswith(".service") else words[-1] + ".service"
        if words[1] == "enable":
            return [(1.0, "say", f"Failed to enable unit: Unit file {unit} does not exist.")]
        return [(2.0, "say", f"Job for {unit} failed because the control process exited with error code."),
                (0.0, "say", f'See "systemctl status {unit}" and "journalctl -xeu {unit}" for details.')]
    if head in ("apt-get", "apt", "dpkg"):
        return [(4.0, "say", "dpkg: error processing package (--configure):"),
                (0.0, "say", " installed post-installation script subprocess returned error exit status 1"),
                (0.5, "say", "Errors were encountered while processing:"),
                (0.5, "say", "E: Sub-process /usr/bin/dpkg returned an error code (1)")]
    if head == "curl":
        return [(1.5, "say", "curl: (22) The requested URL returned error: 404")]
    if head == "wget":
        return [(1.5, "say", "ERROR 404: Not Found.")]
    if head in ("cp", "mv", "cat", "chmod", "chown", "ln"):
        target = next((w for w in words[1:] if not w.startswith("-")), "file")
        return [(0.3, "say", f"{head}: cannot stat '{target}': No such file or directory")]
    return [(0.8, "say", f"{path}: {lineno}: {head}: not found")]


_PS_ERRORS = {
    "new-item": ("An item with the specified name {arg} already exists.",
                 "ResourceExists: ({arg}:String) [New-Item], IOException",
                 "DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand"),
    "install-windowsfeature": ("The request to add or remove features on the specified server failed.",
                               "InvalidOperation: (@{Vhd=; Credent...Name=localhost}:PSObject) [Install-WindowsFeature], Exception",
                               "DISMAPI_Error__Failed_To_Enable_Updates,Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand"),
    "invoke-webrequest": ("The remote server returned an error: (404) Not Found.",
                          "InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-WebRequest], WebException",
                          "WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeWebRequestCommand"),
}


def powershell_failure(line: str, path: str, lineno: int) -> list[tuple[float, str, str]]:
    """A PowerShell error record as WinRM relays it, chosen to fit the command."""
    words = line.split()
    head = words[0] if words else "Invoke-Expression"
    arg = next((w for w in words[1:] if not w.startswith("-")), head).strip("'\"")
    known = _PS_ERRORS.get(head.lower())
    if known:
        message, category, fqid = (x.format(arg=arg) for x in known)
    else:
        message = (f"The term '{head}' is not recognized as the name of a cmdlet, function, script file, "
                   "or operable program. Check the spelling of the name, or if a path was included, "
                   "verify that the path is correct and try again.")
        category, fqid = f"ObjectNotFound: ({head}:String) [], CommandNotFoundException", "CommandNotFoundException"
    return [(1.0, "say", f"{head} : {message}"),
            (0.0, "say", f"At {path.replace('/', chr(92))}:{lineno} char:1"),
            (0.0, "say", f"+ {line[:60]}"),
            (0.0, "say", "+ " + "~" * min(len(head), 40)),
            (0.0, "say", f"    + CategoryInfo          : {category}"),
            (0.0, "say", f"    + FullyQualifiedErrorId : {fqid}"),
            (0.0, "say", "")]


_ECHO = ("echo", "printf", "write-host", "write-output")


def failing_line(lines: list[str]) -> int:
    """The command that fails: the last one that is not a mere echo (the script stops there)."""
    for i in range(len(lines) - 1, -1, -1):
        words = lines[i].replace("sudo ", "").split()
        if words and words[0].lower() not in _ECHO:
            return i
    return len(lines) - 1


def run_until(b: Build, cust: dict, lines: list[str], stop_at: int) -> tuple[str, str, int]:
    """Start a script customizer and run ``lines[:stop_at]`` normally.

    Returns (remote command, script path, stdout bytes so far).
    """
    customizers.begin(b.w, cust)
    command, path = customizers.prologue(b.w, b.ctx, cust)
    written = 0
    for line in lines[:stop_at]:
        written += customizers.emit_output(b.w, customizers.command_output(b.ctx, cust, line))
    return command, path, written


def fail_after(b: Build, cust: dict, command: str, written: int, code: int,
               message: str | None = None) -> Stop:
    """The remote command returned ``code``: bookkeeping, the provisioner error, ``ending``."""
    w = b.w
    phases.remote_command_end(w, command, code, written, 120,
                              plugin=f"packer-provisioner-{packer_name(cust)}")
    message = message or EXIT_MESSAGE.format(code=code)
    w.say(message, dt=0.2)
    customizers.end(w, cust)
    w.say("Provisioning step had errors: Running the cleanup provisioner, if present...")
    return Stop("error", message)


class CustomizerFailed(Plot):
    """An inline script's last real command fails (later lines never run) and it exits 1."""

    needs = ("shell", "powershell")
    injected: tuple[str, ...] = ()

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        lines = script_lines(cust)
        last = failing_line(lines)
        command, path, written = run_until(b, cust, lines, last)
        if lines[last].replace("sudo ", "").split()[:1] in (["apt-get"], ["apt"], ["yum"], ["dnf"]):
            # package managers print their progress before the step that fails
            written += customizers.emit_output(b.w, customizers.command_output(b.ctx, cust, lines[last]))
        self.inject(b)
        fail = powershell_failure if customizer_kind(cust) == "powershell" else shell_failure
        customizers.emit_output(b.w, fail(lines[last], path, last + 1))
        return fail_after(b, cust, command, written, 1)

    def inject(self, b: Build) -> None:
        """Hook for output that tries to trick the product (see HostileLog)."""


def first_matching(lines: list[str], *needles: str) -> int | None:
    for i, line in enumerate(lines):
        low = line.lower()
        if any(n in low for n in needles):
            return i
    return None


def apt_packages(line: str) -> list[str]:
    words = line.replace("sudo ", "").split()
    pkgs = [w for w in words[2:] if not w.startswith("-") and "=" not in w]
    return pkgs or ["nginx"]


class HostileLog(CustomizerFailed):
    """customizer-failed whose output tries to become CI workflow commands and leaks secrets."""

    LINES = (
        "::error::Build failed in step 3 (injected)",
        "::set-output name=state::Succeeded",
        "::add-mask::nothing-to-see",
        "::stop-commands::x",
        "##[error]Injected error from the build VM",
        "##vso[task.setvariable variable=state]Succeeded",
        "##vso[task.complete result=Succeeded;]",
        "echo ##vso[task.logissue type=error]x",
        "Uploading to https://aibstaging.blob.core.windows.net/artifacts/app.zip?sv=2022-11-02&sr=b&sig=SECRETSIG123&se=2030-01-01",
        "DefaultEndpointsProtocol=https;AccountName=aibstaging;AccountKey=SECRETKEY==;EndpointSuffix=core.windows.net",
    )

    def inject(self, b: Build) -> None:
        for line in self.LINES:
            b.w.ui(line, dt=0.1)
        # the same text at the start of a log line, as continuation lines of multi-line output show it
        for line in self.LINES[:7]:
            b.w.out("", dt=0.05)
            b.w.raw(line)


class WaitingForInput(Plot):
    """A command waits for an answer nobody gives (apt-get install without -y) until the deadline."""

    needs = ("shell", "powershell")

    def prefer(self, cust: dict) -> bool:
        return any(("apt-get install" in l or "apt install" in l) and " -y" not in l
                   for l in customizers.inline_lines(cust))

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        lines = script_lines(cust)
        ps = customizer_kind(cust) == "powershell"
        k = first_matching(lines, "apt-get install", "apt install") if not ps else None
        k = failing_line(lines) if k is None else k
        run_until(b, cust, lines, k)
        w = b.w
        if ps:
            for text in ("", "Confirm", "Are you sure you want to perform this action?",
                         'Performing the operation "Remove Directory" on target "C:\\buildArtifacts\\old".',
                         '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): '):
                w.ui(text, dt=0.3)
        else:
            pkgs = apt_packages(lines[k]) if "apt" in lines[k] else ["nginx"]
            customizers.emit_output(w, apt_install_head(pkgs, b.ctx.rng))
            w.ui("Do you want to continue? [Y/n] ", dt=0.2)
        w.wait(1.0, hang=True)
        return Stop("cancel")


class BuildTimeout(Plot):
    """A script step never returns; AIB's buildTimeoutInMinutes runs out (context deadline exceeded)."""

    needs = ("shell", "powershell")

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        lines = script_lines(cust)
        k = failing_line(lines)
        run_until(b, cust, lines, k + 1)
        b.w.wait(1.0, hang=True)
        return Stop("cancel")


class LargeFileCustomizer(Plot):
    """A File customizer uploads a huge file at a crawl (the guide's progress lines) until the deadline."""

    needs = ("file",)
    TOTAL = 826000000

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        src, local, dest = customizers.file_names(ctx, index, cust)
        customizers.file_download(w, ctx, index, cust)
        w.err(f"[INFO] Downloaded external file ({src}) to local file ({local}): {self.TOTAL} bytes", dt=90)
        w.say(f"Uploading {local} => {dest}", dt=0.3)
        name = dest.replace("\\", "/").rsplit("/", 1)[-1] or "file"
        pct = 0.0
        while pct < 63:
            pct += 1.0
            w.wait(1.0, hang=True)
            customizers.upload_progress(w, name, self.TOTAL, [(pct, 0.0)])
        return Stop("cancel")


class VmResourcesExhausted(Plot):
    """A script downloads ~50 GB on a small build VM: memory runs out and the VM stops answering."""

    needs = ("shell", "powershell")

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        lines = script_lines(cust)
        k = failing_line(lines)
        run_until(b, cust, lines, k)
        url = "https://datasets.contoso.example/exports/dataset-50GB.tar"
        if customizer_kind(cust) == "powershell":
            w.ui(f"Downloading {url} (53687091200 bytes)", dt=2)
            for i in range(1, 8):
                w.wait(1.0, hang=True)
                w.ui(f"Writing web request: Number of bytes written: {i * 2147483648}")
            w.say("Invoke-WebRequest : Exception of type 'System.OutOfMemoryException' was thrown.", dt=5)
            w.say("Insufficient system resources exist to complete the requested service.")
        else:
            w.say(f"--  {url}", dt=1)
            w.say("Resolving datasets.contoso.example (datasets.contoso.example)... 20.60.1.4")
            w.say("HTTP request sent, awaiting response... 200 OK")
            w.say("Length: 53687091200 (50G) [application/x-tar]")
            w.say("Saving to: 'dataset-50GB.tar'")
            for i in range(1, 25):
                w.wait(0.4, hang=True)
                w.say(f"{i * 1048576}K .......... .......... .......... .......... ..........  {i * 2}% {ctx.rng.uniform(2, 40):.1f}M {ctx.rng.randint(20, 90)}m")
            w.say("bash: fork: Cannot allocate memory", dt=3)
            w.say("bash: fork: Cannot allocate memory", dt=1)
        w.err(f"[DEBUG] ssh keepalive to 10.0.0.{ctx.rng.randint(4, 60)}:22 failed: read: i/o timeout", dt=60)
        w.wait(1.0, hang=True)
        return Stop("cancel")


def _gallery_parts(ctx, dist: dict) -> tuple[str, str, str, str, list[str]]:
    gid = str(dist.get("galleryImageId") or
              f"/subscriptions/{ctx.subscription}/resourceGroups/aib-images/providers/Microsoft.Compute/galleries/aibGallery/images/image")
    parts = gid.split("/")
    get = (lambda i, d: parts[i] if len(parts) > i else d)
    regions = [r.get("name") for r in dist.get("targetRegions") or [] if r.get("name")] or \
        list(dist.get("replicationRegions") or []) or [ctx.location]
    return gid, get(4, "aib-images"), get(8, "aibGallery"), get(10, "image"), regions


def _gallery_target(b: Build) -> tuple[int, dict]:
    for i, d in enumerate(b.ctx.distribute):
        if d.get("type") == "SharedImage":
            return i, d
    return 0, {"type": "SharedImage", "runOutputName": "gallery"}


def sig_publish_header(b: Build, index: int, dist: dict, version: str) -> str:
    """The publish lines of a gallery distributor; returns the version's resource id."""
    w, ctx = b.w, b.ctx
    gid, rg, gallery, image, regions = _gallery_parts(ctx, dist)
    w.say(f"[Distribute {index}] SharedImage -> runOutputName '{dist.get('runOutputName', 'gallery')}'", dt=1.0)
    w.say("Publishing to Shared Image Gallery ...")
    w.say(f" -> MDI ID used for SIG publish     : '{phases.mdi_id(ctx)}'")
    w.say(f" -> SIG publish resource group     : '{rg}'")
    w.say(f" -> SIG gallery name               : '{gallery}'")
    w.say(f" -> SIG image name                 : '{image}'")
    w.say(f" -> SIG image version              : '{version}'")
    w.say(f" -> SIG replication regions        : '{regions}'")
    phases.azure_request(w, ctx, "PUT", f"{gid}/versions/{version}", dt=1.0)
    return f"{gid}/versions/{version}"


class SigReplicationTimeout(Plot):
    """Gallery replication outlasts the build timeout; the version exists and keeps replicating."""

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        index, dist = _gallery_target(b)
        for i, d in enumerate(ctx.distribute[:index]):
            phases.distribute_one(w, ctx, i, d, phases.sig_version(ctx, d))
        version = phases.sig_version(ctx, dist)
        path = sig_publish_header(b, index, dist, version)
        for _ in range(40):
            w.wait(1.0, hang=True)
            phases.azure_request(w, ctx, "GET", path)
        gid, rg, gallery, image, _ = _gallery_parts(ctx, dist)
        message = (f"Error publishing MDI to shared image gallery:{gid}, Location:{ctx.location}. Error: Error "
                   "returned from SIG client while publishing MDI to shared image gallery for dstImageLocation: "
                   f"{ctx.location}, dstSubscription: {ctx.subscription}, dstResourceGroupName: {rg}, "
                   f"dstGalleryName: {gallery}, dstGalleryImageName: {image}. Error: Error waiting on shared "
                   f"image gallery future for resource group: {rg}, gallery name: {gallery}, gallery image "
                   f"name: {image}.Error: Future#WaitForCompletion: context has been cancelled: StatusCode=200 "
                   "-- Original Error: context deadline exceeded")
        w.say(f"ERROR: -> {message}", dt=1.0)
        return Stop("error", message)


class WindowsUpdateLowResources(Plot):
    """windows-update on a small VM: the machine is overwhelmed, restarts collide, Packer loses it."""

    needs = ("windowsupdate",)

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        customizers.windows_update_search(w, ctx, ctx.rng.randint(3, 6))
        for cpu, mem in ((1, 37), (51, 35), (21, 37), (21, 36), (90, 32), (97, 41), (93, 38)):
            w.ui(f"Waiting for operation to complete (system performance: {cpu}% cpu; {mem}% memory)...",
                 dt=ctx.rng.uniform(40, 120))
        w.ui("Waiting for the Windows Modules Installer to exit...", dt=30)
        upd = customizers.WINDOWS_UPDATE_COMMAND
        w.err(f"[INFO] command '{upd}' exited with code: 101", dt=60)
        w.say("Restarting the machine...")
        w.err("[INFO] RPC endpoint: Communicator ended with: 101")
        w.err1("[INFO] 1672 bytes written for 'stdout'")
        w.err1("[INFO] 0 bytes written for 'stderr'")
        w.err1("[INFO] RPC client: Communicator ended with: 101")
        w.err1("[INFO] RPC endpoint: Communicator ended with: 101")
        w.say("Waiting for machine to become available...")
        plugin = "packer-provisioner-windows-update"
        w.plugin(plugin, "[INFO] 1672 bytes written for 'stdout'")
        w.plugin(plugin, "[INFO] 0 bytes written for 'stderr'")
        w.plugin(plugin, "[INFO] RPC client: Communicator ended with: 101")
        restart = 'shutdown.exe -f -r -t 0 -c "packer restart"'
        w.err(f"[INFO] starting remote command: {restart}")
        w.err(f"[INFO] command '{restart}' exited with code: 0")
        w.err("[INFO] RPC endpoint: Communicator ended with: 0")
        w.err1("[INFO] 0 bytes written for 'stderr'")
        w.err1("[INFO] 0 bytes written for 'stdout'")
        w.say("A system shutdown is in progress.(1115)")
        w.err1("[INFO] RPC client: Communicator ended with: 0")
        test = 'shutdown.exe -f -r -t 60 -c "packer restart test"'
        w.err(f"[INFO] starting remote command: {test}", dt=1.0)
        w.err(f"[INFO] command '{test}' exited with code: 1115")
        w.err("[INFO] RPC endpoint: Communicator ended with: 1115")
        w.err1("[INFO] 0 bytes written for 'stdout'")
        w.err1("[INFO] 40 bytes written for 'stderr'")
        w.err1("[INFO] RPC client: Communicator ended with: 1115")
        w.plugin(plugin, "[INFO] 40 bytes written for 'stderr'")
        w.plugin(plugin, "[INFO] RPC client: Communicator ended with: 1115")
        w.plugin(plugin, "Retryable error: Machine not yet available (exit status 1115)")
        return Stop("error", "unexpected EOF", cleanup=False)


FUTURE_DEADLINE = ("Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original "
                   "Error: context deadline exceeded")


class NoArtifacts(Plot):
    """The build VM's deployment never completes; Packer's wait for it hits its deadline."""

    def deploy(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        status = ctx.rand_digits(20)
        for _ in range(60):
            w.wait(1.0, hang=True)
            phases.azure_request(w, ctx, "GET", f"{ctx.rg_path}/providers/Microsoft.Resources/deployments/"
                                 f"{ctx.names['dp']}/operationStatuses/{status}", lower_rg=True)
        return Stop("error", FUTURE_DEADLINE, cancelled=True)


NIC_NAME = "aibplsq3k9x1.nic.5b7e2c1a-0d4f-4e8a-9c61-2f0b8d3e7a14"
NIC_404 = ("network.InterfacesClient#UpdateTags: Failure responding to request: StatusCode=404 -- Original "
           "Error: autorest/azure: Service returned an error. Status=404 Code=\"ResourceNotFound\" "
           "Message=\"The Resource 'Microsoft.Network/networkInterfaces/" + NIC_NAME + "' under resource "
           "group '{staging_rg}' was not found.\"")


class NicNotFound(Plot):
    """Right after deployment AIB tags the private-link NIC and gets 404 (missing permissions)."""

    deploy_polls = 3

    def deploy(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        phases.azure_request(w, ctx, "PATCH", f"{ctx.rg_path}/providers/Microsoft.Network/networkInterfaces/{NIC_NAME}", dt=2)
        message = NIC_404.replace("{staging_rg}", ctx.staging_rg)
        w.err(f"[ERROR] {message}", dt=0.5)
        w.say(f"ERROR: -> {message}")
        return Stop("error", message)


GA_ERROR = (
    "Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'.",
    "At C:\\DeprovisioningScript.ps1:6 char:9",
    "+ while ((Get-Service WindowsAzureGuestAgent) -and ((Get-Service Window ...",
    "+         ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
    "    + CategoryInfo          : ObjectNotFound: (WindowsAzureGuestAgent:String) [Get-Service], ServiceCommandException",
    "    + FullyQualifiedErrorId : NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand",
    "",
)


class SysprepTiming(Plot):
    """Customizers finish in seconds; Sysprep starts before the guest agent exists and never completes."""

    def deprovision(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        phases.deprovision_start(w, ctx)
        if ctx.windows:
            for svc in ("RdAgent", "WindowsAzureTelemetryService", "WindowsAzureGuestAgent"):
                w.ui(f">>> Waiting for GA Service ({svc}) to start ...", dt=0.5)
            w.ui(">>> Sysprepping VM ...", dt=0.5)
            w.ui("IMAGE_STATE_COMPLETE", dt=2)
            for line in GA_ERROR:
                w.say(line)
            for _ in range(60):
                w.wait(1.0, hang=True)
                w.ui("IMAGE_STATE_UNDEPLOYABLE")
        else:
            w.ui("WARNING! The waagent service will be stopped.", dt=0.6)
            w.wait(1.0, hang=True)
        return Stop("cancel")


FIREWALL = ("ufw enable", "ufw --force enable", "iptables", "firewall-cmd", "set-netfirewallprofile",
            "netsh advfirewall", "disable-psremoting", "winrm delete")


class ConnectionLost(Plot):
    """A customizer turns on a firewall that blocks port 22/5986; the session dies, AIB cancels."""

    needs = ("shell", "powershell")

    def prefer(self, cust: dict) -> bool:
        return first_matching(customizers.inline_lines(cust), *FIREWALL) is not None

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        lines = script_lines(cust)
        k = first_matching(lines, *FIREWALL)
        k = failing_line(lines) if k is None else k
        command, _, written = run_until(b, cust, lines, k + 1)
        w.wait(1.0, hang=True)
        plugin = "packer-builder-azure-arm plugin"
        w.err1("Cancelling builder after context cancellation context canceled")
        w.out("Cancelling build after receiving terminated")
        w.err1(f"{plugin}: Cancelling hook after context cancellation context canceled")
        w.err1(f"{plugin}: Cancelling provisioning due to context cancellation: context canceled")
        w.err1(f"{plugin}: [ERROR] Remote command exited without exit status or exit signal.", dt=2)
        w.err1(f"{plugin}: [INFO] RPC endpoint: Communicator ended with: 2300218")
        w.err1(f"[INFO] {written + 140000} bytes written for 'stdout'")
        w.err1("[INFO] 0 bytes written for 'stderr'")
        w.err1("[INFO] RPC client: Communicator ended with: 2300218")
        w.err1("[INFO] RPC endpoint: Communicator ended with: 2300218")
        customizers.end(w, cust)
        return Stop("cancel", announce=False)


class DevopsCanceled(Plot):
    """A long build is canceled at 60 minutes, as when a hosted CI job's time limit kills the pipeline.

    In reality the hosted job dies and the AIB run keeps going until someone cancels it
    (danielsollondon/azvmimagebuilder#116: "a pipeline build hit the 60 minute time limit ... the
    build run state was still 'building'. I clicked 'Stop Build'"); the emulator plays the cancel.
    """

    needs = ("windowsupdate", "shell", "powershell")

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        if customizer_kind(cust) == "windowsupdate":
            customizers.windows_update_search(w, ctx, 6)
            for _ in range(30):
                w.wait(1.0, hang=True)
                w.ui(f"Waiting for operation to complete (system performance: {ctx.rng.randint(5, 60)}% cpu; "
                     f"{ctx.rng.randint(30, 60)}% memory)...")
        else:
            lines = script_lines(cust)
            command, _ = customizers.prologue(w, ctx, cust)
            for line in lines:
                customizers.emit_output(w, customizers.command_output(ctx, cust, line))
            w.wait(1.0, hang=True)
        return Stop("cancel")


class DeprovisionFailed(Plot):
    """AIB's hidden deprovisioning step fails (waagent removed / the script deleted by a customizer)."""

    def deprovision(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        if ctx.windows:
            w.err1("[INFO] (telemetry) Starting provisioner powershell", dt=1.0)
            w.say("Provisioning with powershell script: C:/Windows/Temp/packer-ps-deprovision.ps1")
            w.err(f"Found command: {phases.WIN_DEPROVISION_PROBE}")
            w.ui("Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may "
                 "fail or the VM created from the Image may not boot. Please make sure the deprovisioning "
                 "script is not accidentally deleted by a Customizer in the Template.", dt=0.5)
            w.err("Found command: c:\\DeprovisioningScript.ps1", dt=0.5)
            for dt, _, text in powershell_failure("c:\\DeprovisioningScript.ps1", "C:/Windows/Temp/packer-ps-deprovision.ps1", 1):
                w.say(text, dt=dt)
            command, code, name = "c:\\DeprovisioningScript.ps1", 1, "powershell"
        else:
            phases.deprovision_start(w, ctx)
            w.say("sudo: /usr/sbin/waagent: command not found", dt=0.4)
            command, code, name = "sudo sh /tmp/DeprovisioningScript.sh", 127, "shell"
        phases.remote_command_end(w, command, code, 0, 45)
        message = EXIT_MESSAGE.format(code=code)
        w.say(message)
        w.err1(f"[INFO] (telemetry) ending {name}")
        return Stop("error", message)


def vm_family(size: str) -> str:
    """Quota family of a VM size as ARM names it (Standard_D2s_v3 -> standardDSv3Family)."""
    import re

    m = re.match(r"Standard_([A-Z]+)\d+([a-z]*)(?:_v(\d))?", size)
    if not m:
        return "standardDv2Family"
    return f"standard{m.group(1)}{m.group(2).upper()}{'v' + m.group(3) if m.group(3) else ''}Family"


class DeploymentRejected(Plot):
    """ARM rejects the build VM's deployment in the staging RG (quota, SKU capacity, policy)."""

    deploy_polls = 3

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message

    def deploy(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        detail = self.message.format(size=ctx.vm_size, family=vm_family(ctx.vm_size), location=ctx.location,
                                     vm=ctx.names["vm"], subscription=ctx.subscription)
        w.say("ERROR: -> DeploymentFailed : At least one resource deployment operation failed. Please list "
              "deployment operations for details. Please see https://aka.ms/arm-deployment-operations for "
              "usage details.", dt=2)
        w.say(f"ERROR:   -> {self.code} : {detail}")
        w.say("")
        return Stop("error", f"Code=\"DeploymentFailed\" Message=\"At least one resource deployment operation "
                             f"failed.\" Details=[{{\"code\":\"{self.code}\",\"message\":\"{detail}\"}}]")


QUOTA = ("Operation could not be completed as it results in exceeding approved {family} Cores quota. "
         "Additional details - Deployment Model: Resource Manager, Location: {location}, Current Limit: 4, "
         "Current Usage: 4, Additional Required: 2, (Minimum) New Limit Required: 6. Submit a request for "
         "Quota increment at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView")
SKU = ("The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: {size}' is "
       "currently not available in location '{location}'. Please try another size or deploy to a different "
       "location or zones. See https://aka.ms/azureskunotavailable for details.")
POLICY = ("Resource '{vm}' was disallowed by policy. Policy identifiers: '[{{\\\"policyAssignment\\\":"
          "{{\\\"name\\\":\\\"Allowed virtual machine size SKUs\\\",\\\"id\\\":\\\"/subscriptions/{subscription}/"
          "providers/Microsoft.Authorization/policyAssignments/allowed-vm-skus\\\"}}}}]'.")


class TrustedLaunchMismatch(Plot):
    """A Trusted Launch image is published to a gallery definition without the TrustedLaunch feature."""

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        index, dist = _gallery_target(b)
        version = phases.sig_version(ctx, dist)
        sig_publish_header(b, index, dist, version)
        _, _, _, image, _ = _gallery_parts(ctx, dist)
        message = (f"compute.GalleryImageVersionsClient#CreateOrUpdate: Failure sending request: StatusCode=400 -- "
                   f"Original Error: Code=\"BadRequest\" Message=\"The source of the gallery image version has "
                   f"SecurityType 'TrustedLaunch', which is not supported by the gallery image definition "
                   f"'{image}'. Create the image definition with the feature SecurityType=TrustedLaunchSupported.\"")
        w.say(f"ERROR: -> {message}", dt=3)
        return Stop("error", message)


class ImageVersionExists(Plot):
    """The gallery already holds the version this build publishes (fixed version, second build)."""

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        index, dist = _gallery_target(b)
        sig_publish_header(b, index, dist, "1.0.0")
        _, _, _, image, _ = _gallery_parts(ctx, dist)
        message = ("compute.GalleryImageVersionsClient#CreateOrUpdate: Failure sending request: StatusCode=409 -- "
                   f"Original Error: Code=\"Conflict\" Message=\"Gallery image version '{image}/versions/1.0.0' "
                   "already exists and its source cannot be changed.\"")
        w.say(f"ERROR: -> {message}", dt=2)
        return Stop("error", message)


class PartialDistribution(Plot):
    """One of several distribution targets fails (its gallery image definition is missing); the
    others are published, so AIB reports PartiallySucceeded."""

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        failing, _ = _gallery_target(b)
        for i, dist in enumerate(ctx.distribute):
            if i != failing or dist.get("type") != "SharedImage":
                phases.distribute_one(w, ctx, i, dist, phases.sig_version(ctx, dist))
                continue
            sig_publish_header(b, i, dist, phases.sig_version(ctx, dist))
            gid, rg, gallery, image, _ = _gallery_parts(ctx, dist)
            w.say(f"[Distribute {i}] Error publishing MDI to shared image gallery:{gid}, Location:{ctx.location}. "
                  f"Error: compute.GalleryImagesClient#Get: Failure responding to request: StatusCode=404 -- "
                  f"Original Error: Code=\"GalleryImageNotFound\" Message=\"The gallery image {image} is not "
                  f"found in gallery {gallery} (resource group {rg}).\"", dt=2)
        return None


class AptLock(Plot):
    """apt-get runs while unattended-upgrades holds the dpkg lock."""

    needs = ("shell",)

    def prefer(self, cust: dict) -> bool:
        return first_matching(customizers.inline_lines(cust), "apt-get", "apt ") is not None

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        lines = script_lines(cust)
        k = first_matching(lines, "apt-get", "apt ")
        k = failing_line(lines) if k is None else k
        command, _, written = run_until(b, cust, lines, k)
        w = b.w
        pid = b.ctx.rng.randint(1200, 2900)
        w.say(f"E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process {pid} (unattended-upgr)", dt=2)
        w.say("N: Be aware that removing the lock file is not a solution and may break your system.")
        w.say("E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?")
        return fail_after(b, cust, command, written, 100)


class WindowsRestartTimeout(Plot):
    """The VM does not come back from a windows-restart customizer within restartTimeout."""

    needs = ("windowsrestart",)

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        command = str(cust.get("restartCommand") or 'shutdown /r /f /t 0 /c "packer restart"')
        w.say("Restarting Machine", dt=0.5)
        w.err(f"[INFO] starting remote command: {command}")
        w.err(f"[INFO] command '{command}' exited with code: 0", dt=1.0)
        w.say("Waiting for machine to restart...", dt=0.5)
        w.err("Waiting for machine to reboot with timeout: " + str(cust.get("restartTimeout") or "5m0s"))
        for _ in range(20):
            w.wait(1.0, hang=True)
            w.err("Check if machine is rebooting...")
        w.say("Timeout waiting for machine to restart.")
        customizers.end(w, cust)
        return Stop("error", "Timeout waiting for machine to restart.")


class DownloadRefused(Plot):
    """AIB cannot download a File customizer's source: all ten attempts fail."""

    needs = ("file",)

    def __init__(self, detail: str) -> None:
        self.detail = detail

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        src, local, _ = customizers.file_names(ctx, index, cust)
        message = ""
        for attempt in range(1, 11):
            message = (f"Downloading external file ({src}) to local file ({local}) [attempt {attempt} of 10] "
                       f"failed: Error downloading '{src}' to '{local}'..")
            w.err(message, dt=ctx.rng.uniform(3, 9))
            w.err(f"[ERROR] {self.detail}")
        customizers.end(w, cust)
        return Stop("error", f"{message} {self.detail}")


class PackerCrash(Plot):
    """Packer's Azure plugin panics in the middle of a customizer."""

    needs = ("shell", "powershell", "file", "windowsrestart", "windowsupdate")

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w = b.w
        customizers.begin(w, cust)
        plugin = "packer-plugin-azure_v2.1.7_x5.0_linux_amd64 plugin"
        w.err1(f"{plugin}: panic: runtime error: invalid memory address or nil pointer dereference", dt=3)
        w.err1(f"{plugin}: [signal SIGSEGV: segmentation violation code=0x1 addr=0x38 pc=0x2a4d1f6]")
        w.err1(f"{plugin}: ")
        w.err1(f"{plugin}: goroutine 214 [running]:")
        for frame in ("github.com/hashicorp/packer-plugin-azure/builder/azure/arm.(*AzureClient).GetVirtualMachine(...)",
                      "\t/go/src/github.com/hashicorp/packer-plugin-azure/builder/azure/arm/azure_client.go:312 +0x56",
                      "github.com/hashicorp/packer-plugin-sdk/rpc.(*CommunicatorServer).Start.func1()",
                      "\t/go/pkg/mod/github.com/hashicorp/packer-plugin-sdk@v0.5.2/rpc/communicator.go:246 +0x1c5",
                      "created by github.com/hashicorp/packer-plugin-sdk/rpc.(*CommunicatorServer).Start in goroutine 198"):
            w.err1(f"{plugin}: {frame}")
        w.err1("[INFO] (telemetry) ending " + packer_name(cust), dt=0.2)
        w.out("")
        w.out("!!!!!!!!!!!!!!!!!!!!!!!!!!! PACKER CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!")
        w.out("")
        w.out("Packer crashed! This is always indicative of a bug within Packer.")
        w.out("A crash log has been placed at \"crash.log\" relative to your current")
        w.out("working directory; please report the crash with Packer on GitHub.")
        w.out("")
        w.out("!!!!!!!!!!!!!!!!!!!!!!!!!!! PACKER CRASH !!!!!!!!!!!!!!!!!!!!!!!!!!!!")
        w.raw(f"Done exporting Packer logs to Azure for Packer prefix: [{b.ctx.operation_id}] PACKER OUT", dt=2)
        return Stop("done")


class StagingDeleted(Plot):
    """Someone deletes the staging resource group while the build runs; AIB loses its build VM."""

    def deprovision(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        phases.deprovision_start(w, ctx)
        phases.azure_request(w, ctx, "GET", f"{ctx.rg_path}/providers/Microsoft.Compute/virtualMachines/{ctx.names['vm']}", dt=30)
        message = (f"compute.VirtualMachinesClient#Get: Failure responding to request: StatusCode=404 -- Original "
                   f"Error: autorest/azure: Service returned an error. Status=404 Code=\"ResourceGroupNotFound\" "
                   f"Message=\"Resource group '{ctx.staging_rg}' could not be found.\"")
        w.say(f"ERROR: -> {message}", dt=1)
        return Stop("error", message, cleanup=False)


class CommunicatorTimeout(Plot):
    """The build VM never answers on SSH (22) / WinRM (5986): an NSG or a hardened image blocks it."""

    def connect(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        ip = f"10.0.0.{ctx.rng.randint(4, 60)}"
        if ctx.windows:
            w.say("Waiting for WinRM to become available...", dt=0.5)
            w.err("Waiting for WinRM, up to timeout: 10m0s")
            for _ in range(30):
                w.wait(1.0, hang=True)
                w.err(f'[ERROR] connection error: unknown error Post "https://{ip}:5986/wsman": dial tcp {ip}:5986: i/o timeout')
            message = "Timeout waiting for WinRM."
        else:
            w.say("Waiting for SSH to become available...", dt=0.5)
            w.err("[INFO] Waiting for SSH, up to timeout: 20m0s")
            for _ in range(40):
                w.wait(1.0, hang=True)
                w.err(f"[INFO] Attempting SSH connection to {ip}:22...")
                w.err(f"[DEBUG] TCP connection to SSH ip/port failed: dial tcp {ip}:22: i/o timeout")
            message = "Timeout waiting for SSH."
        w.say(message)
        return Stop("error", message)


class WindowsUpdateFailed(Plot):
    """The Windows Update agent fails to install updates (0x8024xxxx)."""

    needs = ("windowsupdate",)

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        customizers.windows_update_search(w, ctx, 4)
        w.say("Windows update failed with HResult 0x80240438 (WU_E_PT_ENDPOINT_UNREACHABLE)", dt=30)
        upd = customizers.WINDOWS_UPDATE_COMMAND
        w.err(f"[INFO] command '{upd}' exited with code: 1")
        message = "Windows update script exited with non-zero exit status: 1"
        w.say(message)
        customizers.end(w, cust)
        return Stop("error", message)


# --------------------------------------------------------------------------------------------

_PLOTS: dict[str, Plot] = {
    "customizer-failed": CustomizerFailed(),
    "staging-read-denied": CustomizerFailed(),
    "log-absent": CustomizerFailed(),
    "log-truncated": CustomizerFailed(),
    "hostile-log": HostileLog(),
    "waiting-for-input": WaitingForInput(),
    "build-timeout": BuildTimeout(),
    "large-file-customizer": LargeFileCustomizer(),
    "vm-resources-exhausted": VmResourcesExhausted(),
    "sig-replication-timeout": SigReplicationTimeout(),
    "windows-update-low-resources": WindowsUpdateLowResources(),
    "no-artifacts": NoArtifacts(),
    "nic-not-found": NicNotFound(),
    "sysprep-timing": SysprepTiming(),
    "connection-lost": ConnectionLost(),
    "devops-canceled": DevopsCanceled(),
    "deprovision-failed": DeprovisionFailed(),
    "quota-exceeded": DeploymentRejected("OperationNotAllowed", QUOTA),
    "sku-not-available": DeploymentRejected("SkuNotAvailable", SKU),
    "policy-denied": DeploymentRejected("RequestDisallowedByPolicy", POLICY),
    "trusted-launch-mismatch": TrustedLaunchMismatch(),
    "apt-lock": AptLock(),
    "distribution-partial": PartialDistribution(),
    "windows-restart-timeout": WindowsRestartTimeout(),
    "image-version-exists": ImageVersionExists(),
    "storage-public-access-blocked": DownloadRefused(
        "bad response code: 409 PublicAccessNotPermitted: Public access is not permitted on this storage account."),
    "file-download-failed": DownloadRefused("bad response code: 404 Not Found"),
    "packer-crash": PackerCrash(),
    "staging-deleted-midbuild": StagingDeleted(),
    "communicator-timeout": CommunicatorTimeout(),
    "windows-update-failed": WindowsUpdateFailed(),
}

_DEFAULT = Plot()


def plot_for(name: str) -> Plot:
    """The plot of scenario ``name`` (the plain successful build for success variants)."""
    return _PLOTS.get(name, _DEFAULT)
