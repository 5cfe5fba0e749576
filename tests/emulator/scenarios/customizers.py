"""Phase 4: one `(telemetry) Starting provisioner X` ... `ending X` section per customizer.

``run`` writes a customizer that succeeds. The failure plots reuse the pieces (``begin``, the
per-command output, ``shell_exit``...) to write one that fails.
"""

from __future__ import annotations

from .commands import powershell_command, shell_command
from .context import BuildContext, customizer_kind, packer_name
from .phases import remote_command_end
from .writer import LogWriter


def begin(w: LogWriter, cust: dict) -> None:
    w.err1(f"[INFO] (telemetry) Starting provisioner {packer_name(cust)}", dt=1.0)


def end(w: LogWriter, cust: dict) -> None:
    w.err1(f"[INFO] (telemetry) ending {packer_name(cust)}", dt=0.3)


def inline_lines(cust: dict) -> list[str]:
    inline = cust.get("inline")
    if isinstance(inline, str):
        return [inline]
    return [str(x) for x in inline or []]


def script_name(cust: dict, ctx: BuildContext) -> str:
    uri = str(cust.get("scriptUri") or "")
    return uri.split("?", 1)[0].rsplit("/", 1)[-1] or f"script_{ctx.rand_digits(4)}"


def remote_shell_command(ctx: BuildContext, path: str) -> str:
    return (f"chmod +x {path}; PACKER_BUILDER_TYPE='azure-arm' PACKER_BUILD_NAME='azure-arm' "
            f" {path}")


def remote_powershell_command(cust: dict, ctx: BuildContext, path: str) -> str:
    if cust.get("runElevated"):
        return f'powershell -executionpolicy bypass -file "C:/Windows/Temp/packer-elevated-shell-{ctx.names["vm"][5:13]}.ps1"'
    return ("powershell -executionpolicy bypass \"& { if (Test-Path variable:global:ProgressPreference)"
            "{set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};"
            f". c:/Windows/Temp/packer-ps-env-vars-{ctx.names['vm'][5:13]}.ps1; &'{path}'; exit $LastExitCode }}\"")


def emit_output(w: LogWriter, output: list[tuple[float, str, str]]) -> int:
    """Write command output; return the bytes it would have produced on stdout."""
    written = 0
    for dt, stream, text in output:
        if stream == "none":
            w.wait(dt)
            continue
        if stream == "say":
            w.say(text, dt=dt)
        else:
            w.ui(text, dt=dt)
        written += len(text) + 1
    return written


def shell_prologue(w: LogWriter, ctx: BuildContext, cust: dict) -> tuple[str, str]:
    """Announce the script and start it; returns (remote command line, script path)."""
    path = (f"/tmp/{script_name(cust, ctx)}" if cust.get("scriptUri")
            else f"/tmp/script_{ctx.rand_digits(4)}.sh")
    w.say(f"Provisioning with shell script: {path}", dt=0.4)
    w.err(f"[INFO] Opening {path} for reading", dt=0.1)
    size = 40 + 37 * len(inline_lines(cust))
    w.err(f"[INFO] {size} bytes written for 'uploadData'", dt=0.1)
    w.err(f"Uploading file to '{path}'")
    w.err1(f"[INFO] {size} bytes written for 'uploadData'")
    command = remote_shell_command(ctx, path)
    w.err(f"[INFO] starting remote command: {command}", dt=0.3)
    return command, path


def powershell_prologue(w: LogWriter, ctx: BuildContext, cust: dict) -> tuple[str, str]:
    if cust.get("scriptUri"):
        path = f"C:/Windows/Temp/{script_name(cust, ctx)}"
    else:
        w.say("Provisioning with Powershell...", dt=0.3)
        path = f"C:/Windows/Temp/script-{ctx.names['vm'][5:13]}.ps1"
    w.say(f"Provisioning with powershell script: {path}", dt=0.4)
    env_vars = f"c:/Windows/Temp/packer-ps-env-vars-{ctx.names['vm'][5:13]}.ps1"
    w.err(f"Uploading env vars to {env_vars}", dt=0.2)
    w.err("[INFO] 74 bytes written for 'uploadData'")
    w.err(f"Uploading file to '{env_vars}'")
    w.err(f"Uploading file to '{path}'", dt=0.3)
    command = remote_powershell_command(cust, ctx, path)
    w.err(f"[INFO] starting remote command: {command}", dt=0.5)
    return command, path


