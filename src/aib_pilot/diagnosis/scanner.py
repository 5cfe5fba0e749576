"""Streaming scan of an AIB or Packer log: sections (the timeline), rule hits, exit codes, tails.

Every byte is read. Speed and memory come from working on big byte buffers with a multi-pattern
search (``multimatch``: Hyperscan when installed, else ``bytes.find`` on each pattern's literals),
not line by line:

* the log arrives in multi-MB chunks; each buffer is cut at its last newline;
* ``(telemetry)`` markers (AIB's customization.log) split a buffer into segments *outside* and
  *inside* a customizer. Raw Packer output has no such markers: there a customizer section starts
  at Packer's own provisioner lines (``Provisioning with shell script: …``, ``Restarting
  Machine``, ``Running Windows update...``, ``Uploading a => b``) and ends at the next one or at
  the capture / cleanup lines;
* one search over each buffer finds every line that may match a rule or a structure marker;
  only those lines are decoded and matched with the rules' regular expressions;
* line numbers come from counting ``b"\\n"`` between hits (``multimatch.count_newlines``).

State kept between buffers is bounded: the sections (one small record each, at most
``MAX_SECTIONS``), at most ``EVIDENCE_PER_RULE`` evidence lines per rule, the last ``TAIL_BYTES``
of the log, and counters. A region with more than ``multimatch.FLOOD`` candidate lines (every line
an error word) keeps its first and last ones and, in between, the first line per slice of each
specific cause's pattern (``FOCUS_NEEDLES``), so time stays linear whatever the log says and a
cause printed in the middle of the flood is still found.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from aib_pilot.diagnosis import text
from aib_pilot.diagnosis.multimatch import Finder, Needle, count_newlines, hyperscan_available
from aib_pilot.diagnosis.rules import ALL_PATTERNS, RULES, Pattern, Rule, literals_of, load_literals

TAIL_BYTES = 1024 * 1024      # the end of the log, kept for its tail
SECTION_TAIL_BYTES = 16 * 1024  # the end of each customizer section, kept for its tail (15 lines)
TAIL_LINES = 15             # meaningful lines kept as a section's tail
EVIDENCE_PER_RULE = 5       # the first and the last four matching lines are kept
MAX_LINE_BYTES = 8 * 1024 * 1024  # a "line" longer than this is cut (memory bound)
MAX_SECTIONS = 1000
RAW_KEEP = 8 * 1024          # bytes of an evidence line kept as printed, for reading error records

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
    rb"[Dd]eleting individual resources|Removing the created Deployment object|Build '[\w.-]+' errored")

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
    rb"|Validating deployment template|Running builder \.\.\.|Build '[\w.-]+' is starting)"
    rb"|(?P<deployment_status>/operationStatuses/|Getting the VM's IP address)"
    rb"|(?P<connect>Waiting for (?:SSH|WinRM)|Connected to SSH!|WinRM connected|Connected to WinRM)"
    rb"|(?P<distribute>Querying the machine's properties|Powering off machine|Capturing image"
    rb"|Generalizing machine|Copying the OS disk|Publishing to Shared Image Gallery)"
    rb"|(?P<cleanup>method=\"DELETE\"|[Dd]eleting individual resources|Removing the created Deployment object"
    rb"|Deleting resource group|Cleanup requested"
    rb"|Deleting Virtual Machine deployment and its attached resources|Adding to deletion queue ->)"
    rb"|(?P<success>Builds finished\. The artifacts of successful builds are|Build '[\w.-]+' finished"
    rb"|[Rr]un template: \s*Succeeded)"
    rb"|(?P<errored>Build '[\w.-]+' errored|Some builds didn't complete successfully|Provisioning step had errors)"
    rb"|(?P<step_failed>Step \"Step[A-Za-z]+\" failed)"
)
# Packer's own provisioner lines: where a customizer starts in raw Packer output (no telemetry).
_PACKER_STEP = re.compile(
    rb"Provisioning with (?P<shell>shell script|shell\b|Shell)"
    rb"|Provisioning with (?P<powershell>Powershell|powershell script|PowerShell)"
    rb"|(?P<restart>Restarting Machine|Provisioning with windows-restart)"
    rb"|(?P<update>Uploading the Windows update elevated script|Running Windows update\.\.\.|Provisioning with windows-update)"
    rb"|(?P<file>Uploading .{1,400} => )"
    rb"|(?P<ansible>Provisioning with Ansible|Provisioning with ansible)"
)
_PACKER_PROVISIONER = {"shell": "shell", "powershell": "powershell", "restart": "windows-restart",
                       "update": "windows-update", "file": "file", "ansible": "ansible"}
# A Windows image's sysprep state, polled by the generalize step.
IMAGE_STATE = re.compile(rb"\bIMAGE_STATE_([A-Z_]+)")
_IMAGE_STATE_DONE = (b"GENERALIZE_RESEAL_TO_OOBE",)
_STRUCTURE = (TELEMETRY, EXIT_CODE, DEPROVISION, _SECTION_END, _PHASE_MARKERS, _PACKER_STEP, IMAGE_STATE)
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
    followed: bool = False          # another provisioner started after it: it did not fail the build
    source: str = "telemetry"       # customizers: "telemetry" (AIB's markers) or "packer" (its own lines)
    assumed: bool = False           # a phase guessed from the first line, not shown by a marker
    tail: list[tuple[int, str]] = field(default_factory=list)

    def contains(self, line: int | None) -> bool:
        return line is not None and self.start_line <= line <= (self.end_line or 1 << 62)

    def mark_deprovision(self) -> None:
        self.kind, self.name, self.phase = "phase", "deprovision", "deprovision"


@dataclass
class Evidence:
    line: int | None
    text: str
    raw: str = field(default="", compare=False, repr=False)  # the line as printed (first 8 KB)


class RuleHits:
    """The evidence kept for one rule: the first matching line and the last few.

    Lines are kept as printed (at most ``RAW_KEEP`` bytes) and made readable only when asked
    for: a log that repeats a matching line a million times costs a comparison per line.
    """

    __slots__ = ("rule", "first", "last", "count")

    def __init__(self, rule: Rule):
        self.rule = rule
        self.first: tuple[int | None, bytes, int] | None = None   # (line, raw, match offset)
        self.last: deque[tuple[int | None, bytes, int]] = deque(maxlen=EVIDENCE_PER_RULE - 1)
        self.count = 0

    def add(self, line: int | None, raw: bytes, focus: int = 0) -> None:
        if (self.first and self.first[0] == line and line is not None) or any(
                e[0] == line and e[1] == raw for e in self.last):
            return
        self.count += 1
        # a line repeated many times (a polling loop) is shown once, at its first occurrence
        if self.first is not None and raw == (self.last[-1][1] if self.last else self.first[1]):
            return
        if self.first is None:
            self.first = (line, raw, focus)
        else:
            self.last.append((line, raw, focus))

    def evidence(self) -> list[Evidence]:
        items = ([self.first] if self.first else []) + list(self.last)
        items.sort(key=lambda e: (e[0] is None, e[0] or 0))
        return [Evidence(line, text.clean(raw, focus=focus), text.decode(raw)) for line, raw, focus in items]


@dataclass
class ImageStates:
    """The sysprep state polling of a Windows build (``IMAGE_STATE_*`` lines)."""

    count: int = 0                  # lines seen
    waiting: int = 0                # lines after the last change of state
    last: str | None = None
    last_line: int | None = None
    first_line: int | None = None
    reached_done: bool = False      # IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE was reached


#: the rule each search needle belongs to (None: a structure marker); needles are the rules'
#: patterns in catalogue order, then ``_STRUCTURE``
NEEDLE_RULE: list[Rule | None] = [r for r in RULES for _ in r.compiled] + [None] * len(_STRUCTURE)
NEEDLE_PATTERN: list[Pattern | None] = [p for r in RULES for p in r.compiled] + [None] * len(_STRUCTURE)
TELEMETRY_NEEDLE = len(ALL_PATTERNS) + _STRUCTURE.index(TELEMETRY)
_STRUCTURE_NEEDLE = {rx.pattern: len(ALL_PATTERNS) + i for i, rx in enumerate(_STRUCTURE)}
#: the needles still searched in the middle of a flooded region: the specific causes' patterns,
#: which a flood of generic error words does not match
FOCUS_NEEDLES = tuple(i for i, r in enumerate(NEEDLE_RULE) if r is not None and r.kind == "specific")
MAX_MARKERS_IN_FLOOD = 256  # telemetry markers still read from a flooded region's middle
SWITCH_BYTES = 4 * 1024 * 1024  # past this much log, Hyperscan's compile time pays for itself
_FINDERS: dict[str, Finder] = {}


def finder(engine: str = "hyperscan") -> Finder:
    """The one search over rule patterns and structure markers (built on first use, shared:
    a compiled, read-only search database)."""
    if engine not in _FINDERS:
        if engine == "python":  # it needs every pattern's literals at once: cached on disk
            load_literals([p.source for p in ALL_PATTERNS] + [rx.pattern.decode() for rx in _STRUCTURE])
        needles = [Needle(p.regex, lambda p=p: (p.literals, p.icase)) for p in ALL_PATTERNS]
        for rx in _STRUCTURE:
            needles.append(Needle(rx.pattern, lambda rx=rx: (_structure_literals(rx), False)))
        _FINDERS[engine] = Finder(needles, engine, focus=FOCUS_NEEDLES)
    return _FINDERS[engine]


def _structure_literals(rx: re.Pattern[bytes]) -> tuple[bytes, ...] | None:
    return literals_of(rx.pattern.decode())[0]


class LogScanner:
    """Feed byte chunks with :meth:`feed`, then call :meth:`finish`; read the attributes."""

    def __init__(self, expected_bytes: int | None = None) -> None:
        """``expected_bytes``: the log's size when known (a file), to pick the engine at once."""
        self.sections: list[Section] = []
        self.hits: dict[str, RuleHits] = {}
        self.lines_read = 0
        self.finalized = False          # "(telemetry) Finalizing." seen
        self.success_marker = False     # Packer said the artifacts were built
        self.success_line: int | None = None   # the line that said so (the last one)
        self.errored = False            # Packer said the build errored
        self.failed_line: int | None = None    # the first line where Packer said a step failed
        self.summary_line: int | None = None   # Packer's closing summary: "Build 'x' errored ..."
        self.provisioners_started = 0
        self.global_tail: list[tuple[int, str]] = []
        self.saw_any_line = False
        self.telemetry = False          # AIB's "(telemetry)" markers seen: they delimit customizers
        self.first_connect_line: int | None = None
        self.image_states = ImageStates()
        self._open: Section | None = None      # customizer section being read
        self._phase: Section | None = None     # outside phase section being read
        self._phase_name: str | None = None
        self._carry = b""
        self._prev = b""                       # last TAIL_BYTES of processed data, line aligned
        self._prev_end_line = 0
        self._line_base = 0                    # lines before the current buffer
        self._cursor = (0, 0)                  # (position, newline count) inside the current buffer
        self._buf_start = 0                    # where the current buffer's unprocessed lines begin
        self._last_ts: datetime | None = None
        self._first_line_checked = False
        self._sections_without_start = True  # the first phase gets the log's first timestamp
        big = expected_bytes is not None and expected_bytes > SWITCH_BYTES
        forced = os.environ.get("AIB_PILOT_ENGINE", "").lower() == "hyperscan"
        self._engine = "hyperscan" if (big or forced) and hyperscan_available() else "python"
        self._search: Finder | None = None      # built on the first log bytes (status texts need none)
        self._bytes = 0
        self._skipped_lines = 0
        self._ids: set[int] | None = None       # the needles the search found on the current line

    @property
    def _finder(self) -> Finder:
        if self._search is None:
            self._search = finder(self._engine)
        return self._search

    @property
    def skipped_lines(self) -> int:
        """Lines in the middle of flooded regions, searched for the specific causes only (see
        ``multimatch.FLOOD``)."""
        return self._skipped_lines

    @property
    def engine(self) -> str:
        """The search engine that read the end of the log."""
        return self._search.engine if self._search else self._engine

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
                    data, self._carry = self._carry + b"\n", b""
                    self._process(data, 0, len(data))
                return
            data, self._carry = self._carry + chunk[:nl + 1], b""
            self._process(data, 0, len(data))
            start = nl + 1
        cut = chunk.rfind(b"\n", start) + 1
        if cut <= start:
            self._carry = chunk[start:]
            if len(self._carry) > MAX_LINE_BYTES:
                data, self._carry = self._carry + b"\n", b""
                self._process(data, 0, len(data))
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
            self._finish_section(self._prev, end_line + 1, sec)
        if self._phase is not None:
            self._phase.end_line = max(self._phase.start_line, end_line)
            self._phase.end = self._last_ts or self._phase.start
            self._phase = None
        self.global_tail = self._tail_of(self._prev, self._prev_end_line - self._prev.count(b"\n") + 1, 1)

    # ------------------------------------------------------------------ buffers
    def _process(self, buf: bytes, start: int, end: int) -> None:
        """Process the complete lines ``buf[start:end]`` (``start`` is a line start, ``end`` follows
        a newline)."""
        self.saw_any_line = True
        self._bytes += end - start
        if self._bytes > SWITCH_BYTES and self._finder.engine == "python" and hyperscan_available():
            self._search = finder("hyperscan")
        self._cursor = (start, 0)
        self._buf_start = start
        if not self._first_line_checked:
            self._first_line_checked = True
            head = buf[start:start + 65536]
            if _PIPELINE_LINE.match(head.lstrip()[:64]):
                self._start_phase("pipeline", 1, None)
            elif b"PACKER " in head or b"azure-arm" in head or b"(telemetry)" in head:
                self._start_phase("deploy", 1, None)
                if self._phase is not None:
                    self._phase.assumed = True
        if self._sections_without_start and self._phase is not None and self._phase.start is None:
            first = text.first_timestamp(buf[start:start + 65536])
            if first:
                self._phase.start = first
                self._sections_without_start = False
        # one search gives every line of interest, telemetry markers included, in order
        result = self._finder.candidates(buf, start, end)
        found = result.lines
        if result.flooded is not None:
            # section boundaries are never skipped: read (a bounded number of) markers there too
            self._skipped_lines += result.skipped_lines
            lo, hi = result.flooded
            for n, m in enumerate(TELEMETRY.finditer(buf, lo, hi)):
                if n >= MAX_MARKERS_IN_FLOOD:
                    break
                found.setdefault(buf.rfind(b"\n", lo, m.start()) + 1 or lo, set()).add(TELEMETRY_NEEDLE)
        for ls in sorted(found):
            self._ids = found[ls]
            le = buf.find(b"\n", ls, end)
            le = end if le < 0 else le
            raw = buf[ls:le]
            marker = TELEMETRY.search(raw) if b"(telemetry) " in raw else None
            if marker is not None:
                self._telemetry(buf, marker, ls, le + 1 if le < end else end)
                continue
            line_no = self._line_at(buf, ls)
            if self._open is not None:
                self._section_line(buf, ls, raw, line_no, self._open)
            else:
                self._outside_line(buf, ls, raw, line_no)
        cpos, cnt = self._cursor
        nl = cnt + count_newlines(buf, cpos, end)
        self._line_base += nl
        self.lines_read = self._line_base
        ts = text.last_timestamp(buf, end, window=min(4096, end - start))
        if ts:
            self._last_ts = ts
        # keep the last TAIL_BYTES of the log, starting at a line start (a copy: no chunk of the log
        # stays referenced once it is processed)
        if end - start < TAIL_BYTES:
            self._prev = _line_aligned_tail(self._prev + buf[start:end])
        else:
            self._prev = _line_aligned_tail(
                buf[end - TAIL_BYTES - 1:end] if end - TAIL_BYTES - 1 >= start else buf[start:end])
        self._prev_end_line = self._line_base  # the line number of the kept tail's last line

    def _line_at(self, buf: bytes, pos: int) -> int:
        """1-based line number of the line holding ``buf[pos]`` (positions must not go back)."""
        cpos, cnt = self._cursor
        if pos < cpos:
            cpos, cnt = self._buf_start, 0
        cnt += count_newlines(buf, cpos, pos)
        self._cursor = (pos, cnt)
        return self._line_base + cnt + 1

    # ------------------------------------------------------------------ customizer sections
    def _open_customizer(self, name: str, provisioner: str, line_no: int, ts: datetime | None,
                         source: str) -> None:
        previous = self._last_customizer()
        if previous is not None:
            previous.followed = True
        self._end_phase(line_no - 1, ts)
        if len(self.sections) < MAX_SECTIONS:
            sec = Section(kind="customizer", name=name, phase="customize", start_line=line_no,
                          start=ts, provisioner=provisioner, source=source)
            self.sections.append(sec)
            self._open = sec
        self.provisioners_started += 1
        self._phase_name = "customize"

    def _telemetry(self, buf: bytes, m: re.Match[bytes], ls: int, le: int) -> None:
        """A ``(telemetry)`` marker line (``m`` matched in it), ``buf[ls:le]``."""
        self.telemetry = True
        if len(self.sections) >= MAX_SECTIONS and not m.group(3):
            return  # no room for more sections (a log full of fake markers): only the end counts
        line_no = self._line_at(buf, ls)
        raw = buf[ls:le]
        ts = text.timestamp(raw) or text.last_timestamp(buf, ls) or self._last_ts
        if ts:
            self._last_ts = ts
        self.telemetry = True
        started, ending, finalizing = m.group(1), m.group(2), m.group(3)
        if started:
            name = started.decode("ascii", "replace")
            if self._open is not None:  # no "ending" seen: close it just before this one
                self._close_at(buf, ls, line_no, ended=False)
            self._open_customizer(name, name, line_no, ts, "telemetry")
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
        start = self._buf_start
        if ls - start >= SECTION_TAIL_BYTES:
            window = buf[ls - SECTION_TAIL_BYTES:ls]
        else:
            keep = SECTION_TAIL_BYTES - (ls - start)
            window = (self._prev[-keep:] if len(self._prev) > keep else self._prev) + buf[start:ls]
        end_line = line_at_ls if ended else line_at_ls - 1
        sec = self._open
        sec.end_line = max(sec.start_line, end_line)
        sec.ended = ended
        if sec.end is None:
            sec.end = self._last_ts
        self._open = None
        self._finish_section(window, line_at_ls, sec)

    def _finish_section(self, window: bytes, line_at_ls: int, sec: Section) -> None:
        """Keep a closed section's tail. A section without an end marker may run into Packer's
        cleanup and summary: those lines are split off into the cleanup phase here."""
        first_line = line_at_ls - window.count(b"\n")
        body_end = line_at_ls - 1
        if not sec.ended and sec.source == "telemetry":
            m = _SECTION_END.search(window)
            if m:
                ls = window.rfind(b"\n", 0, m.start()) + 1
                split_line = first_line + window.count(b"\n", 0, ls)
                if split_line > sec.start_line:
                    sec.end_line = body_end = split_line - 1
                    self._trailer(window[ls:], split_line)
        sec.tail = self._tail_of(window, first_line, sec.start_line + 1, body_end)

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
        if phase == current and self._phase is not None:
            self._phase.assumed = False  # a marker confirms the guessed phase
        if current is not None and current != "pipeline" and (
                PHASE_ORDER.index(phase) <= PHASE_ORDER.index(current)):
            return
        if self._phase is not None and self._phase.start_line == line_no:
            # the phase section opened on this very line (e.g. the first line): rename it
            self._phase.phase, self._phase.name, self._phase_name = phase, _PHASE_NAMES[phase], phase
            self._phase.assumed = False
            return
        self._end_phase(line_no - 1, ts)
        self._start_phase(phase, line_no, ts)

    # ------------------------------------------------------------------ segments
    def _outside_line(self, buf: bytes, ls: int, raw: bytes, line_no: int) -> None:
        if not self.telemetry and self._may(_PACKER_STEP):
            step = _PACKER_STEP.search(raw)
            if step is not None:
                self._packer_step(step, raw, line_no, buf, ls)
                self._evaluate(raw, line_no)
                return
        if self._may(_PHASE_MARKERS) and _PHASE_MARKERS.search(raw):
            self._marker_line(raw, line_no, text.timestamp(raw) or text.last_timestamp(buf, ls) or self._last_ts)
        self._image_state(raw, line_no)
        self._evaluate(raw, line_no)

    def _packer_step(self, step: re.Match[bytes], raw: bytes, line_no: int, buf: bytes, ls: int) -> None:
        """A Packer provisioner line (raw Packer output): open a customizer section, or continue
        the open one when it is the same provisioner's next message."""
        kind = step.lastgroup
        provisioner = _PACKER_PROVISIONER[kind]
        sec = self._open
        ts = text.timestamp(raw) or text.last_timestamp(buf, ls) or self._last_ts
        if sec is not None and sec.source == "packer" and sec.provisioner == provisioner and (
                kind in ("update", "restart")
                or (kind == "powershell" and sec.name == "powershell" and b"script" in step.group(0))):
            if kind == "powershell":
                sec.name = "powershell: " + _step_target(raw, step)
            return
        if sec is not None:
            self._close_at(buf, ls, line_no, ended=False)
        name = provisioner
        target = _step_target(raw, step)
        if target and kind in ("shell", "powershell", "file"):
            name = f"{provisioner}: {target}"
        self._open_customizer(name, provisioner, line_no, ts, "packer")

    def _marker_line(self, raw: bytes, line_no: int, ts: datetime | None) -> None:
        pm = _PHASE_MARKERS.search(raw)
        if pm:
            kind = pm.lastgroup
            if kind == "success":
                self.success_marker = True
                self.success_line = line_no
            elif kind in ("errored", "step_failed"):
                self.errored = self.errored or kind == "errored"
                if self.failed_line is None:
                    self.failed_line = line_no
                if self.summary_line is None and kind == "errored" and b"Provisioning step" not in raw:
                    self.summary_line = line_no
            else:
                phase = kind.replace("_", "-")
                if phase == "connect" and self.first_connect_line is None and (
                        b"Connected to" in raw or b"WinRM connected" in raw):
                    self.first_connect_line = line_no
                self._advance_phase(phase, line_no, ts)
        if b"xit" in raw and (b"errored" in raw or b"-->" in raw or b"Allowed exit codes" in raw):
            code = _exit_code(raw)
            last = self._last_customizer()
            if code is not None and last is not None and last.exit_code is None:
                last.exit_code = code

    def _image_state(self, raw: bytes, line_no: int) -> None:
        m = IMAGE_STATE.search(raw) if self._may(IMAGE_STATE) else None
        if m is None:
            return
        st = self.image_states
        state = m.group(1).decode("ascii")
        st.count += 1
        st.first_line = st.first_line or line_no
        st.waiting = st.waiting + 1 if state == st.last else 1
        st.last, st.last_line = state, line_no
        if m.group(1) in _IMAGE_STATE_DONE:
            st.reached_done = True

    def _last_customizer(self) -> Section | None:
        for sec in reversed(self.sections):
            if sec.provisioner is not None:
                return sec
        return None

    def _section_line(self, buf: bytes, ls: int, raw: bytes, line_no: int, sec: Section) -> None:
        if self.failed_line is None and self._may(_PHASE_MARKERS):
            pm = _PHASE_MARKERS.search(raw)
            if pm is not None and pm.lastgroup in ("errored", "step_failed"):
                self.failed_line = line_no  # a provisioner failed: what follows is its aftermath
        if sec.source == "packer":
            step = _PACKER_STEP.search(raw) if self._may(_PACKER_STEP) else None
            if step is not None:
                self._packer_step(step, raw, line_no, buf, ls)
                self._evaluate(raw, line_no)
                return
            pm = _PHASE_MARKERS.search(raw) if self._may(_PHASE_MARKERS) else None
            if pm is not None and pm.lastgroup in ("distribute", "cleanup", "errored", "success"):
                # Packer moved on to capture, cleanup or its summary: the provisioner is over
                self._close_at(buf, ls, line_no, ended=False)
                self._outside_line(buf, ls, raw, line_no)
                return
        if self._may(DEPROVISION) and DEPROVISION.search(raw):
            sec.mark_deprovision()
        code = _exit_code(raw)
        if code is not None:
            sec.exit_code = code
        self._image_state(raw, line_no)
        self._evaluate(raw, line_no)

    # ------------------------------------------------------------------ rules
    def _may(self, rx: re.Pattern[bytes]) -> bool:
        """Whether the search found structure marker ``rx`` on the current line (the exact regex
        is run only then: some are long alternations, slow on a megabyte line)."""
        return self._ids is None or _STRUCTURE_NEEDLE[rx.pattern] in self._ids

    def _evaluate(self, raw: bytes, line_no: int | None) -> None:
        """Match the rules the search named for this line (every rule for text that was not
        searched, e.g. a status message)."""
        ids = self._ids
        low = raw.lower()
        if ids is None:
            matches = ((rule, rule.search(raw, low)) for rule in RULES)
        else:  # only the patterns the search named: one regex per hit, not one per rule
            matches = ((NEEDLE_RULE[i], NEEDLE_PATTERN[i].search(raw, low)) for i in ids
                       if NEEDLE_PATTERN[i] is not None)
        for rule, m in matches:
            if m:
                hits = self.hits.get(rule.id)
                if hits is None:
                    hits = self.hits[rule.id] = RuleHits(rule)
                start = max(0, m.start() - RAW_KEEP // 2) if len(raw) > RAW_KEEP else 0
                hits.add(line_no, raw[start:start + RAW_KEEP], m.start() - start)

    def add_text(self, message: str, line_no: int | None = None) -> None:
        """Scan text that is not part of the log (a status message, an error envelope)."""
        self._ids = None
        for raw_line in message.splitlines():
            self._evaluate(raw_line.encode("utf-8", errors="replace"), line_no)

    def add_unwrapped(self, data: bytes) -> int:
        """Match the rules again on the logical lines of a pasted excerpt that a viewer or a
        terminal cut at a fixed width (see :func:`wrapped_lines`): a cause split over two
        physical lines is found on their join, with the line number of its first part. Returns
        how many logical lines were rebuilt."""
        groups = wrapped_lines(data)
        self._ids = None
        for first_line, joined in groups:
            self._evaluate(joined, first_line)
        return len(groups)

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


def _line_aligned_tail(keep: bytes) -> bytes:
    """``keep`` cut to its last ``TAIL_BYTES``, from the first line start among them (the last
    ``TAIL_BYTES`` as they are when no line starts there)."""
    if len(keep) > TAIL_BYTES:
        cut = keep.find(b"\n", len(keep) - TAIL_BYTES) + 1
        keep = keep[cut:] if cut > 0 else keep[-TAIL_BYTES:]
    return keep


def _step_target(raw: bytes, step: re.Match[bytes]) -> str:
    """What a Packer provisioner line names: the script path or the uploaded file."""
    rest = raw[step.end():].strip(b" :.\r")
    if step.lastgroup == "file":
        rest = raw[step.start() + len(b"Uploading "):step.end() - 4]
    return text.decode(rest[:200]).strip()


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


#: the narrowest width taken for a hard wrap (narrower lines are ordinary short lines)
MIN_WRAP_WIDTH = 60
#: widths terminals and log viewers wrap at
COMMON_WIDTHS = (80, 100, 120, 132, 160, 200)


def wrapped_lines(data: bytes) -> list[tuple[int, bytes]]:
    """The logical lines of a text hard-wrapped at a fixed width, as (first line number, joined
    bytes), for the lines that were cut only.

    A hard wrap leaves a signature no natural log has: no line is longer than some width W, and
    at least two different lines are exactly W long (a cut line is always full). A single full
    line (or one line repeated, as a polling loop prints it) counts only when W is a usual
    terminal width and the cut falls inside a word. Each line of length W is joined with the
    line after it (and on, while those are full too). A log without that signature yields
    nothing.
    """
    lines = [line[:-1] if line.endswith(b"\r") else line for line in data.split(b"\n")]
    if len(lines) < 2:
        return []
    width = max(len(line) for line in lines)
    full = [i for i, line in enumerate(lines) if len(line) == width]
    if width < MIN_WRAP_WIDTH or not full:
        return []
    if len({lines[i] for i in full}) == 1:
        i = full[0]
        nxt = lines[i + 1] if i + 1 < len(lines) else b""
        if width not in COMMON_WIDTHS or not (lines[i][-1:].isalnum() and nxt[:1].isalnum()):
            return []
    out: list[tuple[int, bytes]] = []
    i = 0
    while i < len(lines):
        if len(lines[i]) == width and i + 1 < len(lines):
            start, parts = i, [lines[i]]
            while len(lines[i]) == width and i + 1 < len(lines):
                i += 1
                parts.append(lines[i])
            out.append((start + 1, b"".join(parts)))
        i += 1
    return out
