"""What each page shows, read through the workflow's own actor-scoped selectors."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from hotline.accounts.actors import Actor
from hotline.accounts.models import OrganisationKind, Role
from hotline.audit.selectors import events_for_subjects
from hotline.cases import lists
from hotline.cases import selectors as cases
from hotline.cases.lists import ListFilters
from hotline.cases.models import (
    Item,
    ItemCheck,
    ItemLink,
    Message,
    MessageKind,
    Notice,
    TakedownRequest,
    Victim,
)
from hotline.cases.schemas import RoomOut, SeenBeforeOut
from hotline.cases.serializers import duplicate_note, room_out, seen_before_out
from hotline.cases.services.access import is_platform_side
from hotline.cases.tokens import action_token_check
from hotline.cases.workflow import ItemState, RejectionReason
from hotline.core import clock
from hotline.core.errors import NotFound, PermissionDenied
from hotline.core.paging import Page, paginate
from hotline.web.timeline import Entry, timeline_entries

AWAITING_PLATFORM = [ItemState.NOTIFIED, ItemState.INFO_REQUESTED, ItemState.REOPENED]


@dataclass(frozen=True)
class Dashboard:
    requests: Page[TakedownRequest]
    open_notices: Sequence[Notice]
    open_total: int
    overdue: int
    triage: list[Item]
    triage_total: int
    now: datetime
    # Bank entries from the reporter's cases that platforms' false-match reports quarantined.
    quarantined: list[dict[str, Any]] = field(default_factory=list)


# The open notices the dashboard shows before "all of them" (the cases list filters the rest).
DASHBOARD_NOTICES = 20
DASHBOARD_TRIAGE = 100


def dashboard_page(
    *, actor: Actor, filters: ListFilters, cursor: str | None, limit: int
) -> Dashboard:
    """A reporter's most pressing open notices, how many are open and overdue, and one page
    of its cases under the filters; every figure counted by the database, not by a slice."""
    now = clock.now()
    open_notices = cases.notices_for_actor(actor=actor, open_only=True)
    notices = list(
        open_notices.annotate(waiting=Count("items", filter=Q(items__state__in=AWAITING_PLATFORM)))[
            :DASHBOARD_NOTICES
        ]
    )
    overdue = (
        open_notices.filter(deadline_at__lt=now)
        .filter(Exists(Item.objects.filter(notice=OuterRef("pk"), state__in=AWAITING_PLATFORM)))
        .count()
    )
    requests = lists.requests_list(actor=actor, filters=filters, now=now).select_related("victim")
    page = paginate(requests, keys=lists.REQUEST_KEYS, cursor=cursor, limit=limit)
    lists.with_item_counts(page.rows)
    triage = cases.triage_items_for_actor(actor=actor)
    return Dashboard(
        requests=page,
        open_notices=notices,
        open_total=open_notices.count(),
        overdue=overdue,
        triage=list(triage[:DASHBOARD_TRIAGE]),
        triage_total=triage.count(),
        now=now,
        quarantined=cases.quarantined_for_actor(actor=actor),
    )


def victims_page(*, actor: Actor, search: str, cursor: str | None, limit: int) -> Page[Victim]:
    """One page of the organisation's victims, each with her open and still-up counts."""
    victims = cases.victims_for_actor(actor=actor, search=search)
    page = paginate(victims, keys=("-pk",), cursor=cursor, limit=limit)
    cases.with_victim_counts(page.rows)
    return page


# Her newest cases listed above her items; "All her cases" opens the filtered case list.
VICTIM_CASES = 20


@dataclass(frozen=True)
class VictimRow:
    item: Item
    open: bool
    still_up: bool
    overdue: bool


@dataclass(frozen=True)
class VictimPage:
    victim: Victim
    items: Page[Item]
    rows: list[VictimRow]
    cases: list[TakedownRequest]
    now: datetime


