"""``diagnose()``: log + status texts + template -> a ranked, explained :class:`Analysis`.

The analysis keeps the engine's own objects (rules, error records); ``Analysis.result()`` is the
typed, immutable :class:`~aib_pilot.diagnosis.result.Diagnosis` that the report formats print.

Ranking (see docs/rules.md): findings are ordered by kind (a specific cause > a generic wrapper;
cleanup noise is never reported as a cause), then by whether the evidence lies in the failing
section / phase, then by the rule's priority, severity and the position of the evidence (later is
closer to the failure). Context rules (``context`` in the catalogue) only count when their
condition holds, e.g. an input prompt only inside the failing customizer.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace

from aib_pilot.diagnosis.rules import RULES_BY_ID, Rule
from aib_pilot.diagnosis.scanner import Evidence, LogScanner, RuleHits, Section
from aib_pilot.diagnosis.sources import open_chunks
from aib_pilot.diagnosis.records import ErrorRecord, read_records
from aib_pilot.diagnosis.result import SCHEMA, Diagnosis
from aib_pilot.diagnosis.status import StatusInfo, provisioning_error_text, texts_from_json, try_json
from aib_pilot.diagnosis.template_map import PROVISIONER_TO_TYPE, TemplateInfo, load_template
from aib_pilot.diagnosis.text import iso
from aib_pilot.redact import redact

JSON_SNIFF_LIMIT = 16 * 1024 * 1024
# An object, or an array of objects -- not "[<operationId>] PACKER OUT" log lines.
_JSON_START = re.compile(rb"\s*(?:\{|\[\s*[{\]])")
_KIND_RANK = {"specific": 2, "generic": 1, "noise": 0}
_SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}
_FAILED_RUN_STATES = {"failed", "canceled", "partiallysucceeded"}
_RUNNING_RUN_STATES = {"running", "canceling"}


@dataclass
class Finding:
    rule: Rule
    evidence: list[Evidence]
    from_status: bool
    phase: str | None
    #: the evidence lies only in customizers the build went on after: a known problem that did
    #: not stop this build (a lock that cleared, a retried download); never the cause
    secondary: bool = False

    @property
    def category(self) -> str:
        """What the rule's evidence means in the phase it was found in."""
        return self.rule.category_in(self.phase) or self.rule.category

    def to_dict(self) -> dict:
        r = self.rule
        return {"rule": r.id, "category": self.category, "severity": r.severity, "title": r.title,
                "cause": r.cause, "fix": r.fix, "reference": r.reference, "phase": self.phase,
                "kind": r.kind, "secondary": self.secondary,
                "evidence": [{"line": e.line, "text": redact(e.text)} for e in self.evidence]}


@dataclass
class Analysis:
    """What :func:`diagnose` found, with the engine's objects; ``to_dict()`` is the JSON object of
    ``--format json`` and ``result()`` the same as a typed :class:`Diagnosis`."""

    source: str | None
    status: str
    category: str
    phase: str | None
    findings: list[Finding]
    failed_customizer: dict | None
    failing_section: dict | None
    tail: list[dict]
    timeline: list[dict]
    lines_read: int
    extra: dict = field(default_factory=dict)
    records: list[ErrorRecord] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def top(self) -> Finding | None:
        return self.findings[0] if self.findings else None

    @property
    def chain(self) -> list[dict]:
        """What Azure or Packer said outside (wrappers) -> what it means inside (the cause)."""
        if self.top is None or self.top.rule.kind == "generic":
            return [_chain_item(f) for f in self.findings if f.rule.kind == "generic"][:4]
        outer = [_chain_item(f) for f in self.findings if f.rule.kind == "generic"][:3]
        return outer + [_chain_item(self.top)]

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "source": self.source,
            "status": self.status,
            "category": self.category,
            "phase": self.phase,
            "findings": [f.to_dict() for f in self.findings],
            "failed_customizer": self.failed_customizer,
            "failing_section": self.failing_section,
            "tail": self.tail,
            "timeline": self.timeline,
            "lines_read": self.lines_read,
            "chain": self.chain,
            "records": [r.to_dict() for r in self.records],
            "engine": self.extra.get("engine"),
        }

    def result(self) -> Diagnosis:
        """The typed, immutable diagnosis the report formats take (its ``to_dict()`` is ours)."""
        return Diagnosis.from_dict(self.to_dict())


