"""Secrets never survive redact(); ordinary text passes through unchanged."""

import pytest

from aib_pilot.redact import MASK, redact

SECRETS = [
    ("https://acct.blob.core.windows.net/packerlogs/x/customization.log?sv=2022-11-02&sp=r&sig=AbC%2Bdef123%3D&se=2026", "AbC%2Bdef123%3D"),
    ('{"sig": "AbCdEf0123456789"}', "AbCdEf0123456789"),
    ("Resource name 'x%3Fsv%3D2020%26sig%3DAb%2Bcd%3D%26se%3D1' is invalid", "Ab%2Bcd"),
    ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFyYmF6cXV4==;EndpointSuffix=core.windows.net", "Zm9vYmFyYmF6cXV4=="),
    ("BlobEndpoint=https://a/;SharedAccessSignature=sv=2020&sig=zzz", "sv=2020"),
    ("Authorization: Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("Authorization: SharedKey myaccount:ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08=", "ctzMq410TV3wS7upTBcunJTDLEJwMAZuFPfr0mrrA08="),
    ("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl here", "eyJhbGciOiJSUzI1NiJ9"),
    ("GITHUB_TOKEN=ghs_16C7e42F292c6912E7710c838347Ae178B4a", "ghs_16C7e42F292c6912E7710c838347Ae178B4a"),
    ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz", "github_pat_11ABCDEFG0123456789"),
    ("grant_type=client_credentials&client_secret=s3cr3t-value&scope=x", "s3cr3t-value"),
    ('{"keys": [{"keyName": "key1", "value": "' + "A" * 86 + '=="}]}', "A" * 86),
]


@pytest.mark.parametrize("text,secret", SECRETS)
def test_secret_is_masked(text, secret):
    out = redact(text)
    assert secret not in out
    assert MASK in out


@pytest.mark.parametrize(
    "text",
    [
        "==> azure-arm: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
        "(telemetry) Starting provisioner shell",
        "Waiting for SSH to become available...",
        "",
    ],
)
def test_ordinary_text_is_unchanged(text):
    assert redact(text) == text
