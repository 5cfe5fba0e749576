"""The result every report format reads: a typed, immutable :class:`Diagnosis`.

A diagnosis of a build (``diagnose()``), a template lint (``aib-pilot lint``) and a preflight
(``aib-pilot preflight``) share one shape, told apart by ``schema``. The objects here are frozen
dataclasses whose field names are the JSON keys of docs/output-formats.md:

* ``to_dict()`` gives the JSON object of ``--format json`` (and of the ``diagnosis-json`` output);
* ``from_dict()`` reads such an object back -- a result saved by an earlier CI job, or one built
  as JSON by lint or preflight -- so that ``from_dict(x).to_dict() == x`` for every object this
  tool writes.

Each object remembers which keys its JSON had and in what order (``json_keys``), and keeps keys it
does not know (``extra``): a lint finding has no ``kind``, a preflight finding adds ``file`` and
``check``, a newer version may add fields; none of them is lost or invented on the way through.
A field whose key was absent reads as None (or an empty tuple).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Mapping

SCHEMA = "aib-pilot/diagnosis/v1"
LINT_SCHEMA = "aib-pilot/lint/v1"
PREFLIGHT_SCHEMA = "aib-pilot/preflight/v1"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class JsonObject:
    """What the result classes share: JSON keys in, JSON keys out.

    ``KEYS``: the keys (in order) of an object built in code; ``OPTIONAL``: typed keys that only
    some schemas write; ``NESTED``: key -> the class of its object (or of each item of its list).
    """

    KEYS: ClassVar[tuple[str, ...]] = ()
    OPTIONAL: ClassVar[tuple[str, ...]] = ()
    NESTED: ClassVar[Mapping[str, type]] = _EMPTY
    LISTS: ClassVar[frozenset[str]] = frozenset()

    extra: Mapping[str, Any]
    json_keys: tuple[str, ...]

    def __post_init__(self) -> None:
        for key in self.LISTS:  # lists given by code become tuples: the object stays immutable
            value = getattr(self, key)
            if isinstance(value, list):
                object.__setattr__(self, key, tuple(value))
        if not isinstance(self.extra, MappingProxyType):
            object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        if not self.json_keys:
            object.__setattr__(self, "json_keys", self.KEYS + tuple(k for k in self.extra if k not in self.KEYS))

    def __reduce__(self):
        """Copied and pickled as its JSON (``extra`` is a read-only mapping, which cannot be)."""
        return type(self).from_dict, (self.to_dict(),)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        """The object a JSON object describes (items of a list that are not objects are skipped)."""
        known = set(cls.KEYS) | set(cls.OPTIONAL)
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                extra[key] = value
            elif key in cls.LISTS:
                kind = cls.NESTED.get(key)
                items = value if isinstance(value, (list, tuple)) else ()
                values[key] = tuple(kind.from_dict(i) for i in items if isinstance(i, Mapping)) if kind \
                    else tuple(items)
            elif key in cls.NESTED:
                values[key] = cls.NESTED[key].from_dict(value) if isinstance(value, Mapping) else None
            else:
                values[key] = value
        return cls(**values, extra=extra, json_keys=tuple(data))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: the keys it was read with (or ``KEYS``), in that order."""
        typed = set(self.KEYS) | set(self.OPTIONAL)
        return {key: _json(getattr(self, key)) if key in typed else self.extra.get(key) for key in self.json_keys}


