"""The two value types the emulator consumes: a scenario and one line of its customization.log."""

from __future__ import annotations

from dataclasses import dataclass

#: runSubState values in the order a build passes through them (spec enum RunSubState).
SUB_STATES = ("Queued", "Building", "Customizing", "Optimizing", "Validating", "Distributing")

#: lastRunStatus.runState values a finished run can end in.
OUTCOMES = ("Succeeded", "PartiallySucceeded", "Failed", "Canceled")


@dataclass(frozen=True)
class Scenario:
    """One way an AIB submission or build can go, selected by the template tag ``aib-emulator-scenario``.

    ``last_run_message`` is a ``str.format`` template with the placeholders ``{log_url}``,
    ``{operation_id}``, ``{staging_rg}``, ``{subscription}`` and ``{template_name}``; "" on success.
    ``failing_customizer`` is the index of the failing customizer in the scenario's sample template
    (:func:`.samples.template_for` with :func:`.catalogue.sample_os`); for any other template use
    :func:`failing_customizer_index`, which picks the first customizer of the kind the scenario needs.
    """

    name: str
    summary: str
    seed_section: str | None
    expected_category: str | None
    outcome: str
    put_error: dict | None = None
    provisioning_error: dict | None = None
    last_run_message: str = ""
    duration_minutes: float = 25.0
    failing_customizer: int | None = None
    deny_staging_read: bool = False
    delete_staging_midbuild: bool = False
    log_absent: bool = False
    truncate_log: bool = False
    run_outputs_on_failure: bool = False

    @property
    def submission_fails(self) -> bool:
        """True when the template never gets a build (ARM error on PUT or provisioningState Failed)."""
        return self.put_error is not None or self.provisioning_error is not None


@dataclass(frozen=True)
class LogEvent:
    """One customization.log line (no newline) ``at_seconds`` after the run started.

    ``sub_state`` is the runSubState that begins with this line, else None.
    """

    at_seconds: float
    text: str
    sub_state: str | None = None
