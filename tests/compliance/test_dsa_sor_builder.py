"""The statement builder against the transparency database's rules, without a database."""

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hotline.cases.categories import DSA_CLASSIFICATION, Category
from hotline.compliance.dsa_sor import (
    EXPORTED_DECISIONS,
    PUID_PREFIX,
    Decision,
    puid_for,
    statement_for,
)
from hotline.compliance.dsa_sor_grounds import EEA_COUNTRY_CODES as BUILDER_EEA
from tests.compliance import dsa_rules
from tests.compliance.dsa_rules import (
    ALWAYS_REQUIRED,
    PUID,
    TransparencyDatabase,
    statement_errors,
)

NOTICED = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
BASE = Decision(
    event_seq=17,
    item_id=42,
    decision="removed",
    decided_at=NOTICED + timedelta(hours=5, minutes=30),
    reported_at=NOTICED - timedelta(minutes=2),
    noticed_at=NOTICED,
    category="sexual_deepfake",
    involves_minor=False,
    urgent=False,
    jurisdiction="KR",
    legal_bases=("take_it_down", "dsa_art16"),
    reporter_kind="regulator",
    reporter_name="KCSC",
)

# Every kind of decision hotline can hold, crossed: each must give a valid statement.
VARIANTS = [
    replace(
        BASE,
        decision=decision,
        category=category.value,
        involves_minor=minor,
        reporter_kind=kind,
        legal_bases=bases,
        jurisdiction=jurisdiction,
        urgent=minor,
    )
    for decision, category, minor, kind, bases, jurisdiction in itertools.product(
        sorted(EXPORTED_DECISIONS),
        list(Category),
        [False, True],
        ["regulator", "support_org"],
        [(), ("dsa_art16",), ("take_it_down",)],
        ["KR", "US", "DE", "NO", "JP"],
    )
]


@pytest.mark.parametrize("decision", VARIANTS)
def test_every_kind_of_decision_gives_a_statement_the_database_accepts(
    decision: Decision,
) -> None:
    assert statement_errors(statement_for(decision)) == []


def test_the_builder_uses_the_databases_own_country_list() -> None:
    assert BUILDER_EEA == dsa_rules.EUROPEAN_COUNTRY_CODES


def test_our_category_mapping_names_only_values_the_database_knows() -> None:
    for classification in DSA_CLASSIFICATION.values():
        assert classification.category in dsa_rules.STATEMENT_CATEGORIES
        assert classification.keyword in dsa_rules.KEYWORDS
        assert classification.content_type in dsa_rules.CONTENT_TYPES


# --- the validator catches what it must: each required field, each enum --------------------


@pytest.mark.parametrize("field", ALWAYS_REQUIRED)
@pytest.mark.parametrize("blank", ["missing", None, "", []])
def test_a_statement_without_a_required_field_is_refused(field: str, blank: Any) -> None:
    statement = statement_for(BASE)
    if blank == "missing":
        del statement[field]
    else:
        statement[field] = blank
    assert any(e.startswith(f"{field}: is required") for e in statement_errors(statement))


def test_the_always_required_fields_are_those_of_the_rules() -> None:
    assert set(ALWAYS_REQUIRED) == {
        "decision_ground", "content_type", "category", "content_date", "application_date",
        "decision_facts", "source_type", "automated_detection", "automated_decision", "puid",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("field", "required_by"),
    [
        ("illegal_content_legal_ground", "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT"),
        ("illegal_content_explanation", "decision_ground is DECISION_GROUND_ILLEGAL_CONTENT"),
    ],
)
def test_the_illegal_ground_needs_its_legal_ground_and_explanation(
    field: str, required_by: str
) -> None:
    statement = statement_for(BASE)
    del statement[field]
    assert statement_errors(statement) == [f"{field}: is required when {required_by}"]


def test_a_statement_needs_some_restriction() -> None:
    statement = statement_for(BASE)
    del statement["decision_visibility"]
    errors = statement_errors(statement)
    assert {e.split(":")[0] for e in errors} == {
        "decision_visibility", "decision_monetary", "decision_provision", "decision_account",
    }  # fmt: skip


def test_the_incompatible_ground_needs_its_own_fields_and_drops_the_illegal_ones() -> None:
    statement = statement_for(BASE) | {"decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT"}
    assert statement_errors(statement) == [
        "illegal_content_legal_ground: is excluded by the rules here (it would be dropped)",
        "illegal_content_explanation: is excluded by the rules here (it would be dropped)",
        "incompatible_content_ground: is required when decision_ground is "
        "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "incompatible_content_explanation: is required when decision_ground is "
        "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    ]


ENUM_FIELDS = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_GONE"],
    "decision_ground": "DECISION_GROUND_ILLEGAL",
    "content_type": ["CONTENT_TYPE_DEEPFAKE"],
    "category": "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",  # the old (v1) schema's value
    "category_specification": ["KEYWORD_NON_CONSENSUAL_ITEMS_DEEPFAKE"],  # also v1
    "territorial_scope": ["KR"],
    "source_type": "SOURCE_TRUSTED_NOTIFIER",
    "automated_detection": "yes",
    "automated_decision": "AUTOMATED_DECISION_NONE",
}


