"""Benchmark: hostile logs take no longer than 2x a plain log of the same size, or stop at once.

Each hostile log has the size of a plain, realistic failed-build log (``make_big_log.py``) and is
diagnosed the same way (``aib-pilot diagnose FILE --format json``); the script prints the wall
time of each against the plain one, measured in the same run (median of ``--runs``):

* ``fake-markers``: every line a ``(telemetry) Starting provisioner`` / ``ending`` marker;
* ``error-words``: every line an error line in Packer's output format (``ERROR:``, ``Error:``,
  ``E:``, ``error:``) with no real cause;
* ``cause-words``: every line a specific cause (a dpkg lock, a full disk, a DNS failure, an
  error record), so the search of a flooded region's middle for specific causes is flooded too;
* ``one-line``: the whole size as one line, a cause at its end;
* ``endless``: an endless stream on standard input (``yes``), which must stop with one line on
  stderr and exit 2 (``AIB_PILOT_MAX_LOG_BYTES`` is set to the plain log's size).

    .venv/bin/python bench/adversarial.py [--mb 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
PYTHON = sys.executable


def write_lines(path: str, size: int, lines: list[bytes]) -> None:
    block = b"".join(line + b"\n" for line in lines) * 2000
    with open(path, "wb") as fh:
        written = 0
        while written < size:
            fh.write(block)
            written += len(block)


def make(kind: str, size: int) -> str:
    path = os.path.join(OUT, f"hostile-{kind}-{size >> 20}mb.log")
    if os.path.exists(path):
        return path
    op = b"[7d1c1f59-0b52-4b1e-9d7a-3a5d2f1c9e01] "
    if kind == "fake-markers":
        write_lines(path, size, [op + b"PACKER ERR 2026/01/01 00:00:00 [INFO] (telemetry) Starting provisioner shell",
                                 op + b"PACKER OUT     azure-arm: error: nothing really failed here",
                                 op + b"PACKER ERR 2026/01/01 00:00:01 [INFO] (telemetry) ending shell"])
    elif kind == "error-words":
        write_lines(path, size, [op + b"PACKER OUT ==> azure-arm: ERROR: step 12 reported a problem",
                                 op + b"PACKER OUT     azure-arm: Error: value out of range",
                                 op + b"PACKER OUT     azure-arm: E: something went wrong",
                                 op + b"PACKER OUT     azure-arm: error: the compiler said no"])
    elif kind == "cause-words":
        write_lines(path, size, [op + b"PACKER OUT     azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. "
                                      b"It is held by process 1406 (unattended-upgr)",
                                 op + b"PACKER OUT     azure-arm: tar: usr/share/doc/x.gz: Cannot write: No space left on device",
                                 op + b"PACKER OUT     azure-arm: W: Failed to fetch http://azure.archive.ubuntu.com/ubuntu/"
                                      b"dists/jammy/InRelease  Temporary failure resolving 'azure.archive.ubuntu.com'",
                                 op + b"PACKER OUT     azure-arm: ERROR: No matching distribution found for torch==1.2.3"])
    elif kind == "one-line":
        with open(path, "wb") as fh:
            chunk = b"x" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)
            fh.write(b" E: Could not get lock /var/lib/dpkg/lock-frontend\n")
    return path


def timed(argv: list[str], stdin=None, env=None) -> tuple[float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start, proc.returncode, proc.stderr.decode("utf-8", "replace")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    plain = os.path.join(OUT, f"customization-deep-{args.mb}mb.log")
    if not os.path.exists(plain):
        subprocess.run([PYTHON, os.path.join(HERE, "make_big_log.py"), plain, "--mb", str(args.mb)], check=True)
    size = os.path.getsize(plain)
    cmd = [PYTHON, "-m", "aib_pilot", "diagnose"]
    kinds = ["fake-markers", "error-words", "cause-words", "one-line"]
    files = {k: make(k, size) for k in kinds}
    times: dict[str, list[float]] = {k: [] for k in ["plain"] + kinds}
    for _ in range(args.runs):  # interleaved: every log sees the same machine load
        times["plain"].append(timed(cmd + [plain, "--format", "json"])[0])
        for k in kinds:
            wall, code, err = timed(cmd + [files[k], "--format", "json"])
            assert code in (0, 1), f"{k}: exit {code}: {err}"
            times[k].append(wall)
    base = statistics.median(times["plain"])
    worst = 0.0
    print(f"{'log':>14} {'size':>8} {'median':>8} {'x plain':>8}")
    print(f"{'plain':>14} {size / 1e6:>6.0f}MB {base:>7.2f}s {1.0:>8.2f}")
    for k in kinds:
        med = statistics.median(times[k])
        worst = max(worst, med / base)
        print(f"{k:>14} {os.path.getsize(files[k]) / 1e6:>6.0f}MB {med:>7.2f}s {med / base:>8.2f}")
    yes = subprocess.Popen(["yes", "PACKER OUT     azure-arm: error: again"], stdout=subprocess.PIPE)
    wall, code, err = timed(cmd + ["-"], stdin=yes.stdout, env=dict(os.environ, AIB_PILOT_MAX_LOG_BYTES=str(size)))
    yes.kill()
    yes.wait()
    lines = [line for line in err.splitlines() if line.strip()]
    ok_endless = code == 2 and len(lines) == 1
    print(f"{'endless':>14} stopped after {wall:.2f}s ({wall / base:.2f} x plain), exit {code}: {lines[:1]}")
    print(f"worst hostile/plain ratio {worst:.2f} (target <= 2); endless input {'stops' if ok_endless else 'DOES NOT STOP'}")
    return 0 if worst <= 2 and ok_endless else 1


if __name__ == "__main__":
    sys.exit(main())
