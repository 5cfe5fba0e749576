"""Plausible remote output for the inline commands of Shell and PowerShell customizers.

Each function returns ``[(delay_seconds, stream, text), ...]`` where stream ``"ui"`` is remote
stdout (Packer shows ``    azure-arm: text``) and ``"say"`` is remote stderr (``==> azure-arm: text``).
Unknown commands print nothing and take a second or two, as most shell commands do.
"""

from __future__ import annotations

import random
import re
import shlex

Output = list[tuple[float, str, str]]

_UBUNTU_MIRROR = "http://azure.archive.ubuntu.com/ubuntu"


def _words(command: str) -> list[str]:
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        words = command.split()
    # drop sudo, env assignments and common wrappers
    while words and (words[0] in ("sudo", "-E", "env", "time", "nohup") or
                     re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0])):
        words = words[1:]
    return words


def _packages(words: list[str]) -> list[str]:
    return [w for w in words[2:] if not w.startswith("-") and "=" not in w] or ["curl"]


def _version(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}-{rng.randint(1, 9)}ubuntu{rng.randint(1, 4)}"


def apt_update(rng: random.Random) -> Output:
    lines: Output = []
    for i, pocket in enumerate(("jammy", "jammy-updates", "jammy-backports", "jammy-security")):
        verb = "Hit" if i % 2 == 0 else "Get"
        size = "" if verb == "Hit" else f" [{rng.randint(100, 900)} kB]"
        lines.append((rng.uniform(0.3, 2.0), "ui", f"{verb}:{i + 1} {_UBUNTU_MIRROR} {pocket} InRelease{size}"))
    for j in range(rng.randint(4, 9)):
        lines.append((rng.uniform(0.2, 1.5), "ui",
                      f"Get:{j + 5} {_UBUNTU_MIRROR} jammy-updates/main amd64 Packages [{rng.randint(200, 1800)} kB]"))
    fetched = f"{rng.randint(5, 40)}.{rng.randint(0, 9)} MB in {rng.randint(3, 12)}s ({rng.randint(1, 9)} MB/s)"
    lines.append((rng.uniform(0.5, 2.0), "ui", f"Fetched {fetched}"))
    lines.append((rng.uniform(8, 20), "ui", "Reading package lists..."))
    return lines


_DEPENDENCIES = ("libgd3", "libjpeg8", "libtiff5", "libwebp7", "libxpm4", "fontconfig-config",
                 "fonts-dejavu-core", "libdeflate0", "libjbig0", "libfontconfig1")


def _extra(pkgs: list[str]) -> list[str]:
    """Dependencies apt pulls in (a deterministic handful per package list)."""
    n = 2 + sum(len(p) for p in pkgs) % 7
    return [f"lib{p}-common" for p in pkgs[:2]] + list(_DEPENDENCIES[:n])


def apt_install_head(pkgs: list[str], rng: random.Random) -> Output:
    extra = _extra(pkgs)
    every = pkgs + extra
    return [
        (rng.uniform(1, 3), "ui", "Reading package lists..."),
        (0.5, "ui", "Building dependency tree..."),
        (0.3, "ui", "Reading state information..."),
        (0.0, "ui", "The following additional packages will be installed:"),
        (0.0, "ui", "  " + " ".join(extra)),
        (0.0, "ui", "The following NEW packages will be installed:"),
        (0.0, "ui", "  " + " ".join(every)),
        (0.0, "ui", f"0 upgraded, {len(every)} newly installed, 0 to remove and {rng.randint(0, 40)} not upgraded."),
        (0.0, "ui", f"Need to get {rng.randint(300, 9000)} kB of archives."),
        (0.0, "ui", f"After this operation, {rng.randint(1, 60)}.{rng.randint(0, 9)} MB of additional disk space will be used."),
    ]


