"""SCENARIOS: every way a submission or build goes in the emulator, keyed by kebab-case name.

``seed_section`` is the anchor of the troubleshooting guide section the scenario reproduces
(None for scenarios beyond the guide); ``expected_category`` is the aib-pilot diagnosis category
(issue 2's list) the product must report, None for a success.
"""

from __future__ import annotations

from .model import Scenario

GUIDE = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"

LOG_LOCATION = ("Image Build log location: {log_url}. OperationId: {operation_id}. "
                "Use this operationId to search packer logs.")

#: lastRunStatus.message of a build whose Packer run failed (the guide's "packer build command failure").
PACKER_FAILED = (
    "Failed while waiting for packerizer: Microservice has failed: Failed while processing request: "
    "Error when executing packerizer: Packer build command has failed: exit status 1. During the image "
    "build, a failure has occurred, please review the build log to identify which build/customization "
    "step failed. For more troubleshooting steps go to https://aka.ms/azvmimagebuilderts. "
    + LOG_LOCATION)

#: lastRunStatus.message when buildTimeoutInMinutes ran out (the guide's "timeout exceeded").
TIMED_OUT = ("Failed in building/customizing image: Failed while waiting for packerizer: Timeout "
             "waiting for microservice to complete: 'context deadline exceeded'. " + LOG_LOCATION)

#: Which distributor the sample template of a scenario gets (samples.template_for).
SAMPLE_DISTRIBUTE: dict[str, str] = {}


def _s(name: str, summary: str, **kw) -> Scenario:
    return Scenario(name=name, summary=summary, **kw)


_ALL = [
    # ---- successes ---------------------------------------------------------------------------
    _s("success", "Build succeeds and distributes a managed image (about 25 minutes).",
       seed_section="understanding-the-customization-log", expected_category=None,
       outcome="Succeeded", duration_minutes=25),
    _s("success-gallery", "Build succeeds and publishes a gallery image version replicated to two regions.",
       seed_section="understanding-the-customization-log", expected_category=None,
       outcome="Succeeded", duration_minutes=48),
    _s("success-vhd", "Build succeeds and exports a VHD to the staging storage account.",
       seed_section="understanding-the-customization-log", expected_category=None,
       outcome="Succeeded", duration_minutes=31),
    _s("slow-success", "Build succeeds after 95 minutes, longer than a 60-minute hosted CI job.",
       seed_section="operation-was-canceled", expected_category=None,
       outcome="Succeeded", duration_minutes=95),
    # ---- customizer failures -----------------------------------------------------------------
    _s("customizer-failed", "The first inline Shell/PowerShell customizer's last command fails; script exits 1.",
       seed_section="packer-build-command-failure", expected_category="customizer_failed",
       outcome="Failed", last_run_message=PACKER_FAILED, duration_minutes=14, failing_customizer=0),
]

for _name in ("success-gallery",):
    SAMPLE_DISTRIBUTE[_name] = "SharedImage"
SAMPLE_DISTRIBUTE["success-vhd"] = "VHD"

SCENARIOS: dict[str, Scenario] = {s.name: s for s in _ALL}
