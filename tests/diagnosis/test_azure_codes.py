"""The Azure error-code table is consistent data the diagnosis engine can rely on."""

import glob
import os
import re
from collections import Counter

import pytest

from aib_pilot.diagnosis.azure_codes import CODES
from aib_pilot.diagnosis.catalogue import CATEGORIES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The shared development corpus sits next to the repository when it is present (never committed).
CORPUS_CASES = os.path.join(ROOT, "..", "shared", "corpus", "real-failures", "cases")
DOC = os.path.join(ROOT, "docs", "azure-error-codes.md")

REQUIRED = ("code", "category", "kind", "service", "title", "cause", "fix", "reference", "example")
OPTIONAL = ("phrases", "exceptions", "phases")
KINDS = ("specific", "wrapper")
SERVICES = ("arm", "compute", "gallery", "network", "storage", "authorization", "policy", "aib",
            "entra", "keyvault", "resources")
REFERENCE_PREFIXES = ("https://learn.microsoft.com/",
                      "https://github.com/Azure/azure-rest-api-specs/")

# Codes that only say *that* something failed: the inner code must win over them.
WRAPPERS = ("InvalidTemplateDeployment", "DeploymentFailed", "ResourceDeploymentFailure",
            "ResourceOperationFailure", "BadRequest", "Conflict", "InternalOperationError",
            "OperationNotAllowed", "PackerBuildFailed", "DeploymentScriptError", "NotFound")

# Codes the diagnosis must know, by the category each one must keep.
MUST_HAVE_BY_CATEGORY = {
    "invalid_template": (
        "InvalidTemplate", "ResourceGroupNotFound", "ParentResourceNotFound",
        "LinkedInvalidPropertyId", "InvalidResourceNamespace", "InvalidResourceType",
        "LocationNotAvailableForResourceType", "InvalidRequestContent", "InvalidParameter",
        "ValidationFailed", "AADSTS700016", "AADSTS7000215", "AADSTS70021", "AADSTS90002",
        "AADSTS900382", "AADSTS500011"),
    "provider_not_registered": (
        "NoRegisteredProviderFound", "MissingSubscriptionRegistration", "SubscriptionNotRegistered"),
    "quota_or_capacity": (
        "ResourceQuotaExceeded", "QuotaExceeded", "SkuNotAvailable", "AllocationFailed",
        "ZonalAllocationFailed", "OverconstrainedAllocationRequest", "SubnetIsFull"),
    "missing_permissions": (
        "AuthorizationFailed", "LinkedAuthorizationFailed", "AuthorizationPermissionMismatch",
        "AADSTS50020"),
    "source_image_not_found": (
        "ResourceNotFound", "ImageNotFound", "PlatformImageNotFound", "GalleryImageNotFound"),
    "transient_service_error": (
        "TooManyRequests", "InternalServerError", "OSProvisioningInternalError",
        "NetworkingInternalOperationError"),
    "token_expired": ("ExpiredAuthenticationToken", "AADSTS700024", "AADSTS7000222"),
    "policy_denied": ("RequestDisallowedByPolicy", "ScopeLocked"),
    "image_not_generalized": ("OSProvisioningTimedOut", "OSProvisioningClientError"),
    "storage_access_blocked": ("AuthorizationFailure", "KeyBasedAuthenticationNotPermitted"),
    "file_download_failed": ("BlobNotFound", "ContainerNotFound"),
    "image_version_exists": ("PropertyChangeNotAllowed",),
    "run_in_progress": ("ResourceGroupBeingDeleted",),
}
MUST_HAVE = {code: category for category, codes in MUST_HAVE_BY_CATEGORY.items() for code in codes}

# The printed shapes of real tools. An example counts for the first shape that matches it.
SHAPES = (
    ("az-cli", re.compile(r"^ERROR: \((\w+)\) ")),
    ("az-code-message", re.compile(r"^Code: \w+\nMessage: ")),
    ("packer", re.compile(r"^==> azure-arm: ERROR: -> \w+ : ")),
    ("powershell", re.compile(r"^[A-Z][A-Za-z]+-Az\w* : .+\nErrorCode: \w+$")),
    ("powershell-status", re.compile(r"\(Code:\w+\)$")),
    ("autorest", re.compile(r'(?:^|\s)Code="\w+" Message="')),
    ("aib-provisioning-error", re.compile(r'^"provisioningError": \{"provisioningErrorCode": "\w+"')),
    ("entra", re.compile(r"AADSTS\d+: ")),
    ("storage-xml", re.compile(r"<Code>\w+</Code>")),
    ("storage-sdk", re.compile(r"^ErrorCode:\w+ ")),
    ("arm-json", re.compile(r'"code":\s*"\w+"')),
)


def shape_of(example: str) -> str:
    for name, pattern in SHAPES:
        if pattern.search(example):
            return name
    return "other"


def by_code():
    return {entry["code"]: entry for entry in CODES}


def test_table_has_at_least_90_codes():
    assert len(CODES) >= 90, len(CODES)


