"""Reads of organisations and memberships."""

from django.db.models import QuerySet

from hotline.accounts.models import ApiToken, Membership, Organisation
from hotline.core.errors import NotFound


def organisation_get(*, name_or_slug: str) -> Organisation:
    org = (
        Organisation.objects.filter(slug=name_or_slug).first()
        or Organisation.objects.filter(name=name_or_slug).first()
    )
    if org is None:
        raise NotFound(f"no organisation named {name_or_slug!r}")
    return org


def membership_get(*, username: str) -> Membership:
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(user__username=username)
        .first()
    )
    if membership is None:
        raise NotFound(f"no user named {username!r} with a membership")
    return membership


def membership_for_user(*, user_id: int) -> Membership | None:
    """The person's membership (one organisation per person), for resolving the web actor."""
    return (
        Membership.objects.select_related("organisation", "user")
        .filter(user_id=user_id, user__is_active=True)
        .order_by("pk")
        .first()
    )


def tokens_list(*, username: str = "", include_revoked: bool = False) -> QuerySet[ApiToken]:
    """API tokens (their prefix and dates, never a secret), oldest first."""
    tokens = ApiToken.objects.select_related("membership__user", "membership__organisation")
    if username:
        tokens = tokens.filter(membership__user__username=username)
    if not include_revoked:
        tokens = tokens.filter(revoked_at=None)
    return tokens.order_by("created_at", "pk")


def memberships_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "organisation").order_by("user__username")
