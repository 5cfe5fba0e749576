"""Score the diagnosis on a folder of real, labelled failure excerpts.

The corpus is not part of this repository: it is read from ``../shared/corpus/real-failures``
(beside the checkout) or from ``--corpus DIR`` when present, and the script skips with a message
when it is not there. Each case is diagnosed as a user would paste it (``aib-pilot diagnose -``)
and scored against ``labels.jsonl``: right when the top category is the label's ``category`` or
one of its ``also_ok``; "unknown" when the diagnosis said unknown where a cause was labelled;
"wrong" when it named a different specific cause.

    .venv/bin/python bench/real_corpus.py [--corpus DIR] [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "real-failures")


def shape_of(text: str) -> str:
    """A rough name of the printed shape, for the per-shape figures."""
    if re.search(r"\[[0-9a-f-]{36}\] PACKER (?:OUT|ERR)|\(telemetry\)", text):
        return "aib-log"
    if re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ", text, re.M) or "##[" in text:
        return "ci-task"
    if re.search(r"==> |--> |Build '[^']+' errored|^\d{10},[^,]*,ui,|panic:|\[INFO\] Packer version", text, re.M):
        return "packer"
    if re.search(r"ERROR: \(|Code=\"|\"code\"\s*:|FullyQualifiedErrorId|Code: ", text):
        return "arm-cli-ps"
    return "other"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=os.environ.get("AIB_PILOT_REAL_CORPUS", DEFAULT))
    ap.add_argument("--verbose", "-v", action="store_true", help="print every case")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)
    labels = os.path.join(args.corpus, "labels.jsonl")
    if not os.path.isfile(labels):
        print(f"real_corpus: skipped: no labelled corpus at {args.corpus} (give --corpus DIR)")
        return 0
    sys.path.insert(0, os.path.join(ROOT, "src"))
    from aib_pilot.diagnosis import diagnose

    cases = [json.loads(line) for line in open(labels, encoding="utf-8") if line.strip()]
    totals = collections.Counter()
    per_cat: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    per_shape: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    confusion = []
    t0 = time.perf_counter()
    for case in cases:
        path = os.path.join(args.corpus, case["file"])
        with open(path, "rb") as fh:
            data = fh.read()
        d = diagnose(data)
        got = d.category
        ok = {case["category"], *case.get("also_ok", [])}
        if got in ok:
            verdict = "right"
        elif got == "unknown":
            verdict = "unknown"
        else:
            verdict = "wrong"
        shape = shape_of(data.decode("utf-8", "replace"))
        totals[verdict] += 1
        per_cat[case["category"]][verdict] += 1
        per_shape[shape][verdict] += 1
        if verdict != "right":
            top = d.findings[0].rule.id if d.findings else "-"
            confusion.append((os.path.basename(path), case["category"], got, top))
        if args.verbose:
            top = d.findings[0].rule.id if d.findings else "-"
            print(f"{verdict:7} {os.path.basename(path):60} want={case['category']:24} got={got} ({top})")
    elapsed = time.perf_counter() - t0
    n = len(cases)
    if args.json:
        print(json.dumps({"cases": n, **totals, "per_category": per_cat, "per_shape": per_shape,
                          "confusion": confusion, "seconds": round(elapsed, 2)}))
        return 0
    print(f"cases {n}: right {totals['right']} ({100 * totals['right'] / n:.0f} %), "
          f"unknown {totals['unknown']}, wrong {totals['wrong']}  ({elapsed:.2f} s)")
    print("\nper category (right/total, unknown, wrong):")
    for cat in sorted(per_cat):
        c = per_cat[cat]
        print(f"  {cat:26} {c['right']}/{sum(c.values())}  unknown {c['unknown']}  wrong {c['wrong']}")
    print("\nper shape:")
    for shape in sorted(per_shape):
        c = per_shape[shape]
        print(f"  {shape:12} {c['right']}/{sum(c.values())}  unknown {c['unknown']}  wrong {c['wrong']}")
    if confusion:
        print("\nnot right (case, labelled, answered, top rule):")
        for row in confusion:
            print("  " + "  ".join(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
