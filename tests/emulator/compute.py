"""Microsoft.Compute reads for preflight: platform images, galleries, managed images, SKUs, usages.

Paths and shapes follow Azure/azure-rest-api-specs (docs/preflight.md lists the files):
* VirtualMachineImages_Get / _List: ``/subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/
  publishers/{pub}/artifacttypes/vmimage/offers/{offer}/skus/{sku}/versions[/{version}]``; the list
  honours ``$orderby=name desc`` and ``$top``; a version answers ``properties.hyperVGeneration`` and
  ``properties.features`` (``SecurityType``).
* ResourceSkus_List: ``/subscriptions/{s}/providers/Microsoft.Compute/skus`` with
  ``$filter=location eq '<loc>'``; ``capabilities`` name/value strings, ``restrictions`` with
  ``type``, ``values``, ``restrictionInfo`` and ``reasonCode``.
* Usage_List: ``/subscriptions/{s}/providers/Microsoft.Compute/locations/{loc}/usages``.
* Galleries_Get, GalleryImages_Get, GalleryImageVersions_Get (``$expand=ReplicationStatus``) and
  Images_Get under ``/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Compute/...``.
"""
from __future__ import annotations

import re

from .httpserver import Request, Response, json_response
from .world import ApiError

DISPLAY = {"eastus": "East US", "eastus2": "East US 2", "westus2": "West US 2", "westus3": "West US 3",
           "westeurope": "West Europe", "northeurope": "North Europe", "koreacentral": "Korea Central"}


def region(name: str) -> str:
    """Normalise 'East US' / 'eastus' to the short name."""
    return re.sub(r"\s+", "", str(name)).lower()


def _version_key(text: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"[.]", text)]


