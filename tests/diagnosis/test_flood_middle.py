"""A specific cause printed in the middle of a flood of error lines is still found.

A region with more than ``multimatch.FLOOD`` candidate lines keeps its first ones and its last
16 KB; the lines between are searched again for the specific causes only. The logs here are a
chatty customizer as real tools print it: a unittest run whose every failing test prints an
``ERROR: test_…`` record with its traceback, thousands of them, and the real cause (apt could not
get the dpkg lock) printed between two such runs, far from both ends of the section.
"""

from __future__ import annotations

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.multimatch import FLOOD, FLOOD_TAIL_BYTES, MIDDLE_SLICE, Found, hyperscan_available
from aib_pilot.diagnosis.scanner import finder

from .logbuilder import Log

ENGINES = ["python"] + (["hyperscan"] if hyperscan_available() else [])

LOCK = ["E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 2231 (apt-get)",
        "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"]


def unittest_errors(suite: str, count: int) -> list[str]:
    """What ``python -m unittest -v`` prints for ``count`` tests that raise, as it prints it."""
    out = [f"test_row_{i:04d} ({suite}.RowTest.test_row_{i:04d}) ... ERROR" for i in range(count)]
    for i in range(count):
        out += [
            "=" * 70,
            f"ERROR: test_row_{i:04d} ({suite}.RowTest.test_row_{i:04d})",
            "-" * 70,
            "Traceback (most recent call last):",
            f'  File "/opt/ledger/{suite.replace(".", "/")}.py", line 58, in test_row',
            f'    rows = importer.load(fixture("rows-{i:04d}.csv"))',
            '  File "/opt/ledger/ledger/importer.py", line 112, in load',
            "    raise RowError(f\"row {n}: column 'amount' is not a number\")",
            f"ledger.importer.RowError: row {i % 17 + 1}: column 'amount' is not a number",
            "",
        ]
    out += ["-" * 70, f"Ran {count} tests in 41.207s", "", f"FAILED (errors={count})"]
    return out


def chatty_log() -> tuple[bytes, int]:
    """A failed build whose shell customizer floods the log before and after the real cause;
    returns the log and the line of the cause."""
    output = ["+ python3 -m unittest discover -v tests.unit || true"] + unittest_errors("tests.unit.test_rows", 2500)
    output += ["+ sudo apt-get install -y libpq-dev", "Reading package lists...", *LOCK]
    output += ["+ python3 -m unittest discover -v tests.integration"]
    output += unittest_errors("tests.integration.test_rows", 2500)
    log = Log().deploy().deployment_status().connect().shell(output, code=1)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 1. Allowed exit codes are: [0]")
    data = log.text().encode()
    line = next(n for n, text in enumerate(data.split(b"\n"), 1) if b"Could not get lock" in text)
    return data, line


@pytest.mark.parametrize("engine", ENGINES)
def test_a_lock_between_two_floods_of_error_records_is_the_cause(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("AIB_PILOT_ENGINE", engine)
    monkeypatch.setenv("AIB_PILOT_CACHE_DIR", str(tmp_path))
    data, line = chatty_log()
    d = diagnose(data)
    assert d.extra["engine"] == engine
    assert d.extra["skipped_lines"] > 10000  # the region was flooded: the lock sat in its middle
    assert d.category == "package_manager_locked"
    top = d.findings[0]
    assert top.rule.id == "AIB211" and top.evidence[0].line == line
    assert d.failing_section is not None and d.failing_section["start_line"] < line <= d.failing_section["end_line"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_needle_that_matches_every_line_costs_one_line_per_slice(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("AIB_PILOT_ENGINE", engine)
    monkeypatch.setenv("AIB_PILOT_CACHE_DIR", str(tmp_path))
    line = b"    azure-arm: ERROR: Service 'web' failed to build: exit status 2\n"
    buf = line * (8 * 1024 * 1024 // len(line))
    found = finder(engine).candidates(buf)
    assert isinstance(found, Found) and found.flooded is not None
    lo, hi = found.flooded
    middle = [ls for ls in found.lines if lo <= ls < hi]
    slices = (hi - lo) // MIDDLE_SLICE + 1
    assert 0 < len(middle) <= slices  # the error-record rule: one line per slice, not one per line
    assert len(found.lines) <= FLOOD + slices + FLOOD_TAIL_BYTES // len(line) + 1
