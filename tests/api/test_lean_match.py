"""The lean /api/match (hotline/lean_match.py) answers exactly as Django does, or lets Django.

Every call goes through hotline's WSGI application twice, once with the lean path on and once
off (HOTLINE_LEAN_MATCH), and the status line, headers and body bytes are compared; for the
calls the lean path should answer, Django must not have been asked, and for everything else
(every error, every call that may open a re-upload item) it must have been.
"""

import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from hotline.accounts import services
from hotline.accounts.models import ApiToken
from hotline.accounts.services import token_revoke
from hotline.cases.models import Item
from hotline.lean_match import LeanMatch
from hotline.ops.metrics import REQUESTS
from tests.cases.test_reuploads import file_and_confirm, flip, pdq, random_pdq
from tests.conftest import ApiCaller, Directory

Answer = tuple[str, list[tuple[str, str]], bytes]


class CountingDjango:
    """Django's WSGI handler, counting the requests it was handed."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()
        self.calls = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        return self.handler(environ, start_response)


@contextmanager
def connections_kept() -> Iterator[None]:
    """As Django's test client does: a request's signals must not close the test's
    connection, which holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def environ(
    body: bytes | str,
    token: str | None,
    *,
    method: str = "POST",
    path: str = "/api/match",
    content_type: str = "application/json",
    **extra: str,
) -> dict[str, Any]:
    data = body.encode() if isinstance(body, str) else body
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "HTTP_X_REQUEST_ID": "lean-test-1",  # echoed, so both answers carry the same id
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token is not None:
        env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    env.update(extra)
    return env


class Both:
    """Calls hotline's WSGI stack with the lean path on, then off."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.django = CountingDjango()
        self.app = LeanMatch(self.django)

    def one(self, env: dict[str, Any], *, lean: bool) -> Answer:
        self.settings.HOTLINE_LEAN_MATCH = lean
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            started.append((status, list(headers)))

        with connections_kept():
            result = self.app(env, start_response)
            try:
                body = b"".join(result)
            finally:
                getattr(result, "close", lambda: None)()
        ((status, headers),) = started
        return status, headers, body

    def compare(self, make_env: Any, *, answered_lean: bool) -> Answer:
        """The same call lean-on and lean-off: identical answers; Django asked only when the
        lean path should not answer."""
        before = self.django.calls
        on = self.one(make_env(), lean=True)
        asked = self.django.calls - before
        off = self.one(make_env(), lean=False)
        assert on == off
        assert asked == (0 if answered_lean else 1), on
        return on


@pytest.fixture
def both(directory: Directory, settings: Any) -> Both:
    return Both(settings)


@pytest.fixture
def known(call_api: ApiCaller) -> dict[str, Any]:
    """An image's PDQ and MD5, in the known-content bank from KCSC's case on Telegram."""
    image, md5 = random_pdq(), "0123456789abcdef0123456789abcdef"
    receipt = file_and_confirm(call_api, 7, [pdq(image), {"type": "md5", "value": md5}])
    return {"pdq": image, "md5": md5, "case_id": receipt["case_id"]}


def match_body(*signals: dict[str, Any], **extra: Any) -> str:
    return json.dumps({"signals": list(signals), **extra})


def test_a_miss_is_answered_lean_with_django_s_bytes_and_headers(
    both: Both, directory: Directory
) -> None:
    token = directory.tokens["telegram_mod"]
    status, headers, body = both.compare(
        lambda: environ(match_body(pdq(random_pdq())), token), answered_lean=True
    )
    assert status == "200 OK"
    assert json.loads(body) == [
        {"query": 0, "kind": "signal", "upload_ref": None, "matches": [], "reupload": None}
    ]
    names = [name for name, _ in headers]
    assert names[0] == "Content-Type" and ("X-Request-ID", "lean-test-1") in headers
    assert ("Cache-Control", "no-store") in headers


def test_matches_are_answered_lean_with_the_case_id_only_for_a_party(
    both: Both, directory: Directory, known: dict[str, Any]
) -> None:
    signals = [
        pdq(flip(known["pdq"], 5)),  # a near copy
        {"type": "md5", "value": known["md5"].upper()},
        pdq(random_pdq()),
        pdq(known["pdq"], quality=40),  # too poor to match
    ]
    for who, case_id in (("telegram_mod", known["case_id"]), ("x_mod", None)):
        token = directory.tokens[who]
        _, _, body = both.compare(
            lambda t=token: environ(match_body(*signals), t), answered_lean=True
        )
        rows = json.loads(body)
        assert [len(r["matches"]) for r in rows] == [1, 1, 0, 0]
        assert rows[0]["matches"][0]["distance"] == 5
        assert rows[0]["matches"][0]["case_id"] == case_id
        assert rows[1]["matches"][0]["signal_type"] == "md5"
    # The reporter who filed it sees its case; the banks named explicitly.
    token = directory.tokens["analyst"]
    _, _, body = both.compare(
        lambda: environ(match_body(pdq(known["pdq"]), banks=["known-content"]), token),
        answered_lean=True,
    )
    assert json.loads(body)[0]["matches"][0]["case_id"] == known["case_id"]


def test_a_batch_and_a_video_are_answered_lean(both: Both, directory: Directory) -> None:
    token = directory.tokens["x_mod"]
    body = json.dumps(
        {
            "signals": [pdq(random_pdq()) for _ in range(1000)],
            "videos": [{"frames": [{"value": random_pdq(), "quality": 90} for _ in range(5)]}],
        }
    )
    _, _, answer = both.compare(lambda: environ(body, token), answered_lean=True)
    rows = json.loads(answer)
    assert len(rows) == 1001 and rows[-1]["kind"] == "video"


def test_a_re_upload_check_is_django_s_and_still_opens_the_item_once(
    both: Both, directory: Directory, known: dict[str, Any]
) -> None:
    """A platform's match with its upload_ref is work (DOMAIN step 7): never answered lean."""
    token = directory.tokens["x_mod"]

    def call(lean: bool) -> dict[str, Any]:
        env = environ(match_body(pdq(known["pdq"], upload_ref="up-1")), token)
        status, _, body = both.one(env, lean=lean)
        assert status == "200 OK", body
        row: dict[str, Any] = json.loads(body)[0]
        return row

    calls = both.django.calls
    first = call(lean=True)
    assert both.django.calls == calls + 1
    assert first["reupload"]["opened"] is True
    assert Item.objects.filter(upload_ref="up-1").count() == 1
    again = call(lean=False)
    assert again["reupload"] == {**first["reupload"], "opened": False}
    assert Item.objects.filter(upload_ref="up-1").count() == 1
    # A miss with an upload_ref, and a video's upload_ref, go to Django too.
    video = {"videos": [{"frames": [{"value": random_pdq(), "quality": 90}], "upload_ref": "v"}]}
    for body in (match_body(pdq(random_pdq(), upload_ref="up-2")), json.dumps(video)):
        both.compare(lambda b=body: environ(b, token), answered_lean=False)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer hl_not-a-token",
        "Bearer not-even-the-prefix",
        "Bearer",
        "Basic dXNlcjpwdw==",
        "bearer  hl_two-spaces",
    ],
)
def test_a_missing_or_wrong_token_gets_django_s_401(
    both: Both, directory: Directory, authorization: str | None
) -> None:
    def make() -> dict[str, Any]:
        env = environ(match_body(pdq(random_pdq())), None)
        if authorization is not None:
            env["HTTP_AUTHORIZATION"] = authorization
        return env

    status, headers, _ = both.compare(make, answered_lean=False)
    assert status.startswith("401") and ("WWW-Authenticate", "Bearer") in headers


