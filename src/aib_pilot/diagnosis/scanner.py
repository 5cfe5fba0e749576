"""Streaming scan of an AIB log: sections (the timeline), rule hits, exit codes, tails.

Speed and memory come from working on big byte buffers with C-level searches, not line by line:

* the log arrives in multi-MB chunks; each buffer is cut at its last newline;
* ``(telemetry)`` markers (one literal regex) split a buffer into segments: *outside* a customizer
  (deploy, connect, cleanup, Packer's summary -- small) and *inside* a customizer (often huge
  script output);
* every rule pattern carries the literals any match must contain (``rules.Pattern``); regions are
  searched for those literals with ``bytes.find`` and only lines with a hit are decoded and matched.
  Outside customizers every literal is searched (for the first ``OUTSIDE_FULL_BYTES``; beyond
  that -- a huge log without telemetry markers -- only error words, plus every rule over the last
  ``TAIL_BYTES`` at the end). Inside a customizer only the first
  ``HEAD_BYTES`` are searched (for the deprovision marker and exit codes); the last ``TAIL_BYTES``
  of the *last* customizer section are searched with every rule once the log ends, because AIB
  stops at the first failing customizer: an earlier section that was followed by another one
  succeeded. The bulk of long script output is therefore never looked at line by line;
* line numbers come from counting ``b"\\n"`` between hits.

State kept between buffers is bounded: the sections (one small record each), at most
``EVIDENCE_PER_RULE`` evidence lines per rule, and the last ``TAIL_BYTES`` of the log.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from aib_pilot.diagnosis import text
from aib_pilot.diagnosis.rules import ALL_PATTERNS, RULES, Pattern, Rule

HEAD_BYTES = 16 * 1024        # start of each customizer section: searched for structure (deprovision, exit)
TAIL_BYTES = 1024 * 1024      # end of the last customizer section: searched with every rule; its tail
TAIL_LINES = 15             # meaningful lines kept as a section's tail
EVIDENCE_PER_RULE = 5       # the first and the last four matching lines are kept
MAX_LINE_BYTES = 8 * 1024 * 1024  # a "line" longer than this is cut (memory bound)
MAX_SECTIONS = 5000
OUTSIDE_FULL_BYTES = 8 * 1024 * 1024  # text outside customizers searched with every rule

TELEMETRY = re.compile(rb"\(telemetry\) (?:Starting provisioner ([\w.-]+)|ending ([\w.-]+)|(Finalizing))")
EXIT_CODE = re.compile(
    rb"(?:exited with code: |non-zero exit status:? ?|(?<![-\w])exit status )(\d+)")
# Exit codes that are not failures: restart in progress, and the 'unknown' marker of a killed session.
_EXIT_IGNORED = {0, 1115, 1190, 2300218}
_EXIT_IGNORED_LINES = (b"packer restart", b"Retryable error", b"windows-update-elevated")
DEPROVISION = re.compile(
    rb"DeprovisioningScript\.(?:ps1|sh)|waagent -force -deprovision|WARNING! The waagent service will be stopped")
# Packer starts cleaning up (or reports the error) while the provisioner's "ending" marker may come
# later or never: such a line ends an unfinished customizer section.
_SECTION_END = re.compile(
    rb"[Dd]eleting individual resources|Removing the created Deployment object|Build '[\w-]+' errored")

# Markers of the phases outside customizers, in the order a build goes through them.
PHASE_ORDER = ("pipeline", "deploy", "deployment-status", "connect", "customize", "deprovision",
               "distribute", "cleanup")
_PHASE_NAMES = {
    "pipeline": "CI pipeline", "deploy": "Deploy build VM", "deployment-status": "Deployment status",
    "connect": "Connect to build VM", "customize": "Customize", "deprovision": "deprovision",
    "distribute": "Capture and distribute", "cleanup": "Cleanup",
}
_PHASE_MARKERS = re.compile(
    rb"(?P<deploy>Deploying deployment template|Creating resource group|Using existing resource group"
    rb"|Validating deployment template|Running builder \.\.\.|Build 'azure-arm' is starting)"
    rb"|(?P<deployment_status>/operationStatuses/|Getting the VM's IP address)"
    rb"|(?P<connect>Waiting for (?:SSH|WinRM)|Connected to SSH!|WinRM connected|Connected to WinRM)"
    rb"|(?P<distribute>Querying the machine's properties|Powering off machine|Capturing image"
    rb"|Generalizing machine|Copying the OS disk|Publishing to Shared Image Gallery)"
    rb"|(?P<cleanup>method=\"DELETE\"|[Dd]eleting individual resources|Removing the created Deployment object"
    rb"|Deleting resource group|Cleanup requested)"
    rb"|(?P<success>Builds finished\. The artifacts of successful builds are|Build '[\w-]+' finished)"
    rb"|(?P<errored>Build '[\w-]+' errored)"
)
# Literals of _PHASE_MARKERS: lines holding one are then matched with the regex (C-speed search).
_MARKER_LITERALS = (
    b"Deploying deployment template", b"Creating resource group", b"Using existing resource group",
    b"Validating deployment template", b"Running builder ...", b"' is starting", b"/operationStatuses/",
    b"Getting the VM's IP address", b"Waiting for SSH", b"Waiting for WinRM", b"Connected to SSH!",
    b"WinRM connected", b"Connected to WinRM", b"Querying the machine's properties", b"Powering off machine",
    b"Capturing image", b"Generalizing machine", b"Copying the OS disk", b"Publishing to Shared Image Gallery",
    b'method="DELETE"', b"eleting individual resources", b"Removing the created Deployment object",
    b"Deleting resource group", b"Cleanup requested", b"Builds finished. The artifacts", b"' finished",
    b"' errored")
_PIPELINE_LINE = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ")
_NOISE_LINE = re.compile(
    rb"RPC (?:client|endpoint|server): |bytes written for '(?:stdout|stderr)'|Azure request method="
    rb"|Azure response |waiting for all plugin processes|Done exporting Packer logs|^\s*$"
    rb"|\[DEBUG\]|(?:PACKER (?:OUT|ERR)|azure-arm:)\s*$|\(telemetry\)|Received request|Opening .* for reading"
    rb"|plugin: \d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[INFO\] (?:starting remote command|RPC)"
)


@dataclass
class Section:
    """One timeline item: an outside phase, a user customizer or AIB's deprovision step."""

    kind: str                       # "phase" | "customizer"
    name: str
    phase: str
    start_line: int
    end_line: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    exit_code: int | None = None
    ended: bool = False             # its end marker was seen (customizers: "(telemetry) ending X")
    provisioner: str | None = None  # Packer provisioner name (customizers)
    ordinal: int = -1               # n-th "Starting provisioner" of the log (customizers)
    followed: bool = False          # another provisioner started after it: it did not fail the build
    tail: list[tuple[int, str]] = field(default_factory=list)
    head_left: int = HEAD_BYTES

    def contains(self, line: int | None) -> bool:
        return line is not None and self.start_line <= line <= (self.end_line or 1 << 62)

    def mark_deprovision(self) -> None:
        self.kind, self.name, self.phase = "phase", "deprovision", "deprovision"


