"""/healthz, /readyz and the pure readiness rule behind it."""

from datetime import timedelta

import pytest
from django.test import Client

from hotline.core import clock
from hotline.core.heartbeat import heartbeat_beat
from hotline.ops.health import readiness
from tests.wsgi_server import fetch, wsgi_server

MINUTE = timedelta(minutes=1)


class TestTheReadinessRule:
    def test_ready_when_database_migrations_and_worker_are_fine(self) -> None:
        state = readiness(
            database_error=None, unapplied=[], heartbeat_age=MINUTE, worker_max_age=5 * MINUTE
        )
        assert (state.ready, state.reasons) == (True, [])

    def test_a_stale_worker_is_named_with_its_age_and_the_limit(self) -> None:
        state = readiness(
            database_error=None, unapplied=[], heartbeat_age=10 * MINUTE, worker_max_age=MINUTE
        )
        assert not state.ready
        assert state.reasons == ["worker: last worker round 600 s ago, more than the 60 s allowed"]

    def test_no_worker_ever_is_not_ready(self) -> None:
        state = readiness(
            database_error=None, unapplied=[], heartbeat_age=None, worker_max_age=MINUTE
        )
        assert state.checks["worker"].startswith("no worker has ever reported")

    def test_unapplied_migrations_say_what_to_run(self) -> None:
        state = readiness(
            database_error=None,
            unapplied=["cases.0009_x", "core.0002_y"],
            heartbeat_age=MINUTE,
            worker_max_age=5 * MINUTE,
        )
        assert (
            state.checks["migrations"] == "2 unapplied, first cases.0009_x; run `hotline migrate`"
        )

    def test_a_database_error_makes_the_rest_unknown(self) -> None:
        state = readiness(
            database_error="connection refused",
            unapplied=[],
            heartbeat_age=None,
            worker_max_age=MINUTE,
        )
        assert state.checks == {
            "database": "unreachable: connection refused",
            "migrations": "unknown: the database is unreachable",
            "worker": "unknown: the database is unreachable",
        }


def test_healthz_answers_without_touching_the_database() -> None:
    # No database fixture: pytest-django makes any query in this test raise.
    response = Client(raise_request_exception=True).get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_is_ready_with_a_recent_worker_heartbeat() -> None:
    heartbeat_beat(name="host:1", started_at=clock.now())
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "worker": "ok"}


@pytest.mark.django_db
def test_readyz_is_not_ready_when_the_worker_is_older_than_the_setting(settings: object) -> None:
    settings.HOTLINE_READY_WORKER_MAX_AGE_SECONDS = 60  # type: ignore[attr-defined]
    clock.travel_to(clock.now() - timedelta(minutes=5))
    try:
        heartbeat_beat(name="host:1", started_at=clock.now())
    finally:
        clock.back_to_real_time()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "not ready"
    assert "more than the 60 s allowed" in response.json()["checks"]["worker"]
    assert response["Retry-After"]


def test_readyz_names_unapplied_migrations_of_a_fresh_database(tmp_path: object) -> None:
    with wsgi_server(HOTLINE_VAR_DIR=str(tmp_path), DATABASE_URL="") as base:
        status, _headers, body = fetch(f"{base}/readyz")
    assert status == 503
    assert b"unapplied" in body
    assert b"hotline migrate" in body
