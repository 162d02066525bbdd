"""/healthz, /readyz and /metrics: glue between the probes and the facts they report."""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from hotline.core import clock
from hotline.core.errors import error_body
from hotline.ops.health import readiness
from hotline.ops.metrics import metrics_text
from hotline.ops.selectors import database_reachable, unapplied_migrations, worker_heartbeat_age


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and answering; the database is not consulted."""
    return _no_store(JsonResponse({"status": "ok"}))


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """200 when ready to serve; 503 with the reason otherwise."""
    database_error: str | None = None
    unapplied: list[str] = []
    age: timedelta | None = None
    try:
        database_reachable()
        unapplied = unapplied_migrations()
        age = None if unapplied else worker_heartbeat_age(clock.now())
    except DatabaseError as error:
        database_error = str(error).strip().splitlines()[0] if str(error).strip() else "error"
    state = readiness(
        database_error=database_error,
        unapplied=unapplied,
        heartbeat_age=age,
        worker_max_age=timedelta(seconds=settings.HOTLINE_READY_WORKER_MAX_AGE_SECONDS),
    )
    body = {
        "status": "ready" if state.ready else "not ready",
        "checks": state.checks,
        "reasons": state.reasons,
    }
    response = JsonResponse(body, status=200 if state.ready else 503)
    if not state.ready:
        response["Retry-After"] = "30"
    return _no_store(response)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition; only with the bearer token HOTLINE_METRICS_TOKEN."""
    expected = settings.HOTLINE_METRICS_TOKEN
    if not expected:
        body = error_body(403, "metrics are off: set HOTLINE_METRICS_TOKEN to enable /metrics")
        return _no_store(JsonResponse(body, status=403))
    offered = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(offered.encode(), expected.encode()):
        response = JsonResponse(
            error_body(401, "a valid metrics token is required: Authorization: Bearer …"),
            status=401,
        )
        response["WWW-Authenticate"] = "Bearer"
        return _no_store(response)
    return _no_store(HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST))
