"""`hotline worker` stops cleanly on SIGTERM and SIGINT (the current send finishes, nothing is
left claimed, exit 0), and a message that kills the worker mid-send is given up after
HOTLINE_WORKER_MAX_CLAIMS claims instead of being reclaimed forever; then retried by hand."""

import signal
import subprocess
import time
from pathlib import Path

from tests.delivery.servers import Inbox, start_smtp
from tests.reliability.conftest import (
    HOTLINE,
    start_worker,
    stop_worker,
    wait_for,
    worker_env,
    world,
)


def test_sigterm_mid_send_finishes_that_send_then_exits_0(
    tmp_path: Path, suite_kind_database: str
) -> None:
    inbox = Inbox(delay=2.0)  # the relay hands a message over, then waits for the 250
    smtp = start_smtp(inbox)
    env = worker_env(suite_kind_database, tmp_path, smtp.port)
    log = tmp_path / "worker.log"
    try:
        world(env, "setup", "2")
        worker = start_worker(env, log)
        wait_for("a message handed over", lambda: len(inbox.messages) == 1, within=60, log=log)
        assert stop_worker(worker, log) == 0
        report = world(env, "report")
    finally:
        smtp.stop()
    first, second = report["deliveries"]  # type: ignore[misc]
    assert (first["status"], first["attempts"], first["claimed_by"]) == ("sent", 1, "")
    assert (second["status"], second["attempts"], second["claimed_by"]) == ("pending", 0, "")
    assert len(inbox.messages) == 1  # it did not start another send after the signal
    text = log.read_text()
    assert "finishing current work, then stopping" in text and "stopped cleanly" in text


def test_sigint_on_an_idle_worker_exits_0(tmp_path: Path, suite_kind_database: str) -> None:
    env = worker_env(suite_kind_database, tmp_path, 1)
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    wait_for("the worker started", lambda: "started" in log.read_text(), within=60, log=log)
    worker.send_signal(signal.SIGINT)
    assert worker.wait(timeout=60) == 0
    beats = world(env, "report")["heartbeats"]
    assert isinstance(beats, list) and beats[0]["rounds"] >= 1


def test_a_message_that_kills_the_worker_is_given_up_after_n_claims(
    tmp_path: Path, suite_kind_database: str
) -> None:
    inbox = Inbox(delay=60)  # never answers in time: each worker dies waiting (kill -9)
    smtp = start_smtp(inbox)
    env = worker_env(
        suite_kind_database,
        tmp_path,
        smtp.port,
        HOTLINE_WORKER_MAX_CLAIMS="2",
        HOTLINE_DELIVERY_LEASE_SECONDS="1",
        HOTLINE_SMTP_TIMEOUT="120",
    )
    log = tmp_path / "worker.log"
    try:
        world(env, "setup", "1")
        for crash in range(1, 3):
            worker = start_worker(env, log)
            wait_for("mid-send", lambda n=crash: len(inbox.messages) == n, within=60, log=log)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
            time.sleep(1.2)  # its lease runs out
        again = subprocess.run(
            [HOTLINE, "worker", "--once"], env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stderr[-3000:]
        (delivery,) = world(env, "report")["deliveries"]  # type: ignore[misc]
    finally:
        smtp.stop()
    assert len(inbox.messages) == 2  # not sent a third time
    assert delivery["status"] == "failed" and "2 workers died" in delivery["last_error"]
    assert "workers died while sending it" in again.stderr  # logged as an error
    retried = subprocess.run(
        [HOTLINE, "delivery", "retry", "--delivery", str(delivery["id"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert retried.returncode == 0 and f"retrying delivery {delivery['id']}" in retried.stdout
    (after,) = world(env, "report")["deliveries"]  # type: ignore[misc]
    assert after["status"] == "pending"