def prologue(w: LogWriter, ctx: BuildContext, cust: dict) -> tuple[str, str]:
    if customizer_kind(cust) == "powershell":
        return powershell_prologue(w, ctx, cust)
    return shell_prologue(w, ctx, cust)


def command_output(ctx: BuildContext, cust: dict, line: str) -> list[tuple[float, str, str]]:
    if customizer_kind(cust) == "powershell":
        return powershell_command(line, ctx.rng)
    return shell_command(line, ctx.rng)


def script_output(ctx: BuildContext, cust: dict) -> list[tuple[float, str, str]]:
    """What a downloaded script (scriptUri) prints: its contents are unknown, so a generic run."""
    name = script_name(cust, ctx)
    out = [(1.0, "ui", f"[{name}] starting")]
    if customizer_kind(cust) == "shell":
        out += shell_command("apt-get update", ctx.rng)
    for step in range(1, 4):
        out.append((ctx.rng.uniform(5, 40), "ui", f"[{name}] step {step}/3 done"))
    out.append((0.5, "ui", f"[{name}] finished"))
    return out


def run_script(w: LogWriter, ctx: BuildContext, cust: dict) -> None:
    """A Shell or PowerShell customizer that succeeds."""
    command, _ = prologue(w, ctx, cust)
    written = 0
    if cust.get("scriptUri"):
        written += emit_output(w, script_output(ctx, cust))
    for line in inline_lines(cust):
        written += emit_output(w, command_output(ctx, cust, line))
    remote_command_end(w, command, 0, written, plugin=f"packer-provisioner-{packer_name(cust)}")


def file_names(ctx: BuildContext, index: int, cust: dict) -> tuple[str, str, str]:
    """(sourceUri, AIB's local copy name ``<op>.<index>.customizer.fp``, destination)."""
    src = str(cust.get("sourceUri") or "https://example.invalid/file")
    local = f"{ctx.operation_id}.{index}.customizer.fp"
    dest = str(cust.get("destination") or ("C:\\buildArtifacts\\file" if ctx.windows else "/tmp/file"))
    return src, local, dest


def file_download(w: LogWriter, ctx: BuildContext, index: int, cust: dict, attempt: int = 1) -> None:
    src, local, _ = file_names(ctx, index, cust)
    w.err(f"Downloading external file ({src}) to local file ({local}) [attempt {attempt} of 10]", dt=0.5)


def upload_progress(w: LogWriter, name: str, total: int, steps: list[float]) -> None:
    """Progress lines as the log shows them: an empty OUT line, then the bare progress text."""
    for pct, dt in steps:
        done = int(total * pct / 100)
        w.out("", dt=dt)
        w.raw(f"{name} {done} B / {total} B  {pct:.2f}%")


def run_file(w: LogWriter, ctx: BuildContext, index: int, cust: dict) -> None:
    src, local, dest = file_names(ctx, index, cust)
    file_download(w, ctx, index, cust)
    size = ctx.rng.randint(900, 90000)
    w.err(f"[INFO] Downloaded external file ({src}) to local file ({local}): {size} bytes", dt=ctx.rng.uniform(0.5, 3))
    w.say(f"Uploading {local} => {dest}", dt=0.3)
    name = dest.replace("\\", "/").rsplit("/", 1)[-1]
    upload_progress(w, name, size, [(100.0, ctx.rng.uniform(0.5, 3))])
    w.err(f"[INFO] upload: {local} => {dest}")


