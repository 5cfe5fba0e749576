"""Checks of the source image: it exists in the build region (``latest`` resolved, gallery versions
replicated there) and its generation / security type fit the build VM size and the targets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aib_pilot.preflight.context import Context, CouldNotCheck, Outcome, read
from aib_pilot.preflight.plan import DEFAULT_SIZE, ResourceId

REQUIRED = {"trustedlaunch", "confidentialvm"}
SUPPORTED = {"trustedlaunchsupported", "trustedlaunchandconfidentialvmsupported", "confidentialvmsupported"}


def region(name) -> str:
    """'East US' and 'eastus' are the same region."""
    return re.sub(r"\s+", "", str(name or "")).lower()


def security_of(props: dict) -> str:
    """standard | supported | required, from an image's or definition's SecurityType feature."""
    if str(props.get("hyperVGeneration") or "V1").upper() == "V1":
        return "standard"
    for feature in props.get("features") or []:
        if str(feature.get("name", "")).lower() == "securitytype":
            value = str(feature.get("value", "")).lower()
            if value in REQUIRED:
                return "required"
            if value in SUPPORTED:
                return "supported"
    return "standard"


@dataclass
class SourceInfo:
    found: bool
    label: str
    generation: str | None = None
    security: str = "standard"
    problem: tuple | None = None     # (rule, detail, fix) when the source is unusable
    version: str | None = None


def gallery_image(ctx: Context, rg: str, gallery: str, image: str) -> dict | None:
    """A gallery image definition (REST JSON), read once; None when it does not exist."""
    key = ("galimage", rg.lower(), gallery.lower(), image.lower())
    scope = f"{ctx.sub_scope}/resourceGroups/{rg}/providers/Microsoft.Compute/galleries/{gallery}/images/{image}"
    return ctx.once.get(key, lambda: _as_json(read(f"gallery image {gallery}/{image}",
                                                   lambda: ctx.compute.gallery_images.get(rg, gallery, image),
                                                   scope=scope)))


def _as_json(model) -> dict | None:
    return None if model is None else model.as_dict()


def source_info(ctx: Context) -> SourceInfo:
    return ctx.once.get("source", lambda: _source(ctx))


def _source(ctx: Context) -> SourceInfo:
    src, loc = ctx.plan.source, ctx.location
    kind = str(src.get("type", "")).lower()
    if kind == "platformimage":
        return _platform(ctx, src, loc)
    if kind == "sharedimageversion":
        return _gallery_version(ctx, src, loc)
    if kind == "managedimage":
        return _managed(ctx, src, loc)
    return SourceInfo(False, f"source type {src.get('type')!r}")


def _platform(ctx: Context, src: dict, loc: str) -> SourceInfo:
    pub, offer, sku, version = (str(src.get(k, "")) for k in ("publisher", "offer", "sku", "version"))
    label = f"{pub}:{offer}:{sku}:{version}"
    listing = f"az vm image list --location {loc} --publisher {pub} --offer {offer} --sku {sku} --all -o table"
    if version.lower() == "latest":
        found = read(f"the versions of {label}", lambda: ctx.compute.virtual_machine_images.list(
            loc, pub, offer, sku, orderby="name desc", top=1), scope=ctx.sub_scope)
        if not found:
            return SourceInfo(False, label, problem=("AIB604", f"no version of {pub}:{offer}:{sku} exists in {loc}", listing))
        version = found[0].name
        label = f"{pub}:{offer}:{sku}:latest (= {version})"
    image = read(f"the platform image {label}",
                 lambda: ctx.compute.virtual_machine_images.get(loc, pub, offer, sku, version), scope=ctx.sub_scope)
    if image is None:
        return SourceInfo(False, label, problem=("AIB604", f"platform image {label} does not exist in {loc}", listing))
    props = image.as_dict().get("properties") or {}
    return SourceInfo(True, label, str(props.get("hyperVGeneration") or "V1").upper(), security_of(props), version=version)


def _gallery_version(ctx: Context, src: dict, loc: str) -> SourceInfo:
    raw = str(src.get("imageVersionId", ""))
    rid = ResourceId.parse(raw)
    gallery, image, version = (rid.name(t) if rid else None for t in ("galleries", "images", "versions"))
    if rid is None or not (gallery and image and version):
        return SourceInfo(False, raw, problem=("AIB605", f"{raw!r} is not a gallery image version ID",
                                               "Use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/"
                                               "galleries/<gallery>/images/<definition>/versions/<version>"))
    listing = f"az sig image-version list -g {rid.rg} --gallery-name {gallery} --gallery-image-definition {image} -o table"
    definition = gallery_image(ctx, rid.rg, gallery, image)
    if definition is None:
        return SourceInfo(False, raw, problem=("AIB605", f"gallery image definition {gallery}/{image} does not exist",
                                               f"az sig image-definition list -g {rid.rg} --gallery-name {gallery} -o table"))
    ops = ctx.compute.gallery_image_versions
    if version.lower() == "latest":
        versions = read(f"the versions of {gallery}/{image}", lambda: list(ops.list_by_gallery_image(rid.rg, gallery, image)),
                        scope=rid.prefix(2))
        names = sorted((v.name for v in versions or []), key=lambda n: [int(p) if p.isdigit() else 0 for p in n.split(".")])
        if not names:
            return SourceInfo(False, raw, problem=("AIB605", f"gallery image {gallery}/{image} has no versions", listing))
        version = names[-1]
    found = read(f"gallery image version {gallery}/{image}/{version}",
                 lambda: ops.get(rid.rg, gallery, image, version, expand="ReplicationStatus"), scope=rid.prefix(2))
    label = f"{gallery}/{image}/{version}"
    props = definition.get("properties") or {}
    info = SourceInfo(True, label, str(props.get("hyperVGeneration") or "V1").upper(), security_of(props), version=version)
    if found is None:
        info.found, info.problem = False, ("AIB605", f"gallery image version {label} does not exist", listing)
        return info
    targets = ((found.as_dict().get("properties") or {}).get("publishingProfile") or {}).get("targetRegions") or []
    regions = sorted({region(t.get("name")) for t in targets})
    if region(loc) not in regions:
        info.problem = ("AIB606", f"gallery image version {label} is replicated to {', '.join(regions) or 'no region'}, "
                                  f"not to the build region {loc}",
                        f"az sig image-version update -g {rid.rg} --gallery-name {gallery} --gallery-image-definition "
                        f"{image} --gallery-image-version {version} --add publishingProfile.targetRegions name={loc}")
    return info


def _managed(ctx: Context, src: dict, loc: str) -> SourceInfo:
    raw = str(src.get("imageId", ""))
    rid = ResourceId.parse(raw)
    listing = f"az image list --query \"[?location=='{loc}'].id\" -o tsv"
    if rid is None or not rid.name("images"):
        return SourceInfo(False, raw, problem=("AIB607", f"{raw!r} is not a managed image ID", listing))
    image = read(f"managed image {raw}", lambda: ctx.compute.images.get(rid.rg, rid.name("images")),
                 scope=rid.text)
    if image is None:
        return SourceInfo(False, raw, problem=("AIB607", f"managed image {raw} does not exist", listing))
    data = image.as_dict()
    gen = str((data.get("properties") or {}).get("hyperVGeneration") or "V1").upper()
    info = SourceInfo(True, rid.name("images"), gen, "standard")
    if region(data.get("location")) != region(loc):
        info.problem = ("AIB607", f"managed image {rid.name('images')} is in {data.get('location')}, the template builds "
                                  f"in {loc} (they must match)", listing)
    return info


def source_line(ctx: Context) -> int | None:
    key = {"platformimage": "version", "sharedimageversion": "imageVersionId", "managedimage": "imageId"}
    field = key.get(str(ctx.plan.source.get("type", "")).lower())
    return ctx.plan.line("properties", "source", field) if field else ctx.plan.line("properties", "source")


def check_source(ctx: Context) -> list[Outcome]:
    line = source_line(ctx)
    try:
        info = source_info(ctx)
    except CouldNotCheck as err:
        return [Outcome.from_error("source image", err, line)]
    if info.problem:
        rule, detail, fix = info.problem
        return [Outcome("source image", "failed", detail, rule, line, fix)]
    if not info.found:
        return [Outcome("source image", "skipped", f"{info.label} is not checked")]
    return [Outcome("source image", "passed", f"{info.label} exists in {ctx.location} "
                    f"(generation {info.generation}, security {info.security})", line=line)]


def build_size(ctx: Context) -> tuple[str | None, int | None]:
    """The build VM size (the default for the source's generation when unset) and its line."""
    plan = ctx.plan
    if plan.vm_size:
        return plan.vm_size, plan.line("properties", "vmProfile", "vmSize")
    try:
        info = source_info(ctx)
    except CouldNotCheck:
        return None, None
    if info.generation is None:
        return None, None
    return DEFAULT_SIZE.get(info.generation, DEFAULT_SIZE["V1"]), plan.line("properties", "vmProfile") or source_line(ctx)
