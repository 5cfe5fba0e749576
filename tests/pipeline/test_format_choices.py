"""The `format` input offers what the CLI writes: the Azure DevOps task's pick list, the GitHub
action's (and the composite action's) description and the adapters' input table all follow the
``--format`` choices of the CLI's subcommands, and a format the chosen command does not write is
one line before anything runs."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pytest

from aib_pilot.cli import build_parser
from aib_pilot.entrypoints.inputs import BY_GITHUB, build_argv

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]


def formats_by_command() -> dict[str, tuple[str, ...]]:
    """Each subcommand's ``--format`` choices, read from the CLI's own parser."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    out = {}
    for name, parser in sub.choices.items():
        action = parser._option_string_actions.get("--format")
        if action is not None:
            out[name] = tuple(action.choices)
    return out


def every_format() -> set[str]:
    return {f for choices in formats_by_command().values() for f in choices}


def test_the_cli_has_sarif_for_lint_only():
    by_command = formats_by_command()
    assert "sarif" in by_command["lint"]
    assert [c for c, formats in by_command.items() if "sarif" in formats] == ["lint"]


def test_the_input_table_allows_every_format_a_command_writes():
    assert set(BY_GITHUB["format"].choices) == every_format()


def test_the_task_pick_list_is_every_format_a_command_writes():
    task = json.loads((ROOT / "task.json").read_text())
    field = next(i for i in task["inputs"] if i["name"] == "format")
    assert field["type"] == "pickList"
    assert set(field["options"]) == every_format()
    assert field["defaultValue"] in formats_by_command()["run"]   # the default command takes the default


@pytest.mark.parametrize("action", ["action.yml", "cli/action.yml"])
def test_the_actions_describe_every_format(action):
    spec = yaml.safe_load((ROOT / action).read_text())["inputs"]["format"]
    described = set(re.findall(r"[a-z][a-z-]*", spec["description"]))
    assert every_format() <= described, every_format() - described
    assert spec["default"] in formats_by_command()["run"]


def test_a_format_the_command_does_not_write_is_one_line():
    inv = build_argv({"command": "run", "template": "t.json", "resource-group": "rg", "format": "sarif"})
    assert inv.errors == ["input 'format' is 'sarif', which command 'run' does not take: use one of "
                          + ", ".join(formats_by_command()["run"]) + "."]
    inv = build_argv({"command": "lint", "template": "t.json", "format": "sarif"})
    assert not inv.errors and inv.argv[inv.argv.index("--format") + 1] == "sarif"


def test_the_task_names_the_format_in_camel_case():
    inv = build_argv({"command": "diagnose", "log-file": "c.log", "format": "sarif"}, platform="azure-devops")
    assert len(inv.errors) == 1 and inv.errors[0].startswith("input 'format' is 'sarif', which command 'diagnose'")
