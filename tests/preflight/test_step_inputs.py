"""The action/task inputs for preflight: the `preflight` switch and `command: preflight`."""

from __future__ import annotations

from aib_pilot.cli import build_parser
from aib_pilot.entrypoints.inputs import build_argv

GH_DEFAULTS = {"command": "run", "log-dir": "aib-pilot-logs", "all": "false", "cancel-on-interrupt": "true",
               "annotate-pr": "true", "pr-comment": "false", "format": "github", "github-token": "", "preflight": "true"}


def test_the_preflight_input_becomes_the_variable_run_and_submit_read():
    on = build_argv(dict(GH_DEFAULTS, template="t.json", **{"resource-group": "rg"}))
    assert on.errors == [] and on.env["AIB_PILOT_PREFLIGHT"] == "true"
    off = build_argv(dict(GH_DEFAULTS, command="submit", template="t.json", preflight="no"))
    assert off.errors == [] and off.env["AIB_PILOT_PREFLIGHT"] == "false"
    bad = build_argv(dict(GH_DEFAULTS, template="t.json", preflight="sometimes"))
    assert any("'preflight'" in e and "true or false" in e for e in bad.errors)


def test_command_preflight_takes_the_template_and_target_inputs():
    inv = build_argv(dict(GH_DEFAULTS, command="preflight", template="images/web.json",
                          **{"resource-group": "rg", "name-prefix": "web", "on-conflict": "fail"}))
    assert inv.errors == []
    args = build_parser().parse_args(inv.argv)
    assert args.command == "preflight" and args.template == "images/web.json"
    assert args.resource_group == "rg" and args.name_prefix == "web" and args.on_conflict == "fail"
    assert args.format == "github"
