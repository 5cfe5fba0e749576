"""What a diagnosis answered, in the short form the rule tests compare."""

from __future__ import annotations

from aib_pilot.diagnosis import diagnose


def top_finding(text: str, **kw) -> tuple[str, str | None]:
    """(category, rule of the top finding or None) for ``text`` diagnosed as a pasted log."""
    d = diagnose(text.encode(), **kw).to_dict()
    return d["category"], (d["findings"][0]["rule"] if d["findings"] else None)
