"""The rule catalogue's patterns as POSIX ERE, for the speed benchmark's ``grep -E`` reference.

Patterns with look-arounds are given to grep without them (grep then finds a superset, which only
makes its job easier); case-insensitive ones are searched case-sensitively, which does too.
"""

from __future__ import annotations

import re


def _drop_lookarounds(p: str) -> str:
    out, i = [], 0
    while i < len(p):
        if p.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            depth, j = 0, i
            while j < len(p):
                if p[j] == "\\":
                    j += 2
                    continue
                depth += p[j] == "("
                depth -= p[j] == ")"
                j += 1
                if depth == 0:
                    break
            i = j
            continue
        out.append(p[i])
        i += 1
    return "".join(out)


def rule_patterns_for_grep(patterns) -> list[str]:
    """ERE versions of ``patterns`` (Python regex strings)."""
    out = []
    for p in patterns:
        q = _drop_lookarounds(re.sub(r"^\(\?i\)", "", p))
        q = re.sub(r"\(\?P<\w+>|\(\?[a-z]*:", "(", q).replace(r"\d", "[0-9]").replace(r"\s", "[[:space:]]")
        q = q.replace(r"\S", "[^[:space:]]").replace(r"\w", "[[:alnum:]_]").replace(r"\b", "")
        q = q.replace(r"\W", "[^[:alnum:]_]")
        out.append(q)
    return out


def all_patterns() -> list[str]:
    """Every pattern the diagnosis searches for: the rules' and the scanner's structure markers."""
    from aib_pilot.diagnosis.rules import RULES
    from aib_pilot.diagnosis.scanner import _STRUCTURE

    return [p for r in RULES for p in r.patterns] + [rx.pattern.decode() for rx in _STRUCTURE]
