"""The result every report format reads: a typed, immutable :class:`Diagnosis`.

A diagnosis of a build (``diagnose()``), a template lint (``aib-pilot lint``) and a preflight
(``aib-pilot preflight``) share one shape, told apart by ``schema``. The objects here are
immutable records whose attribute names are the JSON keys of docs/output-formats.md:

* ``to_dict()`` gives the JSON object of ``--format json`` (and of the ``diagnosis-json`` output);
* ``from_dict()`` reads such an object back -- a result saved by an earlier CI job, or one built
  as JSON by lint or preflight -- so that ``from_dict(x).to_dict() == x`` for every object this
  tool writes;
* ``replace(**changes)`` is a copy with some fields changed.

Each object remembers which keys its JSON had and in what order (``json_keys``), and keeps keys it
does not know (``extra``): a lint finding has no ``kind``, a preflight finding adds ``file`` and
``check``, a newer version may add fields; none of them is lost or invented on the way through.
A field whose key was absent reads as None (or an empty tuple).

The classes are plain ``__slots__`` classes rather than dataclasses: generating a dataclass's
methods costs milliseconds per class at import, and this module is imported by every command
that reports.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, ClassVar, Mapping

SCHEMA = "aib-pilot/diagnosis/v1"
LINT_SCHEMA = "aib-pilot/lint/v1"
PREFLIGHT_SCHEMA = "aib-pilot/preflight/v1"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


class FrozenResultError(AttributeError):
    """A result object was changed in place (use ``replace()``)."""


class JsonObject:
    """What the result classes share: JSON keys in, JSON keys out, no change after creation.

    ``KEYS``: the keys (in order) of an object built in code; ``OPTIONAL``: typed keys that only
    some schemas write; ``NESTED``: key -> the class of its object (or of each item of its list);
    ``LISTS``: keys holding lists (tuples here, default empty); ``DEFAULTS``: other defaults
    (None when not given).
    """

    __slots__ = ("extra", "json_keys")
    KEYS: ClassVar[tuple[str, ...]] = ()
    OPTIONAL: ClassVar[tuple[str, ...]] = ()
    NESTED: ClassVar[Mapping[str, type]] = _EMPTY
    LISTS: ClassVar[frozenset[str]] = frozenset()
    DEFAULTS: ClassVar[Mapping[str, Any]] = _EMPTY

    extra: Mapping[str, Any]
    json_keys: tuple[str, ...]

    def __init__(self, **values: Any) -> None:
        extra = dict(values.pop("extra", None) or {})
        json_keys = tuple(values.pop("json_keys", None) or ())
        unknown = [k for k in values if k not in self.__slots__]
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        for key in self.__slots__:
            if key in values:
                value = values[key]
                if key in self.LISTS and isinstance(value, list):
                    value = tuple(value)  # lists given by code become tuples: the object stays immutable
            else:
                value = () if key in self.LISTS else self.DEFAULTS.get(key)
            object.__setattr__(self, key, value)
        object.__setattr__(self, "extra", MappingProxyType(extra))
        object.__setattr__(self, "json_keys", json_keys or self.KEYS + tuple(k for k in extra if k not in self.KEYS))

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenResultError(f"{type(self).__name__} is immutable: use replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise FrozenResultError(f"{type(self).__name__} is immutable")

    def _values(self) -> tuple:
        return tuple(getattr(self, key) for key in self.__slots__) + (dict(self.extra),)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # equal by value, and may hold unhashable JSON in ``extra``

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={getattr(self, key)!r}" for key in self.__slots__
                          if key in self.json_keys or getattr(self, key) not in (None, ()))
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes: Any):
        """A copy with ``changes``; a changed field the JSON did not have is added to its keys."""
        values = {key: getattr(self, key) for key in self.__slots__}
        values.update(changes)
        keys = self.json_keys + tuple(k for k in changes if k not in self.json_keys)
        return type(self)(**values, extra=self.extra, json_keys=keys)

    def __reduce__(self):
        """Copied and pickled as its JSON (``extra`` is a read-only mapping, which cannot be)."""
        return type(self).from_dict, (self.to_dict(),)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]):
        """The object a JSON object describes (items of a list that are not objects are skipped)."""
        values: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():
            if key not in cls.__slots__:
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
        typed = self.__slots__
        return {key: _json(getattr(self, key)) if key in typed else self.extra.get(key) for key in self.json_keys}


def _json(value: Any) -> Any:
    if isinstance(value, JsonObject):
        return value.to_dict()
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value


class Evidence(JsonObject):
    """A line the cause was read from: its log (or template) line number, or None for a status
    message, and the text (redacted). Also the shape of the failing section's ``tail`` lines."""

    KEYS = ("line", "text")
    DEFAULTS = MappingProxyType({"text": ""})

    __slots__ = KEYS

    line: int | None
    text: str


