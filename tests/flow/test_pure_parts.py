"""Unit tests of the Azure side's pure parts (no network): names, templates, messages, schedule."""

from __future__ import annotations

import json
import random

import pytest

from aib_pilot.azure.auth import infer_mode, make_credential
from aib_pilot.azure.ci_context import ci_tags
from aib_pilot.azure.cloud import resolve_cloud
from aib_pilot.azure.staging_logs import account_from_url, parse_log_location, rg_name
from aib_pilot.azure.templates import choose_name, load_template, parse_tag
from aib_pilot.errors import UsageError
from aib_pilot.monitoring.retry import PollSchedule, retry_after_seconds
from aib_pilot.monitoring.template_watch import iso_or_none
from aib_pilot.report.live_groups import LiveLog

RESOURCE = {
    "type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2025-10-01", "name": "web",
    "location": "westeurope",
    "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/s/rg/id": {}}},
    "properties": {
        "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "o", "sku": "s", "version": "latest"},
        "customize": [{"type": "Shell", "name": "install", "inline": ["apt-get install -y nginx"]}],
        "distribute": [{"type": "ManagedImage", "imageId": "/x", "location": "westeurope", "runOutputName": "out"}],
        "provisioningState": "Succeeded", "lastRunStatus": {"runState": "Failed"},
    },
}


def write(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2))
    return path


# -- clouds -----------------------------------------------------------------------------------------
def test_known_clouds_and_scopes():
    assert resolve_cloud(env={}).credential_scopes == ["https://management.azure.com/.default"]
    gov = resolve_cloud(cloud="AzureUSGovernment", env={})
    assert gov.arm_endpoint == "https://management.usgovcloudapi.net/"
    assert gov.credential_scopes == ["https://management.core.usgovcloudapi.net/.default"]
    assert resolve_cloud(cloud="AzureChinaCloud", env={}).authority_host == "https://login.chinacloudapi.cn/"


def test_custom_cloud_from_env_derives_scope_and_is_custom():
    cloud = resolve_cloud(env={"AIB_PILOT_ARM_ENDPOINT": "https://127.0.0.1:8443",
                               "AIB_PILOT_AUTHORITY_HOST": "https://127.0.0.1:8444"})
    assert cloud.custom and cloud.arm_endpoint == "https://127.0.0.1:8443/"
    assert cloud.credential_scopes == ["https://127.0.0.1:8443/.default"]
    assert cloud.authority_host == "https://127.0.0.1:8444/"


def test_custom_arm_without_authority_is_one_clear_error():
    with pytest.raises(UsageError, match="authority host"):
        resolve_cloud(arm_endpoint="https://arm.local/", env={})
    with pytest.raises(UsageError, match="https"):
        resolve_cloud(arm_endpoint="http://arm.local/", authority_host="https://a/", env={})
    with pytest.raises(UsageError, match="Unknown cloud"):
        resolve_cloud(cloud="Mars", env={})


