"""``python -m tests.emulator.scenarios [list|table|show NAME [--os linux|windows] [--op GUID]|bench]``

list: the names and summaries; table: the markdown table of docs/scenarios.md; show: the
customization.log a scenario writes for its sample template (with ``[at_seconds sub_state]`` when
``--timed``); bench: generation time per log against a reference measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone

from . import SCENARIOS, build_log
from .samples import template_for
from .table import markdown_table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator.scenarios")
    parser.add_argument("command", choices=("list", "table", "show", "bench"))
    parser.add_argument("name", nargs="?")
    parser.add_argument("--os", choices=("linux", "windows"), default=None)
    parser.add_argument("--op", default="5f0c2a7e-8d41-4b3a-9e6f-1c2d3e4f5a6b", help="operation id")
    parser.add_argument("--timed", action="store_true", help="prefix each line with its offset")
    args = parser.parse_args(argv)
    if args.command == "list":
        for name, s in SCENARIOS.items():
            print(f"{name:30} {s.summary}")
        return 0
    if args.command == "table":
        sys.stdout.write(markdown_table())
        return 0
    if args.command == "bench":
        return bench()
    if args.name not in SCENARIOS:
        print(f"unknown scenario {args.name!r}; run 'python -m tests.emulator.scenarios list'", file=sys.stderr)
        return 2
    s = SCENARIOS[args.name]
    events = build_log(s, template=template_for(args.name, args.os), operation_id=args.op,
                       staging_rg="IT_aib-rg_demo-template_0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f",
                       subscription="00000000-0000-0000-0000-000000000000",
                       start=datetime(2026, 1, 1, tzinfo=timezone.utc))
    if not events:
        print(f"{args.name} fails at submission; no log. put_error={s.put_error} "
              f"provisioning_error={s.provisioning_error}", file=sys.stderr)
    try:
        for e in events:
            print(f"[{e.at_seconds:9.1f} {e.sub_state or '':12}] {e.text}" if args.timed else e.text)
    except BrokenPipeError:  # e.g. piped into head
        sys.stderr.close()
    return 0


def bench(rounds: int = 7) -> int:
    """Median time to build each scenario's log, and its ratio to a floor measured in the same run:
    formatting the same number of prefixed, time-stamped lines with one f-string each."""
    import statistics
    import time
    from datetime import timedelta

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    worst = (0.0, "", 0.0)
    for name, s in SCENARIOS.items():
        if s.submission_fails:
            continue
        for os_name in ("linux", "windows"):
            template = template_for(name, os_name)
            times, floors, n = [], [], 0
            for i in range(rounds):
                t0 = time.perf_counter()
                events = build_log(s, template=template, operation_id=f"op-{i}", staging_rg="IT_x",
                                   subscription="sub", start=start)
                times.append(time.perf_counter() - t0)
                n = len(events)
                t0 = time.perf_counter()
                _ = [f"[op-{i}] PACKER ERR {(start + timedelta(seconds=k)).strftime('%Y/%m/%d %H:%M:%S')} x{k}"
                     for k in range(n)]
                floors.append(time.perf_counter() - t0)
            ms, floor = statistics.median(times) * 1000, statistics.median(floors) * 1000
            print(f"{name:30} {os_name:7} {n:5} lines {ms:7.2f} ms  ratio {ms / floor:5.1f}x")
            worst = max(worst, (ms, f"{name}/{os_name}", ms / floor))
    print(f"worst: {worst[1]} {worst[0]:.2f} ms (target < 50 ms), {worst[2]:.1f}x the formatting floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
