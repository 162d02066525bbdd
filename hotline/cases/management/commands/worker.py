"""`hotline worker`: run background work (deliveries, checks, deadlines) until stopped.

Each kind of work has its own lane (a thread), so none waits behind another (decision 8):

- `relay`: the delivery outbox, polled every half second at most;
- `deadlines`: the `default` task queue (deadline checks);
- `checks-1` … `checks-N`: the `checks` queue, N = HOTLINE_VERIFICATION_CONCURRENCY;
- `snapshots`: bank index snapshots of banks that changed, every
  HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS (docs/matching.md#index-snapshots);
- the main thread: orphaned tasks, the overdue sweep and the heartbeat, every --interval.

SIGTERM or SIGINT stops it cleanly: every lane finishes what it is doing (or hands a claimed
delivery or task back), then the process exits 0. A second signal exits at once (status 1);
leases and stale-task recovery then make up for it.
"""

import logging
import os
import signal
import socket
import threading
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.banks.snapshots import snapshot_root, snapshots_refresh
from hotline.cases.services.deadlines import notices_escalate_overdue, questions_remind_due
from hotline.cases.services.news import news_digests_send
from hotline.cases.tasks import CHECKS_QUEUE
from hotline.core import clock
from hotline.core.heartbeat import heartbeat_beat
from hotline.core.worker import (
    Lane,
    TaskLaneStep,
    WorkerTally,
    drain_ready_tasks,
    requeue_stale_tasks,
)
from hotline.delivery.services import UnrecordedOutcome, delivery_relay_once

logger = logging.getLogger("hotline.worker")

RELAY_BATCH = 200  # deliveries per --once round
RELAY_POLL_SECONDS = 0.5  # an urgent notice waits at most this long for the relay to look
# No hotline task runs longer than a verification fetch (seconds); one RUNNING for this long
# belongs to a worker that died.
STALE_TASK_AFTER = timedelta(minutes=10)


class Command(BaseCommand):
    help = "Run queued work: notice delivery, verification checks, deadline escalation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds between polls of idle lanes"
        )
        parser.add_argument(
            "--check-threads",
            type=int,
            default=None,
            help="Threads for verification checks (default: HOTLINE_VERIFICATION_CONCURRENCY)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options["interval"]
        threads = options["check_threads"] or settings.HOTLINE_VERIFICATION_CONCURRENCY
        if interval <= 0 or threads < 1:
            raise CommandError("--interval must be above 0 and --check-threads at least 1")
        if options["once"]:
            self._once()
            return
        self._run(interval=interval, check_threads=threads)
        self.stdout.write("worker stopped")

    def _once(self) -> None:
        """Everything due, in order, in this thread (tests, cron-style use)."""
        name, started_at = _worker_name(), clock.now()
        requeue_stale_tasks(
            older_than=STALE_TASK_AFTER, max_claims=settings.HOTLINE_WORKER_MAX_CLAIMS
        )
        drain_ready_tasks(worker_id=name)
        notices_escalate_overdue()
        questions_remind_due()
        news_digests_send()
        failures = 0
        while True:
            relayed = delivery_relay_once(limit=RELAY_BATCH, worker_id=name)
            failures += relayed.failed + relayed.retried
            if relayed.attempted < RELAY_BATCH:
                break
        heartbeat_beat(name=name, started_at=started_at, delivery_failures=failures)

    def _run(self, *, interval: float, check_threads: int) -> None:
        stop, tally = threading.Event(), WorkerTally()
        _stop_on_signals(stop)
        name, started_at = _worker_name(), clock.now()
        cap = settings.HOTLINE_WORKER_BACKOFF_MAX_SECONDS

        def lane(lane_name: str, step: Any, idle: float) -> Lane:
            return Lane(lane_name, step, stop=stop, tally=tally, idle_seconds=idle, backoff_cap=cap)

        unrecorded: list[UnrecordedOutcome] = []  # sends cut off by an outage, kept to record

        def relay_step() -> bool:
            report = delivery_relay_once(
                limit=1, worker_id=name, should_stop=stop.is_set, unrecorded=unrecorded
            )
            tally.deliveries_failed(report.failed + report.retried)
            return report.attempted > 0

        lanes = [lane("relay", relay_step, min(interval, RELAY_POLL_SECONDS))]
        lanes.append(lane("deadlines", _tasks(name, "default", stop), interval))
        for n in range(1, check_threads + 1):
            lanes.append(lane(f"checks-{n}", _tasks(f"{name}:{n}", CHECKS_QUEUE, stop), interval))
        every = settings.HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS
        if every > 0 and snapshot_root() is not None:
            lanes.append(lane("snapshots", _snapshots, float(every)))
        threads = [each.start_thread() for each in lanes]
        housekeeping = lane("housekeeping", _housekeeping(name, started_at, tally), interval)
        # One round before "started", so a worker that says it started has a heartbeat on
        # record (readiness and a stop that comes at once both see it).
        housekeeping.turn_once()
        logger.info("worker %s started: relay, deadlines, %d check lane(s)", name, check_threads)
        housekeeping.run()  # in this thread, until a signal sets `stop`
        for thread in threads:
            thread.join()
        logger.info("worker %s stopped cleanly", name)


def _snapshots() -> bool:
    """Re-snapshot the banks that changed, so every process's own delta stays small."""
    for written in snapshots_refresh():
        logger.info(
            "snapshot of bank %s: %d entries at version %d (%.1f s)",
            written.bank, written.entries, written.version, written.seconds,
        )  # fmt: skip
    return False


def _tasks(worker_id: str, queue: str, stop: threading.Event) -> TaskLaneStep:
    return TaskLaneStep(worker_id=worker_id, queue_names=[queue], should_stop=stop.is_set)


def _housekeeping(name: str, started_at: datetime, tally: WorkerTally) -> Any:
    def step() -> bool:
        requeue_stale_tasks(
            older_than=STALE_TASK_AFTER, max_claims=settings.HOTLINE_WORKER_MAX_CLAIMS
        )
        # A safety net: deadline tasks are queued per notice, the sweep catches any missed.
        escalated = notices_escalate_overdue()
        if escalated:
            logger.warning("escalated %d overdue notice(s)", escalated)
        questions_remind_due()
        news_digests_send()
        counts = tally.take()
        try:
            heartbeat_beat(
                name=name,
                started_at=started_at,
                database_outages=counts[0],
                delivery_failures=counts[1],
            )
        except Exception:
            tally.give_back(counts)
            raise
        return False

    return step


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _stop_on_signals(stop: threading.Event) -> None:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            logger.warning("%s again: exiting at once", signal.strsignal(signum))
            os._exit(1)
        logger.warning(
            "%s: finishing current work, then stopping (send it again to exit at once)",
            signal.strsignal(signum),
        )
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
