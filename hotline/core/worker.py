"""Run queued background tasks in this process until none is ready (worker loop, demo, tests)."""

from datetime import timedelta

from django.db.models import Q
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet, get_date_max
from django_tasks_db.utils import exclusive_transaction

from hotline.core import clock


def drain_ready_tasks(*, worker_id: str = "inline") -> int:
    """Run every task whose time has come, then return how many ran.

    Unlike django-tasks' own loop this never closes the database connection, so it can run
    inside a caller's transaction (the demo's, a test's); `hotline worker` closes stale
    connections between rounds itself.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with exclusive_transaction(DBTaskResult.objects.db):
            task = _due_tasks().get_locked()
            if task is not None:
                task.claim(worker_id)
        if task is None:
            return ran
        worker.run_task(task)
        ran += 1


def requeue_stale_tasks(*, older_than: timedelta) -> int:
    """Put back tasks left RUNNING by a worker that died (kill -9, power loss).

    django-tasks marks a claimed task RUNNING and nothing ever releases it if the process dies.
    Every hotline task is safe to run twice, so a task running far longer than any of ours
    should is assumed orphaned and made READY again.
    """
    cutoff = clock.now() - older_than
    stale = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
    return stale.update(status=TaskResultStatus.READY, started_at=None)


def _due_tasks() -> DBTaskResultQuerySet:
    """READY tasks whose time has come by hotline's clock (django-tasks' `ready()` reads the
    wall clock, which the demo's replayed time runs ahead of)."""
    return DBTaskResult.objects.filter(
        backend_name="default", status=TaskResultStatus.READY
    ).filter(Q(run_after=get_date_max()) | Q(run_after__lte=clock.now()))