def _json(value: Any) -> Any:
    if isinstance(value, JsonObject):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Evidence(JsonObject):
    """A line the cause was read from: its log (or template) line number, or None for a status
    message, and the text (redacted). Also the shape of the failing section's ``tail`` lines."""

    KEYS = ("line", "text")

    line: int | None = None
    text: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Record(JsonObject):
    """An error record read from the text: code, message, where it was printed, what it wraps."""

    KEYS = ("code", "message", "shape")
    OPTIONAL = ("target", "line", "inner")
    LISTS = frozenset({"inner"})

    code: str | None = None
    message: str = ""
    shape: str | None = None
    target: str | None = None
    line: int | None = None
    inner: tuple[Record, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


Record.NESTED = MappingProxyType({"inner": Record})


@dataclass(frozen=True)
class Finding(JsonObject):
    """One explained problem: the rule that matched, what it means, how to fix it, the evidence.

    ``kind`` (specific / generic / noise; preflight: could_not_check) and ``secondary`` (a known
    problem in a customizer the build went on after) are absent from lint findings. Preflight
    findings add ``file``, ``line`` (the template line the check is about), ``check`` and, when a
    check could not run, ``role`` and ``scope``.
    """

    KEYS = ("rule", "category", "severity", "title", "cause", "fix", "reference", "phase", "kind",
            "secondary", "evidence")
    OPTIONAL = ("file", "line", "check", "role", "scope")
    NESTED = MappingProxyType({"evidence": Evidence})
    LISTS = frozenset({"evidence"})

    rule: str | None = None
    category: str | None = None
    severity: str | None = None
    title: str | None = None
    cause: str | None = None
    fix: str | None = None
    reference: str | None = None
    phase: str | None = None
    kind: str | None = None
    secondary: bool | None = None
    evidence: tuple[Evidence, ...] = ()
    file: str | None = None
    line: int | None = None
    check: str | None = None
    role: str | None = None
    scope: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class ChainLink(JsonObject):
    """One step of the chain from what Azure or Packer said outside to the cause inside."""

    KEYS = ("rule", "kind", "category", "title", "line", "text")

    rule: str | None = None
    kind: str | None = None
    category: str | None = None
    title: str | None = None
    line: int | None = None
    text: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Customizer(JsonObject):
    """The failing customizer: Packer's provisioner, its 0-based position in
    ``properties.customize``, and (with the template) its name, type, file and line."""

    KEYS = ("provisioner", "index", "name", "type", "file", "line")

    provisioner: str | None = None
    index: int | None = None
    name: str | None = None
    type: str | None = None
    file: str | None = None
    line: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Section(JsonObject):
    """The section of the log that failed (a phase or a customizer) and its log lines."""

    KEYS = ("kind", "name", "phase", "start_line", "end_line", "exit_code")

    kind: str | None = None
    name: str | None = None
    phase: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    exit_code: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class TimelineEntry(JsonObject):
    """A phase or customizer of the build: log lines, ISO times, duration and how it ended
    (``ok``, ``failed``, ``running``; ``skipped`` for customizers that never ran)."""

    KEYS = ("kind", "name", "phase", "start_line", "end_line", "start", "end", "duration_seconds",
            "status", "exit_code")

    kind: str | None = None
    name: str | None = None
    phase: str | None = None
    start_line: int | None = None
    end_line: int | None = None
    start: str | None = None
    end: str | None = None
    duration_seconds: float | None = None
    status: str | None = None
    exit_code: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Check(JsonObject):
    """One preflight check and its verdict (passed, failed, could_not_check, skipped)."""

    KEYS = ("check", "status", "detail", "rule", "line")

    check: str | None = None
    status: str | None = None
    detail: str | None = None
    rule: str | None = None
    line: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Diagnosis(JsonObject):
    """What a diagnosis (or a lint, or a preflight) found; every report format prints one.

    ``chain``, ``records`` and ``engine`` are written by diagnoses of a build; ``seconds`` and
    ``checks`` by preflight.
    """

    KEYS = ("schema", "source", "status", "category", "phase", "findings", "failed_customizer",
            "failing_section", "tail", "timeline", "lines_read", "chain", "records", "engine")
    OPTIONAL = ("seconds", "checks")
    NESTED = MappingProxyType({"findings": Finding, "failed_customizer": Customizer, "failing_section": Section,
                               "tail": Evidence, "timeline": TimelineEntry, "chain": ChainLink,
                               "records": Record, "checks": Check})
    LISTS = frozenset({"findings", "tail", "timeline", "chain", "records", "checks"})

    schema: str = SCHEMA
    source: str | None = None
    status: str | None = None
    category: str | None = None
    phase: str | None = None
    findings: tuple[Finding, ...] = ()
    failed_customizer: Customizer | None = None
    failing_section: Section | None = None
    tail: tuple[Evidence, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    lines_read: int | None = None
    chain: tuple[ChainLink, ...] = ()
    records: tuple[Record, ...] = ()
    engine: str | None = None
    seconds: float | None = None
    checks: tuple[Check, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    json_keys: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def is_lint(self) -> bool:
        """A template lint (``aib-pilot lint``), not a diagnosis of a build."""
        return self.schema == LINT_SCHEMA

    @property
    def is_preflight(self) -> bool:
        """An ``aib-pilot preflight`` result (checks of Azure before a build)."""
        return self.schema == PREFLIGHT_SCHEMA