def _chain_item(f: Finding) -> dict:
    first = f.evidence[0] if f.evidence else None
    return {"rule": f.rule.id, "kind": f.rule.kind, "category": f.category, "title": f.rule.title,
            "line": first.line if first else None, "text": redact(first.text) if first else None}


# ---------------------------------------------------------------------------------------- input
SMALL_INPUT = 256 * 1024  # a pasted excerpt: its error records are read from the whole text


def _scan_log(log, scanner: LogScanner) -> tuple[StatusInfo | None, bytes | None, bytes | None]:
    """Feed the log to the scanner, or -- when the whole input is one JSON document such as
    ``az image builder show`` output -- return what that document says instead. The third item
    is the whole input when it is small (a pasted excerpt)."""
    chunks = open_chunks(log)
    first = next(chunks, None)
    if first is None:
        return None, None, None
    # what is kept beyond its turn is copied: a chunk may map the file, which may be truncated
    # once the reader has let it go (see ``sources``)
    small = [bytes(first)] if len(first) <= SMALL_INPUT else None
    if _JSON_START.match(first):
        parts, size = [bytes(first)], len(first)
        for chunk in chunks:
            parts.append(bytes(chunk))
            size += len(chunk)
            if size > JSON_SNIFF_LIMIT:
                break
        data = b"".join(parts)
        doc = try_json(data) if size <= JSON_SNIFF_LIMIT else None
        if doc is not None:
            scanner.lines_read = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
            return texts_from_json(doc), data, data if len(data) <= SMALL_INPUT else None
        first = data
        small = [data] if len(data) <= SMALL_INPUT else None
    scanner.feed(first)
    first = None  # a chunk may map 16 MB of the file: hold none while the next one is mapped
    for chunk in chunks:
        scanner.feed(chunk)
        if small is not None:
            small.append(bytes(chunk))
            if sum(map(len, small)) > SMALL_INPUT:
                small = None
        del chunk
    scanner.finish()
    return None, None, b"".join(small) if small is not None else None


def _size_of(log) -> int | None:
    """The size of a log given as a path (None for anything else, or a path that is no file)."""
    if isinstance(log, (str, os.PathLike)):
        try:
            return os.stat(log).st_size
        except OSError:
            return None
    return len(log) if isinstance(log, (bytes, bytearray)) else None


def _line_of(data: bytes, message: str) -> int | None:
    needle = json.dumps(message)[1:41].encode()
    pos = data.find(needle)
    return data.count(b"\n", 0, pos) + 1 if pos >= 0 else None


def _default_status_phase(text: str, origin: str) -> str | None:
    if "Failed in distributing" in text:
        return "distribute"
    if origin == "submission":
        return "submission"
    if "packerizer" in text or "building/customizing" in text:
        return "customize"
    return None


def _scan_status_texts(json_info: StatusInfo | None, json_data: bytes | None, run_state: str | None,
                       status_message: str | None, provisioning_error: dict | None):
    """Match the texts that are not a log. Returns (hits without line numbers, hits located in a
    pasted JSON file, the default phase of each rule hit by them)."""
    texts: list[tuple[str, str, int | None]] = []
    if json_info is not None:
        texts += [(origin, t, _line_of(json_data, t)) for origin, t in json_info.texts]
    if run_state and str(run_state).lower() in ("canceled", "canceling"):
        texts.append(("run", f"runState: {run_state}", None))
    if status_message:
        texts.append(("run", status_message, None))
    if provisioning_error:
        texts.append(("submission", provisioning_error_text(provisioning_error), None))
    status_scan, json_hits = LogScanner(), LogScanner()
    phases: dict[str, str | None] = {}
    for origin, body, line in texts:
        target = json_hits if line is not None else status_scan
        before = {k: v.count for k, v in target.hits.items()}
        target.add_text(body, line)
        for rid, hits in target.hits.items():
            if hits.count != before.get(rid, 0) and rid not in phases:
                phases[rid] = _default_status_phase(body, origin)
    return status_scan, json_hits, phases


