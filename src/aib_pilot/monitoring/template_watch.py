"""Watching ONE image template's run: its status, its log (tailed and saved), its result.

``TemplateWatch`` is driven by the loop in monitoring/fleet_loop.py (for one template or many);
``aib-pilot monitor`` (commands/monitor.py) is the command that builds the watches.
"""

from __future__ import annotations

import stat
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
from aib_pilot.diagnosis.result import Diagnosis, Finding
from aib_pilot.monitoring.retry import transient_retry
from aib_pilot.redact import redact
from aib_pilot.report.live_groups import LiveLog

TERMINAL_STATES = ("Succeeded", "PartiallySucceeded", "Failed", "Canceled")
FAILED_STATES = ("PartiallySucceeded", "Failed", "Canceled")
_ZERO_TIME = "0001-01-01"


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
        # The budget's clock (monitoring/fleet_loop.LoopControl.remaining): seconds left for work.
        # Every retry and the final log read stop when it reaches 0. Unlimited until a loop sets it.
        self.deadline: Callable[[], float] = lambda: float("inf")
        self._said: set[str] = set()
        self.tail_error: str | None = None  # the last transient error reading the log, if any
        self.log_incomplete: str | None = None  # why the saved log may lack its end, once known
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
        from aib_pilot.azure import log_folder

        body = json.dumps({"name": self.template.get("name"), "properties": props}, indent=2, default=str)
        try:
            Path(self.cfg.log_dir).mkdir(parents=True, exist_ok=True)
            path = log_folder.replace(Path(self.cfg.log_dir), (self.cfg.name,), "template.json", body.encode())
        except OSError:
            return None  # names are a nicety; the log dir's own problems surface when the log is saved
        return path

    def fix_fetched_location(self, diag: Diagnosis) -> Diagnosis:
        """A diagnosis mapped against the fetched copy names the customizer, but its file:line would
        point into the log dir, not at the user's template: the same diagnosis without those two."""
        fc = diag.failed_customizer
        if not self.cfg.template_path and fc is not None:
            return diag.replace(failed_customizer=fc.replace(file=None, line=None))
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
        finally:
            self._say_log_notices()
        if found and not self.resumed:
            self.resumed = True
            if self.log.saved_size:
                self.sink.info(f"resuming the log at byte {self.log.saved_size}: an earlier monitor saved the "
                               f"start in {self.log.local_path}")
            self.live.resume_from(self.log.local_path)
        return found

    def _say_log_notices(self) -> None:
        """Warnings from the staging log (an ignored URL, a saved log moved aside), each said once."""
        while self.log.notices:
            notice = self.log.notices.pop(0)
            if notice not in self._said:
                self._said.add(notice)
                self.sink.warning(notice)

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
                from aib_pilot.monitoring.retry import retry_line

                self.tail_error = retry_line(exc, 0).split(";")[0]
                return False
            raise
        self.tail_error = None
        self._say_log_notices()
        self.live.feed(data)
        return bool(data)

    def complete_log(self) -> str | None:
        """After the run ended: make sure the saved log holds the whole blob; return its path."""
        location = parse_log_location(self.status.get("message"))
        if location and self.log.located and location.run_folder and self.log.local_path \
                and self.log.local_path.parent.name != location.run_folder:
            self.log = StagingLog(self.session, self.log.save_dir)  # message names another run's log
        # Read until nothing is new, then once more after a short pause: the service may append the
        # last lines just after it flips runState. Bounded by the budget's clock; a few retries for
        # transient errors; whatever stops the read early is kept as ``log_incomplete``.
        self.log_incomplete = None
        failures = 0
        for _ in range(1000):
            if self.deadline() <= 0:
                self.log_incomplete = "the time budget ran out before the rest of the log was read"
                break
            if self.tail():
                failures = 0
                continue
            if self.log.gone:
                if not self.log.saved_complete:
                    self.log_incomplete = ("the log disappeared before it was read to the end (the staging "
                                           "resource group was deleted)")
                break
            if self.tail_error:
                failures += 1
                if failures > 3:
                    self.log_incomplete = f"reading the rest of the log kept failing ({self.tail_error})"
                    break
                pause = min(2.0 ** failures, max(0.0, self.deadline()))
                self.sink.info(f"{self.cfg.name}: reading the rest of the log: {self.tail_error}; "
                               f"retrying in {pause:.1f}s")
                time.sleep(pause)
                continue
            if not self.log.located:
                break
            if self._settled:
                self.log.mark_complete()
                break
            self._settled = True
            time.sleep(min(1.0, self.cfg.poll_interval, max(0.0, self.deadline())))
        self.live.close()
        if self.log.local_path is None:
            self.log.local_path = self._saved_copy(location)
        return str(self.log.local_path) if self.log.local_path and self.log.local_path.exists() else None

    def _saved_copy(self, location) -> Path | None:
        """The log an earlier monitor saved, when Azure no longer has it (staging group deleted):
        the run the status message names, else the most recently written run folder."""
        folder = self.log.save_dir
        def regular(path: Path) -> bool:  # never a link planted in the log folder
            try:
                return stat.S_ISREG(path.lstat().st_mode) and not path.parent.is_symlink()
            except OSError:
                return False

        if location and location.run_folder and regular(folder / location.run_folder / LOG_NAME):
            return folder / location.run_folder / LOG_NAME
        copies = [p for p in folder.glob(f"*/{LOG_NAME}") if regular(p)] if regular_folder(folder) else []
        copies.sort(key=lambda p: p.lstat().st_mtime)
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
                                                  source=f"azure:{self.template_id}").result())
        result.update(state="Failed", run_sub_state=None, diagnosis=diag, timeline=diag.timeline,
                      message=redact(error.get("message") or "") or None)
        return result

    def drain_log(self) -> str | None:
        """The run ended: read (and print) the rest of the log into the saved copy; its path."""
        if not self._log_drained:
            self._log_drained = True
            try:
                self._drained = self.complete_log()
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
                        source=f"azure:{self.template_id}", run_state=state).result()
        diag = self.fix_fetched_location(diag)
        if self.canceled_by and state == "Canceled":
            diag = own_cancel(diag, self.canceled_by, self.cfg)
        result["timeline"] = diag.timeline
        if state != "Succeeded":
            result["diagnosis"] = diag
        try:
            with azure_access(f"listing run outputs of {self.cfg.name}"):
                raw_outputs = transient_retry(base=1.0, deadline=self.deadline)(list_run_outputs, self.session, self.cfg.resource_group,
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
        if state in ("Failed", "PartiallySucceeded") and (diag.category in DISTRIBUTION_CATEGORIES
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
        if log_path and self.log_incomplete:
            result["log_complete"] = False
            self.sink.warning(f"the saved log {log_path} may be incomplete: {self.log_incomplete}; the "
                              "diagnosis uses what was saved")
        if not log_path and self.log_incomplete and not access_problem:
            result["log_complete"] = False
            self.sink.warning(f"the build log could not be read: {self.log_incomplete}; the diagnosis uses "
                              "lastRunStatus.message only. Run 'aib-pilot diagnose -g "
                              f"{self.cfg.resource_group} -n {self.cfg.name}' later for the full one")
        elif not log_path and state != "Succeeded" and not access_problem:
            self.sink.warning("no build log was found (the staging resource group may already be deleted); "
                              "the diagnosis uses lastRunStatus.message only")
        return result


def own_cancel(diag: Diagnosis, why: str, cfg: MonitorConfig) -> Diagnosis:
    """The run was canceled by aib-pilot itself (--cancel-on-interrupt): the "canceled run" finding
    must not read as a CI time-out nor advise against canceling; it is information."""
    return diag.replace(findings=tuple(_own_cancel_finding(f, why, cfg) for f in diag.findings))


def _own_cancel_finding(finding: Finding, why: str, cfg: MonitorConfig) -> Finding:
    if finding.category == "pipeline_timeout" or finding.rule == "AIB406":
        finding = finding.replace(
            severity="info", title=f"The run was {why}",
            cause="The CI job was stopped and aib-pilot canceled the Azure build, as "
                  "--cancel-on-interrupt asks. The 'context canceled' lines in the log are the consequence.",
            fix="Nothing to fix in the build. To let a build outlive its CI job, leave out --cancel-on-interrupt: "
                f"the build keeps running and a later job resumes with 'aib-pilot monitor -g {cfg.resource_group} "
                f"-n {cfg.name}'.")
    return finding


def regular_folder(path: Path) -> bool:
    """A real folder, not a link to one."""
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False
