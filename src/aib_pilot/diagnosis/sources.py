"""Every input shape ``diagnose()`` accepts, turned into a stream of byte chunks.

Chunks are large (``CHUNK_BYTES``) so the scanner does its work in C-level passes over them;
memory stays bounded by the chunk size whatever the size of the log.

A regular file larger than a chunk is not copied into the process: each chunk is a read-only
memory map of the next ``CHUNK_BYTES`` of it (``mmap`` with ``MAP_POPULATE`` where the platform
has it, Linux), which the search reads where the kernel already holds it. A chunk is then an
``mmap`` object rather than ``bytes``: it has ``find``/``rfind`` and slicing (slices are bytes),
and every reader of chunks keeps to those. A file is mapped up to the size it has when each chunk
is mapped (a log still being appended to is read to its end).

A mapped file that another process truncates would end this process with a bus error (SIGBUS)
at the next byte read past the new end -- no message, no exit code of ours -- and no size check
can rule that out, since the truncation may come between the check and the read. So a file is
mapped only under a *read lease* (``fcntl F_SETLEASE``, Linux): the kernel grants it only while
no process has the file open for writing, and holds any process that then opens it for writing
or truncates it until the lease is given back, telling this one with SIGIO. The reader then
stops mapping: the chunk being read stays valid, the rest is read with ``read`` (a truncated file
simply ends sooner), and the lease is given back, which lets the other process go on. Without a
lease (a file open for writing, someone else's file, not the main thread, not Linux) the file is
read with ``read`` from the start: a copy (``bench/read_cost.py`` measures its cost), never a
crash.
"""

from __future__ import annotations

import codecs
import mmap
import os
import stat
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from aib_pilot.errors import UsageError

CHUNK_BYTES = 16 * 1024 * 1024
_POPULATE = getattr(mmap, "MAP_POPULATE", None)


def _read_file(fh: BinaryIO) -> Iterator[bytes]:
    while True:
        block = fh.read(CHUNK_BYTES)
        if not block:
            return
        if isinstance(block, str):  # a text-mode file object handed over by mistake
            block = block.encode("utf-8", errors="replace")
        yield block


def _mapped(fh: BinaryIO) -> Iterator:
    """The chunks of a regular file as memory maps, while a read lease keeps other processes from
    truncating it (see the module docstring); the rest of the file, and all of it where mapping
    is not possible or not safe, with ``read``."""
    offset = 0
    try:
        fd = fh.fileno()
        if _POPULATE is not None and stat.S_ISREG(os.fstat(fd).st_mode):
            with _ReadLease(fd) as lease:
                while lease.held and not lease.broken:
                    length = min(CHUNK_BYTES, os.fstat(fd).st_size - offset)
                    if length <= 0:
                        break
                    offset += length
                    yield mmap.mmap(fd, length, flags=mmap.MAP_SHARED | _POPULATE, prot=mmap.PROT_READ,
                                    offset=offset - length)
                # the consumer has let go of the last map when it asks for more: now the lease
                # may go (a process waiting to truncate the file goes on)
    except (OSError, ValueError):  # a file system that cannot map: read what is left
        pass
    fh.seek(offset)
    yield from _read_file(fh)


