"""Everything aib-pilot prints goes through report/console.py: no other module writes to stdout or
stderr itself (a raw print of an error line is how a step input became a runner command). Handing
the stream objects to the console or a sink, or flushing them, is fine."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "aib_pilot"
WRITER = SRC / "report" / "console.py"


def _is_std_stream(node: ast.AST) -> bool:
    """``sys.stdout`` / ``sys.stderr`` (also ``sys.stdout.buffer``)."""
    if isinstance(node, ast.Attribute) and node.attr == "buffer":
        node = node.value
    return (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr")
            and isinstance(node.value, ast.Name) and node.value.id == "sys")


def direct_writes(path: Path) -> list[str]:
    """print(...) calls and sys.stdout/sys.stderr .write/.writelines calls in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(f"{path.name}:{node.lineno} print()")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in ("write", "writelines") \
                and _is_std_stream(node.func.value):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node.func)}()")
    return found


def test_only_the_console_writes_to_the_standard_streams():
    offenders = [f"{path.relative_to(SRC)}: {hit}" for path in sorted(SRC.rglob("*.py"))
                 if path != WRITER and "diagnosis" not in path.parts for hit in direct_writes(path)]
    assert offenders == []


def test_the_check_bites(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("import sys\nprint('x')\nsys.stderr.write('y')\nsys.stdout.buffer.write(b'z')\n"
                      "sink(out=sys.stdout)\nsys.stdout.flush()\n")
    assert direct_writes(sample) == ["m.py:2 print()", "m.py:3 sys.stderr.write()", "m.py:4 sys.stdout.buffer.write()"]
