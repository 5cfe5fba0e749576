"""``aib-pilot demo``: the whole flow against the local emulator, in about half a minute.

Starts the emulator and Azurite from the repository checkout ('python -m tests.emulator'),
submits 'examples/demo/failing-template.json', monitors in two budgeted steps as two CI jobs would
(the first ends with state Running and exit 0, the second resumes and finishes), and prints the
diagnosis. Each step runs the real CLI in a subprocess with only the knobs a user has: ARM endpoint,
authority host, CA bundle and service principal variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from aib_pilot import options
from aib_pilot.commands import SUMMARIES
from aib_pilot.errors import UsageError

DEMO_TEMPLATE = Path("examples") / "demo" / "failing-template.json"


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help=SUMMARIES["demo"],
                              description=__doc__.split("\n\n", 1)[1])
    p.add_argument("--speed", type=options.number_text, default="120", help="simulated seconds per real second (default 120: the 14-minute build takes 7 s)")
    p.add_argument("--first-budget", type=options.number_text, default="0.03", metavar="MINUTES",
                   help="budget of the first monitor step, shorter than the build (default 0.03)")
    p.add_argument("--format", "-f", default="text", choices=("text", "json", "github", "azure-devops", "markdown"),
                   help="output format of the steps (default text)")
    p.add_argument("--log-dir", metavar="DIR", help="where the build log is saved (default: a new temp dir)")
    p.set_defaults(func=run)


def find_repo_root(starts: list[Path] | None = None) -> Path:
    """The checkout holding tests/emulator: searched from the current directory, then the package."""
    starts = starts or [Path.cwd(), Path(__file__).resolve()]
    for start in starts:
        for folder in [start, *start.parents]:
            if (folder / "tests" / "emulator" / "__init__.py").is_file() and (folder / DEMO_TEMPLATE).is_file():
                return folder
    raise UsageError("aib-pilot demo needs the aib-pilot source checkout (it runs tests/emulator from it).",
                     hint="Run it from the repository: ./dev.sh demo (or cd into the checkout first).")


def start_emulator(root: Path, speed: float, timeout: float = 60.0):
    """Start ``python -m tests.emulator``; return (process, info dict, stderr file)."""
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--speed", str(speed)], cwd=root,
                            stdout=subprocess.PIPE, stderr=err, text=True)
    box: dict = {}

    def read_line() -> None:
        box["line"] = proc.stdout.readline()

    reader = threading.Thread(target=read_line, daemon=True)
    reader.start()
    reader.join(timeout)
    line = box.get("line") or ""
    try:
        info = json.loads(line)
    except ValueError:
        proc.terminate()
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        raise UsageError("The emulator did not start: " + (" | ".join(tail) or "no output"),
                         hint="Run ./dev.sh setup (installs Azurite), then try again.") from None
    return proc, info, err


def emulator_env(info: dict) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AZURE_", "AIB_PILOT_", "ACTIONS_ID_TOKEN", "SYSTEM_OIDC", "GITHUB_", "TF_BUILD"))}
    env.update({
        "AZURE_TENANT_ID": info["tenant"], "AZURE_CLIENT_ID": info["client_id"],
        "AZURE_CLIENT_SECRET": info["client_secret"], "AZURE_SUBSCRIPTION_ID": info["subscription"],
        "REQUESTS_CA_BUNDLE": info["ca_bundle"], "SSL_CERT_FILE": info["ca_bundle"],
        "AIB_PILOT_ARM_ENDPOINT": info["arm"], "AIB_PILOT_AUTHORITY_HOST": info["authority"],
        "AIB_PILOT_PREFLIGHT": "false",   # the demo's emulator serves no estate world to preflight against
    })
    return env


def _say(text: str) -> None:
    from aib_pilot.report.console import process_console

    process_console().line(text)


def _step(title: str, argv: list[str], env: dict, cwd: Path) -> int:
    _say(f"\n=== {title}\n$ aib-pilot {' '.join(argv)}")
    return subprocess.call([sys.executable, "-m", "aib_pilot", *argv], env=env, cwd=cwd)


def run(args) -> int:
    # The demo's own numbers, checked before anything starts (named as the demo's options).
    speed = options.positive_finite(args.speed, "--speed", unit="simulated seconds per second", example="--speed 120")
    first_budget = options.positive_finite(args.first_budget, "--first-budget", unit="minutes",
                                           example="--first-budget 0.03")
    root = find_repo_root()
    log_dir = args.log_dir or tempfile.mkdtemp(prefix="aib-pilot-demo-")
    _say(f"starting the local Azure emulator (speed x{speed:g}) ...")
    proc, info, err = start_emulator(root, speed)
    try:
        env = emulator_env(info)
        rg = info["resource_group"]
        common = ["--resource-group", rg, "--log-dir", log_dir, "--format", args.format]
        template = str(DEMO_TEMPLATE)
        code = _step("job 1: submit the template and start the build (returns at once)",
                     ["submit", "--template", template, "--name", "demo-web", "--on-conflict", "replace", *common],
                     env, root)
        if code != 0:
            return code
        monitor = ["monitor", "--name", "demo-web", "--template", template, "--poll-interval", "0.25", *common]
        code = _step(f"job 2: monitor with a {first_budget:g}-minute budget (ends before the build, exit 0)",
                     [*monitor, "--budget", str(first_budget)], env, root)
        if code == 1:  # a slow machine: the build ended within the first budget and was diagnosed
            _say(f"\ndemo finished early: the build ended inside the first budget; saved log under {log_dir}")
            return 0
        if code != 0:
            return code
        code = _step("job 3: a later job resumes the same monitor and gets the diagnosis", monitor, env, root)
        _say(f"\ndemo finished: the last step exited {code} "
              f"({'build failed and was diagnosed' if code == 1 else 'see above'}); saved log under {log_dir}")
        return 0 if code == 1 else (code or 1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        err.close()
