"""The benchmark's generator makes a log the engine reads as a realistic failed build (small size)."""

import os
import subprocess
import sys

from aib_pilot.diagnosis import diagnose

from .conftest import ROOT


def test_generated_big_log_is_diagnosed(tmp_path):
    out = tmp_path / "big.log"
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "make_big_log.py"), str(out), "--mb", "3"],
                   check=True, capture_output=True)
    assert out.stat().st_size > 3_000_000
    d = diagnose(str(out)).to_dict()
    assert (d["status"], d["category"], d["failing_section"]["exit_code"]) == ("failed", "package_manager_locked", 100)
    assert d["failed_customizer"]["index"] == len([t for t in d["timeline"] if t["kind"] == "customizer"]) - 1


def test_grep_pattern_set_is_valid_ere(tmp_path):
    pats = tmp_path / "p.ere"
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    from grep_patterns import all_patterns, rule_patterns_for_grep

    pats.write_text("\n".join(rule_patterns_for_grep(all_patterns())) + "\n")
    log = os.path.join(ROOT, "examples", "logs", "linux-customizer-failed.log")
    r = subprocess.run(["grep", "-E", "-c", "-f", str(pats), log], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    assert r.returncode == 0 and int(r.stdout) > 3 and not r.stderr
