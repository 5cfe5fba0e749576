"""Switchable faults, the request journal and the progressively written customization.log."""
from __future__ import annotations

import time

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.storage.blob import BlobClient

from tests.emulator_tests.helpers import aib_client, create, mgmt_client, secret_credential, wait_terminal


def _log_blob(emu, tpl) -> BlobClient:
    import re
    i = emu.info
    rg = tpl.properties.exact_staging_resource_group.split("/")[-1]
    record = emu.template(i["resource_group"], tpl.name)
    url = f"{i['blob']}/{emu.world.staging_account(record) or 'gone'}/packerlogs/{record.run.log_folder}/customization.log"
    assert rg
    return BlobClient.from_blob_url(url, credential=secret_credential(emu), connection_verify=i["ca_bundle"])


def _run(emu, client, name, scenario="customizer-failed"):
    create(emu, client, name, scenario)
    client.virtual_machine_image_templates.begin_run(emu.info["resource_group"], name)
    return client.virtual_machine_image_templates.get(emu.info["resource_group"], name)


def test_throttle_then_success_with_retry_after(emulator):
    client = aib_client(emulator)
    emulator.faults.throttle(count=1, retry_after=1, path="/imageTemplates")
    started = time.monotonic()
    assert list(client.virtual_machine_image_templates.list()) == []
    assert time.monotonic() - started >= 1.0                       # the SDK honoured Retry-After
    statuses = [e.status for e in emulator.journal.entries(service="arm", path_contains="/imageTemplates")]
    assert statuses == [429, 200]


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_are_retried_by_the_sdk(emulator, status):
    client = aib_client(emulator, retry_backoff_factor=0.01)
    emulator.faults.server_error(status, count=2, path="/imageTemplates")
    assert list(client.virtual_machine_image_templates.list()) == []
    statuses = [e.status for e in emulator.journal.entries(service="arm", path_contains="/imageTemplates")]
    assert statuses == [status, status, 200]


def test_persistent_error_surfaces_with_the_envelope(emulator):
    client = aib_client(emulator, retry_total=1, retry_backoff_factor=0.01)
    emulator.faults.server_error(500, count=None, path="/imageTemplates")
    with pytest.raises(HttpResponseError) as err:
        list(client.virtual_machine_image_templates.list())
    assert err.value.status_code == 500 and err.value.error.code == "InternalServerError"


def test_connection_reset_is_journaled_and_retried(emulator):
    client = aib_client(emulator, retry_backoff_factor=0.01)
    emulator.faults.reset_connection(count=1, path="/imageTemplates")
    assert list(client.virtual_machine_image_templates.list()) == []
    statuses = [e.status for e in emulator.journal.entries(service="arm", path_contains="/imageTemplates")]
    assert statuses == [0, 200]


def test_added_latency(emulator):
    client = aib_client(emulator)
    list(client.virtual_machine_image_templates.list())            # warm up token + connection
    emulator.faults.add_latency(0.2, service="arm")
    started = time.monotonic()
    list(client.virtual_machine_image_templates.list())
    assert time.monotonic() - started >= 0.2


def test_log_grows_while_running_and_ranged_reads_fetch_only_new_bytes(emulator):
    client = aib_client(emulator)
    emulator.set_speed(300)                 # a 14-minute build in about 3 s
    tpl = _run(emulator, client, "tpl-grow")
    blob = _log_blob(emulator, tpl)
    emulator.journal.clear()
    got, sizes = b"", []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        # state first: once it is terminal the log is complete, so the size read next is final
        state = client.virtual_machine_image_templates.get(emulator.info["resource_group"], "tpl-grow")
        try:
            size = blob.get_blob_properties().size
        except ResourceNotFoundError:
            size = 0
        if size > len(got):
            got += blob.download_blob(offset=len(got), length=size - len(got)).readall()
            sizes.append(size)
        if state.properties.last_run_status.run_state != "Running":
            break
        time.sleep(0.1)
    assert len(sizes) >= 3, "the log should be observed growing several times"
    assert got == blob.download_blob().readall()
    downloaded = emulator.journal.bytes(service="blob", method="GET", path_contains="customization.log")
    assert downloaded == 2 * len(got)      # every byte once by the ranged reads, once by the final check
    assert all(e.range for e in emulator.journal.entries(service="blob", method="GET")[:-1])


