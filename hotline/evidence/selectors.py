"""What an evidence package holds, read with the same visibility rules as the rest of hotline.

A case: its own reporters, and auditors. A platform over a period: auditors and regulators
see every item; a support organisation sees only its own organisation's items; a platform's
moderators see only their own platform. `actor=None` is the operator at the command line.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from hotline.accounts.actors import Actor
from hotline.accounts.models import OrganisationKind
from hotline.audit.models import Event
from hotline.audit.selectors import events_for_subjects
from hotline.cases.models import Item, ItemCheck, Message, Notice, TakedownRequest
from hotline.core.errors import NotFound, PermissionDenied
from hotline.delivery.models import Delivery, DeliveryAttempt
from hotline.evidence.scope import EvidenceScope
from hotline.platforms.models import Platform


@dataclass(frozen=True)
class EvidenceRecords:
    requests: list[TakedownRequest]
    notices: list[Notice]
    items: list[Item]
    messages: list[Message]
    deliveries: list[Delivery]
    events: list[Event]


def evidence_records(*, actor: Actor | None, scope: EvidenceScope) -> EvidenceRecords:
    items = _case_items(actor, scope.case_id) if scope.case_id else _platform_items(actor, scope)
    return _records(items, actor=actor, with_requests=bool(scope.case_id))


def _items() -> QuerySet[Item]:
    return (
        Item.objects.select_related(
            "request__organisation", "notice__platform", "platform", "duplicate_of__request"
        )
        .prefetch_related(Prefetch("checks", queryset=ItemCheck.objects.order_by("checked_at")))
        .order_by("request_id", "position")
    )


def _case_items(actor: Actor | None, case_id: str) -> list[Item]:
    request = TakedownRequest.objects.filter(case_id=case_id).first()
    if actor is not None and not actor.is_auditor:
        if not actor.is_reporter:
            raise PermissionDenied("case evidence is exported by its reporters and by auditors")
        if request is not None and request.organisation_id != actor.organisation_id:
            request = None  # another organisation's case does not exist for this reader
    if request is None:
        raise NotFound(f"case {case_id} not found")
    return list(_items().filter(request=request))


def _platform_items(actor: Actor | None, scope: EvidenceScope) -> list[Item]:
    platform = Platform.objects.filter(name=scope.platform).first()
    if platform is None:
        raise NotFound(f"platform {scope.platform!r} not found")
    items = _items().filter(
        notice__platform=platform,
        notice__created_at__gte=scope.start,
        notice__created_at__lt=scope.end,
    )
    if actor is None or actor.is_auditor:
        return list(items)
    if actor.is_moderator:
        if platform.organisation_id != actor.organisation_id:
            raise NotFound(f"platform {scope.platform!r} not found")
        return list(items)
    if actor.is_reporter:
        if actor.organisation_kind == OrganisationKind.REGULATOR:
            return list(items)
        return list(items.filter(request__organisation_id=actor.organisation_id))
    raise PermissionDenied("evidence is exported by reporters, auditors and the platform itself")


def _records(items: list[Item], *, actor: Actor | None, with_requests: bool) -> EvidenceRecords:
    notice_ids = sorted({i.notice_id for i in items if i.notice_id is not None})
    notices = list(
        Notice.objects.filter(pk__in=notice_ids)
        .select_related("request", "platform")
        .order_by("pk")
    )
    requests = list({i.request_id: i.request for i in items}.values())
    subjects = [f"notice:{n}" for n in notice_ids] + [f"item:{i.pk}" for i in items]
    if with_requests:
        subjects += [f"request:{r.pk}" for r in requests]
    deliveries = Delivery.objects.filter(about__in=[f"notice:{n}" for n in notice_ids])
    if actor is not None and actor.is_moderator:
        deliveries = deliveries.filter(platform__organisation_id=actor.organisation_id)
    attempts = DeliveryAttempt.objects.order_by("attempted_at", "pk")
    return EvidenceRecords(
        requests=requests,
        notices=notices,
        items=items,
        messages=list(
            Message.objects.filter(notice_id__in=notice_ids)
            .filter(Q(item=None) | Q(item__in=items))
            .order_by("created_at", "pk")
        ),
        deliveries=list(
            deliveries.prefetch_related(Prefetch("attempt_log", queryset=attempts)).order_by(
                "created_at", "pk"
            )
        ),
        events=list(events_for_subjects(subjects=subjects)),
    )


def platform_name(*, platform_id: int) -> str:
    """The name the web pages' platform id stands for; scoping happens on export."""
    name = Platform.objects.filter(pk=platform_id).values_list("name", flat=True).first()
    if name is None:
        raise NotFound(f"platform {platform_id} not found")
    return name
