"""Benchmark: how long `aib-pilot` takes to start, above the interpreter's own start.

A CI step that only lints or diagnoses a log should not pay for the Azure SDKs it does not use.
Each command runs --runs times, interleaved with the reference `python -c pass` measured in the
same run on the same interpreter; the script prints each median wall time, the time above the
reference and its ratio, and exits 1 when a command is over its target:

    aib-pilot --version                        <= 0.15 s above `python -c pass`
    aib-pilot diagnose <small log> -f json     <= 0.25 s above `python -c pass`
    aib-pilot lint <template>                  (reported, no target)

    .venv/bin/python bench/startup.py [--runs 11]

The `aib-pilot` measured is the console script next to this interpreter (what `pip install`
puts on PATH), started as a user's shell would start it.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / "examples" / "logs" / "linux-customizer-failed.log"
TEMPLATE = ROOT / "examples" / "logs" / "linux-template.json"


def wall(argv: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "aib-pilot"
    if not script.exists():
        sys.exit(f"startup: {script} is missing; install the package into this interpreter's venv "
                 "(./dev.sh setup) and run this with .venv/bin/python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "TF_BUILD", "AIB_PILOT_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"   # compiled files are already there; measure only starting
    cases = {
        "aib-pilot --version": ([str(script), "--version"], 0.15),
        f"aib-pilot diagnose {LOG.name} -f json": ([str(script), "diagnose", str(LOG), "--template", str(TEMPLATE),
                                                    "-f", "json"], 0.25),
        f"aib-pilot lint {TEMPLATE.name}": ([str(script), "lint", str(TEMPLATE), "-f", "json"], None),
    }
    reference_argv = [sys.executable, "-c", "pass"]
    for argv, _ in cases.values():    # warm the file cache and the compiled modules
        wall(argv, env)
    times: dict[str, list[float]] = {name: [] for name in cases}
    reference: list[float] = []
    for _ in range(args.runs):
        reference.append(wall(reference_argv, env))
        for name, (argv, _) in cases.items():
            times[name].append(wall(argv, env))
    ref = statistics.median(reference)
    print(f"reference `python -c pass` ({sys.version.split()[0]}): median {ref:.3f} s over {args.runs} runs")
    over = 0
    for name, (argv, target) in cases.items():
        median = statistics.median(times[name])
        above = median - ref
        verdict = "" if target is None else (f"  target <= {target:.2f} s: " + ("ok" if above <= target else "OVER"))
        over += target is not None and above > target
        print(f"{name:<58} median {median:.3f} s  above reference {above:.3f} s  ratio {median / ref:5.1f}x{verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
