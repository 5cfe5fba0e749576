"""Parse output the way the CI runners do, to prove which commands a log would execute.

GitHub (actions/runner ActionCommand.TryParseV2 / TryParse, ActionCommandManager): per line, a
line whose text after leading whitespace starts with ``::`` and names a registered command; else
``##[<registered command>`` anywhere; while ``stop-commands`` is active only ``::<token>::`` counts.
Azure DevOps (agent Command.TryParse): ``##vso[area.event ...]`` anywhere in a line.

Both runners search with .NET culture-sensitive comparisons (``string.IndexOf(string)``,
``StartsWith(string)``), which on ICU skip characters of zero collation weight. These parsers model
that with ICU itself: parsers/icu_collation.mjs asks Node's ICU which code points compare as
nothing between two '#' and which equal '#', ':', '[', 'v', 's', 'o' at the weakest (primary)
strength; every line is folded with that table before it is parsed, and any case matches.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

GITHUB_COMMANDS = {"add-mask", "add-matcher", "remove-matcher", "debug", "notice", "warning", "error",
                   "group", "endgroup", "echo", "stop-commands", "set-output", "set-env", "add-path",
                   "save-state", "internal-set-repo-path", "pause-logging"}
_IGNORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4"
                        "\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f"
                        "\ufeff\uffa0\U000e0000-\U000e0fff]")


@functools.lru_cache(maxsize=1)
def icu_table_file() -> Path | None:
    """parsers/icu_collation.mjs's answer, computed once per Node version and kept beside the
    parsers' node_modules (git-ignored). Not in the temp folder: the test session checks that
    nothing is left there, and an exit hook would run only after that check."""
    node = shutil.which("node")
    if not node:
        return None
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True, timeout=60).stdout
    folder = Path(__file__).with_name("parsers") / "node_modules"
    folder.mkdir(exist_ok=True)
    path = folder / f".aib-pilot-icu-{version.strip().lstrip('v')}.json"
    if not path.exists():
        script = Path(__file__).with_name("parsers") / "icu_collation.mjs"
        raw = subprocess.run([node, str(script)], capture_output=True, check=True, timeout=300).stdout
        partial = path.with_name(f"{path.name}.{os.getpid()}")   # xdist workers may race: rename whole
        partial.write_bytes(raw)
        os.replace(partial, path)
    return path


@functools.lru_cache(maxsize=1)
def _icu_fold_table() -> dict[int, str | None]:
    """code point -> replacement (None = deleted), from Node's ICU; the static list without Node."""
    path = icu_table_file()
    if path is None:
        return {}
    data = json.loads(path.read_text())
    table: dict[int, str | None] = {cp: None for cp in data["ignorable"]}
    for key, points in data["equal"].items():
        for cp in points:
            if cp > 0x7F:  # ASCII case is handled by the parsers (they match any case)
                table[cp] = key
    return table


def culture_fold(line: str) -> str:
    """The line as a culture-aware ICU search sees it: ignorables gone, look-alikes made ASCII."""
    table = _icu_fold_table()
    if table:
        return line.translate(table)
    return _IGNORABLE.sub("", line)


# .NET StreamReader.ReadLine splits on CR, LF, CRLF; Python's splitlines is a superset, use the
# narrower set so that a hidden command behind U+2028 would still be seen on the same line.
_LINES = re.compile(r"\r\n|\r|\n")


@dataclass
class Command:
    name: str
    props: dict = field(default_factory=dict)
    data: str = ""


def _unescape(text: str, table: list[tuple[str, str]]) -> str:
    for escaped, plain in table:
        text = text.replace(escaped, plain)
    return text


_GH_DATA = [("%0D", "\r"), ("%0A", "\n"), ("%25", "%")]
_GH_PROP = [("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")]
_GH_LEGACY = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%")]
_ADO = [("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%")]


def _github_v2(line: str, names: set[str]) -> Command | None:
    text = line.lstrip()
    if not text.startswith("::"):
        return None
    end = text.find("::", 2)
    if end < 0:
        return None
    info = text[2:end]
    name, _, props_text = info.partition(" ")
    if name.lower() not in names:
        return None
    props = {}
    for item in props_text.strip().split(","):
        key, sep, value = item.partition("=")
        if sep and key and value:
            props[key.lower()] = _unescape(value, _GH_PROP)
    return Command(name.lower(), props, _unescape(text[end + 2:], _GH_DATA))


def _github_legacy(line: str, names: set[str]) -> Command | None:
    start = line.find("##[")
    if start < 0:
        return None
    close = line.find("]", start)
    if close < 0:
        return None
    info = line[start + 3:close]
    name, _, props_text = info.partition(" ")
    if name.lower() not in names:
        return None
    props = {}
    for item in props_text.split(";"):
        key, sep, value = item.partition("=")
        if sep and key and value:
            props[key.lower()] = _unescape(value, _GH_LEGACY)
    return Command(name.lower(), props, _unescape(line[close + 1:], _GH_LEGACY))


def github_commands(text: str) -> list[Command]:
    """Commands the GitHub runner would execute for this stdout/stderr text."""
    out: list[Command] = []
    stop_token: str | None = None
    for raw in _LINES.split(text):
        line = culture_fold(raw)
        if stop_token is not None:
            resume = _github_v2(line, {stop_token.lower()})
            if resume:
                out.append(Command("resume-commands", {}, stop_token))
                stop_token = None
            continue
        cmd = _github_v2(line, GITHUB_COMMANDS) or _github_legacy(line, GITHUB_COMMANDS)
        if cmd:
            out.append(cmd)
            if cmd.name == "stop-commands":
                stop_token = cmd.data
    return out


def ado_commands(text: str) -> list[Command]:
    """``##vso[...]`` logging commands the Azure DevOps agent would execute."""
    out: list[Command] = []
    for raw in _LINES.split(text):
        line = culture_fold(raw)
        start = line.lower().find("##vso[")
        if start < 0:
            continue
        close = line.find("]", start)
        if close < 0:
            continue
        info = line[start + 6:close]
        name, _, props_text = info.partition(" ")
        if len([p for p in name.split(".") if p]) != 2:
            continue
        props = {}
        for item in props_text.split(";"):
            key, sep, value = item.partition("=")
            if sep and key and value:
                props[key.lower()] = _unescape(value, _ADO)
        out.append(Command(name.lower(), props, _unescape(line[close + 1:], _ADO)))
    return out


def ado_format_commands(text: str) -> list[str]:
    """``##[name]`` formatting commands anywhere in a line (group, error, warning, section...)."""
    found = []
    for raw in _LINES.split(text):
        line = culture_fold(raw)
        for match in re.finditer(r"##\[([A-Za-z-]+)", line):
            found.append(match.group(1).lower())
    return found
