"""Regression tests for mistakes a user can make on the Azure flow, found by a review as a user.

CLI tests run the real ``aib-pilot`` in a subprocess against the emulator; the rest are pure.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from aib_pilot.errors import AzureAccessError, UsageError
from tests.flow.conftest import FAST, REPO, cli_env, run_cli, sample_template


def _error_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("aib-pilot: error:")]


def _one_error(result, code: int) -> str:
    assert result.code == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    errors = _error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    return errors[0]


# -- names are checked before any request; ARM's "malformed request" answers are exit 2 ------------
class ConnectionCounter:
    """A loopback TCP listener standing in for every Azure endpoint: it only counts connections (and
    closes them at once), so a test can say "no request at all" without looking at other
    processes' requests to the shared emulator."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"https://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        import select

        while True:
            if select.select([self.sock], [], [], 0.05)[0]:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            elif self._stop.is_set():  # asked to stop and nothing is waiting in the backlog
                return

    def close(self) -> int:
        """Stop listening; the number of connections made, those still in the backlog included."""
        self._stop.set()
        self._thread.join()
        self.sock.close()
        return self.connections


@pytest.mark.parametrize("argv", [
    ["monitor", "-n", "x?y"], ["monitor", "-n", "ok", "-n", "has space"], ["logs", "-n", "x?y"],
    ["cancel", "-n", "a/b"], ["cleanup", "-n", "x" * 65], ["diagnose", "-n", "x?y"],
])
def test_invalid_template_name_is_exit_2_before_any_request(emulator, rg, argv):
    azure = ConnectionCounter()  # Resource Manager and the sign-in both point here
    try:
        result = run_cli(emulator, *argv, "-g", rg, extra_env={"AIB_PILOT_ARM_ENDPOINT": azure.url,
                                                                "AIB_PILOT_AUTHORITY_HOST": azure.url})
    finally:
        azure.close()
    line = _one_error(result, 2)
    assert "is not a valid image template name" in line and "1-64 letters" in line, line
    assert "unexpected" not in line
    assert azure.connections == 0, "no sign-in and no request for a name Azure would refuse"


