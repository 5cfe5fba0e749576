"""``submit``/``run`` from Azure/build-vm-image's inputs instead of a template file.

The options carry that action's input names (``--source-image``, ``--customizer-source``, ...).
Local checks happen in :func:`check` (before signing in); :func:`materialize` then uploads the
workspace payload, writes the template (printed in the log and saved in the log folder) and hands
it back as if it had been read from ``--template``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from aib_pilot.errors import UsageError

#: (option, build-vm-image input name, help), in that action's order: the action's and the task's
#: build-from-inputs inputs are this table too (entrypoints/inputs.py)
OPTIONS = (
    ("--location", "location", "Azure region of the build, e.g. eastus"),
    ("--build-timeout-in-minutes", "build-timeout-in-minutes", "build timeout, 1-960 (default 240)"),
    ("--vm-size", "vm-size", "build VM size (default: AIB's)"),
    ("--managed-identity", "managed-identity", "user-assigned identity AIB builds with: a name in the resource "
     "group or a resource id"),
    ("--source-image-type", "source-image-type", "PlatformImage (default), SharedImageGallery or ManagedImage"),
    ("--source-os-type", "source-os-type", "linux or windows"),
    ("--source-image", "source-image", "publisher:offer:sku:version, a gallery image version id or a managed image id"),
    ("--customizer-source", "customizer-source", "a workspace file or folder to put into the image"),
    ("--customizer-script", "customizer-script", "inline shell (Linux) or PowerShell (Windows) lines to run"),
    ("--customizer-destination", "customizer-destination", "folder in the VM the customizer-source is unpacked to "
     "(default /tmp/<name> or C:\\<name>)"),
    ("--customizer-windows-update", "customizer-windows-update", "true: run Windows Update after the script"),
    ("--customizer-storage-account", "customizer-storage-account", "storage account (name) for the workspace "
     "files; default: one aib-pilot creates in the resource group"),
    ("--dist-type", "dist-type", "ManagedImage (default), SharedImageGallery or VHD"),
    ("--dist-resource-id", "dist-resource-id", "managed image id to create, or gallery image definition id"),
    ("--dist-location", "dist-location", "managed image region, or gallery replication regions (comma-separated)"),
    ("--run-output-name", "run-output-name", "name of the run output (default <template name>_<CI run id>)"),
    ("--dist-image-tags", "dist-image-tags", "key:value,... tags on the distributed image"),
)
FILE_NAME = "image-template.json"


def add_options(parser) -> None:
    group = parser.add_argument_group(
        "build from inputs", "instead of --template: Azure/build-vm-image's inputs, under the same names "
        "(docs/migrating.md)")
    for option, _name, text in OPTIONS:
        group.add_argument(option, metavar="VALUE", help=text)


def values_of(args) -> dict[str, str]:
    """The given inputs, keyed by their build-vm-image names ('' for those not given)."""
    out = {name: getattr(args, option[2:].replace("-", "_"), None) or "" for option, name, _ in OPTIONS}
    return out


def wanted(args) -> bool:
    """True when any build-from-inputs option was given."""
    return any(v.strip() for k, v in values_of(args).items())


@dataclass(frozen=True)
class BuildRequest:
    """What ``submit``/``run`` builds from: the checked inputs and the per-run options that shape
    the written template."""

    inputs: object                 # templating.from_inputs.BuildInputs
    source: Path | None            # the customizer-source file or folder, checked
    storage_account: str           # --customizer-storage-account ('' : aib-pilot creates one)
    sets: tuple[str, ...]          # --set PATH=VALUE, applied to the written template too
    provenance: bool
    name_prefix: str | None


def check(args, resource_group: str, env=None) -> BuildRequest:
    """Check the inputs before signing in."""
    from aib_pilot.azure.payload import check_source
    from aib_pilot.templating.from_inputs import read_inputs

    if getattr(args, "template", None):
        raise UsageError("--template and the build-from-inputs options (--source-image, ...) were both given.",
                         hint="Use one: a template file, or the inputs aib-pilot writes a template from.")
    values = values_of(args)
    values["resource-group-name"] = resource_group
    inputs = read_inputs(values)
    source = check_source(inputs.customizer_source) if inputs.customizer_source else None
    from aib_pilot.commands.submit import provenance_wanted

    return BuildRequest(inputs=inputs, source=source,
                        storage_account=getattr(args, "customizer_storage_account", None) or "",
                        sets=tuple(getattr(args, "set", None) or ()), provenance=provenance_wanted(args, env),
                        name_prefix=getattr(args, "name_prefix", None))


def run_id(env=None) -> str:
    """The CI run (GitHub run id and attempt, Azure DevOps build id); outside CI the UTC time, so a
    second local build does not collide with the first one's managed image name."""
    import time

    env = os.environ if env is None else env
    if env.get("GITHUB_RUN_ID"):
        attempt = env.get("GITHUB_RUN_ATTEMPT", "1")
        return env["GITHUB_RUN_ID"] + (f"-{attempt}" if attempt not in ("", "1") else "")
    return env.get("BUILD_BUILDID") or time.strftime("local-%Y%m%d%H%M%S", time.gmtime())