def run_restart(w: LogWriter, ctx: BuildContext, cust: dict) -> None:
    command = str(cust.get("restartCommand") or 'shutdown /r /f /t 0 /c "packer restart"')
    w.say("Restarting Machine", dt=0.5)
    w.err(f"[INFO] starting remote command: {command}")
    w.err(f"[INFO] command '{command}' exited with code: 0", dt=1.0)
    w.say("Waiting for machine to restart...", dt=0.5)
    w.err("Check if machine is rebooting...", dt=5.0)
    w.err("Waiting for machine to reboot with timeout: " + str(cust.get("restartTimeout") or "5m0s"))
    w.err("Waiting for machine to become available...", dt=ctx.rng.uniform(40, 110))
    w.ui(f"{ctx.names['vm'][:15].upper()} restarted.", dt=ctx.rng.uniform(10, 40))
    w.say("Machine successfully restarted, moving on", dt=0.5)


WINDOWS_UPDATE_COMMAND = ("PowerShell -ExecutionPolicy Bypass -OutputFormat Text -File "
                          "C:/Windows/Temp/packer-windows-update-elevated.ps1")


def windows_update_search(w: LogWriter, ctx: BuildContext, n_updates: int) -> None:
    w.say("Uploading the Windows update elevated script...", dt=0.5)
    w.say("Uploading the Windows update check for reboot required elevated script...", dt=0.5)
    w.say("Running Windows update...", dt=0.5)
    w.err(f"[INFO] starting remote command: {WINDOWS_UPDATE_COMMAND}")
    w.ui("Searching for Windows updates...", dt=2.0)
    total = 0.0
    for i in range(n_updates):
        size = ctx.rng.uniform(0.5, 700)
        total += size
        kb = 5000000 + ctx.rng.randint(10000, 99999)
        w.ui(f"Found Windows update (2026-{ctx.rng.randint(1, 11):02d}-{ctx.rng.randint(1, 28):02d}; {size:.2f} MB): "
             f"2026-{ctx.rng.randint(1, 11):02d} Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB{kb})",
             dt=ctx.rng.uniform(5, 40))
    if n_updates:
        w.ui(f"Downloading Windows updates ({n_updates} updates; {total:.2f} MB)...", dt=5)
        w.ui("Installing Windows updates...", dt=ctx.rng.uniform(60, 240))


def run_windows_update(w: LogWriter, ctx: BuildContext, cust: dict) -> None:
    n = ctx.rng.randint(2, 5)
    windows_update_search(w, ctx, n)
    for _ in range(ctx.rng.randint(3, 8)):
        w.ui(f"Waiting for operation to complete (system performance: {ctx.rng.randint(5, 60)}% cpu; "
             f"{ctx.rng.randint(30, 60)}% memory)...", dt=ctx.rng.uniform(30, 90))
    w.err(f"[INFO] command '{WINDOWS_UPDATE_COMMAND}' exited with code: 101", dt=2.0)
    w.say("Restarting the machine...")
    w.err('[INFO] starting remote command: shutdown.exe -f -r -t 0 -c "packer restart"')
    w.err('[INFO] command \'shutdown.exe -f -r -t 0 -c "packer restart"\' exited with code: 0')
    w.say("Waiting for machine to become available...", dt=1.0)
    w.err('[INFO] starting remote command: shutdown.exe -f -r -t 60 -c "packer restart test"', dt=ctx.rng.uniform(60, 180))
    w.err('[INFO] command \'shutdown.exe -f -r -t 60 -c "packer restart test"\' exited with code: 0')
    w.err('[INFO] starting remote command: shutdown.exe -a')
    w.say("Running Windows update...", dt=1.0)
    w.ui("Searching for Windows updates...", dt=2.0)
    w.ui("No Windows updates found", dt=ctx.rng.uniform(20, 90))
    w.err(f"[INFO] command '{WINDOWS_UPDATE_COMMAND}' exited with code: 0", dt=1.0)


def run(w: LogWriter, ctx: BuildContext, index: int, cust: dict) -> None:
    """A successful customizer section of any type."""
    begin(w, cust)
    kind = customizer_kind(cust)
    if kind in ("shell", "powershell"):
        run_script(w, ctx, cust)
    elif kind == "file":
        run_file(w, ctx, index, cust)
    elif kind == "windowsrestart":
        run_restart(w, ctx, cust)
    elif kind == "windowsupdate":
        run_windows_update(w, ctx, cust)
    else:
        w.say(f"Running {cust.get('type')} customizer ...", dt=2.0)
    end(w, cust)
