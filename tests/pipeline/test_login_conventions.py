"""azure/login's conventions (subscription-id, creds, environment, audience) next to aib-pilot's
own names, through the action's entrypoint and the CLI against the emulator."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from aib_pilot.cli import main
from aib_pilot.entrypoints.inputs import build_argv

from .test_github_entrypoint import read_outputs, runner_env

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr3t-Value~with.chars_0123"


def creds(info, **extra) -> str:
    doc = {"clientId": info["client_id"], "clientSecret": info["client_secret"], "tenantId": info["tenant"],
           "subscriptionId": info["subscription"], **extra}
    return json.dumps(doc, indent=2)  # multi-line, as `az ad sp create-for-rbac --sdk-auth` prints it


def action(tmp_path: Path, inputs: dict[str, str], extra_env: dict[str, str] | None = None):
    env = runner_env(tmp_path, inputs)
    env.update(extra_env or {})
    proc = subprocess.run([sys.executable, "-m", "aib_pilot.entrypoints.github"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=180)
    written = tmp_path / "file_commands/set_output_1"
    return proc, read_outputs(written) if written.exists() else {}


def submit_inputs(tmp_path: Path, info) -> dict[str, str]:
    (tmp_path / "images").mkdir(exist_ok=True)
    shutil.copy(ROOT / "examples/templates/linux-ubuntu.json", tmp_path / "images/web.json")
    return {"command": "submit", "template": "images/web.json", "resource-group": info["resource_group"],
            "name-prefix": "login", "preflight": "false"}


# -- the input layer: one line per mistake, never the creds -----------------------------------------

@pytest.mark.parametrize("text,needle", [
    ('{"clientId": "a", "clientSecret": "' + SECRET + '", ', "is not valid JSON (line 1"),
    ('["' + SECRET + '"]', "is JSON but not an object"),
    ('{"clientId": "a", "clientSecret": "' + SECRET + '"}', "lacks tenantId"),
    ('{"appId": "a", "tenant": "t"}', "lacks clientSecret"),
])
def test_bad_creds_are_one_line_without_their_content(text, needle):
    inv = build_argv({"command": "submit", "creds": text})
    assert len(inv.errors) == 1 and needle in inv.errors[0], inv.errors
    assert "input 'creds'" in inv.errors[0] and SECRET not in inv.errors[0] and "{" not in inv.errors[0]


def test_creds_go_by_environment_and_their_secret_is_masked():
    text = json.dumps({"appId": "app", "password": SECRET, "tenant": "t"})  # plain create-for-rbac keys
    inv = build_argv({"command": "submit", "creds": text, "template": "t.json"})
    assert not inv.errors and inv.env["AIB_PILOT_CREDS"] == text
    assert SECRET in inv.secrets and not any(SECRET in a for a in inv.argv)


@pytest.mark.parametrize("values,error", [
    ({"subscription": "sub-a", "subscription-id": "sub-b"}, "inputs 'subscription' ('sub-a') and 'subscription-id'"),
    ({"cloud": "AzureCloud", "environment": "azurechinacloud"}, "inputs 'cloud' ('AzureCloud') and 'environment'"),
    ({"environment": "azurecloudx"}, "use one of azurecloud, azureusgovernment, azurechinacloud, azurestack"),
])
def test_old_and_new_names_disagreeing_or_unknown_is_one_line(values, error):
    inv = build_argv({"command": "submit", "template": "t.json", **values})
    assert len(inv.errors) == 1 and error in inv.errors[0], inv.errors


def test_old_and_new_names_agreeing_pass_through():
    inv = build_argv({"command": "submit", "template": "t.json", "subscription": "ABC",
                      "subscription-id": "abc", "cloud": "AzureUSGovernment", "environment": "AZUREUSGOVERNMENT"})
    assert not inv.errors
    assert inv.argv[inv.argv.index("--subscription-id") + 1] == "abc"
    assert inv.argv[inv.argv.index("--environment") + 1] == "AZUREUSGOVERNMENT"


@pytest.mark.parametrize("argv,error", [
    (["--subscription", "a", "--subscription-id", "b"], "--subscription 'a' and --subscription-id 'b'"),
    (["--cloud", "AzureCloud", "--environment", "azureusgovernment"], "--cloud 'AzureCloud' and --environment"),
    (["--environment", "AzureGermanCloud"], "closed on 29 October 2021"),
    (["--environment", "moon"], "azurecloud, azureusgovernment, azurechinacloud, azurestack"),
    (["--environment", "azurestack"], "needs the hub's Resource Manager URL"),
    (["--creds", '{"clientSecret": "' + SECRET + '"}'], "not the JSON itself"),
    (["--creds", "AIB_TEST_UNSET_CREDS"], "--creds AIB_TEST_UNSET_CREDS: that environment variable is not set"),
])
def test_cli_names_refused_in_one_line(argv, error, capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("AIB_TEST_UNSET_CREDS", raising=False)
    monkeypatch.chdir(tmp_path)
    code = main(["cancel", "-g", "rg", "-n", "t", "--subscription", "x", *argv]
                if "--subscription" not in argv else ["cancel", "-g", "rg", "-n", "t", *argv])
    err = capsys.readouterr().err
    assert code == 2 and error in err, err
    assert SECRET not in err and "Traceback" not in err


# -- against the emulator ------------------------------------------------------------------------

def test_creds_alone_sign_in_on_azure_stack_like_azure_login(emulator, tmp_path):
    """azure/login's Azure Stack path: environment azurestack, the hub's URLs inside the creds."""
    info = emulator.info
    text = creds(info, resourceManagerEndpointUrl=info["arm"] + "/", activeDirectoryEndpointUrl=info["authority"])
    proc, outputs = action(tmp_path, {**submit_inputs(tmp_path, info), "creds": text, "environment": "AzureStack"},
                           {"REQUESTS_CA_BUNDLE": info["ca_bundle"]})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "auth: secret" in proc.stderr and outputs["template-name"].startswith("login-")
    assert emulator.journal.count(service="login") >= 1
    for stream in (proc.stdout, proc.stderr):  # the secret only ever in the runner's mask command
        assert all(line.startswith("::add-mask::") for line in stream.splitlines() if info["client_secret"] in line)


def test_creds_and_another_client_id_are_refused(emulator, tmp_path):
    info = emulator.info
    proc, _ = action(tmp_path, {**submit_inputs(tmp_path, info), "creds": creds(info), "client-id": "other-app",
                                "arm-endpoint": info["arm"], "authority-host": info["authority"]},
                     {"REQUESTS_CA_BUNDLE": info["ca_bundle"]})
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "AZURE_CLIENT_ID and the clientId in creds differ" in proc.stderr
    assert info["client_secret"] not in proc.stderr and emulator.journal.count(service="login") == 0


def test_cli_creds_from_a_named_variable(emulator, tmp_path):
    info = emulator.info
    env = {k: v for k, v in emulator.cli_env().items() if not k.startswith(("AZURE_", "AIB_PILOT_SUBSCRIPTION"))}
    env["MY_AZURE_CREDENTIALS"] = creds(info)
    template = tmp_path / "web.json"
    shutil.copy(ROOT / "examples/templates/linux-ubuntu.json", template)
    proc = subprocess.run([sys.executable, "-m", "aib_pilot", "submit", "--template", str(template), "-g",
                           info["resource_group"], "--name-prefix", "cli", "--no-preflight", "--creds",
                           "MY_AZURE_CREDENTIALS", "--arm-endpoint", info["arm"], "--authority-host",
                           info["authority"], "--format", "json"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "auth: secret" in proc.stderr
    assert info["client_secret"] not in proc.stdout + proc.stderr


@pytest.mark.parametrize("audience_input,expected_exit", [("", 3), ("api://Custom.Exchange", 0)])
def test_oidc_token_carries_the_audience_input(emulator, tmp_path, audience_input, expected_exit):
    """The app's federated credential expects a non-default audience: only the matching input signs in."""
    info = emulator.info
    emulator.directory.federated_audience = "api://Custom.Exchange"
    inputs = {**submit_inputs(tmp_path, info), "subscription-id": info["subscription"], "tenant-id": info["tenant"],
              "client-id": info["client_id"], "arm-endpoint": info["arm"], "authority-host": info["authority"]}
    if audience_input:
        inputs["audience"] = audience_input
    else:
        inputs["audience"] = "api://AzureADTokenExchange"  # action.yml's default, as the runner fills it in
    proc, outputs = action(tmp_path, inputs, {"ACTIONS_ID_TOKEN_REQUEST_URL": info["github_oidc_request_url"],
                                              "ACTIONS_ID_TOKEN_REQUEST_TOKEN": info["github_oidc_request_token"],
                                              "REQUESTS_CA_BUNDLE": info["ca_bundle"]})
    assert proc.returncode == expected_exit, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "auth: oidc-github" in proc.stderr
    # The GitHub token request asked for the input's audience (azure/login does the same).
    asked = {parse_qs(e.query).get("audience", [""])[0] for e in emulator.journal.entries(service="oidc")}
    assert asked == {inputs["audience"]}
    if expected_exit:
        assert "audience" in proc.stdout + proc.stderr, proc.stderr[-2000:]
    else:
        assert outputs["template-name"].startswith("login-")