@dataclass
class Evidence:
    line: int | None
    text: str


class RuleHits:
    """The evidence kept for one rule: the first matching line and the last few."""

    __slots__ = ("rule", "first", "last", "count")

    def __init__(self, rule: Rule):
        self.rule = rule
        self.first: Evidence | None = None
        self.last: deque[Evidence] = deque(maxlen=EVIDENCE_PER_RULE - 1)
        self.count = 0

    def add(self, ev: Evidence) -> None:
        if (self.first and self.first.line == ev.line and ev.line is not None) or any(
                e.line == ev.line and e.text == ev.text for e in self.last):
            return
        self.count += 1
        # a line repeated many times (a polling loop) is shown once, at its first occurrence
        if self.first is not None and ev.text == (self.last[-1].text if self.last else self.first.text):
            return
        if self.first is None:
            self.first = ev
        else:
            self.last.append(ev)

    def evidence(self) -> list[Evidence]:
        items = ([self.first] if self.first else []) + list(self.last)
        return sorted(items, key=lambda e: (e.line is None, e.line or 0))


class LogScanner:
    """Feed byte chunks with :meth:`feed`, then call :meth:`finish`; read the attributes."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.hits: dict[str, RuleHits] = {}
        self.lines_read = 0
        self.finalized = False          # "(telemetry) Finalizing." seen
        self.success_marker = False     # Packer said the artifacts were built
        self.errored = False            # Packer said the build errored
        self.provisioners_started = 0
        self.global_tail: list[tuple[int, str]] = []
        self.saw_any_line = False
        self._open: Section | None = None      # customizer section being read
        self._pending: tuple | None = None     # tail window of the last closed customizer section
        self._phase: Section | None = None     # outside phase section being read
        self._phase_name: str | None = None
        self._carry = b""
        self._prev = b""                       # last TAIL_BYTES of processed data, line aligned
        self._prev_first_line = 1
        self._line_base = 0                    # lines before the current buffer
        self._cursor = (0, 0)                  # (position, newline count) inside the current buffer
        self._buf_start = 0                    # where the current buffer's unprocessed lines begin
        self._last_ts: datetime | None = None
        self._first_line_checked = False
        self._outside_budget = OUTSIDE_FULL_BYTES
        self._outside_skipped = False
        self._sections_without_start = True  # the first phase gets the log's first timestamp

    # ------------------------------------------------------------------ input
    def feed(self, chunk: bytes) -> None:
        """Take the next piece of the log. Complete lines are processed in place (no copy of the
        chunk); an incomplete last line waits for the next chunk."""
        if not chunk:
            return
        start = 0
        if self._carry:
            nl = chunk.find(b"\n")
            if nl < 0:
                self._carry += chunk
                if len(self._carry) > MAX_LINE_BYTES:  # pathological line without newline: cut it
                    data, self._carry = self._carry, b""
                    self._process(data, 0, len(data))
                return
            data, self._carry = self._carry + chunk[:nl + 1], b""
            self._process(data, 0, len(data))
            start = nl + 1
        cut = chunk.rfind(b"\n", start) + 1
        if cut <= start:
            self._carry = chunk[start:]
            return
        self._process(chunk, start, cut)
        if cut < len(chunk):
            self._carry = chunk[cut:]

    def finish(self) -> None:
        if self._carry:
            data, self._carry = self._carry + b"\n", b""
            self._process(data, 0, len(data))
        end_line = self.lines_read
        if self._open is not None:
            sec, self._open = self._open, None
            sec.end_line, sec.end = max(sec.start_line, end_line), sec.end or self._last_ts
            self._pending = (self._prev, end_line + 1, sec)
        self._flush_pending()
        if self._outside_skipped:
            self._outside_tail()
        if self._phase is not None:
            self._phase.end_line = max(self._phase.start_line, end_line)
            self._phase.end = self._last_ts or self._phase.start
            self._phase = None
        self.global_tail = self._tail_of(self._prev, self._prev_first_line, 1)

    # ------------------------------------------------------------------ buffers
    def _process(self, buf: bytes, start: int, end: int) -> None:
        """Process the complete lines ``buf[start:end]`` (``start`` is a line start, ``end`` follows
        a newline)."""
        self.saw_any_line = True
        self._cursor = (start, 0)
        self._buf_start = start
        if not self._first_line_checked:
            self._first_line_checked = True
            head = buf[start:start + 65536]
            if _PIPELINE_LINE.match(head.lstrip()[:64]):
                self._start_phase("pipeline", 1, None)
            elif b"PACKER " in head or b"azure-arm" in head or b"(telemetry)" in head:
                self._start_phase("deploy", 1, None)
        if self._sections_without_start and self._phase is not None and self._phase.start is None:
            first = text.first_timestamp(buf[start:start + 65536])
            if first:
                self._phase.start = first
                self._sections_without_start = False
        pos = start
        for m in TELEMETRY.finditer(buf, start, end):
            ls = max(buf.rfind(b"\n", start, m.start()) + 1, start)
            le = buf.find(b"\n", m.end(), end)
            le = end if le < 0 else le + 1
            if ls < pos:  # two markers on one line: the first one already handled it
                continue
            self._segment(buf, pos, ls)
            self._telemetry(buf, m, ls, le)
            pos = le
        self._segment(buf, pos, end)
        cpos, cnt = self._cursor
        nl = cnt + buf.count(b"\n", cpos, end)
        self._line_base += nl
        self.lines_read = self._line_base
        ts = text.last_timestamp(buf, end, window=min(4096, end - start))
        if ts:
            self._last_ts = ts
        # keep the last TAIL_BYTES of the log, starting at a line start
        if end - start < TAIL_BYTES:
            keep = self._prev + buf[start:end]
        else:
            keep = buf[end - TAIL_BYTES - 1:end] if end - TAIL_BYTES - 1 >= start else buf[start:end]
        if len(keep) > TAIL_BYTES:
            cut = keep.find(b"\n", len(keep) - TAIL_BYTES) + 1
            keep = keep[cut:] if cut > 0 else keep[-TAIL_BYTES:]
        self._prev = keep
        self._prev_first_line = self._line_base - keep.count(b"\n") + 1

    def _line_at(self, buf: bytes, pos: int) -> int:
        """1-based line number of the line holding ``buf[pos]`` (positions must not go back)."""
        cpos, cnt = self._cursor
        if pos < cpos:
            cpos, cnt = self._buf_start, 0
        cnt += buf.count(b"\n", cpos, pos)
        self._cursor = (pos, cnt)
        return self._line_base + cnt + 1

    # ------------------------------------------------------------------ telemetry markers
    def _telemetry(self, buf: bytes, m: re.Match[bytes], ls: int, le: int) -> None:
        line_no = self._line_at(buf, ls)
        raw = buf[ls:le]
        ts = text.timestamp(raw) or text.last_timestamp(buf, ls) or self._last_ts
        if ts:
            self._last_ts = ts
        started, ending, finalizing = m.group(1), m.group(2), m.group(3)
        if started:
            name = started.decode("ascii", "replace")
            if self._open is not None:  # no "ending" seen: close it just before this one
                self._close_at(buf, ls, line_no, ended=False)
            self._pending = None  # the previous customizer succeeded: the build went on
            previous = self._last_customizer()
            if previous is not None:
                previous.followed = True
            self._end_phase(line_no - 1, ts)
            if len(self.sections) < MAX_SECTIONS:
                sec = Section(kind="customizer", name=name, phase="customize", start_line=line_no,
                              start=ts, provisioner=name, ordinal=self.provisioners_started)
                self.sections.append(sec)
                self._open = sec
            self.provisioners_started += 1
            self._phase_name = "customize"
        elif ending:
            if self._open is not None and self._open.provisioner == ending.decode("ascii", "replace"):
                self._open.end = ts
                self._close_at(buf, ls, line_no, ended=True)
        elif finalizing:
            self.finalized = True
            if self._open is not None:
                self._close_at(buf, ls, line_no, ended=False)
            self._end_phase(line_no, ts)

    def _close_at(self, buf: bytes, ls: int, line_at_ls: int, *, ended: bool) -> None:
        """Close the open section; ``buf[ls]`` starts line ``line_at_ls`` (its "ending" marker when
        ``ended``, else the first line after the section)."""
        # The window may start inside a (huge) line: that partial line is kept; its number is right.
        start = self._buf_start
        if ls - start >= TAIL_BYTES:
            window = buf[ls - TAIL_BYTES:ls]
        else:
            keep = TAIL_BYTES - (ls - start)
            window = (self._prev[-keep:] if len(self._prev) > keep else self._prev) + buf[start:ls]
        end_line = line_at_ls if ended else line_at_ls - 1
        sec = self._open
        sec.end_line = max(sec.start_line, end_line)
        sec.ended = ended
        if sec.end is None:
            sec.end = self._last_ts
        self._pending = (window, line_at_ls, sec)
        self._open = None

    def _flush_pending(self) -> None:
        """Scan the tail window of the last customizer section with every rule.

        Only the last section of a build can be the one that failed (AIB stops at the first
        failing customizer), so earlier windows are dropped unscanned when the next starts. A
        section without an "ending" marker may run into Packer's cleanup and summary: those lines
        are split off into the cleanup phase here.
        """
        if self._pending is None:
            return
        window, line_at_ls, sec = self._pending
        self._pending = None
        first_line = line_at_ls - window.count(b"\n")
        body_end = line_at_ls - 1
        if not sec.ended:
            m = _SECTION_END.search(window)
            if m:
                ls = window.rfind(b"\n", 0, m.start()) + 1
                split_line = first_line + window.count(b"\n", 0, ls)
                if split_line > sec.start_line:
                    sec.end_line = body_end = split_line - 1
                    self._trailer(window[ls:], split_line)
        self._scan_window(window, first_line, sec, min_line=sec.start_line)
        sec.tail = self._tail_of(window, first_line, sec.start_line + 1, body_end)

    def _outside_tail(self) -> None:
        """Every rule over the end of a log whose text outside customizers was too long to search
        in full (only lines after the last customizer section)."""
        window, first_line = self._prev, self._prev_first_line
        last = self._last_customizer()
        min_line = (last.end_line or 0) + 1 if last is not None else 1
        pos, count = 0, 0
        for ls in sorted(_candidates(window, 0, len(window), _OUTSIDE_SEARCH)):
            count += window.count(b"\n", pos, ls)
            pos = ls
            line_no = first_line + count
            if line_no < min_line:
                continue
            le = window.find(b"\n", ls)
            raw = window[ls:le if le >= 0 else len(window)]
            if _PHASE_MARKERS.search(raw):
                self._marker_line(raw, line_no, text.timestamp(raw) or self._last_ts)
            self._evaluate(raw, line_no)

    def _trailer(self, data: bytes, first_line: int) -> None:
        """Phase markers and Packer's summary in lines that followed an unfinished customizer."""
        pos, count = 0, 0
        for m in _PHASE_MARKERS.finditer(data):
            ls = data.rfind(b"\n", 0, m.start()) + 1
            if ls < pos:
                continue
            count += data.count(b"\n", pos, ls)
            pos = ls
            le = data.find(b"\n", ls)
            raw = data[ls:le if le >= 0 else len(data)]
            self._marker_line(raw, first_line + count, text.timestamp(raw) or text.last_timestamp(data, ls) or self._last_ts)

    # ------------------------------------------------------------------ outside phases
    def _start_phase(self, phase: str, line_no: int, ts: datetime | None) -> None:
        self._phase_name = phase
        if len(self.sections) >= MAX_SECTIONS:
            return
        sec = Section(kind="phase", name=_PHASE_NAMES[phase], phase=phase, start_line=line_no, start=ts)
        self.sections.append(sec)
        self._phase = sec

    def _end_phase(self, line_no: int, ts: datetime | None) -> None:
        if self._phase is not None:
            self._phase.end_line = max(self._phase.start_line, line_no)
            self._phase.end = ts or self._phase.start
            self._phase.ended = True
            self._phase = None

    def _advance_phase(self, phase: str, line_no: int, ts: datetime | None) -> None:
        current = self._phase_name
        if current is not None and current != "pipeline" and (
                PHASE_ORDER.index(phase) <= PHASE_ORDER.index(current)):
            return
        if self._phase is not None and self._phase.start_line == line_no:
            # the phase section opened on this very line (e.g. the first line): rename it
            self._phase.phase, self._phase.name, self._phase_name = phase, _PHASE_NAMES[phase], phase
            return
        self._end_phase(line_no - 1, ts)
        self._start_phase(phase, line_no, ts)

    # ------------------------------------------------------------------ segments
    def _segment(self, buf: bytes, start: int, end: int) -> None:
        if start >= end:
            return
        if self._open is not None:
            self._section_body(buf, start, end, self._open)
        else:
            self._outside(buf, start, end)

    def _outside(self, buf: bytes, start: int, end: int) -> None:
        if self._outside_budget >= end - start:
            self._outside_budget -= end - start
            plan = _OUTSIDE_SEARCH
        else:
            self._outside_budget, self._outside_skipped, plan = 0, True, _OUTSIDE_LITE
        for ls in sorted(_candidates(buf, start, end, plan)):
            le = buf.find(b"\n", ls)
            le = len(buf) if le < 0 else le
            raw = buf[ls:le]
            line_no = self._line_at(buf, ls)
            if _PHASE_MARKERS.search(raw):
                self._marker_line(raw, line_no, text.timestamp(raw) or text.last_timestamp(buf, ls) or self._last_ts)
            self._evaluate(raw, line_no)

    def _marker_line(self, raw: bytes, line_no: int, ts: datetime | None) -> None:
        pm = _PHASE_MARKERS.search(raw)
        if pm:
            kind = pm.lastgroup
            if kind == "success":
                self.success_marker = True
            elif kind == "errored":
                self.errored = True
            else:
                self._advance_phase(kind.replace("_", "-"), line_no, ts)
        if b"xit" in raw and (b"errored" in raw or b"-->" in raw or b"Allowed exit codes" in raw):
            code = _exit_code(raw)
            last = self._last_customizer()
            if code is not None and last is not None and last.exit_code is None:
                last.exit_code = code

    def _last_customizer(self) -> Section | None:
        for sec in reversed(self.sections):
            if sec.provisioner is not None:
                return sec
        return None

    def _section_body(self, buf: bytes, start: int, end: int, sec: Section) -> None:
        starts = set()
        if sec.head_left > 0:
            h_end = min(end, start + sec.head_left)
            sec.head_left -= h_end - start
            starts = _candidates(buf, start, h_end, _HEAD_SEARCH)
        for ls in sorted(starts):
            le = buf.find(b"\n", ls)
            raw = buf[ls:len(buf) if le < 0 else le]
            self._section_line(raw, self._line_at(buf, ls), sec)

    def _section_line(self, raw: bytes, line_no: int, sec: Section) -> None:
        if DEPROVISION.search(raw):
            sec.mark_deprovision()
        code = _exit_code(raw)
        if code is not None:
            sec.exit_code = code
        self._evaluate(raw, line_no)

    def _scan_window(self, window: bytes, first_line: int, sec: Section, *, min_line: int) -> None:
        """The window patterns over a window of complete lines (a section's tail), own line counting."""
        pos, count = 0, 0
        for ls in sorted(_candidates(window, 0, len(window), _OUTSIDE_SEARCH)):
            count += window.count(b"\n", pos, ls)
            pos = ls
            line_no = first_line + count
            if line_no < min_line or line_no == sec.start_line:
                continue
            le = window.find(b"\n", ls)
            raw = window[ls:le if le >= 0 else len(window)]
            self._section_line(raw, line_no, sec)

    # ------------------------------------------------------------------ rules
    def _evaluate(self, raw: bytes, line_no: int | None) -> None:
        low = raw.lower()
        for rule in RULES:
            m = rule.search(raw, low)
            if m:
                hits = self.hits.get(rule.id)
                if hits is None:
                    hits = self.hits[rule.id] = RuleHits(rule)
                hits.add(Evidence(line_no, text.clean(raw, focus=m.start())))

    def add_text(self, message: str, line_no: int | None = None) -> None:
        """Scan text that is not part of the log (a status message, an error envelope)."""
        for raw_line in message.splitlines():
            self._evaluate(raw_line.encode("utf-8", errors="replace"), line_no)

    # ------------------------------------------------------------------ tails
    @staticmethod
    def _tail_of(window: bytes, first_line: int, min_line: int,
                 last_line: int | None = None) -> list[tuple[int, str]]:
        """The last meaningful lines of ``window`` (RPC and byte-count chatter skipped)."""
        lines = window.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        out: list[tuple[int, str]] = []
        for idx in range(len(lines) - 1, -1, -1):
            line_no = first_line + idx
            if line_no < min_line:
                break
            if last_line is not None and line_no > last_line:
                continue
            raw = lines[idx]
            if _NOISE_LINE.search(raw[:2048]):
                continue
            cleaned = text.clean(raw)
            if not cleaned.strip() or cleaned.strip() in ("==> azure-arm:", "azure-arm:"):
                continue
            out.append((line_no, cleaned))
            if len(out) >= TAIL_LINES:
                break
        out.reverse()
        return out


