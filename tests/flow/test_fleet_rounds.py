"""A fleet's poll round: templates polled concurrently, lines printed in order, throttling shared."""

from __future__ import annotations

import re

import pytest

from tests.emulator_tests.helpers import aib_client, template_body
from tests.flow.conftest import FAST, run_cli

TERMINAL = ("Succeeded", "Failed", "PartiallySucceeded", "Canceled")


def _create(emulator, rg: str, names: list[str], *, scenario=lambda i: "success", minutes: int = 30) -> None:
    """Templates that start their build on creation (autoRun), as a nightly fleet does."""
    client = aib_client(emulator)
    for i, name in enumerate(names):
        body = template_body(emulator, scenario(i), autoRun={"state": "Enabled"})
        body["tags"]["aib-emulator-duration-minutes"] = str(minutes)
        client.virtual_machine_image_templates.begin_create_or_update(rg, name, body)


def _ended(emulator, rg: str, names: list[str]) -> bool:
    records = [emulator.template(rg, n) for n in names]
    return all(r is not None and r.run is not None and r.run.state in TERMINAL for r in records)


def test_templates_that_ended_are_finished_side_by_side_and_said_in_order(emulator, rg, tmp_path):
    """Each ended run's log is read to its end (with a settle re-read) before its line: in a fleet
    these reads overlap instead of queuing, and the lines still come in the order asked for."""
    emulator.set_speed(3000)
    names = ["fleet-c", "fleet-a", "fleet-d", "fleet-b"]  # not sorted: the order is the command's
    _create(emulator, rg, names, scenario=lambda i: "customizer-failed" if i == 1 else "success")
    assert emulator.wait_until(lambda: _ended(emulator, rg, names), timeout=60)
    folders = {n: emulator.template(rg, n).run.log_folder for n in names}
    emulator.faults.add_latency(0.3, service="blob")  # storage as slow as a far region
    mark = len(emulator.journal)
    argv = [a for n in names for a in ("-n", n)]
    r = run_cli(emulator, "monitor", *argv, "-g", rg, "--log-dir", str(tmp_path / "logs"), *FAST,
                "--format", "text", "--live-log", "off")
    assert r.code == 1, r.stderr[-3000:]
    said = [m.group(1) for m in re.finditer(r"^(fleet-\w): (?:Succeeded|Failed)\b", r.stdout, re.M)]
    assert said == names, r.stdout
    blob = [e for e in emulator.journal.entries()[mark:] if e.service == "blob"]
    spans = {}
    for name, folder in folders.items():
        times = [e.at for e in blob if folder in e.path]
        assert len(times) >= 2, (name, "its log was read to the end")
        spans[name] = (min(times), max(times))
    # side by side: every template's log reads began before any template's reads were over (read
    # one after another, each span would end before the next began)
    assert max(first for first, _ in spans.values()) < min(last for _, last in spans.values()), spans


@pytest.mark.waits
def test_a_429_holds_every_request_of_the_round_until_retry_after(emulator, rg, tmp_path):
    """ARM answers a request sent before Retry-After has passed with another 429: once one
    template's read is throttled, the reads the pool starts after it wait for Retry-After too."""
    emulator.set_speed(60)
    names = [f"fleet-{i:02d}" for i in range(24)]  # three waves of the pool's 8 threads
    _create(emulator, rg, names, minutes=600)
    assert emulator.wait_until(lambda: all((emulator.template(rg, n) or _NoRun).run for n in names), timeout=60)
    latency, retry_after = 0.5, 3
    emulator.faults.add_latency(latency, service="arm")
    emulator.faults.throttle(count=1, retry_after=retry_after, method="GET", path=f"/imageTemplates/{names[0]}$")
    mark = len(emulator.journal)
    argv = [a for n in names for a in ("-n", n)]
    r = run_cli(emulator, "monitor", *argv, "-g", rg, "--log-dir", str(tmp_path / "logs"), *FAST,
                "--format", "json", "--budget", "0.2")
    assert r.code == 0, r.stderr[-3000:]
    assert [x["state"] for x in r.json["results"]] == ["Running"] * len(names)
    arm = [e for e in emulator.journal.entries()[mark:] if e.service == "arm" and e.method == "GET"]
    throttled = [e for e in arm if e.status == 429]
    assert len(throttled) == 1, "no request went out early to be throttled again"
    at = throttled[0].at
    # Reads already sent when the 429 came are answered within about one latency of it; the third
    # wave (sent a latency later) would be answered at +2 latencies without the hold. With it,
    # nothing is answered until Retry-After has passed.
    quiet = [e for e in arm if at + latency + 0.3 < e.at < at + retry_after - 0.1]
    assert quiet == [], [(e.path.rsplit("/", 1)[-1], round(e.at - at, 2)) for e in quiet]
    held = {e.path.rsplit("/", 1)[-1] for e in arm if e.status == 200 and at + retry_after <= e.at < at + retry_after + 2}
    assert names[0] in held and len(held) >= 8, sorted(held)


class _NoRun:
    run = None
