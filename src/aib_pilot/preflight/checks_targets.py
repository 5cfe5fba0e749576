"""Checks of the distribution targets: the gallery and image definition exist, the version to
publish does not, target regions are regions; a managed image's name is free."""

from __future__ import annotations

from aib_pilot.preflight.checks_source import gallery_image, region, source_info
from aib_pilot.preflight.context import Context, CouldNotCheck, Outcome, read
from aib_pilot.preflight.plan import Distribution


def gallery_regions(ctx: Context) -> set[str]:
    """Regions where Microsoft.Compute offers galleries in this subscription (provider metadata)."""

    def fetch():
        provider = read("the Microsoft.Compute provider", lambda: ctx.resources.providers.get("Microsoft.Compute"),
                        scope=ctx.sub_scope)
        types = getattr(provider, "resource_types", None) or []
        for rtype in types:
            if str(rtype.resource_type).lower() == "galleries":
                return {region(x) for x in rtype.locations or []}
        return set()

    return ctx.once.get("gallery-regions", fetch)


def publish_version(ctx: Context, dist: Distribution) -> str | None:
    """The gallery image version a SharedImage distributor publishes, when it can be known before
    the build: an explicit ``.../versions/<v>`` in galleryImageId, or ``versioning.scheme: Source``
    with a gallery source (the source's version number)."""
    explicit = dist.target.name("versions") if dist.target else None
    if explicit:
        return explicit
    raw = ((ctx.plan.body.get("properties") or {}).get("distribute") or [])[dist.index]
    scheme = str(((raw.get("versioning") or {}) if isinstance(raw, dict) else {}).get("scheme", "")).lower()
    if scheme == "source" and str(ctx.plan.source.get("type", "")).lower() == "sharedimageversion":
        try:
            return source_info(ctx).version
        except CouldNotCheck:
            return None
    return None


def check_distribution(ctx: Context, dist: Distribution) -> list[Outcome]:
    name = f"distribute[{dist.index}] ({dist.kind})"
    try:
        if dist.kind.lower() == "sharedimage":
            return _shared_image(ctx, dist, name)
        if dist.kind.lower() == "managedimage":
            return _managed_image(ctx, dist, name)
    except CouldNotCheck as err:
        return [Outcome.from_error(name, err, dist.target_line)]
    return [Outcome(name, "skipped", f"{dist.kind or 'this'} distribution needs no Azure lookup")]


def _shared_image(ctx: Context, dist: Distribution, name: str) -> list[Outcome]:
    t = dist.target
    if t is None or not (t.name("galleries") and t.name("images")):
        return [Outcome(name, "failed", f"{dist.raw_target!r} is not a gallery image definition ID", "AIB611",
                        dist.target_line, "Use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/"
                        "galleries/<gallery>/images/<definition>")]
    gallery, image = t.name("galleries"), t.name("images")
    out = []
    found = read(f"gallery {gallery}", lambda: ctx.compute.galleries.get(t.rg, gallery), scope=t.prefix(1))
    if found is None:
        return [Outcome(name, "failed", f"gallery {gallery} does not exist in resource group {t.rg}", "AIB611",
                        dist.target_line, f"az sig create -g {t.rg} --gallery-name {gallery} && az sig image-definition "
                        f"create -g {t.rg} --gallery-name {gallery} --gallery-image-definition {image} --publisher "
                        "<publisher> --offer <offer> --sku <sku> --os-type Linux --hyper-v-generation V2")]
    if gallery_image(ctx, t.rg, gallery, image) is None:
        return [Outcome(name, "failed", f"image definition {image} does not exist in gallery {gallery}", "AIB611",
                        dist.target_line, f"az sig image-definition create -g {t.rg} --gallery-name {gallery} "
                        f"--gallery-image-definition {image} --publisher <publisher> --offer <offer> --sku <sku> "
                        "--os-type Linux --hyper-v-generation V2 (match the source's generation and security type)")]
    version = publish_version(ctx, dist)
    if version:
        existing = read(f"gallery image version {gallery}/{image}/{version}",
                        lambda: ctx.compute.gallery_image_versions.get(t.rg, gallery, image, version),
                        scope=t.prefix(2))
        if existing is not None:
            out.append(Outcome(name, "failed", f"gallery image version {gallery}/{image}/{version} already exists",
                               "AIB612", dist.target_line,
                               f"az sig image-version delete -g {t.rg} --gallery-name {gallery} --gallery-image-definition "
                               f"{image} --gallery-image-version {version} (or publish a new version number)"))
    if dist.regions:
        valid = gallery_regions(ctx)
        for reg, line in dist.regions:
            if valid and region(reg) not in valid:
                out.append(Outcome(name, "failed", f"target region {reg!r} is not a region where galleries are offered",
                                   "AIB613", line or dist.line, "az account list-locations --query \"[].name\" -o tsv"))
    return out or [Outcome(name, "passed", f"{gallery}/{image} exists" + (f"; version {version} is free" if version else ""),
                           line=dist.target_line)]


def _managed_image(ctx: Context, dist: Distribution, name: str) -> list[Outcome]:
    t = dist.target
    if t is None or not t.name("images"):
        return [Outcome(name, "failed", f"{dist.raw_target!r} is not a managed image ID", "AIB614", dist.target_line,
                        "Use /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/images/<name>")]
    found = read(f"managed image {t.name('images')}", lambda: ctx.compute.images.get(t.rg, t.name("images")),
                 scope=t.text)
    if found is not None:
        return [Outcome(name, "failed", f"managed image {t.name('images')} already exists in {t.rg}", "AIB614",
                        dist.target_line, f"az image delete -g {t.rg} -n {t.name('images')} (or choose a new image name)")]
    return [Outcome(name, "passed", f"managed image name {t.name('images')} is free", line=dist.target_line)]
