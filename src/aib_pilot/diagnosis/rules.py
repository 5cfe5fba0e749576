"""Load, validate and compile the rule catalogue (``catalogue.py``) into :class:`Rule` objects.

The compiled form offers what the scanner needs:

* ``Rule.search(line)`` -- the first match of any of the rule's patterns in a raw line (bytes);
* ``Pattern.literals`` -- what every match must contain, so candidate lines are found with
  ``bytes.find`` (see ``scanner``) and lines without them skip the regex.
"""

from __future__ import annotations

import marshal
import re
import sys
from dataclasses import dataclass, field

from aib_pilot.diagnosis import cache, catalogue
from aib_pilot.diagnosis import literals as literal_reader

KINDS = ("specific", "generic", "noise")
SEVERITIES = ("error", "warning", "info")
CONTEXTS = ("failing-section", "timeout", "no-timeout", "no-outside-stop", "deprovision", "not-deprovision",
            "customizer", "provisioner:windows-update", "provisioner:windows-restart",
            "not-before-connect", "not-before-progress", "before-step-failed", "before-run",
            "after-deprovision", "not-provisioner:windows-restart")
#: Conditions computed from the whole log instead of matched on a line (``trigger`` in the catalogue).
TRIGGERS = ("sysprep-poll-never-finished", "template-mismatch")


#: the literals of each pattern source read so far: (literals, icase), see ``literals_of``
_LITERALS: dict[str, tuple[tuple[bytes, ...] | None, bool]] = {}


def literals_of(source: str) -> tuple[tuple[bytes, ...] | None, bool]:
    """``literals.required_literals(source)``, worked out once per process."""
    found = _LITERALS.get(source)
    if found is None:
        found = _LITERALS[source] = literal_reader.required_literals(source)
    return found


def load_literals(sources: list[str]) -> None:
    """Work out the literals of all ``sources`` at once: what the pure-Python search needs before
    it reads a byte. Reading them from ~400 patterns takes longer than the rest of a small log's
    diagnosis, so they are saved in the on-disk cache (``cache``) under a hash of the patterns
    and of the reader's own code, and read back by the next run."""
    name = f"literals-{cache.key(sources, _reader_version(), sys.version_info[:2])}.marshal"
    saved = cache.load(name)
    if saved is not None:
        try:
            values = marshal.loads(saved)
        except (EOFError, ValueError, TypeError):
            values = None
        if isinstance(values, list) and len(values) == len(sources):
            _LITERALS.update(zip(sources, values))
            return
    values = [literals_of(source) for source in sources]
    cache.save(name, marshal.dumps(values))


def _reader_version() -> bytes:
    """The literal reader's source (a cache saved by another version of it is not used)."""
    try:
        with open(literal_reader.__file__, "rb") as fh:
            return fh.read()
    except OSError:  # installed without its sources: the package version must do
        from aib_pilot import __version__  # noqa: PLC0415

        return __version__.encode()


class Pattern:
    """One rule pattern, its compiled regex and the literals every match must contain.

    ``literals`` (any one of them must occur in a matching line) lets the scanner find candidate
    lines with ``bytes.find`` -- C speed -- and skip the regex for lines that cannot match.
    ``icase`` literals are lower case and are looked up in the lower-cased line. Both the regex and
    the literals are worked out on first use: a run that reads a large log with Hyperscan needs
    only the few the search names, and start-up stays short.
    """

    __slots__ = ("source", "_rx", "_literals")

    def __init__(self, source: str):
        self.source = source
        self._rx: re.Pattern[bytes] | None = None
        self._literals: tuple[tuple[bytes, ...] | None, bool] | None = None

    @property
    def rx(self) -> re.Pattern[bytes]:
        if self._rx is None:
            self._rx = re.compile(self.source.encode())
        return self._rx

    @property
    def regex(self) -> bytes:
        """The pattern's source as bytes (what a search engine compiles)."""
        return self.source.encode()

    @property
    def literals(self) -> tuple[bytes, ...] | None:
        if self._literals is None:
            self._literals = literals_of(self.source)
        return self._literals[0]

    @property
    def icase(self) -> bool:
        if self._literals is None:
            self._literals = literals_of(self.source)
        return self._literals[1]

    def search(self, raw: bytes, low: bytes | None = None) -> re.Match[bytes] | None:
        if self.literals is not None:
            hay = (low if low is not None else raw.lower()) if self.icase else raw
            if not any(lit in hay for lit in self.literals):
                return None
        return self.rx.search(raw)


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
    #: the category the evidence means in a given phase (None: the line means nothing there)
    by_phase: tuple[tuple[str, str | None], ...] = ()
    trigger: str | None = None
    #: the Azure error code the rule reads, and what that code's message says when the service
    #: itself calls the error generic: then the rule is only a wrapper (see ``engine``)
    code: str | None = None
    generic_message: str | None = None
    #: the evidence says that something outside stopped Packer (a signal): a cancellation seen in
    #: the same text is its consequence, not a lost connection (context ``no-outside-stop``)
    outside_stop: bool = False
    compiled: tuple[Pattern, ...] = field(default=(), compare=False, repr=False)

    def category_in(self, phase: str | None) -> str | None:
        """The cause this rule names when its evidence lies in ``phase``."""
        for p, cat in self.by_phase:
            if p == phase:
                return cat
        return self.category

    def match(self, line: bytes) -> bool:
        return self.search(line) is not None

    def search(self, line: bytes, low: bytes | None = None) -> re.Match[bytes] | None:
        for p in self.compiled:
            m = p.search(line, low)
            if m:
                return m
        return None


