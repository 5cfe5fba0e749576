"""A log file another process truncates while aib-pilot reads it: no bus error.

Large files are read as memory maps (``sources``). Reading a mapped page past the end of a file
that was truncated meanwhile raises SIGBUS, which ends the process without a message. The reader
maps a file only under a read lease, so a process that truncates it waits until the chunk being
read is done and the reader has switched to ``read``; a file someone has open for writing is not
mapped at all.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from aib_pilot.diagnosis import diagnose, sources

from .conftest import example_path

pytestmark = pytest.mark.skipif(sources._POPULATE is None or not sys.platform.startswith("linux"),
                                reason="files are mapped on Linux only")

# Reads the first 1 MB chunk of the log (mapped), lets a second process truncate the file, then
# reads every byte of that chunk and the rest of the log.
READER = r"""
import os, subprocess, sys
from aib_pilot.diagnosis import sources
sources.CHUNK_BYTES = 1 << 20
path = sys.argv[1]
chunks = sources.open_chunks(path)
first = next(chunks)
truncater = subprocess.Popen([sys.executable, "-c", "import os, sys; print('truncating', flush=True); "
                              f"os.truncate({path!r}, 0)"], stdout=subprocess.PIPE, text=True)
assert truncater.stdout.readline() == "truncating\n"
try:
    truncater.wait(timeout=0.5)
except subprocess.TimeoutExpired:
    print("the truncation waits", flush=True)
first.find(b"\x00\x01\x02")  # every byte of the mapped chunk
print("chunk read:", type(first).__name__, len(first), flush=True)
del first
rest = sum(len(chunk) for chunk in chunks)
truncater.wait(timeout=60)
print("rest:", rest, "size now:", os.path.getsize(path))
"""


@pytest.fixture
def log_5mb(tmp_path):
    line = open(example_path("linux-customizer-failed.log"), "rb").read()
    path = tmp_path / "customization.log"
    path.write_bytes(line * (5 * 1024 * 1024 // len(line) + 1))
    return path


def test_a_file_truncated_while_mapped_is_read_to_its_new_end_without_a_bus_error(log_5mb):
    proc = subprocess.run([sys.executable, "-c", READER, str(log_5mb)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)  # -7: SIGBUS
    lines = proc.stdout.splitlines()
    assert lines[:2] == ["the truncation waits", f"chunk read: mmap {1 << 20}"]
    assert lines[2].endswith("size now: 0")  # the other process truncated it, once the lease was given back


def test_a_file_open_for_writing_elsewhere_is_read_not_mapped(log_5mb, tmp_path, monkeypatch):
    monkeypatch.setenv("AIB_PILOT_CACHE_DIR", str(tmp_path / "cache"))
    mapped = diagnose(str(log_5mb)).to_dict()
    writer = subprocess.Popen([sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'ab'); "
                               "print('open', flush=True); time.sleep(60)", str(log_5mb)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "open\n"
        chunks = sources.open_chunks(str(log_5mb))
        assert type(next(chunks)) is bytes
        chunks.close()
        assert diagnose(str(log_5mb)).to_dict() == mapped
    finally:
        writer.kill()
        writer.wait()
    assert mapped["category"] == "package_manager_locked"


def test_the_lease_is_given_back_and_sigio_restored_after_reading(log_5mb):
    import signal

    before = signal.getsignal(signal.SIGIO)
    chunks = sources.open_chunks(str(log_5mb))
    assert type(next(chunks)) is not bytes  # mapped, under a lease
    assert signal.getsignal(signal.SIGIO) is not before
    for _ in chunks:
        pass
    assert signal.getsignal(signal.SIGIO) is before
    # a writer is not kept waiting (the kernel would hold it up to 45 s for a lease never given back)
    subprocess.run([sys.executable, "-c", "import sys; open(sys.argv[1], 'ab').close()", str(log_5mb)],
                   check=True, timeout=20)
