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


def _group_body(p: str, i: int, end: int) -> str | None:
    """The body of the group ``p[i:end]`` when it is a plain group (capturing, ``(?:``, named);
    None for look-arounds, inline flags and classes."""
    if p[i] != "(":
        return None
    inner = p[i + 1:end - 1]
    if inner.startswith("?:"):
        return inner[2:]
    if inner.startswith("?P<"):
        return inner[inner.index(">") + 1:]
    if inner.startswith("?"):
        return None
    return inner


def _alternatives(body: str) -> tuple[str, ...] | None:
    """One required literal per branch of ``body`` (None when a branch has none)."""
    out = []
    for branch in _split_top(body):
        sets = _runs(branch)
        best = _best(sets)
        if best is None or len(best) != 1:
            return None
        out.append(best[0])
    return tuple(out)


def _best(sets: list[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The most selective candidate set: the longest shortest literal, then the fewest literals."""
    sets = [t for t in sets if t and all(len(x) >= MIN_LITERAL and x.isascii() for x in t)]
    if not sets:
        return None
    return max(sets, key=lambda t: (min(map(len, t)), -len(t)))


def _runs(p: str) -> list[tuple[str, ...]]:
    """Candidate literal sets of one branch (no top-level ``|`` inside): each is a tuple of
    strings one of which every match contains (a literal run gives a tuple of one)."""
    runs: list[tuple[str, ...]] = []
    cur: list[str] = []
    j = 0

    def close() -> None:
        if cur:
            runs.append(("".join(cur),))
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
            optional = _optional_after(p, end)
            body = _group_body(p, j, end) if c == "(" and not optional else None
            if body is not None:
                alts = _alternatives(body)
                if alts:
                    runs.append(alts)
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
    # look-arounds never add required text: drop them (unescaped ones) and read the rest
    out, j = [], 0
    while j < len(p):
        if p[j] == "\\":
            out.append(p[j:j + 2])
            j += 2
            continue
        if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), j):
            j = _group_end(p, j)
            continue
        if p.startswith("(?", j) and not p.startswith(("(?:", "(?P<"), j):
            return None, icase  # inline flags inside: be safe
        out.append(p[j])
        j += 1
    p = "".join(out)
    chosen: list[str] = []
    for branch in _split_top(p):
        best = _best(_runs(branch))
        if best is None:
            return None, icase
        chosen.extend(best)
    lits = tuple(dict.fromkeys((c.lower() if icase else c).encode() for c in chosen))
    return lits, icase