@pytest.mark.parametrize(("field", "wrong"), ENUM_FIELDS.items())
def test_a_value_outside_a_fields_list_is_refused(field: str, wrong: Any) -> None:
    listed = [wrong] if isinstance(wrong, str) else wrong
    errors = statement_errors(statement_for(BASE) | {field: wrong})
    assert f"{field}: has values outside its list: {listed!r}" in errors


ENUMS_USED = {
    "decision_visibility": dsa_rules.DECISION_VISIBILITIES,
    "decision_ground": dsa_rules.DECISION_GROUNDS,
    "content_type": dsa_rules.CONTENT_TYPES,
    "category": dsa_rules.STATEMENT_CATEGORIES,
    "category_specification": dsa_rules.KEYWORDS,
    "territorial_scope": dsa_rules.EUROPEAN_COUNTRY_CODES,
    "source_type": dsa_rules.SOURCE_TYPES,
    "automated_detection": dsa_rules.YES_NO,
    "automated_decision": dsa_rules.AUTOMATED_DECISIONS,
}


def test_every_enum_value_the_builder_emits_is_one_of_the_databases() -> None:
    for statement in map(statement_for, VARIANTS):
        for field, allowed in ENUMS_USED.items():
            values = statement[field] if isinstance(statement[field], list) else [statement[field]]
            assert set(values) <= set(allowed), (field, values)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("content_date", "1999-12-31", "content_date: must be on or after 2000-01-01"),
        ("application_date", "2019-12-31", "application_date: must be on or after 2020-01-01"),
        ("application_date", "2038-01-02", "application_date: must be on or before 2038-01-01"),
        ("content_date", "30/11/2026", "content_date: does not match the format YYYY-MM-DD"),
        ("content_date", "2026-02-30", "content_date: is not a date"),
        ("decision_facts", "x" * 5001, "decision_facts: is longer than 5000 characters"),
        ("illegal_content_explanation", "x" * 2001,
         "illegal_content_explanation: is longer than 2000 characters"),
        ("illegal_content_legal_ground", "x" * 501,
         "illegal_content_legal_ground: is longer than 500 characters"),
        ("puid", "hotline item 42", "puid: is not made of a-z, A-Z, 0-9, - and _ only"),
        ("puid", "hotline-42\n", "puid: is not made of a-z, A-Z, 0-9, - and _ only"),
        ("puid", "p" * 501, "puid: is longer than 500 characters"),
        ("content_type", "CONTENT_TYPE_IMAGE", "content_type: must be an array"),
        ("statement_url", "https://t.me/room/1",
         "statement_url: is not a field of the database (it would be dropped)"),
    ],
)  # fmt: skip
def test_formats_and_lengths_are_checked(field: str, value: Any, error: str) -> None:
    assert statement_errors(statement_for(BASE) | {field: value}) == [error]


# --- what the builder says --------------------------------------------------------------------


def test_a_removal_is_content_removed_everywhere_in_the_eea() -> None:
    seoul_morning = datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Asia/Seoul"))
    statement = statement_for(replace(BASE, reported_at=seoul_morning))
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert statement["territorial_scope"] == list(dsa_rules.EUROPEAN_COUNTRY_CODES)
    assert statement["application_date"] == "2026-11-30"
    assert statement["content_date"] == "2026-11-29"  # 08:00 in Seoul is 23:00 UTC the day before


@pytest.mark.parametrize(
    ("jurisdiction", "scope"), [("DE", ["DE"]), ("NO", ["NO"]), ("KR", []), ("US", [])]
)
def test_a_restriction_is_scoped_only_where_hotline_knows_where(
    jurisdiction: str, scope: list[str]
) -> None:
    statement = statement_for(replace(BASE, decision="restricted", jurisdiction=jurisdiction))
    assert statement["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert statement["territorial_scope"] == scope


def test_a_rejection_has_no_statement() -> None:
    with pytest.raises(ValueError, match="restricts nothing"):
        statement_for(replace(BASE, decision="rejected"))


@pytest.mark.parametrize(
    ("kind", "bases", "source"),
    [
        ("regulator", ("take_it_down", "dsa_art16"), {"source_type": "SOURCE_TRUSTED_FLAGGER",
                                                      "source_identity": "KCSC"}),
        ("regulator", (), {"source_type": "SOURCE_TRUSTED_FLAGGER", "source_identity": "KCSC"}),
        ("support_org", ("dsa_art16",), {"source_type": "SOURCE_ARTICLE_16"}),
        ("support_org", ("take_it_down", "dsa_art16"), {"source_type": "SOURCE_ARTICLE_16"}),
        ("support_org", ("take_it_down",), {"source_type": "SOURCE_TYPE_OTHER_NOTIFICATION"}),
        ("support_org", (), {"source_type": "SOURCE_TYPE_OTHER_NOTIFICATION"}),
    ],
)  # fmt: skip
def test_the_source_follows_the_reporters_kind(
    kind: str, bases: tuple[str, ...], source: dict[str, str]
) -> None:
    statement = statement_for(replace(BASE, reporter_kind=kind, legal_bases=bases))
    got = {k: statement[k] for k in ("source_type", "source_identity") if k in statement}
    assert got == source


@pytest.mark.parametrize(
    ("category", "minor", "expected"),
    [
        ("sexual_deepfake", False, ("STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
                                    "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE",
                                    "CONTENT_TYPE_SYNTHETIC_MEDIA")),
        ("non_consensual_intimate_image", False, ("STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
                                                  "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
                                                  "CONTENT_TYPE_IMAGE")),
        ("minor_sexual_deepfake", True, ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                                         "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
                                         "CONTENT_TYPE_SYNTHETIC_MEDIA")),
        ("child_sexual_abuse_material", True, ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                                               "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
                                               "CONTENT_TYPE_IMAGE")),
        # The adult keywords exclude minors: a minor involved takes the minor classification.
        ("sexual_deepfake", True, ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                                   "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE",
                                   "CONTENT_TYPE_SYNTHETIC_MEDIA")),
        ("non_consensual_intimate_image", True, ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                                                 "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
                                                 "CONTENT_TYPE_IMAGE")),
    ],
)  # fmt: skip
def test_category_and_specification_come_from_our_mapping(
    category: str, minor: bool, expected: tuple[str, str, str]
) -> None:
    statement = statement_for(replace(BASE, category=category, involves_minor=minor))
    got = (statement["category"], statement["category_specification"], statement["content_type"])
    assert got == (expected[0], [expected[1]], [expected[2]])


