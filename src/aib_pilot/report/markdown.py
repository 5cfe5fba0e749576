"""The ``markdown`` format: a report for a PR comment, a check run or a job summary.

Untrusted log text only ever appears inside code spans or fenced blocks whose fence is longer
than any backtick run in the text (so it cannot close the block, mention people, or add links).
Text from our rule catalogue is escaped as Markdown. The gantt chart only uses names reduced to a
safe character set, so a customizer name cannot break the mermaid syntax.
"""

from __future__ import annotations

import re
from typing import Callable, Iterable

from aib_pilot.diagnosis.result import Diagnosis, Evidence, Finding, TimelineEntry
from aib_pilot.report import facts
from aib_pilot.report.safety import clean_inline, clean_lines
from aib_pilot.report.sink import Sink

STATE_ICON = {"Succeeded": "✅", "PartiallySucceeded": "⚠️", "Running": "⏳", "Failed": "❌",
              "Canceled": "🚫"}
MAX_TAIL_LINES = 60
MAX_LINE_CHARS = 400
MAX_EVIDENCE = 6

# Characters that can start Markdown/HTML markup in running text. '(' and '!' need no escape
# because '[' is escaped; '#' and '+' only matter at the start of a line, where our prose never is.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~@&])")
_CODE_SPAN = re.compile(r"(`[^`]+`)")
# Text GitHub links by itself: URLs (any scheme://), www. hosts, e-mail addresses, @mentions
# (users and org/team), issue references (#12, GH-12, owner/repo#12). One capture group: split() keeps them.
_LINKABLE = re.compile(r"((?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>`]+|[^\s<>`@]+@[^\s<>`@]+\.[^\s<>`@]+"
                       r"|@[A-Za-z0-9][A-Za-z0-9_/-]*|(?:\b[\w.-]+/[\w.-]+)?#\d+\b|\bGH-\d+\b)")
_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()/+=-]+")


