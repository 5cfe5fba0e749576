"""Benchmark: how fast a failed build is explained, with 100 ms added to every Azure request.

Target: Failed -> diagnosis printed in <= 5 s with 100 ms latency per request.

Starts the local emulator (tests/emulator: ARM, Entra ID and Azurite behind TLS), then for each
run submits the ``customizer-failed`` scenario and measures two things with the real CLI in a
subprocess, through the real SDK clients:

* **live**: a monitor already following the build (``--poll-interval 0.2``). The clock starts when
  the emulator flips the run to Failed (watched in-process every 2 ms) and stops when the result
  line carrying the diagnosis arrives on the monitor's stdout. It covers the wait for the next
  poll, the final log read, listing run outputs, the diagnosis and printing.
* **cold**: the run is already Failed when a new monitor process starts (a resumed job): from
  process start to the diagnosis on stdout, interpreter start-up and sign-in included.

Each is measured with the requested latency and with 0 ms (the reference, measured in the same
run, interleaved), several runs each; medians are printed as ratios against the 5 s target and
against the reference.

    .venv/bin/python bench/flow_latency.py [--runs 5] [--latency-ms 100] [--speed 150]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 5.0
SCENARIO = "customizer-failed"


def _cli(emu, argv: list[str]) -> subprocess.Popen:
    from tests.flow.conftest import cli_env

    return subprocess.Popen([sys.executable, "-m", "aib_pilot", *argv], env=cli_env(emu), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _submit(emu, template: Path, logs: Path) -> str:
    proc = _cli(emu, ["submit", "--template", str(template), "-g", emu.info["resource_group"],
                      "--log-dir", str(logs), "--format", "json"])
    out, err = proc.communicate(timeout=60)
    if proc.returncode != 0:
        raise SystemExit(f"submit failed:\n{err}")
    return json.loads(out.strip().splitlines()[-1])["template_name"]


def _diagnosis_time(proc: subprocess.Popen) -> float | None:
    """Wall time (time.time) at which the result line with a diagnosis reached stdout."""
    seen = None
    for line in proc.stdout:
        if seen is None and line.startswith("{") and '"diagnosis"' in line:
            if (json.loads(line).get("diagnosis") or {}).get("category"):
                seen = time.time()
    proc.wait(timeout=60)
    return seen


def _failed_at(emu, rg: str, name: str, box: dict, stop: threading.Event) -> None:
    while not stop.is_set():
        tpl = emu.template(rg, name)
        if tpl is not None and tpl.run is not None and tpl.run.state == "Failed":
            box["at"] = time.time()
            return
        time.sleep(0.002)


def one_run(emu, work: Path, latency: float, mode: str, index: int) -> float:
    from tests.flow.conftest import sample_template

    emu.reset()
    rg = emu.info["resource_group"]
    run_dir = work / f"{mode}-{int(latency * 1000)}-{index}"
    run_dir.mkdir()
    template, _ = sample_template(run_dir, SCENARIO)
    logs = run_dir / "logs"
    name = _submit(emu, template, logs)
    monitor = ["monitor", "-g", rg, "-n", name, "--log-dir", str(logs), "--template", str(template),
               "--poll-interval", "0.2", "--format", "json"]
    if mode == "cold":
        if not emu.wait_until(lambda: emu.template(rg, name).run.state == "Failed", timeout=120):
            raise SystemExit("the scenario did not fail in time")
        emu.faults.add_latency(latency)
        started = time.time()
        printed = _diagnosis_time(_cli(emu, monitor))
        begin = started
    else:
        emu.faults.add_latency(latency)
        box: dict = {}
        stop = threading.Event()
        watcher = threading.Thread(target=_failed_at, args=(emu, rg, name, box, stop), daemon=True)
        watcher.start()
        proc = _cli(emu, monitor)
        printed = _diagnosis_time(proc)
        stop.set()
        watcher.join()
        begin = box.get("at")
    if printed is None or begin is None:
        raise SystemExit(f"{mode} run {index}: no diagnosis printed (or the run never failed)")
    return printed - begin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/flow_latency.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--speed", type=float, default=150.0,
                        help="emulator speed; at 150 the scenario's 14 simulated minutes take about 6 s, "
                        "so the live monitor is polling before the run fails")
    args = parser.parse_args(argv)

    from tests.emulator import Emulator

    latency = args.latency_ms / 1000.0
    samples: dict[tuple[str, float], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="aib-bench-") as tmp, Emulator(speed=args.speed) as emu:
        for index in range(args.runs):
            for mode in ("live", "cold"):
                for lat in (0.0, latency):  # interleaved, so drift hits both alike
                    seconds = one_run(emu, Path(tmp), lat, mode, index)
                    samples.setdefault((mode, lat), []).append(seconds)
                    print(f"  run {index + 1} {mode:4} {lat * 1000:5.0f} ms: {seconds:.3f} s", file=sys.stderr)

    print(f"Failed -> diagnosis printed, scenario {SCENARIO}, median of {args.runs} runs "
          f"({os.cpu_count()} CPUs, emulator speed {args.speed:g})")
    print(f"{'mode':6} {'latency':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'vs 5 s target':>14} {'vs 0 ms':>8}")
    for mode in ("live", "cold"):
        reference = statistics.median(samples[(mode, 0.0)])
        for lat in (0.0, latency):
            values = samples[(mode, lat)]
            median = statistics.median(values)
            print(f"{mode:6} {lat * 1000:6.0f}ms {median:9.3f} {min(values):7.3f} {max(values):7.3f} "
                  f"{median / TARGET_SECONDS:13.2f}x {median / reference:7.2f}x")
    print("live: a monitor already polling (0.2 s start interval); cold: a new monitor process for a run "
          "that already failed (start-up and sign-in included). Ratio < 1 vs target = within target.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
