"""Safe file writes inside ``--log-dir``: no link is followed, nothing but a regular file is written.

The log folder may be shared with other steps of a job (a restored cache, a checked-out
repository), so a file or folder in it may have been planted. Below the folder the user named,
every folder is opened with ``O_NOFOLLOW | O_DIRECTORY`` relative to its parent's descriptor, and
every file with ``O_NOFOLLOW`` (and ``O_NONBLOCK``, so a planted FIFO cannot block us) and then
checked to be a regular file. Files that are replaced whole (``template.json``, the log's state)
are written to a new name with ``O_EXCL`` and renamed over the old one, which replaces a link
instead of writing through it.

The saved log has a state file beside it (``.customization.log.state``: the blob URL, the length
and SHA-256 of what was saved). Before a later monitor appends to a saved log it checks the file
against that state and the blob; anything else is moved aside and the log is read again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Iterator

from aib_pilot.errors import UsageError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class PlantedLink(UsageError):
    """Something in the log folder is a link or not a regular file: refused, nothing written."""


def _refuse(path: Path, what: str) -> PlantedLink:
    return PlantedLink(f"{path} is {what}; aib-pilot writes only regular files in its log folder and "
                       "never follows links there.", hint=f"Remove {path} (or choose another --log-dir).")


def open_folder(root: Path, *parts: str, create: bool = True) -> int:
    """A descriptor of ``root/parts...`` (missing folders created when ``create``); links below
    ``root`` refused."""
    fd = os.open(root, os.O_RDONLY | _DIRECTORY)
    path = Path(root)
    try:
        for part in parts:
            path = path / part
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                except FileExistsError:
                    pass
            try:
                child = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refuse(path, "a link or not a folder") from None
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def _folder(root: Path, parts: tuple[str, ...], *, create: bool = True) -> Iterator[int]:
    fd = open_folder(root, *parts, create=create)
    try:
        yield fd
    finally:
        os.close(fd)


def _open_file(folder_fd: int, name: str, flags: int, where: Path) -> int:
    try:
        fd = os.open(name, flags | _NOFOLLOW | _NONBLOCK, 0o644, dir_fd=folder_fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refuse(where / name, "a symbolic link") from None
        if exc.errno in (errno.ENXIO, errno.EISDIR):  # a FIFO nobody reads, a folder
            raise _refuse(where / name, "not a regular file") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refuse(where / name, "not a regular file")
    return fd


def _write_file(folder: int, name: str, flags: int, where: Path, data: bytes, *, sync: bool) -> None:
    fd = _open_file(folder, name, os.O_WRONLY | flags, where)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def append(root: Path, parts: tuple[str, ...], name: str, data: bytes) -> None:
    """Append ``data`` to ``root/parts/name`` (created if missing) and flush it to disk."""
    with _folder(root, parts) as folder:
        _write_file(folder, name, os.O_APPEND | os.O_CREAT, Path(root, *parts), data, sync=True)


def replace(root: Path, parts: tuple[str, ...], name: str, data: bytes) -> Path:
    """Write ``root/parts/name`` whole: a new file (O_EXCL) renamed over the old name."""
    with _folder(root, parts) as folder:
        temp = f".{name}.{secrets.token_hex(6)}.tmp"
        _write_file(folder, temp, os.O_CREAT | os.O_EXCL, Path(root, *parts), data, sync=False)
        os.replace(temp, name, src_dir_fd=folder, dst_dir_fd=folder)
    return Path(root, *parts, name)


def read(root: Path, parts: tuple[str, ...], name: str) -> bytes | None:
    """The bytes of ``root/parts/name`` (None when missing); links and non-files refused."""
    try:
        with _folder(root, parts, create=False) as folder:
            fd = _open_file(folder, name, os.O_RDONLY, Path(root, *parts))
            with os.fdopen(fd, "rb") as fh:
                return fh.read()
    except FileNotFoundError:
        return None


def move_aside(root: Path, parts: tuple[str, ...], name: str, why: str) -> str:
    """Rename ``name`` to ``name.<why>-<random>`` (kept for the user, never appended to)."""
    with _folder(root, parts) as folder:
        aside = f"{name}.{why}-{secrets.token_hex(3)}"
        os.rename(name, aside, src_dir_fd=folder, dst_dir_fd=folder)
        return aside


class LogState:
    """What a monitor saved of one blob: ``{"blob", "length", "sha256", "complete"}``."""

    def __init__(self, root: Path, parts: tuple[str, ...], name: str):
        self.root, self.parts, self.name = root, parts, name
        self.state_name = f".{name}.state"
        self.digest = hashlib.sha256()
        self.length = 0
        self.blob: str | None = None
        self.complete = False

    def load(self) -> dict | None:
        raw = read(self.root, self.parts, self.state_name)
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def verify_local(self, blob_url: str) -> str | None:
        """None when the saved log is the one the state describes (length and hash); else why not."""
        data = read(self.root, self.parts, self.name)
        if data is None:
            return None  # nothing saved: nothing to verify
        state = self.load()
        digest = hashlib.sha256(data)
        if not state:
            return "it has no state file, so nothing says it came from this blob"
        if state.get("blob") != blob_url:
            return "its state names another blob"
        if state.get("length") != len(data) or state.get("sha256") != digest.hexdigest():
            return "its length or SHA-256 differs from what was saved"
        self.digest, self.length, self.blob = digest, len(data), blob_url
        self.complete = bool(state.get("complete"))
        return None

    def appended(self, blob_url: str, data: bytes) -> None:
        self.digest.update(data)
        self.length += len(data)
        self.blob = blob_url
        self.save()

    def save(self) -> None:
        body = {"blob": self.blob, "length": self.length, "sha256": self.digest.hexdigest(), "complete": self.complete}
        replace(self.root, self.parts, self.state_name, json.dumps(body).encode())