def test_codes_are_unique_even_ignoring_case():
    # Logs are matched without regard to case, so two spellings of one code would be ambiguous.
    counts = Counter(entry["code"].lower() for entry in CODES)
    assert [code for code, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_every_field_is_present_and_filled(entry):
    assert set(REQUIRED) <= set(entry), set(REQUIRED) - set(entry)
    assert set(entry) <= set(REQUIRED + OPTIONAL), set(entry) - set(REQUIRED + OPTIONAL)
    for field in REQUIRED:
        assert isinstance(entry[field], str) and entry[field].strip(), field
        assert entry[field] == entry[field].strip(), field
    for field in ("code", "category", "kind", "service", "title", "cause", "fix", "reference"):
        assert "\n" not in entry[field], field
    if "exceptions" in entry:
        assert isinstance(entry["exceptions"], str) and entry["exceptions"].strip()


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_category_kind_and_service_are_allowed(entry):
    assert entry["category"] in CATEGORIES
    assert entry["kind"] in KINDS
    assert entry["service"] in SERVICES


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_a_wrapper_names_no_cause_and_a_specific_code_does(entry):
    if entry["kind"] == "wrapper":
        assert entry["category"] == "unknown"
        assert not entry.get("phrases"), "a wrapper's wording must not decide a category"
    else:
        assert entry["category"] != "unknown"


def test_wrappers_are_marked_as_wrappers():
    table = by_code()
    assert {code: table[code]["kind"] for code in WRAPPERS} == {code: "wrapper" for code in WRAPPERS}


def test_codes_the_diagnosis_needs_are_present_with_their_category():
    table = by_code()
    missing = sorted(set(MUST_HAVE) - set(table))
    assert missing == []
    assert {code: table[code]["category"] for code in MUST_HAVE} == MUST_HAVE


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_code_is_a_single_token_and_entra_codes_are_aadsts_numbers(entry):
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]+", entry["code"])
    assert (entry["service"] == "entra") == bool(re.fullmatch(r"AADSTS\d+", entry["code"]))


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_reference_is_a_public_https_page(entry):
    assert entry["reference"].startswith(REFERENCE_PREFIXES), entry["reference"]
    assert " " not in entry["reference"]


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_example_contains_the_code_verbatim(entry):
    code = re.escape(entry["code"])
    assert re.search(rf"(?<![A-Za-z0-9]){code}(?![A-Za-z0-9])", entry["example"]), entry["example"]


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_example_is_one_printed_record_in_a_known_shape(entry):
    example = entry["example"]
    assert len(example.split("\n")) <= 2
    assert shape_of(example) != "other", example


def test_examples_come_in_many_shapes():
    shapes = Counter(shape_of(entry["example"]) for entry in CODES)
    assert len(shapes) >= 5, shapes
    # No single shape may dominate: the engine must see every real printed form.
    assert max(shapes.values()) <= len(CODES) // 2, shapes


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_example_cannot_become_a_ci_command(entry):
    for line in entry["example"].split("\n"):
        assert not line.lstrip().startswith("::")
        assert "##[" not in line and "##vso[" not in line


@pytest.mark.parametrize("entry", CODES, ids=lambda e: e["code"])
def test_cause_is_one_to_three_sentences(entry):
    sentences = re.findall(r"[.!?](?=\s+[A-Z(`']|$)", entry["cause"])
    assert 1 <= len(sentences) <= 3, entry["cause"]


@pytest.mark.parametrize("entry", [e for e in CODES if e.get("phrases")], ids=lambda e: e["code"])
def test_phrases_are_plain_text_not_patterns(entry):
    assert isinstance(entry["phrases"], list) and entry["phrases"]
    for phrase in entry["phrases"]:
        assert isinstance(phrase, str) and len(phrase) >= 12, phrase
        assert not re.search(r"\\|\.\*|\.\+|\(\?|\[|\]|\^|\$|\|", phrase), phrase


def test_phrases_do_not_match_examples_of_another_cause():
    """A phrase must be specific: it may not occur in an example filed under another category."""
    clashes = []
    for owner in CODES:
        for phrase in owner.get("phrases", []):
            for other in CODES:
                if other["category"] not in (owner["category"], "unknown") \
                        and phrase.lower() in other["example"].lower():
                    clashes.append((owner["code"], phrase, other["code"]))
    assert clashes == []


def test_phrases_are_unique_across_the_table():
    phrases = Counter(p.lower() for entry in CODES for p in entry.get("phrases", []))
    assert [p for p, n in phrases.items() if n > 1] == []


def test_examples_are_not_copied_from_the_shared_corpus():
    files = sorted(glob.glob(os.path.join(CORPUS_CASES, "*.txt")))
    if not files:
        pytest.skip("shared corpus not present next to the repository (../shared/corpus)")
    corpus_lines = set()
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as handle:
            corpus_lines.update(line.strip() for line in handle if len(line.strip()) >= 40)
    copied = [(entry["code"], line.strip())
              for entry in CODES for line in entry["example"].split("\n")
              if len(line.strip()) >= 40 and line.strip() in corpus_lines]
    assert copied == []


def test_doc_lists_every_code_with_its_service_kind_and_category():
    with open(DOC, encoding="utf-8") as handle:
        rows = {}
        for line in handle:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) >= 6 and cells[0].startswith("`") and cells[0].endswith("`"):
                rows[cells[0].strip("`")] = cells
    assert sorted(rows) == sorted(entry["code"] for entry in CODES)
    for entry in CODES:
        code, service, kind, category = rows[entry["code"]][:4]
        assert (service, kind, category.strip("`")) == (entry["service"], entry["kind"],
                                                         entry["category"]), entry["code"]
        assert entry["reference"] in rows[entry["code"]][-1], entry["code"]
