"""Who may call what: every endpoint for every role, and what each organisation may see."""

from collections.abc import Callable
from typing import Any

import pytest

from hotline.audit.models import Event
from hotline.cases.models import Item, Notice
from tests.api.conftest import (
    PEOPLE,
    UNAUTHORISED,
    VICTIM_A,
    World,
    file_request,
    snapshot,
)
from tests.conftest import ApiCaller, request_body

Call = tuple[str, str, Any]  # method, path, body


def _action(w: World) -> Call:
    path = f"/notices/{w.telegram_notice}/items/{w.telegram_item}/action"
    return "post", path, {"action": "removed"}


# What each endpoint is called with, against Centre A's Telegram notice where there is one.
ENDPOINTS: dict[str, Callable[[World], Call]] = {
    "me": lambda w: ("get", "/me", None),
    "file_request": lambda w: ("post", "/requests", request_body("https://t.me/fresh/1")),
    "list_requests": lambda w: ("get", "/requests", None),
    "get_request": lambda w: ("get", f"/requests/{w.case_a}", None),
    "triage": lambda w: ("get", "/triage", None),
    "list_victims": lambda w: ("get", "/victims", None),
    "get_victim": lambda w: ("get", f"/victims/{VICTIM_A}", None),
    "requests_of_victim": lambda w: ("get", f"/requests?victim={VICTIM_A}", None),
    "notices_of_victim": lambda w: ("get", f"/notices?victim={VICTIM_A}", None),
    "list_notices": lambda w: ("get", "/notices", None),
    "get_notice": lambda w: ("get", f"/notices/{w.telegram_notice}", None),
    "acknowledge": lambda w: ("post", f"/notices/{w.telegram_notice}/acknowledge", None),
    "act_on_item": _action,
    "read_messages": lambda w: ("get", f"/notices/{w.telegram_notice}/messages", None),
    "post_message": lambda w: (
        "post",
        f"/notices/{w.telegram_notice}/messages",
        {"kind": "question", "body": "Which?"},
    ),
    "compliance": lambda w: ("get", "/compliance", None),
    "verify_audit": lambda w: ("get", "/audit/verify", None),
}

# Expected status per endpoint, in the order of PEOPLE:
#                  analyst  centre A  centre B  telegram   x   auditor
MATRIX: dict[str, tuple[int, ...]] = {
    "me":            (200,    200,      200,      200,     200,   200),
    "file_request":  (201,    201,      201,      403,     403,   403),
    "list_requests": (200,    200,      200,      403,     403,   403),
    "get_request":   (404,    200,      404,      403,     403,   403),
    "triage":        (200,    200,      200,      403,     403,   403),
    "list_victims":  (200,    200,      200,      403,     403,   403),
    "get_victim":    (404,    200,      404,      403,     403,   403),
    "requests_of_victim": (200, 200,    200,      403,     403,   403),
    "notices_of_victim":  (200, 200,    200,      422,     422,   403),
    "list_notices":  (200,    200,      200,      200,     200,   403),
    "get_notice":    (404,    200,      404,      200,     404,   404),
    "acknowledge":   (404,    403,      404,      200,     404,   404),
    "act_on_item":   (404,    403,      404,      200,     404,   404),
    "read_messages": (404,    200,      404,      200,     404,   404),
    "post_message":  (404,    201,      404,      201,     404,   404),
    "compliance":    (200,    200,      200,      200,     200,   200),
    "verify_audit":  (403,    403,      403,      403,     403,   200),
}  # fmt: skip

ERROR_CODES = {403: "forbidden", 404: "not_found", 422: "invalid"}

CASES = [
    pytest.param(endpoint, who, expected, id=f"{endpoint}-{who}")
    for endpoint, row in MATRIX.items()
    for who, expected in zip(PEOPLE, row, strict=True)
]


def test_the_matrix_covers_every_endpoint() -> None:
    assert set(MATRIX) == set(ENDPOINTS)


