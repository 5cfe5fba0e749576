"""The CLI edge: bad input is one usage line with the right exit code, never a crash."""

import os
import subprocess
import sys


def test_malformed_tenant_is_a_usage_error():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "AIB_PILOT_"))}
    env.update(AZURE_TENANT_ID="not a tenant/../x", AZURE_CLIENT_ID="app", AZURE_CLIENT_SECRET="s3cret-value")
    proc = subprocess.run(
        [sys.executable, "-m", "aib_pilot", "monitor", "-g", "rg", "-n", "t", "--auth", "secret",
         "--subscription", "00000000-0000-0000-0000-000000000000"],
        env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "AZURE_TENANT_ID" in lines[0] and "Traceback" not in proc.stderr
    assert "s3cret-value" not in proc.stderr


def test_unknown_option_points_at_the_commands_own_help():
    proc = subprocess.run([sys.executable, "-m", "aib_pilot", "lint", "--bogus", "t.json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "aib-pilot: error: lint: unrecognized arguments: --bogus. Run 'aib-pilot lint --help' for the options."]
