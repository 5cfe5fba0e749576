"""Static pre-flight checks of an image template (``aib-pilot lint``): the catalogue's knowledge
applied before a build instead of after it.

Each check has a stable ID (AIB5xx), the catalogue category of the failure it prevents, and points
at the template line. ``lint_template(path)`` returns a dict shaped like a diagnosis (the same keys) so the
same report renderers print it; ``status`` is ``failed`` when an error-severity check fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aib_pilot.diagnosis.catalogue import TEMPLATE_REF, TROUBLESHOOT
from aib_pilot.diagnosis.template_map import TYPE_TO_PROVISIONER, TemplateInfo, load_template
from aib_pilot.redact import redact

SCHEMA = "aib-pilot/lint/v1"
DEFAULT_VM_SIZES = ("", "standard_d1_v2")
LARGE_FILE = re.compile(r"\.(?:zip|iso|msi|exe|msix|cab|vhdx?|tar|tgz|tar\.gz|gz|7z|rar|bin|img|wim)(?:$|\?)", re.I)
APT_INSTALL = re.compile(r"\b(?:apt-get|apt|yum|dnf|zypper)\s+(?:[-\w=./]+\s+)*?(?:install|upgrade|dist-upgrade|remove)\b")
ASSUME_YES = re.compile(r"(?:^|\s)(?:-y|--yes|--assume-yes|-qq?y|-yq+|--non-interactive|-n)\b|\byes\s*\|")
FIREWALL = re.compile(r"\bufw\s+enable\b|\bfirewall-cmd\b|\biptables\s+-P\s+INPUT\s+DROP|Set-NetFirewallProfile|"
                      r"Disable-PSRemoting|winrm\s+delete|sshd_config|systemctl\s+(?:stop|disable)\s+ssh", re.I)
CLEANS_DEPROVISION = re.compile(r"DeprovisioningScript|rm\s+-rf?\s+/tmp/\*|Remove-Item\s+['\"]?C:\\\\?\*", re.I)


@dataclass(frozen=True)
class LintRule:
    id: str
    category: str
    severity: str
    title: str
    cause: str
    fix: str
    reference: str


LINT_RULES = (
    LintRule("AIB501", "waiting_for_input", "error", "Package command without -y",
             "apt-get/yum/dnf install without -y waits for an answer nobody gives; the build hangs "
             "until buildTimeoutInMinutes.",
             "Add -y (and DEBIAN_FRONTEND=noninteractive for apt): `sudo apt-get install -y PKG`.",
             TROUBLESHOOT + "#timeout-exceeded"),
    LintRule("AIB502", "vm_resources_exhausted", "warning", "WindowsUpdate on the default build VM size",
             "Windows Update on the default Standard_D1_v2 (1 vCPU, 3.5 GB) starves the VM; WinRM drops "
             "with 'unexpected EOF'.",
             "Set `properties.vmProfile.vmSize`, e.g. \"Standard_D4s_v5\".",
             TROUBLESHOOT + "#low-windows-resource-information-events"),
    LintRule("AIB503", "windows_restart_timeout", "warning", "No WindowsRestart after WindowsUpdate",
             "Updates leave reboots pending; Sysprep or first logon then waits for the Windows Modules "
             "Installer.",
             "Add {\"type\": \"WindowsRestart\", \"restartTimeout\": \"30m\"} after the WindowsUpdate customizer.",
             TROUBLESHOOT + "#slow-windows-logon-please-wait-for-the-windows-modules-installer"),
    LintRule("AIB504", "large_file_customizer", "warning", "File customizer for a large artifact",
             "The File customizer is meant for files under 20 MB; installers and archives crawl through "
             "it for hours.",
             "Download it in a Shell (curl -fsSL -o) or PowerShell (Invoke-WebRequest) customizer instead.",
             TROUBLESHOOT + "#long-file-download-time"),
    LintRule("AIB505", "build_timeout", "warning", "buildTimeoutInMinutes missing or low",
             "Without buildTimeoutInMinutes the build may run 240 minutes; a very low value times out "
             "normal builds (Windows updates take an hour).",
             "Set `properties.buildTimeoutInMinutes` to what the build needs (max 960), below your CI "
             "job's limit if you wait for it.",
             TROUBLESHOOT + "#timeout-exceeded"),
    LintRule("AIB506", "invalid_template", "error", "buildTimeoutInMinutes above the maximum",
             "AIB rejects values above 960 minutes.", "Use at most 960.", TEMPLATE_REF + "#properties-buildtimeoutinminutes"),
    LintRule("AIB507", "invalid_template", "error", "Script customizer without exactly one of inline/scriptUri",
             "Shell and PowerShell customizers need either `inline` or `scriptUri` (not both); AIB rejects "
             "the template (NoCustomizerScript).", "Give the customizer exactly one of `inline` or `scriptUri`.",
             TROUBLESHOOT + "#troubleshoot-image-template-submission-errors"),
    LintRule("AIB508", "image_not_generalized", "warning", "Windows image does not end with WindowsRestart",
             "Pending reboots at generalization make first logon slow or VM creation time out.",
             "Make a WindowsRestart customizer the last customizer.",
             TROUBLESHOOT + "#slow-windows-logon-please-wait-for-the-windows-modules-installer"),
    LintRule("AIB509", "deprovision_failed", "warning", "A command may delete AIB's deprovisioning script",
             "AIB runs /tmp/DeprovisioningScript.sh or c:\\DeprovisioningScript.ps1 after the customizers; "
             "cleaning /tmp or C:\\ removes it.", "Exclude DeprovisioningScript.* from the cleanup.",
             TROUBLESHOOT + "#command-locations-and-filenames"),
    LintRule("AIB510", "connection_lost", "warning", "A command changes the firewall, SSH or WinRM",
             "AIB talks to the build VM over SSH (22) or WinRM (5986); closing them cancels the build.",
             "Keep ports 22/5986 open during the build; apply hardening in a later pipeline step.",
             TROUBLESHOOT + "#cancelling-builder-after-context-cancellation-context-canceled"),
    LintRule("AIB511", "unknown", "error", "Unknown customizer type",
             "AIB supports Shell, PowerShell, File, WindowsRestart and WindowsUpdate customizers.",
             "Fix the customizer's `type`.", TEMPLATE_REF + "#properties-customize"),
)
LINT_BY_ID = {r.id: r for r in LINT_RULES}


def _commands(c) -> list[tuple[int | None, str]]:
    inline = c.value.get("inline")
    if isinstance(inline, list):
        return [(j, str(x)) for j, x in enumerate(inline)]
    if isinstance(inline, str):
        return [(None, inline)]
    return []


def lint(info: TemplateInfo) -> list[tuple[str, int | None, str, int | None]]:
    """(rule id, template line, text, customizer index) for every problem found."""
    out: list[tuple[str, int | None, str, int | None]] = []
    props = info.properties
    lines = info.lines
    custom = info.customizers
    vm_size = str(((props.get("vmProfile") or {}).get("vmSize")) or "")
    types = [c.type.lower() for c in custom]
    windows = any(t in ("powershell", "windowsupdate", "windowsrestart") for t in types)

    timeout = props.get("buildTimeoutInMinutes")
    if not isinstance(timeout, int) or timeout == 0:
        out.append(("AIB505", info.properties_line, "buildTimeoutInMinutes not set: the build may run 240 minutes", None))
    elif timeout > 960:
        out.append(("AIB506", lines.get(("buildTimeoutInMinutes",)), f"buildTimeoutInMinutes: {timeout}", None))
    elif timeout < 30 or ("windowsupdate" in types and timeout < 90):
        out.append(("AIB505", lines.get(("buildTimeoutInMinutes",)), f"buildTimeoutInMinutes: {timeout}", None))

    for c in custom:
        label = f"customize[{c.index}]" + (f" ({c.name})" if c.name else "")
        t = c.type.lower()
        if t not in TYPE_TO_PROVISIONER:
            out.append(("AIB511", c.line, f"{label}: type {c.type!r}", c.index))
            continue
        if t in ("shell", "powershell"):
            has_inline, has_uri = bool(c.value.get("inline")), bool(c.value.get("scriptUri"))
            if has_inline == has_uri:
                out.append(("AIB507", c.line, f"{label}: " + ("both inline and scriptUri" if has_inline else "neither inline nor scriptUri"), c.index))
        for j, cmd in _commands(c):
            line = lines.get(("customize", c.index, "inline", j), c.line) if j is not None else c.line
            if APT_INSTALL.search(cmd) and not ASSUME_YES.search(cmd):
                out.append(("AIB501", line, f"{label}: {cmd}", c.index))
            if FIREWALL.search(cmd):
                out.append(("AIB510", line, f"{label}: {cmd}", c.index))
            if CLEANS_DEPROVISION.search(cmd):
                out.append(("AIB509", line, f"{label}: {cmd}", c.index))
        if t == "file" and LARGE_FILE.search(str(c.value.get("sourceUri", ""))):
            out.append(("AIB504", lines.get(("customize", c.index, "sourceUri"), c.line),
                        f"{label}: sourceUri {c.value.get('sourceUri')}", c.index))
        if t == "windowsupdate":
            if vm_size.lower() in DEFAULT_VM_SIZES:
                out.append(("AIB502", c.line, f"{label}: vmProfile.vmSize is {vm_size or 'not set (Standard_D1_v2)'}", c.index))
            if "windowsrestart" not in types[c.index + 1:]:
                out.append(("AIB503", c.line, f"{label}: no WindowsRestart after it", c.index))
    if windows and custom and types[-1] != "windowsrestart":
        last = custom[-1]
        out.append(("AIB508", last.line, f"customize[{last.index}] is {last.type}, not WindowsRestart", last.index))
    return out


def lint_template(path: str) -> dict:
    """Lint the template file at ``path``; a dict with the diagnosis keys (schema aib-pilot/lint/v1)."""
    info = load_template(path)
    problems = lint(info)
    rank = {"error": 0, "warning": 1, "info": 2}
    problems.sort(key=lambda p: (rank[LINT_BY_ID[p[0]].severity], p[1] or 0))
    grouped: dict[str, dict] = {}
    for rid, line, text, index in problems:
        r = LINT_BY_ID[rid]
        f = grouped.setdefault(rid, {"rule": r.id, "category": r.category, "severity": r.severity, "title": r.title,
                                     "cause": r.cause, "fix": r.fix, "reference": r.reference,
                                     "phase": "submission", "evidence": [], "_index": index})
        f["evidence"].append({"line": line, "text": redact(text)})
    findings = list(grouped.values())
    errors = [f for f in findings if f["severity"] == "error"]
    top = findings[0] if findings else None
    failed_customizer = None
    if top is not None and top["_index"] is not None:
        c = info.customizers[top["_index"]]
        failed_customizer = {"provisioner": TYPE_TO_PROVISIONER.get(c.type.lower()), "index": c.index,
                             "name": c.name, "type": c.type, "file": path, "line": c.line}
    for f in findings:
        f.pop("_index")
    return {
        "schema": SCHEMA, "source": path, "status": "failed" if errors else "succeeded",
        "category": errors[0]["category"] if errors else "unknown",
        "phase": "submission" if findings else None, "findings": findings,
        "failed_customizer": failed_customizer if errors else None, "failing_section": None,
        "tail": [], "timeline": [], "lines_read": max(info.lines.values(), default=0),
    }
