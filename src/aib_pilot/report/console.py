"""The one writer for everything aib-pilot prints, on stdout and on stderr, in every format.

Both CI runners read commands from BOTH streams (the GitHub runner and the Azure DevOps agent
process every line a step writes, stdout or stderr), so every line goes through :class:`Console`:

* :meth:`Console.line` -- prose and untrusted text: secrets masked, then every line break split and
  each line neutralised (report/safety.py), so a template key, a step input, a file name or
  Azure's message can never become a workflow or logging command;
* :meth:`Console.command` -- a command line aib-pilot itself authored (``::error ...``,
  ``##vso[task.logissue ...]``) whose values the sink already escaped: secrets masked, no
  neutralising (it must stay a command);
* :meth:`Console.partial` -- the terminal status line (no line end): masked and neutralised.

Secrets: every value given as a secret through the environment (``secrets_from_env``: the
service principal secret, the CI job tokens, the Azure DevOps service connection's key or
certificate, the secret inputs of the action and the task) and every value registered with
:meth:`Console.secret`; then the known secret shapes of ``aib_pilot.redact``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Iterable, Mapping, TextIO

from aib_pilot.azure.login_settings import creds_secrets
from aib_pilot.redact import MASK, redact

# Variables whose whole value is a secret (azure-identity, GitHub Actions, Azure Pipelines, and the
# secret inputs of the action (INPUT_<NAME>) and the task (INPUT_<NAME>)).
SECRET_VARIABLES = (
    "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_RUNTIME_TOKEN", "SYSTEM_ACCESSTOKEN", "GITHUB_TOKEN", "AIB_PILOT_GITHUB_TOKEN",
    "INPUT_CLIENT-SECRET", "INPUT_CLIENT_SECRET", "INPUT_CLIENTSECRET", "INPUT_GITHUB-TOKEN",
    "INPUT_GITHUB_TOKEN",
)
# Azure DevOps passes a service connection's credential as ENDPOINT_AUTH_PARAMETER_<id>_<KEY> and
# inside the JSON of ENDPOINT_AUTH_<id>; these keys hold secrets.
SECRET_ENDPOINT_KEYS = ("SERVICEPRINCIPALKEY", "SERVICEPRINCIPALCERTIFICATE", "ACCESSTOKEN", "PASSWORD",
                        "CERTIFICATEPASSWORD", "APITOKEN")
_ENDPOINT_PARAMETER = re.compile(r"(?i)^ENDPOINT_AUTH_PARAMETER_.+_(" + "|".join(SECRET_ENDPOINT_KEYS) + r")$")
_ENDPOINT_AUTH = re.compile(r"(?i)^ENDPOINT_AUTH_[^_]+$")
MIN_SECRET = 4  # shorter values would mask ordinary words


def secrets_from_env(env: Mapping[str, str]) -> list[str]:
    """Every value the environment gives aib-pilot as a secret."""
    found: list[str] = []
    for name, value in env.items():
        if not value:
            continue
        upper = name.upper()
        if upper in SECRET_VARIABLES or _ENDPOINT_PARAMETER.match(upper):
            found.append(value)
        elif value.lstrip().startswith("{") and creds_secrets(value):  # an AZURE_CREDENTIALS JSON, any name
            found += creds_secrets(value)
        elif _ENDPOINT_AUTH.match(upper) and value.lstrip().startswith("{"):
            try:
                params = (json.loads(value).get("parameters") or {})
            except (ValueError, AttributeError):
                continue
            found += [str(v) for k, v in params.items() if str(k).upper() in SECRET_ENDPOINT_KEYS and v]
    return found


class Secrets:
    """Values to mask, longest first (so a secret containing another is masked whole)."""

    def __init__(self, values: Iterable[str] = ()):
        self._values: set[str] = set()
        self.ordered: list[str] = []
        for value in values:
            self.add(value)

    def add(self, value) -> None:
        value = "" if value is None else str(value)
        parts = [value, *value.splitlines(), *(line.strip() for line in value.splitlines())]
        for part in parts:
            if len(part) >= MIN_SECRET:
                self._values.add(part)
        self.ordered = sorted(self._values, key=len, reverse=True)

    def hide(self, text) -> str:
        text = "" if text is None else str(text)
        for value in self.ordered:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def __contains__(self, value: str) -> bool:
        return value in self._values


class Console:
    """Writes lines to ``out`` (stdout) and ``err`` (stderr); see the module docstring."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None,
                 env: Mapping[str, str] | None = None, secrets: Secrets | None = None):
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.secrets = secrets if secrets is not None else Secrets(secrets_from_env(env or {}))

    # -- secrets --------------------------------------------------------------------------
    def secret(self, value) -> None:
        self.secrets.add(value)

    def mask(self, text) -> str:
        """Registered secrets, then the known secret shapes."""
        return redact(self.secrets.hide(text))

    # -- writing --------------------------------------------------------------------------
    def safe(self, text) -> list[str]:
        """Text as printable lines: masked, split on every line break, each line neutralised."""
        from aib_pilot.report.safety import neutralise, split_lines

        return [neutralise(line) for line in split_lines(self.mask(text))]

    def line(self, text="", *, err: bool = False) -> None:
        stream = self.err if err else self.out
        print("\n".join(self.safe(text)), file=stream, flush=True)

    def command(self, text: str, *, err: bool = False, mask: bool = True) -> None:
        """One command line aib-pilot authored (values escaped by the sink). ``mask=False`` only for
        the line that registers a secret with the runner (it must carry the value itself)."""
        stream = self.err if err else self.out
        text = self.mask(text) if mask else text
        print(text.replace("\r", " ").replace("\n", " "), file=stream, flush=True)

    def partial(self, prefix: str, text: str, suffix: str = "", *, err: bool = False) -> None:
        """A terminal control ``prefix`` (e.g. ``\\r\\x1b[K``), then safe text, then ``suffix``; no line end."""
        stream = self.err if err else self.out
        stream.write(prefix + " ".join(self.safe(text)) + suffix)
        stream.flush()

    def raw_control(self, control: str, *, err: bool = False) -> None:
        """A terminal control sequence only (erasing the status line); no text."""
        stream = self.err if err else self.out
        stream.write(control)
        stream.flush()

    def error(self, message: str) -> None:
        """The one error line of a failed command, on stderr."""
        self.line("aib-pilot: error: " + " ".join(self.safe(message)), err=True)

    def info(self, message: str) -> None:
        """A progress line on stderr (used before a sink exists)."""
        self.line("aib-pilot: " + " ".join(self.safe(message)), err=True)


def process_console(env: Mapping[str, str] | None = None) -> Console:
    """A console on this process's stdout/stderr that masks the environment's secrets."""
    import os

    return Console(sys.stdout, sys.stderr, os.environ if env is None else env)
