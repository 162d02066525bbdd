"""Logs are JSON lines carrying the request id that the response echoes."""

import json
import logging

import pytest
from django.test import Client

from hotline.core.logs import JsonLinesFormatter

FORMATTER = JsonLinesFormatter()


def lines_of(caplog: pytest.LogCaptureFixture, logger: str) -> list[dict[str, object]]:
    return [json.loads(FORMATTER.format(r)) for r in caplog.records if r.name == logger]


def test_every_line_of_a_request_carries_its_id(caplog: pytest.LogCaptureFixture, db: None) -> None:
    caplog.set_level(logging.INFO, logger="hotline.request")
    response = Client().get("/api/me", HTTP_X_REQUEST_ID="trace-123")
    assert response["X-Request-ID"] == "trace-123"
    (access,) = lines_of(caplog, "hotline.request")
    assert access["request_id"] == "trace-123"
    assert (access["status"], access["route"], access["method"]) == (401, "api-1:me", "GET")
    assert isinstance(access["duration_ms"], float)
    (warning,) = lines_of(caplog, "django.request")  # Django's own "Unauthorized" line
    assert warning["request_id"] == "trace-123"
    assert warning["level"] == "WARNING"


def test_a_line_never_holds_the_request_object_or_its_cookies(
    caplog: pytest.LogCaptureFixture, db: None
) -> None:
    Client().get("/api/me", HTTP_COOKIE="sessionid=secret-session-value")
    (warning,) = lines_of(caplog, "django.request")
    assert "request" not in warning
    assert "secret-session-value" not in json.dumps(warning)


def test_an_exception_is_one_line_with_its_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, "f", 1, "failed %s", ("x",), exc_info=__import__("sys").exc_info()
        )
    line = FORMATTER.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "failed x"
    assert parsed["request_id"] == "-"
    assert "ValueError: boom" in parsed["exception"]


def test_settings_write_json_lines_by_default() -> None:
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"].endswith("JsonLinesFormatter")