class Markdown:
    """Builds Markdown from a Diagnosis and run result dicts; ``scrub`` masks secrets (the sink's mask)."""

    def __init__(self, scrub: Callable[[str], str] = lambda s: s, *, mermaid: bool = True):
        self.scrub = scrub
        self.mermaid = mermaid  # Azure DevOps' summary tab does not render mermaid fences

    def timeline(self, timeline: tuple[TimelineEntry, ...]) -> list[str]:
        chart = gantt(timeline) + [""] if self.mermaid else []
        return ["#### Timeline", ""] + chart + self.timeline_table(timeline) + [""]

    # -- inline helpers ------------------------------------------------------------------
    def plain(self, text, limit: int = 2000) -> str:
        """Our own prose (rule titles, causes, fixes): one line, Markdown-escaped, except that
        `code spans` written in the rule text stay code spans (rebuilt safely by :meth:`code`)."""
        value = clean_inline(self.scrub("" if text is None else str(text)), limit)
        pieces = _CODE_SPAN.split(value)
        return "".join(self.code(piece[1:-1]) if index % 2 else self._prose(piece)
                       for index, piece in enumerate(pieces))

    def _prose(self, text: str) -> str:
        """Running text: what GitHub would turn into a link or a notification (a URL, ``www.``, an
        e-mail address, an ``@mention``, ``#123``) -- template names and Azure's messages reach the
        prose -- becomes a code span; the rest is Markdown-escaped. A backslash before ``@`` is
        not enough: GitHub finds mentions in the rendered text."""
        pieces = _LINKABLE.split(text)
        return "".join(self.code(piece) if index % 2 else _MD_SPECIAL.sub(r"\\\1", piece)
                       for index, piece in enumerate(pieces))

    def code(self, text, limit: int = 300) -> str:
        """Untrusted or literal text as an inline code span."""
        value = clean_inline(self.scrub("" if text is None else str(text)), limit)
        if not value:
            return ""
        ticks = "`" * (longest_backtick_run(value) + 1)
        pad = " " if value.startswith("`") or value.endswith("`") or ticks != "`" else ""
        return f"{ticks}{pad}{value}{pad}{ticks}"

    def block(self, lines: Iterable[str], info: str = "text") -> list[str]:
        """A fenced block around already-numbered lines (cleaned again here)."""
        body = clean_lines([self.scrub(line) for line in lines])
        body = [line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…" for line in body]
        fence = "`" * max(3, longest_backtick_run("\n".join(body)) + 1)
        return [fence + info, *body, fence]

    @staticmethod
    def numbered(items: tuple[Evidence, ...]) -> list[str]:
        """'NNNN | text' per log line ('status | text' for the status message)."""
        width = max((len(facts.evidence_label(i)) for i in items), default=1)
        out = []
        for item in items:
            label = facts.evidence_label(item).rjust(width)
            for text in str(item.text).splitlines() or [""]:
                out.append(f"{label} | {text}")
        return out

    # -- sections ------------------------------------------------------------------------
    def diagnosis_section(self, diag: Diagnosis, template_path: str | None, *, heading: bool = True) -> list[str]:
        out: list[str] = []
        if heading:
            out += [f"### 🔎 aib-pilot {facts.report_title(diag).lower()}: {self.plain(facts.headline(diag), 300)}", ""]
        rows = [("Status", self.code(diag.status or "unknown")),
                ("Category", self.code(diag.category or "unknown")),
                ("Phase", self.code(diag.phase or "-"))]
        fc = facts.customizer(diag)
        if fc:
            path, line = facts.template_location(diag, template_path)
            if path:
                where = ("at " if line else "in ") + self.code(f"{path}:{line}" if line else path)
            else:
                where = "(pass `--template` to point at its line)"
            rows.append(("Failing customizer", f"{self.code(facts.customizer_label(fc))} {where}"))
        if diag.source:
            rows.append(("Log", self.code(diag.source)))
        out += table(("", ""), rows) + [""]
        findings, folded = facts.report_findings(diag)
        if findings:
            out += ["#### Findings", ""]
            for number, finding in enumerate(findings, 1):
                out += self.finding(number, finding)
        if folded:
            names = "; ".join(f"{self.code(f.rule)} {self.plain(f.title or f.category)}" for f in folded)
            while out and out[-1] == "":
                out.pop()
            out += ["", f"_Also reported (wrappers of the cause above):_ {names}", ""]
        tail = diag.tail
        if tail:
            section = diag.failing_section
            what = ""
            if section is not None:
                what = f" ({self.code(section.name)}, log lines {section.start_line}–{section.end_line}"
                what += f", exit code {section.exit_code})" if section.exit_code is not None else ")"
            out += [f"#### Last lines of the failing section{what}", ""]
            out += self.block(self.numbered(tail[-MAX_TAIL_LINES:])) + [""]
        if diag.timeline:
            out += self.timeline(diag.timeline)
        return out

    def finding(self, number: int, finding: Finding) -> list[str]:
        head = (f"{number}. **{self.plain(finding.rule)}: {self.plain(finding.title)}**"
                f" ({self.plain(finding.severity)}, {self.code(finding.category)})")
        out = [head]
        if finding.cause:
            out.append(f"   - **Cause:** {self.plain(finding.cause)}")
        if finding.fix:
            out.append(f"   - **Fix:** {self.plain(finding.fix)}")
        ref = str(finding.reference or "")
        if ref.startswith("https://") and not re.search(r"[\s<>()\[\]`]", ref):
            out.append(f"   - **Reference:** <{ref}>")
        evidence = finding.evidence[:MAX_EVIDENCE]
        if evidence:
            out.append("   - **Evidence:**")
            out += ["", *("     " + line for line in self.block(self.numbered(evidence))), ""]
        out.append("")
        return out

    def timeline_table(self, timeline: tuple[TimelineEntry, ...]) -> list[str]:
        rows = []
        for item in facts.display_timeline(timeline):
            indent = "↳ " if item.kind == "customizer" else ""
            rows.append((indent + self.code(item.name, 80), self.plain(item.status or ""),
                         facts.human_duration(facts.duration_of(item))))
        return table(("Step", "Status", "Duration"), rows)

    def result(self, result: dict, template_path: str | None = None) -> list[str]:
        state = facts.state_of(result)
        name = result.get("template_name") or result.get("template") or "image template"
        icon = STATE_ICON.get(state, "ℹ️")
        out = [f"### {icon} aib-pilot: {self.code(name)} {self.plain(state)}", ""]
        rows = [("State", self.plain(state) + (f" ({self.plain(result['run_sub_state'])})"
                                               if result.get("run_sub_state") else ""))]
        if result.get("template"):
            rows.append(("Template", self.code(result["template"], 400)))
        if result.get("elapsed_seconds") is not None:
            rows.append(("Elapsed", facts.human_duration(result["elapsed_seconds"])))
        if result.get("message"):
            rows.append(("Message", self.code(result["message"], 600)))
        for output in result.get("outputs") or []:
            rows.append((f"Output {self.code(output.get('name'))}",
                         self.code(output.get("artifact_id") or output.get("artifact_uri"), 400)))
        if result.get("published_anyway") is not None:
            rows.append(("Published despite errors", "yes" if result["published_anyway"] else "no"))
        rows.append(("Full log saved to", self.code(result.get("log_path")) or "(not saved)"))
        if result.get("log_url"):
            rows.append(("Log in storage", self.code(result["log_url"], 400)))
        out += table(("", ""), rows) + [""]
        if state == "Running" and result.get("resume"):
            out += ["The build is still running. Resume monitoring with:", ""]
            out += self.block([str(result["resume"])], "sh") + [""]
        if state == "Canceled":
            out += ["The run was canceled; nothing was published.", ""]
        diag = result.get("diagnosis")
        if diag is not None:
            out += self.diagnosis_section(diag, template_path, heading=False)
        elif result.get("timeline"):
            out += self.timeline(result["timeline"])
        return out

    def fleet(self, results: list[dict]) -> list[str]:
        out = [f"### aib-pilot: {len(results)} image template(s)", ""]
        rows = []
        for result in results:
            row = facts.fleet_row(result)
            state = facts.state_of(result)
            rows.append((self.code(result.get("template_name") or result.get("template") or "?"),
                         f"{STATE_ICON.get(state, '')} {self.plain(state)}".strip(),
                         facts.human_duration(result.get("elapsed_seconds")),
                         self.code(row["category"]),
                         self.code(row["failed_customizer"]),
                         self.code(result.get("log_path")) if result.get("log_path") else ""))
        out += table(("Template", "State", "Elapsed", "Category", "Failing customizer", "Log"), rows)
        return out + [""]


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A GitHub Markdown table; '|' inside cells is escaped (code spans included)."""
    def cell(value: str) -> str:
        return str(value).replace("|", "\\|")
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def truncate_markdown(lines: list[str], max_bytes: int) -> str:
    """Join lines, dropping whole lines from the end to fit ``max_bytes``; never leaves a fence open."""
    note = "_(summary truncated: the step summary size limit was reached)_"
    text = "\n".join(lines).rstrip("\n") + "\n\n"
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    kept: list[str] = []
    size = len(note) + 64
    open_fence = ""
    for line in lines:
        cost = len(line.encode("utf-8")) + 1
        if size + cost + len(open_fence) + 1 > max_bytes:
            break
        kept.append(line)
        size += cost
        fence = re.match(r"^\s*(`{3,})", line)
        if fence:
            if not open_fence:
                open_fence = fence.group(1)
            elif len(fence.group(1)) >= len(open_fence) and line.strip() == fence.group(1):
                open_fence = ""
    if not kept:
        return ""
    if open_fence:
        kept.append(open_fence)
    return "\n".join(kept + ["", note]) + "\n\n"


def longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def mermaid_name(text, limit: int = 60) -> str:
    """Reduce a name to characters mermaid's gantt grammar cannot misread (no ':', '#', ';', '%')."""
    value = _MERMAID_UNSAFE.sub(" ", clean_inline(str(text or ""), 500)).strip()
    value = re.sub(r"\s+", " ", value)[:limit].strip()
    return value or "step"


def gantt(timeline: tuple[TimelineEntry, ...]) -> list[str]:
    """A mermaid gantt of phases and customizers; times are Unix milliseconds (dateFormat x).

    Not ``dateFormat X`` (seconds): mermaid 11 then reads a task's start as milliseconds but its
    end as seconds (checked with mermaid 11.17's own parser), which stretches every bar.

    Items with ISO start/end use them; items with only a duration are laid end to end after the
    previous item of their kind (customizers start at their phase's start). Every bar is at least
    one second long so mermaid draws it.
    """
    items = [i for i in timeline if i.status != "skipped"]  # never ran
    if not items:
        return []
    known = [facts.parse_time(i.start) for i in items]
    origin = min((t.timestamp() for t in known if t), default=0.0)
    phase_start: dict[str, float] = {}
    cursors = {"phase": origin, "customizer": None}
    bars: dict[str, list[str]] = {"phase": [], "customizer": []}
    for number, item in enumerate(items, 1):
        kind = "customizer" if item.kind == "customizer" else "phase"
        start_t, end_t = facts.parse_time(item.start), facts.parse_time(item.end)
        duration = facts.duration_of(item) or 0.0
        if start_t:
            start = start_t.timestamp()
        elif kind == "customizer":
            start = cursors["customizer"] if cursors["customizer"] is not None else phase_start.get(
                str(item.phase), cursors["phase"])
        else:
            start = cursors["phase"]
        end = end_t.timestamp() if end_t else start + duration
        end = max(end, start + 1)
        if kind == "phase":
            phase_start.setdefault(str(item.phase or item.name), start)
            cursors["phase"] = end
            if item.name == "customize" or item.phase == "customize":
                cursors["customizer"] = None
        else:
            cursors["customizer"] = end
        status = str(item.status or "")
        tag = {"failed": "crit, ", "running": "active, ", "ok": "done, "}.get(status, "")
        bars[kind].append(f"    {number}. {mermaid_name(item.name)} :{tag}t{number}, "
                          f"{int(round(start * 1000))}, {int(round(end * 1000))}")
    out = ["```mermaid", "gantt", "    dateFormat x", "    axisFormat %H:%M:%S"]
    if bars["phase"]:
        out += ["    section Phases", *bars["phase"]]
    if bars["customizer"]:
        out += ["    section Customizers", *bars["customizer"]]
    return out + ["```"]


class MarkdownSink(Sink):
    """Prints Markdown on stdout; live progress goes to stderr so stdout stays a clean document."""

    fmt = "markdown"

    def __init__(self, out=None, env=None, err=None, *, live_log=None):
        super().__init__(out, env, err, live_log=live_log)
        self.progress = self.err
        self.md = Markdown(self.mask)

    def emit(self, lines: list[str]) -> None:
        self.write("\n".join(lines).rstrip("\n"))

    def diagnosis(self, diag: Diagnosis, *, template_path: str | None = None) -> None:
        self.emit(self.md.diagnosis_section(diag, template_path))

    def result(self, result: dict, *, template_path: str | None = None) -> None:
        self.close()
        self.emit(self.md.result(result, template_path))

    def fleet_summary(self, results: list[dict]) -> None:
        self.close()
        self.emit(self.md.fleet(results))
