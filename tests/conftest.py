"""Session-wide test setup: the loopback-only network guard, the ``emulator`` fixture, a temp folder
of the session's own (anything left in it fails the run) and notes on running in parallel.

``./dev.sh test`` runs ``pytest -n N --dist loadfile`` (pytest-xdist). Every worker is its own
process with its own session, so the session-wide emulator below is started once per worker, lazily,
by the first test that needs it. ``loadfile`` keeps each test file on one worker, so a module-scoped
fixture (the scenario runs) is set up once, not once per worker. (``--dist loadgroup`` would allow
finer groups, but with pytest 9 it no longer moves marked tests together.)
"""
from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import tempfile

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


_temp_sandbox: dict = {}


def _start_temp_sandbox(session) -> None:
    """Point TMPDIR (this process, and every aib-pilot, emulator and Azurite process it starts) at a
    folder of its own, so that whatever the code under test forgets in the temp folder is seen.
    Under pytest-xdist the controller makes it before starting the workers, which inherit it."""
    if hasattr(session.config, "workerinput"):
        return
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None:
        factory.getbasetemp()       # pytest's own tmp_path folders stay where pytest keeps them
    sandbox = tempfile.mkdtemp(prefix="aib-tests-tmp-")
    _temp_sandbox.update(folder=sandbox, before=(os.environ.get("TMPDIR"), tempfile.tempdir))
    os.environ["TMPDIR"] = sandbox
    tempfile.tempdir = sandbox


def _end_temp_sandbox(session) -> None:
    """Fail the run when something was left in the temp folder, and remove it either way."""
    sandbox = _temp_sandbox.pop("folder", None)
    if sandbox is None:
        return
    environ_tmpdir, tempdir = _temp_sandbox.pop("before")
    if environ_tmpdir is None:
        os.environ.pop("TMPDIR", None)
    else:
        os.environ["TMPDIR"] = environ_tmpdir
    tempfile.tempdir = tempdir
    left = sorted(os.listdir(sandbox))
    shutil.rmtree(sandbox, ignore_errors=True)
    if left and session.exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = ("tests left these in the temp folder (remove them, or write under RUNNER_TEMP / "
                   "AGENT_TEMPDIRECTORY / tmp_path): " + ", ".join(left[:20]))
        if reporter is not None:
            reporter.write_line(message, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_collection_modifyitems(session, config, items):
    """Files holding a ``waits`` test first (a stable sort, so the order inside a file is kept):
    under ``--dist loadfile`` their real-time waits then overlap the rest of the suite instead of
    being the last thing the run waits for."""
    waiting_files = {item.path for item in items if item.get_closest_marker("waits")}
    items.sort(key=lambda item: item.path not in waiting_files)


def pytest_sessionstart(session):
    # A guard on the test process itself (not an HTTP patch of any SDK): no test reaches the internet.
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    socket.getaddrinfo = _guarded_getaddrinfo
    _start_temp_sandbox(session)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex
    socket.getaddrinfo = _real_getaddrinfo
    _end_temp_sandbox(session)


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