class CatalogueError(ValueError):
    """The catalogue data is inconsistent (a developer error caught by tests)."""


def _build(entry: dict) -> Rule:
    rid = entry.get("id", "?")
    if entry.get("from_code_table"):
        return _build_checked(entry)
    if not re.fullmatch(r"AIB[1-4]\d\d", rid):
        raise CatalogueError(f"rule {rid}: id must look like AIB1xx..AIB4xx")
    return _build_checked(entry)


def _build_checked(entry: dict) -> Rule:
    rid = entry.get("id", "?")
    trigger = entry.get("trigger")
    for key in ("id", "category", "severity", "title", "cause", "fix", "reference", "patterns"):
        if key == "patterns" and (trigger or entry.get("from_lint")):
            continue
        if not entry.get(key):
            raise CatalogueError(f"rule {rid}: missing {key}")
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
    if trigger is not None and trigger not in TRIGGERS:
        raise CatalogueError(f"rule {rid}: unknown trigger {trigger}")
    by_phase = tuple(sorted(entry.get("by_phase", {}).items()))
    for p, cat in by_phase:
        if p not in catalogue.PHASES or (cat is not None and cat not in catalogue.CATEGORIES):
            raise CatalogueError(f"rule {rid}: bad by_phase entry {p} -> {cat}")
    generic_message = entry.get("generic_message")
    if generic_message is not None:
        if not entry.get("code"):
            raise CatalogueError(f"rule {rid}: generic_message needs the code it applies to")
        re.compile(generic_message)
    compiled = []
    for pat in entry.get("patterns", ()):
        if "(?P<" in pat or re.search(r"(?<!\\)\((?!\?)", pat):
            raise CatalogueError(f"rule {rid}: use only non-capturing groups in {pat!r}")
        compiled.append(Pattern(pat))
    return Rule(
        id=rid, category=entry["category"], severity=entry["severity"], title=entry["title"],
        cause=entry["cause"], fix=entry["fix"], reference=entry["reference"], phase=phase,
        kind=kind, priority=int(entry.get("priority", 50)), context=context,
        patterns=tuple(entry.get("patterns", ())), positives=tuple(entry.get("positives", ())),
        negatives=tuple(entry.get("negatives", ())), exceptions=entry.get("exceptions", ""),
        by_phase=by_phase, trigger=trigger, code=entry.get("code"), generic_message=generic_message,
        outside_stop=bool(entry.get("outside_stop", False)),
        compiled=tuple(compiled),
    )


#: Codes that are common words need the shape of an error code around them (also the Go SDKs'
#: ``ERROR CODE: X`` block and ``unexpected status 400 (400 Bad Request) with error: X: ...``).
_CODE_CONTEXT = r"""(?:[Cc]ode\\?"?\s*[:=]\s*\\?"?|\(|-> |ErrorCode: |Code : |<Code>|ERROR CODE: |with error: )"""


def _code_patterns(code: str) -> list[str]:
    """How an Azure error code is found in text: a distinctive code anywhere as a word; a code
    that is also an ordinary word (Conflict, NotFound) only where an error code is printed."""
    escaped = re.escape(code)
    distinctive = sum(ch.isupper() or ch.isdigit() for ch in code) >= 3 and len(code) >= 10
    return [rf"\b{escaped}\b" if distinctive else _CODE_CONTEXT + escaped + r"\b"]


#: An Entra ID (sign-in) error says why a token request failed. Whatever failed after it in the same
#: text -- a 401 from the token endpoint, a download refused, "Not able to fetch token" -- is its
#: consequence, so the sign-in code ranks with the hand-written token rules, above such symptoms.
_ENTRA_PRIORITY = 85
_CODE_PRIORITY = 50


def _code_priority(code: dict) -> int:
    return _ENTRA_PRIORITY if code.get("service") == "entra" else _CODE_PRIORITY


