"""Running background tasks: inline until none is ready (the demo, tests), or on the lanes of
`hotline worker`, each a thread that rides out database outages with backoff and stops cleanly.
"""

import logging
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django_tasks import TaskResultStatus
from django_tasks_db.compat import task_finished, task_started
from django_tasks_db.models import DBTaskResult, DBTaskResultQuerySet, get_date_max
from django_tasks_db.utils import exclusive_transaction

from hotline.core import clock
from hotline.core.backoff import jittered_backoff

logger = logging.getLogger("hotline.worker")

# What a database that is down, restarting or unreachable raises (psycopg and sqlite3 alike).
DATABASE_OUTAGES = (OperationalError, InterfaceError)
OUTAGE_BACKOFF_BASE = 0.5  # seconds; doubles per failure up to the cap


def drain_ready_tasks(*, worker_id: str = "inline", queue_names: Sequence[str] = ()) -> int:
    """Run every task whose time has come (of the given queues, or all), then return how many.

    This never closes the database connection, so it can run inside a caller's transaction
    (the demo's, a test's).
    """
    ran = 0
    while True:
        row = _claim_next_task(worker_id=worker_id, queue_names=queue_names)
        if row is None:
            return ran
        run_claimed_task(row)
        ran += 1


def _claim_next_task(
    *, worker_id: str, queue_names: Sequence[str]
) -> "DBTaskResult[Any, Any] | None":
    with exclusive_transaction(DBTaskResult.objects.db):
        row = _due_tasks(queue_names).get_locked()
        if row is not None:
            row.claim(worker_id)
    return row


def run_claimed_task(row: "DBTaskResult[Any, Any]") -> None:
    """Run a claimed task and record its result, as django-tasks' own worker does, except
    that a database outage is raised, not recorded as the task's failure: the caller hands
    the task back, and it runs again once the database is back (every hotline task is safe
    to run twice)."""
    try:
        task, result = row.task, row.task_result
    except (ImportError, SuspiciousOperation) as error:  # a task path no longer in the code
        logger.exception("task %s: cannot load %s", row.pk, row.task_path)
        row.set_failed(error)
        return
    sender: Any = type(task.get_backend())
    task_started.send(sender=sender, task_result=result)
    try:
        value = task.call(*result.args, **result.kwargs)
    except DATABASE_OUTAGES:
        raise
    except Exception as error:  # the task's own failure: recorded on the row, as django-tasks
        logger.exception("task %s (%s) failed", row.pk, row.task_path)
        row.set_failed(error)
    else:
        row.set_successful(value)
    task_finished.send(sender=sender, task_result=row.task_result)


def release_tasks(task_ids: Sequence[Any]) -> int:
    """Hand claimed tasks back unrun or unfinished (a stop, an outage): READY again."""
    running = DBTaskResult.objects.filter(pk__in=list(task_ids), status=TaskResultStatus.RUNNING)
    return running.update(status=TaskResultStatus.READY, started_at=None)


def requeue_stale_tasks(*, older_than: timedelta, max_claims: int | None = None) -> int:
    """Put back tasks left RUNNING by a worker that died (kill -9, power loss).

    django-tasks marks a claimed task RUNNING and nothing ever releases it if the process dies.
    Every hotline task is safe to run twice, so a task running far longer than any of ours
    should is assumed orphaned and made READY again, unless `max_claims` workers have already
    died running it: then it is the task that kills them, and it is failed instead.
    """
    cutoff = clock.now() - older_than
    requeued = 0
    for row in DBTaskResult.objects.running().filter(started_at__lt=cutoff):
        still_running = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING)
        if max_claims is not None and len(row.worker_ids) >= max_claims:
            reason = f"given up: {len(row.worker_ids)} workers died running it"
            logger.error("task %s (%s): %s", row.pk, row.task_path, reason)
            still_running.update(
                status=TaskResultStatus.FAILED,
                finished_at=clock.now(),
                exception_class_path="hotline.core.worker.TaskKillsWorkers",
                traceback=f"{reason} (HOTLINE_WORKER_MAX_CLAIMS={max_claims})",
            )
        else:
            requeued += still_running.update(status=TaskResultStatus.READY, started_at=None)
    return requeued


def _due_tasks(queue_names: Sequence[str] = ()) -> DBTaskResultQuerySet:
    """READY tasks whose time has come by hotline's clock (django-tasks' `ready()` reads the
    wall clock, which the demo's replayed time runs ahead of)."""
    due = DBTaskResult.objects.filter(backend_name="default", status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=clock.now())
    )
    return due.filter(queue_name__in=list(queue_names)) if queue_names else due


