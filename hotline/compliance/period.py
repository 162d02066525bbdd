"""PURE: a report's period, whole days from `since` to `until` inclusive, in one time zone."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.core.errors import InvalidInput


@dataclass(frozen=True)
class Period:
    since: date
    until: date
    time_zone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def start(self) -> datetime:
        """Midnight starting `since`, in the period's zone."""
        return datetime.combine(self.since, time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime:
        """Midnight ending `until` (exclusive), in the period's zone."""
        return datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=self.zone)


def zone_named(name: str) -> str:
    """The zone's name if it is a real IANA zone, or a 400 that says so."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(
            f"unknown time zone {name!r}; use an IANA name such as Asia/Seoul or UTC",
            details=[{"element": "time_zone"}],
        ) from error
    return name


def period_ending(
    *, today: date, since: date | None, until: date | None, days: int, time_zone: str
) -> Period:
    """The period asked for; by default the `days` days up to `today`, in `time_zone`."""
    until = until or today
    since = since or until - timedelta(days=days)
    if since > until:
        raise InvalidInput("since must not be after until", details=[{"element": "since"}])
    return Period(since, until, zone_named(time_zone))
