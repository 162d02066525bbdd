"""Run queued background tasks in this process until none is ready (worker loop, demo, tests)."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction


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
            task = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if task is not None:
                task.claim(worker_id)
        if task is None:
            return ran
        worker.run_task(task)
        ran += 1
