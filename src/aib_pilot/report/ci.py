"""What the two CI formats (github, azure-devops) share: the order of a report and its budgets.

A CI sink publishes, for a diagnosis or a run result: annotations/issues (most important first,
within the per-step limit), the text report echoed safely, the step outputs, and the Markdown
summary. Subclasses supply the syntax through the hooks at the bottom.
"""

from __future__ import annotations

import io

from aib_pilot.diagnosis.result import Diagnosis
from aib_pilot.report import facts
from aib_pilot.report.markdown import Markdown
from aib_pilot.report.sink import Sink
from aib_pilot.report.text import TextSink

MAX_ISSUES_PER_LEVEL = 10  # both runners attach at most 10 errors / 10 warnings per step
PROGRESS_ISSUES = 3        # sink.warning()/error() may use this many; the rest stay for the result
MAX_MESSAGE = 4000         # GitHub truncates at 4096; keep both formats under it


class CiSink(Sink):
    levels: tuple[str, ...] = ("error", "warning")
    mermaid = True  # does the summary renderer draw mermaid charts?

    def __init__(self, out=None, env=None, err=None, *, live_log=None):
        super().__init__(out, env, err, live_log=live_log)
        self.used = {level: 0 for level in self.levels}
        self.progress_used = 0
        self.text = TextSink(io.StringIO(), {"NO_COLOR": "1"})
        self.text.share_secrets(self)
        self.md = Markdown(self.mask, mermaid=self.mermaid)

    # -- sink methods ----------------------------------------------------------------------
    def secret(self, value: str) -> None:
        if not value:
            return
        super().secret(value)
        lines = [v for v in str(value).splitlines() if v.strip()]
        for item in dict.fromkeys([str(value), *lines]):
            self.say_command(self.secret_line(item), mask=False)

    def warning(self, msg: str) -> None:
        self._progress_issue("warning", msg)

    def error(self, msg: str) -> None:
        self._progress_issue("error", msg)

    def group_start(self, title: str) -> None:
        if self.live_log == "off":
            return
        if self._groups:  # neither system nests groups
            self.group_end()
        self._groups = 1
        self.say_command(self.group_line(self.safe_inline(title, 200) or "log"))

    def group_end(self) -> None:
        if self._groups:
            self._groups = 0
            self.say_command(self.endgroup_line())

    def show_log(self, lines: list[str]) -> None:
        self.echo(lines)

    def diagnosis(self, diag: Diagnosis, *, template_path: str | None = None) -> None:
        self.close()
        self.publish(facts.annotations(diag, template_path))
        self.echo(self.text.diagnosis_lines(diag, template_path=template_path))
        self.set_outputs(facts.diagnosis_outputs(diag, template_path))
        self.summary(self.md.diagnosis_section(diag, template_path), "diagnosis")

    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.publish(facts.annotations(result.get("diagnosis"), template_path, result))
        self.echo(self.text.result_lines(result, template_path=template_path))
        self.set_outputs(facts.run_outputs(result, template_path))
        self.summary(self.md.result(result, template_path), result.get("template_name") or "result")
        self.finish(result)

    def outputs(self, values: dict[str, str]) -> None:
        self.set_outputs(values)

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        self.echo(self.text.fleet_lines(results))
        self.set_outputs({"state": facts.worst_state(results),
                          "fleet-json": facts.compact_json([facts.fleet_row(r) for r in results])})
        self.summary(self.md.fleet(results), "fleet")

    # -- shared pieces -------------------------------------------------------------------
    def _progress_issue(self, level: str, msg: str) -> None:
        if self.progress_used < PROGRESS_ISSUES and self.issue(level, msg):
            self.progress_used += 1
        else:
            self.say(f"{level}: " + self.safe_inline(msg))

    def issue(self, level: str, message: str, *, title=None, file=None, line=None, code=None) -> bool:
        """Publish one annotation if the per-step budget for its level allows it."""
        if level not in self.used or self.used[level] >= MAX_ISSUES_PER_LEVEL:
            return False
        self.used[level] += 1
        self.say_command(self.issue_line(level, message, title=title, file=file, line=line, code=code))
        return True

    def publish(self, items: list[dict]) -> None:
        for item in items[:MAX_ISSUES_PER_LEVEL]:
            self.issue(item["level"], item["message"], title=item["title"], file=item["file"],
                       line=item["line"], code=item.get("rule"))

    def echo(self, lines: list[str]) -> None:
        for line in self.safe_lines(lines):
            self.say(line)

    # -- hooks ---------------------------------------------------------------------------
    def secret_line(self, value: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def group_line(self, title: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def endgroup_line(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def issue_line(self, level, message, *, title, file, line, code) -> str:  # pragma: no cover
        raise NotImplementedError

    def set_outputs(self, values: dict[str, str]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def summary(self, lines: list[str], label: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self, result: dict) -> None:
        """Anything after a result (Azure DevOps: task.complete)."""
