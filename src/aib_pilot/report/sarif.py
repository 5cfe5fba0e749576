"""``aib-pilot lint --format sarif``: lint results as a SARIF 2.1.0 log for GitHub code scanning.

One run, tool ``aib-pilot`` with every lint check of the catalogue as a rule (id, title, why,
fix, reference, category tag, default level), and one result per piece of evidence, located at
the template line. Paths are relative to the current directory (the repository root in CI), with
``uriBaseId`` ``%SRCROOT%`` as code scanning expects. The schema is OASIS's
(.ci/schemas/sarif-schema-2.1.0.json; tests validate against it); GitHub's subset is described at
https://docs.github.com/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning.

The text comes from the template (untrusted): :func:`aib_pilot.report.facts.compact_json` writes
it as one line no CI runner reads as a command.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def artifact_location(path: str, base: Path | None = None) -> dict:
    """The file as code scanning wants it: relative to the checkout root when it lies inside it."""
    base = (base or Path.cwd()).resolve()
    full = Path(path).resolve()
    try:
        rel = full.relative_to(base)
    except ValueError:
        return {"uri": full.as_uri()}
    return {"uri": str(PurePosixPath(*rel.parts)), "uriBaseId": "%SRCROOT%"}


def _rule(rule) -> dict:
    return {
        "id": rule.id,
        "name": "".join(w.capitalize() for w in rule.title.replace("/", " ").replace("-", " ").split()
                        if w.isalnum()),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.cause},
        "help": {"text": f"{rule.cause}\n\nFix: {rule.fix}",
                 "markdown": f"{rule.cause}\n\n**Fix.** {rule.fix}\n\n[Reference]({rule.reference})"},
        "helpUri": rule.reference,
        "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning")},
        "properties": {"tags": ["azure-image-builder", rule.category], "category": rule.category},
    }


def lint_sarif(results: list[dict], rules, *, version: str, base: Path | None = None) -> dict:
    """The SARIF log for ``results`` (lint_template dicts) with ``rules`` (the lint catalogue)."""
    index = {r.id: i for i, r in enumerate(rules)}
    sarif_results = []
    artifacts: list[dict] = []
    for result in results:
        location = artifact_location(result["source"], base)
        artifacts.append({"location": location})
        for finding in result["findings"]:
            for evidence in finding.get("evidence") or [{"line": None, "text": ""}]:
                line = evidence.get("line") or 1  # a finding about the whole file: its first line
                text = finding["title"] + (f": {evidence['text']}" if evidence.get("text") else "")
                sarif_results.append({
                    "ruleId": finding["rule"],
                    "ruleIndex": index[finding["rule"]],
                    "level": LEVELS.get(finding["severity"], "warning"),
                    "message": {"text": f"{text}. Fix: {finding['fix']}"},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {**location, "index": len(artifacts) - 1},
                        "region": {"startLine": int(line)},
                    }}],
                })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "aib-pilot", "version": version, "semanticVersion": version,
                                "rules": [_rule(r) for r in rules]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": (base or Path.cwd()).resolve().as_uri() + "/"}},
            "artifacts": artifacts,
            "results": sarif_results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def write_text(text: str, path: str) -> None:
    """Write a report file (its folder created), replacing it whole.

    A regular file is replaced by a rename, so a reader never sees half of it. Anything else that
    already exists (``/dev/null``, ``/dev/stdout``, a FIFO) is written into: renaming over it would
    replace a device or a pipe with a plain file."""
    target = Path(path)
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        return
    if target.parent and not target.parent.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    os.replace(tmp, target)
