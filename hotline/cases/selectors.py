"""Permission-scoped reads of the workflow: nobody reads another organisation's records."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When

from hotline.accounts.actors import Actor
from hotline.banks.selectors import BankMatch, VideoBankMatch, bank_match, quarantined_entries
from hotline.banks.services import KNOWN_CONTENT_BANK, Signal
from hotline.cases import questions
from hotline.cases.models import (
    Item,
    ItemCheck,
    ItemLink,
    Message,
    Notice,
    ReporterNews,
    TakedownRequest,
    Victim,
)
from hotline.cases.services.access import notice_for_actor
from hotline.cases.workflow import AWAITING_PLATFORM, SETTLED, ItemState
from hotline.core.errors import NotFound, PermissionDenied


def _require_reporter(actor: Actor) -> None:
    if not actor.is_reporter:
        raise PermissionDenied("only reporters of a regulator or support organisation read this")


def requests_for_actor(*, actor: Actor) -> QuerySet[TakedownRequest]:
    _require_reporter(actor)
    return TakedownRequest.objects.filter(organisation_id=actor.organisation_id).order_by("-pk")


def request_get(*, actor: Actor, case_id: str) -> TakedownRequest:
    _require_reporter(actor)
    links = ItemLink.objects.select_related(
        "earlier_item__request", "earlier_item__platform"
    ).order_by("distance", "earlier_item_id")
    items = (
        Item.objects.select_related("platform", "duplicate_of__request", "room_item__request")
        .prefetch_related(
            Prefetch("checks", queryset=ItemCheck.objects.order_by("checked_at")),
            Prefetch("links", queryset=links),
        )
        .order_by("position")
    )
    request = (
        TakedownRequest.objects.select_related("victim")
        .prefetch_related(
            Prefetch("items", queryset=items),
            Prefetch("notices", queryset=Notice.objects.select_related("platform")),
        )
        .filter(case_id=case_id, organisation_id=actor.organisation_id)
        .first()
    )
    if request is None:
        raise NotFound(f"case {case_id} not found")
    return request


def triage_items_for_actor(*, actor: Actor) -> QuerySet[Item]:
    _require_reporter(actor)
    return (
        Item.objects.filter(request__organisation_id=actor.organisation_id, state=ItemState.TRIAGE)
        .select_related("request")
        .order_by("pk")
    )


def notices_for_actor(*, actor: Actor, open_only: bool = False) -> QuerySet[Notice]:
    """A platform sees the notices addressed to it; a reporter those of its own requests."""
    notices = Notice.objects.select_related("platform", "request")
    if actor.is_moderator:
        notices = notices.filter(platform__organisation_id=actor.organisation_id)
    elif actor.is_reporter:
        notices = notices.filter(request__organisation_id=actor.organisation_id)
    else:
        raise PermissionDenied("only moderators and reporters read notices")
    if open_only:
        notices = notices.filter(closed_at=None)
    # Urgent first, then the nearest deadline: the order a moderator should work in.
    return notices.order_by(F("closed_at").asc(nulls_first=True), "-urgent", "deadline_at", "pk")


def notice_get(*, actor: Actor, notice_id: int) -> Notice:
    notice = notice_for_actor(actor=actor, notice_id=notice_id)
    if not (actor.is_moderator or actor.is_reporter):
        raise NotFound(f"notice {notice_id} not found")
    return notice


def notice_items(*, notice: Notice) -> QuerySet[Item]:
    return notice.items.prefetch_related(
        Prefetch("checks", queryset=ItemCheck.objects.order_by("checked_at"))
    ).order_by("position")


def notice_messages(*, notice: Notice) -> QuerySet[Message]:
    # Replies come along: a question's age runs until its first answer.
    return notice.messages.prefetch_related("replies").order_by("created_at", "pk")


def match_for_actor(
    *, actor: Actor, signals: list[Signal], bank_names: list[str] | None
) -> list[list[dict[str, Any]]]:
    """Bank matches for an upload check; a case id is shown only to a party of its notice."""
    if not (actor.is_moderator or actor.is_reporter):
        raise PermissionDenied("only moderators and reporters match against banks")
    results = bank_match(signals=signals, bank_names=bank_names or [KNOWN_CONTENT_BANK])
    return match_rows_for_actor(actor=actor, results=list(results))


def match_rows_for_actor(
    *, actor: Actor, results: Sequence[Sequence[BankMatch | VideoBankMatch]]
) -> list[list[dict[str, Any]]]:
    """Matches as the caller may see them: the matched item's case id only for a party to it."""
    item_ids = {m.item_id for row in results for m in row if m.item_id is not None}
    visible = _case_ids_visible_to(actor, item_ids)
    return [
        [
            {
                "entry_id": m.entry_id,
                "bank": m.bank,
                "signal_type": "vpdq" if isinstance(m, VideoBankMatch) else m.signal_type,
                "distance": m.distance,
                "case_id": visible.get(m.item_id) if m.item_id is not None else None,
                **(
                    {
                        "query_match_percent": m.query_match_percent,
                        "compared_match_percent": m.compared_match_percent,
                    }
                    if isinstance(m, VideoBankMatch)
                    else {}
                ),
            }
            for m in row
        ]
        for row in results
    ]


def _case_ids_visible_to(actor: Actor, item_ids: set[int]) -> dict[int, str]:
    if not item_ids:
        return {}
    items = Item.objects.filter(pk__in=item_ids)
    if actor.is_moderator:
        items = items.filter(notice__platform__organisation_id=actor.organisation_id)
    else:
        items = items.filter(request__organisation_id=actor.organisation_id)
    return {pk: case_id for pk, case_id in items.values_list("pk", "request__case_id") if case_id}


