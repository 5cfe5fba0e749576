"""The live log as a reader sees it while a build runs: complete lines, one group per customizer.

The monitor feeds the bytes it just saved; this turns them into lines for the sink (which curates,
cleans and prints them) and opens a group titled after the template's customizer that runs.
"""

from __future__ import annotations

import re
from pathlib import Path


class LiveLog:
    """Turns new log bytes into complete lines for the sink, one group per customizer."""

    START = re.compile(r"\(telemetry\) Starting provisioner (\S+)")
    END = re.compile(r"\(telemetry\) ending (\S+)")

    def __init__(self, sink, *, enabled: bool = True, customizers: list[dict] | None = None):
        self.sink = sink
        self.enabled = enabled
        self.customizers = customizers or []
        self.partial = b""
        self.open_group: str | None = None
        self.started = 0  # provisioners started so far
        self.cursor = 0  # next template customizer a provisioner can belong to

    def resume_from(self, path: Path | None) -> None:
        """Restore group state and the partial last line from a saved log, printing nothing."""
        if not path or not path.exists():
            return
        with open(path, "rb") as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    self.partial = raw
                    break
                text = raw.decode("utf-8", "replace")
                if self.START.search(text):
                    self.started += 1
                    self.open_group = self.START.search(text).group(1)
                    self.open_title = self._title(self.open_group)
                elif self.END.search(text):
                    self.open_group = None
        if self.open_group and self.enabled:
            self.sink.group_start(self.open_title + " (continued)")

    # Packer provisioner name -> AIB customizer type (docs/diagnosis.md: how customizers map to provisioners)
    KINDS = {"shell": "shell", "powershell": "powershell", "file": "file", "windows-restart": "windowsrestart",
             "windows-update": "windowsupdate"}

    def _title(self, provisioner: str) -> str:
        """Name the group after the template's next customizer of the same kind, if there is one."""
        kind = self.KINDS.get(provisioner.lower())
        for index in range(self.cursor, len(self.customizers)):
            item = self.customizers[index]
            if kind and str(item.get("type", "")).lower() == kind:
                self.cursor = index + 1
                label = item.get("name") or item.get("type")
                return f"customizer {index + 1}/{len(self.customizers)}: {label} ({provisioner})"
        if self.customizers:  # every customizer of that kind has run: Image Builder's own step
            return f"Image Builder's own {provisioner} step (deprovisioning; not in your template)"
        return f"provisioner {self.started}: {provisioner}"

    def feed(self, data: bytes) -> None:
        if not data:
            return
        chunk = self.partial + data
        lines = chunk.split(b"\n")
        self.partial = lines.pop()
        pending: list[str] = []

        def flush() -> None:
            if pending and self.enabled:
                self.sink.log_lines(list(pending))
            pending.clear()

        for raw in lines:
            text = raw.decode("utf-8", "replace").rstrip("\r")
            start = self.START.search(text)
            if start:
                flush()
                if self.open_group and self.enabled:
                    self.sink.group_end()
                self.started += 1
                self.open_group = start.group(1)
                if self.enabled:
                    self.sink.group_start(self._title(self.open_group))
                pending.append(text)
                continue
            pending.append(text)
            if self.open_group and self.END.search(text):
                flush()
                if self.enabled:
                    self.sink.group_end()
                self.open_group = None
        flush()

    def close(self) -> None:
        if self.partial and self.enabled:
            self.sink.log_lines([self.partial.decode("utf-8", "replace").rstrip("\r")])
        self.partial = b""
        if self.open_group and self.enabled:
            self.sink.group_end()
        self.open_group = None
