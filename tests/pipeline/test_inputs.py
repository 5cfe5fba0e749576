"""INPUT_* -> aib-pilot argv, checked against the CLI's real argparse parsers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aib_pilot.cli import build_parser
from aib_pilot.entrypoints.inputs import build_argv, github_values, ado_values

GH_DEFAULTS = {"command": "run", "log-dir": "aib-pilot-logs", "all": "false", "cancel-on-interrupt": "true",
               "annotate-pr": "true", "pr-comment": "false", "format": "github", "github-token": "ghs_x"}


def parse(argv):
    """The CLI's own parser must accept what the adapter builds."""
    return build_parser().parse_args(argv)


def test_run_inputs_map_onto_run_options():
    values = dict(GH_DEFAULTS, template="images/web.json", **{
        "resource-group": "rg", "name-prefix": "web", "budget-minutes": "50", "poll-interval": "2",
        "on-conflict": "replace", "tag": "team=img\nfleet=nightly", "arm-endpoint": "https://arm.local/",
        "authority-host": "https://login.local/", "tenant-id": "t", "client-id": "c", "client-secret": "s3cret"})
    inv = build_argv(values)
    assert inv.errors == []
    args = parse(inv.argv)
    assert args.command == "run" and args.template == "images/web.json"
    assert args.resource_group == "rg" and args.name_prefix == "web"
    assert args.budget == 50 and args.poll_interval == 2 and args.on_conflict == "replace"
    assert args.tag == ["team=img", "fleet=nightly"]
    assert args.arm_endpoint == "https://arm.local/" and args.authority_host == "https://login.local/"
    assert args.cancel_on_interrupt is True and args.format == "github" and args.log_dir == "aib-pilot-logs"
    # Secrets and identities travel in the environment, never on the command line.
    assert "s3cret" not in inv.argv and "ghs_x" not in inv.argv
    assert inv.env == {"AZURE_CLIENT_SECRET": "s3cret", "GITHUB_TOKEN": "ghs_x",
                       "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"}
    assert set(inv.secrets) == {"s3cret", "ghs_x"}
    # PR publishing: options of run/monitor (an explicit false overrides the environment) ...
    assert args.annotate_pr == "true" and args.pr_comment == "false"
    # ... and variables for commands that have no such option
    submit = build_argv(dict(GH_DEFAULTS, command="submit", template="t.json"))
    assert submit.errors == [] and "--annotate-pr" not in submit.argv
    assert submit.env["AIB_PILOT_ANNOTATE_PR"] == "true" and submit.env["AIB_PILOT_PR_COMMENT"] == "false"


def test_false_flags_and_defaults_of_unused_inputs_are_left_out():
    inv = build_argv(dict(GH_DEFAULTS, command="monitor", **{"template-name": "t1", "resource-group": "rg",
                                                            "cancel-on-interrupt": "false"}))
    assert inv.errors == []
    args = parse(inv.argv)
    assert args.command == "monitor" and "--cancel-on-interrupt" not in inv.argv


def test_every_bad_input_gets_its_own_line():
    inv = build_argv(dict(GH_DEFAULTS, **{"budget-minutes": "soon", "on-conflict": "merge", "all": "maybe",
                                         "tag": "no-equals-sign", "command": "run"}))
    assert len(inv.errors) == 4
    assert any("'budget-minutes' is 'soon'" in e and "positive number" in e for e in inv.errors)
    assert any("'on-conflict' is 'merge'" in e and "attach, replace, fail" in e for e in inv.errors)
    assert any("'all' is 'maybe'" in e and "true or false" in e for e in inv.errors)
    assert any("KEY=VALUE" in e for e in inv.errors)
    assert all("\n" not in e for e in inv.errors)


def test_unknown_command_is_named_with_the_choices():
    inv = build_argv({"command": "deploy"})
    assert inv.errors == ["input 'command' is 'deploy': use one of run, submit, preflight, monitor, diagnose, lint, cancel, cleanup."]


