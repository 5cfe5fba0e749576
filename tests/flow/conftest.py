"""Helpers for the end-to-end flow tests: run the real CLI in a subprocess against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FAST = ["--poll-interval", "0.2"]


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def json(self) -> dict:
        lines = [ln for ln in self.stdout.splitlines() if ln.strip()]
        assert lines, f"no stdout; stderr:\n{self.stderr}"
        return json.loads(lines[-1])


def cli_env(emu, *, oidc: str | None = None, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AZURE_", "AIB_PILOT_", "ACTIONS_", "SYSTEM_", "GITHUB_", "TF_BUILD", "BUILD_"))}
    env.update(emu.cli_env(oidc=oidc) if oidc else emu.cli_env())
    env.update(extra or {})
    return env


def run_cli(emu, *args: str, oidc: str | None = None, extra_env: dict | None = None, timeout: float = 120,
            cwd: Path = REPO) -> CliResult:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "aib_pilot", *args], env=cli_env(emu, oidc=oidc, extra=extra_env),
                          capture_output=True, text=True, timeout=timeout, cwd=cwd)
    return CliResult(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def start_cli(emu, *args: str, oidc: str | None = None, cwd: Path = REPO) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "aib_pilot", *args], env=cli_env(emu, oidc=oidc),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd)


class Output:
    """Reads a started CLI's stdout and stderr as they come (in threads), so a test can wait for a
    line -- the moment the process reached a point -- instead of sleeping and hoping it did."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self._text = {"stdout": [], "stderr": []}
        self._changed = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(name, getattr(proc, name)), daemon=True)
                         for name in self._text]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str, stream) -> None:
        for line in stream:
            with self._changed:
                self._text[name].append(line)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def text(self, name: str) -> str:
        with self._changed:
            return "".join(self._text[name])

    def wait_for(self, needle: str, *, stream: str = "stderr", timeout: float = 30) -> str:
        """The first line of ``stream`` holding ``needle``; fails the test after ``timeout`` seconds
        or when the process ended without printing it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self._text[stream]:
                    if needle in line:
                        return line
                left = deadline - time.monotonic()
                ended = self.proc.poll() is not None and not any(r.is_alive() for r in self._readers)
                assert left > 0 and not ended, (f"no line with {needle!r} on {stream} "
                                                f"({'the process ended' if ended else f'within {timeout:g} s'}):\n"
                                                + "".join(self._text[stream])[-3000:])
                self._changed.wait(min(left, 0.2))

    def finish(self, timeout: float = 60) -> tuple[str, str]:
        """Wait for the process to end; (stdout, stderr)."""
        self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout)
        return self.text("stdout"), self.text("stderr")


def write_template(path: Path, scenario: str, *, customize: list | None = None, distribute: list | None = None,
                   emu=None, name: str = "flow") -> Path:
    """An imageTemplate resource JSON selecting an emulator scenario (one customizer per kind)."""
    sub = emu.info["subscription"] if emu else "00000000-0000-0000-0000-000000000000"
    rg = emu.info["resource_group"] if emu else "rg"
    identity = emu.info.get("identity_id") if emu else None
    identity = identity or f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"
    doc = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2025-10-01", "name": name,
        "location": emu.info.get("location", "eastus") if emu else "eastus",
        "tags": {"aib-emulator-scenario": scenario},
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {identity: {}}},
        "properties": {
            "buildTimeoutInMinutes": 120,
            "source": {"type": "PlatformImage", "publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                       "sku": "server", "version": "latest"},
            "customize": customize if customize is not None else [
                {"type": "File", "name": "copy-config", "sourceUri": "https://example.invalid/app.conf",
                 "destination": "/tmp/app.conf"},
                {"type": "Shell", "name": "install-app", "inline": ["sudo apt-get install -y nginx"]},
                {"type": "Shell", "name": "configure", "inline": ["echo done"]},
            ],
            "distribute": distribute if distribute is not None else [
                {"type": "ManagedImage", "runOutputName": "image", "location": "eastus",
                 "imageId": f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Compute/images/flow"},
            ],
        },
    }
    path.write_text(json.dumps(doc, indent=2))
    return path


@pytest.fixture
def rg(emulator) -> str:
    return emulator.info["resource_group"]


def blob_bytes(emu, url: str) -> bytes | None:
    """The log blob's current content read independently with azure-storage-blob (None if gone)."""
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.identity import ClientSecretCredential
    from azure.storage.blob import BlobClient

    info = emu.info
    cred = ClientSecretCredential(info["tenant"], info["client_id"], info["client_secret"],
                                  authority=info["authority"], disable_instance_discovery=True,
                                  connection_verify=info["ca_bundle"])
    try:
        return BlobClient.from_blob_url(url, credential=cred, connection_verify=info["ca_bundle"]).download_blob().readall()
    except ResourceNotFoundError:
        return None
    except HttpResponseError as exc:
        if exc.status_code == 403:  # a scenario denying data access to the staging account
            return None
        raise


def sample_template(tmp_path: Path, scenario_name: str, os_name: str = "linux") -> tuple[Path, dict]:
    """The scenario's sample template (tests.emulator.scenarios.samples) written to a file."""
    from tests.emulator.scenarios import samples

    body = samples.template_for(scenario_name, os_name)
    body = {"type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2025-10-01",
            "name": f"flow-{scenario_name}"[:40], **body}
    path = tmp_path / f"{scenario_name}.json"
    path.write_text(json.dumps(body, indent=2))
    return path, body
