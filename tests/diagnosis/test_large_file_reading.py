"""A log file of several read chunks gives the same diagnosis however it is read.

A path to a regular file is read as memory-mapped chunks (``sources.CHUNK_BYTES``); a file object is read with
``read``; bytes arrive as one buffer. Line numbers, sections, evidence and tails must not depend
on where the chunks end.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.multimatch import hyperscan_available

from .conftest import ROOT

ENGINES = ["python"] + (["hyperscan"] if hyperscan_available() else [])


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("big") / "customization.log"
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_big_log.py"), str(path), "--mb", "20",
                    "--layout", "deep"], check=True, capture_output=True)
    return str(path)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_mapped_file_a_read_file_and_bytes_give_one_answer(big_log, engine, monkeypatch, tmp_path):
    monkeypatch.setenv("AIB_PILOT_ENGINE", engine)
    monkeypatch.setenv("AIB_PILOT_CACHE_DIR", str(tmp_path))
    with open(big_log, "rb") as fh:
        data = fh.read()
    mapped = diagnose(big_log).to_dict()
    with open(big_log, "rb") as fh:
        read = diagnose(fh).to_dict()
    whole = diagnose(data).to_dict()
    for d in (mapped, read, whole):
        d.pop("source", None)
    assert mapped == read == whole
    lock = next(n for n, line in enumerate(data.split(b"\n"), 1) if b"Could not get lock" in line)
    assert mapped["category"] == "package_manager_locked" and mapped["engine"] == engine
    assert mapped["findings"][0]["evidence"][0]["line"] == lock
    assert mapped["lines_read"] == data.count(b"\n")
