"""Failures inside Shell/PowerShell customizers (exit codes, prompts, hangs, lost sessions, crashes)."""

from __future__ import annotations

from .. import customizers
from ..build import Build, Plot, Stop
from ..commands import apt_install_head
from ..context import customizer_kind, packer_name
from .helpers import (apt_packages, fail_after, failing_line, first_matching, powershell_failure,
                      run_until, script_lines, shell_failure)


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


FIREWALL = ("ufw enable", "ufw --force enable", "iptables", "firewall-cmd", "set-netfirewallprofile",
            "netsh advfirewall", "disable-psremoting", "winrm delete")


class ConnectionLost(Plot):
    """A customizer turns on a firewall that blocks port 22/5986; the session dies, AIB cancels."""

    needs = ("shell", "powershell")

    def prefer(self, cust: dict) -> bool:
        return first_matching(customizers.inline_lines(cust), *FIREWALL) is not None

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w = b.w
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
