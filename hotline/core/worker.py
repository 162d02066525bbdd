"""Run queued background tasks in this process until none is ready (demo, tests, `--once`)."""

from django_tasks_db.management.commands.db_worker import Worker


def drain_ready_tasks(*, worker_id: str = "inline") -> None:
    """Run every task whose time has come, then return; tasks scheduled later stay queued."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
