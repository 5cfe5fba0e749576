"""Cleaning untrusted lines and escaping our own command values."""

from __future__ import annotations

import pytest

from aib_pilot.report.safety import (ado_escape_data, ado_escape_property, clean_line, clean_lines,
                                     gh_escape_data, gh_escape_property, random_token)

from .runners import _ADO, _GH_DATA, _GH_PROP, GITHUB_COMMANDS, _unescape, ado_commands, github_commands


@pytest.mark.parametrize("raw,expected", [
    ("##vso[task.setvariable variable=x]y", "# #vso[task.setvariable variable=x]y"),
    ("foo ##vso[task.complete result=Succeeded;]", "foo # #vso[task.complete result=Succeeded;]"),
    ("##[error]x", "# #[error]x"),
    ("###vso[a.b]c", "## #vso[a.b]c"),
    ("##VsO[a.b]c", "# #VsO[a.b]c"),
    ("#\u200b#vso[a.b]c", "# #vso[a.b]c"),
    ("\ufeff##[warning]w", "# #[warning]w"),
    ("::error::pwned", ": :error::pwned"),
    ("   ::set-output name=x::y", "   : :set-output name=x::y"),
    ("\u200b::error::zw", ": :error::zw"),
    ("\x1b[31m::error::red\x1b[0m", ": :error::red"),
    ("tab\tkept", "tab\tkept"),
    ("ok :: not at start", "ok :: not at start"),
    ("héllo wörld 한국어", "héllo wörld 한국어"),
])
def test_clean_line(raw, expected):
    assert clean_line(raw) == expected
    assert github_commands(clean_line(raw)) == [] and ado_commands(clean_line(raw)) == []


def test_every_line_break_splits():
    assert clean_lines("a\r::error::b\nc\r\n##vso[x.y]z\u2028::warning::w") == [
        "a", ": :error::b", "c", "# #vso[x.y]z", ": :warning::w"]
    assert clean_lines(["one\ntwo", "three"]) == ["one", "two", "three"]


def test_secrets_are_redacted():
    line = clean_line("https://a.blob.core.windows.net/c/b?sv=1&sig=abc%2Bdef&se=2")
    assert "abc" not in line and "sig=***" in line


@pytest.mark.parametrize("value", ["plain", "50% done", "%0A literal", "a:b,c", "x\r\ny", "%25%3A", "%AZP25 ;]"])
def test_escaping_round_trips_through_the_runner_unescape(value):
    assert _unescape(gh_escape_data(value), _GH_DATA) == value
    assert _unescape(gh_escape_property(value), _GH_PROP) == value
    assert _unescape(ado_escape_data(value), _ADO) == value
    assert _unescape(ado_escape_property(value), _ADO) == value
    for escaped in (gh_escape_property(value), ado_escape_property(value)):
        assert "\n" not in escaped and "\r" not in escaped
    assert ":" not in gh_escape_property(value) and "," not in gh_escape_property(value)
    assert ";" not in ado_escape_property(value) and "]" not in ado_escape_property(value)


def test_stop_tokens_are_random_and_not_command_names():
    tokens = {random_token() for _ in range(50)}
    assert len(tokens) == 50
    assert not tokens & GITHUB_COMMANDS and all(len(t) > 32 for t in tokens)
