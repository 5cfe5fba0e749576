"""The Azure DevOps task folder as the extension ships it, staged once per test session.

A module of its own, so every test module (and a test module imported by another one) sees the
same staged folder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASK = json.loads((ROOT / "task.json").read_text())  # the task's single source
STAGED: dict[str, Path] = {}  # "task": the staged task folder (tests/pipeline/conftest.py)


def stage_into(folder: Path) -> Path:
    """Stage the task with ado-task/stage.py (which maps the root task.json in) into ``folder``."""
    sys.path.insert(0, str(ROOT / "ado-task"))
    try:
        import stage
    finally:
        sys.path.remove(str(ROOT / "ado-task"))
    STAGED["task"] = stage.stage(folder)
    assert json.loads((STAGED["task"] / "task.json").read_text()) == TASK
    return STAGED["task"]
