"""Benchmark: all preflight checks with 100 ms added to every request (target: <= 3 s).

Starts the local emulator (tests/emulator) with the default estate world
(tests/emulator/worlds/preflight.yaml) and checks a template that exercises every check kind
(identity, roles on the gallery and the storage container, six providers, ``latest`` platform
source, size, quota, Trusted Launch fit, gallery distribution with two target regions, a private and
a public customizer file, the template name). For each run it measures, through the real SDK clients:

* **checks**: ``preflight()`` in this process, sign-in included (a fresh session each run), with the
  requested latency on every request (ARM, Entra ID and blob);
* **reference**: the same with 0 ms latency, measured in the same run, interleaved;
* **cli**: ``aib-pilot preflight`` as a subprocess with the latency, interpreter start-up included.

It also counts the requests one run makes: ``requests x latency`` is what the checks would take one
request after another, so ``checks / serial`` shows what running them concurrently buys.

    .venv/bin/python bench/preflight.py [--runs 5] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 3.0


def _in_process(emu, template_path: str) -> tuple[float, dict]:
    from aib_pilot.azure.templates import load_template
    from aib_pilot.options import make_session
    from aib_pilot.preflight import preflight

    started = time.monotonic()
    session = make_session(Namespace(), os.environ, announce=None)
    result = preflight(session, load_template(template_path), resource_group=emu.info["resource_group"],
                       name="bench", on_conflict="attach")
    return time.monotonic() - started, result


def _cli(emu, template_path: str) -> float:
    from tests.flow.conftest import cli_env

    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "aib_pilot", "preflight", "--template", template_path,
                           "-g", emu.info["resource_group"], "--format", "json", *emu.cli_args()],
                          env=cli_env(emu), cwd=ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise SystemExit(f"preflight failed on the bench template:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return time.monotonic() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000.0

    from tests.emulator import Emulator
    from tests.preflight.conftest import good_template

    with Emulator(speed=600) as emu, tempfile.TemporaryDirectory(prefix="aib-preflight-bench-") as tmp:
        emu.estate.load()
        os.environ.update(emu.cli_env())
        path = os.path.join(tmp, "image.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(good_template(emu), fh, indent=2)
        checks, reference, cli, requests = [], [], [], []
        for _ in range(args.runs):
            emu.faults.clear()
            ref, result = _in_process(emu, path)
            reference.append(ref)
            emu.faults.add_latency(latency)
            emu.journal.clear()
            took, result = _in_process(emu, path)
            checks.append(took)
            requests.append(len(emu.journal.entries()))
            if result["status"] != "succeeded" or result["findings"]:
                raise SystemExit(f"the bench template should pass: {result['findings']}")
            cli.append(_cli(emu, path))
        n_checks = len(result["checks"])

    med = statistics.median
    serial = med(requests) * latency
    print(f"preflight bench: {args.runs} runs, {n_checks} checks, {med(requests):.0f} requests per run, "
          f"{args.latency_ms:g} ms added to every request")
    print(f"{'what':<44} {'median':>8} {'min':>8} {'max':>8}")
    for label, values in ((f"checks, {args.latency_ms:g} ms latency (in-process)", checks),
                          ("reference, 0 ms latency", reference),
                          (f"cli, {args.latency_ms:g} ms latency (process start incl.)", cli)):
        print(f"{label:<44} {med(values):>7.2f}s {min(values):>7.2f}s {max(values):>7.2f}s")
    print(f"ratio checks / {TARGET_SECONDS:g} s target:        {med(checks) / TARGET_SECONDS:.2f}")
    print(f"ratio checks / 0 ms reference:      {med(checks) / med(reference):.2f}")
    print(f"ratio checks / one-by-one ({med(requests):.0f} x {args.latency_ms:g} ms = {serial:.1f} s): "
          f"{med(checks) / serial:.2f}")
    ok = med(checks) <= TARGET_SECONDS
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
