"""PURE: EU DSA statements of reasons (Art. 17) from a platform's decisions recorded in hotline.

One statement per restricting decision (a removal or a restriction), shaped for the DSA
Transparency Database's bulk API (`POST /api/v1/statements`, `{"statements": [...]}`, 1 to 100
per call). The field rules are those of its `StatementStoreRequest` at RULES_VERSION; see
docs/dsa-export.md for where each field comes from. No database, no Django.

Nothing here carries personal data: no URL, no name of a person, no free text anybody typed
(the reporter's reasons and the moderator's note may name the person depicted). Texts are built
from fixed sentences, dates, counts and enum values only.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hotline.cases.categories import DSA_CLASSIFICATION, Category, DsaClassification
from hotline.compliance.dsa_sor_grounds import (
    CATEGORY_WORDS,
    EEA_COUNTRY_CODES,
    legal_ground,
    why_illegal,
)

# The transparency database's source the rules were read from (repository, commit, date).
RULES_VERSION = "digital-services-act/transparency-database@69e80a0b (2026-06-24)"
# StatementMultipleAPIController: 'statements' => 'required|array|between:1,100'.
MAX_BATCH = 100
# Every puid hotline makes starts with this, so it never collides with the platform's own ids.
PUID_PREFIX = "hotline-item-"

# hotline's decisions that restrict content, and how the database names them.
VISIBILITY_BY_DECISION = {
    "removed": "DECISION_VISIBILITY_CONTENT_REMOVED",
    # hotline's "restricted" is a restriction short of removal, e.g. geo-blocking: access is
    # disabled (where, hotline does not record).
    "restricted": "DECISION_VISIBILITY_CONTENT_DISABLED",
}
EXPORTED_DECISIONS = frozenset(VISIBILITY_BY_DECISION)

# An adult category with a minor involved is classified as its minor counterpart: the adult
# keywords say "excluding content depicting minors".
MINOR_COUNTERPART = {
    Category.SEXUAL_DEEPFAKE: Category.MINOR_SEXUAL_DEEPFAKE,
    Category.NON_CONSENSUAL_INTIMATE_IMAGE: Category.CHILD_SEXUAL_ABUSE_MATERIAL,
}

REPORTER_WORDS = {
    "regulator": "a regulator",
    "support_org": "a victim-support organisation",
}


@dataclass(frozen=True)
class Decision:
    """One platform decision on one item, with the facts a statement may state.

    Every field is fixed when the decision is recorded, so the statement is the same on
    every export.
    """

    event_seq: int  # the audit event that recorded the decision
    item_id: int
    decision: str  # "removed" or "restricted"
    decided_at: datetime
    reported_at: datetime  # when the request reached hotline
    noticed_at: datetime  # when hotline sent the notice to the platform
    category: str
    involves_minor: bool
    urgent: bool
    jurisdiction: str  # the requesting organisation's, ISO 3166 alpha-2
    legal_bases: tuple[str, ...]
    reporter_kind: str  # an OrganisationKind value
    reporter_name: str  # an organisation's name, used only for public bodies


def utc_day(moment: datetime) -> str:
    """The database takes dates as YYYY-MM-DD; hotline states them as UTC days."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d")


def puid_for(*, item_id: int, event_seq: int) -> str:
    """Unique per platform and never reused: item ids and audit sequence numbers never are.

    One item can carry more than one decision (removed, found still up, removed again), so
    the audit event that recorded the decision is part of the id.
    """
    return f"{PUID_PREFIX}{item_id}-event-{event_seq}"


def effective_category(category: str, *, involves_minor: bool) -> Category:
    """The category a statement states: the minor counterpart when a minor is involved."""
    known = Category(category)
    return MINOR_COUNTERPART.get(known, known) if involves_minor else known


def classification_for(category: Category) -> DsaClassification:
    return DSA_CLASSIFICATION[category]


def source_for(
    reporter_kind: str, legal_bases: Iterable[str], reporter_name: str
) -> dict[str, str]:
    """source_type (and, for a public body, source_identity) from who filed the request.

    A regulator's notices come through the priority channel hotline is: trusted-flagger
    notices. A support organisation filing under DSA Art. 16 sends an Art. 16 notice. Anything
    else is another kind of notification. Only a public body is named; naming a victim-support
    centre next to the content would tell that a victim sought help.
    """
    if reporter_kind == "regulator":
        return {"source_type": "SOURCE_TRUSTED_FLAGGER", "source_identity": reporter_name[:500]}
    if "dsa_art16" in legal_bases:
        return {"source_type": "SOURCE_ARTICLE_16"}
    return {"source_type": "SOURCE_TYPE_OTHER_NOTIFICATION"}


def territorial_scope_for(decision: Decision) -> list[str]:
    """A removal takes the content down everywhere; a restriction is known only for an EEA
    requester, where it is the requester's own country. Otherwise hotline does not know."""
    if decision.decision == "removed":
        return list(EEA_COUNTRY_CODES)
    if decision.jurisdiction in EEA_COUNTRY_CODES:
        return [decision.jurisdiction]
    return []


def facts_text(decision: Decision, category: str) -> str:
    """decision_facts: what happened, from dates, kinds and counts only."""
    reporter = REPORTER_WORDS.get(decision.reporter_kind, "an organisation")
    urgency = " marked urgent" if decision.urgent else ""
    hours = (decision.decided_at - decision.noticed_at).total_seconds() / 3600
    action = (
        "removed the content"
        if decision.decision == "removed"
        else "restricted access to the content"
    )
    return (
        f"On {utc_day(decision.noticed_at)} the provider received, through the hotline "
        f"takedown system, a notice{urgency} from {reporter} identifying this item as "
        f"{CATEGORY_WORDS[category]}. The provider {action} on {utc_day(decision.decided_at)}, "
        f"{max(hours, 0):.1f} hours after the notice."
    )


def statement_for(decision: Decision) -> dict[str, Any]:
    """One statement of reasons, with only the fields the database's rules know."""
    if decision.decision not in EXPORTED_DECISIONS:
        raise ValueError(f"{decision.decision!r} restricts nothing; it has no statement")
    category = effective_category(decision.category, involves_minor=decision.involves_minor)
    classification = classification_for(category)
    statement: dict[str, Any] = {
        "decision_visibility": [VISIBILITY_BY_DECISION[decision.decision]],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "illegal_content_legal_ground": legal_ground(decision.jurisdiction, category),
        "illegal_content_explanation": why_illegal(category),
        "content_type": [classification.content_type],
        "category": classification.category,
        "category_specification": [classification.keyword],
        "territorial_scope": territorial_scope_for(decision),
        # hotline does not know when the content was posted; it was up when it was reported.
        "content_date": utc_day(decision.reported_at),
        "application_date": utc_day(decision.decided_at),
        "decision_facts": facts_text(decision, category),
        **source_for(decision.reporter_kind, decision.legal_bases, decision.reporter_name),
        # Every hotline item was reported by a person, and decided by a moderator's account.
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": puid_for(item_id=decision.item_id, event_seq=decision.event_seq),
    }
    return statement
