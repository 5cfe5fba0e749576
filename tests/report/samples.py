"""Realistic inputs for the report tests: a diagnosis, run results, and hostile log text.

DIAGNOSIS is written as its JSON (what ``--format json`` prints); the report formats take the
typed :class:`Diagnosis`, which :func:`typed` reads from that JSON as a later CI job reads a saved
result. The run results are dicts as the monitor hands them to a sink (diagnosis and timeline
typed); :func:`as_json` is what the json format makes of them.
"""

from __future__ import annotations

import copy
import json

from aib_pilot.diagnosis.result import Diagnosis, TimelineEntry
from aib_pilot.report.facts import redact_deep

SAS_SECRET = "sv2022Q7xSECRETSIGabc%2Fdef%3D"
ACCOUNT_KEY = "SECRETKEYq1w2e3r4t5y6u7i8o9p0asdfghjklzxcvbnm1234567890ABCD=="
JWT = ("eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
       "eyJzdWIiOiJyZXBvOm9yZy9yZXBvOnB1bGxfcmVxdWVzdCJ9.c2lnbmF0dXJlU0VDUkVUc2lnbmF0dXJl")
SECRET_FRAGMENTS = ("SECRETSIG", "SECRETKEY", JWT.split(".")[1], "c2lnbmF0dXJlU0VDUkVU")

HOSTILE_LINES = [
    "::error::pwned",
    "::set-output name=x::y",
    "::add-mask::",
    "::stop-commands::abc",
    "::abc::",
    "   ::warning file=a.json,line=1::pwned-indented",
    "::ERROR::pwned-upper",
    "##[error]x",
    "##[set-output name=pwned;]y",
    "##vso[task.setvariable variable=x]y",
    "##vso[task.complete result=Succeeded;]",
    "foo ##vso[task.setvariable variable=pwned]1",
    "bar ##[add-mask]pwned",
    "###vso[task.setvariable variable=pwned3]1",
    "##VSO[task.setvariable variable=pwnedupper]1",
    "#\u200b#vso[task.setvariable variable=pwnedzw]1",
    "\u200b::error::pwned-zw",
    "\ufeff##[warning]pwned-bom",
    "first\r::error::pwned-cr",
    "first\n##vso[task.setvariable variable=pwnednl]1",
    "x\u2028::error::pwned-ls",
    "\x1b[31m::error::pwned-ansi\x1b[0m",
    # characters a culture-aware (ICU) search skips or equates, as the .NET runner and agent use it
    "#\u0600#vso[task.setvariable variable=pwned0600]1",
    "x #\u06dd#[error]pwned06dd",
    "#\u070f#vso[task.setvariable variable=pwned070f]1",
    "\ufff9::error::pwned-fff9",
    ":\u0601:error::pwned-0601",
    "#\ufffb#vso[task.complete result=Succeeded;]",
    "##\u0640vso[task.setvariable variable=pwnedtatweel]1",
    "\uff03\uff03vso[task.setvariable variable=pwnedwide]1",
    "\uff1a\uff1aerror::pwned-wide",
    "#\u05b0#vso[task.setvariable variable=pwnedhebrew]1",
    "#\u0591#[error]pwned-hebrew-accent",
    "::add-mask::%0A::error::pwned-escaped",
    "##vso[task.setendpoint id=1;field=url]http://evil",
    "##vso[task.uploadfile]/etc/passwd",
    "::endgroup::",
    "::group::pwned-group",
    "```",
    "````` </details> <!-- aib-pilot:other --> @octocat",
    f"GET https://acct.blob.core.windows.net/packerlogs/0f/customization.log?sv=2022-11-02&sig={SAS_SECRET}&se=2030",
    f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={ACCOUNT_KEY};EndpointSuffix=core.windows.net",
    f"Authorization: Bearer {JWT}",
    f"token {JWT}",
]

# The same text as it arrives in a live customization.log: behind the prefixes that the filtered
# live log strips (so a '::' command ends up at the start of the printed line).
_OPID = "[45f485cf-5a8c-4379-9937-8d85493bc791]"
LOG_PREFIXES = (
    f"{_OPID} PACKER OUT ",
    f"{_OPID} PACKER OUT     azure-arm: ",
    f"{_OPID} PACKER ERR ==> azure-arm: ",
    f"{_OPID} PACKER ERR 2026/11/25 21:06:48 packer: 2026/11/25 21:06:48 ",
    f"{_OPID} PACKER ERR 2026/11/25 21:06:48 packer-provisioner-shell: 2026/11/25 21:06:48 [INFO] ",
    f"{_OPID} PACKER ERR 2026/11/25 21:06:48 [INFO] (telemetry) ending ",
)
PREFIXED_HOSTILE_LINES = [prefix + line for prefix in LOG_PREFIXES for line in HOSTILE_LINES]

DIAGNOSIS = {
    "schema": "aib-pilot/diagnosis/v1",
    "source": "customization.log",
    "status": "failed",
    "category": "customizer_failed",
    "phase": "customize",
    "findings": [
        {"rule": "AIB121", "category": "package_manager_locked", "severity": "warning",
         "title": "apt/dpkg lock held by another process",
         "cause": "unattended-upgrades held /var/lib/dpkg/lock-frontend while the script ran apt-get.",
         "fix": "Wait for cloud-init and the apt lock before installing: add "
                "'cloud-init status --wait' at the top of the Shell customizer.",
         "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot",
         "phase": "customize",
         "evidence": [{"line": 1843, "text": "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 2131 (unattended-upgr)"}]},
        {"rule": "AIB101", "category": "customizer_failed", "severity": "error",
         "title": "A Shell customizer exited with a non-zero code",
         "cause": "The script of customizer 'install-nginx' exited with status 100.",
         "fix": "Fix the script (see the last lines below); run it on a VM from the same source image to reproduce.",
         "reference": "https://learn.microsoft.com/azure/virtual-machines/linux/image-builder-troubleshoot#customization-failures",
         "phase": "customize",
         "evidence": [{"line": 1851, "text": "==> azure-arm: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]"}]},
        {"rule": "AIB190", "category": "unknown", "severity": "info",
         "title": "Cleanup could not delete a resource (noise)",
         "cause": "Packer retried a DELETE during cleanup.", "fix": "Nothing to do.",
         "reference": None, "phase": "cleanup", "evidence": []},
    ],
    "failed_customizer": {"provisioner": "shell", "index": 1, "name": "install-nginx", "type": "Shell",
                          "file": "images/ubuntu.json", "line": 41},
    "failing_section": {"kind": "customizer", "name": "install-nginx", "phase": "customize",
                        "start_line": 1790, "end_line": 1852, "exit_code": 100},
    "tail": [
        {"line": 1849, "text": "    azure-arm: Reading package lists..."},
        {"line": 1850, "text": "    azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend"},
        {"line": 1851, "text": "==> azure-arm: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]"},
    ],
    "timeline": [
        {"kind": "phase", "name": "deploy", "phase": "deploy", "start_line": 1, "end_line": 300,
         "start": "2026-11-25T22:00:05Z", "end": "2026-11-25T22:03:40Z", "duration_seconds": 215.0,
         "status": "ok", "exit_code": None},
        {"kind": "phase", "name": "connect", "phase": "connect", "start_line": 301, "end_line": 420,
         "start": "2026-11-25T22:03:40Z", "end": "2026-11-25T22:04:30Z", "duration_seconds": 50.0,
         "status": "ok", "exit_code": None},
        {"kind": "phase", "name": "customize", "phase": "customize", "start_line": 421, "end_line": 1852,
         "start": "2026-11-25T22:04:30Z", "end": "2026-11-25T22:11:02Z", "duration_seconds": 392.0,
         "status": "failed", "exit_code": 100},
        {"kind": "customizer", "name": "update-packages", "phase": "customize", "start_line": 430,
         "end_line": 1789, "start": "2026-11-25T22:04:31Z", "end": "2026-11-25T22:10:12Z",
         "duration_seconds": 341.0, "status": "ok", "exit_code": 0},
        {"kind": "customizer", "name": "install-nginx", "phase": "customize", "start_line": 1790,
         "end_line": 1852, "start": "2026-11-25T22:10:12Z", "end": "2026-11-25T22:11:02Z",
         "duration_seconds": 50.0, "status": "failed", "exit_code": 100},
        {"kind": "phase", "name": "cleanup", "phase": "cleanup", "start_line": 1853, "end_line": 1900,
         "start": None, "end": None, "duration_seconds": 95.0, "status": "ok", "exit_code": None},
    ],
    "lines_read": 1900,
}

TEMPLATE_ID = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-images/providers/"
               "Microsoft.VirtualMachineImages/imageTemplates/ubuntu-nginx")