@dataclass(frozen=True)
class _Search:
    """What to look for in a buffer region: literals (exact and lower-cased) and bare regexes."""

    exact: tuple[bytes, ...]
    folded: tuple[bytes, ...]
    regexes: tuple[re.Pattern[bytes], ...]


def _search_plan(patterns: tuple[Pattern, ...], extra: tuple[bytes, ...]) -> _Search:
    exact, folded, regexes = set(extra), set(), []
    for p in patterns:
        if p.literals is None:
            regexes.append(p.rx)
        else:
            (folded if p.icase else exact).update(p.literals)
    # a literal that contains another one is found through the shorter one
    exact = {e for e in exact if not any(o != e and o in e for o in exact)}
    folded = {f for f in folded if not any(o != f and o in f for o in folded)}
    return _Search(tuple(sorted(exact)), tuple(sorted(folded)), tuple(regexes))


_STRUCTURE_LITERALS = (b"exited with code: ", b"exit status", b"DeprovisioningScript.",
                       b"waagent -force -deprovision", b"WARNING! The waagent service")
_HEAD_SEARCH = _search_plan((), _STRUCTURE_LITERALS)
_OUTSIDE_SEARCH = _search_plan(ALL_PATTERNS, _STRUCTURE_LITERALS + _MARKER_LITERALS)
# After OUTSIDE_FULL_BYTES of text outside customizers (a huge log without "(telemetry)" markers,
# e.g. a CI log), only error words and the end-of-build markers are searched; the last TAIL_BYTES
# of the log get the full search at the end.
_OUTSIDE_LITE = _search_plan((), (b"rror", b"RROR", b"ail", b"xit", b"##[", b"::error", b"anic",
                                  b"eleting individual resources", b"' errored", b"' finished",
                                  b"Builds finished. The artifacts"))


def _candidates(buf: bytes, start: int, end: int, plan: _Search) -> set[int]:
    """Start offsets of the lines in ``buf[start:end]`` that contain something of ``plan``."""
    starts: set[int] = set()

    def scan(hay: bytes, needle: bytes, offset: int) -> None:
        i = hay.find(needle)
        while i >= 0:
            ls = buf.rfind(b"\n", 0, i + offset) + 1
            starts.add(ls)
            le = hay.find(b"\n", i)
            if le < 0:
                return
            i = hay.find(needle, le)

    seg = buf[start:end] if (start or end != len(buf)) else buf
    for lit in plan.exact:
        scan(seg, lit, start)
    if plan.folded:
        low = seg.lower()
        for lit in plan.folded:
            scan(low, lit, start)
    for rx in plan.regexes:
        for m in rx.finditer(buf, start, end):
            starts.add(buf.rfind(b"\n", 0, m.start()) + 1)
    return starts


def _exit_code(raw: bytes) -> int | None:
    if b"xit" not in raw:
        return None
    if any(s in raw for s in _EXIT_IGNORED_LINES):
        return None
    code = None
    for m in EXIT_CODE.finditer(raw):
        value = int(m.group(1))
        if value not in _EXIT_IGNORED:
            code = value
    return code