@pytest.mark.parametrize(("endpoint", "who", "expected"), CASES)
def test_each_role_gets_exactly_its_permitted_answer(
    call_api: ApiCaller, world: World, endpoint: str, who: str, expected: int
) -> None:
    method, path, body = ENDPOINTS[endpoint](world)
    before = snapshot()
    status, answer = call_api(who, method, path, body)
    assert status == expected, answer
    if expected in ERROR_CODES:
        assert answer["error"] == ERROR_CODES[expected]
        assert snapshot() == before, "a refused call changed the record"
    else:
        assert answer is not None


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_an_anonymous_caller_gets_401_and_nothing_else(
    call_api: ApiCaller, world: World, endpoint: str
) -> None:
    method, path, body = ENDPOINTS[endpoint](world)
    before = snapshot()
    status, answer = call_api(None, method, path, body)
    assert (status, answer) == (401, UNAUTHORISED)
    assert snapshot() == before


def test_me_names_the_callers_organisation_and_role(call_api: ApiCaller, directory) -> None:
    for who in PEOPLE:
        actor = directory.actors[who]
        status, me = call_api(who, "get", "/me")
        assert status == 200
        assert me == {
            "username": who,
            "organisation_id": actor.organisation_id,
            "organisation_kind": actor.organisation_kind,
            "role": actor.role,
        }


def test_a_platform_cannot_read_another_platforms_notice(call_api: ApiCaller, world: World) -> None:
    status, answer = call_api("x_mod", "get", f"/notices/{world.telegram_notice}")
    missing = Notice.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    status_missing, answer_missing = call_api("x_mod", "get", f"/notices/{missing}")
    # Indistinguishable from a notice that does not exist: nothing leaks.
    assert (status, status_missing) == (404, 404)
    assert answer == {
        **answer_missing,
        "message": answer_missing["message"].replace(str(missing), str(world.telegram_notice)),
    }
    assert "roomofa" not in str(answer)


def test_a_platform_lists_only_the_notices_addressed_to_it(
    call_api: ApiCaller, world: World
) -> None:
    _, telegram = call_api("telegram_mod", "get", "/notices")
    _, x = call_api("x_mod", "get", "/notices")
    assert [n["id"] for n in telegram] == [world.telegram_notice]
    assert [n["id"] for n in x] == [world.x_notice]
    assert {n["platform"] for n in telegram} == {"Telegram"}


def test_a_platform_cannot_act_on_another_platforms_item_through_its_own_notice(
    call_api: ApiCaller, world: World
) -> None:
    path = f"/notices/{world.telegram_notice}/items/{world.x_item}/action"
    status, answer = call_api("telegram_mod", "post", path, {"action": "removed"})
    assert (status, answer["error"]) == (404, "not_found")
    assert Item.objects.get(pk=world.x_item).state == "notified"


def test_a_support_centre_never_sees_another_centres_request(
    call_api: ApiCaller, world: World
) -> None:
    status, answer = call_api("caseworker_b", "get", f"/requests/{world.case_a}")
    assert (status, answer["error"]) == (404, "not_found")
    assert call_api("caseworker_b", "get", "/requests") == (200, [])
    assert call_api("caseworker_b", "get", "/triage") == (200, [])
    assert call_api("caseworker_b", "get", "/notices") == (200, [])
    for path in (f"/notices/{world.telegram_notice}", f"/notices/{world.telegram_notice}/messages"):
        status, answer = call_api("caseworker_b", "get", path)
        assert (status, answer["error"]) == (404, "not_found")


def test_a_support_centre_sees_its_own_case_triage_and_notices(
    call_api: ApiCaller, world: World
) -> None:
    _, requests = call_api("caseworker_a", "get", "/requests")
    assert [(r["case_id"], r["item_count"]) for r in requests] == [(world.case_a, 2)]
    _, triage = call_api("caseworker_a", "get", "/triage")
    assert [(t["id"], t["case_id"], t["host"]) for t in triage] == [
        (world.triage_item, world.case_a, "unknown-host.example")
    ]
    _, notices = call_api("caseworker_a", "get", "/notices")
    assert [n["id"] for n in notices] == [world.telegram_notice]


