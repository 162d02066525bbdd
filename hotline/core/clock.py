"""The one place that reads the time, so tests and the demo can move it."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current aware UTC time."""
    return timezone.now()
