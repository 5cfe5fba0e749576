"""Against the emulator: a good template passes; one template per cause yields exactly that finding
(with its fix and its template line), exit code 2, and nothing is written in Azure."""

from __future__ import annotations

import pytest

from tests.preflight.conftest import PRINCIPAL, gallery_image, good_template, line_of, load, preflight, write, writes


def test_good_template_passes_every_check_without_writing(emulator, world, tmp_path):
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    result = preflight(emulator, path)
    assert result.code == 0, result.stderr
    out = result.json
    assert out["schema"] == "aib-pilot/preflight/v1" and out["status"] == "succeeded"
    assert out["findings"] == []
    statuses = {c["check"]: c["status"] for c in out["checks"]}
    assert set(statuses.values()) == {"passed"}, statuses
    # the checks the template calls for all ran
    for name in ("identity", "role: publish to the gallery (distribute[0])", "provider: Microsoft.VirtualMachineImages",
                 "source image", "security type", "vm size", "vCPU quota", "template name",
                 "distribute[0] (SharedImage)", "file: customize[0] (motd).sourceUri",
                 "file: customize[1] (banner).scriptUri"):
        assert name in statuses
    assert writes(emulator) == []


def _drop_assignments(world, scope_part: str):
    world["roleAssignments"] = [a for a in world["roleAssignments"] if scope_part not in a["scope"]]


def _gallery_source(emulator, template, version="1.0.0"):
    template["properties"]["source"] = {"type": "SharedImageVersion",
                                        "imageVersionId": gallery_image(emulator, "ubuntu-base", version)}


CASES = {
    # cause: (change the world, change the template, rule, needle on the expected line, fix fragment)
    "missing role on the gallery": (
        lambda w: _drop_assignments(w, "galleries/galImages"), None, "AIB602",
        "ubuntu-web/versions/1.0.1",
        f"az role assignment create --assignee-object-id {PRINCIPAL} --assignee-principal-type ServicePrincipal"),
    "unregistered provider": (
        lambda w: w["providers"].update({"Microsoft.VirtualMachineImages": "NotRegistered"}), None, "AIB603",
        '"type": "Microsoft.VirtualMachineImages/imageTemplates"',
        "az provider register --namespace Microsoft.VirtualMachineImages"),
    "missing source version": (
        None, lambda e, t: _gallery_source(e, t, "9.9.9"), "AIB605", "ubuntu-base/versions/9.9.9",
        "az sig image-version list -g rg-gallery --gallery-name galImages --gallery-image-definition ubuntu-base"),
    "size not offered": (
        None, lambda e, t: t["properties"]["vmProfile"].update(vmSize="Standard_NC24ads_A100_v4"), "AIB609",
        "Standard_NC24ads_A100_v4", "az vm list-skus --location eastus"),
    "quota too small": (
        lambda w: w["usages"]["eastus"].update(standardDSv5Family=[48, 50]), None, "AIB610", '"vmSize"',
        "az quota update --resource-name standardDSv5Family"),
    "trusted launch mismatch": (
        None, lambda e, t: (_gallery_source(e, t), t["properties"]["distribute"][0].update(
            galleryImageId=gallery_image(e, "ubuntu-std", "1.0.1"))), "AIB608", "ubuntu-std/versions/1.0.1",
        "--features SecurityType=TrustedLaunch"),
    "version already exists": (
        None, lambda e, t: t["properties"]["distribute"][0].update(galleryImageId=gallery_image(e, "ubuntu-web", "1.0.0")),
        "AIB612", "ubuntu-web/versions/1.0.0",
        "az sig image-version delete -g rg-gallery --gallery-name galImages --gallery-image-definition ubuntu-web "
        "--gallery-image-version 1.0.0"),
    "unreadable customizer blob": (
        lambda w: _drop_assignments(w, "rg-files"), None, "AIB615", "scripts/motd.txt",
        "--role \"Storage Blob Data Reader\""),
    "identity missing": (
        lambda w: w.update(identities=[]), None, "AIB601", "userAssignedIdentities/aib-identity",
        "az identity create -g rg-images -n aib-identity"),
}


@pytest.mark.parametrize("cause", list(CASES))
def test_each_cause_yields_exactly_its_finding(emulator, world, tmp_path, cause):
    change_world, change_template, rule, needle, fix = CASES[cause]
    if change_world:
        change_world(world)
    load(emulator, world)
    template = good_template(emulator)
    if change_template:
        change_template(emulator, template)
    path = write(tmp_path, template)
    result = preflight(emulator, path)
    assert result.code == 2, (result.stdout, result.stderr)
    out = result.json
    assert out["status"] == "failed"
    failed = [f for f in out["findings"] if f["kind"] == "specific"]
    assert [f["rule"] for f in failed] == [rule], out["checks"]
    finding = failed[0]
    assert finding["line"] == line_of(path, needle)
    assert finding["file"] == str(path)
    assert fix in finding["fix"]
    assert finding["fix"].startswith("az ") or " az " in finding["fix"] or "(az " in finding["fix"]
    assert finding["cause"] and finding["title"] and finding["reference"].startswith("https://")
    assert not [f for f in out["findings"] if f["kind"] != "specific"], "nothing else is uncertain"
    assert writes(emulator) == []


def test_could_not_check_is_neither_pass_nor_fail(emulator, world, tmp_path):
    """The caller may not read the gallery's resource group: the gallery checks say which role would
    allow them, and the exit code does not claim a failure."""
    world["callerDenied"] = ["/resourceGroups/rg-gallery"]
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    result = preflight(emulator, path)
    assert result.code == 0, result.stderr
    out = result.json
    statuses = {c["check"]: c["status"] for c in out["checks"]}
    assert statuses["role: publish to the gallery (distribute[0])"] == "could_not_check"
    assert statuses["distribute[0] (SharedImage)"] == "could_not_check"
    assert "failed" not in statuses.values()
    unsure = out["findings"]
    assert unsure and {f["rule"] for f in unsure} == {"AIB690"}
    assert all(f["role"] == "Reader" and "rg-gallery" in f["scope"] for f in unsure)
    assert all(f"--assignee {emulator.info['client_id']} --role \"Reader\"" in f["fix"] for f in unsure)
    assert writes(emulator) == []


def test_a_refused_sas_is_a_finding_and_the_signature_is_never_printed(emulator, world, tmp_path):
    load(emulator, world)
    template = good_template(emulator)
    secret = "c2VjcmV0LXNpZ25hdHVyZS1ub3QtdmFsaWQ"
    uri = emulator.estate.blob_url_of("scripts", "scripts/motd.txt") + f"?sv=2024-08-04&sr=b&sp=r&sig={secret}"
    template["properties"]["customize"][0]["sourceUri"] = uri
    path = write(tmp_path, template)
    for fmt in ("json", "text", "github", "azure-devops", "markdown"):
        result = preflight(emulator, path, fmt=fmt)
        assert result.code == 2, result.stderr
        assert secret not in result.stdout + result.stderr, fmt
        assert "AIB615" in result.stdout
    finding = preflight(emulator, path).json["findings"][0]
    assert finding["rule"] == "AIB615" and finding["line"] == line_of(path, "scripts/motd.txt?")
    assert "with its SAS" in finding["evidence"][0]["text"]
    assert "az storage blob generate-sas" in finding["fix"]
    assert writes(emulator) == []
