"""``python -m tests.emulator.scenarios [list|table|show NAME [--os linux|windows] [--op GUID]]``

list: the names and summaries; table: the markdown table of docs/scenarios.md; show: the
customization.log a scenario writes for its sample template (with ``[at_seconds sub_state]`` when
``--timed``).
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
    parser.add_argument("command", choices=("list", "table", "show"))
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
    for e in events:
        print(f"[{e.at_seconds:9.1f} {e.sub_state or '':12}] {e.text}" if args.timed else e.text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
