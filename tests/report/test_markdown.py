"""The markdown format: state, gantt, findings with fixes, a safe fenced tail, the log location."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

from aib_pilot.report import make_sink, render_diagnosis
from aib_pilot.report.markdown import gantt, mermaid_name, truncate_markdown

from . import samples
from .conftest import TEMPLATE


def md_result(result) -> str:
    out = io.StringIO()
    make_sink("markdown", out=out, env={}, err=io.StringIO()).result(result, template_path=TEMPLATE)
    return out.getvalue()


def fenced_blocks(text: str) -> list[tuple[str, str, list[str]]]:
    """(fence, info, body) for each fenced block, closed per CommonMark (same char, >= length)."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^(\s*)(`{3,})(.*)$", lines[i])
        if not m:
            i += 1
            continue
        fence, info, body = m.group(2), m.group(3).strip(), []
        i += 1
        while i < len(lines) and not re.fullmatch(r"\s*`{%d,}\s*" % len(fence), lines[i]):
            body.append(lines[i])
            i += 1
        assert i < len(lines), "unclosed fence"
        blocks.append((fence, info, body))
        i += 1
    return blocks


def test_failed_result_has_state_findings_fixes_tail_and_log_location():
    text = md_result(samples.failed())
    assert text.startswith("### ❌ aib-pilot: `ubuntu-nginx` Failed")
    assert "| Full log saved to | `/github/workspace/aib-logs/ubuntu-nginx/customization.log` |" in text
    assert "`install-nginx (Shell, customizer 2)` at `images/ubuntu.json:41`" in text
    assert text.index("AIB101") < text.index("AIB121")
    assert "**Fix:** Wait for cloud-init and the apt lock" in text
    blocks = fenced_blocks(text)
    tail = [b for b in blocks if any("1851 | ==> azure-arm" in line for line in b[2])]
    assert tail and tail[-1][1] == "text"


def test_tail_fence_is_longer_than_any_backtick_run():
    diag = samples.hostile_diagnosis()
    out = io.StringIO()
    render_diagnosis(diag, "markdown", out, template_path=TEMPLATE)
    blocks = fenced_blocks(out.getvalue())
    tail = next(b for b in blocks if any("`````" in line for line in b[2]))
    assert len(tail[0]) == 6
    # the hostile lines all stayed inside the block, none leaked as Markdown
    outside = [line for line in out.getvalue().splitlines() if "aib-pilot:other" in line]
    assert all(line.strip().startswith("20") for line in outside)


def test_gantt_uses_real_times_and_durations():
    lines = gantt(samples.typed().timeline)
    assert lines[0] == "```mermaid" and lines[1] == "gantt" and lines[-1] == "```"
    assert "    dateFormat x" in lines  # milliseconds
    bars = [line.strip() for line in lines if re.match(r"\s+\d+\. ", line)]
    deploy = next(b for b in bars if "deploy" in b)
    start = int(datetime(2026, 11, 25, 22, 0, 5, tzinfo=timezone.utc).timestamp())
    assert deploy == f"1. deploy :done, t1, {start * 1000}, {(start + 215) * 1000}"
    failed = next(b for b in bars if "install-nginx" in b)
    assert failed.startswith("5. install-nginx :crit, t5,")
    cleanup = next(b for b in bars if "cleanup" in b)  # no timestamps: placed after customize
    customize_end = int(datetime(2026, 11, 25, 22, 11, 2, tzinfo=timezone.utc).timestamp())
    assert cleanup == f"6. cleanup :done, t6, {customize_end * 1000}, {(customize_end + 95) * 1000}"
    assert lines.index("    section Customizers") > lines.index("    section Phases")


def test_gantt_with_durations_only_is_sequential():
    timeline = [{"kind": "phase", "name": "deploy", "duration_seconds": 60, "status": "ok"},
                {"kind": "customizer", "name": "never-ran", "phase": "customize", "status": "skipped"},
                {"kind": "phase", "name": "customize", "duration_seconds": 100, "status": "running"},
                {"kind": "customizer", "name": "a", "phase": "customize", "duration_seconds": 30, "status": "ok"},
                {"kind": "customizer", "name": "b", "phase": "customize", "duration_seconds": 0, "status": "running"}]
    bars = [line.strip() for line in gantt(samples.timeline(timeline)) if re.match(r"\s+\d+\. ", line)]
    assert bars == ["1. deploy :done, t1, 0, 60000", "2. customize :active, t2, 60000, 160000",
                    "3. a :done, t3, 60000, 90000", "4. b :active, t4, 90000, 91000"]


def test_mermaid_names_cannot_break_the_chart():
    hostile = "evil: ##vso[x] ::error::y #; %% `end` \n section Z\r:crit, x, 0, 1"
    name = mermaid_name(hostile)
    assert not set(name) & set(":#;%`\n\r[]")
    lines = gantt(samples.timeline([{"kind": "phase", "name": hostile, "duration_seconds": 5, "status": "failed"}]))
    assert len(lines) == 7 and lines[-2].strip().startswith("1. evil")
    assert not any(line.strip().lower().startswith("section z") for line in lines)


def test_running_and_canceled_and_succeeded():
    running = md_result(samples.running())
    assert "⏳" in running and "Running (Customizing)" in running
    block = next(b for b in fenced_blocks(running) if b[1] == "sh")
    assert block[2] == ["aib-pilot monitor --resource-group rg-images --name ubuntu-nginx --budget-minutes 55"]
    assert "mermaid" in running
    assert "canceled; nothing was published" in md_result(samples.canceled())
    ok = md_result(samples.succeeded())
    assert "✅" in ok and "| Output `ubuntu-nginx-sig` |" in ok


def test_truncation_never_leaves_a_fence_open():
    lines = ["# head", "````text"] + [f"line {i} " + "x" * 50 for i in range(500)] + ["````", "after"]
    text = truncate_markdown(lines, 4000)
    assert len(text.encode()) <= 4000
    assert fenced_blocks(text)[0][0] == "````"
    assert text.rstrip().endswith("_(summary truncated: the step summary size limit was reached)_")


def test_fleet_table():
    out = io.StringIO()
    make_sink("markdown", out=out, env={}, err=io.StringIO()).fleet_summary(
        [samples.succeeded(), samples.failed()])
    text = out.getvalue()
    assert "| Template | State | Elapsed | Category | Failing customizer | Log |" in text
    assert "| `ubuntu-nginx` | ❌ Failed | 11m02s | `customizer_failed` | `install-nginx` |" in text


def test_rule_prose_keeps_its_code_spans_and_escapes_the_rest():
    from aib_pilot.report.markdown import Markdown
    md = Markdown()
    assert md.plain("Use `apt-get -y` and *not* [links](x) <b> @team") == \
        "Use `apt-get -y` and \\*not\\* \\[links\\](x) \\<b\\> `@team`"  # a mention only inside code
    assert md.plain("x `##vso[a.b]c` y") == "x `# #vso[a.b]c` y"  # code spans are cleaned too