def victim_page(
    *, actor: Actor, reference: str, filters: ListFilters, cursor: str | None, limit: int
) -> VictimPage:
    """Everything filed for one of the organisation's victims: her cases, and one page of
    her items across them with state, deadline and whether each is still up."""
    victim = cases.victim_get(actor=actor, reference=reference)
    now = clock.now()
    items = lists.queue_list(items=cases.victim_items(victim=victim), filters=filters, now=now)
    page = paginate(items, keys=cases.VICTIM_ITEM_KEYS, cursor=cursor, limit=limit)
    requests = lists.with_item_counts(list(victim.requests.order_by("-pk")[:VICTIM_CASES]))
    return VictimPage(
        victim=victim,
        items=page,
        rows=[
            VictimRow(
                item=i,
                open=cases.item_is_open(i),
                still_up=cases.item_still_up(i),
                overdue=cases.item_overdue(i, now),
            )
            for i in page.rows
        ],
        cases=requests,
        now=now,
    )


@dataclass(frozen=True)
class Thread:
    notice: Notice
    messages: list[Message]
    open_questions: list[Message]


@dataclass(frozen=True)
class CasePage:
    request: TakedownRequest
    items: list[Item]
    seen_before: dict[int, list[SeenBeforeOut]]
    threads: list[Thread]
    timeline: list[Entry]
    # A message's room item (same organisation), and what a duplicate may say of its original.
    rooms: dict[int, RoomOut] = field(default_factory=dict)
    duplicate_notes: dict[int, str] = field(default_factory=dict)


def case_page(*, actor: Actor, case_id: str) -> CasePage:
    request = cases.request_get(actor=actor, case_id=case_id)
    items = list(request.items.all())
    notices = list(request.notices.all())
    subjects = [f"request:{request.pk}"]
    subjects += [f"notice:{n.pk}" for n in notices] + [f"item:{i.pk}" for i in items]
    return CasePage(
        request=request,
        items=items,
        seen_before={
            i.pk: [seen_before_out(link, actor.organisation_id) for link in i.links.all()]
            for i in items
        },
        threads=[_thread(n) for n in notices],
        timeline=timeline_entries(events_for_subjects(subjects=subjects)),
        rooms={
            i.pk: room for i in items if (room := room_out(i, actor.organisation_id)) is not None
        },
        duplicate_notes={
            i.pk: note
            for i in items
            if (note := duplicate_note(i, actor.organisation_id)) is not None
        },
    )


def _thread(notice: Notice) -> Thread:
    messages = list(cases.notice_messages(notice=notice).select_related("item", "reply_to"))
    answered = {m.reply_to_id for m in messages if m.kind == MessageKind.ANSWER}
    return Thread(
        notice=notice,
        messages=messages,
        open_questions=[
            m for m in messages if m.kind == MessageKind.QUESTION and m.pk not in answered
        ],
    )


def queue_page(*, actor: Actor, filters: ListFilters, cursor: str | None, limit: int) -> Page[Item]:
    """Items waiting for this platform: minors and urgent first, then the nearest deadline."""
    if not actor.is_moderator:
        raise PermissionDenied("only platform moderators have a queue")
    lists.victim_filter_refused(actor, filters)
    items: QuerySet[Item] = (
        Item.objects.filter(
            notice__platform__organisation_id=actor.organisation_id,
            notice__closed_at=None,
            state__in=AWAITING_PLATFORM,
        )
        .select_related("notice", "request")
        .annotate(seen_before=Exists(ItemLink.objects.filter(item=OuterRef("pk"))))
    )
    items = lists.queue_list(items=items, filters=filters, now=clock.now())
    return paginate(items, keys=lists.QUEUE_KEYS, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class ReviewPage:
    notice: Notice
    items: Page[Item]
    waiting: int  # items of the whole notice still waiting for a decision
    thread: Thread
    # The latest verification check of each item that has one, keyed by item id: templates
    # cannot take the last element of a queryset, so the page hands it over ready.
    last_checks: dict[int, ItemCheck] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=lambda: [r.value for r in RejectionReason])
    now: datetime = field(default_factory=clock.now)
    # The notice's latest events and those of the items on this page, as sentences.
    timeline: list[Entry] = field(default_factory=list)