# ---------------------------------------------------------------------------------------- main
def diagnose(log=None, *, status_message: str | None = None, provisioning_error: dict | None = None,
             template_path: str | os.PathLike | None = None, source: str | None = None,
             run_state: str | None = None) -> Analysis:
    """Diagnose an AIB run from its log and/or status texts. See the module docstring and docs/diagnosis.md.

    ``run_state`` (optional) is ``lastRunStatus.runState`` when the caller
    knows it: ``Canceled`` explains cancellation lines in the log, ``Failed`` marks the run failed
    even when no text says why.
    """
    template = load_template(template_path) if template_path else None
    scanner = LogScanner(_size_of(log))
    json_info, json_data, small_input = _scan_log(log, scanner)
    if small_input is not None and json_info is None:
        scanner.add_unwrapped(small_input)  # an excerpt cut at a fixed width by a log viewer
    run_state = getattr(run_state, "value", run_state)  # the SDK's RunState enum or a plain string
    if json_info is not None:
        run_state = run_state or json_info.run_state
    status_scan, json_hits, status_phases = _scan_status_texts(
        json_info, json_data, run_state, status_message, provisioning_error)

    findings = _collect(scanner, status_scan, json_hits, status_phases) + _derived(scanner, run_state)
    findings = _generic_by_message(findings, _text_records(small_input, status_message, provisioning_error,
                                                          json_info))
    # a customizer followed by another one did not stop the build (e.g. validExitCodes [0, 3010])
    nonzero = [s for s in scanner.sections if s.provisioner and s.exit_code not in (None, 0) and not s.followed]
    if scanner.success_marker and not scanner.errored and not nonzero:
        # Packer built the artifacts: error-looking lines in the log (a Sysprep state passing
        # through IMAGE_STATE_UNDEPLOYABLE, a retried download) were not fatal. Only the status
        # texts can still report a failure (e.g. gallery replication after the build).
        findings = [Finding(f.rule, ev, f.from_status, f.phase) for f in findings
                    if (ev := [e for e in f.evidence if e.line is None])]
    timeout = any(f.category == "build_timeout" for f in findings)
    outside_stop = any(f.rule.outside_stop for f in findings)
    failure = (scanner.errored or bool(nonzero)
               or (run_state or "").lower() in _FAILED_RUN_STATES
               or any(f.rule.severity == "error" and f.rule.kind != "noise" for f in findings))

    failing = _failing_section(scanner, findings, nonzero, failure)
    findings = _apply_context(findings, failing, scanner.sections, timeout, scanner.first_connect_line,
                              _last_progress_line(scanner), scanner.failed_line, outside_stop,
                              _teardown(scanner))
    findings.sort(key=lambda f: _score(f, failing), reverse=True)
    reported = [f for f in findings if f.rule.kind != "noise"]
    failure = failure and (bool(nonzero) or scanner.errored or (run_state or "").lower() in _FAILED_RUN_STATES
                           or any(f.rule.severity == "error" and not f.secondary for f in reported))

    status = _status(scanner, failure, run_state)
    if status != "failed":
        reported = [f for f in reported if f.rule.severity != "error"]
        failing = None
    top = reported[0] if reported else None
    category = top.category if (status == "failed" and top and top.rule.severity == "error"
                                and top.rule.kind == "specific" and not top.secondary) else "unknown"

    customizers = _number_customizers(scanner.sections)
    mismatch = _template_mismatch(scanner.sections, template)
    if mismatch is not None:
        # a template that is not the one this log ran: say so, and point at none of its lines
        rule = next(r for r in RULES_BY_ID.values() if r.trigger == "template-mismatch")
        reported.append(Finding(rule, [Evidence(None, mismatch)], True, None))
        template = None
    failed_customizer = _failed_customizer(failing, customizers, template)
    if failing is not None and failing.phase != "pipeline" and not failing.assumed:
        phase = failing.phase  # a pipeline log quoting e.g. an ARM error, or a phase only guessed
        # from an excerpt's first line: the cause's own phase wins
    elif top is not None and status == "failed":
        phase = top.phase or (failing.phase if failing else None)
    else:
        phase = failing.phase if failing else None
    if failing is not None:
        tail = failing.tail
    elif status in ("failed", "running", "unknown") and scanner.saw_any_line:
        tail = scanner.global_tail
    else:
        tail = []
    return Analysis(
        source=source if source is not None else (os.fspath(log) if isinstance(log, (str, os.PathLike)) else None),
        status=status, category=category, phase=phase, findings=reported,
        failed_customizer=failed_customizer,
        failing_section=_section_ref(failing, customizers, template) if failing else None,
        tail=[{"line": n, "text": redact(t)} for n, t in tail],
        timeline=_timeline(scanner.sections, failing, status, customizers, template),
        lines_read=scanner.lines_read,
        extra={"engine": scanner.engine, "skipped_lines": scanner.skipped_lines},
        records=_records(reported, status_message, provisioning_error, json_info, small_input),
    )


