"""submit conflicts, cancel, cleanup, logs, fleet, remote errors: the CLI edges against the emulator."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.flow.conftest import FAST, Output, run_cli, sample_template, start_cli


def _submit(emu, rg, template, logs, *extra):
    r = run_cli(emu, "submit", "--template", str(template), "-g", rg, "--log-dir", str(logs), "--format", "json", *extra)
    return r


def test_resubmitting_the_same_template_attaches_instead_of_conflicting(emulator, rg, tmp_path):
    emulator.set_speed(60)
    template, _ = sample_template(tmp_path, "success")
    first = _submit(emulator, rg, template, tmp_path)
    second = _submit(emulator, rg, template, tmp_path)
    assert first.code == second.code == 0, second.stderr
    assert first.json["template_name"] == second.json["template_name"]
    assert second.json["action"] == "attached"
    assert emulator.journal.count(service="arm", method="PUT", path_contains="/imageTemplates/") == 1
    replace = _submit(emulator, rg, template, tmp_path, "--on-conflict", "replace")
    assert replace.code == 2 and "run in progress" in replace.stderr
    fail = _submit(emulator, rg, template, tmp_path, "--on-conflict", "fail")
    assert fail.code == 2 and "already exists" in fail.stderr


def test_rerun_after_finish_and_replace(emulator, rg, tmp_path):
    emulator.set_speed(3000)
    template, _ = sample_template(tmp_path, "success")
    name = _submit(emulator, rg, template, tmp_path).json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Succeeded", timeout=20)
    rerun = _submit(emulator, rg, template, tmp_path)
    assert rerun.code == 0 and rerun.json["action"] == "rerun"
    assert "with the same content: started a new run" in rerun.stderr
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Succeeded", timeout=20)
    changed = tmp_path / "changed.json"  # same explicit name, other content: the stored one is rebuilt
    body = json.loads(template.read_text())
    body["properties"]["customize"][0]["name"] = "renamed-step"
    changed.write_text(json.dumps(body))
    other = _submit(emulator, rg, changed, tmp_path, "--name", name)
    assert other.code == 0 and other.json["action"] == "rerun"
    assert "has different content: started a new run of the EXISTING template" in other.stderr
    assert "--on-conflict replace" in other.stderr
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Succeeded", timeout=20)
    replaced = _submit(emulator, rg, template, tmp_path, "--on-conflict", "replace")
    assert replaced.code == 0 and replaced.json["action"] == "replaced"
    assert emulator.journal.count(service="arm", method="DELETE", path_contains=f"/imageTemplates/{name}") == 1
    assert emulator.journal.count(service="arm", method="PUT", path_contains=f"/imageTemplates/{name}") == 2


def test_tags_carry_the_ci_run(emulator, rg, tmp_path):
    emulator.set_speed(60)
    template, _ = sample_template(tmp_path, "success")
    r = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--tag", "team=images", "--format", "json",
                extra_env={"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "77",
                           "GITHUB_SHA": "abc123", "GITHUB_REF": "refs/pull/5/merge"})
    assert r.code == 0, r.stderr
    tags = emulator.template(rg, r.json["template_name"]).tags
    assert tags["team"] == "images" and tags["aib-pilot.pr"] == "5" and tags["aib-pilot.commit"] == "abc123"
    assert tags["aib-pilot.run-url"].endswith("/o/r/actions/runs/77")
    assert tags["aib-emulator-scenario"] == "success"


def test_cancel_on_interrupt_cancels_the_azure_run(emulator, rg, tmp_path):
    emulator.set_speed(30)
    template, _ = sample_template(tmp_path, "success")
    proc = start_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "l"),
                     *FAST, "--format", "json", "--cancel-on-interrupt", "--no-live-log")
    output = Output(proc)
    # the monitor loop runs (submit is done, its signal handlers are in place) and has read the
    # template once, so the run it cancels is one it has seen running
    output.wait_for("monitoring image template")
    mark = len(emulator.journal)  # the loop polls every 0.2 s: a read of the template follows this mark
    assert emulator.journal.wait_for(lambda j: any(
        e.method == "GET" and "/imagetemplates/" in e.path.lower() for e in j.entries(service="arm")[mark:]), timeout=30)
    proc.send_signal(signal.SIGTERM)
    out, err = output.finish()
    assert proc.returncode == 1, err[-2000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["state"] == "Canceled"
    assert emulator.journal.count(service="arm", method="POST", path_contains="/cancel") == 1
    # aib-pilot's own cancel is said as such, and not diagnosed as a CI time-out to avoid
    assert result["interrupted"] == "SIGTERM" and "interrupted by SIGTERM: canceling the run" in err
    assert result["message"].startswith("canceled by aib-pilot on SIGTERM (--cancel-on-interrupt)")
    canceled = [f for f in result["diagnosis"]["findings"] if f["category"] == "pipeline_timeout"]
    assert canceled and all(f["severity"] == "info" for f in canceled)
    assert all("instead of cancelling" not in f["fix"] and "--cancel-on-interrupt" in f["fix"] for f in canceled)


def test_sigterm_without_cancel_leaves_the_build_running(emulator, rg, tmp_path):
    emulator.set_speed(30)
    template, _ = sample_template(tmp_path, "success")
    proc = start_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "l"),
                     *FAST, "--format", "json", "--no-live-log")
    assert emulator.wait_until(lambda: any(t.run for t in emulator.world.templates.values()), timeout=20)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["state"] == "Running"
    assert emulator.journal.count(service="arm", method="POST", path_contains="/cancel") == 0
    # the stop is said to come from a signal, with the resume command; machine-readable too
    assert result["interrupted"] == "SIGTERM"
    warning = [ln for ln in err.splitlines() if "interrupted by SIGTERM" in ln]
    assert len(warning) == 1 and "the build keeps running in Azure" in warning[0], err
    assert f"Resume with: aib-pilot monitor --resource-group {rg}" in warning[0]


def test_cleanup_saves_the_log_first_and_never_deletes_a_running_template(emulator, rg, tmp_path):
    emulator.set_speed(60)
    template, _ = sample_template(tmp_path, "customizer-failed")
    name = _submit(emulator, rg, template, tmp_path).json["template_name"]
    refused = run_cli(emulator, "cleanup", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "logs"))
    assert refused.code == 2 and "run in progress" in refused.stderr
    emulator.set_speed(3000)
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    done = run_cli(emulator, "cleanup", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "logs"))
    assert done.code == 0, done.stderr
    saved = list((tmp_path / "logs").rglob("customization.log"))
    assert saved and saved[0].stat().st_size > 0
    assert emulator.template(rg, name) is None
    # the log was read before the DELETE was sent
    reads = emulator.journal.entries(service="blob", method="GET", path_contains="customization.log")
    deletes = emulator.journal.entries(service="arm", method="DELETE", path_contains=f"/imageTemplates/{name}")
    assert reads and deletes and max(e.at for e in reads) <= min(e.at for e in deletes)


@pytest.mark.waits
def test_logs_and_cancel_commands(emulator, rg, tmp_path):
    # slow enough that `logs` and `cancel` land while the build runs, even on a busy 2-CPU machine
    emulator.set_speed(40)
    template, _ = sample_template(tmp_path, "success")
    name = _submit(emulator, rg, template, tmp_path).json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.sub_state == "Customizing", timeout=30)
    logs = run_cli(emulator, "logs", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "logs"))
    assert logs.code == 0, logs.stderr
    assert Path(logs.stdout.strip().splitlines()[-1]).stat().st_size > 0
    cancel = run_cli(emulator, "cancel", "-g", rg, "-n", name, "--wait")
    assert cancel.code == 0, cancel.stderr
    assert emulator.template(rg, name).run.state == "Canceled"


def test_fleet_monitor_by_tag(emulator, rg, tmp_path):
    emulator.set_speed(1000)
    names = []
    for scenario in ("success", "customizer-failed", "success-vhd"):
        template, _ = sample_template(tmp_path, scenario)
        r = _submit(emulator, rg, template, tmp_path, "--tag", "fleet=nightly")
        assert r.code == 0, r.stderr
        names.append(r.json["template_name"])
    other, _ = sample_template(tmp_path, "slow-success")
    assert _submit(emulator, rg, other, tmp_path).code == 0  # not tagged: not watched
    r = run_cli(emulator, "monitor", "--all", "--tag", "fleet=nightly", "-g", rg, "--log-dir", str(tmp_path / "logs"),
                *FAST, "--format", "json")
    assert r.code == 1, r.stderr[-2000:]
    summary = r.json
    states = {x["template_name"]: x["state"] for x in summary["results"]}
    assert states == {names[0]: "Succeeded", names[1]: "Failed", names[2]: "Succeeded"}
    failed = next(x for x in summary["results"] if x["state"] == "Failed")
    assert failed["diagnosis"]["category"] == "customizer_failed"
    gets_before = emulator.journal.count(service="arm", method="GET", path_contains="/imageTemplates/")
    by_name = run_cli(emulator, "monitor", "-n", names[0], "-n", names[2], "-g", rg, "--log-dir",
                      str(tmp_path / "logs"), *FAST, "--format", "json")
    assert by_name.code == 0, by_name.stderr[-2000:]  # both succeeded: the failed one is not watched
    assert [x["state"] for x in by_name.json["results"]] == ["Succeeded", "Succeeded"]
    template_gets = [e for e in emulator.journal.entries(service="arm", method="GET", path_contains="/imageTemplates/")
                     [gets_before:] if e.path.rstrip("/").rsplit("/", 1)[-1] in names]
    assert len(template_gets) == 2, "one GET per template per poll (both were finished at the first poll)"


def test_access_errors_have_exit_code_3_and_one_line(emulator, rg, tmp_path):
    missing = run_cli(emulator, "monitor", "-g", rg, "-n", "does-not-exist")
    assert missing.code == 3 and "Not found" in missing.stderr and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 2  # the auth info line + the error
    bad = run_cli(emulator, "monitor", "-g", rg, "-n", "x", extra_env={"AZURE_CLIENT_SECRET": "wrong"})
    assert bad.code == 3 and "Authentication failed" in bad.stderr, bad.stderr
    nosub = run_cli(emulator, "monitor", "-g", rg, "-n", "x", extra_env={"AZURE_SUBSCRIPTION_ID": ""})
    assert nosub.code == 2 and "--subscription" in nosub.stderr


def test_transient_arm_errors_are_retried(emulator, rg, tmp_path):
    emulator.set_speed(1000)
    template, _ = sample_template(tmp_path, "success")
    name = _submit(emulator, rg, template, tmp_path).json["template_name"]
    emulator.faults.throttle(count=3, retry_after=0.3, method="GET", path=f"/imageTemplates/{name}$")
    emulator.faults.server_error(503, count=3, method="GET", path=f"/imageTemplates/{name}$")
    emulator.faults.reset_connection(count=2, method="GET", path=f"/imageTemplates/{name}$")
    r = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "logs"), *FAST,
                "--format", "json")
    assert r.code == 0, r.stderr[-2000:]
    assert r.json["state"] == "Succeeded"
    assert emulator.journal.count(service="arm", status=429) == 3


def test_remote_diagnose_of_a_failed_run_and_of_a_rejected_template(emulator, rg, tmp_path):
    emulator.set_speed(3000)
    template, _ = sample_template(tmp_path, "customizer-failed")
    name = _submit(emulator, rg, template, tmp_path).json["template_name"]
    assert emulator.wait_until(lambda: emulator.template(rg, name).run.state == "Failed", timeout=20)
    r = run_cli(emulator, "diagnose", "-g", rg, "-n", name, "--template", str(template), "--format", "json",
                "--log-dir", str(tmp_path / "logs"))
    assert r.code == 1, r.stderr
    diag = r.json
    assert diag["schema"] == "aib-pilot/diagnosis/v1" and diag["category"] == "customizer_failed"
    assert diag["failed_customizer"]["name"] == "update-and-install-nginx"
    assert diag["source"].startswith("azure:/subscriptions/")

    rejected, _ = sample_template(tmp_path, "invalid-template")
    sub = _submit(emulator, rg, rejected, tmp_path)
    assert sub.code == 1 and sub.json["diagnosis"]["category"] == "invalid_template"
    failed_provisioning, _ = sample_template(tmp_path, "image-version-404")
    sub = _submit(emulator, rg, failed_provisioning, tmp_path)
    assert sub.code == 1 and sub.json["diagnosis"]["category"] == "source_image_not_found"
    remote = run_cli(emulator, "diagnose", "-g", rg, "-n", sub.json["template_name"], "--format", "json",
                     "--log-dir", str(tmp_path / "logs"))
    assert remote.code == 1 and remote.json["category"] == "source_image_not_found"  # the template stays, Failed
    again = _submit(emulator, rg, failed_provisioning, tmp_path)  # attach cannot run a Failed template
    assert again.code == 1 and "deleting the existing template" in again.stderr
    both = run_cli(emulator, "diagnose", "some.log", "-g", rg, "-n", name)
    assert both.code == 2 and "not both" in both.stderr


def test_submit_an_arm_deployment_template(emulator, rg, tmp_path):
    emulator.set_speed(60)
    _, body = sample_template(tmp_path, "success")
    resource = {"type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2025-10-01",
                "name": "[parameters('imageTemplateName')]", "location": "[resourceGroup().location]",
                "tags": "[variables('tags')]", "identity": body["identity"], "properties": body["properties"]}
    doc = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "contentVersion": "1.0.0.0",
           "parameters": {"imageTemplateName": {"type": "string", "defaultValue": "from-arm"}},
           "variables": {"tags": {"aib-emulator-scenario": "success"}},
           "resources": [{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "name": "id",
                          "apiVersion": "2023-01-31", "location": "[resourceGroup().location]"}, resource]}
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(doc, indent=2))
    r = _submit(emulator, rg, path, tmp_path)
    assert r.code == 0, r.stderr
    assert r.json["template_name"].startswith("from-arm-")
    created = emulator.template(rg, r.json["template_name"])
    assert created.location == emulator.info["location"]  # resolved from the resource group


def test_an_azure_answer_with_no_meaning_for_aib_pilot_is_an_internal_error_exit_4(emulator, rg):
    """Exit 4 is aib-pilot's own failure, never a failed build (1), bad input (2) or access (3): an
    answer it has no handling for (409 on a read) is one line asking for a report, not a traceback."""
    emulator.faults.server_error(409, count=1, method="GET", path="/imageTemplates/")
    r = run_cli(emulator, "cancel", "-g", rg, "-n", "any-template")
    assert r.code == 4, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and errors[0].startswith("aib-pilot: error: unexpected ResourceExistsError"), r.stderr
    assert errors[0].endswith("(set AIB_PILOT_DEBUG=1 for the traceback and please report it)")
