"""Find, in a large buffer of log lines, the lines that may match any of many patterns.

Two engines give the same answer:

* **Hyperscan** (the ``hyperscan`` package, when its wheel is installed): every pattern is
  compiled into one database in prefilter mode (so look-arounds are approximated, never missed)
  and the buffer is scanned once, at memory speed, whatever the number of patterns;
* **pure Python**, the fallback: the literals every match must contain (``literals``) are looked
  up with ``bytes.find`` (C speed), patterns without such literals with their regex.

Both return the start offsets of candidate lines; the caller checks each candidate line with the
patterns' own regular expressions, so the answer does not depend on the engine. Work stays
linear whatever the text says: when a region holds more than ``FLOOD`` candidate lines (a log
whose every line says "error"), its first ``FLOOD`` candidate lines and the lines of its last
``FLOOD_TAIL_BYTES`` are kept, and the middle is searched again for the *focus* needles only
(the specific causes: a dpkg lock, a full disk). That search takes, per slice of about
``MIDDLE_SLICE`` bytes (whole lines), the first candidate line of each focus needle: a lock
printed among 50,000 error lines is found, and a needle that matches every line costs one line
per slice, not one per line (Hyperscan's single-match mode; the fallback jumps to the next
slice after a hit). The middle's lines are counted as skipped.

Compiling the Hyperscan database takes a few tenths of a second, more than the fallback needs
for a small log, so the scanner starts every log with the fallback and moves to Hyperscan once
the log is large (``scanner.SWITCH_BYTES``); the compiled database is cached on disk (``cache``).
``AIB_PILOT_ENGINE=python`` forces the fallback everywhere, ``AIB_PILOT_ENGINE=hyperscan`` uses
Hyperscan from the first byte (the tests compare the two).
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass

from aib_pilot.diagnosis import cache

FLOOD = 1024               # candidate lines per region before the region counts as flooded
FLOOD_TAIL_BYTES = 16 * 1024
MIDDLE_SLICE = 64 * 1024   # a flooded region's middle: one line per focus needle per slice this big
_COUNT_BLOCK = 64 * 1024   # newlines are counted per block of this size (see ``count_newlines``)


def count_newlines(buf, start: int, end: int) -> int:
    """The number of ``\\n`` bytes in ``buf[start:end]``.

    ``bytes.count`` with a one-byte needle compares byte by byte; ``bytes.replace`` deleting one
    byte finds each with ``memchr`` (vectorised), which on log text (a newline every hundred
    bytes or so) is 1.5-2x as fast. Blocks of ``_COUNT_BLOCK`` keep the copies it makes small and
    in cache (one copy of a whole multi-MB chunk is slower than ``bytes.count``).
    """
    if end - start <= 4096:
        return buf[start:end].count(b"\n")  # a slice: chunks may be memory maps (no count)
    n = 0
    for i in range(start, end, _COUNT_BLOCK):
        block = buf[i:min(end, i + _COUNT_BLOCK)]
        n += len(block) - len(block.replace(b"\n", b""))
    return n


class Needle:
    """One thing to look for: a regex (bytes); for the fallback, the literals every match must
    contain (worked out on first use, by ``literals_of``)."""

    __slots__ = ("regex", "_literals_of", "_lits")

    def __init__(self, regex: bytes, literals_of):
        self.regex = regex
        self._literals_of = literals_of
        self._lits = None

    def _get(self):
        if self._lits is None:
            self._lits = self._literals_of()
        return self._lits

    @property
    def literals(self) -> tuple[bytes, ...] | None:
        return self._get()[0]

    @property
    def icase(self) -> bool:
        return self._get()[1]


def hyperscan_available() -> bool:
    """Whether the Hyperscan engine can be used here (wheel installed, not switched off)."""
    return _load_hyperscan() is not None


def _relax(rx: bytes) -> bytes:
    """A pattern Hyperscan compiles fast that matches at least what ``rx`` matches on a line.

    Bounded repeats of ``.`` become ``.*`` (``.`` never crosses a newline, and every candidate is
    checked with the exact regex afterwards); a leading Packer output prefix is dropped; named
    groups become plain groups.
    """
    rx = re.sub(rb"\.\{\d*,\d+\}", rb".*", rx)
    # a leading Packer output prefix ("==> build: " or four spaces) is on most lines: searching for
    # it first would make every line a partial match; the exact regex checks it on the candidate
    rx = re.sub(rb"^\(\?:==> \|    \)\[\\w\.-\]\+:(?:\\s\+|\.\*| )?", b"", rx)
    return re.sub(rb"\(\?P<\w+>", rb"(?:", rx)


def _load_hyperscan():
    if os.environ.get("AIB_PILOT_ENGINE", "").lower() == "python":
        return None
    try:
        import hyperscan  # noqa: PLC0415 - optional, heavy: imported only when a log is scanned
    except Exception:  # noqa: BLE001 - a missing or broken wheel means the fallback
        return None
    return hyperscan


@dataclass
class Found:
    """What one search of a region found."""

    lines: dict[int, set[int]]                 # candidate line start -> the needles that may match
    flooded: tuple[int, int] | None = None     # the middle of a flooded region (focus needles only)
    skipped_lines: int = 0                     # the lines of that middle


class Finder:
    """Candidate line starts in a buffer for a fixed set of needles.

    ``focus``: the indices of the needles still searched in the middle of a flooded region.
    """

    def __init__(self, needles: list[Needle], engine: str = "hyperscan", focus=()):
        self.needles = needles
        self.focus = tuple(sorted(set(focus)))
        self._hs = _load_hyperscan() if engine == "hyperscan" else None
        self._db = self._focus_db = None
        self.engine = "hyperscan" if self._hs is not None else "python"
        if self._hs is not None:
            try:
                self._db = self._compile(range(len(needles)))
            except Exception:  # noqa: BLE001 - a pattern hyperscan cannot take: use the fallback
                self._hs, self.engine = None, "python"
        self._plan = _plan(needles, range(len(needles))) if self._hs is None else None
        self._focus_plan = None

    def candidates(self, buf: bytes, start: int = 0, end: int | None = None) -> Found:
        """The lines of ``buf[start:end]`` that may match a needle.

        At most ``FLOOD`` lines are taken from the start of the region; when there are more, the
        lines of its last ``FLOOD_TAIL_BYTES`` are added, and the lines between are searched for
        the focus needles only, slice by slice (see ``_middle``).
        """
        end = len(buf) if end is None else end
        if start >= end:
            return Found({})
        found, stopped_at = self._scan(buf, start, end, FLOOD)
        if stopped_at is None:
            return Found(found)
        tail_from = max(stopped_at, end - FLOOD_TAIL_BYTES)
        nl = buf.rfind(b"\n", start, tail_from)
        tail_from = max(nl + 1, stopped_at) if nl >= 0 else stopped_at
        if self.focus and tail_from > stopped_at:
            for ls, ids in self._middle(buf, stopped_at, tail_from).items():
                found.setdefault(ls, set()).update(ids)
        tail, _ = self._scan(buf, tail_from, end, None)
        for ls, ids in tail.items():
            found.setdefault(ls, set()).update(ids)
        return Found(found, (stopped_at, tail_from), count_newlines(buf, stopped_at, tail_from))

    def _scan(self, buf: bytes, start: int, end: int, limit: int | None):
        """(line start -> needle indices, offset where a flooded scan stopped or None)."""
        if self._hs is not None:
            return self._scan_hs(self._db, buf, start, end, limit)
        return self._scan_py(self._plan, buf, start, end, limit)

    def _middle(self, buf: bytes, start: int, end: int) -> dict[int, set[int]]:
        """The focus needles' candidate lines in ``buf[start:end]``: per slice of whole lines of
        about ``MIDDLE_SLICE`` bytes, the first line on which each focus needle may match."""
        ends = []
        pos = start
        while pos < end:
            nl = buf.find(b"\n", min(pos + MIDDLE_SLICE, end) - 1, end)
            pos = end if nl < 0 else nl + 1
            ends.append(pos)
        if self._hs is not None:
            if self._focus_db is None:
                self._focus_db = self._compile(self.focus, single=True)
            found: dict[int, set[int]] = {}
            for a, b in zip([start] + ends[:-1], ends):
                for ls, ids in self._scan_hs(self._focus_db, buf, a, b, None)[0].items():
                    found.setdefault(ls, set()).update(ids)
            return found
        if self._focus_plan is None:
            self._focus_plan = _plan(self.needles, self.focus)
        return _first_per_slice(self._focus_plan, buf, start, ends)

    # ------------------------------------------------------------------ hyperscan
    def _compile(self, ids, single: bool = False):
        """One Hyperscan database for the needles ``ids`` (match ids are the needle indices);
        ``single``: each needle reports its first match in a scan only."""
        hs = self._hs
        ids = list(ids)
        exprs, flags = [], []
        for n in (self.needles[i] for i in ids):
            rx = n.regex
            f = hs.HS_FLAG_MULTILINE | hs.HS_FLAG_ALLOWEMPTY | hs.HS_FLAG_PREFILTER
            if single:
                f |= hs.HS_FLAG_SINGLEMATCH
            if rx.startswith(b"(?i)"):
                rx, f = rx[4:], f | hs.HS_FLAG_CASELESS
            exprs.append(_relax(rx))
            flags.append(f)
        name = f"hyperscan-{cache.key('database', exprs, flags, ids, getattr(hs, '__version__', ''))}.db"
        saved = cache.load(name)
        if saved is not None:
            try:
                db = hs.loadb(saved, hs.HS_MODE_BLOCK)
                db.scratch = hs.Scratch(db)  # a loaded database has no scratch space of its own
                return db
            except Exception:  # noqa: BLE001 - saved by another platform or library build: compile
                pass
        db = hs.Database(mode=hs.HS_MODE_BLOCK)
        db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
        cache.save(name, hs.dumpb(db))
        return db

    def _scan_hs(self, db, buf: bytes, start: int, end: int, limit: int | None):
        lines: dict[int, set[int]] = {}
        current = [-1, -1, None]  # [line start, line end, its set]

        def on_match(needle, _from, to, _flags, _ctx):
            pos = start + to
            if pos <= current[1]:
                current[2].add(needle)
                return 0
            if limit is not None and len(lines) >= limit:
                return 1  # a new line beyond the limit: stop here
            ls = max(buf.rfind(b"\n", start, pos - 1 if pos > start else start) + 1, start)
            le = buf.find(b"\n", pos - 1 if pos > start else start, end)
            ids = lines.setdefault(ls, set())
            ids.add(needle)
            current[0], current[1], current[2] = ls, (le if le >= 0 else end), ids
            return 0

        try:
            db.scan(memoryview(buf)[start:end], match_event_handler=on_match)
        except self._hs.ScanTerminated:
            return lines, min(current[1] + 1, end)
        return lines, None

    # ------------------------------------------------------------------ pure python
    @staticmethod
    def _scan_py(plan: "_Plan", buf: bytes, start: int, end: int, limit: int | None):
        seg = buf if type(buf) is bytes and not start and end == len(buf) else buf[start:end]
        hits: dict[int, set[int]] = {}
        cap = limit if limit is not None else 1 << 62

        def add_hits(hay: bytes, needle: bytes, ids: tuple[int, ...]) -> None:
            i, n = hay.find(needle), 0
            while i >= 0 and n < cap:
                hits.setdefault(hay.rfind(b"\n", 0, i) + 1, set()).update(ids)
                n += 1
                le = hay.find(b"\n", i)
                if le < 0:
                    break
                i = hay.find(needle, le)

        for lit, ids in plan.exact:
            add_hits(seg, lit, ids)
        if plan.folded:
            low = seg.lower()
            for lit, ids in plan.folded:
                add_hits(low, lit, ids)
        for rx, idx in plan.regexes:
            n = 0
            for m in rx.finditer(seg):
                hits.setdefault(seg.rfind(b"\n", 0, m.start()) + 1, set()).add(idx)
                n += 1
                if n >= cap:
                    break
        if len(hits) < cap:
            return {start + h: ids for h, ids in hits.items()}, None
        # the same answer as the hyperscan engine: the first `limit` candidate lines
        keep = sorted(hits)[:cap]
        last = keep[-1]
        nl = seg.find(b"\n", last)
        return {start + h: hits[h] for h in keep}, (start + nl + 1 if nl >= 0 else end)


def _first_per_slice(plan: "_Plan", buf: bytes, start: int, ends: list[int]) -> dict[int, set[int]]:
    """The fallback's ``Finder._middle``: for each literal (each regex without one), its first
    candidate line in each slice of ``buf[start:ends[-1]]`` (slice ``k`` ends at ``ends[k]``)."""
    end = ends[-1]
    seg = buf[start:end]
    rel = [e - start for e in ends]
    hits: dict[int, set[int]] = {}

    def scan(hay: bytes, find, ids) -> None:
        i = find(hay, 0)
        while i >= 0:
            hits.setdefault(start + hay.rfind(b"\n", 0, i) + 1, set()).update(ids)
            k = bisect.bisect_right(rel, i)  # the slice holding offset i ends at rel[k]
            if k >= len(rel):
                return
            i = find(hay, rel[k])

    for lit, ids in plan.exact:
        scan(seg, lambda hay, at, lit=lit: hay.find(lit, at), ids)
    if plan.folded:
        low = seg.lower()
        for lit, ids in plan.folded:
            scan(low, lambda hay, at, lit=lit: hay.find(lit, at), ids)
    for rx, idx in plan.regexes:
        def find(hay: bytes, at: int, rx=rx) -> int:
            m = rx.search(hay, at)
            return m.start() if m else -1
        scan(seg, find, (idx,))
    return hits


@dataclass(frozen=True)
class _Plan:
    exact: tuple[tuple[bytes, tuple[int, ...]], ...]    # literal -> the needles it stands for
    folded: tuple[tuple[bytes, tuple[int, ...]], ...]   # the same, looked up in lower case
    regexes: tuple[tuple[re.Pattern[bytes], int], ...]  # needles without a literal


def _plan(needles: list[Needle], ids) -> _Plan:
    """How the fallback searches for the needles ``ids``."""
    exact: dict[bytes, set[int]] = {}
    folded: dict[bytes, set[int]] = {}
    regexes = []
    for i in ids:
        n = needles[i]
        if n.literals is None:
            regexes.append((re.compile(n.regex, re.MULTILINE), i))
        else:
            for lit in n.literals:
                (folded if n.icase else exact).setdefault(lit, set()).add(i)
    return _Plan(tuple((k, tuple(sorted(v))) for k, v in sorted(exact.items())),
                 tuple((k, tuple(sorted(v))) for k, v in sorted(folded.items())), tuple(regexes))
