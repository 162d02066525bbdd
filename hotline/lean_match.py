"""A platform's read-only upload check, answered in front of Django (decision 31).

`POST /api/match` is the one call platforms make per upload. When its queries carry no
`upload_ref` it is a lookup: it reads and opens nothing, so it can be answered without
Django's middleware, URL resolving and ninja, which cost about as much as the match itself.
This WSGI application answers such a call itself and hands every other request to Django,
unchanged (the body it read put back).

It answers only what it can answer exactly as Django would: a valid bearer token (the same
token cache and the same revocation rules, `actor_from_token`), a moderator or reporter, a
JSON body that `MatchIn` validates, at least one signal or video, no `upload_ref` anywhere,
known banks and valid signals (the same `uploads_lookup` service), and nothing that changes
Django's response headers (no cookie, no Accept-Language, no query string, a host Django
allows). Anything else, every error included, goes to Django, so a bad, revoked or disabled
token, a wrong role, malformed JSON, bad signals and unknown banks get Django's own 401, 403,
400 and 422, byte for byte. A call with an `upload_ref` may open a re-upload item ("re-uploads
become work"), so it always goes to Django. The answer's bytes and headers are those of
Django's view and middleware; tests/api/test_lean_match.py compares both for every case.
`HOTLINE_LEAN_MATCH=off` sends every call to Django.
"""

import io
import json
import logging
import time
from collections.abc import Callable, Iterable
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from django.conf import settings
from django.core import signals
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from pydantic import ValidationError

from hotline.accounts.services import actor_from_token
from hotline.cases.api import JSON, MATCH_RESULTS, match_queries, match_results_out
from hotline.cases.schemas import MatchIn
from hotline.cases.services.matching import uploads_lookup
from hotline.core.logs import request_id_var
from hotline.core.middleware import REQUEST_ID_HEADER, access_log, request_id_for
from hotline.ops.metrics import LATENCY, REQUESTS

PATH = "/api/match"
log = logging.getLogger(__name__)


class _Declined(Exception):
    """Not a call this application answers exactly as Django would: Django answers it."""


class LeanMatch:
    """WSGI middleware: read-only `POST /api/match` answered here, all else by `django`."""

    def __init__(self, django: WSGIApplication) -> None:
        self.django = django
        self._route: str | None = None
        self._headers = _Headers()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or not settings.HOTLINE_LEAN_MATCH
        ):
            return self.django(environ, start_response)
        started = time.perf_counter()
        try:
            body = _read_body(environ)
        except _Declined:
            return self.django(environ, start_response)
        # Whatever happens next, Django can read the same body again.
        environ["wsgi.input"] = io.BytesIO(body)
        request = WSGIRequest(environ)
        request_id = request_id_for(request)
        token = request_id_var.set(request_id)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = _answer(request, body)
            headers = self._headers.answering(request, answer, request_id)
        except _Declined:
            answer = None
        except Exception:  # Django answers it again, with its own error handling and shape
            log.debug("lean match declined after an error", exc_info=True)
            answer = None
        finally:
            signals.request_finished.send(sender=self.__class__)
            request_id_var.reset(token)
        if answer is None:
            environ["wsgi.input"] = io.BytesIO(body)
            return self.django(environ, start_response)
        start_response("200 OK", headers)
        self._done(started, request_id)
        return [answer]

    def _done(self, started: float, request_id: str) -> None:
        """RequestIdMiddleware's access line and RequestMetricsMiddleware's figures."""
        took = time.perf_counter() - started
        if self._route is None:
            self._route = resolve(PATH).view_name
        REQUESTS.labels(self._route, "POST", "200").inc()
        LATENCY.labels(self._route, "POST", "200").observe(took)
        if access_log.isEnabledFor(logging.INFO):
            token = request_id_var.set(request_id)
            try:
                access_log.info(
                    "%s %s %s",
                    "POST",
                    PATH,
                    200,
                    extra={
                        "method": "POST",
                        "path": PATH,
                        "route": self._route,
                        "status": 200,
                        "duration_ms": round(took * 1000, 2),
                        "lean": True,  # answered here, not by Django
                    },
                )
            finally:
                request_id_var.reset(token)


def _read_body(environ: WSGIEnvironment) -> bytes:
    """The body, when the request's shape is one this application answers."""
    if environ.get("QUERY_STRING") or "HTTP_COOKIE" in environ:
        raise _Declined  # GET parameters (NUL checks), sessions: Django's
    if "HTTP_ACCEPT_LANGUAGE" in environ:
        raise _Declined  # Content-Language is then negotiated by Django's LocaleMiddleware
    kind = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
    length = str(environ.get("CONTENT_LENGTH", ""))
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if kind != "application/json" or not length.isdigit():
        raise _Declined
    if limit is not None and int(length) > limit:
        raise _Declined  # Django's own refusal of an oversized body
    if settings.SECURE_SSL_REDIRECT or settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW:
        raise _Declined  # redirects and refusals of Django's SecurityMiddleware, CommonMiddleware
    data: bytes = environ["wsgi.input"].read(int(length))
    return data


