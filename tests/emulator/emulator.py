"""``Emulator``: starts the TLS fakes (ARM, Entra ID, OIDC), Azurite and its journaling proxy, and the
build simulator; ``info`` says where each service is and how to sign in."""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import uuid

from .arm import DEFAULT_PAGE_SIZE, PUBLIC_ARM_AUDIENCES, ArmApp
from .azurite import Azurite, BlobProxy, BlobWriter, make_accounts
from .clock import ScaledClock
from .faults import Faults
from .httpserver import HTTPSService
from .identity import EXCHANGE_AUDIENCE, Directory, EntraApp, OidcApp
from .journal import Journal
from .tls import make_tls_files
from .tokens import TokenMinter
from .world import World

STORAGE_AUDIENCES = ["https://storage.azure.com"]


def load_scenarios():
    """The scenario catalogue module (tests/emulator/scenarios)."""
    from . import scenarios

    return scenarios


class Emulator:
    """A local Azure for tests and the demo.

    ``with Emulator(speed=600) as emu:`` — ``emu.info`` (arm, authority, ca_bundle, blob, subscription,
    tenant, client_id, client_secret, resource_group, ...), ``emu.cli_env()``, ``emu.cli_args()``,
    ``emu.journal``, ``emu.faults``, ``emu.reset()``.
    """

    def __init__(self, *, speed: float = 60.0, port_base: int = 0, accounts: int = 24, scenarios=None,
                 location: str = "eastus", resource_group: str = "aib-pilot-rg", tick: float = 0.02):
        self.clock = ScaledClock(speed)
        self.port_base = port_base
        self._n_accounts, self._scenarios, self._tick = accounts, scenarios, tick
        self.location, self.resource_group = location, resource_group
        self.journal = Journal()
        self.faults = Faults()
        self._services: list[HTTPSService] = []
        self._azurite: Azurite | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.workdir: str | None = None
        self.info: dict = {}
        self.startup_seconds: float | None = None

    # -- start/stop -------------------------------------------------------------------------------
    def start(self) -> "Emulator":
        started = time.monotonic()
        self.workdir = tempfile.mkdtemp(prefix="aib-emulator-")
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def _port(self, offset: int) -> int:
        return self.port_base + offset if self.port_base else 0

    def _start(self):
        scenarios = self._scenarios or load_scenarios()
        self.tls = make_tls_files(self.workdir)
        server_ctx = self.tls.server_context()
        self.minter = TokenMinter()
        tenant, sub = str(uuid.uuid4()), str(uuid.uuid4())
        self.directory = Directory(tenant=tenant, client_id=str(uuid.uuid4()),
                                   client_secret="emu~" + uuid.uuid4().hex, object_id=str(uuid.uuid4()))
        accounts = make_accounts(self._n_accounts)
        self._azurite = Azurite(self.tls, self.workdir, accounts, port=self._port(4))
        self._azurite_error: BaseException | None = None
        self._azurite.spawn()           # in this thread: Azurite is tied to it (PDEATHSIG)

        def start_azurite():
            try:
                self._azurite.wait_ready()
            except BaseException as exc:    # reported after join
                self._azurite_error = exc

        azurite_started = threading.Thread(target=start_azurite, daemon=True)
        azurite_started.start()

        entra = EntraApp(self.directory, self.minter, self.clock, resources=lambda: self._resources())
        login = HTTPSService("login", entra, server_ctx, self.faults, self.journal, self._port(1))
        entra.base_url = login.url
        oidc_app = OidcApp(self.directory, self.minter, self.clock)
        oidc = HTTPSService("oidc", oidc_app, server_ctx, self.faults, self.journal, self._port(2))
        proxy_app = BlobProxy(self._azurite, self.tls)
        blob = HTTPSService("blob", proxy_app, server_ctx, self.faults, self.journal, self._port(3))
        self.world = World(clock=self.clock, subscription=sub, tenant=tenant, location=self.location,
                           resource_group=self.resource_group, accounts=accounts, scenarios=scenarios,
                           blob_writer=BlobWriter(self._azurite, self.tls.ca_bundle), blob_url=blob.url,
                           faults=self.faults, principal_id=self.directory.object_id)
        proxy_app.denied_accounts = self.world.denied_accounts
        from .storage import UserAccounts

        self.world.user_accounts = UserAccounts(self.world, proxy_app.aliases)
        arm_app = ArmApp(self.world, self.minter, self.clock, authority=login.url, directory=self.directory)
        arm = HTTPSService("arm", arm_app, server_ctx, self.faults, self.journal, self._port(0))
        arm_app.base_url, arm_app.blob_url = arm.url, blob.url
        self._arm_app, self._entra, self._oidc, self._proxy = arm_app, entra, oidc_app, proxy_app
        from .estate import Estate, EstateRoutes

        self.estate = Estate(self.world, self.world.blob_writer, blob.url)
        arm_app.extra_routes = EstateRoutes(self.estate, self.directory.object_id)
        from .customizer_files import FileCheck

        self.world.file_check = FileCheck(self.estate)
        self._services = [arm, login, oidc, blob]
        for svc in self._services:
            svc.start()
        self.faults._expire_tokens_hook = self._expire_tokens
        self.faults._lifetime_hook = self._set_lifetime
        azurite_started.join()
        if self._azurite_error is not None:
            raise self._azurite_error
        self._thread = threading.Thread(target=self._run_simulator, name="emu-simulator", daemon=True)
        self._thread.start()
        self.info = {
            "arm": arm.url, "authority": login.url, "ca_bundle": self.tls.ca_bundle, "blob": blob.url,
            "subscription": sub, "tenant": tenant, "client_id": self.directory.client_id,
            "client_secret": self.directory.client_secret, "resource_group": self.resource_group,
            "location": self.location, "speed": self.clock.speed,
            "identity_id": (f"/subscriptions/{sub}/resourceGroups/{self.resource_group}/providers/"
                            "Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity"),
            "github_oidc_request_url": f"{oidc.url}{OidcApp.GITHUB_PATH}?api-version=2.0",
            "github_oidc_request_token": self.directory.github_request_token,
            "ado_oidc_request_uri": f"{oidc.url}{OidcApp.ADO_PATH}",
            "ado_access_token": self.directory.ado_access_token,
            "ado_service_connection_id": self.directory.ado_service_connection_id,
            "azurite": self._azurite.url,
            "scenarios": sorted(scenarios.SCENARIOS),
        }

    def _resources(self) -> list[str]:
        # Entra ID mints for any cloud's ARM; the emulated ARM accepts only its own audience.
        return [*self._arm_app.audiences(), *PUBLIC_ARM_AUDIENCES, *STORAGE_AUDIENCES]

    def _run_simulator(self):
        while not self._stop.wait(self._tick):
            try:
                self.world.tick()
            except Exception:   # keep simulating; the traceback shows what broke
                import traceback
                traceback.print_exc()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        for svc in self._services:
            svc.stop()
        self._services = []
        if self._azurite is not None:
            self._azurite.stop()
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- knobs ------------------------------------------------------------------------------------
    def reset(self):
        """Forget templates, operations, faults and the journal; keep servers, CA and identities."""
        self.faults.clear()
        self.directory.access_token_lifetime = 3600.0
        self.directory.federated_audience = EXCHANGE_AUDIENCE
        self.directory.min_access_token_real = 330.0
        self.world.reset()
        self.estate.clear()
        self._proxy.denied_accounts = self.world.denied_accounts
        self._arm_app.buckets.reset()
        self._arm_app.page_size = DEFAULT_PAGE_SIZE
        self.world.drain_blob_jobs()
        self.journal.clear()

    def set_page_size(self, items: int):
        """Items per page of every ARM list (default 20; a reset restores it)."""
        self._arm_app.page_size = max(1, int(items))

    def set_speed(self, speed: float):
        self.clock.set_speed(speed)
        self.info["speed"] = speed

    def _expire_tokens(self):
        self.minter.not_before_epoch = time.time() + 0.001
        time.sleep(0.002)

    def _set_lifetime(self, simulated_seconds: float):
        self.directory.access_token_lifetime = float(simulated_seconds)
        self.directory.min_access_token_real = 1.0

    def wait_until(self, predicate, timeout: float = 10.0, interval: float = 0.01) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(interval)
        return bool(predicate())

    def template(self, resource_group: str, name: str):
        """The simulator's record of a template (for assertions; None if absent)."""
        with self.world.lock:
            return self.world.templates.get((resource_group.lower(), name.lower()))

    def staging_account_key(self, account: str) -> str:
        return self.world.all_accounts[account][0]

    # -- for CLI subprocesses ---------------------------------------------------------------------
    def cli_env(self, *, oidc: str | None = None) -> dict:
        """Environment for an aib-pilot subprocess. ``oidc="github"|"azure-devops"`` swaps the client
        secret for that CI's OIDC variables."""
        i = self.info
        env = {"AZURE_TENANT_ID": i["tenant"], "AZURE_CLIENT_ID": i["client_id"],
               "AZURE_CLIENT_SECRET": i["client_secret"], "AZURE_SUBSCRIPTION_ID": i["subscription"],
               "REQUESTS_CA_BUNDLE": i["ca_bundle"], "SSL_CERT_FILE": i["ca_bundle"],
               "AIB_PILOT_ARM_ENDPOINT": i["arm"], "AIB_PILOT_AUTHORITY_HOST": i["authority"]}
        if not self.estate.doc:   # no estate world loaded: preflight would find nothing to read
            env["AIB_PILOT_PREFLIGHT"] = "false"
        # Most tests look at a template after its run; the cleanup tests choose a policy themselves
        # (--cleanup, or AIB_PILOT_CLEANUP="" for the default).
        env["AIB_PILOT_CLEANUP"] = "never"
        if oidc == "github":
            del env["AZURE_CLIENT_SECRET"]
            env.update({"ACTIONS_ID_TOKEN_REQUEST_URL": i["github_oidc_request_url"],
                        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": i["github_oidc_request_token"]})
        elif oidc == "azure-devops":
            del env["AZURE_CLIENT_SECRET"]
            env.update({"SYSTEM_OIDCREQUESTURI": i["ado_oidc_request_uri"],
                        "SYSTEM_ACCESSTOKEN": i["ado_access_token"],
                        "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID": i["ado_service_connection_id"]})
        elif oidc is not None:
            raise ValueError("oidc must be None, 'github' or 'azure-devops'")
        return env

    def cli_args(self) -> list[str]:
        return ["--arm-endpoint", self.info["arm"], "--authority-host", self.info["authority"]]
