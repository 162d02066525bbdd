"""`hotline worker` rides out a PostgreSQL outage: the test stops its private cluster while the
worker is delivering, starts it again, and files more work. Nothing is lost, every duplicate is
byte-identical, the outage is counted in the heartbeat and the worker is alive throughout,
then stops cleanly on SIGTERM (exit 0).

This test brings its own cluster (tests/reliability/pg_cluster.py) and never reads
DATABASE_URL, so it runs the same in the suite's SQLite and PostgreSQL passes.
"""

import email
import time
from collections import defaultdict
from email.policy import default
from pathlib import Path

from tests.delivery.servers import Inbox, start_smtp
from tests.reliability.conftest import start_worker, stop_worker, wait_for, worker_env, world
from tests.reliability.pg_cluster import PrivateCluster

BEFORE, AFTER = 6, 4  # notices filed before the outage, and once the database is back


def keys_received(inbox: Inbox) -> dict[str, list[bytes]]:
    by_key: dict[str, list[bytes]] = defaultdict(list)
    for mail in list(inbox.messages):
        parsed = email.message_from_bytes(mail.content, policy=default)
        by_key[str(parsed["Hotline-Idempotency-Key"])].append(mail.content)
    return by_key


def test_the_worker_survives_a_database_outage_and_loses_nothing(
    tmp_path: Path, private_postgres: PrivateCluster
) -> None:
    inbox = Inbox(delay=0.4)  # slow, so the outage catches a message mid-send
    smtp = start_smtp(inbox)
    database = private_postgres.create_database("hotline_outage")
    env = worker_env(
        database,
        tmp_path,
        smtp.port,
        HOTLINE_DELIVERY_LEASE_SECONDS="2",
        HOTLINE_WORKER_BACKOFF_MAX_SECONDS="1",
    )
    log = tmp_path / "worker.log"
    try:
        world(env, "setup", str(BEFORE))
        worker = start_worker(env, log)
        wait_for("two notices delivered", lambda: len(inbox.messages) >= 2, within=60, log=log)
        private_postgres.stop()  # mid-delivery: the next outcome cannot be recorded
        time.sleep(3)  # several rounds of backoff against a database that is down
        assert worker.poll() is None, log.read_text()[-3000:]
        private_postgres.start()
        world(env, "file", *(f"after{n}" for n in range(AFTER)))
        wanted = BEFORE + AFTER
        wait_for(
            "every notice delivered",
            lambda: len(keys_received(inbox)) == wanted,
            within=60,
            log=log,
        )

        def outage_counted() -> bool:
            beats = world(env, "report")["heartbeats"]
            assert isinstance(beats, list)
            return any(beat["database_outages"] >= 1 for beat in beats)

        wait_for("the outage counted in the heartbeat", outage_counted, within=30, log=log)
        assert worker.poll() is None, "the worker died"
        assert stop_worker(worker, log) == 0
        report = world(env, "report")
    finally:
        smtp.stop()
    assert report["audit_intact"] is True
    deliveries = report["deliveries"]
    assert isinstance(deliveries, list) and len(deliveries) == wanted
    assert {d["status"] for d in deliveries} == {"sent"}
    assert {d["claimed_by"] for d in deliveries} == {""}  # no lease left behind
    received = keys_received(inbox)
    assert set(received) == {d["key"] for d in deliveries}
    for key, copies in received.items():
        assert len(set(copies)) == 1, f"{key}: duplicates differ"
    assert "database unavailable" in log.read_text()  # logged, with its backoff