MAX_RECORDS = 20


def _records(findings: list[Finding], status_message: str | None, provisioning_error: dict | None,
             json_info: StatusInfo | None, small_input: bytes | None) -> list[ErrorRecord]:
    """The error records behind the findings: a small input's whole text, the status texts, then
    the evidence lines of a large log (adjacent lines read together, so nesting is kept)."""
    out: list[ErrorRecord] = []
    seen: set = set()

    def add(recs: list[ErrorRecord]) -> None:
        for r in recs:
            key = (r.code, r.message[:120], r.line)
            if key not in seen and len(out) < MAX_RECORDS:
                seen.add(key)
                out.append(r)

    if small_input is not None:
        add(read_records(small_input.decode("utf-8", "replace"), line=1))
    if provisioning_error:
        add(read_records(json.dumps(provisioning_error)))
    if status_message:
        add(read_records(status_message))
    if json_info is not None:
        for _origin, body in json_info.texts:
            add(read_records(body))
    if small_input is None:
        lines = sorted({(e.line, e.raw) for f in findings[:6] for e in f.evidence if e.raw and e.line is not None})
        group: list[tuple[int, str]] = []
        for item in lines + [(-1, "")]:
            if group and item[0] != group[-1][0] + 1:
                add(read_records("\n".join(raw for _, raw in group), line=group[0][0]))
                group = []
            group.append(item)
    return [redacted_record(r) for r in out]


def _text_records(small_input: bytes | None, status_message: str | None, provisioning_error: dict | None,
                  json_info: StatusInfo | None) -> list[ErrorRecord]:
    """The error records of a pasted excerpt and of the status texts (not of a large log)."""
    out: list[ErrorRecord] = []
    if small_input is not None:
        out += read_records(small_input.decode("utf-8", "replace"), line=1)
    if provisioning_error:
        out += read_records(json.dumps(provisioning_error))
    if status_message:
        out += read_records(status_message)
    if json_info is not None:
        for _origin, body in json_info.texts:
            out += read_records(body)
    return out


def _generic_by_message(findings: list[Finding], records: list[ErrorRecord]) -> list[Finding]:
    """A rule that reads an error code counts only as a wrapper when every record of that code
    carries the message the service uses to say that the error is generic (``generic_message``
    in the catalogue), e.g. AIB's 'Internal error occurred. This is a generic error.'"""
    out = []
    for f in findings:
        rule = f.rule
        if rule.generic_message and rule.kind == "specific":
            messages = [r.message for top in records for _d, r in top.walk() if r.code == rule.code]
            if messages and all(re.search(rule.generic_message, m) for m in messages):
                f = Finding(replace(rule, kind="generic", category="unknown", by_phase=(),
                                    priority=min(rule.priority, 12)), f.evidence, f.from_status, f.phase,
                            f.secondary)
        out.append(f)
    return out


def redacted_record(r: ErrorRecord) -> ErrorRecord:
    return ErrorRecord(r.code, redact(r.message), r.shape, target=redact(r.target) if r.target else None,
                       line=r.line, inner=[redacted_record(i) for i in r.inner])