class ComputeRoutes:
    def __init__(self, estate, caller_oid: str):
        self.estate, self.caller = estate, caller_oid

    def __call__(self, req: Request, segs, low) -> Response | None:
        from .estate import read_only

        # subscription-level: providers/microsoft.compute/...
        if low[2:4] == ["providers", "microsoft.compute"]:
            read_only(req)
            self.estate.check_caller(req.path, "Microsoft.Compute/*/read", self.caller)
            rest, rlow = segs[4:], low[4:]
            if rlow == ["skus"]:
                return self._skus(req)
            if len(rlow) == 3 and rlow[0] == "locations" and rlow[2] == "usages":
                return self._usages(rest[1])
            if len(rlow) >= 10 and rlow[0] == "locations" and rlow[2] == "publishers" \
                    and rlow[4:6] == ["artifacttypes", "vmimage"] and rlow[6] == "offers" and rlow[8] == "skus":
                loc, pub, offer, sku = rest[1], rest[3], rest[7], rest[9]
                if rlow[10:11] == ["versions"]:
                    return self._platform(req, loc, pub, offer, sku, rest[11] if len(rest) > 11 else None)
            return None
        # resource-group level: resourcegroups/{rg}/providers/microsoft.compute/{galleries|images}/...
        if len(low) >= 7 and low[2] == "resourcegroups" and low[4:6] == ["providers", "microsoft.compute"] \
                and low[6] in ("galleries", "images"):
            read_only(req)
            rg, tail = segs[3], segs[6:]
            if self.estate.world.get_rg(rg) is None:
                raise ApiError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")
            action = "Microsoft.Compute/galleries/read" if low[6] == "galleries" else "Microsoft.Compute/images/read"
            self.estate.check_caller(req.path, action, self.caller)
            if low[6] == "images" and len(tail) == 2:
                return self._managed_image(rg, tail[1])
            if low[6] == "galleries" and len(tail) in (2, 4, 5, 6):
                return self._gallery(req, rg, tail)
        return None

    # -- platform images ----------------------------------------------------------------------
    def _platform(self, req: Request, loc, pub, offer, sku, version) -> Response:
        sub = self.estate.sub
        found = [i for i in self.estate.items("platformImages")
                 if region(i["location"]) == region(loc) and i["publisher"].lower() == pub.lower()
                 and i["offer"].lower() == offer.lower() and i["sku"].lower() == sku.lower()]
        base = (f"/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/{region(loc)}/Publishers/{pub}/"
                f"ArtifactTypes/VMImage/Offers/{offer}/Skus/{sku}/Versions")
        if version is None:
            if not found:
                raise ApiError(404, "NotFound", "Artifact: VMImage was not found.")
            items = sorted(found, key=lambda i: _version_key(str(i["version"])))
            if req.query.get("$orderby", "").lower().replace(" ", "") == "namedesc":
                items.reverse()
            top = req.query.get("$top")
            if top and top.isdigit():
                items = items[:int(top)]
            return json_response(200, [{"location": region(loc), "name": str(i["version"]),
                                        "id": f"{base}/{i['version']}"} for i in items])
        image = next((i for i in found if str(i["version"]) == version), None)
        if image is None:
            raise ApiError(404, "NotFound", "Artifact: VMImage was not found.")
        props = {"hyperVGeneration": image.get("hyperVGeneration", "V1"), "architecture": "x64",
                 "osDiskImage": {"operatingSystem": image.get("osType", "Linux")}, "dataDiskImages": [],
                 "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": False}}
        if image.get("securityType"):
            props["features"] = [{"name": "SecurityType", "value": image["securityType"]}]
        return json_response(200, {"id": f"{base}/{version}", "name": version, "location": region(loc),
                                   "properties": props})

    # -- SKUs and usages -------------------------------------------------------------------------
    def _skus(self, req: Request) -> Response:
        wanted = re.search(r"location\s+eq\s+'([^']+)'", req.query.get("$filter", ""), re.I)
        out = []
        for size in self.estate.items("vmSizes"):
            locs = [region(x) for x in size.get("locations") or []]
            if wanted:
                locs = [x for x in locs if x == region(wanted.group(1))]
                if not locs:
                    continue
            caps = [("vCPUs", str(size.get("vCPUs", 1))), ("HyperVGenerations", size.get("hyperVGenerations", "V1")),
                    ("MemoryGB", str(size.get("memoryGB", 4)))]
            if size.get("trustedLaunchDisabled"):
                caps.append(("TrustedLaunchDisabled", "True"))
            restrictions = []
            for r in size.get("restrictions") or []:
                r_locs = [region(x) for x in r.get("locations") or locs]
                restrictions.append({"type": r.get("type", "Location"), "values": r_locs,
                                     "restrictionInfo": {"locations": r_locs, "zones": r.get("zones") or []},
                                     "reasonCode": r.get("reasonCode", "NotAvailableForSubscription")})
            out.append({"resourceType": "virtualMachines", "name": size["name"], "tier": "Standard",
                        "size": size["name"].split("_", 1)[-1], "family": size["family"], "locations": locs,
                        "locationInfo": [{"location": x, "zones": [], "zoneDetails": []} for x in locs],
                        "capabilities": [{"name": n, "value": v} for n, v in caps],
                        "restrictions": restrictions})
        return json_response(200, {"value": out})

    def _usages(self, loc: str) -> Response:
        table = {region(k): v for k, v in (self.estate.doc.get("usages") or {}).items()}.get(region(loc), {})
        names = {"cores": "Total Regional vCPUs", "virtualMachines": "Virtual Machines"}
        value = [{"unit": "Count", "currentValue": int(cur), "limit": int(lim),
                  "name": {"value": name, "localizedValue": names.get(name, name)}}
                 for name, (cur, lim) in table.items()]
        return json_response(200, {"value": value})

    # -- managed images ---------------------------------------------------------------------------
    def _managed_image(self, rg: str, name: str) -> Response:
        for img in self.estate.items("managedImages"):
            if img["resourceGroup"].lower() == rg.lower() and img["name"].lower() == name.lower():
                rid = self.estate.scope(f"/resourceGroups/{img['resourceGroup']}/providers/Microsoft.Compute/images/{img['name']}")
                return json_response(200, {
                    "id": rid, "name": img["name"], "type": "Microsoft.Compute/images", "location": img["location"],
                    "properties": {"provisioningState": "Succeeded", "hyperVGeneration": img.get("hyperVGeneration", "V1"),
                                   "storageProfile": {"osDisk": {"osType": img.get("osType", "Linux"),
                                                                 "osState": "Generalized", "caching": "ReadWrite"},
                                                      "dataDisks": []}}})
        raise ApiError(404, "ResourceNotFound", f"The Resource 'Microsoft.Compute/images/{name}' under resource "
                       f"group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")

    # -- galleries ---------------------------------------------------------------------------------
    def _gallery(self, req: Request, rg: str, tail) -> Response:
        gname = tail[1]
        gallery = next((g for g in self.estate.items("galleries")
                        if g["resourceGroup"].lower() == rg.lower() and g["name"].lower() == gname.lower()), None)
        if gallery is None:
            raise _not_found("galleries", gname, rg)
        gid = self.estate.scope(f"/resourceGroups/{gallery['resourceGroup']}/providers/Microsoft.Compute/galleries/{gallery['name']}")
        if len(tail) == 2:
            return json_response(200, {"id": gid, "name": gallery["name"], "type": "Microsoft.Compute/galleries",
                                       "location": gallery["location"],
                                       "properties": {"identifier": {"uniqueName": f"{self.estate.sub}-{gallery['name'].upper()}"},
                                                      "provisioningState": "Succeeded"}})
        if tail[2].lower() != "images":
            return None
        image = next((i for i in gallery.get("images") or [] if i["name"].lower() == tail[3].lower()), None)
        if image is None:
            raise _not_found("galleries/images", f"{gallery['name']}/{tail[3]}", rg)
        iid = f"{gid}/images/{image['name']}"
        if len(tail) == 4:
            props = {"identifier": {"publisher": image.get("publisher", "contoso"), "offer": image.get("offer", image["name"]),
                                    "sku": image.get("sku", "1")},
                     "osType": image.get("osType", "Linux"), "osState": "Generalized",
                     "hyperVGeneration": image.get("hyperVGeneration", "V1"), "provisioningState": "Succeeded",
                     "architecture": "x64"}
            if image.get("securityType") and image["securityType"] != "Standard":
                props["features"] = [{"name": "SecurityType", "value": image["securityType"]}]
            return json_response(200, {"id": iid, "name": image["name"], "location": gallery["location"],
                                       "type": "Microsoft.Compute/galleries/images", "properties": props})
        if tail[4].lower() != "versions":
            return None
        if len(tail) == 5:      # GalleryImageVersions_ListByGalleryImage
            return json_response(200, {"value": [self._version_json(req, gallery, iid, v)
                                                 for v in image.get("versions") or []]})
        version = next((v for v in image.get("versions") or [] if str(v["name"]) == tail[5]), None)
        if version is None:
            raise _not_found("galleries/images/versions", f"{gallery['name']}/{image['name']}/{tail[5]}", rg)
        return json_response(200, self._version_json(req, gallery, iid, version))

    def _version_json(self, req: Request, gallery: dict, iid: str, version: dict) -> dict:
        regions = [region(r) for r in version.get("regions") or [gallery["location"]]]
        props = {"publishingProfile": {"targetRegions": [{"name": DISPLAY.get(r, r), "regionalReplicaCount": 1,
                                                          "storageAccountType": "Standard_LRS"} for r in regions],
                                       "replicaCount": 1, "excludeFromLatest": False,
                                       "publishedDate": "2025-01-01T00:00:00+00:00",
                                       "storageAccountType": "Standard_LRS"},
                 "storageProfile": {"osDiskImage": {"sizeInGB": 30, "hostCaching": "ReadWrite"}},
                 "provisioningState": "Succeeded"}
        if "replicationstatus" in req.query.get("$expand", "").lower():
            props["replicationStatus"] = {"aggregatedState": "Completed", "summary": [
                {"region": DISPLAY.get(r, r), "state": "Completed", "details": "", "progress": 100} for r in regions]}
        return {"id": f"{iid}/versions/{version['name']}", "name": str(version["name"]),
                "type": "Microsoft.Compute/galleries/images/versions", "location": gallery["location"],
                "properties": props}


def _not_found(rtype: str, name: str, rg: str) -> ApiError:
    return ApiError(404, "ResourceNotFound", f"The Resource 'Microsoft.Compute/{rtype}/{name}' under resource group "
                    f"'{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")
