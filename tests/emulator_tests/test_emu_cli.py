"""``python -m tests.emulator``: one JSON line, serves until SIGTERM, stops what it started."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

from azure.mgmt.imagebuilder import ImageBuilderClient

from tests.emulator.scenarios import SCENARIOS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
C5_KEYS = {"arm", "authority", "ca_bundle", "blob", "subscription", "tenant", "client_id", "client_secret",
           "resource_group"}


def _port_open(url: str) -> bool:
    host, port = url.split("//")[1].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return True
    except OSError:
        return False


def test_list_scenarios():
    out = subprocess.run([sys.executable, "-m", "tests.emulator", "--list-scenarios"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=True).stdout
    names = [line.split("\t")[0] for line in out.splitlines()]
    assert names == sorted(SCENARIOS)
    assert {"success", "slow-success", "customizer-failed"} <= set(names)


def test_bad_speed_is_one_clear_line():
    proc = subprocess.run([sys.executable, "-m", "tests.emulator", "--speed", "0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "--speed" in proc.stderr


def test_runs_by_hand_and_stops_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--speed", "600"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert C5_KEYS <= set(info)
        assert info["startup_seconds"] < 10        # the 3 s target is measured by measure_startup
        from azure.identity import ClientSecretCredential

        cred = ClientSecretCredential(info["tenant"], info["client_id"], info["client_secret"],
                                      authority=info["authority"], disable_instance_discovery=True,
                                      connection_verify=info["ca_bundle"])
        client = ImageBuilderClient(cred, info["subscription"], base_url=info["arm"],
                                    credential_scopes=[info["arm"] + "/.default"],
                                    connection_verify=info["ca_bundle"])
        assert list(client.virtual_machine_image_templates.list_by_resource_group(info["resource_group"])) == []
        assert _port_open(info["azurite"])
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    assert not _port_open(info["azurite"]) and not _port_open(info["arm"])
    assert not os.path.exists(info["ca_bundle"])      # its temp dir is gone too


def _free_port_block(size: int = 5) -> int:
    """A base port with ``size`` consecutive free ports (checked by binding each)."""
    import socket as _s

    for _ in range(50):
        with _s.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = max(20000, min(probe.getsockname()[1], 60000))
        held = []
        try:
            for port in range(base, base + size):
                sock = _s.socket()
                held.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in held:
                sock.close()
    raise AssertionError("no block of five free ports found on 127.0.0.1")


def test_port_base_fixes_the_ports():
    base = _free_port_block()
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--port-base", str(base)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        # The ports were free a moment ago: an emulator that prints nothing has failed, and says why.
        assert line, f"the emulator printed nothing on ports {base}..{base + 4}: {proc.stderr.read()[-500:]}"
        info = json.loads(line)
        assert info["arm"] == f"https://127.0.0.1:{base}"
        assert info["authority"] == f"https://127.0.0.1:{base + 1}"
        assert info["blob"] == f"https://127.0.0.1:{base + 3}"
        assert info["azurite"] == f"https://127.0.0.1:{base + 4}"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_record_writes_requests_and_accepted_templates_as_they_happen(tmp_path):
    """``--record DIR``: what a test in another process (tests/container) reads instead of the journal."""
    from types import SimpleNamespace

    from tests.emulator_tests.helpers import template_body

    record = tmp_path / "record"
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--speed", "600", "--record", str(record)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        from azure.identity import ClientSecretCredential

        cred = ClientSecretCredential(info["tenant"], info["client_id"], info["client_secret"],
                                      authority=info["authority"], disable_instance_discovery=True,
                                      connection_verify=info["ca_bundle"])
        client = ImageBuilderClient(cred, info["subscription"], base_url=info["arm"],
                                    credential_scopes=[info["arm"] + "/.default"], connection_verify=info["ca_bundle"])
        body = template_body(SimpleNamespace(info=info))
        templates = client.virtual_machine_image_templates
        templates.begin_create_or_update(info["resource_group"], "recorded", body)
        try:  # refused: the same name again (AIB cannot update a template)
            templates.begin_create_or_update(info["resource_group"], "recorded", body)
        except Exception:  # noqa: BLE001 - HttpResponseError 409
            pass
        # written as they happen: readable while the emulator still runs
        journal = [json.loads(line) for line in (record / "journal.jsonl").read_text().splitlines()]
        accepted = [json.loads(line) for line in (record / "templates.jsonl").read_text().splitlines()]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    puts = [e for e in journal if e["service"] == "arm" and e["method"] == "PUT" and e["path"].endswith("/recorded")]
    assert [e["status"] for e in puts] == [201, 409]
    assert any(e["service"] == "login" and e["method"] == "POST" for e in journal)   # the token request
    assert len(accepted) == 1 and accepted[0]["name"] == "recorded"
    assert accepted[0]["resourceGroup"] == info["resource_group"]
    assert accepted[0]["body"]["properties"]["distribute"] == body["properties"]["distribute"]