def _collect(scanner: LogScanner, status_scan: LogScanner, json_hits: LogScanner,
             status_phases: dict) -> list[Finding]:
    out = []
    for rid in RULES_BY_ID:
        log_hits: RuleHits | None = scanner.hits.get(rid) or json_hits.hits.get(rid)
        st_hits: RuleHits | None = status_scan.hits.get(rid)
        if not log_hits and not st_hits:
            continue
        rule = RULES_BY_ID[rid]
        log_ev = [e for e in log_hits.evidence() if not _not_evidence(e.raw)] if log_hits else []
        if log_hits and not log_ev and not st_hits:
            continue  # only in a pasted storage error body or a shell trace line
        evidence = (st_hits.evidence() if st_hits else []) + log_ev
        phase = rule.phase
        if phase is None and log_ev and scanner.sections:
            last = log_ev[-1].line
            sec = _section_of(scanner.sections, last)
            if sec is None:
                # Packer's summary after the last section restates the error of that section
                sec = next((s for s in reversed(scanner.sections) if s.start_line <= last), None)
            if rule.by_phase and sec is not None and sec.phase == "cleanup":
                # Packer's summary after its cleanup restates an error of the step before it
                sec = _before_cleanup(scanner.sections, sec)
            phase = sec.phase if sec and not sec.assumed else None
        if phase is None:
            phase = status_phases.get(rid)
        if rule.by_phase and rule.category_in(phase) is None:
            continue  # e.g. "unexpected EOF" after the capture: not a sign of an exhausted VM
        out.append(Finding(rule, evidence, from_status=bool(st_hits) or rid in json_hits.hits, phase=phase))
    return out


#: An element line of an Azure Storage XML error body, on its own (``<Code>…</Code>``,
#: ``<Message>…``). No build tool prints those bare: Packer, AIB and CI prefix the lines they
#: print. A bare storage error is what someone got opening a URL in a browser or with curl
#: (typically the customization.log link), so it says nothing about why the build failed.
_STORAGE_XML_LINE = re.compile(r"\s*<(?:Code|Message|AuthenticationErrorDetail)>")
#: A shell's ``set -x`` trace of a command about to run (``+ echo 'E: Could not get lock'``,
#: ``++ curl ...``) after a Packer/AIB/CI prefix: the command's text, not what it printed.
#: PowerShell's ``+ CategoryInfo`` / ``+ FullyQualifiedErrorId`` record lines are not traces.
_TRACE_LINE = re.compile(r"(?:^|(?:==> |\s{4})[\w.-]+: ?)\++ (?!CategoryInfo|FullyQualifiedErrorId)")


def _not_evidence(raw: str) -> bool:
    """Lines that quote an error without reporting one (see the two patterns above)."""
    return bool(_STORAGE_XML_LINE.match(raw) or _TRACE_LINE.search(raw))


def _derived(scanner: LogScanner, run_state: str | None) -> list[Finding]:
    """Findings from what the log shows as a whole rather than from one line."""
    out = []
    states = scanner.image_states
    if (states.waiting >= 2 and not states.reached_done and states.last not in ("COMPLETE", None)
            and not scanner.success_marker
            and (run_state or "").lower() not in _RUNNING_RUN_STATES | {"succeeded"}):
        for rule in RULES_BY_ID.values():
            if rule.trigger == "sysprep-poll-never-finished":
                ev = [Evidence(states.first_line, f"IMAGE_STATE polling started (line {states.first_line})"),
                      Evidence(states.last_line, f"IMAGE_STATE_{states.last}, {states.waiting} polls in a row, "
                                                 "never IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE")]
                sec = _section_of(scanner.sections, states.last_line)
                out.append(Finding(rule, ev, False, sec.phase if sec else rule.phase))
    return out


def _before_cleanup(sections: list[Section], cleanup: Section) -> Section | None:
    """The last section before ``cleanup`` that is not cleanup itself."""
    before = [s for s in sections if s.start_line < cleanup.start_line and s.phase != "cleanup"]
    return before[-1] if before else None


def _section_of(sections: list[Section], line: int | None) -> Section | None:
    found = None
    for sec in sections:
        if sec.contains(line):
            found = sec  # the innermost/latest section wins
    return found


