"""Deliveries are never queued behind verification checks: with 1,000 slow checks queued (a
loopback page server that takes 2 s to answer each fetch), a new urgent notice still reaches
the SMTP server on loopback within the test's bounded wait of 5 s.

Before the worker had lanes, it ran every due task before relaying a single delivery, so this
notice waited for all 1,000 fetches.
"""

import email
import threading
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.delivery.servers import Inbox, start_smtp
from tests.reliability.conftest import start_worker, stop_worker, wait_for, worker_env, world

CHECKS = 1000
ARRIVAL_WAIT = 5.0  # seconds the test waits for the urgent notice to arrive


def slow_page_server(hits: list[str]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            threading.Event().wait(2.0)  # a platform that is slow to answer
            body = b"<html><body>still here</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def arrived(inbox: Inbox, key: str) -> bool:
    for mail in list(inbox.messages):
        if email.message_from_bytes(mail.content, policy=default)["Hotline-Idempotency-Key"] == key:
            return True
    return False


def test_an_urgent_notice_goes_out_while_a_thousand_slow_checks_wait(
    tmp_path: Path, suite_kind_database: str
) -> None:
    inbox, hits = Inbox(), []  # type: ignore[var-annotated]
    smtp, pages = start_smtp(inbox), slow_page_server(hits)
    env = worker_env(
        suite_kind_database,
        tmp_path,
        smtp.port,
        HOTLINE_FETCHER_BACKEND="http",
        HOTLINE_FETCH_ALLOW_LOOPBACK="on",
        HOTLINE_FETCH_REWRITES=f"https://t.me/=http://127.0.0.1:{pages.server_address[1]}/",
        HOTLINE_VERIFICATION_CONCURRENCY="4",
        HOTLINE_FETCH_HOST_RATE="20",
    )
    log = tmp_path / "worker.log"
    try:
        queued = world(env, "setup", "0", str(CHECKS))
        assert queued["checks"] == CHECKS
        worker = start_worker(env, log)
        # The ten notices of the slow items go out, and the check lanes are busy fetching.
        wait_for("the check lanes fetching", lambda: len(hits) >= 4, within=60, log=log)
        wait_for("the first notices sent", lambda: len(inbox.messages) >= 10, within=60, log=log)
        (key,) = world(env, "file", "--urgent", "urgent1")["keys"]  # type: ignore[misc]
        took = wait_for(
            f"urgent notice {key} on the wire",
            lambda: arrived(inbox, key),
            within=ARRIVAL_WAIT,
            log=log,
        )
        fetched_by_then = len(hits)
        assert stop_worker(worker, log) == 0
        report = world(env, "report")
    finally:
        smtp.stop()
        pages.shutdown()
        pages.server_close()
    tasks = report["tasks"]
    assert isinstance(tasks, dict)
    assert fetched_by_then < CHECKS / 2  # most checks were still queued when it went out
    assert tasks.get("checks:RUNNING", 0) == 0  # the stop finished or handed back every check
    assert tasks.get("checks:READY", 0) + tasks.get("checks:SUCCESSFUL", 0) >= CHECKS
    print(f"urgent notice arrived {took:.2f} s after it was filed; {fetched_by_then} fetches")
