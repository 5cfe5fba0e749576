"""The monitor loop: poll image templates' ``lastRunStatus``, tail and save the log, explain the end.

One loop drives one template (live log, groups per customizer) or a fleet (one GET per template
per poll, summary table). It never waits on the run LRO -- that spans the whole build -- but reads
``GET imageTemplate``, which any later job can do again: resuming is just running ``monitor`` again.
The saved log is the resume point for the tail (ranged reads continue from its size on disk).

Polling is adaptive: the interval starts at ``--poll-interval`` (default 15 s), grows by half while
nothing changes up to four times the start (60 s), and snaps back when the sub-state changes or
the log grows; each sleep has +-10 % jitter so a fleet of monitors does not poll in lockstep.
Transient errors (429, 5xx, broken connections) are retried with tenacity, honouring Retry-After.
"""

from __future__ import annotations

import concurrent.futures
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import tenacity

from aib_pilot.azure.errors import azure_access, is_transient
from aib_pilot.azure.run_outputs import DISTRIBUTION_CATEGORIES, list_run_outputs, published_anyway
from aib_pilot.azure.staging_logs import (LOG_NAME, LogAccessDenied, LogNotFound, StagingLog, parse_log_location,
                                           rg_name)
from aib_pilot.azure.templates import RUNNING_STATES, Templates, run_state
from aib_pilot.redact import redact

TERMINAL_STATES = ("Succeeded", "PartiallySucceeded", "Failed", "Canceled")
FAILED_STATES = ("PartiallySucceeded", "Failed", "Canceled")
_ZERO_TIME = "0001-01-01"


# -- pure helpers -----------------------------------------------------------------------------------
@dataclass
class PollSchedule:
    """Adaptive poll interval: ``start`` rising x1.5 per quiet poll to ``start * 4``; jittered."""

    start: float = 15.0
    growth: float = 1.5
    ceiling_factor: float = 4.0
    jitter: float = 0.1
    rng: random.Random = field(default_factory=random.Random)
    current: float = 0.0

    def __post_init__(self) -> None:
        self.current = self.start

    @property
    def ceiling(self) -> float:
        return self.start * self.ceiling_factor

    def next(self, *, changed: bool) -> float:
        """The sleep before the next poll; ``changed`` = something happened in the last poll."""
        self.current = self.start if changed else min(self.ceiling, self.current * self.growth)
        return self.current * (1 + self.rng.uniform(-self.jitter, self.jitter))


