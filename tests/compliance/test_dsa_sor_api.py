"""`GET /api/export/dsa-sor`: who may export which platform, paging, and precise errors."""

from typing import Any

import pytest
from django.test import Client

from hotline.accounts.models import Role
from hotline.accounts.selectors import membership_get, organisation_get
from hotline.accounts.services import token_create, user_create
from hotline.cases.workflow import ItemAction
from hotline.compliance.dsa_sor import RULES_VERSION
from tests.api.conftest import UNAUTHORISED
from tests.compliance.dsa_rules import TransparencyDatabase
from tests.compliance.dsa_world import decide, file
from tests.conftest import ApiCaller, Directory

# Two administrators the shared directory lacks: a platform's and a regulator's.
ADMINS = {"telegram_admin": "Telegram", "kcsc_admin": "KCSC"}

# Expected status per caller, exporting Telegram and exporting X.
MATRIX: dict[str, tuple[int, int]] = {
    "analyst": (200, 200),  # a regulator's reporter
    "kcsc_admin": (200, 200),  # a regulator's administrator
    "caseworker_a": (403, 403),  # support organisations: the statements cover others' cases
    "caseworker_b": (403, 403),
    "telegram_mod": (200, 403),  # a platform exports its own statements only
    "telegram_admin": (200, 403),
    "x_mod": (403, 200),
    "auditor": (200, 200),
}


@pytest.fixture
def callers(directory: Directory, call_api: ApiCaller) -> ApiCaller:
    for username, organisation in ADMINS.items():
        user_create(
            username=username,
            organisation=organisation_get(name_or_slug=organisation),
            role=Role.ADMIN,
            password="pw-" + username,
            actor="test",
        )
        membership = membership_get(username=username)
        directory.tokens[username] = token_create(membership=membership, name="t", actor="test")[1]
    return call_api


@pytest.fixture
def decided(directory: Directory) -> None:
    """One removal on each platform, and one rejection on Telegram."""
    telegram = file(directory, "caseworker_a", "https://t.me/room/1", "https://t.me/room/2")
    decide(directory, "telegram_mod", telegram[0], ItemAction.REMOVE)
    decide(directory, "telegram_mod", telegram[1], ItemAction.REJECT)
    (x,) = file(directory, "analyst", "https://x.com/a/status/1")
    decide(directory, "x_mod", x, ItemAction.REMOVE)


@pytest.mark.parametrize(
    ("who", "platform", "expected"),
    [
        pytest.param(who, platform, row[n], id=f"{who}-{platform}")
        for who, row in MATRIX.items()
        for n, platform in enumerate(["Telegram", "X"])
    ],
)
def test_each_role_gets_exactly_its_permitted_answer(
    callers: ApiCaller, decided: None, who: str, platform: str, expected: int
) -> None:
    status, answer = callers(who, "get", f"/export/dsa-sor?platform={platform}")
    assert status == expected, answer
    if expected == 200:
        assert answer["platform"] == platform
        assert len(answer["statements"]) == 1
        assert answer["rejections_not_exported"] == (1 if platform == "Telegram" else 0)
    else:
        assert answer["error"] == "forbidden"
        assert "statements" not in answer


def test_an_anonymous_caller_gets_401(callers: ApiCaller, decided: None) -> None:
    assert callers(None, "get", "/export/dsa-sor?platform=Telegram") == (401, UNAUTHORISED)


def test_a_refused_caller_learns_nothing_about_platforms(callers: ApiCaller) -> None:
    known = callers("caseworker_a", "get", "/export/dsa-sor?platform=Telegram")
    unknown = callers("caseworker_a", "get", "/export/dsa-sor?platform=Nowhere")
    assert known == unknown and known[0] == 403


def test_the_body_is_a_batch_the_database_takes_and_says_which_rules(
    callers: ApiCaller, decided: None
) -> None:
    status, answer = callers("telegram_mod", "get", "/export/dsa-sor?platform=telegram")
    assert status == 200
    assert answer["rules"] == RULES_VERSION
    assert answer["next_cursor"] is None
    assert TransparencyDatabase().submit(answer)[0] == 201


def test_the_cursor_pages_through_every_statement_once(
    directory: Directory, callers: ApiCaller
) -> None:
    items = file(directory, "analyst", *(f"https://t.me/room/{n}" for n in range(101)))
    for item in items:
        decide(directory, "telegram_mod", item, ItemAction.REMOVE)
    path = "/export/dsa-sor?platform=Telegram"
    _, first = callers("auditor", "get", path)
    _, second = callers("auditor", "get", f"{path}&cursor={first['next_cursor']}")
    assert (len(first["statements"]), len(second["statements"])) == (100, 1)
    assert second["next_cursor"] is None
    database = TransparencyDatabase()
    assert [database.submit(first)[0], database.submit(second)[0]] == [201, 201]
    assert len(database.puids) == 101


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ("platform=Nowhere", 404, "not_found"),
        ("platform=Telegram&cursor=abc", 422, "invalid"),
        ("platform=Telegram&cursor=-5", 422, "invalid"),
        ("platform=Telegram&since=2026-03-02&until=2026-03-01", 422, "invalid"),
    ],
)
def test_bad_input_gets_a_precise_error(
    callers: ApiCaller, query: str, status: int, error: str
) -> None:
    got, answer = callers("auditor", "get", f"/export/dsa-sor?{query}")
    assert (got, answer["error"]) == (status, error)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "platform=Telegram&since=yesterday",
        "platform=Telegram&until=2026-02-30",
        "platform=Telegram&until=9999-12-31",
        "platform=Telegram&since=0001-01-01",
    ],
)
def test_a_missing_platform_or_malformed_day_is_refused_by_the_schema(
    callers: ApiCaller, query: str
) -> None:
    status, answer = callers("auditor", "get", f"/export/dsa-sor?{query}")
    assert status == 422
    assert answer["error"] == "invalid" and answer["details"]


def test_the_period_narrows_the_export(callers: ApiCaller, decided: None) -> None:
    answers: list[Any] = [
        callers("auditor", "get", f"/export/dsa-sor?platform=Telegram&{q}")[1]
        for q in ("since=2000-01-01", "until=2000-01-01")
    ]
    assert [len(a["statements"]) for a in answers] == [1, 0]
    assert answers[1]["rejections_not_exported"] == 0


def test_the_export_is_in_the_openapi_document_behind_the_bearer_token(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/export/dsa-sor"]["get"]
    assert operation["security"] == [{"TokenAuth": []}]
    assert {p["name"] for p in operation["parameters"]} == {"platform", "since", "until", "cursor"}