def test_the_connection_counter_sees_a_sign_in(emulator, rg):
    """The control for the test above: a valid name makes the CLI sign in, and the counter sees it.
    (A counter that closes every connection makes the CLI retry for about a minute before its
    one-line error; the first connection is all this control needs, so the CLI is stopped there.)"""
    azure = ConnectionCounter()
    proc = subprocess.Popen([sys.executable, "-m", "aib_pilot", "logs", "-n", "valid-name", "-g", rg],
                            env=cli_env(emulator, extra={"AIB_PILOT_ARM_ENDPOINT": azure.url,
                                                         "AIB_PILOT_AUTHORITY_HOST": azure.url}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while azure.connections == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.kill()
        stderr = proc.communicate(timeout=30)[1]
        azure.close()
    assert azure.connections >= 1, stderr


@pytest.mark.parametrize("argv", [["monitor", "-n", "x"], ["monitor", "--all", "--tag", "k=v"], ["logs", "-n", "x"]])
def test_invalid_resource_group_name_is_exit_2_before_any_request(emulator, argv):
    before = len(emulator.journal)
    line = _one_error(run_cli(emulator, *argv, "-g", "a?b"), 2)
    assert "--resource-group 'a?b' is not a valid resource group name" in line
    assert len(emulator.journal) == before


def test_arm_invalid_resource_name_answer_is_a_usage_error():
    from azure.core.exceptions import HttpResponseError

    from aib_pilot.azure.errors import azure_access

    exc = HttpResponseError(message="(InvalidResourceName) Resource name 'x%3Fy' is invalid.")
    exc.status_code = 400
    exc.error = SimpleNamespace(code="InvalidResourceName")
    with pytest.raises(UsageError, match=r"Azure refused the request while reading x \(InvalidResourceName\)"):
        with azure_access("reading x"):
            raise exc
    other = HttpResponseError(message="(Conflict) busy")
    other.status_code = 409
    other.error = SimpleNamespace(code="Conflict")
    with pytest.raises(HttpResponseError):  # not every 4xx is the user's input
        with azure_access("reading x"):
            raise other


# -- finite positive numbers, echoing the user's text -----------------------------------------------
def test_positive_finite_refuses_nan_inf_zero_negative_and_echoes_the_text():
    from aib_pilot.options import positive_finite

    assert positive_finite("0.5", "--budget", unit="minutes", example="--budget 50") == 0.5
    for bad in ("nan", "inf", "-inf", "0", "-1", "1e400"):
        with pytest.raises(UsageError) as err:
            positive_finite(bad, "--budget", unit="minutes", example="--budget 50")
        assert f"--budget {bad} " in err.value.message and "finite" in err.value.message
    with pytest.raises(UsageError, match="at least 0.1"):
        positive_finite("0.001", "--poll-interval", unit="seconds", example="--poll-interval 15", minimum=0.1)


@pytest.mark.parametrize("argv,needle", [
    (["monitor", "-n", "x", "--budget", "nan"], "--budget nan is not usable"),
    (["monitor", "-n", "x", "--budget", "-1"], "--budget -1 is not usable"),  # not "-1.0"
    (["monitor", "-n", "x", "--poll-interval", "inf"], "--poll-interval inf is not usable"),
    (["monitor", "-n", "x", "--poll-interval", "0.001"], "at least 0.1"),
    (["cancel", "-n", "x", "--wait", "--timeout", "-5"], "--timeout -5 is not usable"),
])
def test_bad_numbers_are_refused_before_signing_in(emulator, rg, argv, needle):
    before = len(emulator.journal)
    result = run_cli(emulator, *argv, "-g", rg)
    assert needle in _one_error(result, 2)
    assert "auth:" not in result.stderr, "local mistakes come before the auth line"
    assert len(emulator.journal) == before


def test_budget_from_the_environment_names_the_variable(emulator, rg):
    result = run_cli(emulator, "monitor", "-g", rg, "-n", "x", extra_env={"AIB_PILOT_BUDGET": "inf"})
    assert "AIB_PILOT_BUDGET inf is not usable" in _one_error(result, 2)


# -- custom authority without ARM endpoint; cloud vs endpoint; retry wording ---------------------
def test_custom_authority_without_arm_endpoint_is_refused():
    from aib_pilot.azure.cloud import resolve_cloud

    with pytest.raises(UsageError, match="--authority-host https://127.0.0.1:9 needs --arm-endpoint too"):
        resolve_cloud(authority_host="https://127.0.0.1:9", env={})
    with pytest.raises(UsageError, match="AZURE_AUTHORITY_HOST .* needs --arm-endpoint too"):
        resolve_cloud(env={"AZURE_AUTHORITY_HOST": "https://login.example/"})
    # a known cloud's own authority host selects that cloud (ARM included)
    china = resolve_cloud(env={"AZURE_AUTHORITY_HOST": "https://login.chinacloudapi.cn"})
    assert china.name == "AzureChinaCloud" and china.arm_endpoint == "https://management.chinacloudapi.cn/"
    with pytest.raises(UsageError, match="disagree"):
        resolve_cloud(cloud="AzureUSGovernment", authority_host="https://login.chinacloudapi.cn/", env={})


def test_cloud_name_with_custom_arm_endpoint_is_never_ignored():
    from aib_pilot.azure.cloud import resolve_cloud

    env = {"AIB_PILOT_ARM_ENDPOINT": "https://127.0.0.1:8443", "AIB_PILOT_AUTHORITY_HOST": "https://127.0.0.1:8444"}
    with pytest.raises(UsageError, match="--cloud AzureChinaCloud and AIB_PILOT_ARM_ENDPOINT .* disagree"):
        resolve_cloud(cloud="AzureChinaCloud", env=env)
    # An unknown name is refused as such (before it could be compared with the endpoint).
    with pytest.raises(UsageError, match="Unknown cloud 'Mars'"):
        resolve_cloud(cloud="Mars", arm_endpoint="https://arm.local/", authority_host="https://a.local/", env={})


def test_authority_host_alone_on_the_command_line_sends_nothing(emulator, rg):
    env = {"AIB_PILOT_ARM_ENDPOINT": "", "AIB_PILOT_AUTHORITY_HOST": ""}
    before = len(emulator.journal)
    result = run_cli(emulator, "monitor", "-g", rg, "-n", "x", "--authority-host", emulator.info["authority"],
                     extra_env=env)
    assert "needs --arm-endpoint too" in _one_error(result, 2)
    assert len(emulator.journal) == before


def test_retry_line_says_could_not_reach_when_there_was_no_answer():
    from azure.core.exceptions import ServiceRequestError

    from aib_pilot.monitoring.retry import retry_line

    assert retry_line(ServiceRequestError("refused"), 1.25) == \
        "could not reach Azure (ServiceRequestError); retrying in 1.2s"
    answered = SimpleNamespace(status_code=503)
    assert retry_line(answered, 2.0) == "Azure answered 503; retrying in 2.0s"


# -- local inputs before credentials ----------------------------------------------------------------
def test_submit_missing_template_is_reported_before_subscription_and_auth(emulator, rg, tmp_path):
    result = run_cli(emulator, "submit", "--template", str(tmp_path / "nope.json"), "-g", rg,
                     extra_env={"AZURE_SUBSCRIPTION_ID": ""})
    assert "does not exist" in _one_error(result, 2)
    assert "auth:" not in result.stderr
    bad_live = run_cli(emulator, "run", "--template", str(tmp_path / "nope.json"), "-g", rg, "--budget", "0")
    assert "auth:" not in bad_live.stderr and bad_live.code == 2


def test_monitor_bad_template_file_and_pr_switch_come_before_auth(emulator, rg, tmp_path):
    (tmp_path / "empty.json").write_bytes(b"")
    result = run_cli(emulator, "monitor", "-g", rg, "-n", "x", "--template", str(tmp_path / "empty.json"))
    assert "is empty" in _one_error(result, 2) and "auth:" not in result.stderr
    result = run_cli(emulator, "monitor", "-g", rg, "-n", "x", extra_env={"AIB_PILOT_ANNOTATE_PR": "maybe"})
    assert "AIB_PILOT_ANNOTATE_PR" in _one_error(result, 2) and "auth:" not in result.stderr
    template, _ = sample_template(tmp_path, "success")
    for command in (["monitor", "-n", "x"], ["run", "--template", str(template)]):
        result = run_cli(emulator, *command, "-g", rg, extra_env={"AIB_PILOT_LIVE_LOG": "bogus"})
        assert "AIB_PILOT_LIVE_LOG" in _one_error(result, 2) and "auth:" not in result.stderr


# -- template file messages ----------------------------------------------------------------------------
@pytest.mark.parametrize("content,needle", [
    (None, "is a directory. Pass the template JSON file"),
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b"\xb6\x00\x01binary", "is not text (binary, or not UTF-8)"),
    ('{"location": "x"}'.encode("utf-16"), "is UTF-16 text, not UTF-8"),
    (b'{"resources": []}', "holds no Microsoft.VirtualMachineImages/imageTemplates resource"),
    (b"{ nope", "is not valid JSON"),
])
def test_template_file_messages(tmp_path, content, needle):
    from aib_pilot.azure.templates import load_template

    path = tmp_path / "t.json"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(UsageError) as err:
        load_template(path)
    line = err.value.one_line()
    assert needle in line, line
    assert "Errno" not in line and "codec" not in line and "Split the file" not in line


def test_submit_and_lint_say_the_same_about_a_directory(emulator, rg, tmp_path):
    submitted = run_cli(emulator, "submit", "--template", str(tmp_path), "-g", rg)
    linted = run_cli(emulator, "lint", str(tmp_path))
    assert f"template {tmp_path} is a directory." in _one_error(submitted, 2)
    assert f"template {tmp_path} is a directory." in _one_error(linted, 2)


def test_submit_reads_comments_like_lint(tmp_path):
    from aib_pilot.azure.templates import load_template

    _, body = sample_template(tmp_path, "success")
    text = "// built by CI\n" + json.dumps(body, indent=2)
    (tmp_path / "c.json").write_text(text)
    assert load_template(tmp_path / "c.json").body["properties"]["customize"] == body["properties"]["customize"]


# -- authentication hints per mode and AADSTS code ---------------------------------------------------
def test_wrong_secret_is_one_short_line_with_the_fix(emulator, rg):
    result = run_cli(emulator, "monitor", "-g", rg, "-n", "x", extra_env={"AZURE_CLIENT_SECRET": "wrong"})
    line = _one_error(result, 3)
    client = emulator.info["client_id"]
    assert f"Entra ID rejected the client secret of app {client}" in line
    assert "AADSTS7000215: the secret's value, not its ID, is expected" in line
    assert f"az ad app credential reset --id {client}" in line
    assert line.count("Authentication failed") == 1
    for noise in ("Trace ID", "Correlation ID", "Timestamp"):
        assert noise not in line
    assert len(line) < 450


def test_cli_login_missing_gets_the_cli_hint(emulator, rg):
    result = run_cli(emulator, "monitor", "-g", rg, "-n", "x", "--auth", "cli", extra_env={"PATH": "/nonexistent"})
    line = _one_error(result, 3)
    assert "--auth cli" in line and "az login" in line
    assert "secret, certificate or federated" not in line


def test_auth_messages_per_mode_and_code():
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import CredentialUnavailableError

    from aib_pilot.azure.errors import auth_detail, to_access_error, with_sign_in

    raw = ("Authentication failed: Authentication failed: AADSTS700016: Application with identifier 'abc' was "
           "not found in the directory 'x'. This can happen if...\nTrace ID: 1\nCorrelation ID: 2\nTimestamp: 3")
    detail, code = auth_detail(ClientAuthenticationError(message=raw))
    assert code == "700016" and detail.startswith("AADSTS700016: Application with identifier 'abc'")
    assert "Trace ID" not in detail and "Authentication failed" not in detail
    err = to_access_error(with_sign_in(ClientAuthenticationError(message=raw), "oidc-github", "abc"), "reading x")
    assert isinstance(err, AzureAccessError) and "app abc does not exist in this tenant" in err.one_line()
    err = to_access_error(with_sign_in(ClientAuthenticationError(message="AADSTS500011: The resource principal named "
                                                                 "https://x was not found."), "oidc-github", "abc"),
                          "reading x")
    assert "--arm-endpoint" in err.one_line() and "secret" not in err.one_line()
    err = to_access_error(with_sign_in(CredentialUnavailableError(
        message="ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint."),
        "managed-identity", None), "reading x")
    assert "no managed identity is available on this machine" in err.one_line()
    assert "IMDS" in err.one_line() and "secret" not in err.one_line()
    # an error no sign-in marked gets the general hint, not another mode's
    err = to_access_error(ClientAuthenticationError(message="no code here"), "reading x")
    assert "(sign-in)" in err.one_line() and "IMDS" not in err.one_line()


def test_inferred_cli_reason_has_no_nested_parentheses():
    from aib_pilot.azure.auth import infer_mode

    mode, reason = infer_mode({})
    assert mode == "cli" and "(" not in reason


# -- see test_commands.py::test_sigterm_without_cancel_leaves_the_build_running (says it was
# interrupted, how to resume, "interrupted" in the result) and ::test_cancel_on_interrupt_cancels_the_azure_run
# (our own cancel is said as such; the finding is information, not "don't cancel the job").


# -- without --template the template stored in Azure names the customizers ------------------------
def test_monitor_without_template_names_the_failing_customizer(emulator, rg, tmp_path):
    emulator.set_speed(3000)
    template, body = sample_template(tmp_path, "customizer-failed")
    sub = run_cli(emulator, "submit", "--template", str(template), "-g", rg, "--format", "json")
    name = sub.json["template_name"]
    logs = tmp_path / "logs"
    r = run_cli(emulator, "monitor", "-g", rg, "-n", name, "--log-dir", str(logs), *FAST, "--format", "json")
    assert r.code == 1, r.stderr[-2000:]
    fc = r.json["diagnosis"]["failed_customizer"]
    first = body["properties"]["customize"][0]
    assert fc["name"] == first["name"] and fc["index"] == 0
    assert fc["file"] is None and fc["line"] is None  # no line in a file the user does not have
    assert first["name"] in [item["name"] for item in r.json["timeline"]]
    saved = json.loads((logs / name / "template.json").read_text())
    assert saved["properties"]["customize"][0]["name"] == first["name"]
    remote = run_cli(emulator, "diagnose", "-g", rg, "-n", name, "--log-dir", str(tmp_path / "l2"), "--format", "json")
    assert remote.json["failed_customizer"]["name"] == first["name"]


# -- demo options, help texts, wording ------------------------------------------------------
@pytest.mark.parametrize("argv,needle", [
    (["--speed", "0"], "--speed 0 is not usable"), (["--speed", "nan"], "--speed nan is not usable"),
    (["--first-budget", "-1"], "--first-budget -1 is not usable"),
])
def test_demo_checks_its_own_numbers_before_starting(argv, needle):
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "aib_pilot", "demo", *argv], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    line = _one_error(SimpleNamespace(code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr), 2)
    assert needle in line and "dev.sh setup" not in line and "--budget" not in line
    assert "starting the local Azure emulator" not in proc.stdout
    assert time.monotonic() - started < 30


def test_cancel_and_demo_help_texts():
    cancel = subprocess.run([sys.executable, "-m", "aib_pilot", "cancel", "--help"], capture_output=True, text=True)
    assert "the run ends Canceled" in cancel.stdout
    demo = subprocess.run([sys.executable, "-m", "aib_pilot", "demo", "--help"], capture_output=True, text=True)
    text = " ".join(demo.stdout.split())  # argparse wraps lines
    assert "``" not in text and "'python -m tests.emulator'" in text


def test_monitoring_line_wording():
    from aib_pilot.commands.monitor import monitoring_line

    fleet = monitoring_line(["a", "b"], ["rg", "rg"], 0.6, "logs")
    assert "for up to 1 second, then exiting with state Running if they still run" in fleet
    one = monitoring_line(["a"], ["rg"], 30, "logs")
    assert "for up to 30 seconds, then exiting with state Running if it still runs" in one
    assert "for up to less than a second" in monitoring_line(["a"], ["rg"], 0.006, "logs")
    assert "until the runs end" in monitoring_line(["a", "b"], ["rg", "rg"], None, "logs")
