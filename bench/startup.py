"""Benchmark: how long `aib-pilot` takes to start, above the interpreter's own start.

A CI step that only lints or diagnoses a log should not pay for the Azure SDKs it does not use.
Each command runs --runs times, interleaved with the reference `python -c pass` measured in the
same run on the same interpreter; the script prints each median wall time and CPU time (user +
system: steadier than wall time on a shared machine), the time above the reference and its
ratio, and exits 1 when a command is over its target:

    aib-pilot --version                        <= 0.15 s above `python -c pass`
    aib-pilot --help                           (reported, no target)
    aib-pilot diagnose <small log> -f json     <= 0.08 s in all (interpreter included), quiet machine
    aib-pilot lint <template>                  (reported, no target)

The load average is printed with the figures: on a busy machine every figure grows, the
reference too, so compare ratios measured in the same run.

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


def wall(argv: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


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
    # (argv, target above the reference, target in all)
    cases = {
        "aib-pilot --version": ([str(script), "--version"], 0.15, None),
        "aib-pilot --help": ([str(script), "--help"], None, None),
        f"aib-pilot diagnose {LOG.name} -f json": ([str(script), "diagnose", str(LOG), "--template", str(TEMPLATE),
                                                    "-f", "json"], None, 0.08),
        f"aib-pilot lint {TEMPLATE.name}": ([str(script), "lint", str(TEMPLATE), "-f", "json"], None, None),
    }
    reference_argv = [sys.executable, "-c", "pass"]
    for argv, _, _ in cases.values():    # warm the file cache, the compiled modules, the pattern cache
        wall(argv, env)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
    reference: list[tuple[float, float]] = []
    for _ in range(args.runs):
        reference.append(wall(reference_argv, env))
        for name, (argv, _, _) in cases.items():
            times[name].append(wall(argv, env))
    ref = statistics.median(w for w, _ in reference)
    ref_cpu = statistics.median(c for _, c in reference)
    print(f"reference `python -c pass` ({sys.version.split()[0]}): median {ref:.3f} s, CPU {ref_cpu:.3f} s "
          f"over {args.runs} runs; load average {os.getloadavg()[0]:.2f}")
    over = 0
    for name, (argv, above_target, total_target) in cases.items():
        median = statistics.median(w for w, _ in times[name])
        cpu = statistics.median(c for _, c in times[name])
        above = median - ref
        verdict = ""
        if above_target is not None:
            verdict = f"  target <= {above_target:.2f} s above: " + ("ok" if above <= above_target else "OVER")
            over += above > above_target
        if total_target is not None:
            verdict = f"  target <= {total_target:.2f} s in all: " + ("ok" if median <= total_target else "OVER")
            over += median > total_target
        print(f"{name:<48} median {median:.3f} s  CPU {cpu:.3f} s  above reference {above:.3f} s  "
              f"ratio {median / ref:4.1f}x{verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
