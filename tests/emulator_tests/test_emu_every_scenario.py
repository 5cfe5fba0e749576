"""Every scenario in the catalogue, end to end through the emulator with the SDKs.

The scenario tests check each log's content (signatures in the right phase); this checks that the
emulator delivers it faithfully: submission errors on the right channel, the outcome, the message
with its log location, run outputs, and the blob holding exactly the scenario's log lines in order.
"""
from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.storage.blob import BlobClient

from tests.emulator.scenarios import SCENARIOS, samples
from tests.emulator_tests.helpers import aib_client, secret_credential, wait_terminal


def _body(emu, name):
    body = samples.template_for(name)
    body["location"] = emu.info["location"]
    body["tags"] = dict(body.get("tags") or {}, **{"aib-emulator-scenario": name})
    return body


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_end_to_end(emulator, name):
    sc = SCENARIOS[name]
    rg = emulator.info["resource_group"]
    client = aib_client(emulator)
    emulator.set_speed(max(600.0, sc.duration_minutes * 60 / 0.6))     # every build in about 0.6 s
    tname = f"tpl-{name}"[:64]
    if sc.put_error:
        with pytest.raises(HttpResponseError) as err:
            client.virtual_machine_image_templates.begin_create_or_update(rg, tname, _body(emulator, name))
        assert err.value.status_code == sc.put_error["status"]
        assert err.value.error.code == sc.put_error["code"]
        with pytest.raises(ResourceNotFoundError):
            client.virtual_machine_image_templates.get(rg, tname)
        return
    client.virtual_machine_image_templates.begin_create_or_update(rg, tname, _body(emulator, name))
    assert emulator.wait_until(lambda: client.virtual_machine_image_templates.get(rg, tname)
                               .properties.provisioning_state in ("Succeeded", "Failed"), timeout=10)
    tpl = client.virtual_machine_image_templates.get(rg, tname)
    if sc.provisioning_error:
        assert tpl.properties.provisioning_state == "Failed"
        assert tpl.properties.provisioning_error.provisioning_error_code == sc.provisioning_error["provisioningErrorCode"]
        assert tpl.properties.exact_staging_resource_group is None
        return
    assert tpl.properties.provisioning_state == "Succeeded"
    client.virtual_machine_image_templates.begin_run(rg, tname)
    done = wait_terminal(emulator, client, tname, timeout=30)
    status = done.properties.last_run_status
    assert status.run_state == sc.outcome
    record = emulator.template(rg, tname)
    log_url = (f"{emulator.info['blob']}/{emulator.world.staging_account(record) or ''}/packerlogs/"
               f"{record.run.log_folder}/customization.log")
    if sc.outcome == "Succeeded":
        assert status.message == ""
    elif sc.outcome == "Failed":
        assert status.message
        if "{log_url}" in sc.last_run_message and not sc.delete_staging_midbuild:
            assert log_url in status.message
    outputs = list(client.virtual_machine_image_templates.list_run_outputs(rg, tname))
    if sc.outcome in ("Succeeded", "PartiallySucceeded") or sc.run_outputs_on_failure:
        assert {o.name for o in outputs} == {d["runOutputName"] for d in done.properties.distribute}
        states = {o.name: o.properties.provisioning_state for o in outputs}
        if sc.outcome == "PartiallySucceeded" and len(outputs) > 1:
            assert states[done.properties.distribute[-1]["runOutputName"]] == "Failed"
            assert list(states.values()).count("Succeeded") == len(outputs) - 1
        else:
            assert set(states.values()) == {"Succeeded"}
    else:
        assert outputs == []
    if sc.log_absent or sc.delete_staging_midbuild or sc.deny_staging_read:
        return      # covered by test_emu_faults_and_logs
    text = BlobClient.from_blob_url(log_url, credential=secret_credential(emulator),
                                    connection_verify=emulator.info["ca_bundle"]).download_blob().readall().decode()
    lines = [e.text for e in record.run.events if e.at_seconds <= record.run.duration]
    if sc.truncate_log:
        cut = lines[-1][: max(1, len(lines[-1]) // 2)]
        assert text == "".join(line + "\n" for line in lines[:-1]) + cut and not text.endswith("\n")
    else:
        assert text == "".join(line + "\n" for line in lines)
