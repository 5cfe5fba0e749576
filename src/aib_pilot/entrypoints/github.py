"""Entrypoint of the GitHub container action (``runs.using: docker`` in action.yml).

The runner passes each input as ``INPUT_<NAME>`` with the name upper-cased and hyphens kept
(``budget-minutes`` -> ``INPUT_BUDGET-MINUTES``) and fills in action.yml defaults. This maps them
onto ``aib-pilot <command> ...`` (see :mod:`aib_pilot.entrypoints.inputs`), passes secrets through
the environment instead of argv, and runs the CLI in this process (no second interpreter start).

    python -m aib_pilot.entrypoints.github
"""

from __future__ import annotations

import os

from aib_pilot.entrypoints.common import execute, interrupt_on_sigterm
from aib_pilot.entrypoints.inputs import build_argv, github_values


def infer_auth(values: dict[str, str], environ) -> str:
    """The auth mode action.yml documents for an empty ``auth`` input ('' = let the CLI infer).

    An explicit client-secret wins; otherwise a job with ``id-token: write`` (the runner then sets
    ACTIONS_ID_TOKEN_REQUEST_URL, also inside container actions) and a client id uses OIDC.
    """
    if values.get("client-secret", "").strip() or values.get("creds", "").strip():
        return "secret"  # azure/login too signs in with the creds' secret when they are given
    client = values.get("client-id", "").strip() or environ.get("AZURE_CLIENT_ID", "")
    if environ.get("ACTIONS_ID_TOKEN_REQUEST_URL") and client:
        return "oidc-github"
    return ""


def main(environ=None) -> int:
    environ = os.environ if environ is None else environ
    values = github_values(environ)
    values.setdefault("format", "github")
    if not values["format"].strip():
        values["format"] = "github"
    if not values.get("auth", "").strip():
        inferred = infer_auth(values, environ)
        if inferred:
            values["auth"] = inferred
    inv = build_argv(values, platform="github")
    return execute(inv, values["format"].strip(), environ)


if __name__ == "__main__":
    interrupt_on_sigterm()
    raise SystemExit(main())
