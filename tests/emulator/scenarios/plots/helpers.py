"""Pieces the failure plots share: script lines, plausible stderr of failing commands, the exit bookkeeping, gallery names."""

from __future__ import annotations

from .. import customizers, phases
from ..build import Build, Stop
from ..context import customizer_kind, packer_name


EXIT_MESSAGE = "Script exited with non-zero exit status: {code}. Allowed exit codes are: [0]"


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
        message, category, fqid = (x.replace("{arg}", arg) for x in known)
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


def gallery_parts(ctx, dist: dict) -> tuple[str, str, str, str, list[str]]:
    gid = str(dist.get("galleryImageId") or
              f"/subscriptions/{ctx.subscription}/resourceGroups/aib-images/providers/Microsoft.Compute/galleries/aibGallery/images/image")
    parts = gid.split("/")
    get = (lambda i, d: parts[i] if len(parts) > i else d)
    regions = [r.get("name") for r in dist.get("targetRegions") or [] if r.get("name")] or \
        list(dist.get("replicationRegions") or []) or [ctx.location]
    return gid, get(4, "aib-images"), get(8, "aibGallery"), get(10, "image"), regions


def gallery_target(b: Build) -> tuple[int, dict]:
    for i, d in enumerate(b.ctx.distribute):
        if d.get("type") == "SharedImage":
            return i, d
    return 0, {"type": "SharedImage", "runOutputName": "gallery"}


def sig_publish_header(b: Build, index: int, dist: dict, version: str) -> str:
    """The publish lines of a gallery distributor; returns the version's resource id."""
    w, ctx = b.w, b.ctx
    gid, rg, gallery, image, regions = gallery_parts(ctx, dist)
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
