"""Reading a platform's decisions from the audit record, for the DSA statement-of-reasons export.

A decision is the audit event that recorded it (`item:removed`, `item:restricted`), not the
item's current state: an item can be removed, found still up and removed again, and each
decision keeps its own statement, the same on every export. Pages follow the audit sequence,
which only ever grows, so a cursor never skips or repeats a decision.
"""

from collections.abc import Iterator
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
    rows = list(_decision_events(platform, start, end, after_seq)[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    return SorPage(
        statements=_statements(page),
        next_cursor=page[-1].seq if more else None,
        rejections_not_exported=rejections_count(platform=platform, start=start, end=end),
    )


def dsa_sor_batches(
    *, platform: Platform, start: datetime | None, end: datetime | None
) -> Iterator[list[dict[str, Any]]]:
    """Every statement of the period, MAX_BATCH at a time, from one pass over the record.

    The same statements, in the same batches, as paging with dsa_sor_page; but each page's
    query scans the platform's decision events again, and this scans them once.
    """
    batch: list[Event] = []
    for event in _decision_events(platform, start, end, 0).iterator(chunk_size=MAX_BATCH):
        batch.append(event)
        if len(batch) == MAX_BATCH:
            yield _statements(batch)
            batch = []
    if batch:
        yield _statements(batch)


def rejections_count(*, platform: Platform, start: datetime | None, end: datetime | None) -> int:
    rejected = Event.objects.filter(tag=REJECTION_TAG, subject__in=_item_subjects(platform))
    return _in_period(rejected, start, end).count()


def _decision_events(
    platform: Platform, start: datetime | None, end: datetime | None, after_seq: int
) -> QuerySet[Event]:
    events = Event.objects.filter(
        tag__in=DECISION_TAGS, subject__in=_item_subjects(platform), seq__gt=after_seq
    )
    return (
        _in_period(events, start, end).order_by("seq").only("seq", "tag", "subject", "created_at")
    )


def _statements(events: list[Event]) -> list[dict[str, Any]]:
    items = _items_by_id([_item_id(e) for e in events])
    return [statement_for(_decision(e, items[_item_id(e)])) for e in events]


def _item_subjects(platform: Platform) -> QuerySet[Item, dict[str, Any]]:
    """The audit subjects (`item:ID`) of every item on the platform's notices."""
    return (
        Item.objects.filter(notice__platform=platform)
        .annotate(subject=Concat(Value("item:"), Cast("pk", output_field=CharField())))
        .values("subject")
    )


def _in_period(
    events: QuerySet[Event], start: datetime | None, end: datetime | None
) -> QuerySet[Event]:
    if start is not None:
        events = events.filter(created_at__gte=start)
    if end is not None:
        events = events.filter(created_at__lt=end)
    return events


def _item_id(event: Event) -> int:
    return int(event.subject.removeprefix("item:"))


# What a statement needs of an item, read as plain values: building model instances of the item,
# its request, organisation and notice cost more than the statements themselves.
_ITEM_FACTS = (
    "pk",
    "request__created_at",
    "request__category",
    "request__involves_minor",
    "request__jurisdiction",
    "request__legal_bases",
    "request__organisation__kind",
    "request__organisation__name",
    "notice__created_at",
    "notice__urgent",
)


def _items_by_id(ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = Item.objects.filter(pk__in=ids).values(*_ITEM_FACTS)
    return {row["pk"]: row for row in rows}


def _decision(event: Event, item: dict[str, Any]) -> Decision:
    return Decision(
        event_seq=event.seq,
        item_id=item["pk"],
        decision=DECISION_TAGS[event.tag],
        decided_at=event.created_at,
        reported_at=item["request__created_at"],
        noticed_at=item["notice__created_at"],
        category=item["request__category"],
        involves_minor=item["request__involves_minor"],
        urgent=item["notice__urgent"],
        jurisdiction=item["request__jurisdiction"],
        legal_bases=tuple(item["request__legal_bases"]),
        reporter_kind=item["request__organisation__kind"],
        reporter_name=item["request__organisation__name"],
    )