def carry_payload(req: BuildRequest, session, sink, *, identity: str, resource_group: str, name: str | None,
                  user_tags: dict, log_dir: Path, run: str):
    """Pack and upload ``customizer-source`` where the build identity may read it; returns the
    from_inputs.Payload and, when this run assigned the identity's role, the payload.FreshRole the
    submission waits on. The identity's role is settled before the template exists: checked on a
    named account (before anything is uploaded); on an account aib-pilot creates, assigned on the
    new container unless a role on the resource group already covers it. An account created for a
    run that stops here is deleted again (no template records it yet)."""
    from aib_pilot.azure import created_resources, payload
    from aib_pilot.templating import from_inputs

    inputs = req.inputs
    principal = payload.identity_principal(session, identity)
    named = req.storage_account
    covered = True
    if named:
        account, created = payload.target_account(session, resource_group=resource_group, location=inputs.location,
                                                  account=named)
        payload.check_reader(session, principal, account.id, resource_group=resource_group, template_name=name or "")
    else:
        rg_scope = f"/subscriptions/{session.subscription_id}/resourceGroups/{resource_group}"
        covered = payload.reader_missing(session, principal, rg_scope, resource_group=resource_group,
                                         template_name=name or "") is None
        account, created = payload.target_account(session, resource_group=resource_group, location=inputs.location,
                                                  info=sink.info)
    packed = payload.pack(req.source, windows=inputs.windows, into=log_dir)
    fresh = None
    try:
        uploaded = payload.upload(session, packed, account, created=created, windows=inputs.windows,
                                  run_id=run, info=sink.info)
        if created and not covered:
            payload.grant_reader(session, principal, payload.container_scope(uploaded))
            fresh = payload.FreshRole(uploaded.url)
            sink.info("assigned Storage Blob Data Reader on the workspace files' container to the build identity "
                      "(Azure can take up to 10 minutes to apply it: a refusal to read the files meanwhile is "
                      "retried)")
    except BaseException:
        if created:
            payload.delete_account(session, account, info=sink.info)
        raise
    finally:
        packed.path.unlink(missing_ok=True)
    user_tags[created_resources.CONTAINER_TAG] = uploaded.container_url
    if created:
        user_tags[created_resources.ACCOUNT_TAG] = uploaded.account_id
    return from_inputs.Payload(uploaded.url, packed.size, packed.name), fresh


def materialize(req: BuildRequest, session, sink, *, name: str | None, resource_group: str,
                user_tags: dict, log_dir: Path):
    """Upload the payload, write the template; returns (LoadedTemplate, name, payload.FreshRole or
    None: the role this run assigned, which the submission may have to wait for).

    Tags naming what was created are added to ``user_tags`` (see created_resources).
    """
    from aib_pilot.azure import log_folder
    from aib_pilot.azure.templates import LoadedTemplate, choose_name
    from aib_pilot.templating import from_inputs

    inputs = req.inputs
    sub = session.subscription_id
    identity = from_inputs.identity_id(inputs, sub)
    run = run_id()
    blob = fresh = None
    if req.source is not None:
        blob, fresh = carry_payload(req, session, sink, identity=identity, resource_group=resource_group,
                                    name=name, user_tags=user_tags, log_dir=log_dir, run=run)
    from aib_pilot.templating.edits import apply_sets
    from aib_pilot.templating.provenance import provenance_tags

    body = from_inputs.build_template(inputs, subscription=sub, name=name or "", payload=blob, run_id=run)
    template = LoadedTemplate(body={k: body[k] for k in ("location", "identity", "properties")},
                              path=str(log_dir / FILE_NAME), declared_name=name or "build-vm-image")
    apply_sets(template.body, list(req.sets))  # --set works on a written template too
    if req.provenance:
        template.provenance = provenance_tags()
    chosen = choose_name(template, name=name, prefix=req.name_prefix)
    text = json.dumps({"name": chosen, **template.body}, indent=2) + "\n"
    saved = log_folder.replace(log_dir, (chosen,), FILE_NAME, text.encode())
    template.path = str(saved)
    sink.group_start(f"image template {chosen} (written from the inputs, saved as {saved})")
    sink.show_log(text.splitlines())
    sink.group_end()
    return template, chosen, fresh
