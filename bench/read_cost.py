"""Benchmark: what reading a large log costs, mapped (as shipped) or copied into a buffer.

``diagnosis/sources.py`` maps a regular file in 16 MB chunks. A file another process truncates
while it is mapped ends the process with SIGBUS; reading with ``readinto`` into one reused
buffer has no such risk, but copies every byte once more. This script measures the price of that
copy on a large log, in one process, the variants interleaved:

* ``mmap``      the shipped reader (``sources.open_chunks``), chunks fed to the scanner;
* ``readinto``  one reused 16 MB ``bytearray`` filled with ``readinto``, fed to the same scanner;
* ``read``      ``read(16 MB)`` into a new ``bytes`` per chunk;

and, for each, the reading alone (every chunk touched by one ``find``, no scan). It prints the
median wall and CPU time of each and the cost of each copy relative to the full scan.

    .venv/bin/python bench/read_cost.py [--mb 211] [--runs 7]

The log is ``bench/out/customization-deep-<mb>mb.log`` (made by ``run_bench.py`` /
``make_big_log.py`` when missing). The engine is the one a large log gets (Hyperscan when
installed).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from aib_pilot.diagnosis import sources
from aib_pilot.diagnosis.scanner import LogScanner

HERE = os.path.dirname(os.path.abspath(__file__))

CHUNK = sources.CHUNK_BYTES


def mapped(path: str):
    yield from sources.open_chunks(path)


def readinto(path: str):
    buf = bytearray(CHUNK)
    with open(path, "rb", buffering=0) as fh:
        while True:
            n = fh.readinto(buf)
            if not n:
                return
            yield buf if n == CHUNK else buf[:n]


def read(path: str):
    with open(path, "rb", buffering=0) as fh:
        while True:
            block = fh.read(CHUNK)
            if not block:
                return
            yield block


READERS = {"mmap": mapped, "readinto": readinto, "read": read}


def scan(reader, path: str) -> tuple[int, str | None]:
    scanner = LogScanner(expected_bytes=os.path.getsize(path))
    for chunk in reader(path):
        scanner.feed(chunk)
    scanner.finish()
    return scanner.lines_read, scanner.engine


def touch(reader, path: str) -> tuple[int, None]:
    n = 0
    for chunk in reader(path):
        n += chunk.find(b"\x00\x01\x02")  # one pass over every byte, nothing found
    return n, None


def timed(fn, *args):
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    out = fn(*args)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=int, default=211)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    path = os.path.join(HERE, "out", f"customization-deep-{args.mb}mb.log")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "make_big_log.py"), path, "--mb", str(args.mb),
                        "--layout", "deep"], check=True)
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    answers = set()
    for name, reader in READERS.items():  # warm: the file in the page cache, the search compiled
        answers.add(scan(reader, path))
    if len(answers) != 1:
        print(f"the readers disagree: {answers}")
        return 1
    for _ in range(args.runs):
        for what, fn in (("scan", scan), ("read only", touch)):
            for name, reader in READERS.items():
                wall, cpu, _ = timed(fn, reader, path)
                results.setdefault((what, name), []).append((wall, cpu))
    size = os.path.getsize(path) / 1e6
    print(f"{path} ({size:.0f} MB), {args.runs} runs each, engine {answers.pop()[1]}, "
          f"load {os.getloadavg()[0]:.2f}")
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in results.items()}
    for (what, name), (wall, cpu) in med.items():
        print(f"  {what:<10} {name:<9} wall {wall:6.3f} s  cpu {cpu:6.3f} s")
    base_wall, base_cpu = med[("scan", "mmap")]
    for name in ("readinto", "read"):
        wall, cpu = med[("scan", name)]
        print(f"  {name} instead of mmap: scan wall {100 * (wall / base_wall - 1):+.1f} %, "
              f"cpu {100 * (cpu / base_cpu - 1):+.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
