"""The emulated subscription's state and the build simulator that moves it on the scaled clock.

Everything mutable lives in :class:`World` behind one lock. HTTP handlers (arm.py) read and change
it; the simulator thread (:meth:`World.tick`) completes long-running operations, advances builds and
performs the queued blob work (log appends, container deletion) outside the lock, in order.

Staging resource group lifetime (decided from Microsoft's docs, see docs/emulator.md):
* created with the template (``IT_<rg>_<template>_<guid>`` or the user's ``stagingResourceGroup``),
  holding one storage account whose ``packerlogs/<run guid>/customization.log`` the build appends to;
* ``errorHandling.onCustomizerError/onValidationError`` only decide whether the *build VM* is kept
  ("cleanup ... the build VM and associated network resources will be cleaned up ... 'abort', the build
  VM will be preserved" — ImageTemplatePropertiesErrorHandling reference docs), so the staging group
  and its logs stay after success and after failure;
* it is deleted when the template is deleted; a pre-existing user group is emptied but kept
  (imagebuilder.json 2025-10-01, ``stagingResourceGroup`` description).
Faults/scenario flags can delete it mid-build or at the end to test "AIB deleted the logs".
"""
from __future__ import annotations

import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .clock import ZERO_TIME, ScaledClock, iso

NAME_RX = re.compile(r"^[A-Za-z0-9-_.]{1,64}$")
SOURCE_TYPES = {"PlatformImage", "ManagedImage", "SharedImageVersion"}
CUSTOMIZER_TYPES = {"Shell", "PowerShell", "File", "WindowsRestart", "WindowsUpdate"}
VALIDATOR_TYPES = {"Shell", "PowerShell", "File"}
DISTRIBUTE_TYPES = {"ManagedImage", "SharedImage", "VHD"}
TERMINAL_RUN_STATES = {"Succeeded", "PartiallySucceeded", "Failed", "Canceled"}

# Simulated durations of the service's own steps (seconds of simulated time).
CREATE_SECONDS = 20
DELETE_SECONDS = 30
RG_DELETE_SECONDS = 20
CANCEL_SECONDS = 60
END_HOLD_SECONDS = 5.0  # real seconds a run ending with its staging group deleted waits for a monitor
TIMEOUT_MESSAGE = ("Failed while waiting for packerizer: Timeout waiting for microservice to complete: "
                   "'context deadline exceeded'")


