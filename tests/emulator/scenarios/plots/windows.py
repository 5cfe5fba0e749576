"""Windows-only failures: windows-update, windows-restart, Sysprep."""

from __future__ import annotations

from .. import customizers, phases
from ..build import Build, Plot, Stop


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


class WindowsRestartTimeout(Plot):
    """The VM does not come back from a windows-restart customizer within restartTimeout."""

    needs = ("windowsrestart",)

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w = b.w
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
