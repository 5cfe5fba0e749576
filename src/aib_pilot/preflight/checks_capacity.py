"""Checks of where the image is built and published: VM size offered, vCPU quota, the security
type / generation match, and the distribution targets."""

from __future__ import annotations

from aib_pilot.preflight.checks_source import build_size, gallery_image, region, security_of, source_info, source_line
from aib_pilot.preflight.context import Context, CouldNotCheck, Outcome, read
from aib_pilot.preflight.plan import PROXY_VM_SIZE, Distribution


def skus(ctx: Context) -> dict:
    """VM sizes (lower-case name -> REST JSON) listed for the build region, read once."""

    def fetch():
        pages = read(f"the VM sizes of {ctx.location}",
                     lambda: list(ctx.compute.resource_skus.list(filter=f"location eq '{ctx.location}'")),
                     scope=ctx.sub_scope)
        return {str(s.name).lower(): s.as_dict() for s in pages or []
                if str(getattr(s, "resource_type", "")).lower() == "virtualmachines"}

    return ctx.once.get("skus", fetch)


def capability(sku: dict, name: str) -> str | None:
    for cap in sku.get("capabilities") or []:
        if str(cap.get("name", "")).lower() == name.lower():
            return str(cap.get("value"))
    return None


def offered(sku: dict | None, loc: str) -> tuple[bool, str]:
    """(usable, why not): listed in the region and not restricted there."""
    if sku is None:
        return False, "is not offered"
    for r in sku.get("restrictions") or []:
        places = [region(x) for x in (r.get("restrictionInfo") or {}).get("locations") or r.get("values") or []]
        if str(r.get("type", "")).lower() == "location" and region(loc) in places:
            return False, f"is restricted ({r.get('reasonCode') or 'restricted'})"
    return True, ""


def check_vm_size(ctx: Context) -> list[Outcome]:
    size, line = build_size(ctx)
    if size is None:
        return [Outcome("vm size", "skipped", "vmProfile.vmSize is unset and the source's generation is unknown")]
    try:
        table = skus(ctx)
    except CouldNotCheck as err:
        return [Outcome.from_error("vm size", err, line)]
    ok, why = offered(table.get(size.lower()), ctx.location)
    if ok:
        return [Outcome("vm size", "passed", f"{size} is offered in {ctx.location}", line=line)]
    return [Outcome("vm size", "failed", f"{size} {why} in {ctx.location} for this subscription", "AIB609", line,
                    f"az vm list-skus --location {ctx.location} --resource-type virtualMachines --size {size} "
                    "--all -o table shows the restriction; pick a size listed without one for vmProfile.vmSize "
                    f"(az vm list-skus --location {ctx.location} --resource-type virtualMachines -o table)")]


def check_quota(ctx: Context) -> list[Outcome]:
    size, line = build_size(ctx)
    if size is None:
        return [Outcome("vCPU quota", "skipped", "the build VM size is unknown")]
    try:
        table = skus(ctx)
        usages = ctx.once.get("usages", lambda: read(f"the compute usages of {ctx.location}",
                                                     lambda: [u.as_dict() for u in ctx.compute.usage.list(ctx.location)],
                                                     scope=ctx.sub_scope))
    except CouldNotCheck as err:
        return [Outcome.from_error("vCPU quota", err, line)]
    sku = table.get(size.lower())
    if not offered(sku, ctx.location)[0]:
        return [Outcome("vCPU quota", "skipped", f"{size} is not offered (see the VM size check)")]
    need = {str(sku.get("family")): int(capability(sku, "vCPUs") or 1)}
    regional = need[str(sku.get("family"))]
    vm_profile = (ctx.plan.body.get("properties") or {}).get("vmProfile") or {}
    if ctx.plan.subnet is not None and not (vm_profile.get("vnetConfig") or {}).get("containerInstanceSubnetId"):
        proxy = table.get(PROXY_VM_SIZE.lower())
        if proxy:
            fam = str(proxy.get("family"))
            need[fam] = need.get(fam, 0) + int(capability(proxy, "vCPUs") or 1)
            regional += int(capability(proxy, "vCPUs") or 1)
    need["cores"] = regional
    by_name = {str((u.get("name") or {}).get("value", "")).lower(): u for u in usages or []}
    out = []
    for name, vcpus in need.items():
        usage = by_name.get(name.lower())
        if usage is None:
            continue
        free = int(usage.get("limit", 0)) - int(usage.get("currentValue", 0))
        if free < vcpus:
            what = (usage.get("name") or {}).get("localizedValue") or name
            out.append(Outcome("vCPU quota", "failed", f"{what} in {ctx.location}: {usage.get('currentValue')} of "
                               f"{usage.get('limit')} used, {free} free; the build needs {vcpus}", "AIB610", line,
                               f"az quota update --resource-name {name} --scope /subscriptions/"
                               f"{ctx.session.subscription_id}/providers/Microsoft.Compute/locations/{ctx.location} "
                               f"--limit-object value={int(usage.get('currentValue', 0)) + vcpus} --resource-type dedicated "
                               f"(or free vCPUs: az vm list-usage --location {ctx.location} -o table)"))
    return out or [Outcome("vCPU quota", "passed", f"room for {size} in {ctx.location}", line=line)]