class ApiError(Exception):
    """An ARM error answer: status + code + message (rendered as the ARM error envelope)."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


@dataclass
class ResourceGroup:
    name: str
    location: str
    tags: dict = field(default_factory=dict)
    deleting: bool = False
    managed_by_template: str | None = None     # template id when the service created it
    storage_account: str | None = None
    deny_read: bool = False


@dataclass
class Operation:
    id: str
    kind: str                      # create | update | delete | run | cancel | rg-delete
    location: str
    status: str = "InProgress"     # InProgress | Succeeded | Failed | Canceled
    start: datetime | None = None
    end: datetime | None = None
    error: dict | None = None
    due: datetime | None = None    # simulated time at which a timed operation completes
    on_done: object = None         # callable run (under the lock) when due


@dataclass
class Run:
    op: Operation
    operation_id: str              # the OperationId of messages and of the log's line prefix
    log_folder: str                # packerlogs/<log_folder>/ (a different GUID, as in real messages)
    scenario: object
    start: datetime
    duration: float                # simulated seconds until the outcome
    outcome: str
    message_override: str | None
    events: list
    next_event: int = 0
    sub_state: str = "Queued"
    state: str = "Running"
    end: datetime | None = None
    message: str = ""
    cancel_requested_at: datetime | None = None
    cancel_op: Operation | None = None
    staging_deleted: bool = False
    delete_midbuild: bool = False
    log_absent: bool = False
    truncate: bool = False
    delete_at_end: bool = False
    blob_created: bool = False
    reads_while_running: int = 0   # client GETs of the template that saw runState Running
    end_held_since: float = 0.0    # monotonic time the end was first held for a monitor's reads
    last_index: int = -1           # index of the last event written before the outcome


@dataclass
class Template:
    sub: str
    rg: str
    name: str
    location: str
    tags: dict
    identity: dict
    properties: dict
    scenario: object
    created: datetime
    provisioning_state: str = "Creating"
    provisioning_error: dict | None = None
    staging_rg: str | None = None
    staging_owned: bool = True
    run: Run | None = None
    run_outputs: list = field(default_factory=list)
    version_counter: int = 0
    triggers: dict = field(default_factory=dict)     # lower-case name -> (name, properties)

    @property
    def id(self) -> str:
        return (f"/subscriptions/{self.sub}/resourceGroups/{self.rg}/providers/"
                f"Microsoft.VirtualMachineImages/imageTemplates/{self.name}")


class World:
    def __init__(self, *, clock: ScaledClock, subscription: str, tenant: str, location: str,
                 resource_group: str, accounts: dict, scenarios, blob_writer, blob_url: str,
                 faults, principal_id: str):
        self.lock = threading.RLock()
        self.clock, self.sub, self.tenant, self.location = clock, subscription, tenant, location
        self.home_rg = resource_group
        self.all_accounts = accounts            # name -> (key1, key2)
        self.scenarios = scenarios              # module-like: SCENARIOS, build_log
        self.blob_writer = blob_writer
        self.blob_url = blob_url.rstrip("/")     # the journaling proxy clients use
        self.faults = faults
        self.principal_id = principal_id
        self.blob_jobs: queue.Queue = queue.Queue()
        self._drain_lock = threading.Lock()
        self.user_accounts = None               # storage.UserAccounts, set by the Emulator
        #: ``check(template_name, body) -> None``: AIB's submission-time fetch of customizer files
        #: (estate-aware; set by the Emulator); raises ApiError or returns a provisioningError dict.
        self.file_check = None
        #: ``on_created(template, body)``: called for every template the PUT accepted (with the
        #: request body as sent; ``python -m tests.emulator --record DIR`` writes them to a file)
        self.on_created = None
        self.reset()

    # -- lifecycle --------------------------------------------------------------------------------
    def reset(self):
        with self.lock:
            self.rgs: dict[str, ResourceGroup] = {}
            self.templates: dict[tuple[str, str], Template] = {}
            self.ops: dict[str, Operation] = {}
            if self.user_accounts is not None:   # their pool accounts come back with the new pool
                self.user_accounts.accounts.clear()
                self.user_accounts.aliases.clear()
            self.free_accounts = list(self.all_accounts)
            self.denied_accounts: set[str] = set()
            self.deleted_templates: list[Template] = []  # for tests: what a deleted template held
            self.add_rg(self.home_rg, self.location)

    def add_rg(self, name: str, location: str, tags: dict | None = None) -> ResourceGroup:
        with self.lock:
            rg = ResourceGroup(name, location, dict(tags or {}))
            self.rgs[name.lower()] = rg
            return rg

    def get_rg(self, name: str) -> ResourceGroup | None:
        rg = self.rgs.get(name.lower())
        return None if rg is None or rg.deleting else rg

    def new_op(self, kind: str, *, due_seconds: float | None = None, on_done=None) -> Operation:
        now = self.clock.now()
        op = Operation(str(uuid.uuid4()), kind, self.location, start=now,
                       due=None if due_seconds is None else now + timedelta(seconds=due_seconds),
                       on_done=on_done)
        self.ops[op.id] = op
        return op

    @staticmethod
    def finish_op(op: Operation, status: str, error: dict | None = None, at: datetime | None = None):
        op.status, op.error = status, error
        op.end = at or datetime.now(op.start.tzinfo)

    # -- templates --------------------------------------------------------------------------------
    def scenario_named(self, name: str):
        table = self.scenarios.SCENARIOS
        if name not in table:
            raise ApiError(400, "InvalidEmulatorScenario",
                           f"Unknown emulator scenario '{name}' in tag 'aib-emulator-scenario'. Known "
                           f"scenarios: {', '.join(sorted(table))}.")
        return table[name]

    def create_template(self, rg_name: str, name: str, body: dict) -> tuple[Template, Operation]:
        with self.lock:
            rg = self.get_rg(rg_name)
            if rg is None:
                raise ApiError(404, "ResourceGroupNotFound", f"Resource group '{rg_name}' could not be found.")
            key = (rg_name.lower(), name.lower())
            if key in self.templates:
                raise ApiError(409, "Conflict", "Update/Upgrade of image templates is currently not supported")
            if not isinstance(body, dict):
                raise ApiError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.")
            location = body.get("location")
            if not location:
                raise ApiError(400, "LocationRequired", "The location property is required for this definition.")
            tags = body.get("tags") or {}
            scenario = with_duration_tag(self.scenario_named(tags.get("aib-emulator-scenario", "success")), tags)
            identity = body.get("identity")
            if not isinstance(identity, dict) or not identity.get("type"):
                raise ApiError(400, "ValidationFailed", "Validation failed: 'ImageTemplate.identity': The "
                               "identity field is required; set a user-assigned managed identity.")
            props = body.get("properties")
            if not isinstance(props, dict) or "source" not in props or "distribute" not in props:
                raise ApiError(400, "ValidationFailed", "Validation failed: 'ImageTemplate.properties': "
                               "the 'source' and 'distribute' fields are required.")
            put_error = getattr(scenario, "put_error", None)
            if put_error:
                values = _Placeholders(template_name=name, subscription=self.sub, resource_group=rg.name,
                                       location=location)
                raise ApiError(int(put_error["status"]), put_error["code"],
                               put_error["message"].format_map(values))
            tpl = Template(self.sub, rg.name, name, location, dict(tags), _identity_out(identity),
                           _props_in(props), scenario, self.clock.now())
            problem = (validate_properties(props, self, location) or getattr(scenario, "provisioning_error", None)
                       or (self.file_check(body) if self.file_check else None))
            operation_error = None
            if problem:
                problem = dict(problem)
                # optional ARM error object for the create LRO (e.g. ResourceDeploymentFailure + details)
                operation_error = problem.pop("operation_error", None)
                tpl.provisioning_error = problem
            else:
                self._make_staging(tpl, props.get("stagingResourceGroup"))
            self.templates[key] = tpl
            if self.on_created is not None:
                self.on_created(tpl, body)

            def done(op: Operation, tpl=tpl):
                if tpl.provisioning_error:
                    tpl.provisioning_state = "Failed"
                    self.finish_op(op, "Failed", operation_error or {
                        "code": tpl.provisioning_error["provisioningErrorCode"],
                        "message": tpl.provisioning_error["message"]}, self.clock.now())
                else:
                    tpl.provisioning_state = "Succeeded"
                    self.finish_op(op, "Succeeded", at=self.clock.now())
                    if (props.get("autoRun") or {}).get("state") == "Enabled":
                        self.start_run(tpl)

            op = self.new_op("create", due_seconds=CREATE_SECONDS, on_done=done)
            return tpl, op

    def _make_staging(self, tpl: Template, requested: str | None):
        if not self.free_accounts:
            raise ApiError(500, "InternalServerError", "Emulator storage account pool exhausted; "
                           "delete templates or raise Emulator(accounts=...).")
        if requested:
            rg_name = requested.rstrip("/").split("/")[-1]
            existing = self.get_rg(rg_name)
            tpl.staging_owned = existing is None
            rg = existing or self.add_rg(rg_name, tpl.location)
        else:
            rg_name = f"IT_{tpl.rg}_{tpl.name}_{uuid.uuid4()}"[:90]
            rg = self.add_rg(rg_name, tpl.location)
        rg.tags.update({"createdBy": "AzureVMImageBuilder", "imageTemplateName": tpl.name,
                        "imageTemplateResourceGroupName": tpl.rg})
        rg.tags.update(tpl.properties.get("managedResourceTags") or {})
        rg.managed_by_template = tpl.id if tpl.staging_owned else None
        rg.storage_account = self.free_accounts.pop(0)
        self.blob_jobs.put(("wipe", rg.storage_account))
        rg.deny_read = bool(getattr(tpl.scenario, "deny_staging_read", False) or self.faults.deny_staging_read)
        if rg.deny_read:
            self.denied_accounts.add(rg.storage_account)
        tpl.staging_rg = rg.name

    def find(self, rg_name: str, name: str) -> Template:
        tpl = self.templates.get((rg_name.lower(), name.lower()))
        if tpl is None or self.get_rg(rg_name) is None:
            raise ApiError(404, "ResourceNotFound",
                           f"The Resource 'Microsoft.VirtualMachineImages/imageTemplates/{name}' under "
                           f"resource group '{rg_name}' was not found. For more details please go to "
                           "https://aka.ms/ARMResourceNotFoundFix")
        return tpl

    def delete_template(self, tpl: Template) -> Operation:
        with self.lock:
            if tpl.run and tpl.run.state in ("Running", "Canceling"):
                raise ApiError(409, "Conflict", "The image template cannot be deleted while a build is "
                               f"{tpl.run.state.lower()}; cancel the build (POST .../cancel) and retry "
                               "when lastRunStatus.runState is terminal.")
            tpl.provisioning_state = "Deleting"

            def done(op: Operation, tpl=tpl):
                self.templates.pop((tpl.rg.lower(), tpl.name.lower()), None)
                self.deleted_templates.append(tpl)
                self._drop_staging(tpl)
                self.finish_op(op, "Succeeded", at=self.clock.now())

            return self.new_op("delete", due_seconds=DELETE_SECONDS, on_done=done)

    def _drop_staging(self, tpl: Template):
        rg = self.rgs.get((tpl.staging_rg or "").lower())
        if rg is None:
            return
        self._release_account(rg)
        if tpl.staging_owned:
            self.rgs.pop(rg.name.lower(), None)

    def _release_account(self, rg: ResourceGroup):
        if rg.storage_account:
            self.denied_accounts.discard(rg.storage_account)
            self.blob_jobs.put(("wipe", rg.storage_account))
            self.free_accounts.append(rg.storage_account)
            rg.storage_account = None

    def delete_rg(self, rg: ResourceGroup) -> Operation:
        with self.lock:
            rg.deleting = True

            def done(op: Operation, rg=rg):
                for key, tpl in list(self.templates.items()):
                    if tpl.rg.lower() == rg.name.lower():
                        self.templates.pop(key)
                        self._drop_staging(tpl)
                    elif (tpl.staging_rg or "").lower() == rg.name.lower() and tpl.run:
                        tpl.run.staging_deleted = True
                self._release_account(rg)
                self.rgs.pop(rg.name.lower(), None)
                self.finish_op(op, "Succeeded", at=self.clock.now())

            return self.new_op("rg-delete", due_seconds=RG_DELETE_SECONDS, on_done=done)

    # -- runs -------------------------------------------------------------------------------------
    def start_run(self, tpl: Template) -> Operation:
        with self.lock:
            if tpl.provisioning_state != "Succeeded":
                raise ApiError(409, "Conflict", f"The image template is in provisioning state "
                               f"'{tpl.provisioning_state}'; only a successfully created template can "
                               "run. Delete it and create it again.")
            if tpl.run and tpl.run.state in ("Running", "Canceling"):
                raise ApiError(409, "Conflict", "A build of this image template is already running.")
            sc = tpl.scenario
            op = self.new_op("run")
            start = self.clock.now()
            run_id = str(uuid.uuid4())
            events = list(self.scenarios.build_log(
                sc, template=self.template_json(tpl), operation_id=run_id, staging_rg=tpl.staging_rg,
                subscription=self.sub, start=start))
            events.sort(key=lambda e: e.at_seconds)
            duration = float(sc.duration_minutes) * 60.0
            outcome, override = sc.outcome, None
            timeout_min = int(tpl.properties.get("buildTimeoutInMinutes") or 0) or 240
            if duration > timeout_min * 60:
                duration, outcome, override = timeout_min * 60.0, "Failed", TIMEOUT_MESSAGE
            tpl.run = Run(op=op, operation_id=run_id, log_folder=str(uuid.uuid4()), scenario=sc, start=start, duration=duration,
                          outcome=outcome, message_override=override, events=events,
                          delete_midbuild=bool(sc.delete_staging_midbuild or self.faults.delete_staging_midbuild),
                          log_absent=bool(sc.log_absent or self.faults.log_absent),
                          truncate=bool(sc.truncate_log or self.faults.truncate_log),
                          delete_at_end=self.faults.delete_staging_at_end)
            tpl.run.last_index = max((i for i, e in enumerate(events) if e.at_seconds <= duration), default=-1)
            tpl.run_outputs = []
            return op

    def cancel_run(self, tpl: Template) -> Operation | None:
        """None when there is nothing to cancel any more (answered 204)."""
        with self.lock:
            run = tpl.run
            if run is None:
                raise ApiError(409, "Conflict", "The image template has no build to cancel.")
            if run.state != "Running":
                return None
            run.state = "Canceling"
            run.cancel_requested_at = self.clock.now()
            run.cancel_op = self.new_op("cancel")
            return run.cancel_op

    def log_blob_name(self, run: Run) -> str:
        return f"packerlogs/{run.log_folder}/customization.log"

    def log_url(self, tpl: Template) -> str | None:
        rg = self.rgs.get((tpl.staging_rg or "").lower())
        if tpl.run is None or rg is None and not tpl.run:
            return None
        account = rg.storage_account if rg else "deleted"
        return f"{self.blob_url}/{account}/{self.log_blob_name(tpl.run)}"

    def log_resource_path(self, tpl: Template) -> str:
        """The log as an ARM path: .../storageAccounts/<a>/blobServices/default/containers/packerlogs/<f>/customization.log"""
        account = self.staging_account(tpl) or "deleted"
        folder = tpl.run.log_folder if tpl.run else ""
        return (f"/subscriptions/{self.sub}/resourceGroups/{tpl.staging_rg}/providers/Microsoft.Storage/"
                f"storageAccounts/{account}/blobServices/default/containers/packerlogs/{folder}/customization.log")

    def staging_account(self, tpl: Template) -> str | None:
        rg = self.rgs.get((tpl.staging_rg or "").lower())
        return rg.storage_account if rg else None

    # -- the simulator ----------------------------------------------------------------------------
    def tick(self):
        """One simulator step: complete due operations, advance runs, then do queued blob work."""
        finishing: list[Template] = []
        with self.lock:
            now = self.clock.now()
            for op in list(self.ops.values()):
                if op.status == "InProgress" and op.due is not None and now >= op.due:
                    op.on_done(op)
            for tpl in list(self.templates.values()):
                if tpl.run and tpl.run.state in ("Running", "Canceling") and self._advance(tpl, now):
                    finishing.append(tpl)
        self.drain_blob_jobs()
        if finishing:
            # The log is complete in the blob before the terminal runState becomes visible.
            with self.lock:
                for tpl in finishing:
                    if tpl.run is not None and tpl.run.state in ("Running", "Canceling") and tpl.run.end is None:
                        self._finish(tpl, tpl.run)
            self.drain_blob_jobs()

    def drain_blob_jobs(self):
        """Perform queued blob work in order (one drainer at a time: the simulator, or a reset)."""
        with self._drain_lock:
            while True:
                try:
                    job = self.blob_jobs.get_nowait()
                except queue.Empty:
                    return
                try:
                    self.blob_writer.do(job)
                except Exception as exc:   # the account may have been deleted meanwhile
                    if getattr(exc, "status_code", None) not in (404, 409):
                        import traceback
                        traceback.print_exc()

    def _advance(self, tpl: Template, now: datetime) -> bool:
        """Write due log events and handle cancel; True when the run reached its outcome."""
        run = tpl.run
        elapsed = (now - run.start).total_seconds()
        stop_at = run.duration
        if run.cancel_requested_at is not None:
            stop_at = min(stop_at, (run.cancel_requested_at - run.start).total_seconds())
        account = self.staging_account(tpl)
        if run.delete_midbuild and not run.staging_deleted and elapsed >= run.duration / 2:
            rg = self.rgs.get((tpl.staging_rg or "").lower())
            if rg is not None:
                self._release_account(rg)
                self.rgs.pop(rg.name.lower(), None)
            run.staging_deleted = True
            account = None
            if run.outcome == "Succeeded":
                run.outcome = "Failed"
                run.message_override = (
                    f"The staging resource group '{tpl.staging_rg}' was deleted during the build. "
                    "Do not delete the staging resource group; delete the image template instead.")
        chunk: list[str] = []
        while run.next_event < len(run.events) and run.events[run.next_event].at_seconds <= min(elapsed, stop_at):
            if run.truncate and run.next_event == run.last_index:
                break                    # the last line is held back to be written cut in half
            event = run.events[run.next_event]
            run.next_event += 1
            if event.sub_state:
                run.sub_state = event.sub_state
            text = event.text if event.text.endswith("\n") else event.text + "\n"
            chunk.append(text)
        finishing = run.cancel_requested_at is None and elapsed >= run.duration
        if finishing and run.delete_at_end and run.reads_while_running < 2:
            # A log that loses its end is one a monitor was reading while the build ran: between
            # two polls that saw Running it read the log once. On a busy machine the monitor may
            # not have polled yet, so the end waits for it (a real build can run for hours) --
            # for a few real seconds at most, as no monitor may be watching at all.
            run.end_held_since = run.end_held_since or time.monotonic()
            finishing = time.monotonic() - run.end_held_since > END_HOLD_SECONDS
        if (run.outcome == "Canceled" and run.cancel_requested_at is None and run.state == "Running"
                and elapsed >= run.duration - CANCEL_SECONDS):
            run.state = "Canceling"      # a scenario that ends Canceled passes through Canceling
        if finishing and run.truncate and 0 <= run.last_index and run.next_event <= run.last_index:
            # The final write stops mid-line: the last line cut in half, no newline, nothing after it.
            event = run.events[run.last_index]
            if event.sub_state:
                run.sub_state = event.sub_state
            chunk.append(event.text[: max(1, len(event.text) // 2)])
            run.next_event = len(run.events)
        if chunk and account and not run.log_absent and not run.staging_deleted:
            first = not run.blob_created
            run.blob_created = True
            self.blob_jobs.put(("append", account, self.log_blob_name(run), "".join(chunk), first))
        if run.cancel_requested_at is not None:
            if (now - run.cancel_requested_at).total_seconds() >= CANCEL_SECONDS:
                end = run.cancel_requested_at + timedelta(seconds=CANCEL_SECONDS)
                run.state, run.end = "Canceled", end
                run.message = "The build was canceled by the user."
                self.finish_op(run.op, "Canceled", {"code": "BuildCanceled", "message": run.message}, end)
                self.finish_op(run.cancel_op, "Succeeded", at=end)
            return False
        return finishing

    def _finish(self, tpl: Template, run: Run):
        end = run.start + timedelta(seconds=run.duration)
        run.end, run.state = end, run.outcome
        sc = run.scenario
        url = self.log_url(tpl) or ""
        values = _Placeholders(log_url=url, operation_id=run.operation_id,
                               staging_rg=tpl.staging_rg or "", subscription=self.sub,
                               template_name=tpl.name, resource_group=tpl.rg, location=tpl.location,
                               storage_account=self.staging_account(tpl) or "",
                               log_blob=self.log_blob_name(run), log_resource_path=self.log_resource_path(tpl))
        if run.message_override:
            run.message = run.message_override
        elif run.outcome == "Succeeded":
            run.message = ""
        else:
            run.message = (sc.last_run_message or "").format_map(values)
        if run.outcome in ("Succeeded", "PartiallySucceeded") or getattr(sc, "run_outputs_on_failure", False):
            tpl.run_outputs = self._outputs(tpl, run)
        if run.outcome in ("Succeeded", "PartiallySucceeded"):
            self.finish_op(run.op, "Succeeded", at=end)
        else:
            if run.outcome == "Canceled":
                error = {"code": "BuildCanceled", "message": run.message or "The build was canceled."}
            else:
                # The run operation's own error uses the second form seen in the wild: the log as an
                # ARM resource path (Azure/azure-powershell#24244, Start-AzImageBuilderTemplate debug output).
                error = {"code": "PackerBuildFailed", "message": (
                    "During the image build a failure has occurred. Packer build logs are at location "
                    f"{self.log_resource_path(tpl)}. Please navigate to this location using portal or other "
                    "tools to download logs for identifying which build/customization step failed. Use this "
                    f"operationId {run.operation_id} to search packer logs. For more troubleshooting steps go "
                    "to https://aka.ms/azvmimagebuilderts.")}
            self.finish_op(run.op, "Canceled" if run.outcome == "Canceled" else "Failed", error, end)
        if run.delete_at_end and not run.staging_deleted:
            self._drop_staging(tpl)
            run.staging_deleted = True

    def _outputs(self, tpl: Template, run: Run) -> list[dict]:
        outs = []
        for dist in tpl.properties.get("distribute") or []:
            kind, name = dist.get("type"), dist.get("runOutputName")
            artifact_id, artifact_uri = None, None
            if kind == "ManagedImage":
                artifact_id = dist.get("imageId")
            elif kind == "SharedImage":
                gid = dist.get("galleryImageId", "")
                if "/versions/" in gid.lower():
                    artifact_id = gid
                else:
                    tpl.version_counter += 1
                    versioning = dist.get("versioning") or {}
                    major = versioning.get("major", -1) if versioning.get("scheme") == "Latest" else -1
                    version = (f"{major}.0.{tpl.version_counter}" if isinstance(major, int) and major >= 0
                               else f"0.{run.start:%Y%m%d}.{tpl.version_counter}")
                    artifact_id = f"{gid}/versions/{version}"
            elif kind == "VHD":
                artifact_uri = dist.get("uri") or (
                    f"{self.blob_url}/{self.staging_account(tpl) or 'deleted'}/vhds/"
                    f"{tpl.name}-{run.operation_id}.vhd")
            outs.append({"name": name, "artifactId": artifact_id, "artifactUri": artifact_uri,
                         "provisioningState": "Succeeded"})
        if run.outcome == "PartiallySucceeded" and len(outs) > 1:
            # The last distribution target is the one that failed: its run output says so.
            outs[-1].update(artifactId=None, artifactUri=None, provisioningState="Failed")
        return outs

    # -- JSON shapes ------------------------------------------------------------------------------
    def template_json(self, tpl: Template) -> dict:
        props = dict(tpl.properties)
        props["provisioningState"] = tpl.provisioning_state
        if tpl.provisioning_error:
            props["provisioningError"] = dict(tpl.provisioning_error)
        if tpl.staging_rg:
            props["exactStagingResourceGroup"] = f"/subscriptions/{self.sub}/resourceGroups/{tpl.staging_rg}"
        run = tpl.run
        if run is not None:
            props["lastRunStatus"] = {
                "startTime": iso(run.start),
                "endTime": iso(run.end) if run.end else ZERO_TIME,
                "runState": run.state,
                "runSubState": run.sub_state,
                "message": run.message,
            }
        return {
            "id": tpl.id, "name": tpl.name, "type": "Microsoft.VirtualMachineImages/imageTemplates",
            "location": tpl.location, "tags": dict(tpl.tags), "identity": tpl.identity,
            "systemData": {"createdBy": self.principal_id, "createdByType": "Application",
                           "createdAt": iso(tpl.created), "lastModifiedBy": self.principal_id,
                           "lastModifiedByType": "Application", "lastModifiedAt": iso(tpl.created)},
            "properties": props,
        }

    def run_output_json(self, tpl: Template, out: dict) -> dict:
        props = {"provisioningState": out.get("provisioningState", "Succeeded")}
        if out.get("artifactId"):
            props["artifactId"] = out["artifactId"]
        if out.get("artifactUri"):
            props["artifactUri"] = out["artifactUri"]
        return {"id": f"{tpl.id}/runOutputs/{out['name']}", "name": out["name"],
                "type": "Microsoft.VirtualMachineImages/imageTemplates/runOutputs", "properties": props}


class _Placeholders(dict):
    """str.format_map values; unknown placeholders are left as written."""

    def __missing__(self, key):
        return "{" + key + "}"


def _identity_out(identity: dict) -> dict:
    out = {"type": identity.get("type")}
    uais = identity.get("userAssignedIdentities")
    if isinstance(uais, dict):
        out["userAssignedIdentities"] = {
            rid: {"principalId": str(uuid.uuid5(uuid.NAMESPACE_URL, rid + "#p")),
                  "clientId": str(uuid.uuid5(uuid.NAMESPACE_URL, rid + "#c"))}
            for rid in uais}
    return out


def _props_in(props: dict) -> dict:
    """User properties as ARM echoes them, without read-only fields a client might send back."""
    keep = {k: v for k, v in props.items()
            if k not in ("provisioningState", "provisioningError", "lastRunStatus", "exactStagingResourceGroup")}
    keep.setdefault("buildTimeoutInMinutes", 0)
    keep.setdefault("vmProfile", {"vmSize": "", "osDiskSizeGB": 0})
    source = dict(keep.get("source") or {})
    if source.get("type") == "PlatformImage" and source.get("version") == "latest":
        source["exactVersion"] = "22.04.202611010"
    elif source.get("type") == "PlatformImage":
        source["exactVersion"] = source.get("version")
    keep["source"] = source
    return keep


def _perr(code: str, message: str) -> dict:
    return {"provisioningErrorCode": code, "message": message}


def validate_properties(props: dict, world: World, location: str) -> dict | None:
    """The template checks AIB makes at submission, as provisioningError (code, message)."""
    source = props.get("source") or {}
    stype = source.get("type")
    if stype not in SOURCE_TYPES:
        return _perr("BadSourceType", f"Source type '{stype}' is not supported. Use one of "
                     f"{', '.join(sorted(SOURCE_TYPES))}.")
    if stype == "PlatformImage" and not all(source.get(k) for k in ("publisher", "offer", "sku")):
        return _perr("BadPIRSource", "The platform image source needs publisher, offer, sku and version.")
    if stype == "ManagedImage" and not source.get("imageId"):
        return _perr("BadManagedImageSource", "Validation failed: 'ImageTemplate.properties.source': "
                     "Field 'imageId' has a bad value: ''. Please review http://aka.ms/azvmimagebuildertshoot "
                     "for more information on fixing this error.")
    if stype == "SharedImageVersion" and not source.get("imageVersionId"):
        return _perr("BadSharedImageVersionSource", "Field 'imageVersionId' is required for a "
                     "SharedImageVersion source.")
    for index, cust in enumerate(props.get("customize") or []):
        ctype = cust.get("type")
        if ctype not in CUSTOMIZER_TYPES:
            return _perr("BadCustomizerType", f"Customizer {index} has unsupported type '{ctype}'.")
        if ctype in ("Shell", "PowerShell") and bool(cust.get("inline")) == bool(cust.get("scriptUri")):
            return _perr("NoCustomizerScript", f"Customizer {index} ('{cust.get('name', ctype)}') must set "
                         "exactly one of 'scriptUri' and 'inline'.")
        if ctype == "File" and not (cust.get("sourceUri") and cust.get("destination")):
            return _perr("NoCustomizerScript", f"File customizer {index} needs 'sourceUri' and 'destination'.")
    for index, val in enumerate((props.get("validate") or {}).get("inVMValidations") or []):
        if val.get("type") not in VALIDATOR_TYPES:
            return _perr("BadValidatorType", f"Validator {index} has unsupported type '{val.get('type')}'.")
        if val.get("type") in ("Shell", "PowerShell") and bool(val.get("inline")) == bool(val.get("scriptUri")):
            return _perr("NoValidatorScript", f"Validator {index} must set exactly one of 'scriptUri' and 'inline'.")
    dists = props.get("distribute") or []
    if not dists:
        return _perr("BadDistributeType", "At least one distribution target is required.")
    for index, dist in enumerate(dists):
        if dist.get("type") not in DISTRIBUTE_TYPES:
            return _perr("BadDistributeType", f"Distributor {index} has unsupported type '{dist.get('type')}'.")
        if not NAME_RX.match(dist.get("runOutputName") or ""):
            return _perr("BadDistributeType", f"Distributor {index} needs a runOutputName matching "
                         "^[A-Za-z0-9-_.]{1,64}$.")
        if dist["type"] == "SharedImage" and not dist.get("galleryImageId"):
            return _perr("BadSharedImageDistribute", f"Distributor {index}: 'galleryImageId' is required.")
        if dist["type"] == "SharedImage" and dist.get("targetRegions") and dist.get("replicationRegions"):
            return _perr("BadSharedImageDistribute", "'targetRegions' and the deprecated "
                         "'replicationRegions' are mutually exclusive.")
        if dist["type"] == "ManagedImage" and not (dist.get("imageId") and dist.get("location")):
            return _perr("BadDistributeType", f"Distributor {index}: ManagedImage needs 'imageId' and 'location'.")
    staging = props.get("stagingResourceGroup")
    if staging:
        m = re.match(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)$", staging.rstrip("/"), re.I)
        if not m or m.group(1).lower() != world.sub.lower():
            return _perr("BadStagingResourceGroup", "The staging resource group must be a resource group ID "
                         "in the template's subscription.")
        existing = world.get_rg(m.group(2))
        if existing is not None and (existing.storage_account or any(
                (t.staging_rg or "").lower() == existing.name.lower() or t.rg.lower() == existing.name.lower()
                for t in world.templates.values())):
            return _perr("BadStagingResourceGroup", f"The staging resource group '{existing.name}' is not "
                         "empty. Use an empty resource group, or leave stagingResourceGroup empty.")
        if existing is not None and existing.location.lower() != location.lower():
            return _perr("BadStagingResourceGroup", "The staging resource group must be in the template's region.")
    return None


DURATION_TAG = "aib-emulator-duration-minutes"


def with_duration_tag(scenario, tags: dict):
    """The scenario, lasting the template's ``aib-emulator-duration-minutes`` tag when it has one
    (log events are spread over that duration; ``buildTimeoutInMinutes`` still caps it)."""
    import dataclasses

    raw = tags.get(DURATION_TAG)
    if raw in (None, ""):
        return scenario
    try:
        minutes = float(raw)
    except (TypeError, ValueError):
        minutes = 0.0
    if not minutes > 0:
        raise ApiError(400, "InvalidEmulatorScenario",
                       f"Tag '{DURATION_TAG}' is '{raw}'; give a positive number of simulated minutes.")
    return dataclasses.replace(scenario, duration_minutes=minutes)
