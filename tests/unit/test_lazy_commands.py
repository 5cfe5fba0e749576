"""Starting one command loads that command only: `aib-pilot diagnose` on a small log must not pay
for the Azure SDKs, `requests`, the other commands' option tables or the monitor; `--version` and
`--help` load no command at all. Each case runs the CLI in a fresh interpreter and reads
``sys.modules`` when it is done."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aib_pilot.cli import build_parser
from aib_pilot.commands import SUMMARIES

REPO = Path(__file__).resolve().parents[2]
LOG = str(REPO / "examples" / "logs" / "linux-customizer-failed.log")
TEMPLATE = str(REPO / "examples" / "logs" / "linux-template.json")

# Runs the CLI as `aib-pilot ARGS...` would, then prints the modules it loaded (on stderr, after
# the command's own output on stdout).
SCRIPT = """
import json, sys
from aib_pilot.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help and --version end in argparse's exit
    code = exc.code
sys.stdout.flush()
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def loaded_modules(*argv: str, env: dict | None = None) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", SCRIPT, *argv], capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), timeout=120)
    marker = [line for line in proc.stderr.splitlines() if line.startswith("MODULES ")]
    assert marker, proc.stderr
    return json.loads(marker[-1][len("MODULES "):])


def _sdk(modules: list[str]) -> list[str]:
    """The Azure SDKs and the HTTP client among ``modules``."""
    return [m for m in modules if m.split(".")[0] in ("azure", "requests", "urllib3", "msal")]


def _commands(modules: list[str]) -> list[str]:
    return [m for m in modules if m.startswith("aib_pilot.commands.")]


def test_diagnose_loads_neither_the_azure_sdks_nor_the_other_commands(tmp_path):
    modules = loaded_modules("diagnose", LOG, "--template", TEMPLATE, "-f", "json",
                             env={"AIB_PILOT_CACHE_DIR": str(tmp_path)})
    assert "aib_pilot.diagnosis.engine" in modules  # it did diagnose
    assert _sdk(modules) == []
    assert _commands(modules) == ["aib_pilot.commands.diagnose", "aib_pilot.commands.fetch_and_diagnose"]
    # the monitor, the Azure adapters that reach the SDKs, the GitHub client, logging
    for heavy in ("aib_pilot.monitoring", "aib_pilot.azure.clients", "aib_pilot.azure.staging_logs",
                  "aib_pilot.report.github_checks", "logging"):
        assert heavy not in modules


@pytest.mark.parametrize("argv", [["--version"], ["--help"], []])
def test_version_and_help_load_no_command(argv):
    modules = loaded_modules(*argv)
    assert _commands(modules) == []
    assert _sdk(modules) == []
    if argv:  # argparse prints these itself (no command: the help goes through the console)
        assert not [m for m in modules if m.startswith(("aib_pilot.diagnosis", "aib_pilot.report", "aib_pilot.azure"))]


@pytest.mark.parametrize("command", [c for c in SUMMARIES if c != "demo"])
def test_no_command_loads_an_azure_sdk_before_it_talks_to_azure(command):
    modules = loaded_modules(command, "--help")
    assert f"aib_pilot.commands.{command}" in modules
    assert _sdk(modules) == []


def test_every_command_is_listed_the_same_whether_loaded_or_not():
    assert build_parser(commands=()).format_help() == build_parser().format_help()


def test_the_loaded_command_parses_as_with_every_command_loaded():
    argv = ["diagnose", LOG, "--template", TEMPLATE, "--status-message", "x", "-f", "json", "-g", "rg", "-n", "t"]
    assert vars(build_parser(commands=("diagnose",)).parse_args(argv)) == vars(build_parser().parse_args(argv))
