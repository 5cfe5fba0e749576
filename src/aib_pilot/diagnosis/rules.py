"""Load, validate and compile the rule catalogue (``catalogue.py``) into :class:`Rule` objects.

The compiled form offers three things the scanner needs:

* ``Rule.match(line)`` -- does this raw line (bytes) match any of the rule's patterns;
* ``PREFILTER`` -- ONE bytes regex that is the alternation of every rule pattern, used to find
  candidate lines in a buffer with a single C-level pass;
* ``TRIGGERS`` -- short literals; every line carrying an error in the middle of a huge customizer
  section contains one of them (see ``scanner``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aib_pilot.diagnosis import catalogue

KINDS = ("specific", "generic", "noise")
SEVERITIES = ("error", "warning", "info")
CONTEXTS = ("failing-section", "timeout", "no-timeout", "deprovision", "not-deprovision")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    title: str
    cause: str
    fix: str
    reference: str
    phase: str | None
    kind: str
    priority: int
    context: tuple[str, ...]
    patterns: tuple[str, ...]
    positives: tuple[str, ...]
    negatives: tuple[str, ...]
    exceptions: str = ""
    compiled: tuple[re.Pattern[bytes], ...] = field(default=(), compare=False, repr=False)

    def match(self, line: bytes) -> bool:
        return any(p.search(line) for p in self.compiled)

    def search(self, line: bytes) -> re.Match[bytes] | None:
        for p in self.compiled:
            m = p.search(line)
            if m:
                return m
        return None


class CatalogueError(ValueError):
    """The catalogue data is inconsistent (a developer error caught by tests)."""


def _build(entry: dict) -> Rule:
    rid = entry.get("id", "?")
    for key in ("id", "category", "severity", "title", "cause", "fix", "reference", "patterns"):
        if not entry.get(key):
            raise CatalogueError(f"rule {rid}: missing {key}")
    if not re.fullmatch(r"AIB[1-4]\d\d", rid):
        raise CatalogueError(f"rule {rid}: id must look like AIB1xx..AIB4xx")
    if entry["category"] not in catalogue.CATEGORIES:
        raise CatalogueError(f"rule {rid}: unknown category {entry['category']}")
    if entry["severity"] not in SEVERITIES:
        raise CatalogueError(f"rule {rid}: unknown severity {entry['severity']}")
    kind = entry.get("kind", "specific")
    if kind not in KINDS:
        raise CatalogueError(f"rule {rid}: unknown kind {kind}")
    phase = entry.get("phase")
    if phase is not None and phase not in catalogue.PHASES:
        raise CatalogueError(f"rule {rid}: unknown phase {phase}")
    context = tuple(entry.get("context", ()))
    for c in context:
        if c not in CONTEXTS:
            raise CatalogueError(f"rule {rid}: unknown context {c}")
    compiled = []
    for pat in entry["patterns"]:
        if "(?P<" in pat or re.search(r"(?<!\\)\((?!\?)", pat):
            raise CatalogueError(f"rule {rid}: use only non-capturing groups in {pat!r}")
        compiled.append(re.compile(pat.encode()))
    return Rule(
        id=rid, category=entry["category"], severity=entry["severity"], title=entry["title"],
        cause=entry["cause"], fix=entry["fix"], reference=entry["reference"], phase=phase,
        kind=kind, priority=int(entry.get("priority", 50)), context=context,
        patterns=tuple(entry["patterns"]), positives=tuple(entry.get("positives", ())),
        negatives=tuple(entry.get("negatives", ())), exceptions=entry.get("exceptions", ""),
        compiled=tuple(compiled),
    )


def load_rules() -> tuple[Rule, ...]:
    rules = tuple(_build(e) for e in catalogue.RULES)
    ids = [r.id for r in rules]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise CatalogueError(f"duplicate rule ids: {sorted(dupes)}")
    return rules


RULES: tuple[Rule, ...] = load_rules()
RULES_BY_ID = {r.id: r for r in RULES}


def _strip_inline_flags(pat: str) -> str:
    """Turn a leading ``(?i)`` into a scoped ``(?i:...)`` so patterns can be alternated."""
    m = re.match(r"\(\?([aiLmsux]+)\)", pat)
    if m:
        return f"(?{m.group(1)}:{pat[m.end():]})"
    return f"(?:{pat})"


def combined(patterns) -> re.Pattern[bytes]:
    return re.compile(b"|".join(_strip_inline_flags(p).encode() for p in patterns), re.MULTILINE)


#: One regex for "this line may match some rule" (alternation of every pattern).
PREFILTER: re.Pattern[bytes] = combined(p for r in RULES for p in r.patterns)

#: Literals searched with ``bytes.find`` inside long customizer sections. A rule pattern that
#: cannot contain one of them is still found in the head and tail window of every section
#: (see ``scanner.SECTION_TAIL_BYTES``), which is where such evidence appears in practice.
TRIGGERS: tuple[bytes, ...] = (b"rror", b"RROR", b"ail", b"xit", b"anic", b"ancel", b"imeout", b"lock")


def rule_patterns_for_grep() -> list[str]:
    """The pattern set as POSIX ERE for the benchmark's ``grep -E`` reference (best effort)."""
    out = []
    for r in RULES:
        for p in r.patterns:
            q = re.sub(r"^\(\?i\)", "", p)
            if "(?<" in q or "(?!" in q or "(?=" in q:
                continue
            q = q.replace("(?:", "(").replace(r"\d", "[0-9]").replace(r"\s", "[[:space:]]")
            q = q.replace(r"\S", "[^[:space:]]").replace(r"\w", "[[:alnum:]_]").replace(r"\b", "")
            out.append(q)
    return out
