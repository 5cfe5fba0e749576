"""A reader that stops early (`| head -1`) does not turn a failed build into success."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAILED_LOG = ROOT / "examples" / "logs" / "linux-customizer-failed.log"
GOOD_LOG = ROOT / "examples" / "logs" / "linux-success.log"


def _diagnose_into_closed_pipe(log: Path, fmt: str) -> tuple[int, str]:
    """Run diagnose with stdout a pipe whose reader closes after the first line, like `head -1`."""
    read_end, write_end = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "aib_pilot", "diagnose", str(log), "--format", fmt],
                            stdout=write_end, stderr=subprocess.PIPE)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        reader.readline()
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err.decode()


@pytest.mark.parametrize("fmt", ["github", "azure-devops", "text", "markdown"])
def test_a_failed_build_piped_into_head_still_fails(fmt):
    code, err = _diagnose_into_closed_pipe(FAILED_LOG, fmt)
    assert code == 1, err
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_a_good_build_piped_into_head_stays_a_success():
    code, err = _diagnose_into_closed_pipe(GOOD_LOG, "text")
    assert code == 0, err
