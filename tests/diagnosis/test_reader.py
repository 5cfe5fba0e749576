"""The streaming reader: any chunking gives the same result; hostile bytes do not break it."""

import codecs
import io
import random

import pytest

from aib_pilot.diagnosis import diagnose

from .conftest import example_path, log_path
from .logbuilder import APT_UPDATE, Log


class Trickle(io.RawIOBase):
    """A binary file object that returns at most a few random bytes per read()."""

    def __init__(self, data: bytes, seed: int, most: int):
        self.data, self.pos, self.rng, self.most = data, 0, random.Random(seed), most

    def readable(self):
        return True

    def read(self, n=-1):
        k = self.rng.randint(1, self.most)
        out = self.data[self.pos:self.pos + k]
        self.pos += len(out)
        return out


@pytest.mark.parametrize("name", ["sysprep_timing.log", "timeout_prompt.log", "low_windows_resources.log",
                                  "packer_failed_linux.log", "success_linux.log"])
def test_result_does_not_depend_on_chunking(name):
    data = open(log_path(name), "rb").read()
    whole = diagnose(data).to_dict()
    for seed, most in ((1, 7), (2, 300), (3, 5000)):
        assert diagnose(Trickle(data, seed, most)).to_dict() == whole


def test_iterable_of_lines_and_path_agree():
    path = example_path("linux-customizer-failed.log")
    lines = open(path, "rb").read().splitlines()
    a = diagnose(path, source="x").to_dict()
    b = diagnose(iter(lines), source="x").to_dict()
    c = diagnose([l.decode() for l in lines], source="x").to_dict()
    assert a == b == c


def test_section_spanning_many_small_reads():
    """A section read in thousands of small pieces still gets its tail, exit code and cause."""
    log = Log().deploy().deployment_status().connect()
    log.shell([f"compiling module {i}" for i in range(2000)] + ["E: Could not get lock /var/lib/dpkg/lock-frontend"]
              + [f"retrying {i}" for i in range(5)], code=100)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 100. Allowed exit codes are: [0]")
    data = log.text().encode()
    d = diagnose(Trickle(data, 9, 4096)).to_dict()
    assert d["category"] == "package_manager_locked"
    assert d["failing_section"]["exit_code"] == 100
    assert d["tail"][-1]["text"].endswith("retrying 4")


def test_crlf_ansi_and_undecodable_bytes():
    log = Log().deploy().deployment_status().connect()
    log.shell(["\x1b[31mE: Could not get lock /var/lib/dpkg/lock-frontend\x1b[0m", "bad byte here"], code=100)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 100. Allowed exit codes are: [0]")
    data = log.text(crlf=True).encode().replace(b"bad byte here", b"bad \xff\xfe byte \x00 here")
    d = diagnose(data).to_dict()
    assert d["category"] == "package_manager_locked"
    texts = [e["text"] for f in d["findings"] for e in f["evidence"]] + [t["text"] for t in d["tail"]]
    assert all("\r" not in t and "\x1b" not in t and "\x00" not in t for t in texts)
    assert any("\ufffd" in t for t in texts)
    assert d["tail"][-1]["line"] == d["failing_section"]["start_line"] + 4


def test_megabyte_lines_are_cut_but_still_matched():
    log = Log().deploy().deployment_status().connect()
    # e.g. a progress bar redrawn with CR: megabytes without a newline, the error at its end
    huge = "x" * 2_500_000 + " E: Could not get lock /var/lib/dpkg/lock-frontend " + "y" * 200_000
    log.shell([huge, "after"], code=100)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 100. Allowed exit codes are: [0]")
    d = diagnose(log.text().encode()).to_dict()
    assert d["category"] == "package_manager_locked"
    ev = d["findings"][0]["evidence"][0]["text"]
    assert "Could not get lock" in ev and len(ev) <= 402


def test_utf16_log_from_powershell_redirect():
    text = open(example_path("linux-customizer-failed.log"), encoding="utf-8").read()
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert diagnose(data).to_dict()["category"] == "package_manager_locked"


def test_line_numbers_are_exact():
    path = example_path("linux-customizer-failed.log")
    lines = open(path, encoding="utf-8").read().splitlines()
    d = diagnose(path).to_dict()
    for f in d["findings"]:
        for e in f["evidence"]:
            assert e["text"].strip().split(": ", 1)[-1][:30] in lines[e["line"] - 1]
    assert d["lines_read"] == len(lines)
    for item in d["timeline"]:
        if item["kind"] == "customizer":
            assert "(telemetry) Starting provisioner" in lines[item["start_line"] - 1]


def test_empty_and_none_inputs():
    assert diagnose(b"").status == "unknown"
    assert diagnose(None).to_dict()["findings"] == []


def test_secrets_in_log_text_are_redacted():
    log = Log().deploy().deployment_status().connect()
    log.shell(["curl: (22) The requested URL returned error: 403 https://acct.blob.core.windows.net/c/app.zip?sv=2022&sig=SECRETSIG123%3D&se=x"], code=22)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 22. Allowed exit codes are: [0]")
    out = str(diagnose(log.text().encode()).to_dict())
    assert "SECRETSIG123" not in out and "sig=***" in out


def _big_section_log(line: str, filler_after: int) -> bytes:
    filler = [f"compiling unit {i} of 4000 [ok]" for i in range(4000)]
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE)
    log.shell(filler + [line] + filler[:filler_after], code=0, end=False)
    return log.text().encode()


@pytest.mark.parametrize("rule", [r for r in __import__("aib_pilot.diagnosis.rules", fromlist=["RULES"]).RULES
                                  if r.kind == "specific" and not r.context and not r.trigger
                                  and r.id != "AIB216"],  # a panic inside VM output is not Packer's
                         ids=lambda r: r.id)
def test_every_rule_is_found_deep_inside_a_long_last_section(rule):
    """Evidence thousands of lines from both ends of the last customizer is found."""
    from aib_pilot.diagnosis.scanner import LogScanner
    scan = LogScanner()
    scan.feed(_big_section_log(rule.positives[0], filler_after=3000))
    scan.finish()
    assert rule.id in scan.hits


def test_an_error_in_a_customizer_followed_by_another_does_not_fail_a_good_build():
    log = Log().deploy().deployment_status().connect()
    log.shell([f"unit {i}" for i in range(500)] + ["E: Could not get lock /var/lib/dpkg/lock"] + ["ok"] * 50)
    log.shell(APT_UPDATE)
    log.deprovision_linux().distribute().cleanup()
    log.finish_ok()
    d = diagnose(log.text().encode()).to_dict()
    assert d["status"] == "succeeded" and d["findings"] == []


def test_long_text_without_telemetry_markers_is_searched_everywhere():
    lines = [f"2026-11-25T21:{i // 60 % 60:02d}:{i % 60:02d}.0000000Z step output {i}" for i in range(3000)]
    lines[1500] = ("2026-11-25T21:25:00.0000000Z ERROR: Code=\"RequestDisallowedByPolicy\" Message=\"Resource "
                   "'aibsa' was disallowed by policy.\"")
    lines.append("2026-11-25T22:00:00.0000000Z ##[error]The operation was canceled.")
    d = diagnose(("\n".join(lines) + "\n").encode()).to_dict()
    rules = {f["rule"]: f for f in d["findings"]}
    assert rules["AIB110"]["evidence"][0]["line"] == 1501  # found in the middle
    assert rules["AIB401"]["evidence"][0]["line"] == 3001  # and at the end
    assert d["category"] == "policy_denied"
