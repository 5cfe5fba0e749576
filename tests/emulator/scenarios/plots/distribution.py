"""Failures while publishing the image (gallery replication, security type, existing versions, partial success)."""

from __future__ import annotations

from .. import phases
from ..build import Build, Plot, Stop
from .helpers import (gallery_parts, gallery_target, sig_publish_header)


class SigReplicationTimeout(Plot):
    """Gallery replication outlasts the build timeout; the version exists and keeps replicating."""

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        index, dist = gallery_target(b)
        for i, d in enumerate(ctx.distribute[:index]):
            phases.distribute_one(w, ctx, i, d, phases.sig_version(ctx, d))
        version = phases.sig_version(ctx, dist)
        path = sig_publish_header(b, index, dist, version)
        for _ in range(40):
            w.wait(1.0, hang=True)
            phases.azure_request(w, ctx, "GET", path)
        gid, rg, gallery, image, _ = gallery_parts(ctx, dist)
        message = (f"Error publishing MDI to shared image gallery:{gid}, Location:{ctx.location}. Error: Error "
                   "returned from SIG client while publishing MDI to shared image gallery for dstImageLocation: "
                   f"{ctx.location}, dstSubscription: {ctx.subscription}, dstResourceGroupName: {rg}, "
                   f"dstGalleryName: {gallery}, dstGalleryImageName: {image}. Error: Error waiting on shared "
                   f"image gallery future for resource group: {rg}, gallery name: {gallery}, gallery image "
                   f"name: {image}.Error: Future#WaitForCompletion: context has been cancelled: StatusCode=200 "
                   "-- Original Error: context deadline exceeded")
        w.say(f"ERROR: -> {message}", dt=1.0)
        return Stop("error", message)


class GalleryPublishRejected(Plot):
    """Publishing the gallery image version is refused: ``message`` formatted with the image
    definition name ``{image}`` and the version ``{version}``."""

    def __init__(self, message: str, *, version: str | None = None) -> None:
        self.message, self.version = message, version

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        index, dist = gallery_target(b)
        version = self.version or phases.sig_version(ctx, dist)
        sig_publish_header(b, index, dist, version)
        _, _, _, image, _ = gallery_parts(ctx, dist)
        message = self.message.format(image=image, version=version)
        w.say(f"ERROR: -> {message}", dt=3)
        return Stop("error", message)


#: A Trusted Launch image published to a gallery definition without the TrustedLaunch feature.
TRUSTED_LAUNCH = (
    "compute.GalleryImageVersionsClient#CreateOrUpdate: Failure sending request: StatusCode=400 -- "
    "Original Error: Code=\"BadRequest\" Message=\"The source of the gallery image version has "
    "SecurityType 'TrustedLaunch', which is not supported by the gallery image definition "
    "'{image}'. Create the image definition with the feature SecurityType=TrustedLaunchSupported.\"")


#: The gallery already holds the version this build publishes (fixed version, second build).
VERSION_EXISTS = (
    "compute.GalleryImageVersionsClient#CreateOrUpdate: Failure sending request: StatusCode=409 -- "
    "Original Error: Code=\"Conflict\" Message=\"Gallery image version '{image}/versions/{version}' "
    "already exists and its source cannot be changed.\"")


class PartialDistribution(Plot):
    """One of several distribution targets fails (its gallery image definition is missing); the
    others are published, so AIB reports PartiallySucceeded."""

    def distribute(self, b: Build) -> Stop | None:
        w, ctx = b.w, b.ctx
        failing, _ = gallery_target(b)
        for i, dist in enumerate(ctx.distribute):
            if i != failing or dist.get("type") != "SharedImage":
                phases.distribute_one(w, ctx, i, dist, phases.sig_version(ctx, dist))
                continue
            sig_publish_header(b, i, dist, phases.sig_version(ctx, dist))
            gid, rg, gallery, image, _ = gallery_parts(ctx, dist)
            w.say(f"[Distribute {i}] Error publishing MDI to shared image gallery:{gid}, Location:{ctx.location}. "
                  f"Error: compute.GalleryImagesClient#Get: Failure responding to request: StatusCode=404 -- "
                  f"Original Error: Code=\"GalleryImageNotFound\" Message=\"The gallery image {image} is not "
                  f"found in gallery {gallery} (resource group {rg}).\"", dt=2)
        return None
