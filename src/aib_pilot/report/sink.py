"""The base of every output sink: redaction, secret masking and the sink method set.

A sink is created once per command (``make_sink``) and receives live progress from the monitor,
untrusted log lines, and finally one run result. Subclasses only decide how things look. Every
line a sink prints goes through its :class:`~aib_pilot.report.console.Console` (the one writer):
:meth:`Sink.write` for prose, :meth:`Sink.say_command` for the commands a CI sink authors.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Mapping, TextIO

from aib_pilot.diagnosis.result import Diagnosis
from aib_pilot.redact import redact
from aib_pilot.report.console import Console
from aib_pilot.report.livelog import curate, live_log_mode
from aib_pilot.report.safety import clean_inline, clean_lines


class Sink:
    """Base sink. Everything printed goes through :meth:`mask` (known secrets, then redact())."""

    fmt = "base"

    def __init__(self, out: TextIO | None = None, env: Mapping[str, str] | None = None,
                 err: TextIO | None = None, *, live_log: str | None = None):
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.env = dict(env) if env is not None else {}
        self.live_log = live_log_mode(live_log, self.env)  # filtered | full | off (livelog.py)
        self.progress = self.out  # where live progress goes; json/markdown use stderr
        self.console = Console(self.out, self.err, self.env)  # masks the environment's secrets too
        self._groups = 0

    # -- plumbing ------------------------------------------------------------------------
    def share_secrets(self, other: "Sink") -> None:
        """Use ``other``'s secret list (a helper sink rendering on our behalf)."""
        self.console.secrets = other.console.secrets

    def hide_secrets(self, text) -> str:
        """Replace the given and registered secrets (longest first) with ***."""
        return self.console.secrets.hide(text)

    def mask(self, text: str) -> str:
        """Replace registered secrets, then redact known secret shapes."""
        return redact(self.hide_secrets(text))

    def safe_lines(self, text_or_lines) -> list[str]:
        """Untrusted text -> masked, neutralised lines (clean_lines also redacts)."""
        if isinstance(text_or_lines, str):
            text_or_lines = [text_or_lines]
        return clean_lines([self.hide_secrets(t) for t in text_or_lines])

    def safe_inline(self, text, limit: int = 4000) -> str:
        return clean_inline(self.hide_secrets(text), limit)

    def write(self, line: str = "", *, stream: TextIO | None = None) -> None:
        """Prose (possibly holding untrusted text): masked and neutralised by the console."""
        self.console.line(line, err=(stream or self.out) is self.err and self.err is not self.out)

    def say(self, line: str) -> None:
        """One line of live progress."""
        self.write(line, stream=self.progress)

    def say_command(self, line: str, *, mask: bool = True) -> None:
        """A command line this sink authored (its values escaped), on the progress stream."""
        self.console.command(line, err=self.progress is self.err and self.err is not self.out, mask=mask)

    # -- sink methods ----------------------------------------------------------------------
    def secret(self, value: str) -> None:
        """Remember a secret: it is masked in everything this sink prints from now on."""
        if value:
            self.console.secret(value)

    def info(self, msg: str) -> None:
        self.say(self.safe_inline(msg))

    def warning(self, msg: str) -> None:
        self.say("warning: " + self.safe_inline(msg))

    def error(self, msg: str) -> None:
        self.say("error: " + self.safe_inline(msg))

    def transition(self, run_state: str | None, run_sub_state: str | None, at: datetime | None = None) -> None:
        self.info(transition_text(run_state, run_sub_state, at))

    def heartbeat(self, text: str) -> None:
        self.info(text)

    def group_start(self, title: str) -> None:
        if self.live_log == "off":
            return
        self._groups += 1
        self.say("--- " + self.safe_inline(title, 200))

    def group_end(self) -> None:
        self._groups = max(0, self._groups - 1)

    def log_lines(self, lines: list[str]) -> None:
        """Untrusted live-log lines: curated (mode ``filtered``), all (``full``) or none (``off``)."""
        if self.live_log == "off":
            return
        if self.live_log == "filtered":
            lines = curate(lines, in_group=self._groups > 0)
        if lines:
            self.show_log(list(lines))

    def show_log(self, lines: list[str]) -> None:
        """Print selected live-log lines, cleaned."""
        for line in self.safe_lines(lines):
            self.say(line)

    def outputs(self, values: dict[str, str]) -> None:
        """Step outputs set without a run result (e.g. ``state`` when preflight stopped a submit):
        the CI formats write them; text, json and markdown have none."""

    def diagnosis(self, diag: Diagnosis, *, template_path: str | None = None) -> None:  # pragma: no cover
        raise NotImplementedError

    def result(self, result: dict, *, template_path: str | None = None) -> None:  # pragma: no cover
        """A run result: a dict of run fields whose ``diagnosis`` is a Diagnosis or None."""
        raise NotImplementedError

    def fleet_summary(self, results: list[dict]) -> None:  # pragma: no cover
        raise NotImplementedError

    def close(self) -> None:
        """Close any open live-tail group (called by result())."""
        while self._groups:
            self.group_end()


def transition_text(run_state: str | None, run_sub_state: str | None, at: datetime | None) -> str:
    when = at.strftime("%H:%M:%S") if isinstance(at, datetime) else "--:--:--"
    state = run_state or "?"
    return f"[{when}] {state}" + (f" / {run_sub_state}" if run_sub_state else "")
