"""Format-neutral facts read from a diagnosis or a run result.

Every renderer asks these helpers the same questions (what is the headline, which findings come
first, where in the template does it point, what are the step outputs) so that the formats agree.
A diagnosis (and a lint or preflight result) is the typed :class:`Diagnosis`; a run result is a
dict of run fields whose ``diagnosis`` is a Diagnosis or None (see docs/output-formats.md).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

from aib_pilot.diagnosis.result import Customizer, Diagnosis, Evidence, Finding, JsonObject, TimelineEntry
from aib_pilot.redact import redact

_FRACTION = re.compile(r"\.(\d+)(?=[+-]\d\d:?\d\d$|$)")
SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
FAILED_STATES = {"Failed", "Canceled"}

# Step outputs, in the order we write them. GitHub uses these kebab-case names; Azure DevOps
# output variables must match ^[A-Za-z][A-Za-z0-9]*$, so they get the camelCase form.
OUTPUT_NAMES = (
    "state",
    "run-state",
    "run-sub-state",
    "template-name",
    "template-id",
    "resource-group",
    "artifact-id",
    "artifact-uri",
    "outputs-json",
    "log-path",
    "log-url",
    "resume-command",
    "elapsed-seconds",
    "category",
    "phase",
    "failed-customizer",
    "failed-customizer-line",
    "rule",
    "diagnosis-json",
    # the outputs of Azure/build-vm-image, under its names (docs/migrating.md)
    "imagebuilder-run-status",
    "run-output-name",
    "custom-image-uri",
)
FLEET_OUTPUT_NAMES = ("state", "fleet-json")
# Outputs written by a diagnosis alone (no run result).
DIAGNOSIS_OUTPUT_NAMES = (
    "category", "phase", "failed-customizer", "failed-customizer-line", "rule", "diagnosis-json",
)
MAX_OUTPUT_BYTES = 900_000  # GitHub caps one output at 1 MB


def ado_name(output_name: str) -> str:
    """'failed-customizer' -> 'failedCustomizer' (Azure DevOps outputVariables naming)."""
    head, *rest = output_name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def redact_deep(value: Any, scrub=redact) -> Any:
    """Apply ``scrub`` (default: redact) to every string inside a JSON-like value; typed results
    (a Diagnosis, also inside a run result) become their JSON objects here, at the JSON edge."""
    if isinstance(value, JsonObject):
        value = value.to_dict()
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: redact_deep(v, scrub) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_deep(v, scrub) for v in value]
    return value


def compact_json(value: Any, scrub=redact) -> str:
    """One-line JSON that no CI runner can mistake for a command, with the data unchanged.

    ``ensure_ascii`` turns every invisible or control character into a ``\\uXXXX`` escape, and
    every ``#`` (only ever inside strings in JSON) is written as ``\\u0023``, so the raw line can
    never contain ``##[`` or ``##vso[``; a JSON parser reads back exactly the original text.
    The line starts with ``{`` or ``[``, so it is never a ``::command`` either.
    """
    text = json.dumps(redact_deep(value, scrub), separators=(",", ":"), ensure_ascii=True, default=str)
    return text.replace("#", "\\u0023")


def ordered_findings(diag: Diagnosis | None) -> list[Finding]:
    """Findings most important first: severity, then the order diagnosis gave (its ranking)."""
    if diag is None:
        return []
    return sorted(
        diag.findings, key=lambda f: SEVERITY_RANK.get(str(f.severity or "info"), 3)
    )  # sorted() is stable: diagnosis's own ranking survives inside a severity


def top_finding(diag: Diagnosis | None) -> Finding | None:
    found = ordered_findings(diag)
    return found[0] if found else None


def customizer(diag: Diagnosis | None) -> Customizer | None:
    return diag.failed_customizer if diag is not None else None


def customizer_label(fc: Customizer | None) -> str:
    """'install-nginx (Shell, customizer 2)' or '' when there is none.

    The diagnosis's ``index`` is 0-based (position in ``properties.customize``); people count from 1.
    """
    if fc is None:
        return ""
    name = fc.name or fc.provisioner or "customizer"
    position = None
    if isinstance(fc.index, int) and fc.index >= 0:
        position = f"customizer {fc.index + 1}"
    bits = [str(b) for b in (fc.type, position) if b]
    return f"{name} ({', '.join(bits)})" if bits else str(name)


def customizer_name(diag: Diagnosis | None) -> str | None:
    """The failing customizer's name (its provisioner when it has none); None without one."""
    fc = customizer(diag)
    return (fc.name or fc.provisioner) if fc is not None else None


def template_location(diag: Diagnosis | None, template_path: str | None) -> tuple[str | None, int | None]:
    """Where an annotation should point: (file, line). The template file wins over the log."""
    fc = customizer(diag)
    if diag is not None and any(f.rule == "AIB407" for f in diag.findings):
        return None, None  # the template given is not the one the log ran: point at none of it
    path = template_path or (fc.file if fc else None)
    line = fc.line if fc else None
    try:
        line = int(line) if line is not None else None
    except (TypeError, ValueError):
        line = None
    if line is not None and line < 1:
        line = None
    return (path or None), (line if path else None)


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    # Azure writes 7 fractional digits; Python 3.10's fromisoformat takes only 3 or 6.
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def duration_of(item: TimelineEntry) -> float | None:
    """Seconds for a timeline item: duration_seconds, else end - start."""
    value = item.duration_seconds
    if isinstance(value, (int, float)) and value >= 0:
        return float(value)
    start, end = parse_time(item.start), parse_time(item.end)
    if start and end and end >= start:
        return (end - start).total_seconds()
    return None


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def is_lint(diag: Diagnosis | None) -> bool:
    """A template lint (``aib-pilot lint``), not a diagnosis of a build."""
    return diag is not None and diag.is_lint


def is_preflight(diag: Diagnosis | None) -> bool:
    """An ``aib-pilot preflight`` result (checks of Azure before a build)."""
    return diag is not None and diag.is_preflight


def report_title(diag: Diagnosis | None) -> str:
    return "Preflight" if is_preflight(diag) else "Lint" if is_lint(diag) else "Diagnosis"


def _preflight_headline(diag: Diagnosis) -> str:
    checks = diag.checks
    counts = {s: sum(1 for c in checks if c.status == s) for s in ("failed", "could_not_check", "passed")}
    if counts["failed"]:
        text = f"{counts['failed']} of {len(checks)} checks failed (top: {diag.category or 'unknown'})"
    else:
        text = f"no check failed ({counts['passed']} passed)"
    if counts["could_not_check"]:
        text += f"; {counts['could_not_check']} could not be checked"
    return text + "."


def _lint_headline(diag: Diagnosis) -> str:
    counts = {sev: sum(1 for f in diag.findings if f.severity == sev) for sev in ("error", "warning", "info")}
    if not any(counts.values()):
        return "No problems found in the template."
    parts = [f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items() if n]
    text = ", ".join(parts) + " in the template"
    if counts["error"]:
        text += f" (top: {diag.category or 'unknown'})"
    return text + "."


def headline(diag: Diagnosis | None) -> str:
    """One line: what failed, where. E.g. 'customizer_failed in customize: install-nginx ...'."""
    if diag is None:
        return "No failure found (unknown)."
    if diag.is_lint:
        return _lint_headline(diag)
    if diag.is_preflight:
        return _preflight_headline(diag)
    status = diag.status or "unknown"
    category = diag.category or "unknown"
    phase = diag.phase
    if status == "succeeded" or (status != "failed" and not diag.findings):
        return f"No failure found ({status})."
    text = f"{category}" + (f" in phase {phase}" if phase else "")
    fc = customizer(diag)
    if fc:
        where = f" at {fc.file}:{fc.line}" if fc.file and fc.line else ""
        text += f"; failing customizer {customizer_label(fc)}{where}"
    return text


def state_of(result: dict) -> str:
    return str(result.get("state") or "Unknown")


STATE_SEVERITY = ("Failed", "Canceled", "PartiallySucceeded", "Running", "Succeeded")


def state_counts(results: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        counts[state_of(result)] = counts.get(state_of(result), 0) + 1
    return counts


def worst_state(results: list[dict]) -> str:
    """The state a fleet reports: the most severe of its templates' states."""
    states = {state_of(r) for r in results}
    for state in STATE_SEVERITY:
        if state in states:
            return state
    return next(iter(states), "Unknown")


def run_outputs(result: dict, template_path: str | None = None) -> dict[str, str]:
    """The step outputs for a run result (names from OUTPUT_NAMES); values are strings."""
    diag = result.get("diagnosis")
    first = (result.get("outputs") or [{}])[0] or {}
    elapsed = result.get("elapsed_seconds")
    values = {
        "state": state_of(result),
        "run-state": state_of(result),
        "run-sub-state": result.get("run_sub_state") or "",
        "template-name": result.get("template_name") or "",
        "template-id": result.get("template") or "",
        "resource-group": result.get("resource_group") or "",
        "artifact-id": first.get("artifact_id") or "",
        "artifact-uri": first.get("artifact_uri") or "",
        "outputs-json": compact_json(result.get("outputs") or []),
        "log-path": result.get("log_path") or "",
        "log-url": result.get("log_url") or "",
        "resume-command": result.get("resume") or "",
        "elapsed-seconds": "" if elapsed is None else f"{float(elapsed):g}",
    }
    values.update(diagnosis_outputs(diag, template_path))
    values.update(build_vm_image_outputs(result))
    return {name: redact(str(values.get(name, ""))) for name in OUTPUT_NAMES}


def build_vm_image_outputs(result: dict) -> dict[str, str]:
    """Azure/build-vm-image's outputs: ``imagebuilder-run-status`` succeeded | failed | skipped (the
    build was not waited for: submit, or the budget ended first), the first distributor's run
    output name and the image it produced (resource id, or the VHD's URI)."""
    state = state_of(result)
    status = {"Succeeded": "succeeded", "Running": "skipped"}.get(state, "failed")
    first = (result.get("outputs") or [{}])[0] or {}
    return {"imagebuilder-run-status": status, "run-output-name": first.get("name") or "",
            "custom-image-uri": first.get("artifact_id") or first.get("artifact_uri") or ""}


def diagnosis_outputs(diag: Diagnosis | None, template_path: str | None = None) -> dict[str, str]:
    if diag is None:
        return {name: "" for name in DIAGNOSIS_OUTPUT_NAMES}
    top = top_finding(diag)
    _, line = template_location(diag, template_path)
    return {
        "category": str(diag.category or ""),
        "phase": str(diag.phase or ""),
        "failed-customizer": str(customizer_name(diag) or ""),
        "failed-customizer-line": "" if line is None else str(line),
        "rule": str((top.rule if top else None) or ""),
        "diagnosis-json": bounded_json(diag),
    }


def bounded_json(diag: Diagnosis) -> str:
    """The diagnosis object on one line, shortened (tail, then evidence, then timeline) to fit an output."""
    text = compact_json(diag)
    if len(text.encode()) <= MAX_OUTPUT_BYTES:
        return text
    slim = diag.replace(tail=diag.tail[-20:], findings=tuple(f.replace(evidence=f.evidence[:3]) for f in diag.findings))
    text = compact_json(slim)
    if len(text.encode()) <= MAX_OUTPUT_BYTES:
        return text
    slim = slim.replace(timeline=(), tail=(), findings=tuple(f.replace(evidence=()) for f in slim.findings[:5]))
    return compact_json(slim)


LEVEL_OF_SEVERITY = {"error": "error", "warning": "warning", "info": "notice"}


_WRAPPER_TITLE = re.compile(r"\b(?:wrapper|summary)\b", re.IGNORECASE)


def is_specific(finding: Finding) -> bool:
    """False for wrapper/summary/noise findings.

    The finding's ``kind`` (generic/noise) decides when diagnosis gives it; otherwise category
    ``unknown`` or a title that calls itself a wrapper or summary line (e.g. AIB201 "Packer build
    command failed (wrapper message)") marks a generic finding.
    """
    kind = finding.kind
    if kind in ("generic", "noise"):
        return False
    if finding.category in (None, "", "unknown"):
        return False
    return kind == "specific" or not _WRAPPER_TITLE.search(str(finding.title or ""))


def report_findings(diag: Diagnosis | None) -> tuple[list[Finding], list[Finding]]:
    """(findings shown in full, generic findings folded into one 'Also reported' line).

    Generic findings get a full entry only when there is no specific one to show.
    """
    findings = ordered_findings(diag)
    if not any(is_specific(f) for f in findings):
        return findings, []
    return [f for f in findings if is_specific(f)], [f for f in findings if not is_specific(f)]


def rule_and_title(finding: Finding) -> str:
    return f"{finding.rule or ''} {finding.title or finding.category or ''}".strip()


def evidence_label(item: Evidence) -> str:
    """Where an evidence line comes from: its log line number, or 'status' (the status message)."""
    line = item.line
    return "status" if line is None or line == "" else str(line)


_LATE_PHASES = ("deprovision", "distribute", "cleanup")


def display_timeline(timeline: tuple[TimelineEntry, ...] | None) -> list[TimelineEntry]:
    """Timeline items in the order a person reads them.

    Diagnosis appends the customizers that never ran (status ``skipped``) after every section, so
    they would follow Cleanup. Shown here in template order right after the last customizer that
    ran (or, when none ran, before the first late phase: deprovision, distribute, cleanup).
    """
    items = list(timeline or ())
    skipped = [i for i in items if i.kind == "customizer" and i.status == "skipped"]
    if not skipped:
        return items
    rest = [i for i in items if not (i.kind == "customizer" and i.status == "skipped")]
    ran = [n for n, i in enumerate(rest) if i.kind == "customizer"]
    if ran:
        at = ran[-1] + 1
    else:
        late = [n for n, i in enumerate(rest) if i.phase in _LATE_PHASES]
        at = late[0] if late else len(rest)
    return rest[:at] + skipped + rest[at:]


def annotatable(findings: list[Finding]) -> list[Finding]:
    """The findings worth an annotation: errors/warnings before info, specific before generic.

    Generic findings (a wrapper such as "Packer build command has failed", a closing summary
    line, cleanup noise) and info findings are annotated only when nothing better exists; they
    stay in the text and Markdown reports.
    """
    if any(is_specific(f) for f in findings):
        findings = [f for f in findings if is_specific(f)]
    if any(f.severity in ("error", "warning") for f in findings):
        findings = [f for f in findings if f.severity in ("error", "warning")]
    return findings


def annotations(diag: Diagnosis | None, template_path: str | None = None, result: dict | None = None,
                limit: int = 10, group: bool = True) -> list[dict]:
    """Annotations to publish, most important first (at most ``limit``).

    Each: {"level": error|warning|notice, "file": str|None, "line": int|None, "title", "message",
    "rule"}. A finding of the customize phase (or without a phase) points at the failing
    customizer's line in the template; other findings at the template file without a line.
    Generic and info findings are left out when better ones exist (see annotatable). With
    ``group`` (workflow commands: 10 per step, shown inline in the diff) findings at the same
    place share ONE annotation: the top finding's title, cause, fix and evidence, then the others by rule and
    title. Without it (check runs) every finding is its own annotation. A failed/canceled run
    with no finding gets one annotation from its status message. Text is raw here: each format
    escapes and cleans it.
    """
    path, line = template_location(diag, template_path)
    fc = customizer(diag)
    findings = annotatable(ordered_findings(diag))
    places: dict[tuple, list[Finding]] = {}
    for finding in findings:
        on_customizer = fc is not None and finding.phase in (None, "customize")
        own = _own_line(finding)  # preflight findings carry the line of the property they are about
        key = (on_customizer, own, len(places)) if not group else (on_customizer, own)
        places.setdefault(key, []).append(finding)
    out = []
    for (on_customizer, own, *_), group_findings in places.items():
        top = group_findings[0]
        parts = [f"Failing customizer: {customizer_label(fc)}"] if on_customizer else []
        if top.cause:
            parts.append(f"Cause: {top.cause}")
        if top.fix:
            parts.append(f"Fix: {top.fix}")
        for ev in top.evidence[:3]:
            where = evidence_label(ev)
            source = "template line " if is_preflight(diag) else "log line "   # preflight evidence is the template
            parts.append(f"{'status message' if where == 'status' else source + where}: {ev.text}")
        if top.reference:
            parts.append(f"See {top.reference}")
        others = [rule_and_title(f) for f in group_findings[1:]]
        if others:
            parts.append("Also found here: " + "; ".join(others))
        title = f"{top.rule or 'AIB'} {top.title or top.category or ''}".strip()
        out.append({"level": LEVEL_OF_SEVERITY.get(str(top.severity), "notice"), "file": path,
                    "line": own if own is not None else line if on_customizer else None, "title": title[:255],
                    "message": "\n".join(parts) or title, "rule": top.rule})
    if not out and result is not None:
        state = state_of(result)
        if state in FAILED_STATES or state == "PartiallySucceeded":
            name = result.get("template_name") or "image template"
            message = result.get("message") or f"The image build ended {state}."
            out.append({"level": "warning" if state == "PartiallySucceeded" else "error",
                        "file": path, "line": None, "title": f"AIB build {state}: {name}"[:255],
                        "message": str(message), "rule": None})
    return out[:limit]


def _own_line(finding: Finding) -> int | None:
    """A finding's own template line (preflight findings have one), else None."""
    line = finding.line
    return line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None


def fleet_row(result: dict) -> dict:
    """The compact per-template record used in fleet outputs."""
    diag = result.get("diagnosis")
    fc = customizer(diag)
    return {"template_name": result.get("template_name"), "template": result.get("template"),
            "state": state_of(result), "run_sub_state": result.get("run_sub_state"),
            "category": diag.category if diag else None, "failed_customizer": fc.name if fc else None,
            "log_path": result.get("log_path"), "elapsed_seconds": result.get("elapsed_seconds")}
