"""Credentials keep working when tokens expire every 5 simulated minutes over a long build."""

from __future__ import annotations

import pytest

from tests.flow.conftest import FAST, run_cli, sample_template


@pytest.mark.parametrize("oidc", [None, "github", "azure-devops"])
def test_short_lived_tokens_over_a_long_build(emulator, rg, tmp_path, oidc):
    emulator.set_speed(1500)  # slow-success: 95 simulated minutes in about 4 s
    emulator.faults.token_lifetime(300)
    template, _ = sample_template(tmp_path, "slow-success")
    r = run_cli(emulator, "run", "--template", str(template), "-g", rg, "--log-dir", str(tmp_path / "logs"),
                *FAST, "--format", "json", "--no-live-log", oidc=oidc)
    assert r.code == 0, r.stderr[-2000:]
    assert r.json["state"] == "Succeeded"
    assert f"auth: {oidc and 'oidc-' + oidc or 'secret'}" in r.stderr
    assert emulator.journal.count(service="arm", status=401) == 0
    token_requests = emulator.journal.count(service="login", method="POST")
    assert token_requests >= 3, "the short token lifetime forces several token requests"
    if oidc:
        assert emulator.journal.count(service="oidc") >= token_requests // 2, "an ID token is minted per exchange"
