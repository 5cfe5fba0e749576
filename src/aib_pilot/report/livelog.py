"""Which lines of the live customization.log a person sees while a build runs.

AIB runs Packer with its debug log on, so customization.log interleaves two streams:

* Packer's **UI output** -- what ``packer build`` shows anyone: phase markers
  (``==> azure-arm: Deploying deployment template ...``), the customizers' own output
  (``    azure-arm: Setting up nginx ...``), errors and the closing summary;
* Packer's **debug log** -- lines stamped ``YYYY/MM/DD hh:mm:ss`` (often twice, the second time
  behind ``packer: `` or ``packer-provisioner-shell: ``): every ARM request and response, plugin
  discovery, RPC chatter, byte counts, SSH handshakes, operationStatuses polling.

Modes (``make_sink(..., live_log=...)``, else env ``AIB_PILOT_LIVE_LOG``, else ``filtered``):

``filtered``
    Strip the ``[<operationId>] PACKER OUT|ERR`` prefix and the nested ``<date> packer: <date>``
    prefixes; keep the UI output and every debug line that is not known chatter (so errors,
    warnings, panics, retries and exit codes stay); drop empty lines. Telemetry markers: a
    ``(telemetry) Starting provisioner X`` inside a live-tail group is already the group's title
    and is dropped; ``ending X`` and ``Finalizing.`` stay as short lines.
``full``
    Every line as written (the behaviour before curation).
``off``
    No live log at all (progress, transitions and the result are still printed).

The full log is saved to disk by the monitor whatever the mode. Selection only chooses lines:
everything kept is still cleaned and redacted by the sink (report/safety.py), so the hostile-text
guarantees hold in every mode.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from aib_pilot.errors import UsageError

LIVE_LOG_MODES = ("filtered", "full", "off")
LIVE_LOG_ENV = "AIB_PILOT_LIVE_LOG"
DEFAULT_MODE = "filtered"

# Debug-log lines (those behind a ``YYYY/MM/DD hh:mm:ss`` stamp) that are never worth reading live,
# by how their text starts once the prefixes are stripped.
DEBUG_CHATTER = (
    "Azure request ",                       # every ARM call ...
    "Azure response status=2",              # ... and its 2xx answer (errors stay)
    "[DEBUG]",                              # SSH/WinRM handshakes and reconnects
    "[INFO] PACKER_CONFIG", "[WARN] Config file doesn't exist", "[INFO] Setting cache directory",
    "[INFO] found external [", "Loading plugin config", "[INFO] Packer version",
    "waiting for all plugin processes",
    "Build debug mode:", "Force build:", "On error:", "Waiting on builds to complete",
    "Starting build run:", "Running builder:", "[INFO] Getting tokens using",
    "[INFO] starting remote command:", "[INFO] Opening ", "Uploading file to ",
    "Uploading env vars to ", "[INFO] upload: ", "machine readable:",
    "[INFO] Attempting SSH connection", "[INFO] Waiting for deletion of ",
    "==> ", "--> ",                         # the debug log's copy of a UI line
)
# Debug-log chatter recognised by a fragment anywhere in the text.
# (RPC lines also come behind a 'packer-builder-azure-arm plugin: ' prefix without a second date.)
DEBUG_CHATTER_INSIDE = (" bytes written for '", "plugin process exited", "/operationStatuses/",
                        "RPC client: ", "RPC endpoint: ", "RPC server: ")
# Lines of either stream that carry nothing.
ANY_CHATTER = ("Done exporting Packer logs",)
TELEMETRY = "(telemetry) "


def live_log_mode(value: str | None, env: Mapping[str, str] | None = None) -> str:
    """The mode to use: ``value`` if given, else ``$AIB_PILOT_LIVE_LOG``, else ``filtered``."""
    origin = "live_log"
    if value is None:
        value = (env or {}).get(LIVE_LOG_ENV) or None
        origin = LIVE_LOG_ENV
    if value is None:
        return DEFAULT_MODE
    mode = str(value).strip().lower()
    if mode not in LIVE_LOG_MODES:
        shown = str(value)[:40]
        raise UsageError(f"{origin}={shown!r} is not a live-log mode.",
                         hint=f"Use one of: {', '.join(LIVE_LOG_MODES)} (default {DEFAULT_MODE}).")
    return mode


def curate(lines: Iterable[str], *, in_group: bool = False) -> list[str]:
    """The readable subset of raw customization.log lines, prefixes stripped (still untrusted).

    ``in_group``: a live-tail group is open, so its title already names the provisioner and a
    ``(telemetry) Starting provisioner`` line would only repeat it.
    """
    # The diagnosis engine's parser of the customization.log prefixes (``[opid] PACKER OUT|ERR
    # <date> packer: <date>``); it always matches (every part is optional), possibly the empty
    # string. Imported here: loading the diagnosis package is the largest part of start-up, and
    # commands that never show a live log (--version, --help) should not pay for it.
    from aib_pilot.diagnosis.text import LOG_PREFIX

    kept: list[str] = []
    match = LOG_PREFIX.match
    for line in lines:
        if line is None:
            continue
        line = str(line)
        end = match(line).end()
        text = line[end:].rstrip()
        if not text:  # empty, or only whitespace (rstrip)
            continue
        # The debug log is the only stream whose prefix holds a 'YYYY/MM/DD' stamp.
        if end and line.find("/", 0, end) >= 0:
            if (text.startswith(DEBUG_CHATTER) or any(part in text for part in DEBUG_CHATTER_INSIDE)
                    or text.endswith(" exited with code: 0")):  # a failing exit code stays
                continue
        if TELEMETRY in text:
            marker = text[text.index(TELEMETRY):]
            if marker.startswith("(telemetry) Starting builder") or (
                    in_group and marker.startswith("(telemetry) Starting provisioner")):
                continue
            text = marker
        elif text.endswith("azure-arm:") or text.startswith(ANY_CHATTER):
            continue  # an empty UI line ('==> azure-arm:') or the exporter's closing line
        kept.append(text)
    return kept
