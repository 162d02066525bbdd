"""Filtered lists of requests, notices and items, for the API and the pages, scoped by actor.

Each list takes the same `ListFilters` and is paged by `hotline.core.paging` on a stated key,
so the API and the pages agree on what "overdue" or "urgent" means and in which order.
`victim` narrows a reporter's lists to one of its own victims (decision 21); a platform's
lists refuse it, so that nobody outside the centre can even ask whether a reference exists.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from hotline.accounts.actors import Actor
from hotline.cases import selectors
from hotline.cases.models import Item, Notice, TakedownRequest
from hotline.cases.workflow import SETTLED, ItemState
from hotline.core.errors import InvalidInput

# The sort keys of each list (see hotline.core.paging): the order a person works in.
REQUEST_KEYS = ("-pk",)
NOTICE_KEYS = ("closed_rank", "-urgent", "deadline_at", "pk")
NOTICE_ITEM_KEYS = ("position", "pk")
TRIAGE_KEYS = ("pk",)
QUEUE_KEYS = (
    "-request__involves_minor",
    "-notice__urgent",
    "notice__deadline_at",
    "notice_id",
    "position",
)
E = TypeVar("E", bound=StrEnum)


class DeadlineStatus(StrEnum):
    OVERDUE = "overdue"  # open, and its deadline has passed
    DUE = "due"  # open, deadline still ahead
    CLOSED = "closed"


@dataclass(frozen=True)
class ListFilters:
    state: ItemState | None = None
    platform: str = ""  # a platform's name, any case
    urgent: bool | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    deadline: DeadlineStatus | None = None
    search: str = ""  # part of a case id or a reported URL
    victim: str = ""  # the reporter's own victim reference (stored in capitals)


def victim_filter_refused(actor: Actor, filters: ListFilters) -> None:
    """A victim reference means something only to the organisation that chose it."""
    if filters.victim and not actor.is_reporter:
        raise InvalidInput(
            "victim filters only a reporting organisation's own lists",
            details=[{"element": "victim"}],
        )


def list_filters(
    *,
    state: str = "",
    platform: str = "",
    urgent: str | bool | None = None,
    filed_from: str | date | None = None,
    filed_to: str | date | None = None,
    deadline: str = "",
    search: str = "",
    victim: str = "",
) -> ListFilters:
    """Filters from query strings; a value that means nothing is a 422 naming the parameter."""
    return ListFilters(
        state=_choice(ItemState, state, "state") if state else None,
        platform=platform.strip(),
        urgent=_flag(urgent),
        filed_from=_date(filed_from, "filed_from"),
        filed_to=_date(filed_to, "filed_to"),
        deadline=_choice(DeadlineStatus, deadline, "deadline") if deadline else None,
        search=search.strip(),
        victim=victim.strip().upper(),
    )


def _choice(kind: type[E], raw: str, name: str) -> E:
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(str(v) for v in kind)
        raise InvalidInput(
            f"{name} must be one of: {allowed}", details=[{"element": name}]
        ) from None


def _flag(raw: str | bool | None) -> bool | None:
    if raw is None or raw == "" or isinstance(raw, bool):
        return raw if isinstance(raw, bool) else None
    if raw.lower() in ("true", "1", "yes", "on"):
        return True
    if raw.lower() in ("false", "0", "no", "off"):
        return False
    raise InvalidInput("urgent must be true or false", details=[{"element": "urgent"}])


def _date(raw: str | date | None, name: str) -> date | None:
    if isinstance(raw, date):
        return raw
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{name} must be a date, YYYY-MM-DD", details=[{"element": name}]
        ) from None


def _deadline_q(status: DeadlineStatus, now: datetime, prefix: str = "") -> Q:
    if status == DeadlineStatus.CLOSED:
        return Q(**{f"{prefix}closed_at__isnull": False})
    passed = "lt" if status == DeadlineStatus.OVERDUE else "gte"
    return Q(**{f"{prefix}closed_at": None, f"{prefix}deadline_at__{passed}": now})


def _filed_q(filters: ListFilters, field: str) -> Q:
    q = Q()
    if filters.filed_from:
        q &= Q(**{f"{field}__date__gte": filters.filed_from})
    if filters.filed_to:
        q &= Q(**{f"{field}__date__lte": filters.filed_to})
    return q


def _url_q(text: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}url__icontains": text}) | Q(
        **{f"{prefix}normalised_url__icontains": text}
    )


def requests_list(
    *, actor: Actor, filters: ListFilters, now: datetime
) -> QuerySet[TakedownRequest]:
    """The actor's requests with their item counts; each filter is an EXISTS, never a join
    that would repeat a request once per matching item."""
    rows = selectors.requests_for_actor(actor=actor).filter(_filed_q(filters, "created_at"))
    items = Item.objects.filter(request=OuterRef("pk"))
    notices = Notice.objects.filter(request=OuterRef("pk"))
    if filters.state:
        rows = rows.filter(Exists(items.filter(state=filters.state)))
    if filters.platform:
        rows = rows.filter(Exists(items.filter(platform__name__iexact=filters.platform)))
    if filters.urgent is not None:
        rows = rows.filter(urgent=filters.urgent)
    if filters.deadline:
        rows = rows.filter(Exists(notices.filter(_deadline_q(filters.deadline, now))))
    if filters.victim:
        rows = rows.filter(victim__reference=filters.victim)
    if filters.search:
        rows = rows.filter(
            Q(case_id__icontains=filters.search)
            | Q(client_reference=filters.search)
            | Q(victim__reference=filters.search.upper())
            | Exists(items.filter(_url_q(filters.search)))
        )
    return rows


def with_item_counts(requests: list[TakedownRequest]) -> list[TakedownRequest]:
    """Set `item_count` and `settled_count` on one page of requests, in one grouped query
    over their items only (counting for the whole list before paging costs a join of all)."""
    counts = {
        row["request_id"]: row
        for row in Item.objects.filter(request__in=requests)
        .values("request_id")
        .annotate(
            items=Count("pk"), settled=Count("pk", filter=Q(state__in=[s.value for s in SETTLED]))
        )
        .order_by()
    }
    for request in requests:
        row = counts.get(request.pk, {})
        request.item_count = row.get("items", 0)  # type: ignore[attr-defined]
        request.settled_count = row.get("settled", 0)  # type: ignore[attr-defined]
    return requests


def notices_list(*, actor: Actor, filters: ListFilters, now: datetime) -> QuerySet[Notice]:
    """The actor's notices (a platform's to it, a reporter's of its requests), open first."""
    rows = (
        selectors.notices_for_actor(actor=actor)  # a 403 for those who read no notices
        .filter(_filed_q(filters, "created_at"))
        .annotate(
            closed_rank=Case(
                When(closed_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
    )
    victim_filter_refused(actor, filters)
    items = Item.objects.filter(notice=OuterRef("pk"))
    if filters.state:
        rows = rows.filter(Exists(items.filter(state=filters.state)))
    if filters.platform:
        rows = rows.filter(platform__name__iexact=filters.platform)
    if filters.urgent is not None:
        rows = rows.filter(urgent=filters.urgent)
    if filters.deadline:
        rows = rows.filter(_deadline_q(filters.deadline, now))
    if filters.victim:
        rows = rows.filter(request__victim__reference=filters.victim)
    if filters.search:
        rows = rows.filter(
            Q(request__case_id__icontains=filters.search)
            | Exists(items.filter(_url_q(filters.search)))
        )
    return rows


def notice_items_list(*, notice: Notice, filters: ListFilters) -> QuerySet[Item]:
    """One notice's items (the notice already read through `notice_get`, so actor-checked)."""
    rows = selectors.notice_items(notice=notice).select_related("platform")
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.search:
        rows = rows.filter(_url_q(filters.search))
    return rows


def queue_list(*, items: QuerySet[Item], filters: ListFilters, now: datetime) -> QuerySet[Item]:
    """Narrow a list of items (a moderator's queue, a reporter's triage) by the filters."""
    if filters.state:
        items = items.filter(state=filters.state)
    if filters.urgent is not None:
        items = items.filter(request__urgent=filters.urgent)  # a notice is urgent as its request
    if filters.deadline:
        items = items.filter(_deadline_q(filters.deadline, now, prefix="notice__"))
    items = items.filter(_filed_q(filters, "request__created_at"))
    if filters.victim:  # a reporter's list: a platform's queue refuses it first
        items = items.filter(request__victim__reference=filters.victim)
    if filters.search:
        items = items.filter(Q(request__case_id__icontains=filters.search) | _url_q(filters.search))
    return items
