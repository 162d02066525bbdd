"""The shared kernel's one table: each worker process's heartbeat, read by /readyz and /metrics."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running `hotline worker` (name = host:pid), updated every round.

    Counters are cumulative for the process's lifetime, so an operator sees outages that the
    worker rode out, not only the ones that are happening now.
    """

    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()
    rounds = models.BigIntegerField(default=0)
    database_outages = models.BigIntegerField(default=0)
    delivery_failures = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"worker {self.name}, last seen {self.beat_at:%Y-%m-%d %H:%M:%S}"