def retry_after_seconds(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def transient_retry(*, base: float, deadline: Callable[[], float] | None = None, attempts: int = 8,
                    on_retry: Callable[[BaseException, float], None] | None = None) -> tenacity.Retrying:
    """Tenacity policy for Azure calls: transient errors only, Retry-After first, else backoff."""
    backoff = tenacity.wait_random_exponential(multiplier=max(base, 0.1), max=60)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        delay = retry_after_seconds(exc) if exc else None
        delay = backoff(state) if delay is None else delay
        if on_retry and exc:
            on_retry(exc, delay)
        return delay

    stop = tenacity.stop_after_attempt(attempts)
    if deadline is not None:
        stop = stop | _StopAtDeadline(deadline)
    return tenacity.Retrying(retry=tenacity.retry_if_exception(is_transient), wait=wait, stop=stop, reraise=True)


def retry_line(exc: BaseException, delay: float) -> str:
    """'Azure answered 503; retrying in 2.0s', or, when no HTTP answer came at all (DNS, refused
    connection, TLS), 'could not reach Azure (ServiceRequestError); retrying in 2.0s'."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status:
        return f"Azure answered {status}; retrying in {delay:.1f}s"
    return f"could not reach Azure ({type(exc).__name__}); retrying in {delay:.1f}s"


class _StopAtDeadline(tenacity.stop.stop_base):
    def __init__(self, deadline: Callable[[], float]):
        self.deadline = deadline

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.deadline() <= 0


def iso_or_none(value: Any) -> str | None:
    if value in (None, ""):
        return None
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return None if text.startswith(_ZERO_TIME) else text


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class LiveLog:
    """Turns new log bytes into complete lines for the sink, one group per customizer."""

    START = re.compile(r"\(telemetry\) Starting provisioner (\S+)")
    END = re.compile(r"\(telemetry\) ending (\S+)")

    def __init__(self, sink, *, enabled: bool = True, customizers: list[dict] | None = None):
        self.sink = sink
        self.enabled = enabled
        self.customizers = customizers or []
        self.partial = b""
        self.open_group: str | None = None
        self.started = 0  # provisioners started so far
        self.cursor = 0  # next template customizer a provisioner can belong to

    def resume_from(self, path: Path | None) -> None:
        """Restore group state and the partial last line from a saved log, printing nothing."""
        if not path or not path.exists():
            return
        with open(path, "rb") as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    self.partial = raw
                    break
                text = raw.decode("utf-8", "replace")
                if self.START.search(text):
                    self.started += 1
                    self.open_group = self.START.search(text).group(1)
                    self.open_title = self._title(self.open_group)
                elif self.END.search(text):
                    self.open_group = None
        if self.open_group and self.enabled:
            self.sink.group_start(self.open_title + " (continued)")

    # Packer provisioner name -> AIB customizer type (docs/sources.md#aib-customizers)
    KINDS = {"shell": "shell", "powershell": "powershell", "file": "file", "windows-restart": "windowsrestart",
             "windows-update": "windowsupdate"}

    def _title(self, provisioner: str) -> str:
        """Name the group after the template's next customizer of the same kind, if there is one."""
        kind = self.KINDS.get(provisioner.lower())
        for index in range(self.cursor, len(self.customizers)):
            item = self.customizers[index]
            if kind and str(item.get("type", "")).lower() == kind:
                self.cursor = index + 1
                label = item.get("name") or item.get("type")
                return f"customizer {index + 1}/{len(self.customizers)}: {label} ({provisioner})"
        if self.customizers:  # every customizer of that kind has run: Image Builder's own step
            return f"Image Builder's own {provisioner} step (deprovisioning; not in your template)"
        return f"provisioner {self.started}: {provisioner}"

    def feed(self, data: bytes) -> None:
        if not data:
            return
        chunk = self.partial + data
        lines = chunk.split(b"\n")
        self.partial = lines.pop()
        pending: list[str] = []

        def flush() -> None:
            if pending and self.enabled:
                self.sink.log_lines(list(pending))
            pending.clear()

        for raw in lines:
            text = raw.decode("utf-8", "replace").rstrip("\r")
            start = self.START.search(text)
            if start:
                flush()
                if self.open_group and self.enabled:
                    self.sink.group_end()
                self.started += 1
                self.open_group = start.group(1)
                if self.enabled:
                    self.sink.group_start(self._title(self.open_group))
                pending.append(text)
                continue
            pending.append(text)
            if self.open_group and self.END.search(text):
                flush()
                if self.enabled:
                    self.sink.group_end()
                self.open_group = None
        flush()

    def close(self) -> None:
        if self.partial and self.enabled:
            self.sink.log_lines([self.partial.decode("utf-8", "replace").rstrip("\r")])
        self.partial = b""
        if self.open_group and self.enabled:
            self.sink.group_end()
        self.open_group = None


# -- one template ---------------------------------------------------------------------------------
@dataclass
class MonitorConfig:
    resource_group: str
    name: str
    log_dir: Path
    poll_interval: float = 15.0
    budget_seconds: float | None = None
    template_path: str | None = None
    live_log: bool = True
    resume_args: list[str] = field(default_factory=list)  # extra options repeated in the resume command


def resume_command(cfg: MonitorConfig) -> str:
    import shlex

    parts = ["aib-pilot", "monitor", "--resource-group", cfg.resource_group, "--name", cfg.name,
             "--log-dir", str(cfg.log_dir)]
    if cfg.template_path:
        parts += ["--template", cfg.template_path]
    parts += cfg.resume_args
    return " ".join(shlex.quote(p) for p in parts)


class TemplateWatch:
    """The state of watching one template: last seen status, its log, its result once finished."""

    def __init__(self, session, cfg: MonitorConfig, sink, *, fleet: bool = False):
        self.session = session
        self.cfg = cfg
        self.sink = sink
        self.fleet = fleet
        self.templates = Templates(session)
        self.log = StagingLog(session, Path(cfg.log_dir) / cfg.name)
        self.template: dict = {}
        self.last_seen: tuple[str | None, str | None] | None = None
        self.result: dict | None = None
        self.log_warning_given = False
        self.log_access_problem: str | None = None
        self._log_drained = False
        self._drained: str | None = None
        customizers = []
        if cfg.template_path:
            try:
                from aib_pilot.azure.templates import load_template

                customizers = load_template(cfg.template_path).body["properties"].get("customize") or []
            except Exception:  # noqa: BLE001 - titles only; diagnosis reports template problems
                customizers = []
        self.live = LiveLog(sink, enabled=cfg.live_log and not fleet, customizers=customizers)
        self.resumed = False
        self._settled = False
        self.canceled_by: str | None = None  # "canceled by aib-pilot on SIGTERM (...)" when we canceled the run
        self.fetched_template_path: Path | None = None

    @property
    def template_id(self) -> str:
        return self.template.get("id") or self.session.template_id(self.cfg.resource_group, self.cfg.name)

    @property
    def props(self) -> dict:
        return self.template.get("properties") or {}

    @property
    def status(self) -> dict:
        return self.props.get("lastRunStatus") or {}

    def refresh(self, retrying: tenacity.Retrying) -> None:
        with azure_access(f"reading image template {self.cfg.name} in {self.cfg.resource_group}"):
            self.template = retrying(self.templates.get, self.cfg.resource_group, self.cfg.name)
        customize = self.props.get("customize")
        if not self.cfg.template_path and not self.live.customizers and isinstance(customize, list):
            self.live.customizers = list(customize)  # live-log groups named from the template in Azure

    @property
    def diagnosis_template(self) -> str | None:
        """The template the diagnosis maps customizers against: the user's file (with file:line),
        else a copy of the template as stored in Azure (names and indexes; no line in the user's file)."""
        if self.cfg.template_path:
            return self.cfg.template_path
        if self.fetched_template_path is None:
            self.fetched_template_path = self._keep_fetched_template()
        return str(self.fetched_template_path) if self.fetched_template_path else None

    def _keep_fetched_template(self) -> Path | None:
        """Without --template: save the template Azure holds to ``<log-dir>/<name>/template.json``
        (``diagnose()`` takes a file path; templates are immutable, so once is enough)."""
        import json

        props = self.props
        if not isinstance(props.get("customize"), list):
            return None
        path = Path(self.cfg.log_dir) / self.cfg.name / "template.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"name": self.template.get("name"), "properties": props}, indent=2,
                                       default=str), encoding="utf-8")
        except OSError:
            return None  # names are a nicety; the log dir's own problems surface when the log is saved
        return path

    def fix_fetched_location(self, diag: dict) -> dict:
        """A diagnosis mapped against the fetched copy names the customizer, but its file:line would
        point into the log dir, not at the user's template: drop those two."""
        fc = diag.get("failed_customizer")
        if not self.cfg.template_path and isinstance(fc, dict):
            fc["file"] = None
            fc["line"] = None
        return diag

    def check_started(self) -> None:
        """A template that never ran and will not run by itself cannot be monitored."""
        auto = ((self.props.get("autoRun") or {}).get("state") or "").lower() == "enabled"
        if not self.status and not auto and self.props.get("provisioningState") == "Succeeded":
            from aib_pilot.errors import UsageError

            raise UsageError(
                f"Image template {self.cfg.name} has never been run, so there is nothing to monitor.",
                hint=f"Start it with 'aib-pilot submit --template FILE -g {self.cfg.resource_group} --name "
                f"{self.cfg.name}' (it attaches and runs) or 'az image builder run -g {self.cfg.resource_group} "
                f"-n {self.cfg.name} --no-wait'.")

    def provisioning_failed(self) -> bool:
        return self.props.get("provisioningState") == "Failed"

    def observe(self) -> bool:
        """Report a sub-state change; True when it changed."""
        seen = run_state(self.template)
        if seen == self.last_seen:
            return False
        self.last_seen = seen
        state, sub = seen
        if self.fleet:
            self.sink.info(f"{self.cfg.name}: {state or 'not started'}{' / ' + sub if sub else ''}")
        else:
            # A finished run keeps its last runSubState: worth showing for a failure (where it
            # stopped), misleading for a success ("Succeeded / Distributing").
            shown_sub = None if state == "Succeeded" else sub
            self.sink.transition(state or "NotStarted", shown_sub, datetime.now(timezone.utc))
        return True

    # -- log --------------------------------------------------------------------------------------
    def _locate(self) -> bool:
        if self.log.located:
            return True
        staging = rg_name(self.props.get("exactStagingResourceGroup"))
        location = parse_log_location(self.status.get("message"))
        try:
            found = self.log.locate(staging_rg=staging, location=location)
        except LogNotFound:
            return False
        if found and not self.resumed:
            self.resumed = True
            if self.log.saved_size:
                self.sink.info(f"resuming the log at byte {self.log.saved_size}: an earlier monitor saved the "
                               f"start in {self.log.local_path}")
            self.live.resume_from(self.log.local_path)
        return found

    def tail(self) -> bool:
        """Read new log bytes (saved at once, then shown); True when the log grew."""
        try:
            if not self._locate():
                return False
            data = self.log.read_new()
        except LogAccessDenied as exc:
            self.log_access_problem = exc.one_line()
            if not self.log_warning_given and run_state(self.template)[0] in RUNNING_STATES:
                self.log_warning_given = True
                self.sink.warning("cannot read the build log, so there is no live log (the build goes on and "
                                  f"monitoring continues): {self.log_access_problem}")
            return False
        except LogNotFound:
            return False
        except Exception as exc:  # noqa: BLE001 - a tail hiccup must not end the monitor
            if is_transient(exc):
                return False
            raise
        self.live.feed(data)
        return bool(data)

    def _complete_log(self) -> str | None:
        """After the run ended: make sure the saved log holds the whole blob; return its path."""
        location = parse_log_location(self.status.get("message"))
        if location and self.log.located and location.run_folder and self.log.local_path \
                and self.log.local_path.parent.name != location.run_folder:
            self.log = StagingLog(self.session, self.log.save_dir)  # message names another run's log
        # Read until nothing is new, then once more after a short pause: the service may append the
        # last lines just after it flips runState.
        for _ in range(1000):
            if not self.tail():
                if self.log.gone or not self.log.located or self._settled:
                    break
                self._settled = True
                time.sleep(min(1.0, self.cfg.poll_interval))
        self.live.close()
        if self.log.local_path is None:
            self.log.local_path = self._saved_copy(location)
        return str(self.log.local_path) if self.log.local_path and self.log.local_path.exists() else None

    def _saved_copy(self, location) -> Path | None:
        """The log an earlier monitor saved, when Azure no longer has it (staging group deleted):
        the run the status message names, else the most recently written run folder."""
        folder = self.log.save_dir
        if location and location.run_folder and (folder / location.run_folder / LOG_NAME).is_file():
            return folder / location.run_folder / LOG_NAME
        copies = sorted(folder.glob(f"*/{LOG_NAME}"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
        return copies[-1] if copies else None

    # -- results ----------------------------------------------------------------------------------
    def base_result(self) -> dict:
        state, sub = run_state(self.template)
        started = iso_or_none(self.status.get("startTime"))
        ended = iso_or_none(self.status.get("endTime"))
        start_dt, end_dt = _parse_time(started), _parse_time(ended)
        elapsed = None
        if start_dt:
            elapsed = round(((end_dt or datetime.now(timezone.utc)) - start_dt).total_seconds(), 3)
            elapsed = elapsed if elapsed >= 0 else None  # clocks disagree: say nothing rather than nonsense
        message = self.status.get("message") or None
        return {
            "state": state or "Running", "run_sub_state": sub, "template": self.template_id,
            "template_name": self.cfg.name, "resource_group": self.cfg.resource_group,
            "log_path": str(self.log.local_path) if self.log.local_path and self.log.local_path.exists() else None,
            "log_url": self.log.url, "message": redact(message) if message else None, "outputs": [],
            "timeline": [], "diagnosis": None, "resume": None, "started": started, "ended": ended,
            "elapsed_seconds": elapsed, "published_anyway": None,
        }

    def running_result(self) -> dict:
        result = self.base_result()
        result["state"] = "Running" if result["state"] not in TERMINAL_STATES else result["state"]
        result["resume"] = resume_command(self.cfg)
        return result

    def provisioning_result(self) -> dict:
        from aib_pilot.diagnosis import diagnose

        error = self.props.get("provisioningError") or {}
        result = self.base_result()
        diag = self.fix_fetched_location(diagnose(None, provisioning_error=error, template_path=self.diagnosis_template,
                                                  source=f"azure:{self.template_id}").to_dict())
        result.update(state="Failed", run_sub_state=None, diagnosis=diag, timeline=diag.get("timeline") or [],
                      message=redact(error.get("message") or "") or None)
        return result

    def drain_log(self) -> str | None:
        """The run ended: read (and print) the rest of the log into the saved copy; its path."""
        if not self._log_drained:
            self._log_drained = True
            try:
                self._drained = self._complete_log()
            except LogAccessDenied as exc:
                self.log_access_problem = exc.one_line()
                self._drained = None
        return self._drained

    def finish(self) -> dict:
        """The run ended: complete and save the log, list outputs, diagnose."""
        from aib_pilot.diagnosis import diagnose

        state, sub = run_state(self.template)
        access_problem = None
        log_path = self.drain_log()
        if not log_path:
            access_problem = self.log_access_problem
        result = self.base_result()
        message = self.status.get("message")
        if self.canceled_by:  # our own cancel: the diagnosis (and the report) must say so
            message = self.canceled_by + (f"; {message}" if message else "")
            result["message"] = redact(message)
        diag = diagnose(log_path, status_message=message, template_path=self.diagnosis_template,
                        source=f"azure:{self.template_id}", run_state=state).to_dict()
        self.fix_fetched_location(diag)
        if self.canceled_by and state == "Canceled":
            own_cancel(diag, self.canceled_by, self.cfg)
        result["timeline"] = diag.get("timeline") or []
        if state != "Succeeded":
            result["diagnosis"] = diag
        try:
            with azure_access(f"listing run outputs of {self.cfg.name}"):
                raw_outputs = transient_retry(base=1.0)(list_run_outputs, self.session, self.cfg.resource_group,
                                                        self.cfg.name)
            # Only what was produced: a distributor that failed leaves a run output without an
            # artifact (provisioningState Failed); the diagnosis explains that one.
            result["outputs"] = [{k: o[k] for k in ("name", "artifact_id", "artifact_uri")} for o in raw_outputs
                                 if (o.get("artifact_id") or o.get("artifact_uri"))
                                 and o.get("provisioning_state") in (None, "Succeeded")]
        except Exception as exc:  # noqa: BLE001 - outputs are a bonus on failure
            raw_outputs = []
            if state == "Succeeded":
                self.sink.warning(f"could not list run outputs: {exc}")
        if state in ("Failed", "PartiallySucceeded") and (diag.get("category") in DISTRIBUTION_CATEGORIES
                                                          or "Distributing" in (sub, (self.last_seen or (None, None))[1])):
            result["published_anyway"] = published_anyway(raw_outputs)
        if access_problem:
            result["log_access_error"] = access_problem
            if self.log_warning_given:
                self.sink.warning("the build log could not be read (see the warning above), so the diagnosis "
                                  "below uses only the status message; grant that access and run "
                                  f"'aib-pilot diagnose -g {self.cfg.resource_group} -n {self.cfg.name}' for the full one")
            else:
                self.sink.warning("the build log could not be read, so the diagnosis below uses only the status "
                                  f"message: {access_problem}")
        if not log_path and state != "Succeeded" and not access_problem:
            self.sink.warning("no build log was found (the staging resource group may already be deleted); "
                              "the diagnosis uses lastRunStatus.message only")
        return result


def own_cancel(diag: dict, why: str, cfg: MonitorConfig) -> None:
    """The run was canceled by aib-pilot itself (--cancel-on-interrupt): the "canceled run" finding
    must not read as a CI time-out nor advise against canceling; it is information."""
    for finding in diag.get("findings") or []:
        if finding.get("category") == "pipeline_timeout" or finding.get("rule") == "AIB406":
            finding.update(
                severity="info", title=f"The run was {why}",
                cause="The CI job was stopped and aib-pilot canceled the Azure build, as "
                      "--cancel-on-interrupt asks. The 'context canceled' lines in the log are the consequence.",
                fix="Nothing to fix in the build. To let a build outlive its CI job, leave out --cancel-on-interrupt: "
                    f"the build keeps running and a later job resumes with 'aib-pilot monitor -g {cfg.resource_group} "
                    f"-n {cfg.name}'.")


# -- the loop ----------------------------------------------------------------------------------------
class Interrupted(Exception):
    pass


@dataclass
class LoopControl:
    """Budget and interruption shared by single and fleet monitoring."""

    budget_seconds: float | None
    clock: Callable[[], float] = time.monotonic
    stop: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0
    signal_name: str | None = None  # "SIGTERM" / "SIGINT" once a signal asked the loop to stop

    def __post_init__(self) -> None:
        self.started_at = self.clock()

    @property
    def reserve(self) -> float:
        """Time kept back for the final log read and the report."""
        return 0.0 if self.budget_seconds is None else min(60.0, max(0.5, 0.1 * self.budget_seconds))

    def remaining(self) -> float:
        if self.budget_seconds is None:
            return float("inf")
        return self.started_at + self.budget_seconds - self.reserve - self.clock()

    def sleep(self, seconds: float) -> None:
        if self.stop.wait(max(0.0, min(seconds, self.remaining()))):
            raise Interrupted()


def watch(watches: list[TemplateWatch], sink, control: LoopControl, *, poll_interval: float,
          cancel_on_interrupt: bool = False, heartbeat_every: float | None = None) -> list[dict]:
    """Poll until every template's run ended or the budget is used up; return the run results."""
    schedule = PollSchedule(start=poll_interval)
    heartbeat_every = heartbeat_every or max(4 * poll_interval, 1.0)
    last_heartbeat = control.clock()
    canceling = False
    interrupted: str | None = None  # the signal that ended monitoring (without canceling the run)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(watches))) if len(watches) > 1 else None

    def on_retry(exc: BaseException, delay: float) -> None:
        sink.info(retry_line(exc, delay))

    retrying = transient_retry(base=poll_interval, deadline=control.remaining, on_retry=on_retry)
    active = list(watches)
    try:
        while active:
            if pool:
                list(pool.map(lambda w: w.refresh(retrying.copy()), active))
            else:
                active[0].refresh(retrying.copy())
            changed = False
            for w in list(active):
                if w.provisioning_failed():
                    w.result = w.provisioning_result()
                    active.remove(w)
                    continue
                w.check_started()
                state, _sub = run_state(w.template)
                if state in TERMINAL_STATES:
                    replay = w.last_seen is not None or not w.live.enabled
                    if not replay:  # ended before this monitor started: a diagnosis, not a log dump
                        w.live.enabled = False
                    path = w.drain_log()  # the rest of the log first, then the end state, then the result
                    if not replay and path:
                        sink.info(f"{w.cfg.name}: the run had already ended when this monitor started; its log was "
                                  "saved (path below), not replayed here"
                                  + ("" if state == "Succeeded" else "; the diagnosis quotes the failing part"))
                    w.observe()
                    w.result = w.finish()
                    active.remove(w)
                    continue
                changed |= w.observe()
                if not w.fleet:
                    changed |= w.tail()
            if not active:
                break
            now = control.clock()
            if now - last_heartbeat >= heartbeat_every:
                last_heartbeat = now
                for w in active:
                    state, sub = run_state(w.template)
                    elapsed = w.base_result()["elapsed_seconds"]
                    size = w.log.saved_size
                    sink.heartbeat(f"{w.cfg.name}: still {state or 'not started'}{' / ' + sub if sub else ''}"
                                   f"{f' after {_duration(elapsed)}' if elapsed is not None else ''}"
                                   f"{f' ({size} bytes of log saved)' if size else ''}")
            delay = schedule.next(changed=changed)
            if not canceling and control.remaining() <= delay:
                break
            try:
                control.sleep(delay)
            except Interrupted:
                signal_name = control.signal_name or "a stop request"
                if not cancel_on_interrupt or canceling:
                    interrupted = signal_name
                    break
                canceling = True
                control.stop.clear()
                control.budget_seconds = None  # waiting for Canceled is the point now
                for w in active:
                    if run_state(w.template)[0] in RUNNING_STATES:
                        w.canceled_by = f"canceled by aib-pilot on {signal_name} (--cancel-on-interrupt)"
                        sink.warning(f"interrupted by {signal_name}: canceling the run of {w.cfg.name} "
                                     "(--cancel-on-interrupt) and waiting for Canceled")
                        with azure_access(f"canceling {w.cfg.name}"):
                            w.templates.cancel(w.cfg.resource_group, w.cfg.name)
    finally:
        if pool:
            pool.shutdown(wait=False)
    results = []
    for w in watches:
        if w.result is None:
            if not w.fleet:
                try:
                    w.tail()  # the saved log is current when the job ends
                except Exception:  # noqa: BLE001
                    pass
                w.live.close()
            w.result = w.running_result()
            if interrupted:
                w.result["interrupted"] = interrupted
                going_on = ("its cancel was requested, not waited for" if w.canceled_by
                            else "the build keeps running in Azure")
                sink.warning(f"interrupted by {interrupted}: stopped monitoring {w.cfg.name}; {going_on}. "
                             f"Resume with: {w.result['resume']}")
        elif w.canceled_by:
            w.result["interrupted"] = control.signal_name or "a stop request"
        results.append(w.result)
    return results


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def exit_code_for(results: list[dict]) -> int:
    from aib_pilot.errors import EXIT_BUILD_FAILED, EXIT_OK

    return EXIT_BUILD_FAILED if any(r["state"] in FAILED_STATES for r in results) else EXIT_OK