def test_revoked_and_disabled_tokens_get_django_s_401_under_the_same_cache_rules(
    both: Both, directory: Directory, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.HOTLINE_TOKEN_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(services, "monotonic", lambda: now[0])
    body = match_body(pdq(random_pdq()))
    token = directory.tokens["telegram_mod"]
    both.compare(lambda: environ(body, token), answered_lean=True)
    # Revoked in this process: refused at once, on both paths.
    token_revoke(prefix=token[:10], actor="test")
    status, _, _ = both.compare(lambda: environ(body, token), answered_lean=False)
    assert status.startswith("401")
    # Revoked in another process: trusted for the cache's seconds, then refused, on both.
    other = directory.tokens["x_mod"]
    both.compare(lambda: environ(body, other), answered_lean=True)
    ApiToken.objects.filter(prefix=other[:10]).update(revoked_at=timezone.now())
    now[0] += 4.9
    both.compare(lambda: environ(body, other), answered_lean=True)
    now[0] += 0.2
    status, _, _ = both.compare(lambda: environ(body, other), answered_lean=False)
    assert status.startswith("401")
    # A disabled person's token likewise.
    analyst = directory.tokens["analyst"]
    both.compare(lambda: environ(body, analyst), answered_lean=True)
    get_user_model().objects.filter(username="analyst").update(is_active=False)
    now[0] += 5.1
    status, _, _ = both.compare(lambda: environ(body, analyst), answered_lean=False)
    assert status.startswith("401")


def test_a_role_that_may_not_match_gets_django_s_403(both: Both, directory: Directory) -> None:
    token = directory.tokens["auditor"]
    status, _, body = both.compare(
        lambda: environ(match_body(pdq(random_pdq())), token), answered_lean=False
    )
    assert status.startswith("403"), body


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("{not json", "400"),
        ("", "422"),
        ("[]", "422"),
        ('{"signals": "pdq"}', "422"),
        (json.dumps({"signals": []}), "422"),
        (json.dumps({}), "422"),
        (match_body({"type": "pdq", "value": "zz", "quality": 90}), "422"),
        (match_body({"type": "pdq", "value": "ab" * 33}), "422"),
        (match_body({"type": "phash", "value": "ab" * 32}), "422"),
        (match_body({"type": "pdq", "value": "ab" * 32, "quality": 101}), "422"),
        (match_body(*[pdq("ab" * 32)] * 1001), "422"),
        (match_body(pdq("ab" * 32), banks=["no-such-bank"]), "422"),
        (match_body(pdq("ab" * 32), banks=["known-content", "nope"]), "422"),
        (match_body(pdq("ab" * 32, upload_ref="")), "422"),
        (match_body(pdq("ab" * 32, url="x\u0000")), "422"),
        (json.dumps({"videos": [{"frames": []}]}), "422"),
        (json.dumps({"videos": [{"frames": [{"value": "zz", "quality": 90}]}]}), "422"),
    ],
)
def test_bad_input_gets_django_s_error(
    both: Both, directory: Directory, body: str, status: str
) -> None:
    token = directory.tokens["telegram_mod"]
    answer = both.compare(lambda: environ(body, token), answered_lean=False)
    assert answer[0].startswith(status), answer


