"""The ``json`` format: one JSON object as the LAST line of stdout; progress goes to stderr.

Live progress (info, transitions, the live log tail) is plain text on stderr, cleaned like the
``text`` format so that a CI log reading stderr cannot be driven by it either.
"""

from __future__ import annotations

from aib_pilot.report import facts
from aib_pilot.report.sink import Sink


class JsonSink(Sink):
    fmt = "json"

    def write_progress(self, line: str) -> None:
        self.write(line, stream=self.err)

    def info(self, msg: str) -> None:
        self.write_progress(self.safe_inline(msg))

    def warning(self, msg: str) -> None:
        self.write_progress("warning: " + self.safe_inline(msg))

    def error(self, msg: str) -> None:
        self.write_progress("error: " + self.safe_inline(msg))

    def group_start(self, title: str) -> None:
        self._groups += 1
        self.write_progress("--- " + self.safe_inline(title, 200))

    def log_lines(self, lines: list[str]) -> None:
        for line in self.safe_lines(lines):
            self.write_progress(line)

    def emit(self, obj) -> None:
        """Print one object on one line: masked secrets, redacted strings, no raw newlines."""
        self.write(facts.compact_json(obj, self.mask))

    def diagnosis(self, diag: dict, *, template_path: str | None = None) -> None:
        self.emit(diag)

    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.emit(result)

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        counts: dict[str, int] = {}
        for result in results:
            counts[facts.state_of(result)] = counts.get(facts.state_of(result), 0) + 1
        self.emit({"schema": "aib-pilot/fleet/v1", "counts": counts, "results": list(results)})
