"""What must NOT be reported as a cause."""

from aib_pilot.diagnosis import diagnose

from .conftest import example_path, log_path
from .logbuilder import APT_UPDATE, Log


def test_successful_build_has_no_error_finding():
    for path in (log_path("success_linux.log"), example_path("linux-success.log")):
        d = diagnose(path)
        out = d.to_dict()
        assert not d.failed and out["status"] == "succeeded"
        assert all(f["severity"] != "error" for f in out["findings"])
        assert out["failed_customizer"] is None and out["failing_section"] is None
        assert [t["status"] for t in out["timeline"]] == ["ok"] * len(out["timeline"])
        phases = [t["phase"] for t in out["timeline"]]
        for phase in ("deploy", "deployment-status", "connect", "customize", "deprovision", "distribute", "cleanup"):
            assert phase in phases


def test_cleanup_noise_alone_is_not_a_cause():
    d = diagnose(log_path("success_with_cleanup_noise.log")).to_dict()
    assert d["status"] == "succeeded"
    assert d["category"] == "unknown"
    assert not [f for f in d["findings"] if f["rule"] in ("AIB403", "AIB404")]


def test_cleanup_noise_never_outranks_the_real_cause():
    d = diagnose(example_path("linux-customizer-failed.log")).to_dict()  # has "Error deleting resource"
    assert d["findings"][0]["rule"] == "AIB211"
    assert "AIB403" not in [f["rule"] for f in d["findings"]]


def test_generic_wrapper_alone_is_not_something_specific():
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE)
    log.shell(["doing things", "more things"], code=0, end=False)
    log.end("shell")
    log.cleanup(failed=True)
    log.finish_failed("some unexplained failure")
    d = diagnose(log.text().encode()).to_dict()
    assert d["status"] == "failed"
    assert d["category"] in ("unknown", "customizer_failed")
    assert {f["rule"] for f in d["findings"]} <= {"AIB203", "AIB201", "AIB202"}
    assert d["tail"], "the failing section's tail replaces a guess"
    assert d["failing_section"]["name"] == "shell"


def test_unexplained_failure_shows_tail_of_failing_section():
    log = Log().deploy().deployment_status().connect()
    log.shell(["step one ok", "mystery output 42"], code=3)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 3. Allowed exit codes are: [0]")
    d = diagnose(log.text().encode()).to_dict()
    assert d["category"] == "customizer_failed"
    assert d["failing_section"]["exit_code"] == 3
    assert d["tail"][-1]["text"].endswith("mystery output 42")
    assert not any("bytes written" in t["text"] or "Communicator ended" in t["text"] for t in d["tail"])


def test_answered_prompt_in_a_successful_customizer_is_not_a_cause():
    log = Log().deploy().deployment_status().connect()
    log.shell(["Do you want to continue? [Y/n] y", "Setting up nginx"], code=0)
    log.shell(["compiling"], code=2)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 2. Allowed exit codes are: [0]")
    d = diagnose(log.text().encode()).to_dict()
    assert "AIB205" not in [f["rule"] for f in d["findings"]]
    assert d["failed_customizer"]["index"] == 1


def test_packer_windows_update_exit_101_and_restart_codes_are_not_failures():
    d = diagnose(log_path("low_windows_resources.log")).to_dict()
    assert d["failing_section"]["exit_code"] is None
    assert "AIB202" not in [f["rule"] for f in d["findings"]]


def test_found_command_text_of_deprovision_script_is_not_an_error():
    d = diagnose(log_path("sysprep_timing.log")).to_dict()
    lines = open(log_path("sysprep_timing.log"), encoding="utf-8").read().splitlines()
    found_command = next(i + 1 for i, t in enumerate(lines) if "Found command:" in t and "could not be found" in t)
    assert all(e["line"] != found_command for f in d["findings"] if f["rule"] == "AIB303" for e in f["evidence"])
    assert d["category"] == "sysprep_failed"


def test_running_build_is_running():
    log = Log().deploy().deployment_status().connect()
    log.shell(APT_UPDATE, end=False)
    d = diagnose(log.text().encode()).to_dict()
    assert d["status"] == "running" and not d["findings"]
    assert d["timeline"][-1]["status"] == "running"


def test_non_zero_exit_code_allowed_by_valid_exit_codes_is_not_a_failure():
    log = Log().deploy().deployment_status().connect(windows=True)
    log.powershell(["Installing .NET 4.8", "Reboot required"], code=3010)  # validExitCodes: [0, 3010]
    log.windows_restart()
    log.deprovision_windows().distribute().cleanup()
    log.finish_ok()
    d = diagnose(log.text().encode()).to_dict()
    assert d["status"] == "succeeded" and d["findings"] == []
    assert d["timeline"][3]["exit_code"] == 3010 and d["timeline"][3]["status"] == "ok"


def test_errors_inside_customizers_that_succeeded_are_secondary_never_the_cause():
    log = Log().deploy().deployment_status().connect()
    log.shell(["curl: (6) Could not resolve host: mirror", "retry ok"])
    log.shell(["compiling", "make: *** [all] Error 2"], code=2)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 2. Allowed exit codes are: [0]")
    d = diagnose(log.text().encode()).to_dict()
    assert d["category"] == "customizer_failed" and d["failed_customizer"]["index"] == 1
    assert d["findings"][0]["rule"] == "AIB202"
    earlier = [f for f in d["findings"] if f["rule"] == "AIB212"]
    assert earlier and all(f["secondary"] for f in earlier)
    assert earlier[0]["evidence"][0]["line"] < d["failing_section"]["start_line"]


def test_a_full_disk_in_a_customizer_the_build_went_past_is_said_as_secondary():
    """A step that filled the disk but exited 0 (tar reports, the script goes on): not the cause of
    the later failure, but the user should hear of it. Rules that drop teardown lines after the
    failed step still report such an earlier line."""
    log = Log().deploy().deployment_status().connect()
    log.shell(["Extracting toolchain.tar.gz",
               "tar: opt/toolchain/lib/libLLVM.so.17: Cannot write: No space left on device",
               "tar: Exiting with failure status due to previous errors", "done"])
    log.shell(["E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 2231 (apt-get)",
               "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?"],
              code=100)
    log.cleanup(failed=True)
    log.finish_failed("Script exited with non-zero exit status: 100. Allowed exit codes are: [0]")
    d = diagnose(log.text().encode()).to_dict()
    assert d["category"] == "package_manager_locked" and d["failed_customizer"]["index"] == 1
    disk = [f for f in d["findings"] if f["rule"] == "AIB207"]
    assert disk and all(f["secondary"] for f in disk), [(f["rule"], f.get("secondary")) for f in d["findings"]]
    assert disk[0]["evidence"][0]["line"] < d["failing_section"]["start_line"]
