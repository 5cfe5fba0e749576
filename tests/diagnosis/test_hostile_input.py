"""Logs written to hurt: work stays bounded, answers stay right, endless or binary input stops."""

from __future__ import annotations

import itertools

import pytest

from aib_pilot.diagnosis import diagnose
from aib_pilot.diagnosis.scanner import MAX_SECTIONS
from aib_pilot.errors import UsageError

OP = "[5b0e2c71-7f3e-4d55-8a61-2c9d3e4f5a6b] "


def test_every_line_an_error_word_still_finds_the_real_cause_at_the_end():
    noise = [f"{OP}PACKER OUT ==> azure-arm: ERROR: step {i} reported a problem" for i in range(60000)]
    real = [f"{OP}PACKER OUT     azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 99",
            f"{OP}PACKER OUT ==> azure-arm: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
            f"{OP}PACKER OUT Build 'azure-arm' errored after 9 minutes: Script exited with non-zero exit status: 100."]
    d = diagnose(("\n".join(noise + real) + "\n").encode())
    assert d.category == "package_manager_locked"
    assert d.extra["skipped_lines"] > 0  # the flood was sampled, not read line by line


def test_fake_section_markers_keep_the_timeline_bounded():
    lines = []
    for i in range(3000):
        lines += [f"{OP}PACKER ERR 2026/01/01 00:00:00 [INFO] (telemetry) Starting provisioner shell",
                  f"{OP}PACKER OUT     azure-arm: step {i}",
                  f"{OP}PACKER ERR 2026/01/01 00:00:01 [INFO] (telemetry) ending shell"]
    d = diagnose(("\n".join(lines) + "\n").encode())
    assert len([t for t in d.timeline if t["kind"] == "customizer"]) <= MAX_SECTIONS
    assert d.lines_read == len(lines)


def test_endless_input_stops_with_one_clear_error(monkeypatch):
    monkeypatch.setenv("AIB_PILOT_MAX_LOG_BYTES", str(1 << 20))
    endless = (b"    azure-arm: error: again\n" for _ in itertools.count())
    with pytest.raises(UsageError, match="endless stream"):
        diagnose(endless)


def test_a_run_of_nul_bytes_is_binary_input():
    with pytest.raises(UsageError, match="NUL bytes"):
        diagnose(b"==> azure-arm: start\n" + b"\x00" * 4096)
