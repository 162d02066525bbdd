"""Every write to the platform directory."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from hotline.accounts.models import OrganisationKind
from hotline.accounts.services import organisation_create
from hotline.audit.services import audit_record
from hotline.core.errors import Conflict, InvalidInput, NotFound
from hotline.platforms.models import ChannelKind, DeadlinePolicy, Platform, PlatformHost
from hotline.platforms.signals import routing_changed
from hotline.platforms.urls import InvalidUrl, normalise_url


@dataclass(frozen=True)
class DeadlineRule:
    jurisdiction: str
    hours: int
    urgent_hours: int
    legal_basis: str = ""
    clock_pauses_for_info: bool = False
    question_reminder_hours: int | None = None


@transaction.atomic
def platform_create(
    *,
    name: str,
    hosts: list[str],
    channel: str = ChannelKind.EMAIL,
    hotline_email: str = "",
    webhook_url: str = "",
    official_name: str = "",
    official_email: str = "",
    language: str = "en",
    time_zone: str = "UTC",
    deadlines: list[DeadlineRule] | None = None,
    actor: str,
) -> Platform:
    """Create a platform, its organisation, its hosts and its deadline policies at once."""
    if channel not in ChannelKind.values:
        raise InvalidInput(f"unknown channel {channel!r}; use one of {ChannelKind.values}")
    organisation = organisation_create(
        name=name, kind=OrganisationKind.PLATFORM, contact_email=hotline_email, actor=actor
    )
    platform = Platform.objects.create(
        organisation=organisation,
        name=name,
        channel=channel,
        hotline_email=hotline_email,
        webhook_url=webhook_url,
        official_name=official_name,
        official_email=official_email,
        language=language,
        time_zone=time_zone,
    )
    audit_record(
        tag="platform:create",
        actor=actor,
        subject=f"platform:{platform.pk}",
        organisation_id=organisation.pk,
        payload={"name": name, "channel": channel, "official_email": official_email},
    )
    for host in hosts:
        platform_host_add(platform=platform, host=host, actor=actor)
    for rule in deadlines or []:
        deadline_policy_set(platform=platform, rule=rule, actor=actor)
    return platform


def canonical_host(host: str) -> str:
    try:
        return normalise_url(f"https://{host.strip()}/").host
    except InvalidUrl as error:
        raise InvalidInput(f"invalid host {host!r}: {error}") from error


@transaction.atomic
def platform_host_add(*, platform: Platform, host: str, actor: str) -> PlatformHost:
    canonical = canonical_host(host)
    existing = PlatformHost.objects.filter(host=canonical).select_related("platform").first()
    if existing is not None:
        if existing.platform_id == platform.pk:
            return existing
        raise Conflict(f"host {canonical} already routes to {existing.platform.name}")
    row = PlatformHost.objects.create(platform=platform, host=canonical)
    audit_record(
        tag="platform:host_add",
        actor=actor,
        subject=f"platform:{platform.pk}",
        organisation_id=platform.organisation_id,
        payload={"host": canonical},
    )
    routing_changed.send(
        sender=Platform, platform=platform, change=f"host {canonical} added", actor=actor
    )
    return row


@transaction.atomic
def deadline_policy_set(*, platform: Platform, rule: DeadlineRule, actor: str) -> DeadlinePolicy:
    if rule.urgent_hours > rule.hours or rule.urgent_hours < 1:
        raise InvalidInput("urgent deadline must be at least 1 hour and not longer than normal")
    if rule.question_reminder_hours is not None and rule.question_reminder_hours < 1:
        raise InvalidInput("a question reminder comes at least 1 hour after the question")
    policy, _ = DeadlinePolicy.objects.update_or_create(
        platform=platform,
        jurisdiction=rule.jurisdiction.upper(),
        defaults={
            "hours": rule.hours,
            "urgent_hours": rule.urgent_hours,
            "legal_basis": rule.legal_basis,
            "clock_pauses_for_info": rule.clock_pauses_for_info,
            "question_reminder_hours": rule.question_reminder_hours,
        },
    )
    audit_record(
        tag="platform:deadline_set",
        actor=actor,
        subject=f"platform:{platform.pk}",
        organisation_id=platform.organisation_id,
        payload={
            "jurisdiction": policy.jurisdiction,
            "hours": rule.hours,
            "urgent_hours": rule.urgent_hours,
            "legal_basis": rule.legal_basis,
            "clock_pauses_for_info": rule.clock_pauses_for_info,
            "question_reminder_hours": rule.question_reminder_hours,
        },
    )
    routing_changed.send(
        sender=Platform,
        platform=platform,
        change=f"deadline policy {policy.jurisdiction} set",
        actor=actor,
    )
    return policy


# What `platform_update` may change, and how each value is checked.
EDITABLE = (
    "hotline_email",
    "official_name",
    "official_email",
    "time_zone",
    "language",
    "channel",
    "webhook_url",
    "link_validity_days",
)


def _checked(field: str, value: object) -> object:
    if field == "channel" and value not in ChannelKind.values:
        raise InvalidInput(f"unknown channel {value!r}; use one of {ChannelKind.values}")
    if field == "time_zone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise InvalidInput(f"unknown time zone {value!r}, e.g. Asia/Seoul or UTC") from error
    if field in ("hotline_email", "official_email") and value:
        try:
            validate_email(str(value))
        except ValidationError as error:
            raise InvalidInput(f"{field.replace('_', ' ')} {value!r} is not an address") from error
    if field == "webhook_url" and value:
        try:
            URLValidator(schemes=["https", "http"])(value)
        except ValidationError as error:
            raise InvalidInput(f"webhook URL {value!r} is not an http(s) URL") from error
    if field == "link_validity_days" and not (isinstance(value, int) and 1 <= value <= 365):
        raise InvalidInput("link validity must be between 1 and 365 days")
    return value


@transaction.atomic
def platform_update(
    *,
    platform: Platform,
    changes: dict[str, object],
    add_hosts: list[str] | None = None,
    remove_hosts: list[str] | None = None,
    deadlines: list[DeadlineRule] | None = None,
    remove_deadlines: list[str] | None = None,
    actor: str,
) -> Platform:
    """Change a platform's details, hosts and deadlines; one audit event per kind of change."""
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"cannot change {unknown}; editable: {list(EDITABLE)}")
    changed = {
        field: [getattr(platform, field), _checked(field, value)]
        for field, value in changes.items()
        if getattr(platform, field) != value
    }
    for field, (_, new) in changed.items():
        setattr(platform, field, new)
    if platform.channel == ChannelKind.WEBHOOK and not platform.webhook_url:
        raise InvalidInput("a webhook platform needs a webhook URL (--webhook-url)")
    if changed:
        platform.save(update_fields=list(changed))
        audit_record(
            tag="platform:update",
            actor=actor,
            subject=f"platform:{platform.pk}",
            organisation_id=platform.organisation_id,
            payload={"changed": {f: [str(a), str(b)] for f, (a, b) in changed.items()}},
        )
    for host in remove_hosts or []:
        platform_host_remove(platform=platform, host=host, actor=actor)
    for host in add_hosts or []:
        platform_host_add(platform=platform, host=host, actor=actor)
    for rule in deadlines or []:
        deadline_policy_set(platform=platform, rule=rule, actor=actor)
    for jurisdiction in remove_deadlines or []:
        deadline_policy_remove(platform=platform, jurisdiction=jurisdiction, actor=actor)
    return platform


@transaction.atomic
def platform_host_remove(*, platform: Platform, host: str, actor: str) -> None:
    canonical = canonical_host(host)
    deleted, _ = PlatformHost.objects.filter(platform=platform, host=canonical).delete()
    if not deleted:
        raise NotFound(f"host {canonical} does not route to {platform.name}")
    audit_record(
        tag="platform:host_remove",
        actor=actor,
        subject=f"platform:{platform.pk}",
        organisation_id=platform.organisation_id,
        payload={"host": canonical},
    )


@transaction.atomic
def deadline_policy_remove(*, platform: Platform, jurisdiction: str, actor: str) -> None:
    code = jurisdiction.upper()
    deleted, _ = DeadlinePolicy.objects.filter(platform=platform, jurisdiction=code).delete()
    if not deleted:
        raise NotFound(f"{platform.name} has no deadline policy for {code}")
    audit_record(
        tag="platform:deadline_remove",
        actor=actor,
        subject=f"platform:{platform.pk}",
        organisation_id=platform.organisation_id,
        payload={"jurisdiction": code},
    )