class TaskLaneStep:
    """One step of a task lane: claim one due task of `queue_names` and run it.

    A task claimed when the worker is told to stop, or cut off by a database outage, is
    released (READY again) as soon as the database answers, before anything new is claimed.
    """

    def __init__(
        self, *, worker_id: str, queue_names: Sequence[str], should_stop: Callable[[], bool]
    ) -> None:
        self.worker_id, self.queue_names, self.should_stop = worker_id, queue_names, should_stop
        self.to_release: list[Any] = []

    def __call__(self) -> bool:
        self.release_held()
        row = _claim_next_task(worker_id=self.worker_id, queue_names=self.queue_names)
        if row is None:
            return False
        if self.should_stop():
            self.to_release.append(row.pk)
            self.release_held()
            return False
        try:
            run_claimed_task(row)
        except DATABASE_OUTAGES:
            self.to_release.append(row.pk)
            raise
        return True

    def release_held(self) -> None:
        if self.to_release:
            release_tasks(self.to_release)
            self.to_release.clear()


class WorkerTally:
    """What a worker rode out since its last heartbeat; shared by its lanes.

    An outage is counted once when the first lane meets it, however many lanes then fail,
    and ends when any lane gets through again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._database_down = False
        self.database_outages = 0
        self.delivery_failures = 0

    def database_failed(self) -> None:
        with self._lock:
            if not self._database_down:
                self._database_down, self.database_outages = True, self.database_outages + 1

    def database_answered(self) -> None:
        with self._lock:
            self._database_down = False

    def deliveries_failed(self, count: int) -> None:
        with self._lock:
            self.delivery_failures += count

    def take(self) -> tuple[int, int]:
        """The counts so far, reset; `give_back` them if they could not be recorded."""
        with self._lock:
            counts = (self.database_outages, self.delivery_failures)
            self.database_outages = self.delivery_failures = 0
            return counts

    def give_back(self, counts: tuple[int, int]) -> None:
        with self._lock:
            self.database_outages += counts[0]
            self.delivery_failures += counts[1]


class Lane:
    """Calls `step` until `stop` is set: at once again while it reports work done, after
    `idle_seconds` when it found none, and after a capped, jittered backoff when it raised.

    A database error is an outage to ride out: logged, counted in the tally, the connection
    dropped so the next try reconnects. Any other error is logged and backed off the same
    way; a lane never dies of it. The current step always finishes before the lane stops.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], bool],
        *,
        stop: threading.Event,
        tally: WorkerTally,
        idle_seconds: float,
        backoff_cap: float,
    ) -> None:
        self.name, self.step, self.stop, self.tally = name, step, stop, tally
        self.idle_seconds, self.backoff_cap = idle_seconds, backoff_cap
        self.failures = 0

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._turn()
        finally:
            _drop_connection()

    def turn_once(self) -> None:
        """One step now, whatever `stop` says; no idle wait after it (a failure still backs off)."""
        self._turn(wait_when_idle=False)

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"hotline-worker-{self.name}")
        thread.start()
        return thread

    def _turn(self, *, wait_when_idle: bool = True) -> None:
        try:
            busy = self.step()
        except DATABASE_OUTAGES as error:
            self.tally.database_failed()
            self._back_off(f"database unavailable ({type(error).__name__}: {error})".strip())
            return
        except Exception:
            logger.exception("%s lane: step failed", self.name)
            self._back_off("unexpected error")
            return
        if self.failures:
            logger.warning("%s lane: working again after %d failure(s)", self.name, self.failures)
            self.tally.database_answered()
            self.failures = 0
        if not busy and wait_when_idle:
            # The connection is kept while idle (no reconnect every poll); a broken one raises
            # on the next step, which then backs off and reconnects.
            self.stop.wait(self.idle_seconds)

    def _back_off(self, reason: str) -> None:
        self.failures += 1
        _drop_connection()
        delay = jittered_backoff(self.failures, base=OUTAGE_BACKOFF_BASE, cap=self.backoff_cap)
        logger.warning(
            "%s lane: %s; failure %d in a row, trying again in %.1f s",
            self.name,
            reason.splitlines()[0] if reason else "error",
            self.failures,
            delay,
        )
        self.stop.wait(delay)


def _drop_connection() -> None:
    """Forget this thread's database connection (it may be broken); the next query reconnects."""
    with suppress(Exception):
        connection.close()
