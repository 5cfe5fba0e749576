"""The emulator's estate routes answer the official SDKs as the REST specs say (docs/emulator.md)."""

from __future__ import annotations

import os
from argparse import Namespace

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from tests.preflight.conftest import PRINCIPAL, load

GROUP = "3c9d1e70-1b2a-4f3e-8d7c-5a6b7c8d9e01"
CUSTOM_ROLE = "0c3f2b1a-9e8d-4c7b-a6f5-e4d3c2b1a090"


@pytest.fixture
def session(emulator, monkeypatch):
    from aib_pilot.options import make_session

    for key, value in emulator.cli_env().items():
        monkeypatch.setenv(key, value)
    return make_session(Namespace(), os.environ, announce=None)


def _client(session, cls, **extra):
    return cls(session.credential, session.subscription_id, base_url=session.cloud.arm_endpoint,
               **session._mgmt_kwargs(), **extra)


@pytest.fixture
def clients(emulator, world, session):
    from azure.mgmt.authorization import AuthorizationManagementClient
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.msi import ManagedServiceIdentityClient

    load(emulator, world)
    return Namespace(compute=_client(session, ComputeManagementClient), auth=_client(session, AuthorizationManagementClient),
                     msi=_client(session, ManagedServiceIdentityClient), sub=emulator.info["subscription"])


def test_role_assignments_for_a_scope_follow_the_filters(clients):
    ra = clients.auth.role_assignments
    gallery = f"/subscriptions/{clients.sub}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galImages"
    direct = list(ra.list_for_scope(gallery, filter=f"principalId eq '{PRINCIPAL}'"))
    assert [a.scope for a in direct] == [gallery]
    assert direct[0].role_definition_id.endswith(CUSTOM_ROLE) and direct[0].principal_type == "ServicePrincipal"
    # inherited from the resource group, and through the group the identity is a member of
    container = (f"/subscriptions/{clients.sub}/resourceGroups/rg-files/providers/Microsoft.Storage/storageAccounts/"
                 "acct/blobServices/default/containers/scripts")
    assert list(ra.list_for_scope(container, filter=f"principalId eq '{PRINCIPAL}'")) == []
    via_group = list(ra.list_for_scope(container, filter=f"assignedTo('{PRINCIPAL}')"))
    assert [(a.principal_id, a.principal_type) for a in via_group] == [(GROUP, "Group")]
    assert via_group[0].scope == f"/subscriptions/{clients.sub}/resourceGroups/rg-files"
    # without atScope() the list includes assignments below the scope; with it, at and above only
    rg = f"/subscriptions/{clients.sub}/resourceGroups/rg-gallery"
    assert [a.scope for a in ra.list_for_scope(rg)] == [gallery]
    assert list(ra.list_for_scope(rg, filter="atScope()")) == []


def test_role_definition_by_id(clients):
    rid = f"/subscriptions/{clients.sub}/providers/Microsoft.Authorization/roleDefinitions/{CUSTOM_ROLE}"
    role = clients.auth.role_definitions.get_by_id(rid)
    assert role.role_name == "Azure Image Builder Image Def" and role.role_type == "CustomRole"
    assert "Microsoft.Compute/galleries/images/versions/write" in role.permissions[0].actions
    with pytest.raises(ResourceNotFoundError):
        clients.auth.role_definitions.get_by_id(rid[:-4] + "ffff")


def test_platform_images_latest_and_versions(clients):
    images = clients.compute.virtual_machine_images
    latest = images.list("eastus", "Canonical", "ubuntu-24_04-lts", "server", orderby="name desc", top=1)
    assert [i.name for i in latest] == ["24.04.202502010"]
    image = images.get("eastus", "Canonical", "ubuntu-24_04-lts", "server", "24.04.202501010")
    assert image.properties.hyper_v_generation == "V2"
    assert [(f.name, f.value) for f in image.properties.features] == [("SecurityType", "TrustedLaunchSupported")]
    with pytest.raises(ResourceNotFoundError):
        images.get("westus2", "Canonical", "ubuntu-24_04-lts", "server", "24.04.202501010")


def test_skus_usages_and_galleries(clients):
    skus = {s.name: s for s in clients.compute.resource_skus.list(filter="location eq 'eastus'")}
    restricted = skus["Standard_NC24ads_A100_v4"].restrictions[0]
    # (.values is the Mapping method on these models: index the REST key instead)
    assert (restricted.type, restricted.reason_code, restricted["values"]) == ("Location", "NotAvailableForSubscription",
                                                                               ["eastus"])
    assert {c.name: c.value for c in skus["Standard_D4s_v5"].capabilities}["vCPUs"] == "4"
    usages = {u.name.value: (u.current_value, u.limit) for u in clients.compute.usage.list("eastus")}
    assert usages["cores"] == (10, 100)
    version = clients.compute.gallery_image_versions.get("rg-gallery", "galImages", "ubuntu-base", "1.0.0",
                                                          expand="ReplicationStatus")
    assert [t.name for t in version.publishing_profile.target_regions] == ["East US", "West US 2"]
    assert version.replication_status.aggregated_state == "Completed"
    definition = clients.compute.gallery_images.get("rg-gallery", "galImages", "ubuntu-std")
    assert definition.hyper_v_generation == "V2" and not definition.features
    with pytest.raises(ResourceNotFoundError):
        clients.compute.galleries.get("rg-gallery", "nope")
    assert clients.msi.user_assigned_identities.get("rg-images", "aib-identity").principal_id == PRINCIPAL


def test_the_estate_is_read_only_and_denies_what_the_world_says(emulator, world, session):
    from azure.mgmt.compute import ComputeManagementClient

    world["callerDenied"] = ["/resourceGroups/rg-gallery"]
    load(emulator, world)
    compute = _client(session, ComputeManagementClient)
    with pytest.raises(HttpResponseError) as denied:
        compute.galleries.get("rg-gallery", "galImages")
    assert denied.value.status_code == 403 and denied.value.error.code == "AuthorizationFailed"
    with pytest.raises(HttpResponseError) as refused:
        compute.galleries.begin_delete("rg-images", "anything").result()
    assert refused.value.status_code == 405


def test_reset_forgets_the_estate(emulator, world):
    load(emulator, world)
    assert emulator.estate.doc and "AIB_PILOT_PREFLIGHT" not in emulator.cli_env()
    emulator.reset()
    assert not emulator.estate.doc and emulator.cli_env()["AIB_PILOT_PREFLIGHT"] == "false"


def test_the_read_only_guard_stops_the_sdk_registering_a_provider(emulator, world, session):
    """azure-mgmt-core answers 409 MissingSubscriptionRegistration by POSTing .../register; preflight's
    clients refuse that write, so a preflight never registers anything."""
    from azure.mgmt.imagebuilder import ImageBuilderClient

    from aib_pilot.preflight.context import WriteRefused, read_only_guard

    world["providers"]["Microsoft.VirtualMachineImages"] = "NotRegistered"
    load(emulator, world)
    guarded = _client(session, ImageBuilderClient, per_retry_policies=[read_only_guard()])
    with pytest.raises(WriteRefused):
        guarded.virtual_machine_image_templates.get(emulator.info["resource_group"], "t")
    assert emulator.journal.entries(method="POST", path_contains="/register") == []
    plain = _client(session, ImageBuilderClient)   # what an unguarded client does
    with pytest.raises(ResourceNotFoundError):
        plain.virtual_machine_image_templates.get(emulator.info["resource_group"], "t")
    assert len(emulator.journal.entries(method="POST", path_contains="/register")) == 1