def news_for_actor(*, actor: Actor, since: datetime | None = None) -> QuerySet[ReporterNews]:
    """The actor's organisation's news, newest first; only its own cases are ever named."""
    _require_reporter(actor)
    news = ReporterNews.objects.filter(organisation_id=actor.organisation_id)
    if since is not None:
        news = news.filter(created_at__gt=since)
    return news.order_by("-created_at", "-pk")


def open_questions_for_actor(*, actor: Actor) -> QuerySet[Message]:
    """Questions waiting for this actor's side: a reporter's own tasks, or a platform's."""
    if actor.is_reporter:
        mine = questions.unanswered_questions().filter(
            notice__request__organisation_id=actor.organisation_id
        )
        return questions.to_reporters(mine)
    if actor.is_moderator:
        theirs = questions.unanswered_questions().filter(
            notice__platform__organisation_id=actor.organisation_id
        )
        return questions.to_platforms(theirs)
    raise PermissionDenied("only moderators and reporters have questions to answer")


def quarantined_for_actor(*, actor: Actor) -> list[dict[str, Any]]:
    """Bank entries from the reporter's own cases that platforms' false-match reports took out
    of matching, waiting for her review."""
    _require_reporter(actor)
    own = Item.objects.filter(request__organisation_id=actor.organisation_id)
    entries = list(quarantined_entries(item_ids=own.values_list("pk", flat=True))[:500])
    cases = dict(
        own.filter(pk__in=[e.item_id for e in entries]).values_list("pk", "request__case_id")
    )
    return [
        {
            "entry_id": e.pk,
            "bank": e.bank.name,
            "signal_type": e.signal_type,
            "value": e.value,
            "false_matches": e.false_matches,
            "quarantined_at": e.quarantined_at,
            "item_id": e.item_id,
            "case_id": cases.get(e.item_id) if e.item_id is not None else None,
        }
        for e in entries
    ]


# An item is settled when the platform owes nothing more; a duplicate as the item it follows.
_SETTLED_Q = Q(state__in=[s.value for s in SETTLED]) | Q(
    state=ItemState.DUPLICATE, duplicate_of__state__in=[s.value for s in SETTLED]
)
# Gone: confirmed removed, or seen gone by a check (its own, or the followed item's).
_GONE_Q = (
    Q(state=ItemState.CONFIRMED_REMOVED)
    | Q(observed_gone_at__isnull=False)
    | Q(state=ItemState.DUPLICATE, duplicate_of__state=ItemState.CONFIRMED_REMOVED)
    | Q(state=ItemState.DUPLICATE, duplicate_of__observed_gone_at__isnull=False)
)


def _flag(q: Q) -> Case:
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def victims_for_actor(*, actor: Actor, search: str = "") -> QuerySet[Victim]:
    """The organisation's own victims, newest first; `search` is part of a reference."""
    _require_reporter(actor)
    victims = Victim.objects.filter(organisation_id=actor.organisation_id)
    if search.strip():
        victims = victims.filter(reference__icontains=search.strip())
    return victims.order_by("-pk")


def with_victim_counts(victims: list[Victim]) -> list[Victim]:
    """Set case, item, open and still-up counts on one page of victims, in one grouped query."""
    rows = {
        row["request__victim_id"]: row
        for row in Item.objects.filter(request__victim__in=victims)
        .values("request__victim_id")
        .annotate(
            cases=Count("request_id", distinct=True),
            items=Count("pk"),
            settled=Sum(_flag(_SETTLED_Q)),
            gone=Sum(_flag(_GONE_Q)),
        )
        .order_by()
    }
    for victim in victims:
        row = rows.get(victim.pk, {})
        items = row.get("items", 0)
        victim.case_count = row.get("cases", 0)  # type: ignore[attr-defined]
        victim.item_count = items  # type: ignore[attr-defined]
        victim.open_count = items - (row.get("settled") or 0)  # type: ignore[attr-defined]
        victim.still_up_count = items - (row.get("gone") or 0)  # type: ignore[attr-defined]
    return victims


def victim_get(*, actor: Actor, reference: str) -> Victim:
    """One of the organisation's victims; anyone else's, like one that does not exist, is a
    404 with the same words (references are compared in capitals, as they are stored)."""
    _require_reporter(actor)
    victim = Victim.objects.filter(
        organisation_id=actor.organisation_id, reference=reference.strip().upper()
    ).first()
    if victim is None:
        raise NotFound(f"victim {reference[:64]!r} not found")
    with_victim_counts([victim])
    return victim


# The order of a victim's items: newest case first, then as filed (see hotline.core.paging).
VICTIM_ITEM_KEYS = ("-request_id", "position", "pk")


def victim_items(*, victim: Victim) -> QuerySet[Item]:
    """Every item of every case filed for the victim, with what her page shows of each."""
    return (
        Item.objects.filter(request__victim=victim)
        .select_related("request", "platform", "notice", "duplicate_of")
        .annotate(settled=_flag(_SETTLED_Q), gone=_flag(_GONE_Q))
    )


def item_is_open(item: Item) -> bool:
    return not getattr(item, "settled", 0)


def item_still_up(item: Item) -> bool:
    return not getattr(item, "gone", 0)


def item_overdue(item: Item, now: datetime) -> bool:
    """Waiting for the platform on an open notice whose deadline has passed."""
    notice = item.notice
    return (
        notice is not None
        and notice.closed_at is None
        and notice.deadline_at < now
        and item.state in AWAITING_PLATFORM
    )
