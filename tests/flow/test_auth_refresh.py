"""Credentials keep working when access tokens expire every 5 simulated minutes over a long build.

Three monitors run at once against the same emulator: service principal secret, GitHub OIDC
(ClientAssertionCredential re-minting the ID token) and Azure DevOps workload identity
(AzurePipelinesCredential). The build is the emulator's slow-success scenario (95 simulated minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.flow.conftest import FAST, REPO, cli_env, sample_template


def test_short_lived_tokens_over_a_long_build_for_every_credential(emulator, rg, tmp_path):
    from tests.emulator.identity import OidcApp

    emulator.set_speed(200)  # 5 simulated minutes = 1.5 s real; the build lasts about 30 s
    emulator.faults.token_lifetime(300)
    template, _ = sample_template(tmp_path, "slow-success")
    procs = {}
    for variant in ("secret", "github", "azure-devops"):
        args = ["run", "--template", str(template), "-g", rg, "--name-prefix", f"tokens-{variant}",
                "--log-dir", str(tmp_path / variant), *FAST, "--format", "json", "--no-live-log"]
        env = cli_env(emulator, oidc=None if variant == "secret" else variant)
        procs[variant] = subprocess.Popen([sys.executable, "-m", "aib_pilot", *args], env=env, cwd=REPO,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for variant, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"{variant}: {err[-2000:]}"
        assert json.loads(out.strip().splitlines()[-1])["state"] == "Succeeded"
        expected_mode = "secret" if variant == "secret" else f"oidc-{variant}"
        assert f"auth: {expected_mode} " in err
    assert emulator.journal.count(service="arm", status=401) == 0, "no request went out with an expired token"
    exchanges = emulator.journal.count(service="login", method="POST")
    print(f"token requests: {exchanges}; GitHub ID tokens minted: "
          f"{emulator.journal.count(service='oidc', path_contains=OidcApp.GITHUB_PATH)}; ADO: "
          f"{emulator.journal.count(service='oidc', path_contains=OidcApp.ADO_PATH)}")
    assert exchanges >= 3 * 10, f"tokens were renewed throughout the build ({exchanges} token requests)"
    github_mints = emulator.journal.count(service="oidc", path_contains=OidcApp.GITHUB_PATH)
    ado_mints = emulator.journal.count(service="oidc", path_contains=OidcApp.ADO_PATH)
    assert github_mints >= 10 and ado_mints >= 10, (github_mints, ado_mints)
