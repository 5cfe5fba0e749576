"""Live-tail throughput of the sinks: lines per second through ``sink.log_lines``.

    .venv/bin/python -m tests.report.bench_live_log [--lines 200000] [--runs 5]

The input is every emulator scenario's customization.log (tests/emulator/scenarios), repeated to
``--lines`` lines and fed in batches of 500 lines as the monitor does. For each format it prints
the median lines/s of each live-log mode and its ratio to the reference measured in the same run:
``full`` (every line cleaned and printed, the behaviour before curation) -- once for the whole
log, once for only the lines the filter keeps (its worst case: all the work, none of the
savings). Not a test; the figures go in docs/output-formats.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import datetime, timezone

from aib_pilot.report import make_sink
from aib_pilot.report.livelog import curate

BATCH = 500


def corpus(lines: int) -> list[str]:
    """Realistic customization.log lines from every scenario, repeated to ``lines`` lines."""
    from tests.emulator.scenarios import SCENARIOS, build_log
    from tests.emulator.scenarios.samples import template_for

    one: list[str] = []
    for name, scenario in SCENARIOS.items():
        events = build_log(scenario, template=template_for(name, None),
                           operation_id="5f0c2a7e-8d41-4b3a-9e6f-1c2d3e4f5a6b",
                           staging_rg="IT_aib-rg_bench_0c9d8e7f", subscription="0" * 8,
                           start=datetime(2026, 1, 1, tzinfo=timezone.utc))
        one.extend(event.text for event in events)
    return (one * (lines // len(one) + 1))[:lines]


def run_once(fmt: str, mode: str | None, lines: list[str]) -> float:
    """Lines per second for one pass of ``lines`` through a fresh sink."""
    kwargs = {} if mode is None else {"live_log": mode}
    sink = make_sink(fmt, out=io.StringIO(), env={"NO_COLOR": "1"}, err=io.StringIO(), **kwargs)
    sink.group_start("customizer 1/1: bench (shell)")
    start = time.perf_counter()
    for index in range(0, len(lines), BATCH):
        sink.log_lines(lines[index:index + BATCH])
    elapsed = time.perf_counter() - start
    return len(lines) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.report.bench_live_log")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--formats", default="text,github,azure-devops,json")
    parser.add_argument("--modes", default="full,filtered",
                        help="'-' alone: the sink's default without the live_log argument (old code)")
    args = parser.parse_args(argv)
    every = corpus(args.lines)
    modes = [None if m == "-" else m for m in args.modes.split(",")]
    # Worst case for the filter: only raw lines it keeps (all its work, none of its savings).
    kept = [line for line in every if curate([line])]
    kept = (kept * (args.lines // max(1, len(kept)) + 1))[:args.lines]
    print(f"{args.lines} lines per pass, batches of {BATCH}, median of {args.runs} runs")
    for label, lines in (("whole log", every), ("kept lines only", kept)):
        print(f"-- {label}")
        bench_corpus(lines, modes, args)
    return 0


def bench_corpus(lines: list[str], modes: list, args) -> None:
    for fmt in args.formats.split(","):
        rates: dict = {mode: [] for mode in modes}
        for _ in range(args.runs):  # modes interleaved, so load changes hit them alike
            for mode in modes:
                rates[mode].append(run_once(fmt, mode, lines))
        medians = {mode: statistics.median(values) for mode, values in rates.items()}
        reference = medians[modes[0]]
        for mode, rate in medians.items():
            print(f"{fmt:13} {str(mode or 'default'):9} {rate:12,.0f} lines/s  x{rate / reference:.2f}"
                  f" of {modes[0] or 'default'}")


if __name__ == "__main__":
    raise SystemExit(main())
