"""Failures of File customizers (slow uploads of big files, downloads that fail)."""

from __future__ import annotations

from .. import customizers
from ..build import Build, Plot, Stop


class LargeFileCustomizer(Plot):
    """A File customizer uploads a huge file at a crawl (the guide's progress lines) until the deadline."""

    needs = ("file",)
    TOTAL = 826000000

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        src, local, dest = customizers.file_names(ctx, index, cust)
        customizers.file_download(w, ctx, index, cust)
        w.err(f"[INFO] Downloaded external file ({src}) to local file ({local}): {self.TOTAL} bytes", dt=90)
        w.say(f"Uploading {local} => {dest}", dt=0.3)
        name = dest.replace("\\", "/").rsplit("/", 1)[-1] or "file"
        pct = 0.0
        while pct < 63:
            pct += 1.0
            w.wait(1.0, hang=True)
            customizers.upload_progress(w, name, self.TOTAL, [(pct, 0.0)])
        return Stop("cancel")


class DownloadRefused(Plot):
    """AIB cannot download a File customizer's source: all ten attempts fail."""

    needs = ("file",)

    def __init__(self, detail: str) -> None:
        self.detail = detail

    def customizer(self, b: Build, index: int, cust: dict) -> Stop | None:
        w, ctx = b.w, b.ctx
        customizers.begin(w, cust)
        src, local, _ = customizers.file_names(ctx, index, cust)
        message = ""
        for attempt in range(1, 11):
            message = (f"Downloading external file ({src}) to local file ({local}) [attempt {attempt} of 10] "
                       f"failed: Error downloading '{src}' to '{local}'..")
            w.err(message, dt=ctx.rng.uniform(3, 9))
            w.err(f"[ERROR] {self.detail}")
        customizers.end(w, cust)
        return Stop("error", f"{message} {self.detail}")