def _log_lines(f: Finding) -> list[int]:
    return [e.line for e in f.evidence if e.line is not None]


def _failing_section(scanner: LogScanner, findings: list[Finding], nonzero: list[Section],
                     failure: bool) -> Section | None:
    if nonzero:
        return nonzero[-1]
    if not failure:
        return None
    customs = [s for s in scanner.sections if s.provisioner]
    if customs:
        last = customs[-1]
        later = [s for s in scanner.sections if s.kind == "phase" and s.phase == "distribute"
                 and s.start_line > (last.end_line or 0)]
        if not later:
            return last
    context_free = [f for f in findings if not f.rule.context and f.rule.kind != "noise"
                    and f.rule.severity == "error" and _log_lines(f)]
    context_free.sort(key=lambda f: (_KIND_RANK[f.rule.kind], f.rule.priority), reverse=True)
    for f in context_free:
        sec = _section_of(scanner.sections, _log_lines(f)[0])  # where the cause first shows
        if sec is not None:
            return sec
    return None


#: Phases whose start shows that the build got further (cleanup is what a failure leads to).
_PROGRESS_PHASES = ("deploy", "deployment-status", "connect", "customize", "deprovision", "distribute")


def _last_progress_line(scanner: LogScanner) -> int | None:
    """The last line showing that the build went on: a phase or customizer starting, the first
    connection to the VM, or a success line. An error retried before it was not the cause."""
    lines = [s.start_line for s in scanner.sections if s.phase in _PROGRESS_PHASES and s.start_line > 1]
    lines += [n for n in (scanner.first_connect_line, scanner.success_line) if n is not None]
    return max(lines) if lines else None


#: Phases in which a command runs on the build VM (a finding there means the build got that far).
_RUN_PHASES = ("customize", "deprovision")


def _teardown(scanner: LogScanner) -> list[tuple[int, int]]:
    """Line ranges of Packer's cleanup once the image was captured or a step had failed, up to
    Packer's closing summary.

    Packer deletes its temporary resources in each step's cleanup, which cannot fail the build:
    an error printed there (a public IP still attached, a subnet in use, "Will retry", a DELETE
    refused after a customizer failed) is about that deletion, not about the image. What came
    before (the capture, or the step that failed) and Packer's summary after the cleanup
    (``Build 'x' errored after ...: <error>``, which restates the error that stopped the build)
    still count."""
    starts = [s.start_line for s in scanner.sections if s.phase == "distribute"]
    if scanner.failed_line is not None:
        starts.append(scanner.failed_line)
    if not starts:
        return []
    out = []
    for sec in scanner.sections:
        if sec.phase != "cleanup" or sec.start_line <= min(starts):
            continue
        end = sec.end_line if sec.ended and sec.end_line is not None else scanner.lines_read
        if scanner.summary_line is not None and scanner.summary_line > sec.start_line:
            end = min(end, scanner.summary_line - 1)
        out.append((sec.start_line, end))
    return out


#: Contexts that only drop lines that did not stop the build (retried before progress, teardown
#: after the failed step). A rule limited by nothing else is still said as a secondary finding when
#: it was printed in a customizer the build went on after (a full disk in an earlier step).
_SECONDARY_OK_CONTEXTS = frozenset({"not-before-progress", "before-step-failed"})


