"""The platform pull feed: what happened to the notices addressed to a platform, in order."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat

from hotline.accounts.actors import Actor
from hotline.audit.models import Event
from hotline.cases.models import Item, Notice
from hotline.cases.services.withdrawal import NOTICE_WITHDRAWN_TAG
from hotline.core.errors import InvalidInput, PermissionDenied

MAX_LIMIT = 500
FEED_PREFIXES = ("notice:", "item:", "message:")
# About other organisations' cases, or about the reporter's bank entries: never shown to a
# platform (a copy found elsewhere is news for the reporter, not for the original's platform).
HIDDEN_TAGS = {
    "item:seen_before",
    "item:copy_found",
    "item:bank_quarantined",
    "item:bank_restored",
    "item:bank_removed",
}


@dataclass(frozen=True)
class FeedEvent:
    cursor: str
    event: str
    at: datetime
    notice_id: int
    item_id: int | None
    message_id: int | None
    state: str | None
    # `notice:signals_withdrawn` (consent withdrawn): the items whose hashes to delete, and
    # the bank entries they were (ids only: hotline keeps no value to name them by).
    item_ids: list[int] = field(default_factory=list)
    bank_entry_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class FeedPage:
    events: list[FeedEvent]
    next_cursor: str


def feed_for_actor(*, actor: Actor, after: str | None, limit: int = 100) -> FeedPage:
    """Events after the cursor about notices addressed to the moderator's platform.

    The cursor is the audit sequence number: events are appended under a lock, so one that
    commits later never has a smaller number and a client polling with its last cursor misses
    nothing.
    """
    if not actor.is_moderator:
        raise PermissionDenied("only a platform's moderators read its feed")
    start = _parse_cursor(after)
    limit = max(1, min(limit, MAX_LIMIT))
    rows = list(
        _platform_events(actor.organisation_id).filter(seq__gt=start).order_by("seq")[:limit]
    )
    events = _feed_events(rows)
    return FeedPage(events=events, next_cursor=str(rows[-1].seq) if rows else str(start))


def _parse_cursor(after: str | None) -> int:
    if not after:
        return 0
    if not after.isdecimal():  # isdigit() accepts "²", which int() refuses
        raise InvalidInput(f"invalid cursor {after!r}: use the next_cursor of the last page")
    return int(after)


def _platform_events(organisation_id: int) -> QuerySet[Event]:
    notices = Notice.objects.filter(platform__organisation_id=organisation_id)
    notice_subjects = notices.annotate(
        subject=Concat(Value("notice:"), Cast("pk", CharField()), output_field=CharField())
    ).values("subject")
    item_subjects = (
        Item.objects.filter(notice__in=notices)
        .annotate(subject=Concat(Value("item:"), Cast("pk", CharField()), output_field=CharField()))
        .values("subject")
    )
    visible = Event.objects.filter(subject__in=notice_subjects) | Event.objects.filter(
        subject__in=item_subjects
    )
    tag_filter = Event.objects.none()
    for prefix in FEED_PREFIXES:
        tag_filter |= Event.objects.filter(tag__startswith=prefix)
    return (visible & tag_filter).exclude(tag__in=HIDDEN_TAGS)


def _feed_events(rows: list[Event]) -> list[FeedEvent]:
    item_ids = [int(e.subject.split(":")[1]) for e in rows if e.subject.startswith("item:")]
    notice_of_item = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "notice_id"))
    events = []
    for event in rows:
        kind, pk = event.subject.split(":", 1)
        item_id = int(pk) if kind == "item" else None
        notice_id = notice_of_item[int(pk)] if item_id is not None else int(pk)
        message = event.payload.get("message")
        withdrawn = event.tag == NOTICE_WITHDRAWN_TAG
        events.append(
            FeedEvent(
                cursor=str(event.seq),
                event=event.tag,
                at=event.created_at,
                notice_id=notice_id,
                item_id=item_id,
                message_id=message if isinstance(message, int) else None,
                state=event.payload.get("to") if item_id is not None else None,
                item_ids=_ids(event.payload.get("items")) if withdrawn else [],
                bank_entry_ids=_ids(event.payload.get("bank_entries")) if withdrawn else [],
            )
        )
    return events


def _ids(value: object) -> list[int]:
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []
