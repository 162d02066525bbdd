"""Every API error is {"error", "message", "details"} with a precise status, and loses nothing."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline.cases.models import Message, TakedownRequest
from tests.api.conftest import UNAUTHORISED, World, snapshot
from tests.conftest import ApiCaller, Directory, request_body

SHAPE = {"error", "message", "details"}


def bearer(directory: Directory, who: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {directory.tokens[who]}"}


def elements(answer: dict[str, Any]) -> list[str]:
    return [d["element"] for d in answer["details"]]


def test_a_validation_error_names_each_element_in_the_documented_shape(
    call_api: ApiCaller,
) -> None:
    body = request_body("https://t.me/c/1", category="spam")
    del body["reasons"]
    status, answer = call_api("analyst", "post", "/requests", body)
    assert status == 422
    assert set(answer) == SHAPE
    assert answer["error"] == "invalid"
    assert sorted(elements(answer)) == ["category", "reasons"]
    assert {d["location"] for d in answer["details"]} == {"body"}
    assert TakedownRequest.objects.count() == 0


def test_a_bad_query_parameter_is_a_422_naming_it(call_api: ApiCaller) -> None:
    status, answer = call_api("telegram_mod", "get", "/feed?limit=0")
    assert status == 422
    assert answer["details"][0]["element"] == "limit"
    assert answer["details"][0]["location"] == "query"


def test_no_token_is_a_401_in_the_documented_shape_with_a_bearer_challenge(
    directory: Directory,
) -> None:
    response = Client().get("/api/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORISED
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_api_route_is_a_json_404(directory: Directory) -> None:
    response = Client().get("/api/no-such-thing", **bearer(directory, "analyst"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "not_found"
    assert set(response.json()) == SHAPE


def test_a_wrong_method_is_a_json_405_that_says_which_are_allowed(directory: Directory) -> None:
    response = Client().delete("/api/me", **bearer(directory, "analyst"))
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert "GET" in response.json()["message"]


def test_api_answers_are_never_cached_success_or_error(directory: Directory) -> None:
    ok = Client().get("/api/me", **bearer(directory, "analyst"))
    denied = Client().get("/api/me")
    missing = Client().get("/api/nothing-here")
    assert [r.status_code for r in (ok, denied, missing)] == [200, 401, 404]
    assert {r["Cache-Control"] for r in (ok, denied, missing)} == {"no-store"}


@pytest.mark.parametrize(
    "path",
    [
        "/compliance?until=9999-12-31",
        "/compliance?since=0001-01-01",
        "/compliance?since=9999-12-31&until=9999-12-31",
    ],
)
def test_an_absurd_date_is_a_422_not_a_crash(call_api: ApiCaller, path: str) -> None:
    status, answer = call_api("analyst", "get", path)
    assert status == 422, answer
    assert answer["error"] == "invalid"
    assert elements(answer)[0] in {"since", "until"}


def test_a_date_in_range_still_answers(call_api: ApiCaller) -> None:
    status, answer = call_api("analyst", "get", "/compliance?since=2024-09-01&until=2024-09-30")
    assert status == 200
    assert answer["until"] == "2024-09-30"


class TestNulCharacters:
    """PostgreSQL cannot store NUL in text: it is refused at the edge, naming where it was."""

    def test_in_a_json_body_field(self, call_api: ApiCaller, directory: Directory) -> None:
        before = snapshot()
        status, answer = call_api(
            "analyst", "post", "/requests", request_body("https://t.me/c/1", reasons="a\x00b")
        )
        assert (status, answer["error"]) == (422, "invalid")
        assert elements(answer) == ["body.reasons"]
        assert snapshot() == before

    def test_deep_in_a_json_body(self, call_api: ApiCaller) -> None:
        status, answer = call_api("analyst", "post", "/requests", request_body("https://t.me/\x00"))
        assert status == 422
        assert elements(answer) == ["body.items.0.url"]
        assert TakedownRequest.objects.count() == 0

    def test_in_a_message(self, call_api: ApiCaller, world: World) -> None:
        path = f"/notices/{world.telegram_notice}/messages"
        status, answer = call_api("telegram_mod", "post", path, {"body": "hi\x00"})
        assert (status, answer["details"][0]["element"]) == (422, "body.body")
        assert Message.objects.count() == 0

    @pytest.mark.parametrize(
        "path",
        [
            "/requests/HL-2026-0%00",
            "/notices?open=tr%00ue",
            "/feed?after=%00",
            "/compliance?since=2024-09-01%00",
            "/requests?x%00=1",
        ],
    )
    def test_in_a_path_or_query_string(self, call_api: ApiCaller, path: str) -> None:
        status, answer = call_api("analyst", "get", path)
        assert status == 422, answer
        assert set(answer) == SHAPE
        assert answer["details"][0]["element"].split(".")[0] in {"path", "query"}

    def test_in_the_multipart_payload(self, directory: Directory) -> None:
        payload = json.dumps(request_body("https://t.me/c/1", reasons="x\x00"))
        response = Client().post(
            "/api/requests/upload", {"payload": payload}, **bearer(directory, "analyst")
        )
        assert response.status_code == 422
        assert elements(response.json()) == ["form.payload.reasons"]
        assert TakedownRequest.objects.count() == 0

    def test_nul_bytes_inside_a_file_are_content_not_text(self, directory: Directory) -> None:
        body = request_body("https://t.me/c/1")
        body["items"][0]["media"] = "photo"
        photo = SimpleUploadedFile("photo.jpg", b"\x00\xff not an image", "image/jpeg")
        response = Client().post(
            "/api/requests/upload",
            {"payload": json.dumps(body), "photo": photo},
            **bearer(directory, "analyst"),
        )
        # Refused for what it is (no decodable image), not for the NUL bytes it holds.
        assert response.status_code == 422
        assert elements(response.json()) == ["items[1].media"]

    def test_an_escaped_backslash_u_is_not_a_nul(self, call_api: ApiCaller) -> None:
        reasons = "A sexual deepfake; the caption reads \\u0000 literally."
        status, receipt = call_api(
            "analyst", "post", "/requests", request_body("https://t.me/c/1", reasons=reasons)
        )
        assert status == 201, receipt
        assert TakedownRequest.objects.get().reasons == reasons


class TestRequestIds:
    def test_a_well_formed_incoming_id_is_echoed(self, directory: Directory) -> None:
        response = Client().get("/api/me", HTTP_X_REQUEST_ID="lb-7f3a.42")
        assert response["X-Request-ID"] == "lb-7f3a.42"

    @pytest.mark.parametrize("offered", ["", "a b", "x" * 200, "id\nforged log line", "ü"])
    def test_a_malformed_id_is_replaced_by_a_fresh_one(
        self, directory: Directory, offered: str
    ) -> None:
        response = Client().get("/healthz", HTTP_X_REQUEST_ID=offered)
        assert response["X-Request-ID"] != offered
        assert len(response["X-Request-ID"]) == 32

    def test_each_request_gets_its_own_id(self, directory: Directory) -> None:
        ids = {Client().get("/healthz")["X-Request-ID"] for _ in range(3)}
        assert len(ids) == 3


@pytest.mark.parametrize("cursor", ["%C2%B2", "abc", "-1"])
def test_a_malformed_feed_cursor_is_a_422(call_api: ApiCaller, cursor: str) -> None:
    status, answer = call_api("telegram_mod", "get", f"/feed?after={cursor}")
    assert (status, answer["error"]) == (422, "invalid")


@pytest.mark.parametrize(
    "path", ["/notices/99999999999999999999", "/requests/" + "x" * 3000, "/notices/-1"]
)
def test_absurd_ids_are_client_errors(call_api: ApiCaller, path: str) -> None:
    status, answer = call_api("analyst", "get", path)
    assert status in (403, 404), answer
    assert set(answer) == SHAPE
