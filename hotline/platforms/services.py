"""Every write to the platform directory."""

from dataclasses import dataclass

from django.db import transaction

from hotline.accounts.models import OrganisationKind
from hotline.accounts.services import organisation_create
from hotline.audit.services import audit_record
from hotline.core.errors import Conflict, InvalidInput
from hotline.platforms.models import ChannelKind, DeadlinePolicy, Platform, PlatformHost
from hotline.platforms.urls import InvalidUrl, normalise_url


@dataclass(frozen=True)
class DeadlineRule:
    jurisdiction: str
    hours: int
    urgent_hours: int
    legal_basis: str = ""
    clock_pauses_for_info: bool = False


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
    return row


@transaction.atomic
def deadline_policy_set(*, platform: Platform, rule: DeadlineRule, actor: str) -> DeadlinePolicy:
    if rule.urgent_hours > rule.hours or rule.urgent_hours < 1:
        raise InvalidInput("urgent deadline must be at least 1 hour and not longer than normal")
    policy, _ = DeadlinePolicy.objects.update_or_create(
        platform=platform,
        jurisdiction=rule.jurisdiction.upper(),
        defaults={
            "hours": rule.hours,
            "urgent_hours": rule.urgent_hours,
            "legal_basis": rule.legal_basis,
            "clock_pauses_for_info": rule.clock_pauses_for_info,
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
        },
    )
    return policy