def _apply_context(findings: list[Finding], failing: Section | None, sections: list[Section],
                   timeout: bool, connected_at: int | None = None, progress_at: int | None = None,
                   failed_at: int | None = None, outside_stop: bool = False,
                   teardown: list[tuple[int, int]] = ()) -> list[Finding]:
    deprov = [s for s in sections if s.phase == "deprovision"]
    # lines inside a customizer that another one followed were not fatal: the build went on
    passed = [s for s in sections if s.followed]
    customizers = [s for s in sections if s.provisioner]
    # a command ran on the build VM: the configuration was accepted, so a check that only happens
    # before anything runs (context "before-run") cannot be what stopped this build
    ran = bool(customizers) or connected_at is not None or any(
        g.rule.phase in _RUN_PHASES and g.rule.kind == "specific" and g.rule.severity == "error"
        and "before-run" not in g.rule.context for g in findings if _log_lines(g))
    out = []
    for f in findings:
        ctx = f.rule.context
        ev = [e for e in f.evidence if not any(s.contains(e.line) for s in passed)
              and not any(e.line is not None and a <= e.line <= b for a, b in teardown)]
        earlier = [e for e in f.evidence if e not in ev]
        if "not-before-connect" in ctx and connected_at is not None:
            # failed attempts while the VM boots are normal once a connection succeeded
            ev = [e for e in ev if e.line is None or e.line > connected_at]
        if progress_at is not None and ("not-before-progress" in ctx
                                        or f.rule.category == "transient_service_error"):
            # a retried error that the build went past (a later phase, customizer or success)
            retried = [e for e in ev if e.line is not None and e.line < progress_at]
            ev = [e for e in ev if e not in retried]
            earlier += retried
        if "before-step-failed" in ctx and failed_at is not None:
            # once Packer has said a step failed, what follows is its teardown, not a cause
            ev = [e for e in ev if e.line is None or e.line <= failed_at]
        if "customizer" in ctx and customizers:  # an excerpt without customizer markers: any line
            ev = [e for e in ev if e.line is None or any(s.contains(e.line) for s in customizers)]
        for c in ctx:
            if c.startswith("provisioner:") and customizers:  # as "customizer": no markers, any line
                name = c.split(":", 1)[1]
                ev = [e for e in ev if any(s.provisioner == name and s.contains(e.line) for s in customizers)]
            elif c.startswith("not-provisioner:"):
                # e.g. what a restart command prints: Packer judges a restart by its exit code and
                # the check command, never by that output
                name = c.split(":", 1)[1]
                ev = [e for e in ev if not any(s.provisioner == name and s.contains(e.line) for s in customizers)]
        if "timeout" in ctx and not timeout:
            continue
        if "no-timeout" in ctx and timeout:
            continue
        if "no-outside-stop" in ctx and outside_stop:
            continue
        if "failing-section" in ctx:
            if failing is None and not customizers and failed_at is not None:
                # an excerpt without customizer markers: the lines before Packer said the step
                # failed stand for the failing customizer
                ev = [e for e in ev if e.line is not None and e.line <= failed_at]
            else:
                ev = [e for e in ev if failing is not None and failing.contains(e.line)]
        if "before-run" in ctx and ran:
            continue
        if "deprovision" in ctx:
            ev = [e for e in ev if any(s.contains(e.line) for s in deprov)]
        if "after-deprovision" in ctx:
            # printed once AIB's or the user's deprovisioning step had started
            ev = [e for e in ev if e.line is not None and any(s.start_line <= e.line for s in deprov)]
        if "not-deprovision" in ctx:
            ev = [e for e in ev if not any(s.contains(e.line) for s in deprov)]
        if ev:
            out.append(Finding(f.rule, ev, f.from_status, f.phase))
        elif earlier and f.rule.kind == "specific" and f.rule.severity == "error" and (
                not ctx or set(ctx) <= _SECONDARY_OK_CONTEXTS):
            # a known problem in a customizer that did not stop the build: said, never the cause
            out.append(Finding(f.rule, earlier, f.from_status, f.phase, secondary=True))
    return out


def _score(f: Finding, failing: Section | None) -> tuple:
    lines = _log_lines(f)
    in_failing = (f.from_status and not lines) or (failing is not None and (
        any(failing.contains(n) for n in lines) or (f.rule.phase or f.phase) == failing.phase))
    return (not f.secondary, _KIND_RANK[f.rule.kind], bool(in_failing), f.rule.priority,
            _SEVERITY_RANK[f.rule.severity], max(lines) if lines else 0)