def _answer(request: WSGIRequest, body: bytes) -> bytes:
    """The answer's bytes, exactly Django's, or _Declined."""
    request.get_host()  # DisallowedHost (an Exception): Django's 400
    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split(" ")
    if not header or parts[0].lower() != "bearer":  # ninja's HttpBearer
        raise _Declined
    actor = actor_from_token(" ".join(parts[1:]))
    if actor is None or not (actor.is_moderator or actor.is_reporter):
        raise _Declined
    if b"\x00" in body or b"\\u0000" in body:
        raise _Declined  # ApiEdgeMiddleware's NUL refusal
    try:
        payload = MatchIn.model_validate(json.loads(body))  # as ninja parses and validates
    except (ValueError, ValidationError) as error:
        raise _Declined from error
    if not payload.signals and not payload.videos:
        raise _Declined
    if any(s.upload_ref is not None for s in payload.signals) or any(
        v.upload_ref is not None for v in payload.videos
    ):
        raise _Declined  # may open a re-upload item: uploads_match, in Django
    queries = match_queries(payload)
    results = uploads_lookup(actor=actor, queries=queries, bank_names=payload.banks)
    return bytes(MATCH_RESULTS.dump_json(match_results_out(actor, queries, results)))


# The middleware whose work LeanMatch does itself, per request: the request id (its header,
# added last) and the access line, and the request metrics (LeanMatch._done). Run once more
# for the headers, they would log and count a request that was never made.
REQUEST_ID_MIDDLEWARE = "hotline.core.middleware.RequestIdMiddleware"
_DONE_HERE = frozenset({REQUEST_ID_MIDDLEWARE, "hotline.ops.middleware.RequestMetricsMiddleware"})


class _Headers:
    """Django's response headers for a lean answer, from Django's own middleware.

    The configured middleware (settings.MIDDLEWARE, made once, when this application is, as
    Django makes its own) is run once per scheme over the first lean call's request, with a
    plain response in place of URL resolving and ninja's view, and the headers it answers are
    kept; each later answer gets them with its own Content-Length and request id. So a header
    that a setting or a middleware adds to Django's answer is added to the lean one too.

    One set per scheme is enough because the calls answered here differ in nothing else that
    Django's middleware reads: no cookie, no Accept-Language, no query string (_read_body
    declines the rest); HTTPS adds HSTS. A middleware whose headers depend on other request
    headers (Origin, User-Agent) would need its own key here: tests/api/test_lean_match.py
    compares both paths' headers.
    """

    # The view's own header, which the plain response stands in for: ninja's content type.
    # Not derived: deriving it needs the view, and so a token and the database.
    VIEW = JSON

    def __init__(self) -> None:
        self._chain = _middleware_chain(self._view)
        self._request_id = REQUEST_ID_MIDDLEWARE in settings.MIDDLEWARE
        # Per scheme (is_secure): the headers before and after Content-Length; None: the
        # middleware's answer was not a plain one, so every such call is Django's.
        self._made: dict[bool, tuple[list[tuple[str, str]], list[tuple[str, str]]] | None] = {}

    def answering(
        self, request: WSGIRequest, answer: bytes, request_id: str
    ) -> list[tuple[str, str]]:
        """The headers of Django's answer to this request with these bytes, or _Declined."""
        secure = request.is_secure()
        if secure not in self._made:
            self._made[secure] = self._probe(request)
        made = self._made[secure]
        if made is None:
            raise _Declined
        before, after = made
        headers = [*before, ("Content-Length", str(len(answer))), *after]
        if self._request_id:  # outermost, so its header is the last one
            headers.append((REQUEST_ID_HEADER, request_id))
        return headers

    def _probe(
        self, request: WSGIRequest
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]] | None:
        """The middleware's headers for this request's answer, split at its Content-Length."""
        environ = {**request.environ, "wsgi.input": io.BytesIO(b"{}"), "CONTENT_LENGTH": "2"}
        # The middleware activates a language and a time zone, as for any request: not here.
        with translation.override(None), timezone.override(None):
            response = self._chain(WSGIRequest(environ))
        headers = list(response.items())
        names = [name for name, _ in headers]
        if response.status_code != 200 or response.cookies or "Content-Length" not in names:
            return None  # not a plain answer: Django's
        at = names.index("Content-Length")
        return headers[:at], headers[at + 1 :]

    @classmethod
    def _view(cls, request: HttpRequest) -> HttpResponse:
        """In place of Django's URL resolving and ninja's view: a plain 200 with its type."""
        request.resolver_match = resolve(request.path_info)
        return HttpResponse(b"[]", content_type=cls.VIEW)


def _middleware_chain(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., HttpResponse]:
    """settings.MIDDLEWARE around `view`, made as Django's handler makes it (less _DONE_HERE);
    an exception is not turned into a response: the call is then Django's."""
    handler = view
    for path in reversed(settings.MIDDLEWARE):
        if path in _DONE_HERE:
            continue
        try:
            handler = import_string(path)(handler)
        except MiddlewareNotUsed:
            continue
    return handler
