"""`hotline worker`: run background tasks (deliveries, checks, deadlines) until stopped."""

import os
import socket
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from hotline.cases.services.deadlines import notices_escalate_overdue
from hotline.core import clock
from hotline.core.heartbeat import heartbeat_beat
from hotline.core.worker import drain_ready_tasks, requeue_stale_tasks
from hotline.delivery.services import delivery_relay_once

RELAY_BATCH = 200  # deliveries per round, so checks and deadlines are not starved
# No hotline task runs longer than a verification fetch (seconds); one RUNNING for this long
# belongs to a worker that died.
STALE_TASK_AFTER = timedelta(minutes=10)


class Command(BaseCommand):
    help = "Run queued tasks: notice delivery, verification checks, deadline escalation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="Seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._loop(once=options["once"], interval=options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("worker stopped")

    def _loop(self, *, once: bool, interval: float) -> None:
        name, started_at = f"{socket.gethostname()}:{os.getpid()}", clock.now()
        while True:
            close_old_connections()  # survive a database restart between rounds
            requeue_stale_tasks(older_than=STALE_TASK_AFTER)
            drain_ready_tasks(worker_id="hotline-worker")
            # A safety net: deadline tasks are queued per notice, the sweep catches any missed.
            escalated = notices_escalate_overdue()
            if escalated:
                self.stdout.write(f"escalated {escalated} overdue notice(s)")
            # The outbox relay: claims due deliveries under a lease (decision 0004).
            relayed = delivery_relay_once(limit=RELAY_BATCH, worker_id="hotline-worker")
            heartbeat_beat(name=name, started_at=started_at)
            if once and relayed.attempted < RELAY_BATCH:
                return
            if relayed.attempted < RELAY_BATCH:
                time.sleep(interval)