def test_input_the_command_does_not_take_is_refused_unless_default():
    inv = build_argv(dict(GH_DEFAULTS, command="cancel", **{"template-name": "t", "resource-group": "rg",
                                                           "budget-minutes": "5"}))
    assert inv.errors == ["input 'budget-minutes' is not used by command 'cancel'; remove it or choose a command that takes it."]


def test_ado_names_in_messages_and_values():
    env = {"INPUT_COMMAND": "run", "INPUT_TEMPLATEFILE": "t.json", "INPUT_BUDGETMINUTES": "-3"}
    values = ado_values(env)
    assert values == {"command": "run", "template": "t.json", "budget-minutes": "-3"}
    inv = build_argv(values, platform="azure-devops")
    assert inv.errors == ["input 'budgetMinutes' is '-3': give a positive number, e.g. 50."]


def test_github_values_keep_hyphens():
    assert github_values({"INPUT_BUDGET-MINUTES": "5", "INPUT_BUDGET_MINUTES": "9"}) == {"budget-minutes": "5"}


def test_extra_args_are_shell_split():
    inv = build_argv(dict(GH_DEFAULTS, template="t.json", **{"extra-args": "--no-live-log --name 'my tpl'"}))
    assert parse(inv.argv).name == "my tpl" and parse(inv.argv).no_live_log is True


def test_entrypoint_exits_2_with_one_line_per_bad_input(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update({"INPUT_COMMAND": "run", "INPUT_BUDGET-MINUTES": "x", "INPUT_ON-CONFLICT": "merge",
                "INPUT_FORMAT": "github", "INPUT_CLIENT-SECRET": "hunter2-secret"})
    proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("aib-pilot: error: input '") for line in err)
    assert "Traceback" not in proc.stderr
    # The same lines become error annotations, and the secret is masked before anything else.
    out = proc.stdout.splitlines()
    assert out[0] == "::add-mask::hunter2-secret"
    assert sum(line.startswith("::error::input '") for line in out) == 2


def test_monitor_jobs_never_cancel_the_build_by_default():
    """cancel-on-interrupt defaults to true for run; a monitor job that hits its timeout must not
    cancel the build it watches (the next job would find it Canceled)."""
    inv = build_argv(dict(GH_DEFAULTS, command="monitor", **{"template-name": "t", "resource-group": "rg"}))
    assert inv.errors == [] and "--cancel-on-interrupt" not in inv.argv
    inv = build_argv(dict(GH_DEFAULTS, command="run", template="t.json"))
    assert "--cancel-on-interrupt" in inv.argv


def test_template_values_provenance_and_cleanup_inputs():
    inv = build_argv(dict(GH_DEFAULTS, template="arm.json", provenance="false", cleanup="always", **{
        "resource-group": "rg", "set": 'properties.vmProfile.vmSize=Standard_D4s_v5\n\nproperties.customize[0].inline=["a", "b"]',
        "parameters": "arm.parameters.json\nimageVersion=1.2.3"}))
    assert inv.errors == []
    args = parse(inv.argv)
    # one option per line; commas inside a JSON value are kept
    assert args.set == ["properties.vmProfile.vmSize=Standard_D4s_v5", 'properties.customize[0].inline=["a", "b"]']
    assert args.parameters == ["arm.parameters.json", "imageVersion=1.2.3"]
    assert args.cleanup == "always" and inv.env["AIB_PILOT_PROVENANCE"] == "false"
    monitor = build_argv(dict(GH_DEFAULTS, command="monitor", cleanup="never", **{"template-name": "t", "resource-group": "rg"}))
    assert monitor.errors == [] and parse(monitor.argv).cleanup == "never"
    bad = build_argv(dict(GH_DEFAULTS, template="t.json", cleanup="sometimes", provenance="maybe"))
    assert sorted(bad.errors) == ["input 'cleanup' is 'sometimes': use one of on-success, always, never.",
                                  "input 'provenance' is 'maybe': use true or false."]
    ado = build_argv(dict(GH_DEFAULTS, command="diagnose", cleanup="always"), platform="azure-devops")
    assert ado.errors == ["input 'cleanup' is not used by command 'diagnose'; remove it or choose a command that takes it."]