@pytest.mark.parametrize(
    ("jurisdiction", "category", "cites"),
    [
        ("KR", "sexual_deepfake", "Article 14-2"),
        ("KR", "non_consensual_intimate_image", "Article 14 (filming"),
        ("KR", "minor_sexual_deepfake", "Protection of Children and Youth"),
        ("US", "sexual_deepfake", "TAKE IT DOWN"),
        ("US", "child_sexual_abuse_material", "18 U.S.C. 2252A"),
        ("DE", "sexual_deepfake", "Directive (EU) 2024/1385, Article 5"),
        ("FR", "child_sexual_abuse_material", "Directive 2011/93/EU"),
        ("NO", "sexual_deepfake", "The law of NO"),
        ("JP", "non_consensual_intimate_image", "The law of JP"),
    ],
)
def test_the_legal_ground_is_the_law_of_the_requesters_jurisdiction(
    jurisdiction: str, category: str, cites: str
) -> None:
    statement = statement_for(replace(BASE, jurisdiction=jurisdiction, category=category))
    assert cites in statement["illegal_content_legal_ground"]


def test_the_facts_are_built_from_dates_kinds_and_counts() -> None:
    assert statement_for(replace(BASE, urgent=True))["decision_facts"] == (
        "On 2026-11-30 the provider received, through the hotline takedown system, a notice "
        "marked urgent from a regulator identifying this item as a sexual deepfake of an adult. "
        "The provider removed the content on 2026-11-30, 5.5 hours after the notice."
    )


def test_a_support_centre_is_never_named() -> None:
    statement = statement_for(replace(BASE, reporter_kind="support_org", reporter_name="Centre A"))
    assert "Centre A" not in str(statement)
    assert "source_identity" not in statement


# --- puid ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_id", "event_seq", "puid"),
    [(1, 1, "hotline-item-1-event-1"), (42, 17, "hotline-item-42-event-17"),
     (10**12, 10**15, "hotline-item-1000000000000-event-1000000000000000")],
)  # fmt: skip
def test_the_puid_is_the_item_and_the_audit_event_with_a_fixed_prefix(
    item_id: int, event_seq: int, puid: str
) -> None:
    assert puid_for(item_id=item_id, event_seq=event_seq) == puid
    assert puid.startswith(PUID_PREFIX) and PUID.fullmatch(puid) and len(puid) <= 500


def test_puids_never_collide_across_items_and_decisions() -> None:
    pairs = [(i, s) for i in range(1, 60) for s in range(1, 60)]
    puids = {puid_for(item_id=i, event_seq=s) for i, s in pairs}
    assert len(puids) == len(pairs)  # "1-event-11" and "11-event-1" stay apart


def test_the_same_decision_always_gives_the_same_statement() -> None:
    assert statement_for(BASE) == statement_for(replace(BASE))


def test_the_database_takes_a_full_batch_and_refuses_a_puid_twice() -> None:
    database = TransparencyDatabase()
    batch = [statement_for(replace(BASE, item_id=n)) for n in range(100)]
    assert database.submit({"statements": batch})[0] == 201
    status, answer = database.submit({"statements": batch[:1]})
    assert (status, answer["existing_puids"]) == (422, [batch[0]["puid"]])
    assert database.submit({"statements": [statement_for(BASE)] * 2})[0] == 422
    too_many = [statement_for(replace(BASE, item_id=1000 + n)) for n in range(101)]
    assert database.submit({"statements": too_many})[0] == 422
    assert database.submit({"statements": []})[0] == 422
    assert len(database.statements) == 100
