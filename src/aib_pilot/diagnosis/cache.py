"""An on-disk cache for work derived from the rule catalogue, so that it is done once per
catalogue, not once per run: the compiled Hyperscan database (``multimatch``) and the literals
of every pattern (``rules.load_literals``).

Where: ``AIB_PILOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/aib-pilot``, else ``~/.cache/aib-pilot``.
An entry's name holds a hash of everything its content depends on (the patterns, the code that
derived it, the library's version), so a changed catalogue gets a new entry and never reads an
old one. Each file starts with a digest of its content: a file cut short or damaged is not used.
The cache is only ever an optimisation: a folder that cannot be created or written, or an entry
that cannot be read, means the work is done again, silently.
"""

from __future__ import annotations

import hashlib
import os

_MAGIC = b"aib-pilot cache 1\n"
_DIGEST = 32  # sha256


def cache_dir() -> str:
    explicit = os.environ.get("AIB_PILOT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "aib-pilot")


def key(*parts) -> str:
    """A short hash naming an entry: of the ``repr`` of ``parts`` (strings, bytes, numbers and
    tuples or lists of them, whose ``repr`` is stable)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def load(name: str) -> bytes | None:
    """The content saved under ``name``, or None (no entry, unreadable, or damaged)."""
    try:
        with open(os.path.join(cache_dir(), name), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if not data.startswith(_MAGIC) or hashlib.sha256(data[head:]).digest() != data[len(_MAGIC):head]:
        return None
    return data[head:]


def save(name: str, content: bytes) -> None:
    """Save ``content`` under ``name`` atomically (a reader sees the old entry or the whole new
    one); a cache folder that cannot be written is simply not used."""
    import tempfile  # noqa: PLC0415 - only when something is saved

    folder = cache_dir()
    tmp = None
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC + hashlib.sha256(content).digest() + content)
        os.replace(tmp, os.path.join(folder, name))
    except OSError:
        if tmp is not None and os.path.exists(tmp):
            try:
                os.unlink(tmp)
            except OSError:
                pass
