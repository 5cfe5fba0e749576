"""Test PKI: one trustme CA and a server certificate for 127.0.0.1 and localhost, written to disk.

Every fake (ARM, Entra ID, OIDC, the blob proxy) and Azurite serve this certificate; clients trust
it only through the knobs real users have (REQUESTS_CA_BUNDLE / SSL_CERT_FILE / connection_verify).
"""
from __future__ import annotations

import os
import ssl
from dataclasses import dataclass

import trustme


@dataclass(frozen=True)
class TLSFiles:
    ca_bundle: str   # PEM of the test CA: what clients trust
    cert: str        # server certificate chain (PEM)
    key: str         # server private key (PEM)

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_bundle)


def make_tls_files(directory: str) -> TLSFiles:
    """Create a fresh CA and a leaf certificate for the loopback names under ``directory``."""
    ca = trustme.CA(organization_name="aib-pilot emulator test CA")
    leaf = ca.issue_cert("127.0.0.1", "localhost", "::1")
    files = TLSFiles(
        ca_bundle=os.path.join(directory, "ca.pem"),
        cert=os.path.join(directory, "server-cert.pem"),
        key=os.path.join(directory, "server-key.pem"),
    )
    ca.cert_pem.write_to_path(files.ca_bundle)
    leaf.private_key_pem.write_to_path(files.key)
    with open(files.cert, "wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    return files
