"""Bearer tokens: only a current token of an active user opens the API, and it says so."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from hotline.accounts import services
from hotline.accounts.models import ApiToken
from hotline.accounts.services import token_revoke
from tests.api.conftest import UNAUTHORISED, World, snapshot
from tests.conftest import ApiCaller, Directory, request_body

# Endpoints that would hand out data to anybody they let in.
DATA_PATHS = ["/me", "/requests", "/notices", "/compliance", "/audit/verify"]


def token_row(directory: Directory, who: str) -> ApiToken:
    return ApiToken.objects.get(prefix=directory.tokens[who][:10])


def get_with_header(path: str, authorization: str) -> tuple[int, object]:
    response = Client().get(f"/api{path}", HTTP_AUTHORIZATION=authorization)
    return response.status_code, response.json()


@pytest.mark.parametrize("path", DATA_PATHS)
@pytest.mark.parametrize(
    "token",
    [
        "hl_not-a-token-anybody-was-given",
        "not-even-the-right-prefix",
        "",
    ],
    ids=["unknown", "wrong-prefix", "empty"],
)
def test_a_wrong_token_gets_401_and_no_data(
    call_api: ApiCaller, world: World, path: str, token: str
) -> None:
    assert call_api(None, "get", path, token=token) == (401, UNAUTHORISED)


@pytest.mark.parametrize(
    "header",
    [
        "{token}",  # no scheme
        "Token {token}",  # another scheme
        "Basic {token}",
        "Bearer",  # scheme without a token
        "Bearer {token} extra",  # trailing garbage
        "Bearer {token}x",  # one character too many
        "Bearer {short}",  # a prefix of the real token
    ],
    ids=["no-scheme", "token-scheme", "basic-scheme", "no-token", "trailing", "longer", "prefix"],
)
def test_a_malformed_authorization_header_gets_401_and_no_data(
    directory: Directory, world: World, header: str
) -> None:
    token = directory.tokens["analyst"]
    authorization = header.format(token=token, short=token[:20])
    for path in DATA_PATHS:
        assert get_with_header(path, authorization) == (401, UNAUTHORISED)


def test_a_revoked_token_gets_401_and_no_data(call_api: ApiCaller, directory: Directory) -> None:
    assert call_api("analyst", "get", "/me")[0] == 200
    revoked = token_revoke(prefix=directory.tokens["analyst"][:10], actor="test")
    assert revoked.revoked_at is not None
    for path in DATA_PATHS:
        assert call_api("analyst", "get", path) == (401, UNAUTHORISED)


def test_a_revoked_token_cannot_write(call_api: ApiCaller, directory: Directory) -> None:
    token_revoke(prefix=directory.tokens["caseworker_a"][:10], actor="test")
    before = snapshot()
    status, answer = call_api("caseworker_a", "post", "/requests", request_body("https://t.me/r/1"))
    assert (status, answer) == (401, UNAUTHORISED)
    assert snapshot() == before


def test_revoking_one_token_leaves_the_others_working(
    call_api: ApiCaller, directory: Directory
) -> None:
    token_revoke(prefix=directory.tokens["analyst"][:10], actor="test")
    status, me = call_api("caseworker_a", "get", "/me")
    assert (status, me["username"]) == (200, "caseworker_a")


def test_the_token_of_an_inactive_user_gets_401_and_no_data(
    call_api: ApiCaller, directory: Directory
) -> None:
    get_user_model().objects.filter(username="telegram_mod").update(is_active=False)
    for path in DATA_PATHS:
        assert call_api("telegram_mod", "get", path) == (401, UNAUTHORISED)
    assert token_row(directory, "telegram_mod").last_used_at is None


def test_a_refused_token_is_not_marked_as_used(call_api: ApiCaller, directory: Directory) -> None:
    token_revoke(prefix=directory.tokens["x_mod"][:10], actor="test")
    call_api("x_mod", "get", "/me")
    assert token_row(directory, "x_mod").last_used_at is None


def test_a_valid_token_records_when_it_was_last_used(
    call_api: ApiCaller, directory: Directory
) -> None:
    assert token_row(directory, "auditor").last_used_at is None
    status, me = call_api("auditor", "get", "/me")
    assert (status, me["username"]) == (200, "auditor")
    first_use = token_row(directory, "auditor").last_used_at
    assert first_use is not None
    call_api("auditor", "get", "/compliance")
    assert token_row(directory, "auditor").last_used_at >= first_use
    assert token_row(directory, "analyst").last_used_at is None


def test_the_token_itself_is_never_stored(directory: Directory) -> None:
    raw = directory.tokens["analyst"]
    row = token_row(directory, "analyst")
    assert raw.startswith("hl_")
    assert raw not in {row.digest, row.prefix, row.name}
    assert len(row.digest) == 64


# --- the token cache (HOTLINE_TOKEN_CACHE_SECONDS) -------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def token_clock(monkeypatch: pytest.MonkeyPatch, settings: Any) -> FakeClock:
    settings.HOTLINE_TOKEN_CACHE_SECONDS = 5
    clock = FakeClock()
    monkeypatch.setattr(services, "monotonic", clock)
    return clock


def revoke_elsewhere(directory: Directory, who: str) -> None:
    """A revocation made by another process: the row changes, this process is not told."""
    ApiToken.objects.filter(pk=token_row(directory, who).pk).update(revoked_at=timezone.now())


def test_a_token_revoked_elsewhere_is_refused_once_the_cache_seconds_pass(
    call_api: ApiCaller, directory: Directory, token_clock: FakeClock
) -> None:
    assert call_api("analyst", "get", "/me")[0] == 200
    revoke_elsewhere(directory, "analyst")
    token_clock.now += 4.9  # within HOTLINE_TOKEN_CACHE_SECONDS the process may still trust it
    assert call_api("analyst", "get", "/me")[0] == 200
    token_clock.now += 0.2
    assert call_api("analyst", "get", "/me") == (401, UNAUTHORISED)
    token_clock.now += 100
    assert call_api("analyst", "get", "/me") == (401, UNAUTHORISED)


def test_a_token_revoked_in_this_process_is_refused_at_once(
    call_api: ApiCaller, directory: Directory, token_clock: FakeClock
) -> None:
    assert call_api("analyst", "get", "/me")[0] == 200
    token_revoke(prefix=directory.tokens["analyst"][:10], actor="test")
    assert call_api("analyst", "get", "/me") == (401, UNAUTHORISED)


def test_an_inactive_user_is_refused_once_the_cache_seconds_pass(
    call_api: ApiCaller, directory: Directory, token_clock: FakeClock
) -> None:
    assert call_api("telegram_mod", "get", "/me")[0] == 200
    get_user_model().objects.filter(username="telegram_mod").update(is_active=False)
    token_clock.now += 5.1
    assert call_api("telegram_mod", "get", "/me") == (401, UNAUTHORISED)


def test_a_cached_token_reads_and_writes_its_row_once_per_cache_period(
    call_api: ApiCaller, directory: Directory, token_clock: FakeClock
) -> None:
    assert call_api("auditor", "get", "/me")[0] == 200
    first_use = token_row(directory, "auditor").last_used_at
    assert first_use is not None
    ApiToken.objects.filter(prefix=directory.tokens["auditor"][:10]).update(last_used_at=None)
    assert call_api("auditor", "get", "/me")[0] == 200  # answered from the cache
    assert token_row(directory, "auditor").last_used_at is None
    token_clock.now += 6
    assert call_api("auditor", "get", "/me")[0] == 200  # read again, and marked used
    assert token_row(directory, "auditor").last_used_at is not None


def test_with_no_cache_seconds_every_call_reads_the_token(
    call_api: ApiCaller, directory: Directory, token_clock: FakeClock, settings: Any
) -> None:
    settings.HOTLINE_TOKEN_CACHE_SECONDS = 0
    assert call_api("analyst", "get", "/me")[0] == 200
    revoke_elsewhere(directory, "analyst")
    assert call_api("analyst", "get", "/me") == (401, UNAUTHORISED)
