"""Preflight before submit/run, and its findings in every output format."""

from __future__ import annotations


from tests.flow.conftest import run_cli
from tests.preflight.conftest import gallery_image, good_template, line_of, load, preflight, write, writes


def _doomed(emulator, world, tmp_path):
    """A template whose gallery version to publish already exists (AIB612)."""
    load(emulator, world)
    template = good_template(emulator)
    template["properties"]["distribute"][0]["galleryImageId"] = gallery_image(emulator, "ubuntu-web", "1.0.0")
    return write(tmp_path, template)


def test_run_with_a_doomed_template_stops_before_submitting(emulator, world, tmp_path):
    path = _doomed(emulator, world, tmp_path)
    rg = emulator.info["resource_group"]
    result = run_cli(emulator, "run", "--template", str(path), "-g", rg, "--name", "doomed", "--format", "json",
                     "--poll-interval", "0.2", *emulator.cli_args())
    assert result.code == 2, (result.stdout, result.stderr)
    out = result.json  # the same findings as `aib-pilot preflight`
    assert out["schema"] == "aib-pilot/preflight/v1"
    assert [f["rule"] for f in out["findings"]] == ["AIB612"]
    assert out["findings"][0]["line"] == line_of(path, "ubuntu-web/versions/1.0.0")
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and "nothing was submitted" in errors[0] and "--no-preflight" in errors[0]
    assert "Traceback" not in result.stderr
    assert emulator.template(rg, "doomed") is None
    assert writes(emulator) == []


def test_submit_runs_preflight_and_no_preflight_skips_it(emulator, world, tmp_path):
    path = _doomed(emulator, world, tmp_path)
    rg = emulator.info["resource_group"]
    stopped = run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "doomed", *emulator.cli_args())
    assert stopped.code == 2 and "AIB612" in stopped.stdout
    assert emulator.template(rg, "doomed") is None
    skipped = run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "doomed", "--no-preflight",
                      *emulator.cli_args())
    assert skipped.code == 0, skipped.stderr
    assert "AIB612" not in skipped.stdout + skipped.stderr
    assert emulator.template(rg, "doomed") is not None
    off = run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "doomed2", *emulator.cli_args(),
                  extra_env={"AIB_PILOT_PREFLIGHT": "false"})
    assert off.code == 0 and emulator.template(rg, "doomed2") is not None


def test_a_good_template_is_submitted_after_preflight(emulator, world, tmp_path):
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    rg = emulator.info["resource_group"]
    result = run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "good", *emulator.cli_args())
    assert result.code == 0, result.stderr
    progress = result.stdout + result.stderr   # the text format prints progress on stdout
    assert "preflight:" in progress and "none failed" in progress
    assert emulator.template(rg, "good") is not None


def test_bad_preflight_variable_is_one_usage_line_before_sign_in(emulator, world, tmp_path):
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    result = run_cli(emulator, "submit", "--template", str(path), "-g", "rg", *emulator.cli_args(),
                     extra_env={"AIB_PILOT_PREFLIGHT": "sometimes"})
    assert result.code == 2
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and "AIB_PILOT_PREFLIGHT" in errors[0] and "true or false" in errors[0]
    assert emulator.journal.count(service="login") == 0


def test_github_format_annotates_the_property_line(emulator, world, tmp_path):
    path = _doomed(emulator, world, tmp_path)
    result = preflight(emulator, path, fmt="github")
    assert result.code == 2
    line = line_of(path, "ubuntu-web/versions/1.0.0")
    annotations = [ln for ln in result.stdout.splitlines() if ln.startswith("::error ")]
    assert len(annotations) == 1
    assert f"file={path},line={line},title=AIB612 Gallery image version to publish already exists" in annotations[0]
    assert "az sig image-version delete" in annotations[0]
    assert f"template line {line}: distribute[0]" in annotations[0]


def test_azure_devops_format_logs_an_issue_at_the_line(emulator, world, tmp_path):
    path = _doomed(emulator, world, tmp_path)
    result = preflight(emulator, path, fmt="azure-devops")
    assert result.code == 2
    issues = [ln for ln in result.stdout.splitlines() if ln.startswith("##vso[task.logissue type=error")]
    assert len(issues) == 1
    assert f"linenumber={line_of(path, 'ubuntu-web/versions/1.0.0')}" in issues[0] and "code=AIB612" in issues[0]