def test_requests_of_another_shape_are_django_s(both: Both, directory: Directory) -> None:
    token = directory.tokens["telegram_mod"]
    body = match_body(pdq(random_pdq()))
    shapes: list[dict[str, Any]] = [
        {"method": "GET"},
        {"path": "/api/match/"},
        {"path": "/api/match/not-same"},
        {"content_type": "text/plain"},
        {"QUERY_STRING": "banks=x"},
        {"HTTP_ACCEPT_LANGUAGE": "ko"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_HOST": "evil.example"},
    ]
    for shape in shapes:
        both.compare(lambda s=shape: environ(body, token, **s), answered_lean=False)


def test_an_https_call_gets_the_same_hsts_header(directory: Directory, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    both = Both(settings)  # Django's middleware reads its settings when it is made
    token = directory.tokens["telegram_mod"]
    body = match_body(pdq(random_pdq()))
    _, headers, _ = both.compare(
        lambda: environ(body, token, **{"wsgi.url_scheme": "https"}), answered_lean=True
    )
    assert ("Strict-Transport-Security", "max-age=3600; includeSubDomains") in headers


def test_the_security_settings_reach_the_lean_answer_as_django_s(
    directory: Directory, settings: Any
) -> None:
    """The lean path's headers are Django's middleware's own: settings change both alike."""
    settings.SECURE_REFERRER_POLICY = ["no-referrer", "strict-origin"]
    settings.SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin-allow-popups"
    settings.SECURE_CONTENT_TYPE_NOSNIFF = False
    settings.SECURE_HSTS_SECONDS = 60
    settings.SECURE_HSTS_PRELOAD = True
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    both = Both(settings)
    token = directory.tokens["telegram_mod"]
    body = match_body(pdq(random_pdq()))
    for scheme in ("https", "http"):
        _, headers, _ = both.compare(
            lambda s=scheme: environ(body, token, **{"wsgi.url_scheme": s}), answered_lean=True
        )
        assert ("Referrer-Policy", "no-referrer,strict-origin") in headers
        assert ("Cross-Origin-Opener-Policy", "same-origin-allow-popups") in headers
        assert ("X-Frame-Options", "SAMEORIGIN") in headers
        assert "X-Content-Type-Options" not in dict(headers)
        hsts = ("Strict-Transport-Security", "max-age=60; preload")
        assert (hsts in headers) == (scheme == "https")


class PermissionsPolicyMiddleware:
    """A middleware hotline does not have, adding a header to every response."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        response["Permissions-Policy"] = "camera=()"
        return response


def test_a_header_a_new_middleware_adds_is_on_the_lean_answer_too(
    directory: Directory, settings: Any
) -> None:
    """Nothing to add by hand to hotline/lean_match.py: its headers come from MIDDLEWARE."""
    at = settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    added = f"{__name__}.{PermissionsPolicyMiddleware.__name__}"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], added, *settings.MIDDLEWARE[at:]]
    both = Both(settings)
    token = directory.tokens["telegram_mod"]
    _, headers, _ = both.compare(
        lambda: environ(match_body(pdq(random_pdq())), token), answered_lean=True
    )
    names = [name for name, _ in headers]
    assert ("Permissions-Policy", "camera=()") in headers
    # In the order Django's middleware adds them: after SecurityMiddleware's, before the id.
    assert names.index("Permissions-Policy") == names.index("X-Request-ID") - 1


def test_lean_answers_are_counted_under_the_route_django_counts(
    both: Both, directory: Directory
) -> None:
    token = directory.tokens["telegram_mod"]
    body = match_body(pdq(random_pdq()))

    def counts() -> dict[tuple[str, ...], float]:
        return {
            tuple(sorted(s.labels.items())): s.value
            for metric in REQUESTS.collect()
            for s in metric.samples
            if s.name.endswith("_total")
        }

    def counted_by(lean: bool) -> dict[tuple[str, ...], float]:
        before = counts()
        both.one(environ(body, token), lean=lean)
        return {k: v - before.get(k, 0) for k, v in counts().items() if v != before.get(k, 0)}

    assert counted_by(lean=True) == counted_by(lean=False)
    ((labels, n),) = counted_by(lean=True).items()
    assert n == 1 and ("status", "200") in labels


def test_the_served_application_is_the_lean_one_in_front_of_django() -> None:
    from hotline import wsgi

    assert isinstance(wsgi.application, LeanMatch)
    assert wsgi.application.django is wsgi.django_application
