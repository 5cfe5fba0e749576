"""Fuzz targets (hypothesis), bounded in time: the line cleaner, the template loader, the input table.

Each runs at most ``FUZZ_EXAMPLES`` examples (env AIB_PILOT_FUZZ_EXAMPLES, default 300) so the
suite stays fast; raise it for a longer run: AIB_PILOT_FUZZ_EXAMPLES=20000 pytest tests/unit/test_fuzz.py
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aib_pilot.errors import PilotError
from aib_pilot.report.safety import clean_lines
from tests.report.runners import ado_commands, github_commands

FUZZ = settings(max_examples=int(os.environ.get("AIB_PILOT_FUZZ_EXAMPLES", "300")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Text built from what makes a command, what hides one and anything at all.
MARKERS = st.sampled_from(["#", "##", "::", ":", "[", "vso[", "VSO[", "##vso[", "##[", "v", "task.setvariable ",
                           "error", "]", ";", "%0A", "\n", "\r", "\u2028", " ", "\t", "\x1b[31m"])
HIDERS = st.sampled_from(["\u0600", "\u0605", "\u06dd", "\u070f", "\ufff9", "\ufffb", "\u200b", "\u05b0",
                          "\u0591", "\u0640", "\ufeff", "\u00ad", "\uff03", "\ufe5f", "\uff1a", "\ufe55",
                          "\uff3b", "\uff56", "\U000e0041", "\x00", "\x85"])
HIDERS = st.one_of(HIDERS, st.sampled_from(["\x01", "\x1b", "\x7f", "\x0e"]))


@st.composite
def disguised_marker(draw) -> str:
    """A runner command whose marker has hiding characters put between its own characters."""
    marker = draw(st.sampled_from(["##vso[", "##[", "::"]))
    chars = list(marker)
    for _ in range(draw(st.integers(1, 3))):
        chars.insert(draw(st.integers(1, len(chars) - 1)), draw(HIDERS))
    lead = draw(st.sampled_from(["", " ", "x ", "\t"]))
    return lead + "".join(chars) + draw(st.sampled_from(["task.setvariable variable=x]1", "error]x",
                                                          "set-output name=x::1", "error::x"]))


HOSTILE_TEXT = st.lists(st.one_of(MARKERS, HIDERS, disguised_marker(), st.text(max_size=4)), max_size=24).map("".join)


@FUZZ
@given(HOSTILE_TEXT)
def test_cleaned_text_is_never_a_command_for_either_runner(text):
    lines = clean_lines(text)
    for line in lines:
        assert "\n" not in line and "\r" not in line
        assert github_commands(line) == [], (text, line)
        assert ado_commands(line) == [], (text, line)
    assert clean_lines(lines) == lines  # stable: cleaning twice changes nothing


@FUZZ
@given(HOSTILE_TEXT)
def test_the_console_never_prints_a_command_it_did_not_author(text):
    """Prose lines (error messages quoting inputs) are only neutralised, not stripped of controls."""
    import io

    from aib_pilot.report.console import Console

    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err, {})
    console.error(text)
    console.line(text)
    for stream in (out.getvalue(), err.getvalue()):
        assert github_commands(stream) == [] and ado_commands(stream) == [], (text, stream)


TEMPLATE_KEYS = st.sampled_from(["properties", "customize", "type", "name", "inline", "source", "distribute",
                                 "buildTimeoutInMinutes", "vmProfile", "scriptUri", "validate", "##vso[x.y]z"])
def _containers(inner):
    return st.one_of(st.lists(inner, max_size=4),
                     st.dictionaries(st.one_of(TEMPLATE_KEYS, st.text(max_size=8)), inner, max_size=5))


JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                     st.text(max_size=20)), _containers, max_leaves=30)


@FUZZ
@given(st.one_of(JSON_VALUES.map(lambda v: json.dumps(v).encode()), st.binary(max_size=200)))
def test_template_loader_accepts_or_says_why_in_one_line(tmp_path_factory, raw):
    from aib_pilot.azure.templates import load_template

    path = tmp_path_factory.mktemp("t") / "t.json"
    path.write_bytes(raw)
    try:
        load_template(path)
    except PilotError as exc:
        assert exc.exit_code == 2 and "\n" not in exc.message
    # any other exception type fails the test: the loader must never crash on input


def _input_names():
    from aib_pilot.entrypoints.inputs import INPUTS

    return [i.github for i in INPUTS]


@FUZZ
@given(st.dictionaries(st.sampled_from(_input_names()), st.one_of(HOSTILE_TEXT, st.sampled_from(
    ["run", "monitor", "true", "false", "50", "-1", "nan", "a=b", "--budget 5", "secret"])), max_size=10),
    st.sampled_from(["github", "azure-devops"]))
def test_input_table_builds_an_invocation_or_one_line_errors(values, platform):
    from aib_pilot.entrypoints.inputs import build_argv

    inv = build_argv(dict(values), platform=platform)
    assert inv.argv or inv.errors
    import io

    from aib_pilot.report.console import Console

    err = io.StringIO()
    console = Console(io.StringIO(), err, {})
    for error in inv.errors:
        console.error(error)  # how the adapters print them: the inputs they quote are disarmed
    assert github_commands(err.getvalue()) == [] and ado_commands(err.getvalue()) == []
    secret = values.get("client-secret", "").strip()
    others = [v for k, v in values.items() if k != "client-secret"]
    if len(secret) >= 4 and not any(secret in v for v in others):
        assert secret in inv.secrets  # registered for masking ...
        assert all(secret not in arg for arg in inv.argv)  # ... and never on a command line
