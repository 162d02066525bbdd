"""Worker heartbeats: written by `hotline worker` each round, read by readiness and metrics."""

from datetime import datetime, timedelta

from django.db.models import F

from hotline.core import clock
from hotline.core.models import WorkerHeartbeat


def heartbeat_beat(
    *, name: str, started_at: datetime, database_outages: int = 0, delivery_failures: int = 0
) -> None:
    """Record that the worker `name` finished a round; counters add what happened since."""
    now = clock.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(
        beat_at=now,
        rounds=F("rounds") + 1,
        database_outages=F("database_outages") + database_outages,
        delivery_failures=F("delivery_failures") + delivery_failures,
    )
    if not updated:
        WorkerHeartbeat.objects.create(
            name=name,
            started_at=started_at,
            beat_at=now,
            rounds=1,
            database_outages=database_outages,
            delivery_failures=delivery_failures,
        )


def heartbeat_latest() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.order_by("-beat_at").first()


def worker_alive(*, within: timedelta) -> bool:
    """Whether any worker finished a round within `within` of now."""
    latest = heartbeat_latest()
    return latest is not None and latest.beat_at >= clock.now() - within