def test_ado_subscription_id_overrides_the_connections_subscription():
    """subscriptionId on the task beats the service connection's subscription without a conflict."""
    from aib_pilot.entrypoints.azure_devops import build

    conn = "0f4c2b1e-1111-2222-3333-444455556666"
    environ = {"INPUT_COMMAND": "cancel", "INPUT_RESOURCEGROUP": "rg", "INPUT_TEMPLATENAME": "t",
               "INPUT_CONNECTEDSERVICENAME": conn, "INPUT_SUBSCRIPTIONID": "sub-of-the-task",
               f"ENDPOINT_URL_{conn}": "https://management.azure.com/",
               f"ENDPOINT_AUTH_SCHEME_{conn}": "ServicePrincipal",
               f"ENDPOINT_AUTH_PARAMETER_{conn}_SERVICEPRINCIPALID": "app",
               f"ENDPOINT_AUTH_PARAMETER_{conn}_TENANTID": "tenant",
               f"ENDPOINT_AUTH_PARAMETER_{conn}_SERVICEPRINCIPALKEY": SECRET,
               f"ENDPOINT_DATA_{conn}_SUBSCRIPTIONID": "sub-of-the-connection"}
    inv, _ = build(environ)
    assert not inv.errors, inv.errors
    assert inv.argv[inv.argv.index("--subscription-id") + 1] == "sub-of-the-task"
    assert "--subscription" not in inv.argv
    environ["INPUT_SUBSCRIPTION"] = "sub-three"  # both task inputs, differing: one line
    inv, _ = build(environ)
    assert len(inv.errors) == 1 and "'subscription' ('sub-three') and 'subscriptionId'" in inv.errors[0]
