"""The ``text`` format: for a person at a terminal. Colour only on a tty and when NO_COLOR is unset."""

from __future__ import annotations

import textwrap
import time

from aib_pilot.diagnosis.result import Diagnosis, Evidence, Finding, TimelineEntry
from aib_pilot.report import facts
from aib_pilot.report.sink import Sink

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "dim": "2", "bold": "1"}
_STATE_COLOUR = {"Succeeded": "green", "PartiallySucceeded": "yellow", "Running": "blue",
                 "Failed": "red", "Canceled": "red"}
_SEVERITY_COLOUR = {"error": "red", "warning": "yellow", "info": "blue"}
_STATUS_MARK = {"ok": "ok", "failed": "FAILED", "running": "running", "skipped": "skipped"}


def is_tty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def wants_colour(stream, env) -> bool:
    return "NO_COLOR" not in env and env.get("TERM") != "dumb" and is_tty(stream)


def _columns() -> int:
    """The terminal's width (only asked at a terminal: ``shutil`` is not loaded for a pipe)."""
    import shutil  # noqa: PLC0415

    return shutil.get_terminal_size((100, 24)).columns


class TextSink(Sink):
    fmt = "text"

    def __init__(self, out=None, env=None, err=None, *, live_log=None):
        super().__init__(out, env, err, live_log=live_log)
        self.colour = wants_colour(self.out, self.env)
        # Long prose is wrapped only for a person at a terminal; logs and pipes get one line each.
        self.width = _columns() if is_tty(self.out) else 0
        # At a terminal, heartbeats update ONE status line (elapsed time, state / sub-state) under
        # the live log instead of adding a line each; logs and pipes get plain lines as before.
        self.live_status = is_tty(self.progress) and self.env.get("TERM") != "dumb"
        self._status: dict[str, str] = {}  # latest heartbeat per template (fleets watch many)
        self._status_shown = False
        self._started = time.monotonic()

    def prose(self, label: str, text) -> list[str]:
        line = f"   {label}: {self.safe_inline(text)}"
        if not self.width or len(line) <= self.width:
            return [line]
        return textwrap.wrap(line, width=max(40, self.width - 1), subsequent_indent=" " * (len(label) + 5),
                             break_on_hyphens=False)

    def paint(self, text: str, colour: str | None) -> str:
        if not self.colour or not colour:
            return text
        return f"\x1b[{_COLOURS[colour]}m{text}\x1b[0m"

    # -- the status line (tty only) --------------------------------------------------------
    def write(self, line: str = "", *, stream=None) -> None:
        self._clear_status()
        super().write(line, stream=stream)

    def say(self, line: str) -> None:
        """A line of live progress; at a terminal the status line is redrawn below it."""
        super().say(line)
        self._draw_status()

    def heartbeat(self, text: str) -> None:
        if not self.live_status:
            super().heartbeat(text)
            return
        text = self.safe_inline(text, 300)
        self._status[text.split(": ", 1)[0] if ": " in text else ""] = text
        self._draw_status()

    def _draw_status(self) -> None:
        if not self.live_status or not self._status:
            return
        elapsed = facts.human_duration(time.monotonic() - self._started)
        text = f"[watching {elapsed}] " + " | ".join(self._status.values())
        columns = _columns()
        if len(text) >= columns:  # a wrapped line could not be erased with one CR
            text = text[: max(10, columns - 2)] + "…"
        on, off = ("\x1b[2m", "\x1b[0m") if self.colour else ("", "")
        self.console.partial("\r\x1b[K" + on, text, off, err=self.progress is self.err and self.err is not self.out)
        self._status_shown = True

    def _clear_status(self) -> None:
        if self._status_shown:
            self._status_shown = False
            self.console.raw_control("\r\x1b[K", err=self.progress is self.err and self.err is not self.out)

    def close(self) -> None:
        """End of live progress: the status line is erased for good."""
        super().close()
        self._status.clear()
        self._clear_status()

    def warning(self, msg: str) -> None:
        self.say(self.paint("warning: ", "yellow") + self.safe_inline(msg))

    def error(self, msg: str) -> None:
        self.say(self.paint("error: ", "red") + self.safe_inline(msg))

    def group_start(self, title: str) -> None:
        if self.live_log == "off":
            return
        self._groups += 1
        self.say(self.paint("--- " + self.safe_inline(title, 200), "bold"))

    # -- diagnosis -----------------------------------------------------------------------
    def diagnosis(self, diag: Diagnosis, *, template_path: str | None = None) -> None:
        for line in self.diagnosis_lines(diag, template_path=template_path):
            self.write(line)

    def diagnosis_lines(self, diag: Diagnosis, *, template_path: str | None = None) -> list[str]:
        lines: list[str] = []
        failed = diag.failed or bool(facts.ordered_findings(diag))
        title = f"{facts.report_title(diag)}: " + self.safe_inline(facts.headline(diag))
        lines.append(self.paint(title, "red" if failed else "green"))
        source = diag.source
        if source:
            lines.append(f"  source: {self.safe_inline(source)}")
        fc = facts.customizer(diag)
        path, line = facts.template_location(diag, template_path)
        if fc:
            where = (f"at {path}:{line}" if path and line else f"in {path}" if path
                     else "(pass --template to point at its line)")
            label = "customizer" if facts.is_lint(diag) else "failing customizer"
            lines.append(f"  {label}: {self.safe_inline(facts.customizer_label(fc))} {self.safe_inline(where)}")
        section = diag.failing_section
        if section is not None:
            code = section.exit_code
            lines.append(
                f"  failing section: {self.safe_inline(section.kind)} {self.safe_inline(section.name)}"
                f" (log lines {section.start_line}-{section.end_line}"
                + (f", exit code {code}" if code is not None else "") + ")"
            )
        shown, folded = facts.report_findings(diag)
        for number, finding in enumerate(shown, 1):
            lines.append("")
            lines.extend(self.finding_lines(number, finding))
        if folded:
            lines.append("")
            lines.append(self.also_reported(folded))
        tail = diag.tail
        if tail:
            lines.append("")
            lines.append(self.paint("Last lines of the failing section:", "bold"))
            lines.extend(self.numbered(tail))
        timeline = diag.timeline
        if timeline:
            lines.append("")
            lines.append(self.paint("Timeline:", "bold"))
            lines.extend(self.timeline_lines(timeline))
        return lines

    def finding_lines(self, number: int, finding: Finding) -> list[str]:
        severity = str(finding.severity or "info")
        head = (f"{number}. [{self.safe_inline(finding.rule)}] {self.safe_inline(finding.title)}"
                f" ({severity}, {self.safe_inline(finding.category)})")
        lines = [self.paint(head, _SEVERITY_COLOUR.get(severity))]
        for label, text in (("cause", finding.cause), ("fix", finding.fix), ("see", finding.reference)):
            if text:
                lines.extend(self.prose(label, text))
        evidence = finding.evidence
        if evidence:
            lines.append("   evidence:")
            lines.extend("   " + line for line in self.numbered(evidence[:8]))
        return lines

    def also_reported(self, folded: list[Finding]) -> str:
        """One line for the generic findings (wrappers, summary lines) behind a specific cause."""
        names = "; ".join(self.safe_inline(facts.rule_and_title(f), 200) for f in folded)
        return self.paint("Also reported", "dim") + f" (wrappers of the cause above): {names}"

    def numbered(self, items: tuple[Evidence, ...]) -> list[str]:
        """Log lines as 'NNNN | text' ('status | text' for the status message; never starting
        with '::', markers broken)."""
        width = max((len(facts.evidence_label(i)) for i in items), default=1)
        out = []
        for item in items:
            label = facts.evidence_label(item).rjust(width)
            for text in self.safe_lines(str(item.text)):
                out.append(f"  {label} | {text}")
        return out

    def timeline_lines(self, timeline: tuple[TimelineEntry, ...]) -> list[str]:
        out = []
        for item in facts.display_timeline(timeline):
            indent = "    " if item.kind == "customizer" else "  "
            status = str(item.status or "")
            mark = _STATUS_MARK.get(status, status)
            colour = "red" if status == "failed" else ("blue" if status == "running" else None)
            name = self.safe_inline(item.name, 80)
            duration = facts.human_duration(facts.duration_of(item))
            code = item.exit_code
            extra = f" exit {code}" if code not in (None, 0) else ""
            out.append(f"{indent}{name:<40} {duration:>10}  {self.paint(mark, colour)}{extra}")
        return out

    # -- run result ----------------------------------------------------------------------
    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        for line in self.result_lines(result, template_path=template_path):
            self.write(line)

    def result_lines(self, result: dict, *, template_path: str | None = None) -> list[str]:
        state = facts.state_of(result)
        name = self.safe_inline(result.get("template_name") or result.get("template") or "image template")
        sub = result.get("run_sub_state")
        head = f"{name}: {state}" + (f" ({self.safe_inline(sub)})" if sub and state == "Running" else "")
        if result.get("elapsed_seconds") is not None:
            head += f" after {facts.human_duration(result['elapsed_seconds'])}"
        lines = [self.paint(head, _STATE_COLOUR.get(state))]
        if result.get("message"):
            lines.append("  message: " + self.safe_inline(result["message"]))
        for output in result.get("outputs") or []:
            lines.append(f"  output {self.safe_inline(output.get('name'))}: "
                         f"{self.safe_inline(output.get('artifact_id') or output.get('artifact_uri'))}")
        if result.get("published_anyway") is not None:
            lines.append(f"  published despite errors: {'yes' if result['published_anyway'] else 'no'}")
        if result.get("log_path"):
            lines.append("  full log saved to: " + self.safe_inline(result["log_path"]))
        if result.get("log_url"):
            lines.append("  log in storage: " + self.safe_inline(result["log_url"]))
        if state == "Running" and result.get("resume"):
            lines.append("  still running; resume with: " + self.safe_inline(result["resume"]))
        if state == "Canceled":
            lines.append("  the run was canceled; nothing was published.")
        diag = result.get("diagnosis")
        if diag is not None:
            lines += [""] + self.diagnosis_lines(diag, template_path=template_path)
        elif result.get("timeline"):
            lines += ["", self.paint("Timeline:", "bold")] + self.timeline_lines(result["timeline"])
        return lines

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        for line in self.fleet_lines(results):
            self.write(line)

    def fleet_lines(self, results: list[dict]) -> list[str]:
        rows = [("TEMPLATE", "STATE", "ELAPSED", "CATEGORY", "CUSTOMIZER")]
        for result in results:
            row = facts.fleet_row(result)
            rows.append((
                self.safe_inline(result.get("template_name") or result.get("template") or "?", 60),
                facts.state_of(result),
                facts.human_duration(result.get("elapsed_seconds")),
                self.safe_inline(row["category"] or "", 40),
                self.safe_inline(row["failed_customizer"] or "", 40),
            ))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = []
        for index, row in enumerate(rows):
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
            if index:
                cells[1] = self.paint(cells[1], _STATE_COLOUR.get(row[1]))
            lines.append("  ".join(cells).rstrip())
        counts = facts.state_counts(results)
        lines.append(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no templates")
        return lines