def test_the_regulator_and_a_centre_do_not_see_each_others_cases(
    call_api: ApiCaller, world: World
) -> None:
    _, analyst_requests = call_api("analyst", "get", "/requests")
    assert [r["case_id"] for r in analyst_requests] == [world.case_kcsc]
    assert call_api("analyst", "get", "/triage") == (200, [])
    status, _ = call_api("caseworker_a", "get", f"/requests/{world.case_kcsc}")
    assert status == 404
    status, _ = call_api("caseworker_a", "get", f"/notices/{world.x_notice}")
    assert status == 404


def test_a_reporter_cannot_acknowledge_or_act_on_its_own_notice(
    call_api: ApiCaller, world: World
) -> None:
    status, answer = call_api(
        "caseworker_a", "post", f"/notices/{world.telegram_notice}/acknowledge"
    )
    assert (status, answer["error"]) == (403, "forbidden")
    path = f"/notices/{world.telegram_notice}/items/{world.telegram_item}/action"
    status, answer = call_api("caseworker_a", "post", path, {"action": "removed"})
    assert (status, answer["error"]) == (403, "forbidden")
    notice = Notice.objects.get(pk=world.telegram_notice)
    assert notice.acknowledged_at is None
    assert Item.objects.get(pk=world.telegram_item).state == "notified"


def test_a_moderator_cannot_file_a_request(call_api: ApiCaller, world: World) -> None:
    before = snapshot()
    status, answer = call_api(
        "telegram_mod", "post", "/requests", request_body("https://x.com/a/1")
    )
    assert (status, answer["error"]) == (403, "forbidden")
    assert snapshot() == before


def test_a_platforms_compliance_report_holds_only_its_own_row(
    call_api: ApiCaller, world: World
) -> None:
    status, report = call_api("telegram_mod", "get", "/compliance")
    assert status == 200
    assert [(r["platform"], r["items_received"]) for r in report["platforms"]] == [("Telegram", 1)]
    status, report = call_api("x_mod", "get", "/compliance")
    assert [r["platform"] for r in report["platforms"]] == ["X"]


@pytest.mark.parametrize("who", ["analyst", "caseworker_b", "auditor"])
def test_reporters_and_auditors_see_every_platforms_compliance(
    call_api: ApiCaller, world: World, who: str
) -> None:
    status, report = call_api(who, "get", "/compliance")
    assert status == 200
    assert {r["platform"]: r["items_received"] for r in report["platforms"]} == {
        "Telegram": 1,
        "X": 1,
    }


def test_an_auditor_verifies_the_whole_audit_chain(call_api: ApiCaller, world: World) -> None:
    status, report = call_api("auditor", "get", "/audit/verify")
    assert status == 200
    assert {k: report[k] for k in ("intact", "checked", "first_broken_seq", "problem")} == {
        "intact": True,
        "checked": Event.objects.count(),
        "first_broken_seq": None,
        "problem": None,
    }
    assert [(c["name"], c["ok"]) for c in report["checks"]] == [("events", True), ("head", True)]


@pytest.mark.parametrize("who", [p for p in PEOPLE if p != "auditor"])
def test_only_auditors_verify_the_audit_chain(call_api: ApiCaller, world: World, who: str) -> None:
    status, answer = call_api(who, "get", "/audit/verify")
    assert (status, answer["error"]) == (403, "forbidden")
    assert "intact" not in answer


def test_a_centre_filing_the_same_client_reference_as_another_gets_its_own_case(
    call_api: ApiCaller, world: World
) -> None:
    first = file_request(call_api, "caseworker_a", "https://t.me/ref/1", client_reference="r-1")
    second = file_request(call_api, "caseworker_b", "https://x.com/ref/1", client_reference="r-1")
    assert second["case_id"] != first["case_id"]
    assert second["duplicate_submission"] is False


@pytest.mark.parametrize("path", ["/match", "/requests/upload"])
def test_an_anonymous_caller_cannot_reach_the_newer_endpoints_either(
    call_api: ApiCaller, world: World, path: str
) -> None:
    before = snapshot()
    assert call_api(None, "post", path, {}) == (401, UNAUTHORISED)
    assert snapshot() == before