def test_text_and_markdown_name_the_rule_fix_and_line(emulator, world, tmp_path):
    path = _doomed(emulator, world, tmp_path)
    line = line_of(path, "ubuntu-web/versions/1.0.0")
    text = preflight(emulator, path, fmt="text")
    assert text.code == 2
    assert "Preflight: 1 of" in text.stdout and "[AIB612]" in text.stdout
    assert "az sig image-version delete" in text.stdout and f"{line} | distribute[0]" in text.stdout.replace("  ", " ")
    md = preflight(emulator, path, fmt="markdown")
    assert md.code == 2 and "aib-pilot preflight" in md.stdout and "AIB612" in md.stdout


def test_checks_run_concurrently(emulator, world, tmp_path):
    """With 0.3 s added to every request, many requests are in flight at once: some 0.3 s window
    sees at least six of them answered (one after another, at most one per window could be)."""
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    emulator.faults.add_latency(0.3)
    result = preflight(emulator, path)
    assert result.code == 0, result.stderr
    done = sorted(e.at for e in emulator.journal.entries() if e.service in ("arm", "blob"))
    assert len(done) >= 15
    busiest = max(sum(1 for t in done if start <= t < start + 0.3) for start in done)
    assert busiest >= 6, busiest


def test_attaching_to_a_running_build_skips_preflight(emulator, world, tmp_path):
    """Its build VM holds the quota the checks would count, and attaching creates nothing."""
    load(emulator, world)
    template = good_template(emulator)
    template["tags"]["aib-emulator-duration-minutes"] = "59"   # still running when we come back
    path = write(tmp_path, template)
    rg = emulator.info["resource_group"]
    first = run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "busy", *emulator.cli_args())
    assert first.code == 0, first.stderr
    emulator.wait_until(lambda: emulator.template(rg, "busy").run is not None, timeout=10)
    world["usages"]["eastus"]["standardDSv5Family"] = [50, 50]   # the running build uses the quota
    load(emulator, world)
    again = run_cli(emulator, "submit", "--template", str(path), "-g", rg, "--name", "busy", *emulator.cli_args())
    assert again.code == 0, again.stdout + again.stderr
    assert "already running" in again.stdout + again.stderr
    assert "AIB610" not in again.stdout


def test_a_refused_sign_in_is_exit_3_not_could_not_check(emulator, world, tmp_path):
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    result = run_cli(emulator, "preflight", "--template", str(path), "-g", emulator.info["resource_group"],
                     *emulator.cli_args(), extra_env={"AZURE_CLIENT_SECRET": "wrong-secret"})
    assert result.code == 3, result.stdout + result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and "Authentication failed" in errors[0] and "preflight" in errors[0]
    assert "Traceback" not in result.stderr and "wrong-secret" not in result.stdout + result.stderr


def test_an_expired_token_mid_run_is_exit_3(emulator, world, tmp_path):
    """ARM refusing the token (401) on the checks' reads is an access error, never 'could not check'."""
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    emulator.faults.server_error(401, count=None, service="arm", path="/providers/Microsoft.Compute/")
    result = preflight(emulator, path)
    assert result.code == 3, result.stdout + result.stderr
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("aib-pilot: error:")]
    assert len(errors) == 1 and "Authentication failed" in errors[0] and "Microsoft.Compute" not in result.stdout
    assert "Traceback" not in result.stderr


def test_preflight_checks_the_template_as_set_changes_it(emulator, world, tmp_path):
    load(emulator, world)
    path = write(tmp_path, good_template(emulator))
    doomed = gallery_image(emulator, "ubuntu-web", "1.0.0")  # a version that exists already (AIB612)
    good = preflight(emulator, path)
    assert good.code == 0, good.stderr
    changed = preflight(emulator, path, "--set", f"properties.distribute[0].galleryImageId={doomed}")
    assert changed.code == 2 and [f["rule"] for f in changed.json["findings"]] == ["AIB612"]
    assert writes(emulator) == []
