"""The ``json`` format: one JSON object as the LAST line of stdout; progress goes to stderr.

Live progress (info, transitions, the live log tail) is plain text on stderr, cleaned like the
``text`` format so that a CI log reading stderr cannot be driven by it either.
"""

from __future__ import annotations

from aib_pilot.diagnosis.result import Diagnosis
from aib_pilot.report import facts
from aib_pilot.report.sink import Sink


class JsonSink(Sink):
    fmt = "json"

    def __init__(self, out=None, env=None, err=None, *, live_log=None):
        super().__init__(out, env, err, live_log=live_log)
        self.progress = self.err

    def emit(self, obj) -> None:
        """Print one object on one line: masked secrets, redacted strings, no raw newlines (a
        Diagnosis, also inside a run result, as its ``to_dict()``)."""
        self.write(facts.compact_json(obj, self.mask))

    def diagnosis(self, diag: Diagnosis, *, template_path: str | None = None) -> None:
        self.emit(diag)

    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.emit(result)

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        self.emit({"schema": "aib-pilot/fleet/v1", "counts": facts.state_counts(results),
                   "results": list(results)})
