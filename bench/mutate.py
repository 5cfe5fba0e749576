"""A scripted mutation run: does the test suite notice when the code that keeps users safe breaks?

Each mutation below changes one thing in redaction, output neutralising, retry/budget, exit
codes or the cleanup policy -- a change a careless edit could make. For each, the file is changed in place, the tests
that guard that area run (``pytest -x -q``, in parallel with pytest-xdist), and the file is put
back (also on Ctrl-C). A mutation the tests do not notice *survives*; survivors are printed at the
end, each one a test to write.

    .venv/bin/python bench/mutate.py [--only NAME ...] [--list]

Exit status: 0 when every mutation was killed, 1 when some survived, 2 when a mutation no longer
applies (the code moved: update its text here).
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REDACTION_TESTS = ["tests/unit/test_redact.py", "tests/report/test_safety.py", "tests/report/test_hostile.py",
                   "tests/qa/test_azure_errors_and_secrets.py"]
NEUTRAL_TESTS = ["tests/report/test_safety.py", "tests/report/test_hostile.py", "tests/report/test_github.py",
                 "tests/report/test_azure_devops.py", "tests/flow/test_logs_stdout.py"]
RETRY_TESTS = ["tests/flow/test_pure_parts.py", "tests/flow/test_commands.py::test_transient_arm_errors_are_retried",
               "tests/flow/test_async_resume.py", "tests/unit/test_retry_policy.py",
               "tests/flow/test_budget_and_unavailable.py"]
CLEANUP_TESTS = ["tests/flow/test_cleanup_policy.py", "tests/templating/test_provenance.py"]
EXIT_TESTS = ["tests/unit/test_cli_edge.py", "tests/qa/test_bad_input.py", "tests/flow/test_commands.py",
              "tests/test_temp_files.py", "tests/unit/test_broken_pipe.py", "tests/qa/test_interrupt.py"]


@dataclass
class Mutation:
    name: str
    path: str
    old: str
    new: str
    tests: list[str]


MUTATIONS = [
    # -- redaction -------------------------------------------------------------------------------
    Mutation("sas-sig-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"(?i)([?&;]sig=)[^&\\s\\"'<>]+"), r"\\1" + MASK),''',
             '''(re.compile(r"(?i)([?&;]sig=)[^&\\s\\"'<>]+"), r"\\1" + "x"),''', REDACTION_TESTS),
    Mutation("url-encoded-sig-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"(?i)((?:%3F|%26|[?&;])sig%3D)''', '''(re.compile(r"(?i)((?:%3F|%26|[?&;])nosig%3D)''',
             REDACTION_TESTS),
    Mutation("account-key-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"(?i)(AccountKey=)[^;\\s\\"']+"), r"\\1" + MASK),''', "", REDACTION_TESTS),
    Mutation("bearer-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"(?i)(\\bbearer\\s+)[A-Za-z0-9\\-._~+/]+=*"), r"\\1" + MASK),''', "", REDACTION_TESTS),
    Mutation("jwt-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*"), MASK),''', "",
             REDACTION_TESTS),
    Mutation("github-token-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), MASK),''', "",
             REDACTION_TESTS),
    Mutation("client-secret-field-kept", "src/aib_pilot/redact.py",
             '''r"(?i)((?:client_secret|client_assertion|access_token|refresh_token|password)"''',
             '''r"(?i)((?:client_assertion|access_token|refresh_token)"''', REDACTION_TESTS),
    Mutation("listkeys-value-kept", "src/aib_pilot/redact.py",
             '''(re.compile(r"(?i)(\\"(?:key|value)\\"\\s*:\\s*\\")[A-Za-z0-9+/]{40,}={0,2}(\\")"), r"\\1" + MASK + r"\\2"),''',
             "", REDACTION_TESTS),
    # -- output neutralising -----------------------------------------------------------------------
    Mutation("hash-marker-once", "src/aib_pilot/report/safety.py",
             '''    while _HASH_MARKER.search(line):
        line = _HASH_MARKER.sub("# ", line)''', '''    line = _HASH_MARKER.sub("# ", line)''', NEUTRAL_TESTS),
    Mutation("hash-marker-case-sensitive", "src/aib_pilot/report/safety.py",
             '''_HASH_MARKER = re.compile(r"#(?=#(?:[vV][sS][oO])?\\[)")''',
             '''_HASH_MARKER = re.compile(r"#(?=#(?:vso)?\\[)")''', NEUTRAL_TESTS),
    Mutation("leading-space-colons", "src/aib_pilot/report/safety.py",
             '''    stripped = line.lstrip()''', '''    stripped = line''', NEUTRAL_TESTS),
    Mutation("no-ansi-strip", "src/aib_pilot/report/safety.py",
             '''    line = _ANSI.sub("", line)''', '''    pass''', NEUTRAL_TESTS),
    Mutation("no-ignorable-strip", "src/aib_pilot/report/safety.py",
             '''    line = _IGNORABLE.sub("", line)''', '''    pass''', NEUTRAL_TESTS),
    Mutation("only-lf-splits", "src/aib_pilot/report/safety.py",
             '''_LINE_BREAKS = re.compile(r"\\r\\n|[\\r\\n\\x0b\\x0c\\x1c\\x1d\\x1e\\x85\\u2028\\u2029]")''',
             '''_LINE_BREAKS = re.compile(r"\\r\\n|[\\r\\n]")''', NEUTRAL_TESTS),
    Mutation("gh-property-comma", "src/aib_pilot/report/safety.py",
             '''.replace(":", "%3A").replace(",", "%2C")''', '''.replace(":", "%3A")''', NEUTRAL_TESTS),
    Mutation("ado-percent", "src/aib_pilot/report/safety.py",
             '''return text.replace("%", "%AZP25").replace("\\r", "%0D")''', '''return text.replace("\\r", "%0D")''',
             NEUTRAL_TESTS),
    Mutation("ado-property-bracket", "src/aib_pilot/report/safety.py",
             '''.replace(";", "%3B").replace("]", "%5D")''', '''.replace(";", "%3B")''', NEUTRAL_TESTS),
    # -- retry and budget ----------------------------------------------------------------------------
    Mutation("retry-after-ignored", "src/aib_pilot/monitoring/retry.py",
             '''        delay = retry_after_seconds(exc) if exc else None''', '''        delay = None''', RETRY_TESTS),
    Mutation("no-attempt-cap", "src/aib_pilot/monitoring/retry.py",
             '''    stop = tenacity.stop_after_attempt(attempts)''', '''    stop = tenacity.stop_after_attempt(10_000)''',
             RETRY_TESTS),
    Mutation("no-reserve", "src/aib_pilot/monitoring/fleet_loop.py",
             '''        return 0.0 if self.budget_seconds is None else min(60.0, max(0.5, 0.1 * self.budget_seconds))''',
             '''        return 0.0''', RETRY_TESTS),
    Mutation("sleep-past-budget", "src/aib_pilot/monitoring/fleet_loop.py",
             '''        if self.stop.wait(max(0.0, min(seconds, self.remaining()))):''',
             '''        if self.stop.wait(max(0.0, seconds)):''', RETRY_TESTS),
    # -- exit codes --------------------------------------------------------------------------------
    Mutation("broken-pipe-is-success", "src/aib_pilot/cli.py",
             '''        return getattr(args, "outcome", EXIT_BUILD_FAILED)''', '''        return 0''', EXIT_TESTS),
    Mutation("control-no-change", "src/aib_pilot/cli.py",
             '''        return 130''', '''        return 130  # (a comment only: must survive)''', EXIT_TESTS),
    Mutation("internal-error-is-1", "src/aib_pilot/errors.py", "EXIT_INTERNAL = 4", "EXIT_INTERNAL = 1", EXIT_TESTS),
    Mutation("access-error-is-1", "src/aib_pilot/errors.py", "EXIT_AZURE_ACCESS = 3", "EXIT_AZURE_ACCESS = 1",
             EXIT_TESTS),
    Mutation("interrupt-is-0", "src/aib_pilot/cli.py", '''        return 130''', '''        return 0''', EXIT_TESTS),
    # -- cleanup: nothing lost (a failed build, an unsaved log) -------------------------------------
    Mutation("cleanup-deletes-failures", "src/aib_pilot/azure/build_cleanup.py",
             '''(policy == "on-success" and state == "Succeeded")''', '''(policy == "on-success")''', CLEANUP_TESTS),
    Mutation("cleanup-ignores-unsaved-log", "src/aib_pilot/commands/cleanup.py",
             '''    why_not = unsaved_log(watch, result.get("log_path"))''', '''    why_not = None''', CLEANUP_TESTS),
    Mutation("cleanup-failure-changes-exit", "src/aib_pilot/commands/cleanup.py",
             '''    for failure in done.failed:''', '''    for failure in done.failed:
        raise RuntimeError(failure)''', CLEANUP_TESTS),
    Mutation("provenance-overrides-user-tags", "src/aib_pilot/templating/provenance.py",
             '''            if name.lower() in taken:
                continue''', "", CLEANUP_TESTS),
]
# A mutation that changes nothing is a control: it must survive, or the harness is broken.
CONTROL = "control-no-change"


def run(mutation: Mutation, workers: str) -> tuple[str, float]:
    path = ROOT / mutation.path
    original = path.read_text(encoding="utf-8")
    if original.count(mutation.old) != 1:
        return "NOT-APPLICABLE", 0.0
    started = time.monotonic()
    try:
        path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-n", workers,
                               "--dist", "loadfile", *mutation.tests], cwd=ROOT, capture_output=True, text=True)
    finally:
        path.write_text(original, encoding="utf-8")
    # 1: tests failed; 2: pytest-xdist's -x stops the session on the first failure ("interrupted").
    outcome = ("SURVIVED" if proc.returncode == 0 else "killed" if proc.returncode in (1, 2)
               else f"ERROR {proc.returncode}")
    return outcome, time.monotonic() - started


def _stop(signum, frame):
    raise KeyboardInterrupt  # so that run() puts the mutated file back


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="names of the mutations to run")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    if args.list:
        for m in chosen:
            print(f"{m.name:<28} {m.path}")
        return 0
    survivors, stale = [], []
    for m in chosen:
        outcome, seconds = run(m, args.workers)
        print(f"{m.name:<28} {outcome:<15} {seconds:6.1f} s  {m.path}", flush=True)
        if outcome == "SURVIVED" and m.name != CONTROL:
            survivors.append(m.name)
        elif outcome == "killed" and m.name == CONTROL:
            print("  the control mutation changes nothing and must survive: the harness is wrong")
            stale.append(m.name)
        elif outcome == "NOT-APPLICABLE" or outcome.startswith("ERROR"):
            stale.append(m.name)
    print(f"\n{len(chosen)} mutations, {len(survivors)} survived: {', '.join(survivors) or 'none'}")
    if stale:
        print(f"not applicable or broken: {', '.join(stale)} (update their text in bench/mutate.py)")
        return 2
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
