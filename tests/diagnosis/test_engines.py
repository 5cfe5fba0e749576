"""Both search engines give the same diagnosis, byte for byte, on every log the tests know.

The Hyperscan engine is a pre-filter; the pure-Python engine finds candidate lines with the
patterns' literals. Both hand their candidates to the same exact regular expressions, so their
answers must agree on every input; only the ``engine`` field differs.
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest

from aib_pilot.diagnosis.multimatch import hyperscan_available

from .conftest import HERE, ROOT

LOGS = sorted(glob.glob(os.path.join(HERE, "logs", "*")) + glob.glob(os.path.join(ROOT, "examples", "logs", "*.log")))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "real-failures", "cases")

SCRIPT = """
import json, sys
from aib_pilot.diagnosis import diagnose
out = {}
for path in sys.argv[1:]:
    d = diagnose(open(path, "rb").read()).to_dict()
    d.pop("engine")
    out[path] = d
print(json.dumps(out))
"""


def _run(engine: str, paths: list[str], cache: str) -> dict:
    env = dict(os.environ, AIB_PILOT_ENGINE=engine, AIB_PILOT_CACHE_DIR=cache)
    proc = subprocess.run([sys.executable, "-c", SCRIPT, *paths], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)


@pytest.mark.skipif(not hyperscan_available(), reason="the hyperscan wheel is not installed here")
def test_hyperscan_and_python_engines_agree_on_every_test_log_and_the_shared_corpus(tmp_path):
    paths = LOGS + sorted(glob.glob(os.path.join(CORPUS, "*.txt")))
    assert len(LOGS) >= 20
    fast, slow = _run("hyperscan", paths, str(tmp_path)), _run("python", paths, str(tmp_path))
    differ = [p for p in paths if fast[p] != slow[p]]
    assert not differ, differ[:5]
    assert sum(1 for p in paths if fast[p]["category"] != "unknown") >= 15


@pytest.mark.parametrize("forced, expected", [("", "hyperscan for logs over 4 MB"), ("python", "pure Python")])
def test_version_names_the_log_search_engine(forced, expected):
    if not forced and not hyperscan_available():
        expected = "hyperscan not installed"
    env = dict(os.environ, AIB_PILOT_ENGINE=forced)
    out = subprocess.run([sys.executable, "-m", "aib_pilot", "--version"], env=env, capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("aib-pilot ") and f"log search: {expected}" in out
