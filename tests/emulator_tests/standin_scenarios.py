"""A tiny private stand-in for SCEN's tests.emulator.scenarios, used only until that module lands."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
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


@dataclass(frozen=True)
class LogEvent:
    at_seconds: float
    text: str
    sub_state: str | None = None


SCENARIOS = {
    "success": Scenario("success", "managed image", None, None, "Succeeded", duration_minutes=20),
    "customizer-failed": Scenario(
        "customizer-failed", "inline shell exits 1", None, "customizer", "Failed",
        last_run_message="Failed while waiting for packerizer: Microservice has failed: Failed while "
                         "processing request: Error when executing the customizer script (Packer build "
                         "command has failed: exit status 1). Image Build log location: {log_url}. "
                         "OperationId: {operation_id}. Use this operationId to search packer logs.",
        duration_minutes=12, failing_customizer=0),
}


def build_log(scenario, *, template, operation_id, staging_rg, subscription, start):
    events = [LogEvent(0, "stand-in: queued", "Queued"), LogEvent(60, "stand-in: building", "Building"),
              LogEvent(120, "(telemetry) Starting provisioner shell", "Customizing")]
    for i in range(50):
        events.append(LogEvent(130 + i, f"==> azure-arm: line {i} of customizer output"))
    if scenario.outcome == "Failed":
        events.append(LogEvent(scenario.duration_minutes * 60 - 10,
                               "==> azure-arm: Script exited with non-zero exit status: 1"))
    else:
        events.append(LogEvent(600, "(telemetry) Finalizing.", "Distributing"))
    return events
