"""Make untrusted text safe to print in a CI log, and escape what goes inside our own commands.

Why a visible break and not a zero-width space: both the GitHub runner (``ActionCommand.TryParse``)
and the Azure DevOps agent (``Command.TryParse``) find ``##[`` / ``##vso[`` with .NET's
culture-sensitive ``string.IndexOf(string)``. With ICU (Linux agents, recent Windows), characters
such as U+200B ZERO WIDTH SPACE are *ignorable* in that comparison, so ``##\u200bvso[`` can still
match. We therefore

1. drop control characters (except tab) and Unicode default-ignorable characters, so an attacker
   cannot hide a marker behind them either, and
2. break every marker with a plain ASCII space, which is never ignorable:
   ``##vso[`` -> ``# #vso[``, ``##[`` -> ``# #[``, and a line starting with ``::`` -> ``: :``.

Sources: actions/runner ``src/Runner.Common/ActionCommand.cs`` and microsoft/azure-pipelines-agent
``src/Microsoft.VisualStudio.Services.Agent/Command.cs`` (both use ``message.IndexOf(prefix)``);
escaping tables from the same files and from azure-pipelines-task-lib ``node/internal.ts``.
"""

from __future__ import annotations

import re
import secrets

from aib_pilot.redact import redact

# Controls except TAB, plus Unicode default-ignorable code points (format characters, variation
# selectors, fillers, tags). Line breaks are handled separately by split_lines().
_IGNORABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
# ANSI escape sequences (CSI ... final byte, OSC ... BEL/ST) are removed whole, before controls.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# A '#' that starts '##[' or '##vso[' (any case). Applied until nothing matches.
_HASH_MARKER = re.compile(r"#(?=#(?:[vV][sS][oO])?\[)")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """Split on every character any runner or terminal could treat as a line end."""
    if text == "":
        return [""]
    parts = _LINE_BREAKS.split(text)
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def clean_line(line: str) -> str:
    """Redact secrets, drop invisible/control characters, and break command markers in ONE line."""
    line = redact(line)
    line = _ANSI.sub("", line)
    line = _IGNORABLE.sub("", line)
    while _HASH_MARKER.search(line):
        line = _HASH_MARKER.sub("# ", line)
    stripped = line.lstrip()
    if stripped.startswith("::"):
        lead = len(line) - len(stripped)
        line = line[:lead] + ": " + stripped[1:]
    return line


def clean_lines(text_or_lines: str | list[str] | tuple[str, ...]) -> list[str]:
    """Clean untrusted text (a string or a list of strings), returning one safe string per line."""
    items = [text_or_lines] if isinstance(text_or_lines, str) else list(text_or_lines)
    out: list[str] = []
    for item in items:
        for piece in split_lines("" if item is None else str(item)):
            out.append(clean_line(piece))
    return out


def clean_text(text: str | None) -> str:
    """Clean a possibly multi-line string, keeping '\\n' between the cleaned lines."""
    if not text:
        return ""
    return "\n".join(clean_lines(text))


def clean_inline(text: str | None, limit: int = 4000) -> str:
    """Clean text and fold it onto one line (for titles, table cells, property values)."""
    if not text:
        return ""
    folded = " ".join(part.strip() for part in clean_lines(text) if part.strip())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def random_token() -> str:
    """A fresh unguessable token for ``::stop-commands::`` and heredoc delimiters."""
    return "aibpilot" + secrets.token_hex(16)


# --- GitHub workflow-command escaping (runner ActionCommand.cs, toolkit command.ts) ----------

def gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_escape_property(text: str) -> str:
    return gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


# --- Azure DevOps logging-command escaping (agent CommandStringConvertor, task-lib) ---------

def ado_escape_data(text: str) -> str:
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def ado_escape_property(text: str) -> str:
    return ado_escape_data(text).replace(";", "%3B").replace("]", "%5D")