def check_security(ctx: Context) -> list[Outcome]:
    """Generation and Trusted Launch of the source against the build size and each target."""
    name = "security type"
    try:
        info = source_info(ctx)
    except CouldNotCheck as err:
        return [Outcome.from_error(name, err, source_line(ctx))]
    if info.generation is None:
        return [Outcome(name, "skipped", "the source image could not be read")]
    out = []
    size, line = build_size(ctx)
    try:
        sku = skus(ctx).get((size or "").lower())
    except CouldNotCheck:
        sku = None
    if sku is not None:
        gens = [g.strip().upper() for g in (capability(sku, "HyperVGenerations") or "V1").split(",")]
        if info.generation not in gens:
            out.append(Outcome(name, "failed", f"the source {info.label} is generation {info.generation}; {size} "
                               f"supports {', '.join(gens)}", "AIB608", line,
                               f"az vm list-skus --location {ctx.location} --resource-type virtualMachines -o json "
                               f"--query \"[?capabilities[?name=='HyperVGenerations' && contains(value, "
                               f"'{info.generation}')]].name\" (pick one for vmProfile.vmSize)"))
        elif info.security == "required" and (capability(sku, "TrustedLaunchDisabled") or "").lower() == "true":
            out.append(Outcome(name, "failed", f"the source {info.label} needs Trusted Launch; {size} does not support it",
                               "AIB608", line, "Choose a vmProfile.vmSize that supports Trusted Launch "
                               f"(az vm list-skus --location {ctx.location} --resource-type virtualMachines -o table)"))
    for dist in ctx.plan.distributions:
        try:
            out.extend(_target_fit(ctx, info, dist))
        except CouldNotCheck as err:
            out.append(Outcome.from_error(name, err, dist.target_line))
    return out or [Outcome(name, "passed", f"generation {info.generation} / {info.security} fits the build VM and targets")]


def _target_fit(ctx: Context, info, dist: Distribution) -> list[Outcome]:
    name = "security type"
    if dist.kind.lower() == "managedimage" and info.security == "required":
        return [Outcome(name, "failed", f"the source {info.label} is Trusted Launch only; managed images cannot be "
                        "created from Trusted Launch VMs", "AIB608", dist.target_line,
                        "Distribute to a gallery image definition with --features SecurityType=TrustedLaunch instead "
                        "of a managed image")]
    if dist.kind.lower() != "sharedimage" or dist.target is None or not dist.target.name("images"):
        return []
    t = dist.target
    definition = gallery_image(ctx, t.rg, t.name("galleries"), t.name("images"))
    if definition is None:
        return []          # reported by the distribution check
    props = definition.get("properties") or {}
    gen = str(props.get("hyperVGeneration") or "V1").upper()
    target_sec = security_of(props)
    create = (f"az sig image-definition create -g {t.rg} --gallery-name {t.name('galleries')} "
              f"--gallery-image-definition {t.name('images')}-{'tl' if info.security == 'required' else 'std'} "
              f"--publisher <publisher> --offer <offer> --sku <sku> --os-type {props.get('osType') or 'Linux'} "
              f"--hyper-v-generation {info.generation}")
    if gen != info.generation:
        return [Outcome(name, "failed", f"the target definition {t.name('images')} is generation {gen}, the source "
                        f"{info.label} is {info.generation}", "AIB608", dist.target_line, create)]
    if info.security == "required" and target_sec == "standard":
        return [Outcome(name, "failed", f"the source {info.label} is Trusted Launch; the target definition "
                        f"{t.name('images')} has security type Standard", "AIB608", dist.target_line,
                        create + " --features SecurityType=TrustedLaunch (and point galleryImageId at it)")]
    if target_sec == "required" and info.security == "standard":
        return [Outcome(name, "failed", f"the target definition {t.name('images')} requires Trusted Launch; the source "
                        f"{info.label} does not support it", "AIB608", dist.target_line,
                        create + " (a Standard definition), or use a Trusted Launch capable source image")]
    return []
