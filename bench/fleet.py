"""Benchmark: `aib-pilot monitor --all` over a nightly fleet of image templates in the emulator.

Creates N templates (default 200; 70 % succeed, 30 % fail in a customizer, builds of different
lengths) tagged ``fleet=bench``, each starting its build on creation, then runs one
``aib-pilot monitor --all --tag fleet=bench`` process until every build ended and prints:

* ARM reads per poll (GET requests to ARM while the monitor ran / polls, where a poll is one round
  over the fleet: the largest number of GETs any one template received); the fleet's creation is
  waited for first, so the SDK's polling of it is not counted as the monitor's;
* peak memory (max RSS) and CPU time of the monitor process, and per watched template: the fleet
  run minus a reference run watching one template, measured in the same run, divided by N - 1;
* the time from a run's end (the emulator's terminal runState, seen by a watcher polling the
  emulator's state every 20 ms) to its line (``<name>: Succeeded|Failed``) on the monitor's output:
  median, 95th percentile and maximum.

    .venv/bin/python bench/fleet.py [--templates 200] [--poll-interval 5] [--speed 120]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator import Emulator  # noqa: E402  (the repository root is on the path first)
from tests.emulator_tests.helpers import aib_client, template_body  # noqa: E402

TERMINAL = {"Succeeded", "Failed", "PartiallySucceeded", "Canceled"}


def create_fleet(emu, count: int, prefix: str) -> list[str]:
    client = aib_client(emu)
    rg = emu.info["resource_group"]
    names = [f"{prefix}-{i:03d}" for i in range(count)]

    def one(i_name):
        i, name = i_name
        body = template_body(emu, "customizer-failed" if i % 10 < 3 else "success", autoRun={"state": "Enabled"})
        body["tags"].update({"fleet": prefix, "aib-emulator-duration-minutes": str(30 + (i * 7) % 60)})
        # waited for: the SDK polls a creation in the background, and those reads are not the monitor's
        client.virtual_machine_image_templates.begin_create_or_update(rg, name, body).result()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, enumerate(names)))
    return names


def watch_ends(emu, names: list[str], ended: dict, stop: threading.Event) -> None:
    rg = emu.info["resource_group"]
    while not stop.is_set() and len(ended) < len(names):
        now = time.monotonic()
        for name in names:
            if name not in ended:
                record = emu.template(rg, name)
                if record is not None and record.run is not None and record.run.state in TERMINAL:
                    ended[name] = now
        time.sleep(0.02)


def monitor(emu, tag: str, log_dir: str, poll: float, budget_minutes: float, names: list[str]) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TF_BUILD", "AIB_PILOT_", "AZURE_"))}
    env.update(emu.cli_env())
    argv = [sys.executable, "-m", "aib_pilot", "monitor", "--all", "--tag", f"fleet={tag}", "-g",
            emu.info["resource_group"], "--log-dir", log_dir, "--poll-interval", str(poll),
            "--budget", str(budget_minutes), "--format", "text", "--live-log", "off"]
    ended: dict[str, float] = {}
    shown: dict[str, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=watch_ends, args=(emu, names, ended, stop), daemon=True)
    line_rx = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r"): (Succeeded|Failed|PartiallySucceeded|Canceled)\b")
    reads_before = emu.journal.count(service="arm", method="GET")
    started = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    watcher.start()
    for line in proc.stdout:
        match = line_rx.search(line)
        if match and match.group(1) not in shown:
            shown[match.group(1)] = time.monotonic()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    watcher.join()
    entries = emu.journal.entries(service="arm", method="GET")[reads_before:]
    per_template = {n: sum(1 for e in entries if e.path.rstrip("/").lower().endswith("/" + n.lower())) for n in names}
    polls = max(per_template.values()) if per_template else 0
    lags = [shown[n] - ended[n] for n in names if n in shown and n in ended]
    return {"exit": proc.returncode, "seconds": time.monotonic() - started, "reads": len(entries), "polls": polls,
            "rss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime, "lags": lags,
            "missing": [n for n in names if n not in shown]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--templates", type=int, default=200)
    parser.add_argument("--poll-interval", type=float, default=5.0)
    parser.add_argument("--speed", type=float, default=120.0, help="simulated seconds per real second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aib-bench-fleet-") as tmp, \
            Emulator(speed=args.speed, accounts=args.templates + 2) as emu:
        one = create_fleet(emu, 1, "reference")
        reference = monitor(emu, "reference", f"{tmp}/ref", args.poll_interval, 30, one)
        emu.journal.clear()
        names = create_fleet(emu, args.templates, "bench")
        fleet = monitor(emu, "bench", f"{tmp}/fleet", args.poll_interval, 30, names)
    n = args.templates
    print(f"fleet of {n} templates, speed {args.speed:g}, poll interval {args.poll_interval:g} s "
          f"(exit {fleet['exit']}, {fleet['seconds']:.0f} s)")
    print(f"ARM reads: {fleet['reads']} in {fleet['polls']} polls = {fleet['reads'] / max(1, fleet['polls']):.1f} per poll "
          f"({fleet['reads'] / max(1, fleet['polls']) / n:.2f} per template per poll)")
    print(f"monitor process: peak RSS {fleet['rss_mb']:.1f} MB, CPU {fleet['cpu']:.1f} s; reference (1 template): "
          f"{reference['rss_mb']:.1f} MB, {reference['cpu']:.1f} s")
    print(f"per watched template: {(fleet['rss_mb'] - reference['rss_mb']) * 1024 / (n - 1):.0f} kB memory, "
          f"{(fleet['cpu'] - reference['cpu']) * 1000 / (n - 1):.0f} ms CPU over the whole build "
          f"(ratio fleet/reference: memory {fleet['rss_mb'] / reference['rss_mb']:.2f}x, CPU {fleet['cpu'] / max(reference['cpu'], 1e-3):.1f}x)")
    lags = sorted(fleet["lags"])
    if lags:
        p95 = lags[min(len(lags) - 1, int(0.95 * len(lags)))]
        print(f"run end -> its line in the fleet output: median {statistics.median(lags):.2f} s, p95 {p95:.2f} s, "
              f"max {lags[-1]:.2f} s over {len(lags)} runs (poll interval {args.poll_interval:g} s)")
    if fleet["missing"]:
        print(f"no result line for {len(fleet['missing'])} templates: {fleet['missing'][:5]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
