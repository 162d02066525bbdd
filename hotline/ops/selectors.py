"""The database facts that readiness and metrics report, read at the moment they are asked.

Every figure is an aggregate over all organisations (counts by kind, task, verdict): nothing
here names a case, an organisation or a platform, so /metrics cannot leak whose work it is.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count, Min, Sum
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hotline.cases.models import ItemCheck
from hotline.core import clock
from hotline.core.heartbeat import heartbeat_latest
from hotline.core.models import WorkerHeartbeat
from hotline.delivery.models import Delivery, DeliveryStatus


def database_reachable() -> None:
    """Raise the database's own error unless a trivial query answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def worker_heartbeat_age(now: datetime) -> timedelta | None:
    """How long ago the most recent worker round finished; None if no worker ever ran."""
    latest = heartbeat_latest()
    return None if latest is None else now - latest.beat_at


@dataclass(frozen=True)
class WorkerTotals:
    rounds: int = 0
    database_outages: int = 0
    delivery_failures: int = 0


@dataclass(frozen=True)
class OperationalFacts:
    now: datetime
    deliveries: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, kind) → n
    oldest_pending_notice_at: datetime | None = None
    ready_tasks: dict[tuple[str, str], int] = field(default_factory=dict)  # (task, queue) → n
    checks_by_verdict: dict[str, int] = field(default_factory=dict)
    heartbeat_age: timedelta | None = None
    workers_seen: int = 0
    worker_totals: WorkerTotals = WorkerTotals()


def operational_facts() -> OperationalFacts:
    now = clock.now()
    deliveries = Delivery.objects.values_list("status", "kind").annotate(n=Count("pk"))
    oldest = Delivery.objects.filter(kind="notice", status=DeliveryStatus.PENDING).aggregate(
        at=Min("created_at")
    )["at"]
    ready = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .values_list("task_path", "queue_name")
        .annotate(n=Count("pk"))
    )
    verdicts = ItemCheck.objects.values_list("verdict").annotate(n=Count("pk"))
    totals = WorkerHeartbeat.objects.aggregate(
        rounds=Sum("rounds"),
        database_outages=Sum("database_outages"),
        delivery_failures=Sum("delivery_failures"),
        workers=Count("pk"),
    )
    return OperationalFacts(
        now=now,
        deliveries={(status, kind): n for status, kind, n in deliveries},
        oldest_pending_notice_at=oldest,
        ready_tasks={(task, queue): n for task, queue, n in ready},
        checks_by_verdict=dict(verdicts),
        heartbeat_age=worker_heartbeat_age(now),
        workers_seen=totals["workers"] or 0,
        worker_totals=WorkerTotals(
            rounds=totals["rounds"] or 0,
            database_outages=totals["database_outages"] or 0,
            delivery_failures=totals["delivery_failures"] or 0,
        ),
    )
