"""Structured logs: one JSON object per line, each carrying the id of the request it belongs to.

A small formatter of our own rather than python-json-logger: it is thirty lines, it needs no
dependency, and it decides exactly which fields leave the process (a log record's `request`
extra, which Django attaches, holds headers and cookies and is deliberately not written).
"""

import contextvars
import json
import logging
from datetime import UTC, datetime
from typing import Any

# Set by RequestIdMiddleware for the length of one request; "-" outside any request.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Attributes every LogRecord has; anything else on a record came from `extra=` and is written.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
}
_NEVER_WRITTEN = {"request"}  # Django's HttpRequest extra: headers, cookies, session ids


def _request_id_of(record: logging.LogRecord) -> str:
    # Django logs a request's 4xx/5xx after the middleware has returned, with the request.
    request = getattr(record, "request", None)
    stamped = getattr(record, "request_id", None)
    return getattr(request, "request_id", None) or stamped or request_id_var.get()


def stamp_records_with_request_id() -> None:
    """Give every record the request id current when it is made, so that a handler that
    formats later (a queue, a test's capture) still writes the right one. Idempotent."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "stamps_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    factory.stamps_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class JsonLinesFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", ...extra, "exception"?}`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _NEVER_WRITTEN and key not in line:
                line[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
