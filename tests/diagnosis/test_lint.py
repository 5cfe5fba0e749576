"""aib-pilot lint: each check fires on its mistake, at the right line, and not on a good template."""

import json

import pytest

from aib_pilot.cli import main
from aib_pilot.diagnosis import catalogue
from aib_pilot.diagnosis.lint import LINT_RULES, lint_template

from .conftest import example_path

GOOD_WINDOWS = {
    "buildTimeoutInMinutes": 120,
    "vmProfile": {"vmSize": "Standard_D4s_v5"},
    "source": {"type": "PlatformImage", "publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
               "sku": "2022-datacenter", "version": "latest"},
    "customize": [
        {"type": "PowerShell", "name": "tools", "inline": ["choco install -y git"], "runElevated": True},
        {"type": "WindowsUpdate", "name": "updates"},
        {"type": "WindowsRestart", "name": "reboot", "restartTimeout": "30m"},
    ],
    "distribute": [{"type": "VHD", "runOutputName": "vhd"}],
}


def write(tmp_path, props):
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"type": "Microsoft.VirtualMachineImages/imageTemplates", "properties": props}, indent=2))
    return str(p), p.read_text().splitlines()


def test_good_templates_pass(tmp_path):
    path, _ = write(tmp_path, GOOD_WINDOWS)
    assert lint_template(path)["findings"] == []
    assert lint_template(example_path("linux-template.json"))["findings"] == []


@pytest.mark.parametrize("mutate,rule,needle", [
    (lambda p: p["customize"].insert(0, {"type": "Shell", "inline": ["sudo apt-get install nginx"]}), "AIB501",
     "apt-get install nginx"),
    (lambda p: p.pop("vmProfile"), "AIB502", '"type": "WindowsUpdate"'),
    (lambda p: p["customize"].pop(), "AIB503", '"type": "WindowsUpdate"'),
    (lambda p: p["customize"].insert(0, {"type": "File", "sourceUri": "https://x/y/setup.msi", "destination": "C:\\\\s.msi"}),
     "AIB504", "setup.msi"),
    (lambda p: p.pop("buildTimeoutInMinutes"), "AIB505", '"properties"'),
    (lambda p: p.update(buildTimeoutInMinutes=1000), "AIB506", '"buildTimeoutInMinutes": 1000'),
    (lambda p: p["customize"].insert(0, {"type": "PowerShell"}), "AIB507", '"type": "PowerShell"'),
    (lambda p: p["customize"].append({"type": "PowerShell", "inline": ["echo done"]}), "AIB508", '"echo done"'),
    (lambda p: p["customize"].insert(0, {"type": "PowerShell", "inline": ["Remove-Item C:\\\\* -Recurse"]}), "AIB509",
     "Remove-Item"),
    (lambda p: p["customize"].insert(0, {"type": "PowerShell", "inline": ["Set-NetFirewallProfile -Enabled True"]}),
     "AIB510", "Set-NetFirewallProfile"),
    (lambda p: p["customize"].insert(0, {"type": "Bash", "inline": ["x"]}), "AIB511", '"type": "Bash"'),
    (lambda p: p["customize"][0]["inline"].append("Restart-Computer -Force"), "AIB513", "Restart-Computer"),
    (lambda p: p["customize"].insert(1, {"type": "PowerShell", "scriptUri": "https://x/y/Restart-Host.ps1"}),
     "AIB513", "Restart-Host.ps1"),
])
def test_each_check_fires_at_its_line(mutate, rule, needle, tmp_path):
    props = json.loads(json.dumps(GOOD_WINDOWS))
    mutate(props)
    path, lines = write(tmp_path, props)
    result = lint_template(path)
    found = {f["rule"]: f for f in result["findings"]}
    assert rule in found
    line = found[rule]["evidence"][0]["line"]
    # the line of the offending value, or of the customizer object holding it
    assert any(needle in l for l in lines[line - 1:line + 3]), (line, lines[line - 1])


def test_every_lint_rule_is_tested():
    assert {r.id for r in LINT_RULES} == {f"AIB5{n:02d}" for n in range(1, 14)}


def test_cli_exit_codes(tmp_path, capsys):
    props = json.loads(json.dumps(GOOD_WINDOWS))
    path, _ = write(tmp_path, props)
    assert main(["lint", path, "--format", "json"]) == 0
    props["customize"].insert(0, {"type": "PowerShell"})
    path, _ = write(tmp_path, props)
    assert main(["lint", path, "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert doc["schema"] == "aib-pilot/lint/v1" and doc["failed_customizer"]["index"] == 0
    assert main(["lint", str(tmp_path / "missing.json")]) == 2


@pytest.mark.parametrize("rule", LINT_RULES, ids=lambda r: r.id)
def test_each_check_fires_on_its_examples_and_not_on_its_counter_examples(rule, tmp_path):
    """Lint checks are catalogue entries like the log rules: their example templates prove them."""
    assert rule.positives and rule.negatives and not rule.compiled
    options = next(e for e in catalogue.LINT if e["id"] == rule.id).get("lint_options", {})
    for n, example in enumerate(rule.positives + rule.negatives):
        path = tmp_path / f"t{n}.json"
        path.write_text(json.dumps({"type": "Microsoft.VirtualMachineImages/imageTemplates",
                                    "properties": json.loads(example)}, indent=2))
        fired = {f["rule"] for f in lint_template(str(path), **options)["findings"]}
        assert (rule.id in fired) == (example in rule.positives), (rule.id, example, fired)


@pytest.mark.parametrize("budget,runs,fires", [(50, 2, True), (60, 2, False), (30, 4, False), (119, 1, True)])
def test_budget_chain_against_the_build_timeout(budget, runs, fires, tmp_path):
    """GOOD_WINDOWS allows 120 minutes: watched = budget x runs must cover them."""
    path, lines = write(tmp_path, GOOD_WINDOWS)
    found = {f["rule"]: f for f in lint_template(path, budget_minutes=budget, runs=runs)["findings"]}
    assert ("AIB512" in found) == fires
    if fires:
        evidence = found["AIB512"]["evidence"][0]
        assert '"buildTimeoutInMinutes": 120' in lines[evidence["line"] - 1]
        assert f"{budget * runs}" in evidence["text"] and "120 minutes" in evidence["text"]
    assert "AIB512" not in {f["rule"] for f in lint_template(path)["findings"]}  # no budget given: no check


@pytest.mark.parametrize("command", [
    "sudo reboot", "reboot now", "systemctl reboot", "sudo shutdown -r now", "shutdown.exe -f -r -t 0",
    "Restart-Computer", "if true; then /sbin/reboot; fi", "sudo init 6"])
def test_restart_commands_fire(command, tmp_path):
    props = {"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": [command]}]}
    path, _ = write(tmp_path, props)
    assert "AIB513" in {f["rule"] for f in lint_template(path)["findings"]}, command


@pytest.mark.parametrize("command", [
    "cat /var/run/reboot-required", "echo the reboot happens later", "shutdown -h now",
    "systemctl restart nginx", "Restart-Service W3SVC", "sudo apt-get install -y reboot-notifier"])
def test_look_alikes_do_not_fire(command, tmp_path):
    props = {"buildTimeoutInMinutes": 60, "customize": [{"type": "Shell", "inline": [command]}]}
    path, _ = write(tmp_path, props)
    assert "AIB513" not in {f["rule"] for f in lint_template(path)["findings"]}, command
