"""Session-wide test setup: the loopback-only network guard, the ``emulator`` fixture and the
notes on running in parallel.

``./dev.sh test`` runs ``pytest -n N --dist loadfile`` (pytest-xdist). Every worker is its own
process with its own session, so the session-wide emulator below is started once per worker, lazily,
by the first test that needs it. ``loadfile`` keeps each test file on one worker, so a module-scoped
fixture (the scenario runs) is set up once, not once per worker. (``--dist loadgroup`` would allow
finer groups, but with pytest 9 it no longer moves marked tests together.)
"""
from __future__ import annotations

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class NonLoopbackAddress(AssertionError):
    """A test tried to reach something other than this machine."""


def _check_host(host) -> None:
    if host is None:
        return
    if isinstance(host, bytes):
        host = host.decode()
    host = str(host).strip("[]")
    if host.lower() in _LOOPBACK_NAMES:
        return
    try:
        if ipaddress.ip_address(host.split("%")[0]).is_loopback:
            return
    except ValueError:
        pass
    raise NonLoopbackAddress(
        f"test tried to reach non-loopback address {host!r}; tests may only talk to the local emulator "
        "(tests/emulator) — point the client at emulator.info['arm'] / ['authority'] / ['blob']")


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_host(address[0])
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _check_host(address[0])
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    _check_host(host)
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_sessionstart(session):
    # A guard on the test process itself (not an HTTP patch of any SDK): no test reaches the internet.
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo


def pytest_sessionfinish(session, exitstatus):
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex
    socket.getaddrinfo = _real_getaddrinfo


@pytest.fixture(scope="session")
def _emulator_session():
    from tests.emulator import Emulator

    emu = Emulator(speed=600)
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emulator(_emulator_session):
    """The running emulator (session-wide), reset before each test: no templates, faults or journal."""
    _emulator_session.reset()
    _emulator_session.set_speed(600)
    yield _emulator_session
