"""Building blocks of the DSA export tests: requests filed and decided through the services."""

from datetime import datetime
from typing import Any

from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis, LegalElements
from hotline.cases.models import Item
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.cases.workflow import ItemAction, RejectionReason
from hotline.compliance.dsa_sor_selectors import dsa_sor_page, platform_for_dsa_export
from tests.conftest import Directory

# Things a person typed that may identify someone: none may reach a statement.
PERSONAL = ("Jane Doe", "jane@example.org", "kim.minji", "Seoul Girls High")
ELEMENTS = LegalElements(
    signature="/s/ Jane Doe",
    good_faith_statement="I believe in good faith this is not consensual.",
    contact="jane@example.org",
    notifier_name="Jane Doe",
    notifier_email="jane@example.org",
    bona_fide_statement=True,
)
REASONS = "A deepfake of kim.minji, a teacher at Seoul Girls High, made by a pupil."


def file(
    directory: Directory,
    who: str,
    *urls: str,
    category: Category = Category.SEXUAL_DEEPFAKE,
    bases: tuple[LegalBasis, ...] = (LegalBasis.TAKE_IT_DOWN, LegalBasis.DSA_ART16),
    involves_minor: bool = False,
) -> list[Item]:
    """File one request as `who` and return its items, in order."""
    result = request_submit(
        actor=directory.actors[who],
        data=RequestInput(
            category=category,
            reasons=REASONS,
            elements=ELEMENTS,
            legal_bases=list(bases),
            involves_minor=involves_minor,
            items=[ItemInput(url=u) for u in urls],
        ),
    )
    return list(result.request.items.order_by("position"))


def decide(directory: Directory, moderator: str, item: Item, action: ItemAction) -> None:
    item.refresh_from_db()
    assert item.notice_id is not None, "only an item on a notice can be decided"
    item_act(
        actor=directory.actors[moderator],
        notice_id=item.notice_id,
        item_id=item.pk,
        decision=ItemDecision(
            action=action,
            reason=RejectionReason.NOT_ILLEGAL if action == ItemAction.REJECT else None,
            note="Removed; uploader kim.minji warned." if action != ItemAction.REJECT else "",
            question="Which one?" if action == ItemAction.NEED_INFO else "",
        ),
    )


def export_all(
    platform: str, *, start: datetime | None = None, end: datetime | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Every batch for the platform, as the command pages them, and the rejection count."""
    found = platform_for_dsa_export(actor=None, name=platform)
    batches: list[dict[str, Any]] = []
    after, rejections = 0, 0
    while True:
        page = dsa_sor_page(platform=found, start=start, end=end, after_seq=after)
        rejections = page.rejections_not_exported
        if page.statements:
            batches.append({"statements": page.statements})
        if page.next_cursor is None:
            return batches, rejections
        after = page.next_cursor


def puids(batches: list[dict[str, Any]]) -> list[str]:
    return [s["puid"] for b in batches for s in b["statements"]]