def _status(scanner: LogScanner, failure: bool, run_state: str | None) -> str:
    state = (run_state or "").lower()
    if failure:
        return "failed"
    if state in ("succeeded",) or scanner.finalized or scanner.success_marker:
        return "succeeded"
    if state in _RUNNING_RUN_STATES or (scanner.provisioners_started and not scanner.finalized):
        return "running"
    if scanner.sections and any(s.phase in ("deploy", "deployment-status", "connect") for s in scanner.sections) \
            and scanner.lines_read and not state:
        return "running" if scanner.provisioners_started or len(scanner.sections) > 1 else "unknown"
    return "unknown"


# ---------------------------------------------------------------------------------------- output
def _number_customizers(sections: list[Section]) -> dict[int, int]:
    """Map id(section) -> index among the user's customizers (AIB's deprovision step excluded)."""
    out, n = {}, 0
    for sec in sections:
        if sec.provisioner and sec.phase != "deprovision":
            out[id(sec)] = n
            n += 1
    return out


def _template_mismatch(sections: list[Section], template: TemplateInfo | None) -> str | None:
    """Why ``template`` cannot be the one the log ran (its customizers differ), or None.

    Only AIB's ``(telemetry)`` sections are one per template customizer; Packer's own lines may
    show several scripts of one customizer, so raw Packer output is not compared.
    """
    if template is None:
        return None
    ran = [s for s in sections if s.provisioner and s.phase != "deprovision" and s.source == "telemetry"]
    if not ran:
        return None
    if len(ran) > len(template.customizers):
        return (f"the log ran {len(ran)} customizers but {template.path} has {len(template.customizers)}: "
                "it is not the template of this build, so no template line is shown")
    for index, sec in enumerate(ran):
        logged = PROVISIONER_TO_TYPE.get(sec.provisioner or "")
        c = template.customizers[index]
        if logged and c.type and logged.lower() != c.type.lower():
            label = f"{c.name!r} " if c.name else ""
            return (f"customizer {index + 1} ran as {logged} in the log but is {label}of type {c.type} in "
                    f"{template.path}: it is not the template of this build, so no template line is shown")
    return None


def _failed_customizer(failing: Section | None, numbers: dict[int, int],
                       template: TemplateInfo | None) -> dict | None:
    if failing is None or id(failing) not in numbers:
        return None
    index = numbers[id(failing)]
    out = {"provisioner": failing.provisioner, "index": index, "name": None,
           "type": PROVISIONER_TO_TYPE.get(failing.provisioner or ""), "file": None, "line": None}
    if template is not None:
        out["file"] = template.path
        if index < len(template.customizers):
            c = template.customizers[index]
            out.update(name=c.name, type=c.type or out["type"], line=c.line)
    return out


def _display_name(sec: Section, numbers: dict[int, int], template: TemplateInfo | None) -> str:
    if template is not None and id(sec) in numbers and numbers[id(sec)] < len(template.customizers):
        name = template.customizers[numbers[id(sec)]].name
        if name:
            return name
    return sec.name


def _section_ref(sec: Section, numbers: dict[int, int], template: TemplateInfo | None) -> dict:
    return {"kind": sec.kind, "name": _display_name(sec, numbers, template), "phase": sec.phase,
            "start_line": sec.start_line, "end_line": sec.end_line, "exit_code": sec.exit_code}


def _timeline(sections: list[Section], failing: Section | None, status: str,
              numbers: dict[int, int], template: TemplateInfo | None) -> list[dict]:
    items = []
    last = sections[-1] if sections else None
    for sec in sections:
        if sec is failing:
            state = "failed"
        elif sec is last and status == "running":
            state = "running"
        else:
            state = "ok"
        duration = (sec.end - sec.start).total_seconds() if sec.start and sec.end else None
        items.append({"kind": sec.kind, "name": _display_name(sec, numbers, template), "phase": sec.phase,
                      "start_line": sec.start_line, "end_line": sec.end_line,
                      "start": iso(sec.start), "end": iso(sec.end),
                      "duration_seconds": duration, "status": state, "exit_code": sec.exit_code})
    if template is not None and status == "failed":
        started = len(numbers)
        for c in template.customizers[started:]:
            items.append({"kind": "customizer", "name": c.name or c.type, "phase": "customize",
                          "start_line": None, "end_line": None, "start": None, "end": None,
                          "duration_seconds": None, "status": "skipped", "exit_code": None})
    return items
