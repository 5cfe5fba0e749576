"""Azurite (blob only, from npm) over HTTPS with the test certificate, plus a journaling proxy.

Clients never talk to Azurite directly: storage accounts' ``primaryEndpoints.blob`` point at the
proxy, which forwards each request to Azurite and records method, path, status and body bytes in
the journal (tests check that a monitor's ranged reads fetch only new bytes). The proxy also
applies blob faults and the RBAC denial of a staging account (403 AuthorizationPermissionMismatch).
The simulator writes logs straight to Azurite with the account key, so only client traffic is
journaled.
"""
from __future__ import annotations

import base64
import http.client
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import threading
import time
import uuid

from .httpserver import Request, Response
from .tls import TLSFiles

HERE = os.path.dirname(os.path.abspath(__file__))
AZURITE_BIN = os.path.join(HERE, "azurite", "node_modules", ".bin", "azurite-blob")


class AzuriteMissing(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_accounts(count: int) -> dict[str, tuple[str, str]]:
    """Storage account names shaped like the random 24-character ones AIB creates, with two keys."""
    alphabet = string.ascii_lowercase + string.digits

    def key() -> str:
        return base64.b64encode(secrets.token_bytes(64)).decode()

    return {"".join(secrets.choice(alphabet) for _ in range(24)): (key(), key()) for _ in range(count)}


class Azurite:
    def __init__(self, tls: TLSFiles, workdir: str, accounts: dict[str, tuple[str, str]], port: int = 0):
        if not os.path.exists(AZURITE_BIN):
            raise AzuriteMissing(
                f"Azurite is not installed at {AZURITE_BIN}; run `npm ci` in tests/emulator/azurite "
                "(./dev.sh setup does it).")
        self.tls, self.accounts = tls, accounts
        self.port = port or free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.data = os.path.join(workdir, "azurite-data")
        os.makedirs(self.data, exist_ok=True)
        self.debug_log = os.path.join(workdir, "azurite-debug.log")
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 15.0):
        self.spawn()
        return self.wait_ready(timeout)

    def spawn(self):
        """Start the node process (call from a long-lived thread: Azurite dies with that thread)."""
        env = dict(os.environ)
        env["AZURITE_ACCOUNTS"] = ";".join(f"{n}:{k1}:{k2}" for n, (k1, k2) in self.accounts.items())
        cmd = [AZURITE_BIN, "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
               "--location", self.data, "--cert", self.tls.cert, "--key", self.tls.key,
               "--oauth", "basic", "--skipApiVersionCheck", "--loose", "--silent",
               "--disableProductStyleUrl", "--disableTelemetry"]  # telemetry would reach the internet
        self.proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True,
                                     preexec_fn=_die_with_parent)

    def wait_ready(self, timeout: float = 15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise RuntimeError(f"Azurite exited with {self.proc.returncode}: {err.strip()[-800:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"Azurite did not listen on port {self.port} within {timeout} s")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None
        shutil.rmtree(self.data, ignore_errors=True)


def _die_with_parent():
    """Linux: SIGTERM Azurite if the process (thread) that started it dies, so no node is orphaned."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
                "trailer"}


class BlobProxy:
    """The blob endpoint clients see: forwards to Azurite over TLS, one upstream connection per thread."""

    def __init__(self, azurite: Azurite, tls: TLSFiles):
        self.azurite = azurite
        self.ctx = tls.client_context()
        self.denied_accounts: set[str] = set()
        self.aliases: dict[str, str] = {}   # created account name -> the Azurite account it borrows
        self._local = threading.local()

    def _conn(self, fresh: bool = False) -> http.client.HTTPSConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            conn = http.client.HTTPSConnection("127.0.0.1", self.azurite.port, context=self.ctx,
                                               timeout=30)
            self._local.conn = conn
        return conn

    def __call__(self, req: Request) -> Response:
        account, _, rest = req.path.lstrip("/").partition("/")
        path = req.path   # the journal keeps the path the client used
        if account in self.aliases:
            account = self.aliases[account]
            path = "/" + account + ("/" + rest if rest else "")
        if account in self.denied_accounts:
            return _storage_error(403, "AuthorizationPermissionMismatch",
                                  "This request is not authorized to perform this operation using this "
                                  "permission.")
        target = path + (f"?{req.query_string}" if req.query_string else "")
        headers = {k: v for k, v in req.headers.items() if k not in _HOP_HEADERS}
        for attempt in range(2):
            conn = self._conn(fresh=attempt > 0)
            try:
                conn.request(req.method, target, body=req.body or None, headers=headers)
                upstream = conn.getresponse()
                body = upstream.read()
                break
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
        out = {k: v for k, v in upstream.getheaders() if k.lower() not in _HOP_HEADERS}
        out.pop("Content-Length", None)
        out.pop("content-length", None)
        out["Content-Length"] = str(len(body)) if req.method != "HEAD" else \
            upstream.getheader("Content-Length", "0")
        return Response(upstream.status, body, out)


def _storage_error(status: int, code: str, message: str) -> Response:
    rid = str(uuid.uuid4())
    text = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}\n'
            f"RequestId:{rid}\nTime:{time.strftime('%Y-%m-%dT%H:%M:%S.0000000Z', time.gmtime())}"
            "</Message></Error>")
    return Response(status, text.encode(), {"Content-Type": "application/xml", "x-ms-error-code": code,
                                            "x-ms-request-id": rid})


class BlobWriter:
    """What the simulated service does to blobs, straight to Azurite with the account key."""

    def __init__(self, azurite: Azurite, ca_bundle: str):
        self.azurite, self.ca_bundle = azurite, ca_bundle
        self._clients: dict = {}

    def _service(self, account: str):
        from azure.storage.blob import BlobServiceClient

        if account not in self._clients:
            key = self.azurite.accounts[account][0]
            self._clients[account] = BlobServiceClient(
                f"{self.azurite.url}/{account}", credential={"account_name": account, "account_key": key},
                connection_verify=self.ca_bundle)
        return self._clients[account]

    def do(self, job: tuple):
        kind, account = job[0], job[1]
        svc = self._service(account)
        if kind == "wipe":
            for container in svc.list_containers():
                svc.delete_container(container.name)
        elif kind == "append":
            _, _, blob_path, text, first = job
            container, blob_name = blob_path.split("/", 1)
            blob = svc.get_blob_client(container, blob_name)
            if first:
                from azure.core.exceptions import ResourceExistsError
                try:
                    svc.create_container(container)
                except ResourceExistsError:
                    pass
                blob.create_append_blob(content_settings=_text_settings())
            data = text.encode("utf-8")
            for start in range(0, len(data), 4 * 1024 * 1024):
                blob.append_block(data[start:start + 4 * 1024 * 1024])
        else:
            raise ValueError(f"unknown blob job {kind}")


def _text_settings():
    from azure.storage.blob import ContentSettings

    return ContentSettings(content_type="text/plain; charset=utf-8")
