"""Write a realistic, large customization.log (default 200 MB) for the benchmark.

The log has every phase of an AIB build; most of its bytes are what makes real logs big: long
customizers (apt/pip/compile output, Windows-style command chatter) and Packer's RPC noise.

Layouts (``--layout``):

* ``deep`` (default): earlier customizers fill a quarter of the log, one of them hits a full disk
  and still exits 0 (a secondary finding); the last customizer is the other three quarters (150 MB
  of a 200 MB log). Its only specific cause, a dpkg lock, sits 10 % of the log size (20 MB) into
  it; it exits 100 at its very end, with no other specific line after the lock;
* ``end``: the lock is printed in the last lines of the last customizer.

    python bench/make_big_log.py OUT.log [--mb 200] [--seed 1] [--layout deep|end]
"""

from __future__ import annotations

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "diagnosis"))
from logbuilder import Log  # noqa: E402

PACKAGES = ["libssl3", "nginx-core", "python3-pip", "build-essential", "libxml2-dev", "zlib1g-dev", "git-man",
            "openjdk-17-jre-headless", "nodejs", "libpq5", "docker-ce", "containerd.io", "azure-cli", "unzip"]
VM_LINES = [
    "Get:{n} http://azure.archive.ubuntu.com/ubuntu jammy-updates/main amd64 {p} amd64 1.{n}.{m}-0ubuntu{m} [{k} kB]",
    "Unpacking {p} (1.{n}.{m}-0ubuntu{m}) ...",
    "Setting up {p} (1.{n}.{m}-0ubuntu{m}) ...",
    "Selecting previously unselected package {p}.",
    "Preparing to unpack .../{n}-{p}_1.{m}_amd64.deb ...",
    "  Downloading {p}-{n}.{m}.0-py3-none-any.whl ({k} kB)",
    "Collecting {p}>={n}.{m}",
    "gcc -pthread -Wno-unused-result -O2 -fPIC -I/usr/include/python3.10 -c src/{p}/module{n}.c -o build/temp/module{n}.o",
    "[{n}/{k}] Building CXX object src/CMakeFiles/{p}.dir/unit{m}.cpp.o",
    "Processing triggers for man-db (2.10.2-1) ...",
    "warning: variable 'tmp{n}' set but not used [-Wunused-but-set-variable]",
    "npm WARN deprecated {p}@{n}.{m}.0: this package is no longer maintained",
]


def filler(rng: random.Random, log: Log, lines: int) -> list[str]:
    """Customizer output lines as package managers and compilers print them, with RPC chatter."""
    block = []
    for _ in range(lines):
        tpl = rng.choice(VM_LINES)
        n, m, k = rng.randrange(1, 400), rng.randrange(0, 30), rng.randrange(10, 9000)
        block.append(f"[{log.op}] PACKER OUT     azure-arm: " + tpl.format(n=n, m=m, k=k, p=rng.choice(PACKAGES)))
        if rng.random() < 0.15:
            log.tick(1)
            block.append(f"[{log.op}] PACKER ERR {log.ts} packer: {log.ts} [INFO] RPC endpoint: Communicator ended with: 0")
            block.append(f"[{log.op}] PACKER ERR {log.ts} [INFO] {k} bytes written for 'stdout'")
    return block


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=200.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--layout", choices=("deep", "end"), default="deep")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    target = int(args.mb * 1024 * 1024)
    lock = ["E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1406 (unattended-upgr)",
            "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"]
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        log = Log().deploy().deployment_status().connect()
        fh.write(log.text())
        written = sum(len(line) + 1 for line in log.lines)
        n_customizer = 0
        earlier_until = target // 4 if args.layout == "deep" else target - 4096
        while written < earlier_until:
            log.lines = []
            log.start("shell" if n_customizer % 4 else "powershell")
            log.ui("Provisioning with shell script: /tmp/packer-shell%d" % rng.randrange(10**9))
            block = filler(rng, log, 20000)  # ~2-3 MB per customizer
            if args.layout == "deep" and n_customizer == 1:
                block.insert(5000, f"[{log.op}] PACKER OUT     azure-arm: tar: usr/share/doc/x.gz: "
                                   "Cannot write: No space left on device")
            log.rpc(0)
            log.end("shell" if n_customizer % 4 else "powershell")
            chunk = "\n".join(block[:2]) + "\n" + "\n".join(log.lines[:2]) + "\n" + "\n".join(block[2:]) + "\n" \
                + "\n".join(log.lines[2:]) + "\n"
            fh.write(chunk)
            written += len(chunk)
            n_customizer += 1
        log.lines = []
        if args.layout == "deep":
            log.start("shell")
            log.ui("Provisioning with shell script: /tmp/packer-shell%d" % rng.randrange(10**9))
            fh.write(log.text())
            log.lines = []
            section_start, planted = written, False
            while not planted or written < target - 4096:
                block = filler(rng, log, 20000)
                if not planted and (written - section_start >= target // 10 or written >= target - 4096):
                    block[100:100] = [f"[{log.op}] PACKER OUT     azure-arm: {line}" for line in lock]
                    planted = True
                chunk = "\n".join(block) + "\n"
                fh.write(chunk)
                written += len(chunk)
            log.vm("+ exit 100")
            log.rpc(100)
            log.end("shell")
        else:
            log.shell(["+ sudo apt-get install -y nginx"] + lock, code=100)
        log.cleanup(failed=True, noise=True)
        log.finish_failed("Script exited with non-zero exit status: 100. Allowed exit codes are: [0]")
        fh.write(log.text())
    print(f"wrote {args.out}: {os.path.getsize(args.out) / 1e6:.1f} MB, {n_customizer + 1} customizers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
