"""Signing in: password then one-time code, enrolment, lockout, language and time zone."""

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hotline.accounts.lockout_rules import ADDRESS_FAILURES
from hotline.accounts.lockout_rules import PAIR_FAILURES as MAX_FAILURES
from hotline.accounts.models import LoginAttempt
from hotline.accounts.two_factor import totp_code_now, totp_enrol_directly
from hotline.audit.models import Event
from hotline.web import translations
from tests.web.conftest import SignIn


def _password(client: Client, username: str, password: str) -> str:
    response = client.post("/login/", {"username": username, "password": password})
    return response["Location"] if response.status_code == 302 else ""


def test_first_sign_in_enrols_an_authenticator(directory: object) -> None:
    client = Client()
    assert _password(client, "analyst", "pw-analyst") == "/login/enrol/"
    assert client.get("/requests/").status_code == 302  # not signed in before the code
    page = client.get("/login/enrol/").content.decode()
    assert "<svg" in page and "otpauth" not in page  # the QR is inline SVG, drawn on the server
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    device = get_user_model().objects.get(username="analyst").authenticator_set.get()
    response = client.post("/login/enrol/", {"code": totp_code_now(device=device)})
    assert response.status_code == 302
    assert client.get("/requests/").status_code == 200


def test_sign_in_asks_for_the_code_of_the_enrolled_authenticator(
    directory: object, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp otherwise slows retries after a miss
    device = totp_enrol_directly(
        user=get_user_model().objects.get(username="telegram_mod"), actor="test"
    )
    client = Client()
    assert _password(client, "telegram_mod", "pw-telegram_mod") == "/login/code/"
    assert client.post("/login/code/", {"code": "000000"}).status_code == 200
    client.post("/login/code/", {"code": totp_code_now(device=device)})
    assert client.get("/queue/").status_code == 200
    assert Event.objects.filter(tag="session:login").count() == 1


def test_repeated_failures_lock_the_account(directory: object) -> None:
    client = Client()
    for _ in range(MAX_FAILURES):
        _password(client, "analyst", "wrong")
    # Even the right password is refused while the lock lasts.
    response = client.post("/login/", {"username": "analyst", "password": "pw-analyst"})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert LoginAttempt.objects.filter(username="analyst", succeeded=False).count() == MAX_FAILURES
    assert Event.objects.filter(tag="session:locked").count() == 1


def test_sign_out_needs_a_post(sign_in: SignIn) -> None:
    client = sign_in("analyst")
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/requests/").status_code == 302


def test_language_switch_is_remembered(sign_in: SignIn) -> None:
    client = sign_in("analyst")
    client.post("/language/", {"language": "ko", "next": "/requests/"})
    page = client.get("/requests/").content.decode()
    assert "내 요청" in page and 'lang="ko"' in page
    assert get_user_model().objects.get(username="analyst").preference.language == "ko"


def test_times_default_to_the_organisations_zone(sign_in: SignIn) -> None:
    assert "Asia/Seoul" in sign_in("analyst").get("/requests/").content.decode()
    client = sign_in("caseworker_b")  # Centre B is in the US
    assert "America/New_York" in client.get("/requests/").content.decode()
    client.post("/preferences/", {"language": "en", "time_zone": "Europe/Paris"})
    assert "Europe/Paris" in client.get("/requests/").content.decode()


def test_every_marked_string_has_a_korean_translation() -> None:
    assert translations.untranslated() == []


def test_the_compiled_catalogue_matches_the_source() -> None:
    assert translations.mo_matches_po()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{% translate "Queue" %}', {"Queue"}),
        ("{% blocktranslate with n=x %}Item {{ n }}{% endblocktranslate %}", {"Item %(n)s"}),
        ('{{ x|default:_("(hashes only)") }}', {"(hashes only)"}),
    ],
)
def test_the_extractor_reads_the_forms_this_app_uses(text: str, expected: set[str]) -> None:
    assert translations.msgids_in(text, template=True) == expected


def _full_sign_in(client: Client, username: str) -> bool:
    """Password then the current code; True when the person reaches their home page."""
    if _password(client, username, f"pw-{username}") != "/login/code/":
        return False
    device = get_user_model().objects.get(username=username).authenticator_set.get()
    client.post("/login/code/", {"code": totp_code_now(device=device)})
    return client.get("/").status_code == 302 and client.get("/queue/").status_code == 200


def test_wrong_passwords_from_one_address_do_not_lock_the_user_out_elsewhere(
    directory: object,
) -> None:
    totp_enrol_directly(user=get_user_model().objects.get(username="telegram_mod"), actor="test")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(MAX_FAILURES + 3):
        _password(attacker, "telegram_mod", "guess")
    refused = attacker.post("/login/", {"username": "telegram_mod", "password": "pw-telegram_mod"})
    assert "Too many failed attempts" in refused.content.decode()  # the attacker's pair is locked
    assert _full_sign_in(Client(REMOTE_ADDR="198.51.100.4"), "telegram_mod")  # the real user


def test_one_address_guessing_many_usernames_is_locked_for_all_of_them(directory: object) -> None:
    sprayer = Client(REMOTE_ADDR="203.0.113.50")
    for n in range(ADDRESS_FAILURES):
        _password(sprayer, f"nobody{n}", "guess")
    response = sprayer.post("/login/", {"username": "analyst", "password": "pw-analyst"})
    assert "Too many failed attempts" in response.content.decode()
    assert Event.objects.filter(tag="session:address_locked").count() == 1
    assert _password(Client(REMOTE_ADDR="198.51.100.4"), "analyst", "pw-analyst")


def test_a_forwarded_for_header_is_ignored_unless_proxies_are_trusted(
    directory: object, settings: Any
) -> None:
    spoofing = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(MAX_FAILURES):  # a new made-up address on every try
        spoofing.post(
            "/login/",
            {"username": "analyst", "password": "guess"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert set(LoginAttempt.objects.values_list("remote_addr", flat=True)) == {"203.0.113.9"}
    assert _password(spoofing, "analyst", "pw-analyst") == ""  # still locked
    settings.HOTLINE_TRUSTED_PROXY_COUNT = 1
    behind_proxy = Client(REMOTE_ADDR="10.0.0.2")  # the proxy
    behind_proxy.post(
        "/login/",
        {"username": "analyst", "password": "guess"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7",  # the left entry is the client's own say
    )
    assert LoginAttempt.objects.order_by("-pk").first().remote_addr == "198.51.100.7"  # type: ignore[union-attr]