class _ReadLease:
    """A read lease on ``fd`` for as long as the ``with`` block runs (``held`` says whether the
    kernel granted it; ``broken``, that another process wants to write or truncate the file)."""

    def __init__(self, fd: int) -> None:
        self.fd, self.held, self.broken = fd, False, False
        self._previous = None

    def __enter__(self) -> "_ReadLease":
        try:
            import fcntl  # noqa: PLC0415
            import signal  # noqa: PLC0415

            if not hasattr(fcntl, "F_SETLEASE") or signal.getsignal(signal.SIGIO) not in (
                    signal.SIG_DFL, signal.SIG_IGN):
                return self  # no leases here, or SIGIO is someone else's: no lease, no map
            # SIGIO's default action ends the process: catch it first (main thread only, else
            # ValueError: no lease)
            self._previous = signal.signal(signal.SIGIO, self._on_break)
            fcntl.fcntl(self.fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
            self.held = True
        except (OSError, ValueError):  # open for writing somewhere, not our file, not main thread
            self._restore()
        return self

    def _on_break(self, _signum, _frame) -> None:
        self.broken = True

    def __exit__(self, *_exc) -> None:
        if self.held:
            import fcntl  # noqa: PLC0415

            try:
                fcntl.fcntl(self.fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
            except OSError:
                pass
            self.held = False
        self._restore()

    def _restore(self) -> None:
        if self._previous is not None:
            import signal  # noqa: PLC0415

            signal.signal(signal.SIGIO, self._previous)
            self._previous = None


def _join_lines(lines: Iterable[bytes | str]) -> Iterator[bytes]:
    """Batch an iterable of lines into ~1 MB chunks (lines keep/gain their newline)."""
    batch: list[bytes] = []
    size = 0
    for line in lines:
        if isinstance(line, str):
            line = line.encode("utf-8", errors="replace")
        if not line.endswith(b"\n"):
            line += b"\n"
        batch.append(line)
        size += len(line)
        if size >= 1024 * 1024:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


def _utf16_to_utf8(chunks: Iterator[bytes], first: bytes) -> Iterator[bytes]:
    """PowerShell's `>` writes UTF-16 with a BOM; re-encode it to UTF-8 on the fly."""
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    yield decoder.decode(first).encode("utf-8")
    for chunk in chunks:
        yield decoder.decode(chunk).encode("utf-8")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8")


def open_chunks(log) -> Iterator[bytes]:
    """Byte chunks of ``log`` (path, binary file object, iterable of lines, bytes, or None)."""
    if log is None:
        return iter(())
    if isinstance(log, (bytes, bytearray, memoryview)):
        chunks: Iterator[bytes] = iter([bytes(log)])
    elif isinstance(log, (str, os.PathLike)):
        path = os.fspath(log)
        if os.path.isdir(path):
            raise UsageError(f"{path} is a directory, not a log file.",
                             hint="Pass the customization.log file itself (or '-' for stdin).")
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed by the generator below
        except FileNotFoundError:
            raise UsageError(f"log file {path} does not exist.",
                             hint="Check the path, or download it with 'aib-pilot logs'.") from None
        except OSError as exc:
            raise UsageError(f"cannot read log file {path}: {exc.strerror}.",
                             hint="Check the file's permissions.") from None
        chunks = _closing(fh)
    elif hasattr(log, "read"):
        chunks = _read_file(log)
    else:
        chunks = _join_lines(log)
    return _bounded(_bom_aware(chunks))


DEFAULT_MAX_LOG_BYTES = 4 << 30


def _max_log_bytes() -> int:
    """More than this is no log: an endless stream (``yes | aib-pilot diagnose -``) stops here
    (``AIB_PILOT_MAX_LOG_BYTES``, 4 GiB by default)."""
    try:
        return max(1, int(os.environ.get("AIB_PILOT_MAX_LOG_BYTES", "")))
    except ValueError:
        return DEFAULT_MAX_LOG_BYTES
_BINARY_RUN = b"\x00" * 64


def _bounded(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Stop, with one clear error, input that is endless or binary (a run of NUL bytes)."""
    total, limit = 0, _max_log_bytes()
    for chunk in chunks:
        first = total == 0
        total += len(chunk)
        if total > limit:
            raise UsageError(f"the log is larger than {limit >> 20} MiB: this looks like an endless "
                             "stream, not a build log.",
                             hint="Pass the log file itself, or raise AIB_PILOT_MAX_LOG_BYTES for a larger one.")
        if first and chunk.find(_BINARY_RUN) >= 0:  # binary input shows at once (/dev/zero); later the size limit holds
            raise UsageError("the log holds a run of NUL bytes: this is binary data, not a text log.",
                             hint="Pass customization.log (plain text) or a pipeline log saved as text.")
        yield chunk
        del chunk  # not held while the next chunk is read or mapped (a chunk may map 16 MB)


def _closing(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        yield from _mapped(fh)


def _bom_aware(chunks: Iterator[bytes]) -> Iterator[bytes]:
    for first in chunks:
        if first[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            yield from _utf16_to_utf8(chunks, first)
            return
        if first[:3] == codecs.BOM_UTF8:
            first = first[3:]
        yield first
        del first
        yield from chunks
        return
