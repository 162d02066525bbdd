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
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(
            user__email__iexact=address,
            user__is_active=True,
            role=Role.REPORTER,
            organisation__kind__in=REPORTER_KINDS,
        )
        .order_by("pk")
        .first()
    )
    if membership is not None:
        return actor_for_membership(membership)
    organisation = (
        Organisation.objects.filter(contact_email__iexact=address, kind__in=REPORTER_KINDS)
        .order_by("pk")
        .first()
    )
    if organisation is None:
        return None
    return Actor(
        user_id=None,
        username=f"email:{address}"[:150],
        organisation_id=organisation.pk,
        organisation_kind=organisation.kind,
        role=Role.REPORTER,
    )


def platform_actor(address: str, platform: Platform) -> Actor | None:
    """A moderator of the platform, or one of the platform's registered addresses."""
    if not address:
        return None
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(
            user__email__iexact=address,
            user__is_active=True,
            role=Role.MODERATOR,
            organisation_id=platform.organisation_id,
        )
        .first()
    )
    if membership is not None:
        return actor_for_membership(membership)
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
    return Actor(
        user_id=None,
        username=f"email:{address}"[:150],
        organisation_id=platform.organisation_id,
        organisation_kind=OrganisationKind.PLATFORM,
        role=Role.MODERATOR,
    )


def platform_of(address: str) -> Platform | None:
    """The platform an address belongs to, for a clearer quarantine reason."""
    if not address:
        return None
    for platform in Platform.objects.select_related("organisation"):
        if platform_actor(address, platform) is not None:
            return platform
    return None
