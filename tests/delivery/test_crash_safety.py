"""kill -9 the worker again and again mid-delivery: no delivery is lost, and every duplicate is
the same message under the same key.

`hotline worker` runs as a subprocess on its own database (a SQLite file, or a fresh
PostgreSQL database when the suite runs on PostgreSQL) and delivers to a slowed SMTP server and
a webhook receiver on loopback, both in this process.
"""

import email
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from email.policy import default
from pathlib import Path

import pytest

from tests.delivery.servers import Inbox, WebhookReceiver, start_smtp, start_webhook_receiver

HOTLINE = str(Path(sys.executable).parent / "hotline")
WORLD = str(Path(__file__).parent / "crash_world.py")
REQUESTS = 10  # each makes one email notice (Telegram) and one webhook notice (X)
LEASE_SECONDS = 1.5
MAX_KILLS = 10


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of the suite's kind that only the subprocesses use."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    import psycopg

    name = f"hotline_crash_{uuid.uuid4().hex[:10]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_json(args: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def delivered(inbox: Inbox, hook: WebhookReceiver) -> int:
    return len(inbox.messages) + len(hook.requests)


def test_kill_9_mid_delivery_loses_nothing(tmp_path: Path, database_url: str) -> None:
    inbox = Inbox(delay=0.3)
    smtp = start_smtp(inbox)
    hook = WebhookReceiver(delay=0.2)
    http, hook_url = start_webhook_receiver(hook)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOTLINE_VAR_DIR": str(tmp_path),
        "HOTLINE_CHANNEL_BACKEND": "real",
        "HOTLINE_FETCHER_BACKEND": "fake",
        "HOTLINE_SMTP_HOST": "127.0.0.1",
        "HOTLINE_SMTP_PORT": str(smtp.port),
        "HOTLINE_SMTP_TIMEOUT": "5",
        "HOTLINE_WEBHOOK_TIMEOUT": "5",
        "HOTLINE_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    try:
        world = run_json([sys.executable, WORLD, "setup", hook_url, str(REQUESTS)], env)
        hook.secrets = [str(world["secret"])]
        kills = kill_repeatedly(env, inbox, hook, tmp_path, random.Random(20240903))
        time.sleep(LEASE_SECONDS)  # the last victim's lease runs out
        finish = subprocess.run(
            [HOTLINE, "worker", "--once"], env=env, capture_output=True, timeout=60, check=False
        )
        assert finish.returncode == 0, finish.stderr[-3000:]
        report = run_json([sys.executable, WORLD, "report"], env)
    finally:
        smtp.stop()
        http.shutdown()
        http.server_close()
    assert kills >= 3
    assert_nothing_lost_and_duplicates_identical(report, inbox, hook)


def kill_repeatedly(
    env: dict[str, str], inbox: Inbox, hook: WebhookReceiver, logs: Path, rng: random.Random
) -> int:
    """Start a worker, let it hand over one to three messages, kill it at a random moment."""
    kills = 0
    while kills < MAX_KILLS and delivered(inbox, hook) < 2 * REQUESTS:
        with (logs / f"worker-{kills}.log").open("wb") as log:
            worker = subprocess.Popen(
                [HOTLINE, "worker", "--interval", "0.1"], env=env, stdout=log, stderr=log
            )
            target = delivered(inbox, hook) + rng.randint(1, 3)
            give_up = time.monotonic() + 15
            while delivered(inbox, hook) < target and time.monotonic() < give_up:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.35))  # before, during or after the next hand-over
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        kills += 1
    return kills


def assert_nothing_lost_and_duplicates_identical(
    report: dict[str, object], inbox: Inbox, hook: WebhookReceiver
) -> None:
    assert report["audit_intact"] is True
    deliveries = report["deliveries"]
    assert isinstance(deliveries, list)
    assert len(deliveries) == 2 * REQUESTS
    assert {d["status"] for d in deliveries} == {"sent"}
    by_key: dict[str, list[bytes]] = defaultdict(list)
    for mail in inbox.messages:
        parsed = email.message_from_bytes(mail.content, policy=default)
        key = str(parsed["Hotline-Idempotency-Key"])
        assert parsed["Message-ID"] == f"<{key}@localhost>"
        by_key[key].append(mail.content)
    for request in hook.requests:
        assert request["verified"]
        by_key[request["headers"]["hotline-idempotency-key"]].append(request["body"])
    assert set(by_key) == {d["key"] for d in deliveries}
    for key, copies in by_key.items():
        assert len(set(copies)) == 1, f"{key}: duplicates differ"
    duplicates = sum(len(c) - 1 for c in by_key.values())
    print(f"{len(by_key)} deliveries, {duplicates} duplicate(s) after kill -9")
