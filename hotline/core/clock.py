"""The one place that reads the time, so tests and the demo can move it.

`travel_to`/`advance` exist for the demo, which replays hours of a takedown in seconds; the
production code never calls them.
"""

from datetime import datetime, timedelta

from django.utils import timezone

_offset = timedelta(0)


def now() -> datetime:
    """The current aware UTC time (shifted only while the demo replays a scenario)."""
    return timezone.now() + _offset


def travel_to(moment: datetime) -> None:
    """Make `now()` read `moment` and run on from there."""
    global _offset
    _offset = moment - timezone.now()


def advance(delta: timedelta) -> None:
    global _offset
    _offset += delta


def back_to_real_time() -> None:
    global _offset
    _offset = timedelta(0)
