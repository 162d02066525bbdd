"""PURE: which legal elements a request lacks, under each legal basis it invokes.

TAKE IT DOWN Act (47 U.S.C. §223a): signature, identification and location, good-faith
statement, contact information. EU DSA Art. 16(2): substantiated explanation, exact URLs,
notifier's name and email (not for child sexual abuse material), bona fide statement.
"""

from dataclasses import dataclass
from enum import StrEnum

from hotline.cases.categories import MINOR_CATEGORIES, Category


class LegalBasis(StrEnum):
    TAKE_IT_DOWN = "take_it_down"
    DSA_ART16 = "dsa_art16"


@dataclass(frozen=True)
class LegalElements:
    signature: str = ""
    good_faith_statement: str = ""
    contact: str = ""
    notifier_name: str = ""
    notifier_email: str = ""
    bona_fide_statement: bool = False


@dataclass(frozen=True)
class MissingElement:
    element: str
    message: str


@dataclass(frozen=True)
class ItemLocation:
    url: str
    has_hashes: bool


def missing_elements(
    *,
    bases: list[LegalBasis],
    elements: LegalElements,
    reasons: str,
    category: Category,
    items: list[ItemLocation],
) -> list[MissingElement]:
    """Every element the request lacks, each named precisely (empty list: valid)."""
    missing: list[MissingElement] = []
    if LegalBasis.TAKE_IT_DOWN in bases:
        missing += _take_it_down_gaps(elements, items)
    if LegalBasis.DSA_ART16 in bases:
        missing += _dsa_gaps(elements, reasons, category, items)
    return missing


def _blank(value: str) -> bool:
    return not value.strip()


def _take_it_down_gaps(e: LegalElements, items: list[ItemLocation]) -> list[MissingElement]:
    gaps = []
    if _blank(e.signature):
        gaps.append(
            MissingElement(
                "take_it_down.signature",
                "a physical or electronic signature of the depicted person or her representative",
            )
        )
    for index, item in enumerate(items, start=1):
        if _blank(item.url) and not item.has_hashes:
            gaps.append(
                MissingElement(
                    f"take_it_down.identification[item {index}]",
                    "information reasonably sufficient to identify and locate the depiction",
                )
            )
    if _blank(e.good_faith_statement):
        gaps.append(
            MissingElement(
                "take_it_down.good_faith_statement",
                "a brief statement of good-faith belief that the depiction is not consensual",
            )
        )
    if _blank(e.contact):
        gaps.append(
            MissingElement(
                "take_it_down.contact", "information to contact the requester or her representative"
            )
        )
    return gaps


def _dsa_gaps(
    e: LegalElements, reasons: str, category: Category, items: list[ItemLocation]
) -> list[MissingElement]:
    gaps = []
    if len(reasons.strip()) < 10:
        gaps.append(
            MissingElement(
                "dsa_art16.explanation",
                "a reasoned explanation of why the content is illegal (10 characters or more)",
            )
        )
    for index, item in enumerate(items, start=1):
        if _blank(item.url):
            gaps.append(
                MissingElement(
                    f"dsa_art16.exact_location[item {index}]",
                    "the exact electronic location (URL) of the content",
                )
            )
    if category not in MINOR_CATEGORIES:
        if _blank(e.notifier_name):
            gaps.append(MissingElement("dsa_art16.notifier_name", "the notifier's name"))
        if _blank(e.notifier_email) or "@" not in e.notifier_email:
            gaps.append(MissingElement("dsa_art16.notifier_email", "the notifier's email"))
    if not e.bona_fide_statement:
        gaps.append(
            MissingElement(
                "dsa_art16.bona_fide_statement",
                "a statement of bona fide belief that the notice is accurate and complete",
            )
        )
    return gaps