def apt_install_body(pkgs: list[str], rng: random.Random) -> Output:
    every = pkgs + _extra(pkgs)
    lines: Output = []
    versions = {p: _version(rng) for p in every}
    for i, p in enumerate(every):
        lines.append((rng.uniform(0.2, 2.0), "ui",
                      f"Get:{i + 1} {_UBUNTU_MIRROR} jammy-updates/main amd64 {p} amd64 {versions[p]} [{rng.randint(20, 900)} kB]"))
    lines.append((0.5, "ui", f"Fetched {rng.randint(1, 9)}.{rng.randint(0, 9)} MB in {rng.randint(1, 5)}s"))
    lines.append((0.5, "say", "debconf: unable to initialize frontend: Dialog"))
    lines.append((0.0, "say", "debconf: (TERM is not set, so the dialog frontend is not usable.)"))
    lines.append((0.0, "say", "debconf: falling back to frontend: Readline"))
    for p in every:
        lines.append((rng.uniform(0.3, 1.5), "ui", f"Selecting previously unselected package {p}."))
        lines.append((0.1, "ui", f"(Reading database ... {rng.randint(60000, 99000)} files and directories currently installed.)"))
        lines.append((0.2, "ui", f"Preparing to unpack .../{p}_{versions[p]}_amd64.deb ..."))
        lines.append((rng.uniform(3, 12), "ui", f"Unpacking {p} ({versions[p]}) ..."))
    for p in every:
        lines.append((rng.uniform(3, 15), "ui", f"Setting up {p} ({versions[p]}) ..."))
        if p in pkgs:
            lines.append((0.2, "ui", f"Created symlink /etc/systemd/system/multi-user.target.wants/{p}.service → /lib/systemd/system/{p}.service."))
    lines.append((1.0, "ui", "Processing triggers for man-db (2.10.2-1) ..."))
    lines.append((0.5, "ui", "Processing triggers for libc-bin (2.35-0ubuntu3.8) ..."))
    return lines


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def shell_command(command: str, rng: random.Random) -> Output:
    """Output of one Linux shell line (apt, yum, echo, curl/wget, systemctl, pip, ufw, sleep...)."""
    words = _words(command)
    if not words:
        return [(0.2, "ui", "")] if command.strip() == "" else []
    head = words[0].rsplit("/", 1)[-1]
    rest = command.split(words[0], 1)[-1] if words[0] in command else ""
    if head in ("echo", "printf"):
        text = _strip_quotes(rest.replace("-e ", "", 1).replace("-n ", "", 1))
        return [(0.1, "ui", text.replace("\\n", ""))]
    if head in ("apt-get", "apt") and len(words) > 1:
        sub = words[1]
        if sub == "update":
            return apt_update(rng)
        if sub in ("install", "upgrade", "dist-upgrade", "full-upgrade"):
            pkgs = _packages(words) if sub == "install" else ["linux-azure", "openssl"]
            return apt_install_head(pkgs, rng) + apt_install_body(pkgs, rng)
        return [(rng.uniform(2, 8), "ui", "Reading package lists...")]
    if head in ("yum", "dnf") and "install" in words:
        pkgs = _packages(words)
        lines: Output = [(rng.uniform(3, 9), "ui", "Last metadata expiration check: 0:01:12 ago."),
                         (0.5, "ui", "Dependencies resolved.")]
        lines += [(rng.uniform(1, 4), "ui", f"  Installing       : {p}-{rng.randint(1, 5)}.{rng.randint(0, 20)}.el9.x86_64") for p in pkgs]
        lines += [(0.2, "ui", "Installed:")] + [(0.0, "ui", f"  {p}") for p in pkgs] + [(0.2, "ui", "Complete!")]
        return lines
    if head in ("wget", "curl"):
        url = next((w for w in words if w.startswith("http")), "https://example.invalid/file")
        name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "index.html"
        if head == "curl":
            return [(rng.uniform(1, 6), "say", "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current"),
                    (0.0, "say", "                                 Dload  Upload   Total   Spent    Left  Speed"),
                    (rng.uniform(1, 8), "say", _curl_progress(rng))]
        host = url.split("/")[2] if url.count("/") >= 2 else "example.invalid"
        return [(0.5, "say", f"--  {url.split('?', 1)[0]}"),
                (0.5, "say", f"Resolving {host} ({host})... 20.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"),
                (0.3, "say", "HTTP request sent, awaiting response... 200 OK"),
                (0.0, "say", f"Length: {rng.randint(10000, 900000)} [application/octet-stream]"),
                (0.0, "say", f"Saving to: '{name}'"),
                (rng.uniform(1, 8), "say", f"'{name}' saved")]
    if head == "systemctl" and len(words) > 2 and words[1] == "enable":
        unit = words[2] if words[2].endswith(".service") else words[2] + ".service"
        return [(0.8, "say", f"Synchronizing state of {unit} with SysV service script with /lib/systemd/systemd-sysv-install."),
                (0.2, "say", f"Executing: /lib/systemd/systemd-sysv-install enable {unit[:-8]}")]
    if head in ("pip", "pip3") and "install" in words:
        pkgs = _packages(words[1:] if words[1:2] == ["-m"] else words)
        return [(rng.uniform(1, 4), "ui", f"Collecting {p}") for p in pkgs] + [
            (rng.uniform(2, 9), "ui", "Successfully installed " + " ".join(f"{p}-{rng.randint(1, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}" for p in pkgs))]
    if head == "ufw":
        if "enable" in words:
            return [(0.5, "ui", "Firewall is active and enabled on system startup")]
        return [(0.3, "ui", "Rules updated"), (0.0, "ui", "Rules updated (v6)")]
    if head == "sleep" and len(words) > 1:
        return [(_seconds(words[1]), "none", "")]
    return [(rng.uniform(0.2, 2.0), "none", "")]


