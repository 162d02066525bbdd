"""Shared pieces of the reliability tests: `hotline worker` as a subprocess on a database of
its own, loopback receivers, and bounded waits (a wait that runs out fails the test loudly)."""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.reliability.pg_cluster import PrivateCluster

HOTLINE = str(Path(sys.executable).parent / "hotline")
WORLD = str(Path(__file__).parent / "world.py")


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the suite's kind, migrated once (migrating costs seconds per test): a
    SQLite file, or a template database on the suite's PostgreSQL server."""
    url, folder = os.environ.get("DATABASE_URL", ""), tmp_path_factory.mktemp("template")
    if not url.startswith("postgres"):
        template = f"sqlite:///{folder / 'template.sqlite3'}"
        world(worker_env(template, folder, 1), "migrate")
        yield template
        return
    server, name = url.rsplit("/", 1)[0], f"hotline_reliability_tpl_{uuid.uuid4().hex[:8]}"
    _admin(server, f'CREATE DATABASE "{name}"')
    try:
        world(worker_env(f"{server}/{name}", folder, 1), "migrate")
        yield f"{server}/{name}"
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def suite_kind_database(tmp_path: Path, migrated_template: str) -> Iterator[str]:
    """A migrated database of the suite's kind that only the subprocesses use: a copy of the
    template file, or a database made from the template, dropped afterwards."""
    if migrated_template.startswith("sqlite"):
        copy = tmp_path / "reliability.sqlite3"
        shutil.copyfile(migrated_template.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    server, template = migrated_template.rsplit("/", 1)
    name = f"hotline_reliability_{uuid.uuid4().hex[:10]}"
    _admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield f"{server}/{name}"
    _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(server: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(statement)


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    """A PostgreSQL cluster of this test's own, started; torn down at the end."""
    cluster = PrivateCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def worker_env(database_url: str, var_dir: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOTLINE_VAR_DIR": str(var_dir),
        "HOTLINE_CHANNEL_BACKEND": "real",
        "HOTLINE_FETCHER_BACKEND": "fake",
        "HOTLINE_SMTP_HOST": "127.0.0.1",
        "HOTLINE_SMTP_PORT": str(smtp_port),
        "HOTLINE_SMTP_TIMEOUT": "10",
        "HOTLINE_LOG_LEVEL": "INFO",
        **extra,
    }


def world(env: dict[str, str], *args: str) -> dict[str, object]:
    """Run a world.py command against the worker's database; its JSON answer."""
    done = subprocess.run(
        [sys.executable, WORLD, *args], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def start_worker(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [HOTLINE, "worker", "--interval", "0.2", *args], env=env, stdout=out, stderr=out
        )


def wait_for(what: str, condition: Callable[[], bool], *, within: float, log: Path) -> float:
    """Poll `condition` until it holds; fail with the worker's log if `within` s run out.
    Returns the seconds it took."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > within:
            tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
            pytest.fail(f"{what}: not within {within} s\n--- worker log ---\n{tail}")
        time.sleep(0.02)
    return time.monotonic() - started


def stop_worker(worker: subprocess.Popen[bytes], log: Path) -> int:
    """SIGTERM, then the exit status (it must come within a minute)."""
    worker.terminate()
    try:
        return worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        pytest.fail(f"the worker ignored SIGTERM\n{log.read_text(errors='replace')[-4000:]}")
