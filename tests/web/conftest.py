"""Fixtures of the web tests: people with authenticators, signed-in clients, a filed world."""

from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from hotline.accounts.two_factor import totp_enrol_directly
from tests.api.conftest import World, world

SignIn = Callable[[str], Client]


@pytest.fixture(autouse=True)
def _plain_http_cookies(settings: object) -> None:
    """The test client and live server speak plain http; production cookies stay Secure."""
    settings.SESSION_COOKIE_SECURE = False  # type: ignore[attr-defined]
    settings.CSRF_COOKIE_SECURE = False  # type: ignore[attr-defined]
    settings.LANGUAGE_COOKIE_SECURE = False  # type: ignore[attr-defined]


def signed_in_client(username: str, *, verified: bool = True) -> Client:
    """A client signed in as the person, past the second factor unless verified=False."""
    user = get_user_model().objects.get(username=username)
    device = totp_enrol_directly(user=user, actor="test")
    client = Client()
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def sign_in(directory: object) -> SignIn:
    return signed_in_client


__all__ = ["World", "world"]
