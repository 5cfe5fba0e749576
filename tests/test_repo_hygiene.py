"""The repository explains itself: no committed file points outside it or at work-item numbers.

Facts the code relies on are restated in docs/sources.md with their public sources; a reader of a
clone has nothing else. Work-item labels ("issue 3", "task 5", "contract C2", "QA F12") mean
nothing outside the tracker they came from. Public references such as ``Azure/azure-powershell#24244``
are sources, not work items, and are allowed (an ``owner/repo#n`` form).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECKED = ["docs", "src", "tests", "bench", "examples", "ado-task", ".ci", "README.md", "action.yml",
           "Dockerfile", "dev.sh", "pyproject.toml"]
PENDING: tuple[str, ...] = ()
#: Files that read shared reference material *when present* beside the checkout (as CI has it).
READS_SHARED_WHEN_PRESENT = {".ci/validate", "tests/github_schemas.py", "bench/real_corpus.py",
                             "tests/diagnosis/test_engines.py", "tests/diagnosis/test_azure_codes.py"}

OUTSIDE_PATH = re.compile(r"(?<![\w.-])/work/|\.\./shared\b|\bshared/(?:reference|seeds|corpus)\b"
                          # sections of reference notes that are not in the repository
                          r"|\breference §|\b(?:github-actions|azure-devops|azure-image-builder-api)\.md\b")
WORK_ITEM = re.compile(
    r"\b(?:issue|task|ticket|work item)s? #?\d+\b"          # issue 3, task 5, issue #12
    r"|\bcontracts? C\d\b|\bC\d(?:/C\d)+\b"                  # contract C2, C2/C4
    r"|\b(?:the )?C\d (?:object|dict|diagnosis|run results?|surface|methods|keys)\b"
    r"|\bQA ?F\d+\b|\bqa-findings\b"                        # QA F12, qa-findings.md
    r"|(?-i:\b(?:SCEN|DIAG)\b|AZURE/PIPELINE|\(owner: [A-Z]+\))"   # the team's role labels
    r"|(?<![\w/.-])#\d+\b",                                  # #12 (not owner/repo#12, not &#12;)
    re.IGNORECASE)
#: Text that matches WORK_ITEM but is data, not a reference (a test's PR number, an HTML entity...).
ALLOWED = [re.compile(p) for p in (
    r"PR #\d+",                    # pull request numbers in test data and user-facing messages
    r"issues/\{?n?\}?/?comments",  # the REST path
    r"\"#\d+\"|'#\d+'",            # literal strings in tests
    r"[Tt]ask \d+ of \d+",          # progress text
    r"#\d+ (?:customizer|step)",
    r"&#\d+;",
    r"`#\d+`",                     # Markdown's issue-reference syntax, shown as an example
    r"\(#\d+, GH-",
    r"example #\d+",
)]


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z", "--", *CHECKED], cwd=REPO, capture_output=True, check=True)
    return [name for name in out.stdout.decode().split("\0") if name]


def _text(name: str) -> str | None:
    path = REPO / name
    if path.suffix in {".png", ".ico", ".whl", ".vsix", ".gz", ".zip"} or "node_modules" in name:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return None


def _findings(pattern: re.Pattern, *, skip_files=frozenset(), allowed=()) -> list[str]:
    found = []
    for name in _tracked_files():
        if name in skip_files or name.startswith(PENDING) or name == "tests/test_repo_hygiene.py":
            continue
        text = _text(name)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in pattern.finditer(line):
                if any(a.search(line[max(0, match.start() - 12):match.end() + 12]) for a in allowed):
                    continue
                found.append(f"{name}:{number}: {line.strip()[:120]}")
    return found


@pytest.fixture(scope="module")
def in_git():
    if not (REPO / ".git").exists():
        pytest.fail("tests/test_repo_hygiene.py needs a git checkout (it reads `git ls-files`)")


def test_no_path_outside_the_repository(in_git):
    found = _findings(OUTSIDE_PATH, skip_files=READS_SHARED_WHEN_PRESENT)
    assert not found, "paths outside the repository (restate the fact in docs/sources.md):\n" + "\n".join(found)


def test_no_work_item_numbers(in_git):
    found = _findings(WORK_ITEM, allowed=ALLOWED)
    assert not found, "work-item references (say what is meant instead):\n" + "\n".join(found)


def test_the_checks_find_what_they_are_for():
    """The patterns catch each form they are meant for, and pass public references and test data."""
    bad = ["see issue 3", "Target (issue 4):", "(task 5)", "contract C2", "the C4 object", "C2/C4 dicts",
           "QA F12: ...", "qa-findings.md F3", "fixed in #12", "Issue #7 says", "SCEN's catalogue",
           "DIAG's example log", "(owner: SCEN)"]
    good = ["Azure/azure-powershell#24244", "danielsollondon/azvmimagebuilder#11", "hashicorp/packer#8128",
            "customizer 3 failed", "PR #42 comment added", "AIB101", "C:\\buildArtifacts", "F5 key"]
    for text in bad:
        assert WORK_ITEM.search(text) and not any(a.search(text) for a in ALLOWED), text
    for text in good:
        hit = WORK_ITEM.search(text)
        assert not hit or any(a.search(text) for a in ALLOWED), text
    for text in ["/work/shared/reference/x.md", "../shared/reference", "see shared/reference §3",
                 "(reference §8)", "azure-devops.md section 3"]:
        assert OUTSIDE_PATH.search(text), text
    assert not OUTSIDE_PATH.search("/home/runner/work/images/images")


def test_docs_name_a_public_source_for_each_fact_section():
    text = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert len(sections) >= 4
    for section in sections:
        assert re.search(r"https://|[A-Za-z-]+/[A-Za-z.-]+`?, `", section) or "https://" in section, section[:60]


def test_the_venv_puts_aib_pilot_on_path():
    """README: after ./dev.sh setup (or pip install), ``aib-pilot`` is next to the interpreter."""
    script = Path(sys.executable).parent / ("aib-pilot.exe" if sys.platform == "win32" else "aib-pilot")
    assert script.exists(), f"{script} is missing: install the package (pip install -e .) in this venv"
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and re.search(r"\d+\.\d+\.\d+", out.stdout + out.stderr), out
