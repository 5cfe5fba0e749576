"""build-vm-image's inputs that have no CLI option of their own, as the adapters fold them."""

from __future__ import annotations

from aib_pilot.entrypoints.inputs import build_argv

BASE = {"command": "run", "source-image": "Canonical:ubuntu-24_04-lts:server:latest", "source-os-type": "linux",
        "location": "eastus", "managed-identity": "aib-identity"}


def test_action_run_mode_picks_the_command():
    assert build_argv({**BASE, "action-run-mode": "nowait"}).argv[0] == "submit"
    assert build_argv({**BASE, "action-run-mode": "full"}).argv[0] == "run"
    assert build_argv({**BASE, "action-run-mode": "buildonly"}).argv[0] == "run"
    bad = build_argv({**BASE, "action-run-mode": "custom"})
    assert bad.errors == ["input 'action-run-mode' is 'custom': use full, buildonly or nowait."]


def test_template_name_is_a_name_or_a_template_file():
    named = build_argv({**BASE, "image-builder-template-name": "web-image", "resource-group-name": "images"})
    assert ["--name", "web-image"] == named.argv[named.argv.index("--name"):][:2]
    assert ["--resource-group", "images"] == named.argv[named.argv.index("--resource-group"):][:2]
    as_file = build_argv({"command": "run", "image-builder-template-name": "images/web.json", "resource-group": "rg"})
    assert ["--template", "images/web.json"] == as_file.argv[as_file.argv.index("--template"):][:2]


def test_two_names_for_one_thing_must_agree():
    inv = build_argv({**BASE, "resource-group-name": "a", "resource-group": "b"}, platform="azure-devops")
    assert inv.errors == ["input 'resourceGroupName' and input 'resourceGroup' differ; give one of them."]


def test_the_inputs_only_apply_to_run_and_submit():
    inv = build_argv({"command": "monitor", "source-image": "a:b:c:d", "resource-group": "rg", "template-name": "t"})
    assert inv.errors == ["input 'source-image' only applies to command(s) run, submit; remove it for 'monitor'."]


def test_a_script_keeps_its_lines_and_indentation():
    script = "for f in /tmp/app/*; do\n  echo $f\ndone\n"
    inv = build_argv({**BASE, "customizer-script": script})
    assert inv.argv[inv.argv.index("--customizer-script") + 1] == script
