"""Run outputs (managed image id, gallery image version id, VHD URI) and what they tell us.

A gallery (SharedImage) distribution that times out while replicating fails the run, yet the image
version often exists and is usable in the regions already replicated. The run output's
``artifactId`` (ending ``/images/<def>/versions/<x.y.z>``) and its ``provisioningState`` say whether
the version was published anyway (docs/sources.md#aib-run-outputs).
"""

from __future__ import annotations

from aib_pilot.azure.templates import as_json

# Diagnosis categories where "was the artifact produced anyway?" is worth asking.
DISTRIBUTION_CATEGORIES = frozenset({"sig_replication_timeout", "distribution_failed", "build_timeout"})


def list_run_outputs(session, resource_group: str, name: str) -> list[dict]:
    ops = session.imagebuilder.virtual_machine_image_templates
    outputs = []
    for item in ops.list_run_outputs(resource_group, name):
        data = as_json(item)
        props = data.get("properties") or {}
        outputs.append({"name": data.get("name"), "artifact_id": props.get("artifactId"),
                        "artifact_uri": props.get("artifactUri"),
                        "provisioning_state": props.get("provisioningState")})
    return outputs


def published_anyway(outputs: list[dict]) -> bool:
    """True when a gallery image version (or any artifact) was produced and provisioned."""
    for out in outputs:
        if (out.get("artifact_id") or out.get("artifact_uri")) and out.get("provisioning_state") in (None, "Succeeded"):
            return True
    return False
