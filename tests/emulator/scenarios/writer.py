"""Collects log lines on a natural clock, then fits them to the scenario's duration and renders them.

Lines are recorded with the delay that precedes them. Delays recorded while a customizer runs are
*elastic* (stretched or shrunk so the whole log spans the scenario's ``duration_minutes``); a delay
recorded with ``hang=True`` (a build stuck until its deadline) absorbs the slack instead. Text is
rendered only at the end (a body may be a callable of the line's final offset, for "after N
minutes" texts), so the ``yyyy/mm/dd hh:mm:ss`` stamps inside lines always agree with
``LogEvent.at_seconds``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .model import LogEvent

# How a record is rendered (the line formats of an AIB customization.log):
OUT = 0      # [op] PACKER OUT <body>
ERR = 1      # [op] PACKER ERR <date> packer: <date> <body>
ERR1 = 2     # [op] PACKER ERR <date> <body>
ERRN = 3     # [op] PACKER ERR <body>
PLUGIN = 4   # [op] PACKER ERR <date> <plugin>: <date> <body>
RAW = 5      # <body>   (continuation lines and the exporter's last line)

_MIN_SCALE = 0.02
_LONG = 3.0


class LogWriter:
    """Accumulates records; ``events(start, total_seconds)`` turns them into ``LogEvent``s."""

    def __init__(self, operation_id: str) -> None:
        self.op = operation_id
        self._recs: list[list] = []  # [dt, hang_dt, elastic, kind, body, plugin, sub_state]
        self._pending = 0.0
        self._pending_hang = 0.0
        self._pending_sub: str | None = None
        self.elastic = False

    # -- time ---------------------------------------------------------------------------------
    def wait(self, seconds: float, *, hang: bool = False) -> None:
        """Let ``seconds`` of natural time pass before the next line."""
        if hang:
            self._pending_hang += seconds
        else:
            self._pending += seconds

    def sub_state(self, name: str) -> None:
        """The next line begins runSubState ``name``."""
        self._pending_sub = name

    @property
    def natural_seconds(self) -> float:
        return sum(r[0] + r[1] for r in self._recs) + self._pending

    # -- lines --------------------------------------------------------------------------------
    def _add(self, kind: int, body, plugin: str | None = None, dt: float = 0.0) -> None:
        self._recs.append([self._pending + dt, self._pending_hang, self.elastic, kind, body,
                           plugin, self._pending_sub])
        self._pending = 0.0
        self._pending_hang = 0.0
        self._pending_sub = None

    def out(self, body: str, dt: float = 0.0) -> None:
        self._add(OUT, body, dt=dt)

    def say(self, body: str, dt: float = 0.0) -> None:
        """A builder step line: ``==> azure-arm: body``."""
        self._add(OUT, "==> azure-arm: " + body, dt=dt)

    def ui(self, body: str, dt: float = 0.0) -> None:
        """Remote stdout as Packer relays it: ``    azure-arm: body``."""
        self._add(OUT, "    azure-arm: " + body, dt=dt)

    def err(self, body: str, dt: float = 0.0) -> None:
        self._add(ERR, body, dt=dt)

    def err1(self, body: str, dt: float = 0.0) -> None:
        self._add(ERR1, body, dt=dt)

    def errn(self, body: str, dt: float = 0.0) -> None:
        self._add(ERRN, body, dt=dt)

    def plugin(self, name: str, body: str, dt: float = 0.0) -> None:
        self._add(PLUGIN, body, plugin=name, dt=dt)

    def raw(self, body: str, dt: float = 0.0) -> None:
        self._add(RAW, body, dt=dt)

    # -- rendering ----------------------------------------------------------------------------
    def events(self, start: datetime, total_seconds: float) -> list[LogEvent]:
        fixed = sum(r[0] for r in self._recs if not r[2])
        elastic = sum(r[0] for r in self._recs if r[2])
        hang = sum(r[1] for r in self._recs)
        slack = total_seconds - fixed - elastic
        extra_e, e_scale, h_scale = 0.0, 1.0, 0.0
        if hang > 0 and slack >= 0:
            h_scale = slack / hang
        elif slack >= 0:
            extra_e = slack
        elif elastic:
            e_scale = max(_MIN_SCALE, (total_seconds - fixed) / elastic)
        # Extra time goes to the long steps only (delays of 3 s or more, in proportion): a slow
        # build has slow installs and slow captures, not slow echo commands.
        weight = sum(r[0] for r in self._recs if r[2] and r[0] >= _LONG) if extra_e else 0.0
        pool_all = bool(extra_e) and not weight  # nothing elastic ran: stretch the long fixed waits
        if pool_all:
            weight = sum(r[0] for r in self._recs if r[0] >= _LONG)
            if not weight:
                extra_e = 0.0
        delays = []
        for dt, hdt, el, *_ in self._recs:
            if el or pool_all:
                dt = dt * e_scale + (extra_e * dt / weight if extra_e and dt >= _LONG else 0.0)
            delays.append(dt + hdt * h_scale)
        natural = sum(delays)
        if natural > total_seconds > 0:  # still too long (fixed phases alone exceed it): compress
            delays = [d * total_seconds / natural for d in delays]
        prefix = f"[{self.op}] PACKER "
        out: list[LogEvent] = []
        t = 0.0
        stamp_t = None
        stamp = ""
        frac = start.microsecond / 1e6
        for delay, (_, _, _, kind, body, plugin, sub) in zip(delays, self._recs):
            t += delay
            at = min(round(t, 3), total_seconds)
            if callable(body):
                body = body(at)
            if kind == OUT:
                text = prefix + "OUT " + body
            elif kind == RAW:
                text = body
            elif kind == ERRN:
                text = prefix + "ERR " + body
            else:
                if stamp_t != int(at + frac):
                    stamp_t = int(at + frac)
                    stamp = (start + timedelta(seconds=at)).strftime("%Y/%m/%d %H:%M:%S")
                if kind == ERR:
                    text = f"{prefix}ERR {stamp} packer: {stamp} {body}"
                elif kind == ERR1:
                    text = f"{prefix}ERR {stamp} {body}"
                else:
                    text = f"{prefix}ERR {stamp} {plugin}: {stamp} {body}"
            out.append(LogEvent(at, text, sub))
        return out
