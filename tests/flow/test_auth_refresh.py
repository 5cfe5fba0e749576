"""Credentials keep working when access tokens expire every 5 simulated minutes over a 3-hour build.

Three monitors run at once against the same emulator: service principal secret, GitHub OIDC
(ClientAssertionCredential re-minting the ID token) and Azure DevOps workload identity
(AzurePipelinesCredential). The build is the emulator's slow-success scenario stretched to 180
simulated minutes with the template tag ``aib-emulator-duration-minutes`` ("tokens
expiring every 5 minutes of scaled time over a 3-hour build: no auth failure").
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from tests.flow.conftest import FAST, REPO, cli_env, sample_template

BUILD_MINUTES = 180
TOKEN_MINUTES = 5


def _minutes(result: dict) -> float:
    start, end = (datetime.fromisoformat(result[k].replace("Z", "+00:00")) for k in ("started", "ended"))
    return (end - start).total_seconds() / 60


@pytest.mark.waits
def test_short_lived_tokens_over_a_three_hour_build_for_every_credential(emulator, rg, tmp_path):
    from tests.emulator.identity import OidcApp

    emulator.set_speed(300)  # 5 simulated minutes = 1 s real; the build lasts about 36 s
    emulator.faults.token_lifetime(TOKEN_MINUTES * 60)
    template, body = sample_template(tmp_path, "slow-success")
    body["tags"]["aib-emulator-duration-minutes"] = str(BUILD_MINUTES)
    body["properties"]["buildTimeoutInMinutes"] = 240
    template.write_text(json.dumps(body, indent=2))
    procs = {}
    for variant in ("secret", "github", "azure-devops"):
        args = ["run", "--template", str(template), "-g", rg, "--name-prefix", f"tokens-{variant}",
                "--log-dir", str(tmp_path / variant), *FAST, "--format", "json", "--live-log", "off"]
        env = cli_env(emulator, oidc=None if variant == "secret" else variant)
        procs[variant] = subprocess.Popen([sys.executable, "-m", "aib_pilot", *args], env=env, cwd=REPO,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for variant, proc in procs.items():
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, f"{variant}: {err[-2000:]}"
        result = json.loads(out.strip().splitlines()[-1])
        assert result["state"] == "Succeeded", result
        assert _minutes(result) >= BUILD_MINUTES, f"{variant}: the build lasted {_minutes(result):.0f} simulated minutes"
        expected_mode = "secret" if variant == "secret" else f"oidc-{variant}"
        assert f"auth: {expected_mode} " in err
        assert "expired" not in err.lower(), err[-2000:]
    assert emulator.journal.count(service="arm", status=401) == 0, "no request went out with an expired token"
    assert emulator.journal.count(service="blob", status=401) == 0, "nor a log read"
    renewals_needed = BUILD_MINUTES // TOKEN_MINUTES  # 36 tokens per credential at the very least
    exchanges = emulator.journal.count(service="login", method="POST")
    github_mints = emulator.journal.count(service="oidc", path_contains=OidcApp.GITHUB_PATH)
    ado_mints = emulator.journal.count(service="oidc", path_contains=OidcApp.ADO_PATH)
    print(f"{BUILD_MINUTES} simulated minutes, tokens valid {TOKEN_MINUTES} min: {exchanges} token requests; "
          f"GitHub ID tokens minted: {github_mints}; ADO: {ado_mints}")
    assert exchanges >= 3 * renewals_needed, f"tokens were renewed throughout the build ({exchanges} token requests)"
    assert github_mints >= renewals_needed and ado_mints >= renewals_needed, (github_mints, ado_mints)
