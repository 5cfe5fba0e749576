"""The on-disk cache of work derived from the catalogue (diagnosis/cache.py): each pattern's
literals (what the pure-Python search needs before it reads a byte) and the compiled Hyperscan
database. It is read back by the next run, not used once the patterns change, and never makes a
diagnosis fail: a damaged entry or a folder that cannot be written means the work is done again."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys

import pytest

from aib_pilot.diagnosis import cache, literals, rules
from aib_pilot.diagnosis.multimatch import hyperscan_available
from aib_pilot.diagnosis.scanner import finder

from .conftest import example_path

SOURCES = [p.source for p in rules.ALL_PATTERNS]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("AIB_PILOT_CACHE_DIR", str(folder))
    saved = dict(rules._LITERALS)
    rules._LITERALS.clear()  # this process's memory of them: each test starts from the disk
    yield folder
    rules._LITERALS.clear()
    rules._LITERALS.update(saved)


def _reads(monkeypatch) -> list[str]:
    """Patterns the literal reader is asked about from now on."""
    asked: list[str] = []
    real = literals.required_literals

    def counting(source):
        asked.append(source)
        return real(source)

    monkeypatch.setattr(literals, "required_literals", counting)
    return asked


def _expected() -> list:
    return [literals.required_literals(s) for s in SOURCES]


def test_the_literals_are_read_once_and_then_come_from_the_cache(cache_dir, monkeypatch):
    asked = _reads(monkeypatch)
    rules.load_literals(SOURCES)
    assert len(asked) == len(set(SOURCES))
    assert [f.name for f in cache_dir.iterdir()][0].startswith("literals-")
    rules._LITERALS.clear()  # a new run
    asked.clear()
    rules.load_literals(SOURCES)
    assert asked == []
    assert [rules.literals_of(s) for s in SOURCES] == _expected()


def test_changed_patterns_do_not_use_the_old_entry(cache_dir, monkeypatch):
    rules.load_literals(SOURCES)
    rules._LITERALS.clear()
    asked = _reads(monkeypatch)
    changed = SOURCES[:-1] + [r"disk quota (?:exceeded|reached)"]
    rules.load_literals(changed)
    assert len(asked) == len(set(changed))
    assert rules.literals_of(changed[-1]) == ((b"disk quota ",), False)
    assert len(list(cache_dir.iterdir())) == 2


@pytest.mark.parametrize("damage", ["garbage", "cut", "other content"])
def test_a_damaged_entry_is_read_again_and_replaced(cache_dir, monkeypatch, damage):
    rules.load_literals(SOURCES)
    (entry,) = cache_dir.iterdir()
    data = entry.read_bytes()
    if damage == "garbage":
        entry.write_bytes(b"\x00not a cache entry")
    elif damage == "cut":
        entry.write_bytes(data[:len(data) // 2])
    else:  # well-formed content, but not what the digest was taken of
        head = data[:len(data) - len(cache.load(entry.name))]
        entry.write_bytes(head + marshal.dumps([(None, False)] * len(SOURCES)))
    rules._LITERALS.clear()
    asked = _reads(monkeypatch)
    rules.load_literals(SOURCES)
    assert len(asked) == len(set(SOURCES))
    assert [rules.literals_of(s) for s in SOURCES] == _expected()
    assert marshal.loads(cache.load(entry.name)) == _expected()  # written again


def test_a_cache_folder_that_cannot_be_written_is_not_used(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = dict(os.environ, AIB_PILOT_CACHE_DIR=str(blocker / "cache"), AIB_PILOT_ENGINE="python")
    argv = [sys.executable, "-m", "aib_pilot", "diagnose", example_path("linux-customizer-failed.log"), "-f", "json"]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stderr == ""
    assert json.loads(proc.stdout)["category"] == "package_manager_locked"
    # the same answer as with a working cache
    env["AIB_PILOT_CACHE_DIR"] = str(tmp_path / "ok")
    assert subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120).stdout == proc.stdout


@pytest.mark.skipif(not hyperscan_available(), reason="the hyperscan wheel is not installed here")
def test_the_hyperscan_database_is_cached_and_a_damaged_one_compiled_again(cache_dir, monkeypatch):
    import aib_pilot.diagnosis.scanner as scanner

    monkeypatch.setattr(scanner, "_FINDERS", {})
    log = open(example_path("linux-customizer-failed.log"), "rb").read()
    expected = finder("hyperscan").candidates(log).lines
    (entry,) = [f for f in cache_dir.iterdir() if f.name.startswith("hyperscan-")]
    good = entry.read_bytes()
    entry.write_bytes(good[:100])
    monkeypatch.setattr(scanner, "_FINDERS", {})
    assert finder("hyperscan").candidates(log).lines == expected
    assert cache.load(entry.name) is not None  # compiled and saved again
    saved = entry.stat().st_ino
    monkeypatch.setattr(scanner, "_FINDERS", {})
    assert finder("hyperscan").candidates(log).lines == expected
    assert entry.stat().st_ino == saved  # read from the cache, not compiled and saved again
