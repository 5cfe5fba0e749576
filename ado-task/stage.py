#!/usr/bin/env python3
"""Lay out the Azure DevOps extension for packaging: the task's single source, task.json at the
repository root, is mapped into the task folder the extension manifest contributes.

    python ado-task/stage.py DEST      # DEST/vss-extension.json, DEST/overview.md, DEST/AibPilotV0/...

DEST then holds what ``tfx extension create --manifest-globs vss-extension.json`` packages (add
the aib-pilot wheel under DEST/<task folder>/wheels first). .ci/validate, tests/container/run.sh
and the launcher tests all stage through this script, so none of them reads a second copy.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TASK_JSON = ROOT / "task.json"
MANIFEST = HERE / "vss-extension.json"


def task_folder() -> str:
    """The folder the manifest's task contribution names (``properties.name``)."""
    manifest = json.loads(MANIFEST.read_text())
    tasks = [c for c in manifest["contributions"] if c.get("type") == "ms.vss-distributed-task.task"]
    if len(tasks) != 1:
        raise SystemExit(f"{MANIFEST}: expected one task contribution, found {len(tasks)}")
    return tasks[0]["properties"]["name"]


def stage(dest: Path) -> Path:
    """Copy the extension sources to ``dest`` and put task.json into the task folder; returns that folder."""
    task = json.loads(TASK_JSON.read_text())  # fails here, not in tfx, when the file is broken
    dest.mkdir(parents=True, exist_ok=True)
    for item in HERE.iterdir():
        if item.name in ("stage.py", "__pycache__"):
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        else:
            shutil.copy2(item, target)
    folder = dest / task_folder()
    if not (folder / task["execution"]["Node20_1"]["target"]).is_file():
        raise SystemExit(f"{folder}: the task's entry point {task['execution']['Node20_1']['target']} is missing")
    shutil.copy2(TASK_JSON, folder / "task.json")  # byte for byte: the root file is the source
    return folder


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python ado-task/stage.py DEST")
    print(stage(Path(sys.argv[1])))
