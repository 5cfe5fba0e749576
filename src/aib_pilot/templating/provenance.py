"""Provenance: tags on the distributed image saying which repository, commit and CI run made it.

AIB applies a distributor's ``artifactTags`` to what that distributor produces (managed image,
gallery image version, VHD; ``ImageTemplateDistributor.artifactTags`` in the 2025-10-01 REST
description). aib-pilot adds its ``aib-pilot.*`` tags there, read from the CI run's variables
(azure/ci_context.py). The user's own artifactTags win: a name already present is left alone.

Azure's tag limits (docs/usage.md#provenance): at most 50 tags per resource, names up to 512
characters and without ``< > % & \\ ? /``, values up to 256 characters.
"""

from __future__ import annotations

import copy
import re
from typing import Mapping

from aib_pilot.azure.ci_context import TAG_PREFIX, run_facts

MAX_TAGS = 50
MAX_NAME = 512
MAX_VALUE = 256
FORBIDDEN_IN_NAME = re.compile(r"[<>%&\\?/]")
# What the image records; "pr" stays on the template only (a merged image outlives its PR).
FACTS = ("repo", "commit", "run-url", "workflow", "pipeline", "build")
# The facts that name WHAT was built (the same for every attempt of a job); the run URL changes
# with each attempt, so it is left out of the template's content hash (see LoadedTemplate).
STABLE = (TAG_PREFIX + "repo", TAG_PREFIX + "commit")


def provenance_tags(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``aib-pilot.*`` provenance tags of the current CI run ({} outside CI), within Azure's limits."""
    facts = run_facts(env)
    tags = {}
    for key in FACTS:
        if key in facts:
            name = TAG_PREFIX + key
            if not FORBIDDEN_IN_NAME.search(name) and len(name) <= MAX_NAME:
                tags[name] = facts[key][:MAX_VALUE]
    return tags


def with_artifact_tags(body: dict, tags: Mapping[str, str]) -> tuple[dict, list[str]]:
    """A copy of the template ``body`` whose every distributor carries ``tags`` in its artifactTags
    (the user's tags win), and the warnings to show (tags left out to stay within 50)."""
    if not tags:
        return body, []
    out = copy.deepcopy(body)
    warnings = []
    for index, dist in enumerate((out.get("properties") or {}).get("distribute") or []):
        if not isinstance(dist, dict):
            continue
        own = dist.get("artifactTags") if isinstance(dist.get("artifactTags"), dict) else {}
        merged = dict(own)
        taken = {k.lower() for k in own}  # tag names are case-insensitive in Azure
        skipped = []
        for name, value in tags.items():
            if name.lower() in taken:
                continue
            if len(merged) >= MAX_TAGS:
                skipped.append(name)
                continue
            merged[name] = value
        dist["artifactTags"] = merged
        if skipped:
            warnings.append(f"distribute[{index}] ({dist.get('runOutputName') or dist.get('type')}) already has "
                            f"{len(own)} artifactTags; Azure allows {MAX_TAGS}, so these provenance tags were left "
                            f"out: {', '.join(skipped)}")
    return out, warnings
