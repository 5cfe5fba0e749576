"""A reader role aib-pilot has just assigned may not apply yet when AIB fetches the workspace files.

Azure applies a new role assignment after a delay (Microsoft documents up to 10 minutes), and AIB
reads File customizer sources with the template's identity while it creates the template, seconds
after the assignment. The emulator's world key ``roleAssignmentDelayMinutes`` models that delay
(simulated minutes): until it has passed, the template PUT is refused with AIB's "Not authorized to
access the resource: <blob URL>". aib-pilot then creates the template again, waiting longer each
time, until the role applies or its time (10 minutes, or the job's budget) is up.
"""

from __future__ import annotations

import copy

from tests.emulator.estate import read_world_file
from tests.pipeline.test_build_vm_image import RG, cli_inputs, workspace

TEMPLATE_PUTS = {"service": "arm", "method": "PUT", "path_contains": "/imageTemplates/"}


def world_with_delay(minutes: float) -> dict:
    doc = copy.deepcopy(read_world_file())
    doc["roleAssignmentDelayMinutes"] = minutes
    return doc


def test_the_template_is_created_again_once_the_new_role_applies(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    emulator.estate.load(world_with_delay(30))  # 30 simulated minutes: 3 s at the tests' speed
    workspace(tmp_path)
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path), cwd=tmp_path)
    assert result.code == 0 and result.json["state"] == "Succeeded", result.stdout[-2000:] + result.stderr[-2000:]
    puts = emulator.journal.entries(**TEMPLATE_PUTS)
    assert [e.status for e in puts][0] == 400 and puts[-1].status == 201, [e.status for e in puts]
    assert emulator.journal.count(service="arm", method="PUT", path_contains="roleAssignments") == 1
    said = result.stdout + result.stderr
    assert "AIB cannot read the workspace files yet" in said and "up to 10 minutes" in said
    assert "creating the template again in" in said
    assert emulator.template(RG, result.json["template_name"]) is not None


def test_a_role_that_does_not_apply_within_the_budget_is_one_explained_failure(emulator, tmp_path):
    from tests.flow.conftest import run_cli

    emulator.estate.load(world_with_delay(600))  # 10 simulated hours: far beyond the budget below
    workspace(tmp_path)
    args = cli_inputs(emulator, tmp_path)
    args[args.index("--budget") + 1] = "0.2"    # 12 s
    result = run_cli(emulator, *args, cwd=tmp_path)
    assert result.code == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert len(emulator.journal.entries(**TEMPLATE_PUTS)) >= 2         # it did try again
    assert all(e.status == 400 for e in emulator.journal.entries(**TEMPLATE_PUTS))
    message = result.json["message"]
    assert message.startswith("Not authorized to access the resource: ")
    assert "Azure can take up to 10 minutes to apply a new role assignment" in message
    assert "Traceback" not in result.stderr
    # no template records the account made for the payload: it is deleted again
    assert not emulator.world.user_accounts.accounts


def test_a_refusal_of_files_whose_role_was_not_assigned_by_this_run_is_not_retried(emulator, tmp_path):
    """A named account is checked, not assigned: the delay does not apply and nothing is retried
    (tests/pipeline/test_build_vm_image.py covers the refusal itself)."""
    from tests.flow.conftest import run_cli

    emulator.estate.load(world_with_delay(3))
    workspace(tmp_path)
    account = emulator.estate.account("scripts")   # the identity's group may read it already
    result = run_cli(emulator, *cli_inputs(emulator, tmp_path, **{"customizer-storage-account": account}),
                     cwd=tmp_path)
    assert result.code == 0, result.stderr[-2000:]
    assert [e.status for e in emulator.journal.entries(**TEMPLATE_PUTS)] == [201]
    assert "AIB cannot read the workspace files yet" not in result.stdout + result.stderr


def test_waits_double_up_to_a_minute_and_stop_ten_minutes_after_the_assignment():
    from aib_pilot.azure.payload import FreshRole

    now = [1000.0]
    role = FreshRole("https://acct.blob/c/app.tar.gz", assigned_at=1000.0, first_wait=15, clock=lambda: now[0])
    waits = []
    while (wait := role.wait_before_retry()) is not None:
        waits.append(wait)
        now[0] += wait
    assert waits[:4] == [15, 30, 60, 60] and sum(waits) == 600
    assert now[0] == 1600.0
    # a budget ending earlier stops it earlier
    now[0] = 1000.0
    role = FreshRole("https://acct.blob/c/app.tar.gz", assigned_at=1000.0, first_wait=15, until=1040.0,
                     clock=lambda: now[0])
    waits = []
    while (wait := role.wait_before_retry()) is not None:
        waits.append(wait)
        now[0] += wait
    assert waits == [15, 25]


def test_only_aibs_refusal_of_this_payload_counts():
    from aib_pilot.azure.payload import FreshRole

    role = FreshRole("https://acct.blob/c/app.tar.gz")
    refusal = ("Not authorized to access the resource: https://acct.blob/c/app.tar.gz. Please check the user "
               "assigned identity has the correct permissions.")
    assert role.refused({"error": {"code": "Unauthorized", "message": refusal}})
    assert role.refused({"provisioningErrorCode": "Other", "message": refusal})
    assert not role.refused({"error": {"code": "Unauthorized", "message": refusal.replace("app.tar", "other.tar")}})
    assert not role.refused({"error": {"code": "ValidationFailed", "message": "bad source"}})
