"""The literal text every match of a rule pattern must contain, read from the pattern itself.

The pure-Python search engine (``multimatch``) finds candidate lines with ``bytes.find`` on these
literals before it runs any regular expression, so it must know, for each pattern, a set of
strings one of which every match contains. This module reads that from the pattern text with a
small tokenizer of its own (the standard library's regex parser is private and changed between
Python 3.10 and 3.11).

Only what is certain is returned: runs of plain characters that are not made optional by a
following quantifier, outside classes and groups; a top-level alternation gives one literal per
branch (or nothing when a branch has none). When in doubt the answer is ``None``: the pattern is
then searched with its regex alone, which is slower but never wrong.
"""

from __future__ import annotations

MIN_LITERAL = 3
_QUANT_OPTIONAL = "?*{"  # a quantifier that allows zero repetitions (``{`` checked below)
_SPECIAL = set(".^$*+?{}[]\\|()")
_ESCAPE_LITERAL = {"\\": "\\", ".": ".", "(": "(", ")": ")", "[": "[", "]": "]", "{": "{", "}": "}",
                   "*": "*", "+": "+", "?": "?", "|": "|", "^": "^", "$": "$", "/": "/", "-": "-",
                   "'": "'", '"': '"', "#": "#", " ": " ", ":": ":", "=": "=", "<": "<", ">": ">",
                   "@": "@", "!": "!", ",": ",", "&": "&", "%": "%", "~": "~", "`": "`", ";": ";"}


def _group_end(p: str, i: int) -> int:
    """Index just after the group or class that starts at ``p[i]``."""
    depth, j, in_class = 0, i, False
    while j < len(p):
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
                if depth == 0:
                    return j + 1
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return len(p)


def _optional_after(p: str, j: int) -> bool:
    """Whether the quantifier at ``p[j]`` (if any) allows zero repetitions."""
    if j >= len(p):
        return False
    if p[j] in "?*":
        return True
    if p[j] == "{":
        body = p[j + 1:p.find("}", j)]
        return body.split(",")[0].strip() in ("", "0")
    return False


def _split_top(p: str) -> list[str]:
    """The branches of a top-level alternation (one item when there is none)."""
    out, depth, j, start, in_class = [], 0, 0, 0, False
    while j < len(p):
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(p[start:j])
            start = j + 1
        j += 1
    out.append(p[start:])
    return out


def _runs(p: str) -> list[str]:
    """Required literal runs of one branch (no top-level ``|`` inside)."""
    runs, cur, j = [], [], 0

    def close() -> None:
        if cur:
            runs.append("".join(cur))
            cur.clear()

    while j < len(p):
        c = p[j]
        if c == "\\" and j + 1 < len(p):
            nxt = p[j + 1]
            if nxt in _ESCAPE_LITERAL:
                if _optional_after(p, j + 2):
                    close()
                else:
                    cur.append(_ESCAPE_LITERAL[nxt])
                    if j + 2 < len(p) and p[j + 2] == "+":
                        close()
                j += 2
                continue
            close()  # \d, \s, \b, \w ...: a class or an assertion
            j += 2
            continue
        if c in "([":
            end = _group_end(p, j)
            close()
            j = end
            if j < len(p) and p[j] == "{":
                close_brace = p.find("}", j)
                j = close_brace + 1 if close_brace > 0 else len(p)
            elif j < len(p) and p[j] in "?*+":
                j += 1
            continue
        if c in ".^$":
            close()
            j += 1
            continue
        if c == "{":
            close()
            close_brace = p.find("}", j)
            j = close_brace + 1 if close_brace > 0 else len(p)
            continue
        if c in "?*+}":
            close()
            j += 1
            continue
        if c == ")" or c == "]" or c == "|":
            close()
            j += 1
            continue
        # a plain character: optional when a quantifier allowing zero follows it
        if _optional_after(p, j + 1):
            close()
        else:
            cur.append(c)
            if j + 1 < len(p) and p[j + 1] == "+":
                close()
        j += 1
    close()
    return runs


def required_literals(pattern: str) -> tuple[tuple[bytes, ...] | None, bool]:
    """``(literals, icase)``: every match contains one of ``literals`` (lower case when ``icase``).

    ``None`` when no literal of at least ``MIN_LITERAL`` characters is certain.
    """
    icase = False
    p = pattern
    if p.startswith("(?i)"):
        icase, p = True, p[4:]
    if "(?" in p.replace("(?:", ""):  # look-arounds or inline flags inside: be safe
        stripped = p
        # look-arounds never add required text; drop them and read the rest
        out, j = [], 0
        while j < len(stripped):
            if stripped.startswith(("(?=", "(?!", "(?<=", "(?<!"), j):
                j = _group_end(stripped, j)
                continue
            out.append(stripped[j])
            j += 1
        p = "".join(out)
        if "(?" in p.replace("(?:", ""):
            return None, icase
    branches = _split_top(p)
    chosen: list[str] = []
    for branch in branches:
        runs = [r for r in _runs(branch) if len(r) >= MIN_LITERAL and r.isascii()]
        if not runs:
            return None, icase
        chosen.append(max(runs, key=len))
    lits = tuple(dict.fromkeys((c.lower() if icase else c).encode() for c in chosen))
    return lits, icase
