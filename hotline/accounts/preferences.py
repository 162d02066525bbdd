"""A person's language and time zone; the time zone defaults from the organisation's country."""

from datetime import datetime
from zoneinfo import available_timezones

from django.conf import settings
from django.db import transaction

from hotline.accounts.models import Membership, Preference
from hotline.core.errors import InvalidInput

# Where a person has chosen nothing, dates are shown in their organisation's country's zone.
TIME_ZONE_BY_JURISDICTION = {
    "KR": "Asia/Seoul",
    "JP": "Asia/Tokyo",
    "AU": "Australia/Sydney",
    "US": "America/New_York",
    "GB": "Europe/London",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
}


def default_time_zone(*, jurisdiction: str) -> str:
    return TIME_ZONE_BY_JURISDICTION.get(jurisdiction.upper(), "UTC")


def preference_get(*, user_id: int) -> Preference | None:
    return Preference.objects.filter(user_id=user_id).first()


def time_zone_for(*, membership: Membership | None, preference: Preference | None) -> str:
    if preference is not None and preference.time_zone:
        return preference.time_zone
    if membership is not None:
        return default_time_zone(jurisdiction=membership.organisation.jurisdiction)
    return "UTC"


@transaction.atomic
def preference_set(
    *, user_id: int, language: str | None = None, time_zone: str | None = None
) -> Preference:
    """Change either or both; a blank time zone goes back to the organisation's default."""
    preference, _ = Preference.objects.get_or_create(user_id=user_id)
    if language is not None:
        if language not in {code for code, _ in settings.LANGUAGES}:
            raise InvalidInput(f"unknown language {language!r}", details=[{"element": "language"}])
        preference.language = language
    if time_zone is not None:
        if time_zone and time_zone not in available_timezones():
            raise InvalidInput(
                f"unknown time zone {time_zone!r}", details=[{"element": "time_zone"}]
            )
        preference.time_zone = time_zone
    preference.save()
    return preference


@transaction.atomic
def news_seen_mark(*, user_id: int, at: datetime) -> Preference:
    """The person has read their news up to `at`: the dashboard shows only what came after."""
    preference, _ = Preference.objects.get_or_create(user_id=user_id)
    preference.news_seen_at = at
    preference.save(update_fields=["news_seen_at"])
    return preference
