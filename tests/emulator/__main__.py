"""``python -m tests.emulator [--speed N] [--port-base P] [--world FILE|default] [--record DIR] [--list-scenarios]``

Prints one JSON line (arm, authority, ca_bundle, blob, subscription, tenant, client_id,
client_secret, resource_group, ...) and serves until SIGTERM/SIGINT, then stops everything it started.
``--record DIR`` writes what a test in another process would read from ``emu.journal`` and
``world.deleted_templates``: ``DIR/journal.jsonl`` (one line per request answered) and
``DIR/templates.jsonl`` (the body of every image template the PUT accepted), as they happen.
"""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=60.0,
                        help="simulated seconds per real second (default 60)")
    parser.add_argument("--port-base", type=int, default=0,
                        help="ARM on P, Entra ID on P+1, OIDC on P+2, blob proxy on P+3, Azurite on P+4 "
                             "(default: free ports)")
    parser.add_argument("--world", metavar="FILE|default",
                        help="serve the read-only estate preflight checks (docs/emulator.md, 'Estate world file')")
    parser.add_argument("--record", metavar="DIR",
                        help="write journal.jsonl (every request) and templates.jsonl (every accepted "
                             "template PUT body) into DIR as they happen")
    parser.add_argument("--list-scenarios", action="store_true", help="print the scenario names and exit")
    args = parser.parse_args(argv)
    if not args.speed > 0 or args.speed == float("inf"):
        print("tests.emulator: --speed must be a finite number > 0 (simulated seconds per real second), e.g. --speed 60", file=sys.stderr)
        return 2
    if args.list_scenarios:
        from .emulator import load_scenarios

        table = load_scenarios().SCENARIOS
        try:
            for name in sorted(table):
                print(f"{name}\t{getattr(table[name], 'summary', '')}")
            sys.stdout.flush()
        except BrokenPipeError:  # e.g. `| head`: the reader has what it wanted
            sys.stdout = None  # nothing left to flush at exit
        return 0
    from .azurite import AzuriteMissing
    from .emulator import Emulator

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    try:
        emu = Emulator(speed=args.speed, port_base=args.port_base).start()
    except (AzuriteMissing, OSError, RuntimeError) as exc:
        print(f"tests.emulator: cannot start: {exc}", file=sys.stderr)
        return 3
    try:
        info = dict(emu.info, startup_seconds=round(emu.startup_seconds, 3))
        if args.record:
            record_to(emu, args.record)
        if args.world:
            try:
                emu.estate.load(None if args.world == "default" else args.world)
            except Exception as exc:  # noqa: BLE001 - missing file, bad YAML/JSON, wrong shape: one line
                print(f"tests.emulator: cannot load the world file {args.world}: {exc}", file=sys.stderr)
                return 2
            info["estate_accounts"] = dict(emu.estate.accounts)   # world label -> storage account
        print(json.dumps(info), flush=True)
        done.wait()
    finally:
        emu.stop()
    return 0


def record_to(emu, folder: str) -> None:
    """Append every journal entry and every accepted template body to JSON-lines files in ``folder``."""
    import dataclasses
    import os

    os.makedirs(folder, exist_ok=True)
    lock = threading.Lock()

    def append(name: str, doc: dict) -> None:
        with lock, open(os.path.join(folder, name), "a", encoding="utf-8") as fh:
            fh.write(json.dumps(doc) + "\n")

    emu.journal.sink = lambda entry: append("journal.jsonl", dataclasses.asdict(entry))
    emu.world.on_created = lambda tpl, body: append(
        "templates.jsonl", {"resourceGroup": tpl.rg, "name": tpl.name, "body": body})


if __name__ == "__main__":
    sys.exit(main())
