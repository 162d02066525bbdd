"""Who an email address is: a registered reporter, or a registered address of a platform."""

from hotline.accounts.actors import Actor
from hotline.accounts.models import Membership, Organisation, OrganisationKind, Role
from hotline.accounts.services import actor_for_membership
from hotline.platforms.models import Platform

REPORTER_KINDS = (OrganisationKind.REGULATOR, OrganisationKind.SUPPORT_ORG)


def reporter_for(address: str) -> Actor | None:
    """A reporter's own address, or the contact address of a regulator or support centre."""
    if not address:
        return None
    member = _member_actor(address, role=Role.REPORTER, organisation__kind__in=REPORTER_KINDS)
    if member is not None:
        return member
    organisation = (
        Organisation.objects.filter(contact_email__iexact=address, kind__in=REPORTER_KINDS)
        .order_by("pk")
        .first()
    )
    if organisation is None:
        return None
    return _address_actor(address, organisation.pk, organisation.kind, Role.REPORTER)


def platform_actor(address: str, platform: Platform) -> Actor | None:
    """A moderator of the platform, or one of the platform's registered addresses."""
    if not address:
        return None
    member = _member_actor(address, role=Role.MODERATOR, organisation_id=platform.organisation_id)
    if member is not None:
        return member
    registered = {
        a.lower()
        for a in (
            platform.hotline_email,
            platform.official_email,
            platform.organisation.contact_email,
        )
        if a
    }
    if address.lower() not in registered:
        return None
    return _address_actor(
        address, platform.organisation_id, OrganisationKind.PLATFORM, Role.MODERATOR
    )


def _member_actor(address: str, **scope: object) -> Actor | None:
    """The actor of the active user with this email and a membership matching `scope`."""
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user__email__iexact=address, user__is_active=True, **scope)
        .order_by("pk")
        .first()
    )
    return actor_for_membership(membership) if membership is not None else None


def _address_actor(address: str, organisation_id: int, kind: str, role: str) -> Actor:
    """An organisation's registered address acting without a personal account."""
    return Actor(
        user_id=None,
        username=f"email:{address}"[:150],
        organisation_id=organisation_id,
        organisation_kind=kind,
        role=role,
    )


def platform_of(address: str) -> Platform | None:
    """The platform an address belongs to, for a clearer quarantine reason."""
    if not address:
        return None
    for platform in Platform.objects.select_related("organisation"):
        if platform_actor(address, platform) is not None:
            return platform
    return None
