"""A small threaded HTTPS server: each fake is an ``app(Request) -> Response`` behind it.

The server applies the switchable faults (latency, status, connection reset) and writes the request
journal, so every fake gets both for free.
"""
from __future__ import annotations

import json
import math
import socket
import ssl
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .faults import Faults
from .journal import Journal, JournalEntry


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: dict          # lower-cased names
    body: bytes
    service: str

    @property
    def query(self) -> dict:
        """Query parameters (first value wins), names lower-cased as ARM treats them."""
        out: dict = {}
        for key, value in parse_qsl(self.query_string, keep_blank_values=True):
            out.setdefault(key.lower(), value)
        return out

    def json(self):
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def json_response(status: int, obj, headers: dict | None = None) -> Response:
    body = b"" if obj is None else json.dumps(obj).encode()
    hdrs = {"Content-Type": "application/json; charset=utf-8"} if obj is not None else {}
    hdrs.update(headers or {})
    return Response(status, body, hdrs)


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, tls: ssl.SSLContext, app, service: str, faults: Faults,
                 journal: Journal):
        self.tls, self.app, self.service, self.faults, self.journal = tls, app, service, faults, journal
        super().__init__(address, handler)

    def finish_request(self, request, client_address):
        # TLS handshake in the connection's own thread, not in the accept loop.
        try:
            request.settimeout(30)
            tls_sock = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            self.RequestHandlerClass(tls_sock, client_address, self)
        finally:
            try:
                tls_sock.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):   # keep test output clean
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aib-emulator"
    sys_version = ""

    def log_message(self, fmt, *args):  # silence
        pass

    def _serve(self):
        server: _TLSServer = self.server  # type: ignore[assignment]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        req = Request(self.command, parts.path, parts.query,
                      {k.lower(): v for k, v in self.headers.items()}, body, server.service)
        delay = server.faults.delay_for(server.service)
        if delay:
            time.sleep(delay)
        fault = server.faults.take(server.service, req.method, req.path)
        if fault is not None and fault.kind == "reset":
            self._record(req, 0, 0)
            self._reset()
            return
        if fault is not None:
            resp = fault_response(server.service, fault.status, fault.retry_after)
        else:
            try:
                resp = server.app(req)
            except Exception as exc:  # an emulator bug must show up as a 500, not a hang
                import traceback
                traceback.print_exc()
                resp = json_response(500, {"error": {"code": "EmulatorBug", "message": repr(exc)}})
        self._send(req, resp)

    def _read_chunked(self) -> bytes:
        data = b""
        while True:
            size = int(self.rfile.readline().strip().split(b";")[0], 16)
            if size == 0:
                self.rfile.readline()
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    def _send(self, req: Request, resp: Response):
        self.send_response(resp.status)
        headers = dict(resp.headers)
        if not any(k.lower() == "content-length" for k in headers):
            headers["Content-Length"] = str(len(resp.body))
        for key, value in headers.items():
            self.send_header(key, value)
        # Journal first, so a client that has its answer always finds it in the journal.
        sent = len(resp.body) if req.method != "HEAD" else 0
        self._record(req, resp.status, sent)
        self.end_headers()
        if sent:
            self.wfile.write(resp.body)

    def _record(self, req: Request, status: int, sent: int):
        server: _TLSServer = self.server  # type: ignore[assignment]
        server.journal.record(JournalEntry(
            service=server.service, method=req.method, path=req.path, query=req.query_string,
            status=status, bytes=sent, request_bytes=len(req.body),
            range=req.header("x-ms-range") or req.header("range"), at=time.time()))

    def _reset(self):
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw = self.connection
            raw.close()
        except OSError:
            pass

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve


def fault_response(service: str, status: int, retry_after: float | None) -> Response:
    headers = {"x-ms-request-id": str(uuid.uuid4())}
    if retry_after is not None:
        headers["Retry-After"] = format_seconds(retry_after)
    if service == "blob":
        code = {429: "ServerBusy", 503: "ServerBusy"}.get(status, "InternalError")
        body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
                f"<Message>Injected fault.</Message></Error>").encode()
        headers.update({"Content-Type": "application/xml", "x-ms-error-code": code})
        return Response(status, body, headers)
    if service in ("login", "oidc"):
        return json_response(status, {"error": "temporarily_unavailable",
                                      "error_description": f"Injected fault {status}."}, headers)
    if status == 429:
        err = {"code": "SubscriptionRequestsThrottled",
               "message": "Number of requests for subscription exceeded the limit. Please try again "
                          f"after '{format_seconds(retry_after or 1)}' seconds."}
    elif status == 503:
        err = {"code": "ServiceUnavailable", "message": "The service is temporarily unavailable."}
    else:
        err = {"code": "InternalServerError",
               "message": "Encountered internal server error. Diagnostic information: injected fault."}
    return json_response(status, {"error": err}, headers)


def format_seconds(seconds: float) -> str:
    """Retry-After as whole seconds, at least 1 (generated SDKs deserialize it as int)."""
    return str(max(1, math.ceil(seconds - 1e-9)))


class HTTPSService:
    """One listening fake: ``app`` served over TLS on 127.0.0.1:``port`` (0 = any free port)."""

    def __init__(self, service: str, app, tls: ssl.SSLContext, faults: Faults, journal: Journal,
                 port: int = 0):
        self.server = _TLSServer(("127.0.0.1", port), _Handler, tls, app, service, faults, journal)
        self.port = self.server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"emu-{service}", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
