"""Entra ID fake (OpenID discovery + v2.0 token endpoint) and the GitHub / Azure DevOps OIDC fakes.

Client credentials: client_secret, or client_assertion (jwt-bearer) minted by the OIDC fakes and
matched against the app's federated credentials (issuer + subject + audience
``api://AzureADTokenExchange``), refused once expired with AADSTS700024 as Entra does.
GitHub ID tokens live 5 minutes and Azure DevOps ones 10 minutes, in simulated time
(docs/sources.md#github, #ado-inputs); access tokens 60 simulated minutes unless changed.
"""
from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from .clock import ScaledClock
from .httpserver import Request, Response, json_response
from .tokens import TokenError, TokenMinter

EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_LIFETIME = 300       # simulated seconds
ADO_LIFETIME = 600
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class Directory:
    """Who exists: tenant, the service principal(s) and the federation settings."""
    tenant: str
    client_id: str
    client_secret: str
    object_id: str
    github_subject: str = "repo:octo-org/octo-repo:ref:refs/heads/main"
    github_request_token: str = field(default_factory=lambda: "ghs_" + uuid.uuid4().hex)
    ado_org_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    ado_subject: str = "sc://octo-org/octo-project/aib-pilot-connection"
    ado_service_connection_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    ado_access_token: str = field(default_factory=lambda: "ado_" + uuid.uuid4().hex)
    access_token_lifetime: float = 3600.0          # simulated seconds
    # The audience the federated credentials expect of an assertion (Entra's default; an app's
    # federated credential may set another, and azure/login's `audience` input then has to match).
    federated_audience: str = EXCHANGE_AUDIENCE
    # Floor in real seconds unless a test sets a lifetime: above azure-core's 300 s refresh margin, so
    # clients do not fetch a token per request when the clock runs fast.
    min_access_token_real: float = 330.0

    @property
    def ado_issuer(self) -> str:
        return f"https://vstoken.dev.azure.com/{self.ado_org_id}"

    def federated(self) -> list[tuple[str, str]]:
        return [(GITHUB_ISSUER, self.github_subject), (self.ado_issuer, self.ado_subject)]


def _aad_error(status: int, error: str, code: int, text: str) -> Response:
    now = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
    trace, corr = str(uuid.uuid4()), str(uuid.uuid4())
    return json_response(status, {
        "error": error,
        "error_description": f"AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {corr} Timestamp: {now}",
        "error_codes": [code], "timestamp": now, "trace_id": trace, "correlation_id": corr})


