"""``build_log``: the customization.log of one run of a scenario against one submitted template.

A run goes through the phases in order (phases.py, customizers.py). A scenario's *plot* (plots.py)
may take over one step — the deployment, the connection, the failing customizer, deprovisioning or
distribution — and end the build there with a :class:`Stop`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import customizers, phases
from .context import BuildContext, customizer_kind
from .model import LogEvent, Scenario
from .writer import LogWriter


@dataclass(frozen=True)
class Stop:
    """How a failing step ends the build.

    kind ``error``: Packer reports ``message`` (after cleanup unless ``cleanup`` is False;
    ``cancelled`` adds the builder-cancellation line of the guide's "no artifacts" excerpt);
    ``cancel``: the context-cancellation ending (deadline or cancel request; ``announce`` False
    when the plot already wrote the cancellation lines); ``done``: the plot wrote the ending.
    """

    kind: str
    message: str = ""
    cleanup: bool = True
    cancelled: bool = False
    announce: bool = True


class Build:
    """The state a plot works with: the writer ``w`` and the build context ``ctx``."""

    def __init__(self, scenario: Scenario, plot: "Plot", ctx: BuildContext, w: LogWriter) -> None:
        self.scenario = scenario
        self.plot = plot
        self.ctx = ctx
        self.w = w
        self.failing = plot.failing_index(ctx.customizers)

    def run(self) -> None:
        w, ctx, plot = self.w, self.ctx, self.plot
        phases.preamble(w, ctx)
        phases.deploy(w, ctx, polls=plot.deploy_polls, validate_only=plot.refused_at_validation)
        stop = plot.deploy(self)
        if stop is None:
            phases.deploy_succeeded(w, ctx)
            stop = plot.connect(self)
        if stop is None:
            stop = self.customize()
        if stop is None:
            stop = plot.deprovision(self)
        if stop is None:
            w.elastic = True  # capture and replication times vary as much as customizers do
            phases.capture(w, ctx)
            phases.optimize_and_validate(w, ctx)
            phases.distribute_start(w, ctx)
            stop = plot.distribute(self)
            w.elastic = False
        if stop is None:
            phases.cleanup(w, ctx)
            phases.finish_ok(w, ctx)
        else:
            self.finish(stop)

    def customize(self) -> Stop | None:
        w = self.w
        w.sub_state("Customizing")
        custs = list(self.ctx.customizers)
        failing = self.failing
        if failing is None and self.plot.needs:
            # A template without customizers: the failure still needs a stage to happen on.
            custs.append({"type": self.plot.needs[0] if not self.ctx.windows or
                          self.plot.needs[0] != "shell" else "PowerShell",
                          "name": "(emulated)", "inline": ["echo emulated step"]})
            failing = len(custs) - 1
        w.elastic = True
        try:
            for index, cust in enumerate(custs):
                if index == failing:
                    stop = self.plot.customizer(self, index, cust)
                    if stop is not None:
                        return stop
                else:
                    customizers.run(w, self.ctx, index, cust)
        finally:
            w.elastic = False
        return None

    def finish(self, stop: Stop) -> None:
        if stop.kind == "error":
            if stop.cleanup:
                phases.cleanup(self.w, self.ctx)
            phases.finish_error(self.w, self.ctx, stop.message, cancelled=stop.cancelled)
        elif stop.kind == "cancel":
            phases.finish_cancel(self.w, self.ctx, with_cleanup=stop.cleanup, announce=stop.announce)


class Plot:
    """Default behaviour of every step; a scenario's plot overrides the step where it fails.

    ``needs``: customizer kinds (lower-case AIB type) the failure happens in, in preference order;
    ``prefer``: optional predicate choosing among them (e.g. the customizer that runs ``ufw``).
    The failing customizer is the first preferred one of a needed kind, else the first of the
    needed kinds in order, else the template's first customizer.
    """

    needs: tuple[str, ...] = ()
    deploy_polls: int | None = None  # operationStatuses polls (None: a normal 3-5 minute deployment)
    refused_at_validation = False  # the build VM's deployment fails at template validation

    def prefer(self, cust: dict) -> bool:
        return False

    def failing_index(self, custs: list[dict]) -> int | None:
        if not self.needs:
            return None
        for i, c in enumerate(custs):
            if customizer_kind(c) in self.needs and self.prefer(c):
                return i
        for kind in self.needs:
            for i, c in enumerate(custs):
                if customizer_kind(c) == kind:
                    return i
        return 0 if custs else None

    def deploy(self, b: Build) -> Stop | None:
        return None

    def connect(self, b: Build) -> Stop | None:
        phases.connect(b.w, b.ctx)
        return None

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        customizers.run(b.w, b.ctx, index, cust)
        return None

    def deprovision(self, b: Build) -> Stop | None:
        phases.deprovision_start(b.w, b.ctx)
        if b.ctx.windows:
            phases.deprovision_windows_ok(b.w, b.ctx)
        else:
            phases.deprovision_linux_ok(b.w, b.ctx)
        return None

    def distribute(self, b: Build) -> Stop | None:
        for i, dist in enumerate(b.ctx.distribute):
            phases.distribute_one(b.w, b.ctx, i, dist, phases.sig_version(b.ctx, dist))
        return None


def build_log(scenario: Scenario, *, template: dict, operation_id: str, staging_rg: str,
              subscription: str, start: datetime) -> list[LogEvent]:
    """The customization.log lines of ``scenario`` run on ``template``, timed from ``start``.

    Submission failures (``put_error``/``provisioning_error``) never start a build: empty list.
    Deterministic for a given scenario, template and ``operation_id``.
    """
    from .plots import plot_for

    if scenario.submission_fails:
        return []
    ctx = BuildContext.create(template, scenario_name=scenario.name, operation_id=operation_id,
                              staging_rg=staging_rg, subscription=subscription, start=start)
    w = LogWriter(operation_id)
    Build(scenario, plot_for(scenario.name), ctx, w).run()
    return w.events(start, scenario.duration_minutes * 60.0)


def failing_customizer_index(scenario: Scenario, template: dict) -> int | None:
    """Index in ``template``'s customize[] of the customizer the scenario makes fail, or None."""
    from .context import template_properties
    from .plots import plot_for

    if scenario.submission_fails:
        return scenario.failing_customizer
    custs = list(template_properties(template).get("customize") or [])
    return plot_for(scenario.name).failing_index(custs)
