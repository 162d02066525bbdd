"""Which legal elements a request lacks, named precisely, under each basis."""

import pytest

from hotline.cases.categories import Category
from hotline.cases.legal import ItemLocation, LegalBasis, LegalElements, missing_elements

COMPLETE = LegalElements(
    signature="/s/ Jane",
    good_faith_statement="not consensual",
    contact="jane@example.org",
    notifier_name="Jane",
    notifier_email="jane@example.org",
    bona_fide_statement=True,
)
URL_ITEM = [ItemLocation(url="https://t.me/a/1", has_hashes=False)]
BOTH = [LegalBasis.TAKE_IT_DOWN, LegalBasis.DSA_ART16]
REASONS = "Sexual deepfake of an identifiable woman."


def missing(
    elements: LegalElements = COMPLETE,
    *,
    bases: list[LegalBasis] = BOTH,
    category: Category = Category.SEXUAL_DEEPFAKE,
    items: list[ItemLocation] = URL_ITEM,
    reasons: str = REASONS,
) -> list[str]:
    gaps = missing_elements(
        bases=bases, elements=elements, reasons=reasons, category=category, items=items
    )
    return [g.element for g in gaps]


def test_a_complete_request_lacks_nothing() -> None:
    assert missing() == []


@pytest.mark.parametrize(
    ("field", "value", "element"),
    [
        ("signature", "", "take_it_down.signature"),
        ("good_faith_statement", "  ", "take_it_down.good_faith_statement"),
        ("contact", "", "take_it_down.contact"),
        ("notifier_name", "", "dsa_art16.notifier_name"),
        ("notifier_email", "not-an-email", "dsa_art16.notifier_email"),
        ("bona_fide_statement", False, "dsa_art16.bona_fide_statement"),
    ],
)
def test_each_missing_element_is_named(field: str, value: object, element: str) -> None:
    elements = LegalElements(**{**COMPLETE.__dict__, field: value})
    assert missing(elements) == [element]


def test_a_short_explanation_fails_the_dsa_substantiation() -> None:
    assert missing(reasons="bad") == ["dsa_art16.explanation"]


def test_csam_notices_need_no_notifier_identity_under_the_dsa() -> None:
    anonymous = LegalElements(**{**COMPLETE.__dict__, "notifier_name": "", "notifier_email": ""})
    assert missing(anonymous, category=Category.CHILD_SEXUAL_ABUSE_MATERIAL) == []
    assert missing(anonymous, category=Category.SEXUAL_DEEPFAKE) == [
        "dsa_art16.notifier_name",
        "dsa_art16.notifier_email",
    ]


def test_a_hash_only_item_identifies_the_depiction_but_has_no_exact_location() -> None:
    hashes_only = [ItemLocation(url="", has_hashes=True)]
    assert missing(items=hashes_only, bases=[LegalBasis.TAKE_IT_DOWN]) == []
    assert missing(items=hashes_only) == ["dsa_art16.exact_location[item 1]"]


def test_an_item_with_neither_url_nor_hashes_cannot_be_identified() -> None:
    nothing = [ItemLocation(url="https://t.me/a/1", has_hashes=False), ItemLocation("", False)]
    assert missing(items=nothing, bases=[LegalBasis.TAKE_IT_DOWN]) == [
        "take_it_down.identification[item 2]"
    ]


def test_only_the_invoked_bases_are_checked() -> None:
    assert missing(LegalElements(), bases=[]) == []
    assert "dsa_art16.bona_fide_statement" not in missing(
        LegalElements(), bases=[LegalBasis.TAKE_IT_DOWN]
    )
