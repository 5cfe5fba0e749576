"""Benchmark: `aib-pilot diagnose --format json` against GNU `grep -E -c` with the same patterns.

Generates realistic customization.log files (50 MB and 200 MB by default, cached in bench/out/)
with ``make_big_log.py --layout deep``: the only specific cause (a dpkg lock) sits 10 % of the
log size into a failing last customizer that makes up three quarters of the log (20 MB into 150 MB
at 200 MB), and an earlier customizer that exited 0 hit a full disk. grep reads every byte with
every pattern; so does aib-pilot.

Each size runs both tools several times, interleaved, and prints the median wall time, CPU time,
their ratio and each process's peak RSS (from wait4's rusage, per child). It also checks the
answer: the lock is the top finding, on its planted line inside the failing section, the full disk
is a secondary finding, and the pure-Python engine (``AIB_PILOT_ENGINE=python``) gives the same
answer. Targets: wall-time ratio <= 1.0, peak RSS <= 100 MB and flat between the two sizes.

    .venv/bin/python bench/run_bench.py [--sizes 50 200] [--runs 7] [--baseline DIR]

``--baseline DIR`` also runs the ``src`` directory of another checkout (for instance an earlier
commit: ``git worktree add /tmp/before HEAD~3``, then ``--baseline /tmp/before/src``), interleaved
with the two others, and prints its ratio too: a before/after measured under the same load.

The pattern set given to grep is the rule catalogue's and the scanner's structure patterns
translated to POSIX ERE (``bench/grep_patterns.py``: look-arounds dropped, case-insensitive
patterns searched case-sensitively, which only makes grep's job easier).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")
PYTHON = sys.executable


def measure(argv: list[str], env: dict) -> tuple[float, float, float, int]:
    """(wall seconds, cpu seconds, peak RSS MB, exit code) of one child process."""
    # stdout is a pipe that is read, never /dev/null: GNU grep notices output to /dev/null and stops
    # at its first match (as -q would), which would skip most of the file the diagnosis reads.
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    proc.stdout.read()
    proc.stdout.close()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, proc.returncode


def ensure_log(mb: int) -> str:
    path = os.path.join(OUT, f"customization-deep-{mb}mb.log")
    if not os.path.exists(path):
        subprocess.run([PYTHON, os.path.join(HERE, "make_big_log.py"), path, "--mb", str(mb), "--layout", "deep"],
                       check=True)
    return path


def answer(log: str, env: dict) -> tuple:
    """(category, top rule, its first evidence line, the failing section's lines, secondary rules)."""
    out = subprocess.run([PYTHON, "-m", "aib_pilot", "diagnose", log, "--format", "json"], env=env,
                         capture_output=True, text=True).stdout
    d = json.loads(out.strip().splitlines()[-1])
    top = d["findings"][0]
    sec = d["failing_section"]
    return (d["category"], top["rule"], top["evidence"][0]["line"], (sec["start_line"], sec["end_line"]),
            sorted(f["rule"] for f in d["findings"] if f.get("secondary")), d.get("engine"))


def planted_line(log: str) -> int:
    with open(log, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if b"Could not get lock" in line:
                return n
    raise AssertionError("no planted cause")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", metavar="DIR", help="the src directory of another checkout, measured alongside")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    sys.path.insert(0, os.path.join(ROOT, "src"))
    sys.path.insert(0, HERE)
    from grep_patterns import all_patterns, rule_patterns_for_grep

    patterns = os.path.join(OUT, "patterns.ere")
    with open(patterns, "w", encoding="utf-8") as fh:
        fh.write("\n".join(rule_patterns_for_grep(all_patterns())) + "\n")
    env = dict(os.environ, LC_ALL="C")
    # Measured as shipped: an installed package has its bytecode compiled (pip does it, and so does
    # the Dockerfile), while an editable checkout under PYTHONDONTWRITEBYTECODE recompiles every
    # module on every start. Compile it once, as an install would.
    import aib_pilot
    for tree in [os.path.dirname(aib_pilot.__file__)] + ([args.baseline] if args.baseline else []):
        subprocess.run([PYTHON, "-m", "compileall", "-q", tree], check=True, stdout=subprocess.DEVNULL)
    base_env = dict(env, PYTHONPATH=os.path.abspath(args.baseline)) if args.baseline else None
    rows = []
    for mb in args.sizes:
        log = ensure_log(mb)
        ours_cmd = [PYTHON, "-m", "aib_pilot", "diagnose", log, "--format", "json"]
        grep_cmd = ["grep", "-E", "-c", "-f", patterns, log]
        ours, ref, before = [], [], []
        measure(ours_cmd, env), measure(grep_cmd, env)  # warm-up: the file in the page cache for both
        if base_env:
            measure(ours_cmd, base_env)
        for _ in range(args.runs):  # interleaved so all see the same machine load
            ours.append(measure(ours_cmd, env))
            ref.append(measure(grep_cmd, env))
            if base_env:
                before.append(measure(ours_cmd, base_env))
        codes = {r[3] for r in ours}
        assert codes == {1}, f"aib-pilot should diagnose the failure (exit 1), got {codes}"
        fast = answer(log, env)
        slow = answer(log, dict(env, AIB_PILOT_ENGINE="python"))
        line = planted_line(log)
        assert fast[:3] == ("package_manager_locked", "AIB211", line), fast
        assert fast[3][0] < line <= fast[3][1] and "AIB207" in fast[4], fast
        assert fast[:5] == slow[:5] and (fast[5], slow[5]) == ("hyperscan", "python"), (fast, slow)
        print(f"{mb} MB: top finding AIB211 at line {line} of failing section {fast[3]}; secondary {fast[4]}; "
              f"same answer from both engines")
        row = {
            "size_mb": os.path.getsize(log) / 1e6,
            "ours_wall": statistics.median(r[0] for r in ours), "grep_wall": statistics.median(r[0] for r in ref),
            "ours_cpu": statistics.median(r[1] for r in ours), "grep_cpu": statistics.median(r[1] for r in ref),
            "ours_rss": max(r[2] for r in ours), "grep_rss": max(r[2] for r in ref),
        }
        row["wall_ratio"] = row["ours_wall"] / row["grep_wall"]
        row["cpu_ratio"] = row["ours_cpu"] / row["grep_cpu"]
        if before:
            row["base_wall"] = statistics.median(r[0] for r in before)
            row["base_ratio"] = row["base_wall"] / row["grep_wall"]
            row["base_cpu_ratio"] = statistics.median(r[1] for r in before) / row["grep_cpu"]
        rows.append(row)
    print(f"{'log':>9} {'aib-pilot':>10} {'grep -E -c':>10} {'ratio':>6} {'cpu ratio':>9} {'peak RSS':>9} {'grep RSS':>9}"
          + (f" {'baseline':>9} {'ratio':>6} {'cpu ratio':>9}" if args.baseline else ""))
    for r in rows:
        print(f"{r['size_mb']:>7.1f}MB {r['ours_wall']:>9.2f}s {r['grep_wall']:>9.2f}s {r['wall_ratio']:>6.2f} "
              f"{r['cpu_ratio']:>9.2f} {r['ours_rss']:>7.1f}MB {r['grep_rss']:>7.1f}MB"
              + (f" {r['base_wall']:>8.2f}s {r['base_ratio']:>6.2f} {r['base_cpu_ratio']:>9.2f}" if args.baseline else ""))
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    worst = max(r["wall_ratio"] for r in rows)
    rss = [r["ours_rss"] for r in rows]
    print(f"median of {args.runs} runs each; worst wall-time ratio {worst:.2f} (target <= 1.0); "
          f"peak RSS {max(rss):.1f} MB (target <= 100), growth {rss[-1] - rss[0]:+.1f} MB "
          f"from {rows[0]['size_mb']:.0f} MB to {rows[-1]['size_mb']:.0f} MB")
    return 0 if worst <= 1.0 and max(rss) <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
