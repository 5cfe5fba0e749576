"""Scenario catalogue and customization.log content for the AIB emulator's build simulator.

Interface (consumed by the emulator; see docs/scenarios.md)::

    from tests.emulator.scenarios import SCENARIOS, Scenario, LogEvent, build_log
    events = build_log(SCENARIOS["customizer-failed"], template=body, operation_id=op,
                       staging_rg="IT_rg_tpl_<guid>", subscription=sub, start=datetime.now(UTC))

Helpers: ``failing_customizer_index(scenario, template)``, ``is_windows(template)``,
``samples.linux_template()/windows_template()/template_for(name, os)``.
"""

from .build import build_log, failing_customizer_index
from .catalogue import LINUX_ONLY, SCENARIOS, WINDOWS_ONLY, sample_os
from .context import PACKER_NAMES, is_windows
from .model import OUTCOMES, SUB_STATES, LogEvent, Scenario

__all__ = ["SCENARIOS", "Scenario", "LogEvent", "build_log", "failing_customizer_index",
           "is_windows", "sample_os", "WINDOWS_ONLY", "LINUX_ONLY", "PACKER_NAMES", "OUTCOMES",
           "SUB_STATES"]
