"""The session guard in tests/conftest.py: nothing in a test may reach beyond this machine."""
from __future__ import annotations

import socket

import pytest


@pytest.mark.parametrize("address", [("192.0.2.10", 443), ("2001:db8::1", 443)])
def test_non_loopback_connect_fails_the_test(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(AssertionError, match="non-loopback"):
            sock.connect(address)


def test_name_resolution_of_a_public_host_fails_the_test():
    with pytest.raises(AssertionError, match="non-loopback"):
        socket.getaddrinfo("management.azure.com", 443)


def test_loopback_is_allowed(emulator):
    port = int(emulator.info["arm"].rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    assert socket.getaddrinfo("localhost", port)
