"""Routing what was unroutable: triage items whose platform (or its deadline policy) was added
after they were filed (docs/decisions/0022).

Items are taken a request at a time, in batches of whole requests, so that a request's items
never straddle two batches: each request gets one notice per platform, with the platform's
usual deadline from the moment of the re-route. Each request moves in one transaction with its
audit events, outbox rows and tasks; the items are claimed by a conditional update, so running
twice, two runs at once, or a crash half-way never puts one item on two notices.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet

from hotline.cases.models import Item, TakedownRequest
from hotline.cases.services.common import record_many
from hotline.cases.services.routing import (
    duplicate_payload,
    notice_open,
    open_originals,
    policy_for,
)
from hotline.cases.workflow import ItemState
from hotline.core import clock
from hotline.platforms.models import DeadlinePolicy, Platform
from hotline.platforms.selectors import platform_for_host

# Requests per batch: each batch reads its requests' waiting items in one query.
REQUEST_BATCH = 500


@dataclass(frozen=True)
class Moved:
    item_id: int
    case_id: str
    position: int
    url: str
    platform: str
    state: str  # notified, or duplicate when the URL is already on an open notice
    notice_id: int | None


@dataclass
class RerouteResult:
    moved: list[Moved] = field(default_factory=list)
    notices: list[int] = field(default_factory=list)
    still_waiting: int = 0
    dry_run: bool = False


def waiting_items() -> QuerySet[Item]:
    """Triage items that could go to a platform: on no notice, not held for a person's review,
    with a host to route by (or, for a re-upload, the platform it was found on)."""
    return Item.objects.filter(
        Q(platform__isnull=False) | ~Q(host=""),
        state=ItemState.TRIAGE,
        notice__isnull=True,
        held_for_review=False,
    )


def triage_waiting_exists() -> bool:
    return waiting_items().exists()


class _Directory:
    """Hosts and policies looked up once per run, whatever the number of items."""

    def __init__(self) -> None:
        self.hosts: dict[str, Platform | None] = {}
        self.policies: dict[tuple[int, str], DeadlinePolicy | None] = {}

    def platform(self, item: Item) -> Platform | None:
        if item.platform is not None:
            return item.platform
        if item.host not in self.hosts:
            self.hosts[item.host] = platform_for_host(host=item.host)
        return self.hosts[item.host]

    def policy(self, platform: Platform, jurisdiction: str) -> DeadlinePolicy | None:
        key = (platform.pk, jurisdiction)
        if key not in self.policies:
            self.policies[key] = policy_for(platform, jurisdiction)
        return self.policies[key]


def triage_reroute(
    *,
    trigger: str,
    actor: str,
    dry_run: bool = False,
    batch_size: int = REQUEST_BATCH,
    now: datetime | None = None,
) -> RerouteResult:
    """Put every waiting triage item that now resolves onto a notice (or onto the open item it
    repeats); `trigger` says in the audit record what made it run."""
    result = RerouteResult(dry_run=dry_run)
    directory = _Directory()
    last_request = 0
    while True:
        request_ids = list(
            waiting_items()
            .filter(request_id__gt=last_request)
            .order_by("request_id")
            .values_list("request_id", flat=True)
            .distinct()[:batch_size]
        )
        if not request_ids:
            break
        last_request = request_ids[-1]
        by_request: dict[int, list[Item]] = defaultdict(list)
        rows = (
            waiting_items()
            .filter(request_id__in=request_ids)
            .select_related("request", "platform")
            .order_by("request_id", "position")
        )
        for item in rows:
            by_request[item.request_id].append(item)
        for request_id in request_ids:
            plan = _plan(by_request[request_id], directory)
            routable = sum(len(items) for _, _, items in plan.values())
            result.still_waiting += len(by_request[request_id]) - routable
            if not plan:
                continue
            if dry_run:
                result.moved += [
                    Moved(i.pk, i.request.case_id or "", i.position, i.normalised_url,
                          platform.name, "", None)
                    for platform, policy, items in plan.values()
                    for i in items
                ]  # fmt: skip
                continue
            _move(request_id, plan, trigger, actor, now or clock.now(), result)
    return result


_Plan = dict[int, tuple[Platform, DeadlinePolicy, list[Item]]]


def _plan(items: list[Item], directory: _Directory) -> _Plan:
    plan: _Plan = {}
    for item in items:
        platform = directory.platform(item)
        policy = directory.policy(platform, item.request.jurisdiction) if platform else None
        if platform is None or policy is None:
            continue
        plan.setdefault(platform.pk, (platform, policy, []))[2].append(item)
    return plan


def _move(
    request_id: int, plan: _Plan, trigger: str, actor: str, now: datetime, result: RerouteResult
) -> None:
    """One request's re-route, all or nothing: claim its items, mark duplicates, one notice
    per platform, every move audited."""
    moved: list[Moved] = []
    notices: list[int] = []
    with transaction.atomic():
        request = TakedownRequest.objects.select_for_update().get(pk=request_id)
        planned_items = [i for _, _, items in plan.values() for i in items]
        originals = open_originals({i.normalised_url for i in planned_items if i.normalised_url})
        for platform, policy, planned in plan.values():
            claimed = _claim(planned, platform)
            if not claimed:
                continue  # another run got there first
            seen_here: dict[str, Item] = {}
            to_notice: list[Item] = []
            for item in claimed:
                item.request, item.platform = request, platform
                original = seen_here.get(item.normalised_url) or originals.get(item.normalised_url)
                if item.normalised_url and original is not None:
                    item.state, item.duplicate_of = ItemState.DUPLICATE, original
                else:
                    item.state = ItemState.NOTIFIED
                    to_notice.append(item)
                    if item.normalised_url:
                        seen_here[item.normalised_url] = item
            Item.objects.bulk_update(claimed, ["state", "duplicate_of", "platform"])
            record_many(
                tag="item:reroute",
                actor=actor,
                organisation_id=request.organisation_id,
                subjects=[
                    (
                        i,
                        {
                            "position": i.position,
                            "url": i.normalised_url,
                            "state": i.state,
                            "platform": platform.name,
                            "trigger": trigger,
                            **duplicate_payload(i),
                        },
                    )
                    for i in claimed
                ],
            )
            notice = None
            if to_notice:
                notice = notice_open(
                    request=request,
                    platform=platform,
                    policy=policy,
                    items=to_notice,
                    actor=actor,
                    now=now,
                )
                notices.append(notice.pk)
            moved += [
                Moved(
                    i.pk,
                    request.case_id or "",
                    i.position,
                    i.normalised_url,
                    platform.name,
                    i.state,
                    notice.pk if notice is not None and i.state == ItemState.NOTIFIED else None,
                )
                for i in claimed
            ]
    result.moved += moved
    result.notices += notices


def _claim(items: list[Item], platform: Platform) -> list[Item]:
    """The items still waiting, now marked as this run's (on PostgreSQL the rows are locked;
    SQLite runs one writer at a time). An item another run moved meanwhile is left out."""
    ids = [i.pk for i in items]
    still = set(waiting_items().filter(pk__in=ids).select_for_update().values_list("pk", flat=True))
    return [i for i in items if i.pk in still]
