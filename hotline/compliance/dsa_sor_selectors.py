"""Reading a platform's decisions from the audit record, for the DSA statement-of-reasons export.

A decision is the audit event that recorded it (`item:removed`, `item:restricted`), not the
item's current state: an item can be removed, found still up and removed again, and each
decision keeps its own statement, the same on every export. Pages follow the audit sequence,
which only ever grows, so a cursor never skips or repeats a decision.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat

from hotline.accounts.actors import Actor
from hotline.accounts.models import OrganisationKind, Role
from hotline.audit.models import Event
from hotline.cases.models import Item
from hotline.compliance.dsa_sor import MAX_BATCH, Decision, statement_for
from hotline.core.errors import NotFound, PermissionDenied
from hotline.platforms.models import Platform

DECISION_TAGS = {"item:removed": "removed", "item:restricted": "restricted"}
REJECTION_TAG = "item:rejected"


@dataclass(frozen=True)
class SorPage:
    statements: list[dict[str, Any]]  # at most MAX_BATCH: one bulk-API batch
    next_cursor: int | None  # the last audit sequence number on this page, if more follow
    rejections_not_exported: int  # in the whole period, not just this page


def platform_for_dsa_export(*, actor: Actor | None, name: str) -> Platform:
    """The platform whose statements the actor may export; None is the operator's console.

    A platform's own moderators and administrators export its statements (they submit
    them); regulators and auditors export any platform's, to compare with what the platform
    submitted. Support organisations do not: the statements cover other organisations'
    requests.
    """
    if actor is not None and not _may_export_some(actor):
        raise PermissionDenied(
            "statements of reasons are exported by the platform, regulators and auditors"
        )
    platform = (
        Platform.objects.select_related("organisation")
        .filter(Q(name__iexact=name) | Q(organisation__slug=name))
        .first()
    )
    if platform is None:
        raise NotFound(f"no platform named {name!r}")
    if (
        actor is not None
        and actor.organisation_kind == OrganisationKind.PLATFORM
        and actor.organisation_id != platform.organisation_id
    ):
        raise PermissionDenied("a platform exports only its own statements of reasons")
    return platform


def _may_export_some(actor: Actor) -> bool:
    if actor.organisation_kind == OrganisationKind.PLATFORM:
        return actor.role in {Role.MODERATOR, Role.ADMIN}
    return actor.organisation_kind == OrganisationKind.REGULATOR or actor.is_auditor


def dsa_sor_page(
    *,
    platform: Platform,
    start: datetime | None,
    end: datetime | None,
    after_seq: int = 0,
    limit: int = MAX_BATCH,
) -> SorPage:
    """Statements for the platform's decisions recorded in [start, end), after `after_seq`."""
    subjects = _item_subjects(platform)
    events = _in_period(
        Event.objects.filter(tag__in=DECISION_TAGS, subject__in=subjects, seq__gt=after_seq),
        start,
        end,
    )
    rows = list(events.order_by("seq")[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    items = _items_by_id([_item_id(e) for e in page])
    statements = [statement_for(_decision(e, items[_item_id(e)])) for e in page]
    rejected = _in_period(Event.objects.filter(tag=REJECTION_TAG, subject__in=subjects), start, end)
    return SorPage(
        statements=statements,
        next_cursor=page[-1].seq if more else None,
        rejections_not_exported=rejected.count(),
    )


def _item_subjects(platform: Platform) -> QuerySet[Item, dict[str, Any]]:
    """The audit subjects (`item:ID`) of every item on the platform's notices."""
    return (
        Item.objects.filter(notice__platform=platform)
        .annotate(subject=Concat(Value("item:"), Cast("pk", output_field=CharField())))
        .values("subject")
    )


def _in_period(events: QuerySet[Event], start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        events = events.filter(created_at__gte=start)
    if end is not None:
        events = events.filter(created_at__lt=end)
    return events


def _item_id(event: Event) -> int:
    return int(event.subject.removeprefix("item:"))


def _items_by_id(ids: list[int]) -> dict[int, Item]:
    items = Item.objects.filter(pk__in=ids).select_related("request__organisation", "notice")
    return {item.pk: item for item in items}


def _decision(event: Event, item: Item) -> Decision:
    request, notice = item.request, item.notice
    assert notice is not None  # the item's subject was taken from the platform's notices
    return Decision(
        event_seq=event.seq,
        item_id=item.pk,
        decision=DECISION_TAGS[event.tag],
        decided_at=event.created_at,
        reported_at=request.created_at,
        noticed_at=notice.created_at,
        category=request.category,
        involves_minor=request.involves_minor,
        urgent=notice.urgent,
        jurisdiction=request.jurisdiction,
        legal_bases=tuple(request.legal_bases),
        reporter_kind=request.organisation.kind,
        reporter_name=request.organisation.name,
    )
