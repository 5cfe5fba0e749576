"""Typed options at the command edge (command_options.py): argparse's namespace becomes one frozen
object per command, every local input checked there, before any sign-in."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aib_pilot.cli import build_parser
from aib_pilot.command_options import FleetSelection, RemoteDiagnoseOptions, SubmitOptions, WatchOptions
from aib_pilot.errors import UsageError

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = str(REPO / "examples" / "demo" / "failing-template.json")
parse = build_parser().parse_args


def test_monitor_options_are_checked_and_frozen():
    args = parse(["monitor", "-g", "rg", "-n", "a", "-n", "b", "--budget", "0.5", "--poll-interval", "2",
                  "--log-dir", "logs", "--live-log", "full", "--annotate-pr", "--cancel-on-interrupt",
                  "--format", "json"])
    opts = WatchOptions.from_args(args, env={})
    assert (opts.budget_seconds, opts.poll_interval, opts.log_dir, opts.live_log) == (30.0, 2.0, Path("logs"), "full")
    assert (opts.pr_publishing, opts.format, opts.cancel_on_interrupt) == ("check", "json", True)
    assert opts.resume_args[-6:] == ("--format", "json", "--live-log", "full", "--annotate-pr", "true")
    with pytest.raises(dataclasses.FrozenInstanceError):
        opts.budget_seconds = None  # type: ignore[misc]
    selection = FleetSelection.from_args(args, env={})
    assert selection.names == ("a", "b") and selection.groups == ("rg", "rg") and not selection.every


def test_the_environment_fills_what_the_command_line_leaves_out():
    args = parse(["monitor", "-n", "a"])
    env = {"AIB_PILOT_BUDGET": "2", "AIB_PILOT_FORMAT": "markdown", "AIB_PILOT_PR_COMMENT": "yes",
           "AIB_PILOT_RESOURCE_GROUP": "rg-env", "AIB_PILOT_LOG_DIR": "from-env"}
    opts = WatchOptions.from_args(args, env=env)
    assert (opts.budget_seconds, opts.format, opts.pr_publishing, opts.log_dir) == (120.0, "markdown", "comment",
                                                                                   Path("from-env"))
    assert FleetSelection.from_args(args, env=env).groups == ("rg-env",)


@pytest.mark.parametrize("argv, env, message", [
    (["monitor", "-n", "a", "-g", "rg", "--budget", "-1"], {}, "--budget -1 is not usable"),
    (["monitor", "-n", "a", "-g", "rg"], {"AIB_PILOT_ANNOTATE_PR": "sure"}, "AIB_PILOT_ANNOTATE_PR='sure'"),
    (["monitor", "-n", "a", "-g", "rg", "--template", "missing.json"], {}, "missing.json"),
])
def test_a_local_mistake_is_refused_when_the_options_are_built(argv, env, message):
    with pytest.raises(UsageError, match=message.replace("?", r"\?").replace("(", r"\(")):
        WatchOptions.from_args(parse(argv), env=env)


def test_fleet_selection_refuses_what_does_not_go_together():
    with pytest.raises(UsageError, match="--all and --name cannot be combined"):
        FleetSelection.from_args(parse(["monitor", "--all", "-n", "a"]), env={})
    with pytest.raises(UsageError, match="--tag selects templates only together with --all"):
        FleetSelection.from_args(parse(["monitor", "-n", "a", "-g", "rg", "--tag", "k=v"]), env={})
    every = FleetSelection.from_args(parse(["monitor", "--all", "--tag", "team=images", "-g", "rg"]), env={})
    assert every.every and dict(every.tags) == {"team": "images"} and every.resource_group == "rg"


def test_submit_options_hold_the_loaded_template_and_the_choices():
    args = parse(["submit", "-t", TEMPLATE, "-g", "rg", "--tag", "team=images", "--no-preflight"])
    opts = SubmitOptions.from_args(args, env={"AIB_PILOT_ON_CONFLICT": "replace"})
    assert opts.template.path and opts.template_path == TEMPLATE and opts.resource_group == "rg"
    assert opts.name.startswith(opts.template.declared_name or Path(TEMPLATE).stem)  # <name>-<content hash>
    # the cleanup policy travels on the template, so a later job's monitor honours it
    assert (dict(opts.tags), opts.on_conflict, opts.preflight, opts.format) == (
        {"team": "images", "aib-pilot.cleanup": "on-success"}, "replace", False, "text")
    with pytest.raises(UsageError, match="AIB_PILOT_ON_CONFLICT='sideways' is not a choice"):
        SubmitOptions.from_args(args, env={"AIB_PILOT_ON_CONFLICT": "sideways"})


def test_remote_diagnose_options():
    opts = RemoteDiagnoseOptions.from_args(parse(["diagnose", "-g", "rg", "-n", "t", "--format", "json"]), env={})
    assert (opts.resource_group, opts.name, opts.format, opts.template_path) == ("rg", "t", "json", None)
