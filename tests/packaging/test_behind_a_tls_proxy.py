"""Behind a TLS reverse proxy a login POST works once the proxy settings are set, and only then.

The proxy terminates TLS, sets X-Forwarded-Proto and passes the internal Host on, so the
browser's Origin (https://hotline.example) is neither the scheme nor the host Django sees.
"""

import json
import re
import subprocess
import sys
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
from django.test import Client

from tests.packaging.conftest import PUBLIC_ORIGIN, REPO, Server, clean_env

# Signing in checks a real PBKDF2 password hash: seconds on a loaded machine.
HASHING_TIMEOUT = 180
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _login_form(client: httpx.Client) -> tuple[str, str]:
    """(csrftoken cookie, form token) from GET /login/. The cookie is Secure, so it is carried
    by hand, as a browser would over the proxy's https."""
    page = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    cookie = SimpleCookie()
    cookie.load(page.headers["set-cookie"])
    found = CSRF_FIELD.search(page.text)
    assert found and "csrftoken" in cookie
    assert cookie["csrftoken"]["secure"]
    return cookie["csrftoken"].value, found.group(1)


def _post_login(client: httpx.Client, *, origin: str, host: str | None) -> httpx.Response:
    cookie, token = _login_form(client)
    headers = {"Origin": origin, "Cookie": f"csrftoken={cookie}", "X-Forwarded-Proto": "https"}
    if host:
        headers["Host"] = host
    return client.post(
        "/login/",
        data={"csrfmiddlewaretoken": token, "username": "moderator", "password": "hotline-demo"},
        headers=headers,
    )


@pytest.mark.parametrize("host", ["hotline.example", None], ids=["host-passed-on", "internal-host"])
def test_a_login_post_through_the_proxy_signs_in(demo_server: Server, host: str | None) -> None:
    with httpx.Client(base_url=demo_server.base, timeout=HASHING_TIMEOUT) as client:
        response = _post_login(client, origin=PUBLIC_ORIGIN, host=host)
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["location"] == "/login/code/"  # on to the one-time code
    assert "secure" in response.headers["set-cookie"].lower()
    assert response.headers["strict-transport-security"] == "max-age=300"


def test_a_post_from_another_origin_is_still_refused(demo_server: Server) -> None:
    with httpx.Client(base_url=demo_server.base, timeout=HASHING_TIMEOUT) as client:
        response = _post_login(client, origin="https://evil.example", host=None)
    assert response.status_code == 403


def _django_login_post(host: str) -> int:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/", HTTP_X_FORWARDED_PROTO="https", HTTP_HOST=host)
    token = CSRF_FIELD.search(page.content.decode())
    assert token
    response = client.post(
        "/login/",
        {"csrfmiddlewaretoken": token.group(1), "username": "nobody", "password": "wrong"},
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_ORIGIN=PUBLIC_ORIGIN,
        HTTP_HOST=host,
    )
    return response.status_code


PROXY_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("host", "proxy_header", "trusted_origins", "expected"),
    [
        # The proxy passes the public Host on: trusting its https header is what it takes.
        ("hotline.example", None, [], 403),  # today's default: every login POST refused
        ("hotline.example", PROXY_HEADER, [], 200),  # a form error: the CSRF check passed
        # The proxy sends its own Host: the public origin must be trusted by name.
        ("127.0.0.1:8000", PROXY_HEADER, [], 403),
        ("127.0.0.1:8000", PROXY_HEADER, [PUBLIC_ORIGIN], 200),
    ],
    ids=[
        "public-host-no-settings",
        "public-host-proxy",
        "internal-host-proxy-only",
        "internal-host-both",
    ],
)
def test_behind_the_proxy_the_csrf_check_needs_the_settings(
    settings: Any, host: str, proxy_header: Any, trusted_origins: list[str], expected: int
) -> None:
    settings.ALLOWED_HOSTS = ["hotline.example", "127.0.0.1"]
    settings.SECURE_PROXY_SSL_HEADER = proxy_header
    settings.CSRF_TRUSTED_ORIGINS = trusted_origins
    assert _django_login_post(host) == expected


def _settings_under(env: dict[str, str]) -> dict[str, Any]:
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "USE_X_FORWARDED_HOST",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ]
    script = (
        "import json; from hotline import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=clean_env(PYTHONPATH=str(REPO), **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(json.loads(done.stdout))


def test_the_proxy_settings_come_from_the_environment(tmp_path: Any) -> None:
    var = {"HOTLINE_VAR_DIR": str(tmp_path)}
    defaults = _settings_under(var)
    assert defaults == {
        "SECURE_PROXY_SSL_HEADER": None,  # no header is trusted unless told
        "USE_X_FORWARDED_HOST": None,
        "CSRF_TRUSTED_ORIGINS": [],
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }
    behind_proxy = _settings_under(
        var
        | {
            "HOTLINE_TRUSTED_PROXY": "on",
            "HOTLINE_USE_FORWARDED_HOST": "yes",
            "HOTLINE_CSRF_TRUSTED_ORIGINS": "https://hotline.example, https://alt.example",
            "HOTLINE_HSTS_SECONDS": "31536000",
            "HOTLINE_HSTS_INCLUDE_SUBDOMAINS": "1",
            "HOTLINE_HSTS_PRELOAD": "true",
            "HOTLINE_SSL_REDIRECT": "on",
            "HOTLINE_SECURE_COOKIES": "off",
        }
    )
    assert behind_proxy == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "USE_X_FORWARDED_HOST": True,
        "CSRF_TRUSTED_ORIGINS": ["https://hotline.example", "https://alt.example"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
    }
