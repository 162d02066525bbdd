"""With the database down, the API answers 503 JSON and pages a 503 page, both with Retry-After.

The real failure, not a mock: hotline's WSGI application is served over HTTP on loopback by a
subprocess whose DATABASE_URL points at a PostgreSQL port where nothing listens.
"""

import json
import socket
from collections.abc import Iterator

import pytest

from tests.wsgi_server import fetch, wsgi_server


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server_without_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with wsgi_server(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/nothing_listens",
        HOTLINE_VAR_DIR=str(tmp_path_factory.mktemp("var")),
    ) as base:
        yield base


def test_the_api_answers_503_json_with_retry_after(server_without_database: str) -> None:
    status, headers, body = fetch(f"{server_without_database}/api/me", Authorization="Bearer hl_x")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Retry-After"]) > 0
    assert headers["Cache-Control"] == "no-store"
    answer = json.loads(body)
    assert answer["error"] == "unavailable"
    assert set(answer) == {"error", "message", "details"}


def test_a_signed_in_page_answers_a_503_page_with_retry_after(
    server_without_database: str,
) -> None:
    # A session cookie makes the page look its visitor up in the database that is down.
    status, headers, body = fetch(
        f"{server_without_database}/requests/", Cookie="sessionid=" + "a" * 32
    )
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Retry-After"]) > 0
    assert b"briefly unavailable" in body


def test_the_signed_action_link_answers_a_503_page(server_without_database: str) -> None:
    status, headers, body = fetch(f"{server_without_database}/act/1/some-token/")
    assert (status, "Retry-After" in headers) == (503, True)
    assert b"<html" in body


def test_liveness_stays_up_and_readiness_says_why_not(server_without_database: str) -> None:
    live, _, live_body = fetch(f"{server_without_database}/healthz")
    ready, headers, ready_body = fetch(f"{server_without_database}/readyz")
    assert (live, json.loads(live_body)) == (200, {"status": "ok"})
    assert ready == 503
    answer = json.loads(ready_body)
    assert answer["status"] == "not ready"
    assert answer["checks"]["database"].startswith("unreachable")
    assert "Retry-After" in headers


def test_the_503_page_is_in_english_and_korean_the_visitors_language_first(
    server_without_database: str,
) -> None:
    english = b"hotline is briefly unavailable"
    korean = "hotline을 잠시 사용할 수 없습니다".encode()
    session = "sessionid=" + "a" * 32  # looked up for the visitor, never for the language
    status, _, plain = fetch(f"{server_without_database}/requests/", Cookie=session)
    assert status == 503
    assert english in plain and korean in plain
    assert plain.index(english) < plain.index(korean) and b'<html lang="en">' in plain
    status, headers, body = fetch(
        f"{server_without_database}/requests/",
        Cookie=session,
        **{"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"},
    )
    assert (status, headers["Content-Language"]) == (503, "ko")
    assert body.index(korean) < body.index(english) and b'<html lang="ko">' in body
    assert "지금은 데이터베이스에 연결할 수 없습니다".encode() in body