BASE_RESULT = {
    "state": "Running", "run_sub_state": None, "template": TEMPLATE_ID, "template_name": "ubuntu-nginx",
    "resource_group": "rg-images", "log_path": "/github/workspace/aib-logs/ubuntu-nginx/customization.log",
    "log_url": "https://stagingacct.blob.core.windows.net/packerlogs/7d1e/customization.log",
    "message": None, "outputs": [], "timeline": [], "diagnosis": None, "resume": None,
    "started": "2026-11-25T22:00:00Z", "ended": None, "elapsed_seconds": 662.0, "published_anyway": None,
}


def result(state: str, **changes) -> dict:
    out = copy.deepcopy(BASE_RESULT)
    out["state"] = state
    out.update(changes)
    return typed_result(out)


def succeeded() -> dict:
    return result("Succeeded", ended="2026-11-25T22:41:10Z", elapsed_seconds=2470.0,
                  outputs=[{"name": "ubuntu-nginx-sig",
                            "artifact_id": "/subscriptions/0000/resourceGroups/rg-images/providers/Microsoft.Compute/"
                                           "galleries/gal/images/ubuntu-nginx/versions/1.0.42",
                            "artifact_uri": None}],
                  timeline=[t for t in copy.deepcopy(DIAGNOSIS["timeline"])])


def failed() -> dict:
    return result("Failed", ended="2026-11-25T22:12:40Z",
                  message="Packer build command has failed: exit status 1. During the image build, a failure "
                          "has occurred. Please review the build log to identify which build/customization step "
                          "failed.",
                  diagnosis=copy.deepcopy(DIAGNOSIS), timeline=copy.deepcopy(DIAGNOSIS["timeline"]))


def running() -> dict:
    return result("Running", run_sub_state="Customizing", elapsed_seconds=3300.0,
                  resume="aib-pilot monitor --resource-group rg-images --name ubuntu-nginx --budget-minutes 55",
                  timeline=copy.deepcopy(DIAGNOSIS["timeline"][:4]))


def canceled() -> dict:
    return result("Canceled", ended="2026-11-25T22:20:00Z", message="The build was canceled by a user.")


def hostile_diagnosis_json() -> dict:
    """The sample diagnosis with hostile text wherever text from the log can appear."""
    diag = copy.deepcopy(DIAGNOSIS)
    evidence = [{"line": 2000 + i, "text": text} for i, text in enumerate(HOSTILE_LINES)]
    diag["findings"][1]["evidence"] = evidence
    diag["tail"] = evidence
    diag["failed_customizer"]["name"] = "::error::pwned-name ##vso[task.setvariable variable=pwnedname]1"
    diag["failing_section"]["name"] = "##[error]pwned-section"
    diag["timeline"][4]["name"] = "evil: ##vso[task.complete result=Succeeded;] ::error::x #; %% `"
    diag["source"] = "##vso[task.setvariable variable=pwnedsource]1"
    return diag


def hostile_diagnosis() -> Diagnosis:
    return typed(hostile_diagnosis_json())


def typed(diag: dict | Diagnosis | None = None) -> Diagnosis:
    """The typed diagnosis of a JSON diagnosis (default: DIAGNOSIS); a Diagnosis as it is."""
    if isinstance(diag, Diagnosis):
        return diag
    return Diagnosis.from_dict(DIAGNOSIS if diag is None else diag)


def timeline(items: list[dict]) -> tuple[TimelineEntry, ...]:
    """Typed timeline entries of JSON ones."""
    return tuple(TimelineEntry.from_dict(item) for item in items)


def typed_result(result: dict) -> dict:
    """A run result as the monitor hands it to a sink: its diagnosis and timeline typed."""
    out = dict(result)
    if isinstance(out.get("diagnosis"), dict):
        out["diagnosis"] = typed(out["diagnosis"])
    out["timeline"] = tuple(item if isinstance(item, TimelineEntry) else TimelineEntry.from_dict(item)
                            for item in out.get("timeline") or ())
    return out


def as_json(value):
    """``value`` as the json format writes it, read back (typed objects become their JSON)."""
    return json.loads(json.dumps(redact_deep(value, scrub=lambda text: text)))


def hostile_failed() -> dict:
    out = failed()
    out["diagnosis"] = hostile_diagnosis()
    out["message"] = "\n".join(HOSTILE_LINES)
    return out