def test_log_absent_fault(emulator):
    emulator.faults.log_absent = True
    client = aib_client(emulator)
    _run(emulator, client, "tpl-nolog")
    tpl = wait_terminal(emulator, client, "tpl-nolog")
    assert "customization.log" in tpl.properties.last_run_status.message
    with pytest.raises(ResourceNotFoundError):
        _log_blob(emulator, tpl).download_blob().readall()


def test_truncated_log_fault_ends_mid_line(emulator):
    emulator.faults.truncate_log = True
    client = aib_client(emulator)
    _run(emulator, client, "tpl-trunc")
    tpl = wait_terminal(emulator, client, "tpl-trunc")
    text = _log_blob(emulator, tpl).download_blob().readall().decode()
    assert text and not text.endswith("\n")


def test_staging_group_deleted_mid_build(emulator):
    emulator.faults.delete_staging_midbuild = True
    client = aib_client(emulator)
    _run(emulator, client, "tpl-del", "success")
    tpl = wait_terminal(emulator, client, "tpl-del")
    assert tpl.properties.last_run_status.run_state == "Failed"
    staging = tpl.properties.exact_staging_resource_group.split("/")[-1]
    rm = mgmt_client(emulator, ResourceManagementClient)
    assert rm.resource_groups.check_existence(staging) is False


def test_denied_staging_read_gives_403_everywhere(emulator):
    from azure.mgmt.storage import StorageManagementClient

    emulator.faults.deny_staging_read = True
    client = aib_client(emulator)
    _run(emulator, client, "tpl-deny")
    tpl = wait_terminal(emulator, client, "tpl-deny")
    staging = tpl.properties.exact_staging_resource_group.split("/")[-1]
    rm = mgmt_client(emulator, ResourceManagementClient)
    with pytest.raises(HttpResponseError) as err:
        rm.resource_groups.get(staging)
    assert err.value.status_code == 403 and err.value.error.code == "AuthorizationFailed"
    storage = mgmt_client(emulator, StorageManagementClient)
    with pytest.raises(HttpResponseError) as err:
        list(storage.storage_accounts.list_by_resource_group(staging))
    assert err.value.status_code == 403
    with pytest.raises(HttpResponseError) as err:
        _log_blob(emulator, tpl).download_blob().readall()
    assert err.value.status_code == 403 and err.value.error_code == "AuthorizationPermissionMismatch"


def test_delete_staging_at_end_removes_group_and_log(emulator):
    emulator.faults.delete_staging_at_end = True
    client = aib_client(emulator)
    _run(emulator, client, "tpl-end", "success")
    tpl = wait_terminal(emulator, client, "tpl-end")
    assert tpl.properties.last_run_status.run_state == "Succeeded"
    rm = mgmt_client(emulator, ResourceManagementClient)
    assert rm.resource_groups.check_existence(tpl.properties.exact_staging_resource_group.split("/")[-1]) is False


def test_auto_run_starts_a_build_after_creation(emulator):
    client = aib_client(emulator)
    tpl = create(emulator, client, "tpl-auto", autoRun={"state": "Enabled"})
    assert tpl.properties.auto_run.state == "Enabled"
    assert emulator.wait_until(lambda: client.virtual_machine_image_templates.get(
        emulator.info["resource_group"], "tpl-auto").properties.last_run_status is not None, timeout=5)
    assert emulator.journal.count(service="arm", method="POST", path_contains="/run") == 0
