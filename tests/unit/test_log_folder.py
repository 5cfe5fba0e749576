"""azure/log_folder.py on planted files: links, FIFOs and folders that are links (attacks on --log-dir)."""

from __future__ import annotations

import os

import pytest

from aib_pilot.azure import log_folder
from aib_pilot.azure.log_folder import PlantedLink


def test_append_creates_and_appends(tmp_path):
    log_folder.append(tmp_path, ("t", "run"), "customization.log", b"a\n")
    log_folder.append(tmp_path, ("t", "run"), "customization.log", b"b\n")
    assert (tmp_path / "t/run/customization.log").read_bytes() == b"a\nb\n"


def test_a_folder_that_is_a_link_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "t").symlink_to(elsewhere)
    with pytest.raises(PlantedLink, match="a link or not a folder"):
        log_folder.append(tmp_path / "logs", ("t", "run"), "customization.log", b"x")
    assert list(elsewhere.iterdir()) == []


def test_a_planted_fifo_is_refused_without_blocking(tmp_path):
    (tmp_path / "t").mkdir()
    os.mkfifo(tmp_path / "t" / "customization.log")
    with pytest.raises(PlantedLink, match="not a regular file"):
        log_folder.append(tmp_path, ("t",), "customization.log", b"x")


def test_replace_replaces_a_link_not_its_target(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "template.json").symlink_to(victim)
    log_folder.replace(tmp_path, ("t",), "template.json", b"{}")
    assert victim.read_text() == "keep"
    assert not (tmp_path / "t" / "template.json").is_symlink()
    assert (tmp_path / "t" / "template.json").read_bytes() == b"{}"


def test_state_verifies_length_and_hash(tmp_path):
    state = log_folder.LogState(tmp_path, ("t", "run"), "customization.log")
    log_folder.append(tmp_path, ("t", "run"), "customization.log", b"hello\n")
    state.appended("https://a/packerlogs/run/customization.log", b"hello\n")
    fresh = log_folder.LogState(tmp_path, ("t", "run"), "customization.log")
    assert fresh.verify_local("https://a/packerlogs/run/customization.log") is None and fresh.length == 6
    assert "another blob" in log_folder.LogState(tmp_path, ("t", "run"), "customization.log").verify_local("https://b/x")
    (tmp_path / "t/run/customization.log").write_bytes(b"HELLO\n")  # same length, other bytes
    problem = log_folder.LogState(tmp_path, ("t", "run"), "customization.log").verify_local(
        "https://a/packerlogs/run/customization.log")
    assert problem and "SHA-256" in problem
