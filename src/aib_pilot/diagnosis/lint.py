"""Static pre-flight checks of an image template (``aib-pilot lint``): the catalogue's knowledge
applied before a build instead of after it.

Each check has a stable ID (AIB5xx), the catalogue category of the failure it prevents, and points
at the template line. ``lint_template(path)`` returns the JSON of a diagnosis (the same keys, schema
``aib-pilot/lint/v1``); ``Diagnosis.from_dict`` of it is what the report renderers print. ``status``
is ``failed`` when an error-severity check fired.
"""

from __future__ import annotations

import re

from aib_pilot.diagnosis.rules import load_lint_rules
from aib_pilot.diagnosis.template_map import TYPE_TO_PROVISIONER, TemplateInfo, load_template
from aib_pilot.redact import redact

from aib_pilot.diagnosis.result import LINT_SCHEMA as SCHEMA
DEFAULT_VM_SIZES = ("", "standard_d1_v2")
LARGE_FILE = re.compile(r"\.(?:zip|iso|msi|exe|msix|cab|vhdx?|tar|tgz|tar\.gz|gz|7z|rar|bin|img|wim)(?:$|\?)", re.I)
APT_INSTALL = re.compile(r"\b(?:apt-get|apt|yum|dnf|zypper)\s+(?:[-\w=./]+\s+)*?(?:install|upgrade|dist-upgrade|remove)\b")
ASSUME_YES = re.compile(r"(?:^|\s)(?:-y|--yes|--assume-yes|-qq?y|-yq+|--non-interactive|-n)\b|\byes\s*\|")
FIREWALL = re.compile(r"\bufw\s+enable\b|\bfirewall-cmd\b|\biptables\s+-P\s+INPUT\s+DROP|Set-NetFirewallProfile|"
                      r"Disable-PSRemoting|winrm\s+delete|sshd_config|systemctl\s+(?:stop|disable)\s+ssh", re.I)
# A restart started by a script step (the build loses its SSH/WinRM connection mid-step): reboot or
# init 6 in command position, shutdown with -r or /r, Restart-Computer, systemctl reboot.
SCRIPT_RESTART = re.compile(
    r"(?:^|[;&|(]\s*|\b(?:sudo|then|do|exec)\s+)(?:/s?bin/|/usr/s?bin/)?(?:reboot|init\s+6)\b(?![-.])"
    r"|\bshutdown(?:\.exe)?\s+(?:[-/]\w+\s+)*?[-/]r\b|\bRestart-Computer\b|\bsystemctl\s+(?:--\S+\s+)*reboot\b",
    re.I | re.M)
RESTART_SCRIPT_NAME = re.compile(r"(?:^|[-_.])(?:reboot|restart)(?:[-_.]|$)", re.I)
AIB_DEFAULT_TIMEOUT = 240  # minutes AIB allows a build when buildTimeoutInMinutes is 0 or missing
CLEANS_DEPROVISION = re.compile(r"DeprovisioningScript|rm\s+-rf?\s+/tmp/\*|Remove-Item\s+['\"]?C:\\\\?\*", re.I)


LINT_RULES = load_lint_rules()
LINT_BY_ID = {r.id: r for r in LINT_RULES}


def _commands(c) -> list[tuple[int | None, str]]:
    inline = c.value.get("inline")
    if isinstance(inline, list):
        return [(j, str(x)) for j, x in enumerate(inline)]
    if isinstance(inline, str):
        return [(None, inline)]
    return []


def _script_name(uri: str) -> str:
    return uri.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def lint(info: TemplateInfo, *, budget_minutes: float | None = None,
         runs: int = 1) -> list[tuple[str, int | None, str, int | None]]:
    """(rule id, template line, text, customizer index) for every problem found.

    ``budget_minutes`` and ``runs``: the budget chain that will watch the build (each monitoring
    job's --budget, and how many such jobs: the first plus its resumes); None skips that check.
    """
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

    if budget_minutes is not None:
        minutes = timeout if isinstance(timeout, int) and 0 < timeout <= 960 else AIB_DEFAULT_TIMEOUT
        watched = budget_minutes * runs
        if minutes > watched:
            where = lines.get(("buildTimeoutInMinutes",)) or info.properties_line
            jobs = "one monitoring job" if runs == 1 else f"{runs} monitoring jobs"
            needed = -(-minutes // budget_minutes) if budget_minutes else minutes
            out.append(("AIB512", where,
                        f"the build may take {minutes} minutes (buildTimeoutInMinutes"
                        f"{'' if minutes == timeout else ' not set: AIB allows 240'}), but {jobs} of "
                        f"{budget_minutes:g} minutes watch{'es' if runs == 1 else ''} {watched:g}; "
                        f"{int(needed)} runs of {budget_minutes:g} minutes would cover it", None))

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
            if t in ("shell", "powershell") and SCRIPT_RESTART.search(cmd):
                out.append(("AIB513", line, f"{label}: {cmd}", c.index))
        uri = str(c.value.get("scriptUri") or "")
        if t in ("shell", "powershell") and uri and RESTART_SCRIPT_NAME.search(_script_name(uri).rsplit(".", 1)[0]):
            out.append(("AIB513", lines.get(("customize", c.index, "scriptUri"), c.line),
                        f"{label}: scriptUri {_script_name(uri)}", c.index))
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


def lint_template(path: str, *, budget_minutes: float | None = None, runs: int = 1) -> dict:
    """Lint the template file at ``path``; a dict with the diagnosis keys (schema aib-pilot/lint/v1)."""
    info = load_template(path)
    problems = lint(info, budget_minutes=budget_minutes, runs=runs)
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
