"""Routing items to platforms by host, linking duplicates, and grouping them into notices."""

from collections import defaultdict
from datetime import datetime

from hotline.cases import schedule
from hotline.cases.models import Item, Notice, TakedownRequest
from hotline.cases.services.common import item_ref, record, record_many
from hotline.cases.services.notify import notice_send
from hotline.cases.workflow import SETTLED, ItemState, deadline_after
from hotline.core.errors import Conflict
from hotline.platforms.models import DeadlinePolicy, Platform
from hotline.platforms.selectors import deadline_policy_for, platform_for_host
from hotline.platforms.url_rules import LocationKind

# Used when a platform has no policy for the requester's jurisdiction ("ZZ": any other).
FALLBACK_JURISDICTION = "ZZ"
# URLs per IN (...) lookup: well under every database's limit on bound parameters.
_LOOKUP_BATCH = 500


# What a message's room can be: a chat room or channel, or (on X) the author's account.
_ROOM_KINDS = frozenset({LocationKind.ROOM, LocationKind.ACCOUNT})

HELD_FOR_REVIEW = "held for review: filed without an account (self-service)"


def route_items(
    *, request: TakedownRequest, items: list[Item], actor: str, now: datetime, hold: bool = False
) -> list[Notice]:
    """Give every item a state: triage, duplicate, or on a new notice to its platform.

    In a constant number of queries however many items there are (bulk intake files a
    thousand at a time): one lookup per distinct host and platform, one for open originals,
    one insert of the items and one batch of audit events. `hold` keeps every item in triage
    (with no platform) until a person reviews it: a URL filed without an account is never
    sent on unreviewed (hotline.selfservice, `held_item_route`)."""
    by_platform: dict[int, list[Item]] = defaultdict(list)
    platforms: dict[int, tuple[Platform, DeadlinePolicy]] = {}
    hosts = {host: platform_for_host(host=host) for host in {i.host for i in items if i.host}}
    policies = {p.pk: policy_for(p, request.jurisdiction) for p in hosts.values() if p is not None}
    originals = open_originals({i.normalised_url for i in items if i.normalised_url})
    seen_here: dict[str, Item] = {}
    for item in items:
        platform = hosts.get(item.host) if item.host else None
        policy = policies[platform.pk] if platform else None
        original = seen_here.get(item.normalised_url) or originals.get(item.normalised_url)
        item.platform = None if hold else platform
        item.held_for_review = hold
        if hold or platform is None or policy is None:
            item.state = ItemState.TRIAGE
        elif original is not None:
            item.state, item.duplicate_of = ItemState.DUPLICATE, original
        else:
            item.state = ItemState.NOTIFIED
            by_platform[platform.pk].append(item)
            platforms[platform.pk] = (platform, policy)
            seen_here[item.normalised_url] = item
    # A repeat of a URL earlier in this same request points at an item not yet saved.
    later = [i for i in items if i.duplicate_of is not None and i.duplicate_of.pk is None]
    Item.objects.bulk_create([i for i in items if not any(i is j for j in later)])
    Item.objects.bulk_create(later)
    items_link_rooms(request=request, items=items, actor=actor)
    record_many(
        tag="item:create",
        actor=actor,
        organisation_id=request.organisation_id,
        subjects=[
            (i, _routing_payload(i, i.platform, policies.get(i.platform_id or 0), hold))
            for i in items
        ],
    )
    return [
        notice_open(
            request=request,
            platform=platforms[pk][0],
            policy=platforms[pk][1],
            items=by_platform[pk],
            actor=actor,
            now=now,
        )
        for pk in by_platform
    ]


def _routing_payload(
    item: Item, platform: Platform | None, policy: DeadlinePolicy | None, hold: bool = False
) -> dict[str, object]:
    payload: dict[str, object] = {
        "position": item.position,
        "url": item.normalised_url,
        "state": item.state,
        "platform": platform.name if platform else None,
    }
    payload.update(duplicate_payload(item))
    if item.room_item_id:
        payload["room_item"] = item.room_item_id
    if hold:
        payload["triage_reason"] = HELD_FOR_REVIEW
    elif platform and policy is None:
        payload["triage_reason"] = f"{platform.name} has no deadline policy for this jurisdiction"
    elif platform is None:
        payload["triage_reason"] = "no URL" if not item.host else f"unknown host {item.host}"
    return payload


def held_item_route(*, item: Item, actor: str, now: datetime) -> Notice | None:
    """Send on one item that was held for review: to its platform on a new notice with the
    platform's usual deadline from now, or onto the open item it repeats. Returns the notice."""
    if item.state != ItemState.TRIAGE or item.notice_id is not None or not item.host:
        raise Conflict(f"item {item.pk} is not a URL waiting in triage")
    request = item.request
    platform = platform_for_host(host=item.host)
    policy = policy_for(platform, request.jurisdiction) if platform else None
    if platform is None or policy is None:
        raise Conflict(
            f"no platform with a deadline policy is known for {item.host}; decline it or add "
            "the platform first",
            details=[{"element": "host", "message": item.host}],
        )
    original = open_originals({item.normalised_url}).get(item.normalised_url)
    item.platform, item.held_for_review = platform, False
    if original is not None:
        item.state, item.duplicate_of = ItemState.DUPLICATE, original
    else:
        item.state = ItemState.NOTIFIED
    item.save(update_fields=["platform", "state", "duplicate_of", "held_for_review"])
    record(
        tag="item:route",
        actor=actor,
        subject=item,
        organisation_id=request.organisation_id,
        payload=_routing_payload(item, platform, policy),
    )
    if original is not None:
        return None
    return notice_open(
        request=request, platform=platform, policy=policy, items=[item], actor=actor, now=now
    )


