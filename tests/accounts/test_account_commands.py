"""`hotline user|token|platform` changes: each audited, each refused clearly when wrong."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from hotline.accounts.models import ApiToken, Membership
from hotline.audit.models import Event
from hotline.platforms.models import DeadlinePolicy, Platform, PlatformHost
from tests.conftest import ApiCaller, Directory
from tests.web.conftest import signed_in_client


def hotline(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _events(tag: str) -> list[dict[str, Any]]:
    return [e.payload for e in Event.objects.filter(tag=tag).order_by("pk")]


def test_a_disabled_user_can_neither_sign_in_nor_use_a_token(
    call_api: ApiCaller, directory: Directory
) -> None:
    assert call_api("telegram_mod", "get", "/notices")[0] == 200
    web = signed_in_client("telegram_mod")
    assert web.get("/queue/").status_code == 200
    assert hotline("user", "disable", "telegram_mod") == "disabled user telegram_mod\n"
    assert call_api("telegram_mod", "get", "/notices")[0] == 401
    assert web.get("/queue/").status_code == 302  # the open session ends too
    response = Client().post("/login/", {"username": "telegram_mod", "password": "pw-telegram_mod"})
    assert "Wrong username or password" in response.content.decode()
    assert _events("user:disable") == [{"username": "telegram_mod"}]
    assert "telegram_mod\ttelegram\tmoderator\tdisabled" in hotline("user", "list")
    hotline("user", "enable", "telegram_mod")
    assert call_api("telegram_mod", "get", "/notices")[0] == 200
    assert _events("user:enable") == [{"username": "telegram_mod"}]
    with pytest.raises(CommandError, match="already enabled"):
        hotline("user", "enable", "telegram_mod")


def test_a_role_change_is_checked_against_the_organisation_and_audited(
    directory: Directory,
) -> None:
    assert hotline("user", "role", "analyst", "auditor") == "analyst is now auditor of KCSC\n"
    assert Membership.objects.get(user__username="analyst").role == "auditor"
    assert _events("user:role") == [{"username": "analyst", "from": "reporter", "to": "auditor"}]
    with pytest.raises(CommandError, match="does not exist in a platform organisation"):
        hotline("user", "role", "telegram_mod", "reporter")
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        hotline("user", "role", "nobody", "auditor")
    assert Membership.objects.get(user__username="telegram_mod").role == "moderator"


def test_tokens_are_listed_without_secrets_and_revoked_by_id(
    call_api: ApiCaller, directory: Directory
) -> None:
    listing = hotline("token", "list", "--user", "x_mod")
    token = ApiToken.objects.get(membership__user__username="x_mod")
    assert f"{token.pk}\t{token.prefix}…\tx_mod\tx\t" in listing
    assert directory.tokens["x_mod"] not in listing and token.digest not in listing
    assert hotline("token", "revoke", "--id", str(token.pk)).startswith(f"revoked token {token.pk}")
    assert call_api("x_mod", "get", "/notices")[0] == 401
    assert hotline("token", "list", "--user", "x_mod").count("\n") == 1  # the header alone
    assert "\tx_mod\t" in hotline("token", "list", "--all")
    with pytest.raises(CommandError, match="no active token"):
        hotline("token", "revoke", "--id", str(token.pk))
    assert [p["prefix"] for p in _events("token:revoke")] == [token.prefix]


def test_a_platform_is_updated_field_by_field_and_audited(directory: Directory) -> None:
    out = hotline(
        "platform", "update", "X",
        "--official-name", "Safety Lead",
        "--official-email", "safety@x.example",
        "--time-zone", "Asia/Seoul",
        "--link-validity-days", "14",
        "--add-host", "x.example.net",
        "--remove-host", "twitter.com",
        "--deadline", "US:48:24",
        "--remove-deadline", "KR",
    )  # fmt: skip
    assert out == "updated platform X\n"
    x = Platform.objects.get(name="X")
    assert (x.official_name, x.official_email, x.time_zone, x.link_validity_days) == (
        "Safety Lead",
        "safety@x.example",
        "Asia/Seoul",
        14,
    )
    # twitter.com is an alias of x.com (platforms/url_rules.py), so removing it removes x.com.
    assert set(PlatformHost.objects.filter(platform=x).values_list("host", flat=True)) == {
        "x.example.net",
    }
    assert list(
        DeadlinePolicy.objects.filter(platform=x).values_list("jurisdiction", flat=True)
    ) == ["US"]
    changed = _events("platform:update")[-1]["changed"]
    assert changed["time_zone"] == ["UTC", "Asia/Seoul"] and changed["link_validity_days"] == [
        "30",
        "14",
    ]
    assert _events("platform:host_remove") == [{"host": "x.com"}]
    assert _events("platform:deadline_remove") == [{"jurisdiction": "KR"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--time-zone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--official-email", "not-an-address"], "is not an address"),
        (["--channel", "webhook"], "needs a webhook URL"),
        (["--link-validity-days", "0"], "between 1 and 365 days"),
        (["--remove-host", "t.me"], "does not route to X"),
        (["--add-host", "t.me"], "already routes to Telegram"),
        (["--deadline", "KR:12:24"], "urgent deadline must be"),
    ],
)
def test_a_wrong_platform_update_says_why_and_changes_nothing(
    directory: Directory, args: list[str], message: str
) -> None:
    before = list(Platform.objects.values()), list(PlatformHost.objects.values())
    events = Event.objects.count()
    with pytest.raises(CommandError, match=message):
        hotline("platform", "update", "X", "--official-name", "Changed", *args)
    assert (list(Platform.objects.values()), list(PlatformHost.objects.values())) == before
    assert Event.objects.count() == events


def test_an_unknown_platform_is_named_in_the_error(directory: Directory) -> None:
    with pytest.raises(CommandError, match="no platform named 'Nope'"):
        hotline("platform", "update", "Nope", "--time-zone", "UTC")


def test_no_change_is_no_event(directory: Directory) -> None:
    hotline("platform", "update", "X", "--time-zone", "UTC")  # already UTC
    assert _events("platform:update") == []


def test_a_password_is_set_by_command_checked_and_audited(
    directory: Directory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEW_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        hotline("user", "password", "analyst", "--password-env", "NEW_PASSWORD")
    monkeypatch.setenv("NEW_PASSWORD", "a long and uncommon passphrase")
    assert hotline("user", "password", "analyst", "--password-env", "NEW_PASSWORD") == (
        "set the password of analyst\n"
    )
    old = Client().post("/login/", {"username": "analyst", "password": "pw-analyst"})
    assert "Wrong username or password" in old.content.decode()
    new = Client().post(
        "/login/", {"username": "analyst", "password": "a long and uncommon passphrase"}
    )
    assert new.status_code == 302
    assert _events("user:password") == [{"username": "analyst"}]


@pytest.mark.parametrize("command", ["changepassword", "createsuperuser"])
def test_djangos_unaudited_account_commands_point_to_hotlines(
    directory: Directory, command: str
) -> None:
    with pytest.raises(CommandError, match="hotline user"):
        hotline(command, "analyst")