class EntraApp:
    """``/{tenant}/v2.0/.well-known/openid-configuration`` and ``/{tenant}/oauth2/v2.0/token``."""

    def __init__(self, directory: Directory, minter: TokenMinter, clock: ScaledClock,
                 resources: callable):
        self.dir, self.minter, self.clock = directory, minter, clock
        self.resources = resources     # () -> list of accepted resource URIs (token audiences)
        self.base_url = ""             # set once the port is known
        self.tokens_issued = 0
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        parts = [p for p in req.path.split("/") if p]
        if len(parts) == 4 and parts[1:] == ["v2.0", ".well-known", "openid-configuration"] \
                and req.method == "GET":
            return self._discovery(parts[0])
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"] and req.method == "POST":
            return self._token(parts[0], req)
        if len(parts) == 3 and parts[1:] == ["discovery", "v2.0", "keys"]:
            return json_response(200, self.minter.jwks())
        return _aad_error(404, "invalid_request", 900561,
                          f"The endpoint only accepts POST requests, or the path {req.path} is unknown.")

    def _tenant_ok(self, tenant: str) -> bool:
        return tenant.lower() in (self.dir.tenant.lower(), "organizations", "common")

    def _discovery(self, tenant: str) -> Response:
        if not self._tenant_ok(tenant):
            return _aad_error(400, "invalid_tenant", 90002,
                              f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.")
        base = f"{self.base_url}/{tenant}"
        return json_response(200, {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                      "client_secret_basic"],
            "jwks_uri": f"{self.base_url}/{tenant}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "tenant_region_scope": "WW",
            "cloud_instance_name": "emulator.local",
            "cloud_graph_host_name": "graph.emulator.local",
            "msgraph_host": "graph.emulator.local",
        })

    def _token(self, tenant: str, req: Request) -> Response:
        if not self._tenant_ok(tenant):
            return _aad_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
        form = dict(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return _aad_error(400, "unsupported_grant_type", 70003,
                              "The app requested an unsupported grant type.")
        client_id = form.get("client_id", "")
        if client_id != self.dir.client_id:
            return _aad_error(400, "unauthorized_client", 700016,
                              f"Application with identifier '{client_id}' was not found in the directory "
                              f"'{tenant}'.")
        failure = self._check_client(form)
        if failure is not None:
            return failure
        scope = form.get("scope", "").split()
        targets = [s for s in scope if s not in ("openid", "profile", "offline_access")]
        if len(targets) != 1 or not targets[0].endswith("/.default"):
            return _aad_error(400, "invalid_scope", 1002012,
                              f"The provided value for scope {form.get('scope')} is not valid. Client "
                              "credential flows must have a scope value with /.default suffixed to the "
                              "resource identifier (application ID URI).")
        resource = targets[0][: -len("/.default")]
        accepted = {r.rstrip("/").lower() for r in self.resources()}
        if resource.rstrip("/").lower() not in accepted:
            return _aad_error(400, "invalid_resource", 500011,
                              f"The resource principal named {resource} was not found in the tenant "
                              f"named {tenant}.")
        lifetime = max(self.clock.real(self.dir.access_token_lifetime), self.dir.min_access_token_real)
        token = self.minter.mint({
            "aud": resource, "iss": f"https://sts.windows.net/{self.dir.tenant}/",
            "tid": self.dir.tenant, "oid": self.dir.object_id, "sub": self.dir.object_id,
            "appid": client_id, "azp": client_id, "idtyp": "app", "ver": "1.0",
        }, lifetime)
        with self._lock:
            self.tokens_issued += 1
        return json_response(200, {"token_type": "Bearer", "expires_in": int(lifetime),
                                   "ext_expires_in": int(lifetime), "access_token": token},
                             {"Cache-Control": "no-store, no-cache"})

    def _check_client(self, form: dict) -> Response | None:
        if "client_secret" in form:
            if form["client_secret"] != self.dir.client_secret:
                return _aad_error(401, "invalid_client", 7000215,
                                  "Invalid client secret provided. Ensure the secret being sent in the "
                                  "request is the client secret value, not the client secret ID.")
            return None
        assertion = form.get("client_assertion")
        if not assertion:
            return _aad_error(401, "invalid_client", 7000218,
                              "The request body must contain the following parameter: "
                              "'client_assertion' or 'client_secret'.")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return _aad_error(400, "invalid_request", 50027, "client_assertion_type is invalid.")
        try:
            claims = self.minter.check(assertion)
        except TokenError as exc:
            if exc.expired:
                return _aad_error(400, "invalid_client", 700024,
                                  "Client assertion is not within its valid time range.")
            return _aad_error(401, "invalid_client", 700027,
                              f"Client assertion failed signature validation ({exc.reason}).")
        if str(claims.get("aud", "")).rstrip("/").lower() != self.dir.federated_audience.rstrip("/").lower():
            return _aad_error(400, "invalid_client", 700212,
                              "No matching federated identity record found for presented assertion audience "
                              f"'{claims.get('aud')}'.")
        if (claims.get("iss"), claims.get("sub")) not in self.dir.federated():
            return _aad_error(400, "invalid_client", 70021,
                              "No matching federated identity record found for presented assertion. "
                              f"Assertion Issuer: '{claims.get('iss')}'. Assertion Subject: "
                              f"'{claims.get('sub')}'. Assertion Audience: '{claims.get('aud')}'.")
        return None


class OidcApp:
    """GitHub (``ACTIONS_ID_TOKEN_REQUEST_URL``) and Azure DevOps (``SYSTEM_OIDCREQUESTURI``) fakes."""

    GITHUB_PATH = "/github/_apis/pipelines/workflows/4242/idtoken"
    ADO_PATH = "/ado/octo-org/octo-project/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken"

    def __init__(self, directory: Directory, minter: TokenMinter, clock: ScaledClock):
        self.dir, self.minter, self.clock = directory, minter, clock
        self.minted = {"github": 0, "ado": 0}

    def __call__(self, req: Request) -> Response:
        if req.path == self.GITHUB_PATH and req.method == "GET":
            return self._github(req)
        if req.path.rstrip("/") == self.ADO_PATH and req.method == "POST":
            return self._ado(req)
        return json_response(404, {"message": "Not Found"})

    def _bearer(self, req: Request) -> str | None:
        auth = req.header("authorization") or ""
        return auth[7:] if auth.lower().startswith("bearer ") else None

    def _github(self, req: Request) -> Response:
        if self._bearer(req) != self.dir.github_request_token:
            return json_response(401, {"message": "Bad credentials"})
        audience = req.query.get("audience") or "https://github.com/octo-org"
        token = self.minter.mint({
            "iss": GITHUB_ISSUER, "aud": audience, "sub": self.dir.github_subject,
            "repository": "octo-org/octo-repo", "repository_owner": "octo-org", "ref": "refs/heads/main",
            "ref_type": "branch", "event_name": "push", "run_id": "4242", "run_attempt": "1",
            "runner_environment": "github-hosted",
        }, self.clock.real(GITHUB_LIFETIME))
        self.minted["github"] += 1
        return json_response(200, {"count": 1, "value": token})

    def _ado(self, req: Request) -> Response:
        if self._bearer(req) != self.dir.ado_access_token:
            return Response(401, b"", {"WWW-Authenticate": 'Bearer authorization_uri=https://login.microsoftonline.com/'})
        if req.query.get("api-version") not in ("7.1", "7.1-preview.1"):
            return json_response(400, {"message": f"The requested REST API version of "
                                       f"{req.query.get('api-version')} is not supported.",
                                       "typeKey": "VssVersionNotSupportedException"})
        if (req.query.get("serviceconnectionid") or "").lower() != self.dir.ado_service_connection_id:
            return json_response(404, {"message": "Service connection not found or the pipeline is not "
                                                  "authorized to use it.",
                                       "typeKey": "ServiceEndpointNotFoundException"})
        token = self.minter.mint({
            "iss": self.dir.ado_issuer, "aud": EXCHANGE_AUDIENCE, "sub": self.dir.ado_subject,
        }, self.clock.real(ADO_LIFETIME))
        self.minted["ado"] += 1
        return json_response(200, {"oidcToken": token})
