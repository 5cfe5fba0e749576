"""Fixtures for report tests: a sink session runner and the runner-style output-file parser."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aib_pilot.report import make_sink

from .samples import HOSTILE_LINES, PREFIXED_HOSTILE_LINES, typed_result

TEMPLATE = "images/ubuntu.json"
SECRET = "s3cr3t-client-value-123"


class Session:
    """Everything one sink printed or wrote."""

    def __init__(self, fmt: str, tmp: Path, with_env: bool = True, live_log: str | None = None):
        self.fmt = fmt
        self.tmp = tmp
        tmp.mkdir(parents=True, exist_ok=True)
        self.output_file = tmp / "github_output"
        self.summary_file = tmp / "step_summary"
        self.env = {"NO_COLOR": "1"}
        if with_env:
            self.env.update(GITHUB_OUTPUT=str(self.output_file), GITHUB_STEP_SUMMARY=str(self.summary_file),
                            AGENT_TEMPDIRECTORY=str(tmp))
            self.output_file.write_text("")
            self.summary_file.write_text("")
        self.out, self.err = io.StringIO(), io.StringIO()
        self.sink = make_sink(fmt, out=self.out, env=self.env, err=self.err, live_log=live_log)

    @property
    def stdout(self) -> str:
        return self.out.getvalue()

    @property
    def stderr(self) -> str:
        return self.err.getvalue()

    def files_text(self) -> str:
        """Every file the sink wrote (outputs, summaries, uploaded summary files)."""
        parts = []
        for path in sorted(self.tmp.iterdir()):
            if path.is_file():
                parts.append(path.read_text(encoding="utf-8"))
        return "\n".join(parts)

    def everything(self) -> str:
        return "\n".join([self.stdout, self.stderr, self.files_text()])


def play(session: Session, result: dict, *, hostile: bool) -> Session:
    """A monitor-like sequence of calls ending with result() (``result`` as JSON; typed here)."""
    sink = session.sink
    at = datetime(2026, 11, 25, 22, 4, 30, tzinfo=timezone.utc)
    hostile_lines = HOSTILE_LINES + PREFIXED_HOSTILE_LINES
    lines = hostile_lines if hostile else [f"    azure-arm: benign line {i}" for i in range(len(hostile_lines))]
    sink.secret(SECRET)
    sink.info("Submitting image template ubuntu-nginx")
    sink.transition("Running", "Building", at)
    sink.heartbeat("still building, 3m10s elapsed")
    sink.transition("Running", "Customizing", at)
    sink.group_start("update-packages" if not hostile else "::error::pwned ##vso[task.complete result=Succeeded;]")
    sink.log_lines(lines)
    sink.group_start("install-nginx" if not hostile else "##[error]group-two")
    sink.log_lines([f"line with the secret {SECRET} inside"] + lines[:5])
    sink.group_end()
    sink.warning("ARM throttled the request; retrying" if not hostile else lines[9])
    sink.error("lost the log stream for 30s" if not hostile else lines[0])
    sink.info("benign info" if not hostile else "\n".join(lines))
    sink.result(typed_result(result), template_path=TEMPLATE)
    return session


@pytest.fixture
def session_factory(tmp_path):
    counter = {"n": 0}

    def make(fmt: str, *, with_env: bool = True, live_log: str | None = None) -> Session:
        counter["n"] += 1
        return Session(fmt, tmp_path / f"s{counter['n']}", with_env, live_log)

    return make


def parse_env_file(text: str) -> dict[str, str]:
    """Read a GITHUB_OUTPUT file the way the runner does (name=value or name<<DELIM ... DELIM)."""
    lines = text.split("\n")
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if eq >= 0 and (heredoc < 0 or eq < heredoc):
            name, value = line.split("=", 1)
            values[name] = value
            continue
        assert heredoc > 0, f"invalid line in output file: {line!r}"
        name, delimiter = line[:heredoc], line[heredoc + 2:]
        assert name and delimiter
        body = []
        while True:
            assert index < len(lines), f"missing delimiter {delimiter!r} for {name}"
            candidate = lines[index]
            index += 1
            if candidate == delimiter:
                break
            body.append(candidate)
        values[name] = "\n".join(body)
    return values
