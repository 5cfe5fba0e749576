"""The scenario table of docs/scenarios.md, generated from the catalogue (a test keeps them equal)."""

from __future__ import annotations

from .catalogue import LINUX_ONLY, SCENARIOS, WINDOWS_ONLY

GUIDE = "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot"


def _how(s) -> str:
    if s.put_error:
        return f"PUT → {s.put_error['status']} `{s.put_error['code']}`"
    if s.provisioning_error:
        return f"provisioningState Failed (`{s.provisioning_error['provisioningErrorCode']}`)"
    flags = [f for f in ("deny_staging_read", "delete_staging_midbuild", "log_absent", "truncate_log",
                         "run_outputs_on_failure") if getattr(s, f)]
    text = f"{s.outcome} after {s.duration_minutes:g} min"
    return text + "".join(f", `{f}`" for f in flags)


def markdown_table() -> str:
    rows = ["| scenario | what it reproduces | how it ends | guide section | expected category |",
            "| --- | --- | --- | --- | --- |"]
    for name, s in SCENARIOS.items():
        os_note = " (Windows)" if name in WINDOWS_ONLY else " (Linux)" if name in LINUX_ONLY else ""
        section = f"[{s.seed_section}]({GUIDE}#{s.seed_section})" if s.seed_section else "beyond the guide"
        category = f"`{s.expected_category}`" if s.expected_category else "— (success)"
        rows.append(f"| `{name}`{os_note} | {s.summary} | {_how(s)} | {section} | {category} |")
    return "\n".join(rows) + "\n"