class Record(JsonObject):
    """An error record read from the text: code, message, where it was printed, what it wraps."""

    KEYS = ("code", "message", "shape")
    OPTIONAL = ("target", "line", "inner")
    LISTS = frozenset({"inner"})
    DEFAULTS = MappingProxyType({"message": ""})

    __slots__ = KEYS + OPTIONAL

    code: str | None
    message: str
    shape: str | None
    target: str | None
    line: int | None
    inner: tuple[Record, ...]


Record.NESTED = MappingProxyType({"inner": Record})


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

    __slots__ = KEYS + OPTIONAL

    rule: str | None
    category: str | None
    severity: str | None
    title: str | None
    cause: str | None
    fix: str | None
    reference: str | None
    phase: str | None
    kind: str | None
    secondary: bool | None
    evidence: tuple[Evidence, ...]
    file: str | None
    line: int | None
    check: str | None
    role: str | None
    scope: str | None


class ChainLink(JsonObject):
    """One step of the chain from what Azure or Packer said outside to the cause inside."""

    KEYS = ("rule", "kind", "category", "title", "line", "text")

    __slots__ = KEYS

    rule: str | None
    kind: str | None
    category: str | None
    title: str | None
    line: int | None
    text: str | None


class Customizer(JsonObject):
    """The failing customizer: Packer's provisioner, its 0-based position in
    ``properties.customize``, and (with the template) its name, type, file and line."""

    KEYS = ("provisioner", "index", "name", "type", "file", "line")

    __slots__ = KEYS

    provisioner: str | None
    index: int | None
    name: str | None
    type: str | None
    file: str | None
    line: int | None


class Section(JsonObject):
    """The section of the log that failed (a phase or a customizer) and its log lines."""

    KEYS = ("kind", "name", "phase", "start_line", "end_line", "exit_code")

    __slots__ = KEYS

    kind: str | None
    name: str | None
    phase: str | None
    start_line: int | None
    end_line: int | None
    exit_code: int | None


class TimelineEntry(JsonObject):
    """A phase or customizer of the build: log lines, ISO times, duration and how it ended
    (``ok``, ``failed``, ``running``; ``skipped`` for customizers that never ran)."""

    KEYS = ("kind", "name", "phase", "start_line", "end_line", "start", "end", "duration_seconds",
            "status", "exit_code")

    __slots__ = KEYS

    kind: str | None
    name: str | None
    phase: str | None
    start_line: int | None
    end_line: int | None
    start: str | None
    end: str | None
    duration_seconds: float | None
    status: str | None
    exit_code: int | None


class Check(JsonObject):
    """One preflight check and its verdict (passed, failed, could_not_check, skipped)."""

    KEYS = ("check", "status", "detail", "rule", "line")

    __slots__ = KEYS

    check: str | None
    status: str | None
    detail: str | None
    rule: str | None
    line: int | None


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
    DEFAULTS = MappingProxyType({"schema": SCHEMA})

    __slots__ = KEYS + OPTIONAL

    schema: str
    source: str | None
    status: str | None
    category: str | None
    phase: str | None
    findings: tuple[Finding, ...]
    failed_customizer: Customizer | None
    failing_section: Section | None
    tail: tuple[Evidence, ...]
    timeline: tuple[TimelineEntry, ...]
    lines_read: int | None
    chain: tuple[ChainLink, ...]
    records: tuple[Record, ...]
    engine: str | None
    seconds: float | None
    checks: tuple[Check, ...]

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