def _curl_progress(rng: random.Random) -> str:
    size = f"{rng.randint(10, 900)}k"
    speed = f"{rng.randint(1, 9)}.{rng.randint(0, 9)}M"
    return f"100 {size}  100 {size}    0     0  {speed}      0 --:--:-- --:--:-- --:--:-- {speed}"


def _seconds(text: str) -> float:
    m = re.match(r"^(\d+(?:\.\d+)?)([smh]?)$", text.strip())
    if not m:
        return 1.0
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]


def powershell_command(command: str, rng: random.Random) -> Output:
    """Output of one PowerShell line (Write-Host/Output, Install-WindowsFeature, choco, New-Item...)."""
    stripped = command.strip()
    low = stripped.lower()
    m = re.match(r"^(write-host|write-output|echo)\s+(.*)$", stripped, re.I)
    if m:
        return [(0.1, "ui", _strip_quotes(m.group(2)))]
    if low.startswith(("install-windowsfeature", "add-windowsfeature")):
        return [(rng.uniform(60, 240), "ui", ""),
                (0.0, "ui", "Success Restart Needed Exit Code      Feature Result"),
                (0.0, "ui", "------- -------------- ---------      --------------"),
                (0.0, "ui", "True    No             Success        {Common HTTP Features, Default Document, D...")]
    if low.startswith("choco install") or low.startswith("choco.exe install"):
        pkg = next((w for w in stripped.split()[2:] if not w.startswith("-")), "7zip")
        return [(rng.uniform(2, 5), "ui", "Chocolatey v2.2.2"),
                (0.2, "ui", "Installing the following packages:"),
                (0.0, "ui", pkg),
                (0.0, "ui", "By installing, you accept licenses for the packages."),
                (rng.uniform(10, 60), "ui", f"{pkg} v{rng.randint(1, 30)}.{rng.randint(0, 9)}.{rng.randint(0, 9)} [Approved]"),
                (rng.uniform(5, 30), "ui", f" The install of {pkg} was successful."),
                (0.5, "ui", "Chocolatey installed 1/1 packages."),
                (0.0, "ui", " See the log for details (C:\\ProgramData\\chocolatey\\logs\\chocolatey.log).")]
    if low.startswith(("new-item", "mkdir", "md ")):
        m = re.search(r"(?:-path\s+|^(?:mkdir|md)\s+)['\"]?([A-Za-z]:\\[^'\"\s]*)", stripped, re.I)
        path = m.group(1) if m else "C:\\buildArtifacts"
        parent, _, leaf = path.rstrip("\\").rpartition("\\")
        return [(0.5, "ui", ""),
                (0.0, "ui", f"    Directory: {parent or 'C:'}\\"),
                (0.0, "ui", ""),
                (0.0, "ui", "Mode                 LastWriteTime         Length Name"),
                (0.0, "ui", "----                 -------------         ------ ----"),
                (0.0, "ui", f"d-----        11/26/2026  12:41 AM                {leaf}"),
                (0.0, "ui", "")]
    m = re.match(r"^start-sleep\s+(?:-s(?:econds)?\s+)?(\d+)", low)
    if m:
        return [(float(m.group(1)), "none", "")]
    if low.startswith("invoke-webrequest"):
        return [(rng.uniform(3, 30), "none", "")]
    return [(rng.uniform(0.3, 2.5), "none", "")]