# -- auth -------------------------------------------------------------------------------------------
def test_auth_inference_order():
    assert infer_mode({"AZURE_CLIENT_SECRET": "x", "ACTIONS_ID_TOKEN_REQUEST_URL": "u"})[0] == "secret"
    assert infer_mode({"ACTIONS_ID_TOKEN_REQUEST_URL": "u"})[0] == "oidc-github"
    assert infer_mode({"SYSTEM_OIDCREQUESTURI": "u", "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "c"})[0] == "oidc-azure-devops"
    assert infer_mode({"IDENTITY_ENDPOINT": "http://x"})[0] == "managed-identity"
    assert infer_mode({})[0] == "cli"


def test_missing_setting_names_it():
    cloud = resolve_cloud(env={})
    with pytest.raises(UsageError, match=r"--auth secret needs AZURE_CLIENT_SECRET \(the service principal's secret\)"):
        make_credential("secret", cloud, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c"})
    with pytest.raises(UsageError, match="ACTIONS_ID_TOKEN_REQUEST_TOKEN"):
        make_credential("oidc-github", cloud, {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://x/?a=1"})
    with pytest.raises(UsageError, match="SYSTEM_ACCESSTOKEN"):
        make_credential("oidc-azure-devops", cloud, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c",
                                                     "SYSTEM_OIDCREQUESTURI": "https://x",
                                                     "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": "sc"})


def test_custom_authority_disables_instance_discovery():
    cloud = resolve_cloud(arm_endpoint="https://127.0.0.1:1/", authority_host="https://127.0.0.1:2/", env={})
    choice = make_credential("secret", cloud, {"AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s"})
    assert choice.mode == "secret" and choice.principal == "c"
    assert choice.credential._instance_discovery is False  # read-only peek at what we configured


# -- templates --------------------------------------------------------------------------------------
def test_resource_json_drops_read_only_fields(tmp_path):
    t = load_template(write(tmp_path, "web.json", RESOURCE))
    assert set(t.body) == {"location", "identity", "properties"}
    assert "lastRunStatus" not in t.body["properties"] and "provisioningState" not in t.body["properties"]
    assert t.declared_name == "web"


def test_name_is_stable_per_content_and_changes_with_it(tmp_path):
    a = choose_name(load_template(write(tmp_path, "a.json", RESOURCE)), name=None, prefix=None)
    again = choose_name(load_template(write(tmp_path, "b.json", RESOURCE)), name=None, prefix=None)
    changed = json.loads(json.dumps(RESOURCE))
    changed["properties"]["customize"][0]["inline"] = ["apt-get install -y apache2"]
    other = choose_name(load_template(write(tmp_path, "c.json", changed)), name=None, prefix=None)
    assert a == again and a.startswith("web-") and a != other
    assert choose_name(load_template(write(tmp_path, "d.json", RESOURCE)), name=None, prefix="nightly").startswith("nightly-")
    assert choose_name(load_template(write(tmp_path, "e.json", RESOURCE)), name="exact", prefix="p") == "exact"
    with pytest.raises(UsageError, match="not a valid image template name"):
        choose_name(load_template(write(tmp_path, "f.json", RESOURCE)), name="bad name!", prefix=None)


def test_arm_deployment_resolves_parameters_and_variables(tmp_path):
    res = json.loads(json.dumps(RESOURCE))
    res["location"] = "[parameters('region')]"
    res["name"] = "[variables('tplName')]"
    res["properties"]["customize"][0]["name"] = "[variables('step')]"
    doc = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
           "parameters": {"region": {"type": "string", "defaultValue": "northeurope"}},
           "variables": {"tplName": "from-arm", "step": "install-nginx"},
           "resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "x"}, res]}
    t = load_template(write(tmp_path, "arm.json", doc))
    assert t.body["location"] == "northeurope"
    assert t.body["properties"]["customize"][0]["name"] == "install-nginx"
    assert t.declared_name == "from-arm"  # resolved from variables


def test_arm_deployment_errors_are_one_line(tmp_path):
    two = {"resources": [RESOURCE, RESOURCE]}
    with pytest.raises(UsageError, match="2 Microsoft.VirtualMachineImages/imageTemplates"):
        load_template(write(tmp_path, "two.json", two))
    res = json.loads(json.dumps(RESOURCE))
    res["location"] = "[concat('west', 'europe')]"
    with pytest.raises(UsageError, match="cannot evaluate"):
        load_template(write(tmp_path, "expr.json", {"resources": [res]}))
    res["location"] = "[parameters('nope')]"
    with pytest.raises(UsageError, match="no defaultValue"):
        load_template(write(tmp_path, "p.json", {"resources": [res]}))


def test_bad_files(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_template(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{ nope")
    with pytest.raises(UsageError, match="not valid JSON"):
        load_template(tmp_path / "bad.json")
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_tag("novalue")


# -- log location messages ----------------------------------------------------------------------------
def test_parse_blob_url_message():
    msg = ("Failed while waiting for packerizer: ... exit status 1. Image Build log location: "
           "https://abc123.blob.core.windows.net/packerlogs/0b8d3f6e-1111-2222-3333-444455556666/customization.log. "
           "OperationId: 0b8d3f6e. Use this operationId to search packer logs.")
    loc = parse_log_location(msg)
    assert loc.blob_url == "https://abc123.blob.core.windows.net/packerlogs/0b8d3f6e-1111-2222-3333-444455556666/customization.log"
    assert loc.run_folder == "0b8d3f6e-1111-2222-3333-444455556666"


def test_parse_path_style_and_arm_path_messages():
    loc = parse_log_location("log: https://127.0.0.1:10000/devstoreaccount1/packerlogs/g1/customization.log?sv=1&sig=SECRET.")
    assert loc.blob_url == "https://127.0.0.1:10000/devstoreaccount1/packerlogs/g1/customization.log"
    arm = parse_log_location(
        "Build failed. Logs: /subscriptions/sub1/resourceGroups/IT_rg_web_abc/providers/Microsoft.Storage/"
        "storageAccounts/stg123/blobServices/default/containers/packerlogs/blobs/g2/customization.log")
    assert (arm.resource_group, arm.account, arm.blob_name) == ("IT_rg_web_abc", "stg123", "g2/customization.log")
    assert parse_log_location("no location here") is None and parse_log_location(None) is None
    assert rg_name("/subscriptions/s/resourceGroups/IT_x/providers/y") == "IT_x"


# -- schedule, retry-after, live log --------------------------------------------------------------------
def test_poll_schedule_rises_to_four_times_start_and_resets():
    s = PollSchedule(start=15, rng=random.Random(1))
    quiet = [s.next(changed=False) for _ in range(8)]
    assert all(13.4 <= quiet[0] <= 24.8 for _ in [0])
    assert max(quiet) <= 60 * 1.1 and quiet[-1] >= 60 * 0.9
    assert 15 * 0.9 <= s.next(changed=True) <= 15 * 1.1


def test_retry_after_header():
    class R:
        headers = {"Retry-After": "7"}

    class E(Exception):
        response = R()

    assert retry_after_seconds(E()) == 7.0 and retry_after_seconds(Exception()) is None


def test_iso_zero_time_is_none():
    assert iso_or_none("0001-01-01T00:00:00Z") is None and iso_or_none("2026-01-01T00:00:00Z").startswith("2026")


class RecordingSink:
    def __init__(self):
        self.events = []

    def group_start(self, title):
        self.events.append(("start", title))

    def group_end(self):
        self.events.append(("end",))

    def log_lines(self, lines):
        self.events.extend(("line", ln) for ln in lines)


def test_live_log_groups_customizers_across_chunk_boundaries(tmp_path):
    log = (b"PACKER OUT deploy\n[a] PACKER ERR (telemetry) Starting provisioner shell\n"
           b"installing\r\n[a] PACKER ERR (telemetry) ending shell\nafter\n")
    sink = RecordingSink()
    live = LiveLog(sink, customizers=[{"type": "Shell", "name": "install-nginx"}])
    for i in range(0, len(log), 7):  # arbitrary split points, even inside lines
        live.feed(log[i:i + 7])
    live.close()
    kinds = [e[0] for e in sink.events]
    assert kinds == ["line", "start", "line", "line", "line", "end", "line"]
    assert sink.events[1] == ("start", "customizer 1/1: install-nginx (shell)")
    assert ("line", "installing") in sink.events


def test_live_log_resume_restores_open_group_and_partial_line(tmp_path):
    saved = tmp_path / "customization.log"
    saved.write_bytes(b"x\n(telemetry) Starting provisioner powershell\nhalf a li")
    sink = RecordingSink()
    live = LiveLog(sink)
    live.resume_from(saved)
    live.feed(b"ne\n(telemetry) ending powershell\n")
    assert sink.events[0] == ("start", "provisioner 1: powershell (continued)")
    assert ("line", "half a line") in sink.events and sink.events[-1] == ("end",)


def test_ci_tags_github_and_azure_devops(tmp_path):
    gh = ci_tags({"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "42",
                  "GITHUB_SHA": "abc", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_SERVER_URL": "https://github.com"})
    assert gh == {"aib-pilot.repo": "o/r", "aib-pilot.run-url": "https://github.com/o/r/actions/runs/42",
                  "aib-pilot.commit": "abc", "aib-pilot.pr": "7"}
    ado = ci_tags({"TF_BUILD": "True", "SYSTEM_COLLECTIONURI": "https://dev.azure.com/org/", "SYSTEM_TEAMPROJECT": "p",
                   "BUILD_BUILDID": "9", "BUILD_SOURCEVERSION": "def", "SYSTEM_PULLREQUEST_PULLREQUESTID": "3",
                   "BUILD_REPOSITORY_NAME": "repo"})
    assert ado["aib-pilot.run-url"] == "https://dev.azure.com/org/p/_build/results?buildId=9" and ado["aib-pilot.pr"] == "3"
    assert ci_tags({}) == {}


def test_live_log_names_groups_by_customizer_kind_not_position():
    sink = RecordingSink()
    live = LiveLog(sink, customizers=[{"type": "File", "name": "copy"}, {"type": "Shell", "name": "install"}])
    live.feed(b"(telemetry) Starting provisioner shell\n(telemetry) ending shell\n"
              b"(telemetry) Starting provisioner shell\n")  # the hidden deprovisioning step
    titles = [e[1] for e in sink.events if e[0] == "start"]
    assert titles == ["customizer 2/2: install (shell)",
                      "Image Builder's own shell step (deprovisioning; not in your template)"]


def test_account_name_from_virtual_host_and_path_style_urls():
    assert account_from_url("https://abc123.blob.core.windows.net/packerlogs/g/customization.log") == "abc123"
    assert account_from_url("https://127.0.0.1:10000/devstoreacct1/packerlogs/g/customization.log") == "devstoreacct1"
    assert account_from_url("https://localhost:1/acct999/packerlogs/x.log") == "acct999"


def test_live_log_and_pr_switches_from_options_and_environment():
    import pytest

    from aib_pilot.cli import build_parser
    from aib_pilot.command_options import pr_publishing, resume_args
    from aib_pilot.errors import UsageError
    from aib_pilot.options import live_log

    parse = build_parser().parse_args
    args = parse(["monitor", "-n", "t", "--live-log", "full", "--annotate-pr"])
    assert live_log(args) == "full" and pr_publishing(args, env={}) == "check"
    assert resume_args(args)[-4:] == ["--live-log", "full", "--annotate-pr", "true"]
    assert live_log(parse(["run", "-t", "x.json", "--no-live-log"])) == "off"
    assert live_log(parse(["monitor", "-n", "t"])) is None  # the report layer reads AIB_PILOT_LIVE_LOG
    quiet = parse(["monitor", "-n", "t", "--annotate-pr", "false"])
    assert pr_publishing(quiet, env={"AIB_PILOT_ANNOTATE_PR": "true"}) is None, "the option beats the variable"
    assert pr_publishing(parse(["monitor", "-n", "t"]), env={"AIB_PILOT_PR_COMMENT": "yes"}) == "comment"
    assert pr_publishing(parse(["monitor", "-n", "t"]), env={}) is None
    with pytest.raises(UsageError, match="AIB_PILOT_ANNOTATE_PR='sure' is not true or false"):
        pr_publishing(parse(["monitor", "-n", "t"]), env={"AIB_PILOT_ANNOTATE_PR": "sure"})


def test_pr_target_prefers_the_tags_written_at_submit():
    from aib_pilot.azure.ci_context import pr_target

    tags = {"aib-pilot.commit": "a" * 40, "aib-pilot.pr": "7", "aib-pilot.repo": "o/r",
            "aib-pilot.run-url": "https://github.com/o/r/actions/runs/5/attempts/1"}
    later = {"GITHUB_RUN_ID": "9", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "b" * 40}
    assert pr_target(tags, later) == {"head_sha": "a" * 40, "pr": "7", "repo": "o/r", "same_run": False,
                                      "details_url": "https://github.com/o/r/actions/runs/5/attempts/1"}
    same = dict(later, GITHUB_RUN_ID="5", GITHUB_RUN_ATTEMPT="2")
    assert pr_target(tags, same)["same_run"] is True
    fallback = pr_target({}, dict(later, GITHUB_REF="refs/pull/3/merge"))
    assert fallback["head_sha"] == "b" * 40 and fallback["pr"] == "3" and not fallback["same_run"]
