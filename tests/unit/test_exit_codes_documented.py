"""The exit-code table in docs/usage.md is the code's: every code documented, no other, each meaning
the one the code gives it; README's copy is the same table; the other documents list no code the
table does not have."""

from __future__ import annotations

import re
from pathlib import Path

from aib_pilot import errors

REPO = Path(__file__).resolve().parents[2]

# the words that must open (or appear in) each code's meaning: what the constant's name says
MEANING = {"EXIT_OK": "success", "EXIT_BUILD_FAILED": "the build failed", "EXIT_USAGE": "bad input",
           "EXIT_AZURE_ACCESS": "Azure access error", "EXIT_INTERNAL": "internal error",
           "EXIT_AZURE_UNAVAILABLE": "Azure unavailable"}


def exit_table(path: Path) -> dict[int, str]:
    """The ``| code | meaning |`` table under the heading "Exit codes" of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    section = re.search(r"^#+ Exit codes\n(.*?)(?=^#)", text, re.M | re.S)
    assert section, f"{path.name} has no 'Exit codes' section"
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", section.group(1), re.M)
    assert rows, f"no table rows under 'Exit codes' in {path.name}"
    return {int(code): meaning for code, meaning in rows}


def test_the_usage_table_documents_every_exit_code_of_the_code_and_no_other():
    table = exit_table(REPO / "docs" / "usage.md")
    constants = {name: value for name, value in vars(errors).items() if name.startswith("EXIT_")}
    assert set(constants) == set(MEANING), "a new EXIT_ constant needs its row in docs/usage.md"
    interrupted = 130  # 128 + SIGINT: what cli.main returns on Ctrl-C, as shells report it
    assert set(table) == set(constants.values()) | {interrupted}
    for name, words in MEANING.items():
        assert words.lower() in table[constants[name]].lower(), (name, table[constants[name]])
    assert "interrupted" in table[interrupted]


def test_the_readme_table_is_the_usage_table():
    assert exit_table(REPO / "README.md") == exit_table(REPO / "docs" / "usage.md")


# "exit code 2 or 3", "exit 2", "exit codes 0/1", "(exit 5)": what a document says aib-pilot exits with
_CLAIM = re.compile(r"\bexit(?:s| code| codes| status)?\s+(?:is\s+)?((?:\d+)(?:\s*(?:,|/|or|and)\s*\d+)*)", re.I)
# documents about aib-pilot's own exits (not about scripts' exit codes quoted from build logs)
_DOCS = ["README.md", "docs/usage.md", "docs/pipelines.md", "docs/diagnosis.md", "docs/preflight.md",
         "docs/output-formats.md"]


def test_no_document_names_an_exit_code_the_table_does_not_have():
    known = set(exit_table(REPO / "docs" / "usage.md"))
    for name in _DOCS:
        for number, line in enumerate((REPO / name).read_text(encoding="utf-8").splitlines(), 1):
            for claim in _CLAIM.finditer(line):
                codes = {int(c) for c in re.findall(r"\d+", claim.group(1))}
                assert codes <= known, f"{name}:{number} names exit code(s) {codes - known}: {line.strip()}"


def test_pipelines_doc_names_every_error_exit_a_ci_step_can_end_with():
    """The pipelines page lists the codes of errors found by the CLI: 5 (try again) among them."""
    text = (REPO / "docs" / "pipelines.md").read_text(encoding="utf-8")
    claim = re.search(r"with the exit code from \[the table in docs/usage.md\]\(usage.md#exit-codes\):([^.]*)", text)
    assert claim, "docs/pipelines.md no longer points at the exit table"
    assert {int(c) for c in re.findall(r"\b\d\b", claim.group(1))} == {2, 3, 4, 5}
