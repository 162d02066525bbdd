"""The DomainError family: services raise these, and the API maps each to one HTTP status."""

from typing import Any


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to the caller."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    """The thing does not exist, or the actor may not know that it does."""

    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    """The actor is known but may not do this."""

    status_code = 403
    code = "forbidden"


class InvalidInput(DomainError):
    """The input is well-formed JSON but breaks a rule (a missing legal element, a bad URL)."""

    status_code = 422
    code = "invalid"


class Conflict(DomainError):
    """The action does not fit the current state (acting twice, acting on a closed notice)."""

    status_code = 409
    code = "conflict"


# The documented error codes of statuses that no DomainError raises (ninja, Django, middleware).
# Every API error body is {"error": code, "message": text, "details": [...]}: see README.
ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def error_code_for(status: int) -> str:
    return ERROR_CODES.get(status, "client_error" if status < 500 else "server_error")


def error_body(
    status: int, message: str, details: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The one JSON shape of every API error, whatever raised it."""
    return {"error": error_code_for(status), "message": message, "details": details or []}