def _code_entries(catalogue_patterns: str) -> list[dict]:
    """Rule entries for the Azure error code table (``azure_codes``), except codes a catalogue rule
    already names (the hand-written rule, with its phase and context, owns those)."""
    from aib_pilot.diagnosis import azure_codes  # noqa: PLC0415 - data, kept beside the catalogue

    out = []
    named = set(re.findall(r"[A-Za-z0-9]+", catalogue_patterns))  # every word the catalogue names
    for c in azure_codes.CODES:
        if c["code"] in named:
            continue
        wrapper = c["kind"] == "wrapper"
        only = c.get("phases")  # the code means its cause only where it is printed in these phases
        out.append({
            "id": f"AZ-{c['code']}", "from_code_table": True, "category": c["category"],
            "severity": "error", "phase": None, "kind": "generic" if wrapper else "specific",
            "priority": 12 if wrapper else _code_priority(c), "title": c["title"], "cause": c["cause"],
            "by_phase": {p: None for p in catalogue.PHASES if p not in only} if only else {},
            "fix": c["fix"], "reference": c["reference"], "exceptions": c.get("exceptions", ""),
            "patterns": _code_patterns(c["code"]) + ([] if wrapper else [re.escape(p) for p in c.get("phrases", ())]),
            "positives": [c["example"].splitlines()[-1] if c["code"] in c["example"].splitlines()[-1]
                          else next(line for line in c["example"].splitlines() if c["code"] in line)],
            # the code inside a longer name is not the code
            "negatives": [f"loaded the {c['code']}Handler class from the module cache"],
        })
    return out


#: The shapes in which tools print an error code, one example each: ARM JSON, autorest, az CLI,
#: az CLI ``Code:`` line, Packer's error tree, a PowerShell record, the Go SDKs' error block.
_CODE_SHAPES = ('"code": "{}"', 'Code="{}"', "ERROR: ({}) x", "Code: {}", "ERROR: -> {} : x",
                "ErrorCode: {}", "ERROR CODE: {}")


def _with_code_phrases(entries: list[dict]) -> list[dict]:
    """A catalogue rule that names an Azure error code (and so owns it: the table's entry for the
    code is left out) also matches the documented message phrases the code table gives for that
    code, when both name the same cause -- otherwise Microsoft's wording without the code
    ("Allocation failed. We do not have sufficient capacity ...") would be lost. For the same
    reason it matches the code itself in every shape a tool prints it (``ERROR CODE: X`` of the
    Go SDKs as well as ``Code="X"``), not only in the shapes its own patterns spell out."""
    from aib_pilot.diagnosis import azure_codes  # noqa: PLC0415 - data, kept beside the catalogue

    out = []
    for entry in entries:
        named = set(re.findall(r"[A-Za-z0-9]+", "\n".join(entry.get("patterns", ()))))
        owned = [c for c in azure_codes.CODES
                 if c["code"] in named and c["category"] == entry.get("category") and c["kind"] != "wrapper"]
        if not owned:  # most rules
            out.append(entry)
            continue
        # a phrase or a printed shape of the code the rule already reads is not added; a pattern's
        # literals rule most of them out before its regex is compiled (this runs at every start)
        own = [Pattern(p) for p in entry["patterns"]]

        def reads(text: str) -> bool:
            return any(p.search(text.encode()) for p in own)

        extra = [re.escape(phrase) for c in owned for phrase in c.get("phrases", ()) if not reads(phrase)]
        extra += [p for c in owned
                  if not all(reads(shape.format(c["code"])) for shape in _CODE_SHAPES)
                  for p in _code_patterns(c["code"])]
        out.append(dict(entry, patterns=list(entry["patterns"]) + extra) if extra else entry)
    return out


def load_rules() -> tuple[Rule, ...]:
    entries = _with_code_phrases(list(catalogue.RULES))
    entries += _code_entries("\n".join(p for e in entries for p in e.get("patterns", ())))
    rules = tuple(_build(e) for e in entries)
    ids = [r.id for r in rules]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise CatalogueError(f"duplicate rule ids: {sorted(dupes)}")
    return rules


def load_lint_rules() -> tuple[Rule, ...]:
    """The template checks (``catalogue.LINT``), as :class:`Rule` objects without patterns."""
    out = []
    for entry in catalogue.LINT:
        if not re.fullmatch(r"AIB5\d\d", entry.get("id", "")):
            raise CatalogueError(f"lint rule {entry.get('id')}: id must look like AIB5xx")
        out.append(_build_checked(dict(entry, from_lint=True)))  # read from the template, no log pattern
    return tuple(out)


RULES: tuple[Rule, ...] = load_rules()
RULES_BY_ID = {r.id: r for r in RULES}


#: Every compiled pattern, in catalogue order.
ALL_PATTERNS: tuple[Pattern, ...] = tuple(p for r in RULES for p in r.compiled)