# Items per page of a review: a page of 50 stays under 200 KB (docs/benchmarks.md).
REVIEW_PAGE_ITEMS = 50
REVIEW_TIMELINE_EVENTS = 100  # the newest; the case's reporter and the evidence have them all


def review_page(
    *,
    actor: Actor,
    notice_id: int,
    filters: ListFilters | None = None,
    cursor: str | None = None,
    limit: int = REVIEW_PAGE_ITEMS,
) -> ReviewPage:
    """A notice as its platform reviews it, one page of items at a time; anyone else's
    notice does not exist."""
    notice = _reviewed_notice(actor, notice_id)
    items: QuerySet[Item] = lists.notice_items_list(
        notice=notice, filters=filters or ListFilters()
    ).annotate(seen_before=Exists(ItemLink.objects.filter(item=OuterRef("pk"))))
    page = paginate(items, keys=lists.NOTICE_ITEM_KEYS, cursor=cursor, limit=limit)
    return ReviewPage(
        notice=notice,
        items=page,
        waiting=notice.items.filter(state__in=AWAITING_PLATFORM).count(),
        thread=_thread(notice),
        last_checks=_last_checks(page.rows),
        timeline=_review_timeline(notice, page.rows),
    )


def _review_timeline(notice: Notice, items: Sequence[Item]) -> list[Entry]:
    subjects = [f"notice:{notice.pk}"] + [f"item:{i.pk}" for i in items]
    newest = events_for_subjects(subjects=subjects).order_by("-seq")[:REVIEW_TIMELINE_EVENTS]
    return timeline_entries(reversed(list(newest)))


def _reviewed_notice(actor: Actor, notice_id: int) -> Notice:
    notice = cases.notice_get(actor=actor, notice_id=notice_id)
    if not is_platform_side(actor, notice):
        raise PermissionDenied("only the platform's moderators review its notices")
    return notice


def _last_checks(items: Sequence[Item]) -> dict[int, ItemCheck]:
    return {item.pk: checks[-1] for item in items if (checks := list(item.checks.all()))}


@dataclass(frozen=True)
class ReviewRow:
    """One item of the review page, as an action redraws it in place."""

    notice: Notice
    item: Item
    last_checks: dict[int, ItemCheck]
    reasons: list[str] = field(default_factory=lambda: [r.value for r in RejectionReason])


def review_item(*, actor: Actor, notice_id: int, item_id: int) -> Item:
    """One item of a notice the actor's platform reviews (the open-URL warning, a redraw)."""
    notice = _reviewed_notice(actor, notice_id)
    item = (
        cases.notice_items(notice=notice)
        .annotate(seen_before=Exists(ItemLink.objects.filter(item=OuterRef("pk"))))
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise NotFound(f"item {item_id} is not on notice {notice_id}")
    return item


def review_row(*, actor: Actor, notice_id: int, item_id: int) -> ReviewRow:
    item = review_item(actor=actor, notice_id=notice_id, item_id=item_id)
    assert item.notice is not None  # an item of a notice
    return ReviewRow(notice=item.notice, item=item, last_checks=_last_checks([item]))


class LinkExpired(Exception):
    """A genuine link whose time is up: the page says so and how to get a new one."""

    def __init__(self, notice_id: int, expired_at: datetime) -> None:
        super().__init__(f"the link to notice {notice_id} expired at {expired_at.isoformat()}")
        self.notice_id = notice_id
        self.expired_at = expired_at


def link_actor(*, notice_id: int, token: str) -> Actor:
    """The platform acting through a notice's signed link: its moderator, for that notice only."""
    notice = Notice.objects.select_related("platform").filter(pk=notice_id).first()
    check = action_token_check(notice, token) if notice is not None else None
    if check is not None and check.expired_at is not None:
        raise LinkExpired(notice_id, check.expired_at)
    if notice is None or check is None or not check.valid:
        raise NotFound("this link is not valid")
    return Actor(
        user_id=None,
        username=f"link:{notice_id}",
        organisation_id=notice.platform.organisation_id,
        organisation_kind=OrganisationKind.PLATFORM,
        role=Role.MODERATOR,
    )