def duplicate_payload(item: Item) -> dict[str, object]:
    """What the audit record says of the item a duplicate follows: its id only when it is the
    same organisation's. The record is signed and goes whole into the reporter's evidence
    package, so another organisation's item id is never written into it (decision 22)."""
    original = item.duplicate_of
    if original is None:
        return {}
    return item_ref("duplicate_of", organisation_id=item.request.organisation_id, other=original)


def items_link_rooms(*, request: TakedownRequest, items: list[Item], actor: str) -> None:
    """Link each new message to its room's item, and earlier messages to a new room's item,
    within the reporting organisation only (docs/decisions/0022). Three queries at most."""
    organisation_id = request.organisation_id
    new_by_url: dict[str, Item] = {}
    for item in sorted(items, key=lambda i: i.position):
        if item.normalised_url:
            new_by_url.setdefault(item.normalised_url, item)
    room_urls = sorted({i.room_url for i in items if i.room_url} - set(new_by_url))
    earlier: dict[str, Item] = {}
    for start in range(0, len(room_urls), _LOOKUP_BATCH):
        rows = Item.objects.filter(
            request__organisation_id=organisation_id,
            normalised_url__in=room_urls[start : start + _LOOKUP_BATCH],
        ).order_by("-pk")
        earlier.update({row.normalised_url: row for row in rows})  # the first reported wins
    linked: list[Item] = []
    for item in items:
        room = new_by_url.get(item.room_url) or earlier.get(item.room_url)
        if item.room_url and room is not None and room is not item:
            item.room_item = room
            linked.append(item)
    if linked:
        Item.objects.bulk_update(linked, ["room_item"])
    # Messages filed earlier whose room (a room or an account) is only now reported.
    rooms = sorted(url for url, i in new_by_url.items() if i.location_kind in _ROOM_KINDS)
    waiting: list[Item] = []
    for start in range(0, len(rooms), _LOOKUP_BATCH):
        waiting += (
            Item.objects.filter(
                request__organisation_id=organisation_id,
                room_url__in=rooms[start : start + _LOOKUP_BATCH],
                room_item=None,
            )
            .exclude(request=request)
            .order_by("pk")
        )
    for message in waiting:
        message.room_item = new_by_url[message.room_url]
    if waiting:
        Item.objects.bulk_update(waiting, ["room_item"])
        record_many(
            tag="item:room_link",
            actor=actor,
            organisation_id=organisation_id,
            subjects=[(m, {"room_item": m.room_item_id, "room": m.room_url}) for m in waiting],
        )


def policy_for(platform: Platform, jurisdiction: str) -> DeadlinePolicy | None:
    """The platform's deadline policy for a jurisdiction, or its catch-all one."""
    return deadline_policy_for(platform=platform, jurisdiction=jurisdiction) or deadline_policy_for(
        platform=platform, jurisdiction=FALLBACK_JURISDICTION
    )


def open_originals(normalised_urls: set[str]) -> dict[str, Item]:
    """For each URL, the earliest item a platform is still working on, on an open notice."""
    originals: dict[str, Item] = {}
    urls = sorted(normalised_urls)
    for start in range(0, len(urls), _LOOKUP_BATCH):
        rows = (
            Item.objects.filter(
                normalised_url__in=urls[start : start + _LOOKUP_BATCH],
                duplicate_of=None,
                notice__closed_at=None,
                notice__isnull=False,
            )
            .exclude(state__in=[s.value for s in SETTLED])
            .select_related("request")
            .order_by("-pk")
        )
        originals.update({item.normalised_url: item for item in rows})  # lowest pk wins
    return originals


def notice_open(
    *,
    request: TakedownRequest,
    platform: Platform,
    policy: DeadlinePolicy,
    items: list[Item],
    actor: str,
    now: datetime,
) -> Notice:
    """A notice for routed items (at filing, or a re-upload later), sent and watched."""
    notice = Notice.objects.create(
        request=request,
        platform=platform,
        urgent=request.urgent,
        created_at=now,
        deadline_at=deadline_after(
            now, hours=policy.hours, urgent_hours=policy.urgent_hours, urgent=request.urgent
        ),
        deadline_basis=f"{policy.jurisdiction}: {policy.legal_basis or 'platform policy'}",
        # Fixed now, with the deadline: a later policy change must not reach back to this notice.
        clock_pauses_for_info=policy.clock_pauses_for_info,
        question_reminder_hours=policy.question_reminder_hours,
    )
    Item.objects.filter(pk__in=[i.pk for i in items]).update(notice=notice)
    for item in items:
        item.notice = notice
    record(
        tag="notice:create",
        actor=actor,
        subject=notice,
        organisation_id=request.organisation_id,
        payload={
            "platform": platform.name,
            "items": [i.pk for i in items],
            "deadline_at": notice.deadline_at.isoformat(),
            "urgent": notice.urgent,
            "clock_pauses_for_info": notice.clock_pauses_for_info,
        },
    )
    notice_send(notice=notice, items=items)
    schedule.notice_watch(notice=notice, now=now)
    return notice
