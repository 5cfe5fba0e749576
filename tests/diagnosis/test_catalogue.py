"""The catalogue is consistent data: examples match, every category and seed error is covered."""

import re

import pytest

from aib_pilot.diagnosis import catalogue
from aib_pilot.diagnosis.rules import RULES, RULES_BY_ID, CatalogueError, _build
from aib_pilot.diagnosis.scanner import LogScanner

# IDs that have been published: they may gain patterns but must never disappear or change meaning.
PUBLISHED = {
    "AIB101": "template_exists", "AIB102": "missing_permissions", "AIB103": "missing_permissions",
    "AIB104": "source_image_not_found", "AIB105": "file_download_failed", "AIB106": "invalid_template",
    "AIB110": "policy_denied", "AIB111": "provider_not_registered", "AIB112": "quota_or_capacity",
    "AIB114": "security_type_mismatch", "AIB115": "storage_access_blocked",
    "AIB116": "transient_service_error", "AIB118": "missing_permissions", "AIB201": "customizer_failed",
    "AIB202": "customizer_failed", "AIB204": "build_timeout", "AIB205": "waiting_for_input",
    "AIB206": "large_file_customizer", "AIB207": "vm_resources_exhausted",
    "AIB210": "windows_restart_timeout", "AIB211": "package_manager_locked", "AIB214": "connection_lost",
    "AIB218": "connection_lost",
    "AIB215": "communicator_timeout", "AIB216": "packer_crash", "AIB301": "sysprep_failed",
    "AIB303": "deprovision_failed", "AIB304": "deprovision_failed", "AIB305": "sig_replication_timeout",
    "AIB307": "image_version_exists", "AIB401": "pipeline_timeout", "AIB402": "token_expired",
}

# Every "#anchor" of the seed guide that names an error section must be some rule's reference.
SEED_ERROR_ANCHORS = {
    "updateupgrade-of-image-templates-is-currently-not-supported",
    "the-resource-operation-completed-with-terminal-provisioning-state-failed",
    "error-getting-managed-image", "build--step-failed-for-image-version",
    "downloading-external-file-to-local-file", "packer-build-command-failure", "timeout-exceeded",
    "long-file-download-time", "error-waiting-on-shared-image-gallery",
    "low-windows-resource-information-events", "builds-finished-but-no-artifacts-were-created",
    "resource-not-found", "sysprep-timing", "cancelling-builder-after-context-cancellation-context-canceled",
    "operation-was-canceled", "slow-windows-logon-please-wait-for-the-windows-modules-installer",
}


@pytest.mark.parametrize("rule", [r for r in RULES if not r.trigger], ids=lambda r: r.id)
def test_positive_examples_match_and_negatives_do_not(rule):
    assert rule.positives, f"{rule.id} needs positive examples"
    assert rule.negatives, f"{rule.id} needs negative examples"
    for line in rule.positives:
        assert rule.match(line.encode()), f"{rule.id} does not match its example {line!r}"
    for line in rule.negatives:
        assert not rule.match(line.encode()), f"{rule.id} wrongly matches {line!r}"


@pytest.mark.parametrize("rule", [r for r in RULES if not r.trigger], ids=lambda r: r.id)
def test_scanner_finds_each_positive_in_a_log(rule):
    scan = LogScanner()
    for chunk in ("header line\n", "\n".join(rule.positives) + "\n", "footer\n"):
        scan.feed(chunk.encode())
    scan.finish()
    assert rule.id in scan.hits
    assert [e.line for e in scan.hits[rule.id].evidence()][0] == 2


def test_every_issue_category_has_a_rule():
    covered = {r.category for r in RULES}
    missing = set(catalogue.CATEGORIES) - covered - {"unknown"}
    assert not missing


def test_published_ids_keep_their_category():
    for rid, cat in PUBLISHED.items():
        assert RULES_BY_ID[rid].category == cat


def test_every_seed_error_section_is_referenced():
    anchors = {r.reference.split("#", 1)[1] for r in RULES if "#" in r.reference}
    assert SEED_ERROR_ANCHORS <= anchors, SEED_ERROR_ANCHORS - anchors


def test_fix_and_cause_are_concrete():
    for r in RULES:
        assert len(r.cause) > 40 and len(r.fix) > 10, r.id
        # Microsoft's documentation, or the documentation of the Packer component, the tool that
        # runs it (Vagrant) or the guest tool (rpm, Pester, apt) that prints it
        assert r.reference.startswith(("https://learn.microsoft.com/", "https://developer.hashicorp.com/packer/",
                                       "https://developer.hashicorp.com/vagrant/",
                                       "https://github.com/rgl/packer-plugin-windows-update",
                                       "https://rpm.org/", "https://pester.dev/",
                                       "https://manpages.debian.org/")), r.id


def test_generic_and_noise_rules_rank_below_specific_ones():
    generic = [r for r in RULES if r.kind != "specific"]
    assert {r.id for r in generic} >= {"AIB201", "AIB203", "AIB403", "AIB404"}
    assert all(r.severity != "error" for r in RULES if r.kind == "noise")


def test_bad_entries_are_rejected():
    base = dict(catalogue.RULES[0])
    with pytest.raises(CatalogueError):
        _build(dict(base, category="nope"))
    with pytest.raises(CatalogueError):
        _build(dict(base, patterns=[r"(capturing)"]))
    with pytest.raises(CatalogueError):
        _build(dict(base, id="X1"))


def test_patterns_compile_as_bytes_and_have_no_capturing_groups():
    for r in RULES:
        for p in r.patterns:
            assert re.compile(p.encode()).groups == 0, (r.id, p)


def test_required_literals_are_really_required():
    """Every positive example contains one of its matching pattern's literals (else the scanner's
    bytes.find pre-search would skip the line)."""
    for r in RULES:
        for line in r.positives:
            raw = line.encode()
            for p in r.compiled:
                if p.rx.search(raw) and p.literals is not None:
                    hay = raw.lower() if p.icase else raw
                    assert any(lit in hay for lit in p.literals), (r.id, p.rx.pattern, line)
