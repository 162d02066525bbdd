"""The admin: TOTP-verified staff only, through the web sign-in, and nothing in it writes."""

import hashlib
import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import serializers
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from hotline.accounts.lockout_rules import PAIR_FAILURES
from hotline.accounts.models import Organisation, Role
from hotline.accounts.services import user_create
from hotline.accounts.two_factor import totp_code_now, totp_enrol_directly
from hotline.web.signin import base32_secret
from tests.api.conftest import World
from tests.web.conftest import signed_in_client

PASSWORD = "pw-root-admin"


@pytest.fixture
def root(world: World) -> Any:
    """A superuser with an authenticator, in a world with notices, items and tokens."""
    membership = user_create(
        username="root",
        organisation=Organisation.objects.get(name="KCSC"),
        role=Role.ADMIN,
        password=PASSWORD,
        is_superuser=True,
        actor="test",
    )
    totp_enrol_directly(user=membership.user, actor="test")
    return membership.user


def _sign_in_on_the_web(client: Client, user: Any) -> None:
    client.post("/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    client.post("/login/code/", {"code": totp_code_now(device=user.authenticator_set.get())})


def test_a_password_alone_does_not_open_the_admin(root: Any) -> None:
    client = Client()
    client.force_login(root)  # a session with the right password and no second factor
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    login = client.get(response["Location"])
    assert login.status_code == 302 and login["Location"] == "/login/?next=%2Fadmin%2F"
    assert client.get("/admin/auth/user/").status_code == 302


def test_the_admins_own_password_form_signs_nobody_in(root: Any) -> None:
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_reach_the_admin_through_the_web_sign_in_with_a_code(root: Any) -> None:
    client = Client()
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/login/?next=%2Fadmin%2F"
    _sign_in_on_the_web(client, root)
    assert client.get("/admin/").status_code == 200


def test_the_admin_has_the_web_sign_ins_lockout(root: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(PAIR_FAILURES):
        client.post("/login/?next=/admin/", {"username": "root", "password": "guess"})
    _sign_in_on_the_web(client, root)
    assert client.get("/admin/").status_code == 302  # locked: the right password did not work
    elsewhere = Client(REMOTE_ADDR="198.51.100.4")
    _sign_in_on_the_web(elsewhere, root)
    assert elsewhere.get("/admin/").status_code == 200


def test_a_verified_member_who_is_not_staff_is_refused(root: Any) -> None:
    client = signed_in_client("analyst")
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/login/").status_code == 403


def _everything() -> str:
    """A digest of every row of every model the admin shows."""
    rows = []
    for model in admin.site._registry:
        rows.append(serializers.serialize("json", model._default_manager.order_by("pk")))
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _admin_urls(model: type[Model], obj: Model) -> dict[str, str]:
    meta = model._meta
    name = f"admin:{meta.app_label}_{meta.model_name}"
    return {
        "add": reverse(f"{name}_add"),
        "change": reverse(f"{name}_change", args=[obj.pk]),
        "delete": reverse(f"{name}_delete", args=[obj.pk]),
        "changelist": reverse(f"{name}_changelist"),
    }


def test_every_model_is_shown_and_no_admin_post_changes_anything(root: Any) -> None:
    client = Client()
    _sign_in_on_the_web(client, root)
    before = _everything()
    shown = 0
    for model in admin.site._registry:
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        urls = _admin_urls(model, obj)
        assert client.get(urls["changelist"]).status_code == 200, model
        assert client.get(urls["change"]).status_code == 200, model  # a read-only view
        assert client.get(urls["add"]).status_code == 403, model
        assert client.post(urls["add"], {"name": "x"}).status_code == 403, model
        assert client.post(urls["change"], {"name": "changed"}).status_code == 403, model
        assert client.post(urls["delete"], {"post": "yes"}).status_code == 403, model
        bulk = client.post(
            urls["changelist"], {"action": "delete_selected", "_selected_action": [obj.pk]}
        )
        assert bulk.status_code in (200, 302, 403), model  # no such action: nothing happens
        shown += 1
    assert shown >= 10
    user = get_user_model().objects.get(username="telegram_mod")
    reset = client.post(
        f"/admin/auth/user/{user.pk}/password/", {"password1": "x" * 20, "password2": "x" * 20}
    )
    assert reset.status_code == 403
    own = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": "y" * 20, "new_password2": "y" * 20},
    )
    assert own.status_code == 403
    assert _everything() == before


def test_no_authenticator_secret_is_shown(root: Any) -> None:
    client = Client()
    _sign_in_on_the_web(client, root)
    device = root.authenticator_set.get()
    page = client.get(reverse("admin:accounts_authenticator_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    for view in ("config", "qrcode"):  # django-otp's own QR views are not there
        shown = client.get(f"/admin/accounts/authenticator/{device.pk}/{view}/", follow=True)
        assert not shown["Content-Type"].startswith("image/"), view
        assert device.key not in shown.content.decode(), view
        assert base32_secret(device) not in shown.content.decode(), view
