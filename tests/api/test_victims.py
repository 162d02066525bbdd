"""Victims: a centre's pseudonymous reference links her items across cases (decision 21)."""

import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hotline.audit.models import Event
from hotline.cases.models import Item, TakedownRequest, Victim
from tests.api.conftest import file_request, snapshot
from tests.conftest import ApiCaller, Directory, request_body
from tests.hashing.media_factory import jpeg_bytes
from tests.web.conftest import signed_in_client

NEVER = "use the centre's pseudonymous reference (such as V-2024-0012), never personal data"
BAD_REFERENCES = [
    ("jane.doe@example.org", f"victim_reference looks like an email address; {NEVER}"),
    ("010-1234-5678", f"victim_reference looks like a phone number; {NEVER}"),
    ("V-01012345678", f"victim_reference looks like a phone number; {NEVER}"),
    ("+82 2 123 4567", f"victim_reference looks like a phone number; {NEVER}"),
    ("900101-2345678", f"victim_reference looks like a resident registration number; {NEVER}"),
    (
        "Kim Ji-young",
        "victim_reference may hold only letters A-Z, digits and . _ - and must start with a "
        f"letter or digit (no spaces, no names); {NEVER}",
    ),
    (
        "김지영",
        "victim_reference may hold only letters A-Z, digits and . _ - and must start with a "
        f"letter or digit (no spaces, no names); {NEVER}",
    ),
    ("V" * 65, f"victim_reference is at most 64 characters; {NEVER}"),
]


@pytest.mark.parametrize(("reference", "message"), BAD_REFERENCES)
def test_a_reference_that_could_be_personal_data_is_refused_with_the_rule(
    call_api: ApiCaller, reference: str, message: str
) -> None:
    before = snapshot()
    body = request_body("https://t.me/v/1", victim_reference=reference)
    status, answer = call_api("caseworker_a", "post", "/requests", body)
    assert status == 422, answer
    assert answer["message"] == message
    assert answer["details"] == [{"element": "victim_reference", "message": message}]
    assert snapshot() == before
    assert not Victim.objects.exists()


def test_a_victim_is_made_on_first_use_and_links_her_cases(call_api: ApiCaller) -> None:
    first = file_request(call_api, "caseworker_a", "https://t.me/v/1", victim_reference="v-17")
    second = file_request(
        call_api, "caseworker_a", "https://x.com/a/status/3", victim_reference="V-17"
    )
    assert (first["victim_reference"], second["victim_reference"]) == ("V-17", "V-17")
    (victim,) = Victim.objects.all()
    assert victim.reference == "V-17"
    assert set(victim.requests.values_list("case_id", flat=True)) == {
        first["case_id"],
        second["case_id"],
    }
    events = Event.objects.filter(subject=f"victim:{victim.pk}").order_by("seq")
    assert [e.tag for e in events] == ["victim:create", "victim:request", "victim:request"]
    assert [e.payload.get("case_id") for e in events[1:]] == [first["case_id"], second["case_id"]]
    # The request's own events, which go into platforms' evidence packages, never name her.
    request_events = Event.objects.filter(subject__startswith="request:")
    assert all("V-17" not in json.dumps(e.payload) for e in request_events)

    status, got = call_api("caseworker_a", "get", f"/requests/{first['case_id']}")
    assert (status, got["victim_reference"]) == (200, "V-17")


def test_the_victim_page_lists_every_item_across_cases_with_state_and_whether_still_up(
    call_api: ApiCaller,
) -> None:
    first = file_request(
        call_api,
        "caseworker_a",
        "https://t.me/v/1",
        "https://unknown-host.example/v",
        victim_reference="V-17",
    )
    second = file_request(
        call_api, "caseworker_a", "https://x.com/a/status/3", victim_reference="V-17"
    )
    file_request(call_api, "caseworker_a", "https://t.me/other/1", victim_reference="V-18")
    x_notice = second["notices"][0]["id"]
    x_item = second["items"][0]["id"]
    status, _ = call_api(
        "x_mod",
        "post",
        f"/notices/{x_notice}/items/{x_item}/action",
        {"action": "rejected", "reason": "not_illegal"},
    )
    assert status == 200

    status, victim = call_api("caseworker_a", "get", "/victims/v-17")
    assert status == 200, victim
    assert {k: victim[k] for k in ("reference", "case_count", "item_count")} == {
        "reference": "V-17",
        "case_count": 2,
        "item_count": 3,
    }
    # The rejected item is settled (the platform owes nothing) but still up.
    assert (victim["open_count"], victim["still_up_count"]) == (2, 3)
    rows = [
        (i["case_id"], i["position"], i["platform"], i["state"], i["open"], i["still_up"])
        for i in victim["items"]
    ]
    assert rows == [
        (second["case_id"], 1, "X", "rejected", False, True),
        (first["case_id"], 1, "Telegram", "notified", True, True),
        (first["case_id"], 2, None, "triage", True, True),
    ]
    telegram = victim["items"][1]
    assert telegram["deadline_at"] == first["notices"][0]["deadline_at"].replace("+00:00", "Z")
    assert telegram["case_url"] == f"/api/requests/{first['case_id']}"
    assert victim["items"][2]["deadline_at"] is None

    # Her items, filtered and paged like every list.
    client = call_api.client
    token = call_api.directory.tokens["caseworker_a"]
    response = client.get(
        "/api/victims/V-17?limit=1&state=notified", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response["X-Total-Count"] == "1"
    assert [i["item_id"] for i in response.json()["items"]] == [telegram["item_id"]]
    response = client.get("/api/victims/V-17?limit=2", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response["X-Total-Count"] == "3"
    following = client.get(
        f"/api/victims/V-17?limit=2&cursor={response['X-Next-Cursor']}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert [i["position"] for i in following.json()["items"]] == [2]


def test_victims_are_listed_with_counts_paged_and_searched(call_api: ApiCaller) -> None:
    for n in range(3):
        file_request(
            call_api, "caseworker_a", f"https://t.me/list/{n}", victim_reference=f"V-LIST-{n}"
        )
    file_request(call_api, "caseworker_b", "https://t.me/list/9", victim_reference="V-LIST-9")
    token = call_api.directory.tokens["caseworker_a"]
    response = call_api.client.get("/api/victims?limit=2", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["X-Total-Count"] == "3"  # Centre B's victim is not Centre A's
    assert [v["reference"] for v in response.json()] == ["V-LIST-2", "V-LIST-1"]
    assert response.json()[0] | {"created_at": None} == {
        "reference": "V-LIST-2",
        "created_at": None,
        "case_count": 1,
        "item_count": 1,
        "open_count": 1,
        "still_up_count": 1,
    }
    following = call_api.client.get(
        f"/api/victims?limit=2&cursor={response['X-Next-Cursor']}",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert [v["reference"] for v in following.json()] == ["V-LIST-0"]
    status, found = call_api("caseworker_a", "get", "/victims?q=list-1")
    assert (status, [v["reference"] for v in found]) == (200, ["V-LIST-1"])


def test_requests_triage_and_notices_filter_by_the_centres_own_victim(
    call_api: ApiCaller,
) -> None:
    hers = file_request(
        call_api,
        "caseworker_a",
        "https://t.me/f/1",
        "https://unknown-host.example/f",
        victim_reference="V-1",
    )
    file_request(call_api, "caseworker_a", "https://t.me/f/2", victim_reference="V-2")
    file_request(call_api, "caseworker_a", "https://t.me/f/3")
    file_request(call_api, "caseworker_b", "https://t.me/f/4", victim_reference="V-1")
    status, rows = call_api("caseworker_a", "get", "/requests?victim=v-1")
    assert (status, [r["case_id"] for r in rows]) == (200, [hers["case_id"]])
    assert rows[0]["victim_reference"] == "V-1"
    status, rows = call_api("caseworker_a", "get", "/requests?q=V-2")
    assert [r["victim_reference"] for r in rows] == ["V-2"]
    status, notices = call_api("caseworker_a", "get", "/notices?victim=V-1")
    assert [n["case_id"] for n in notices] == [hers["case_id"]]
    status, triage = call_api("caseworker_a", "get", "/triage?victim=V-1")
    assert [t["case_id"] for t in triage] == [hers["case_id"]]
    status, none = call_api("caseworker_a", "get", "/requests?victim=V-404")
    assert (status, none) == (200, [])
    # A platform cannot even ask: its lists refuse the filter.
    status, answer = call_api("telegram_mod", "get", "/notices?victim=V-1")
    assert (status, answer["details"]) == (422, [{"element": "victim"}])


def test_another_organisations_victim_is_a_404_exactly_like_a_missing_one(
    call_api: ApiCaller,
) -> None:
    file_request(call_api, "caseworker_a", "https://t.me/own/1", victim_reference="V-OWN")
    before = snapshot()
    for who in ("caseworker_b", "analyst"):
        status, answer = call_api(who, "get", "/victims/V-OWN")
        status_missing, missing = call_api(who, "get", "/victims/V-NONE")
        assert (status, status_missing) == (404, 404)
        assert answer == {**missing, "message": missing["message"].replace("V-NONE", "V-OWN")}
        status, rows = call_api(who, "get", "/victims")
        assert (status, rows) == (200, [])
    for who in ("telegram_mod", "x_mod", "auditor"):
        existing = call_api(who, "get", "/victims/V-OWN")
        assert existing == call_api(who, "get", "/victims/V-NONE")
        assert existing[0] == 403
    assert snapshot() == before


def test_the_same_reference_at_two_centres_is_two_victims(call_api: ApiCaller) -> None:
    a = file_request(call_api, "caseworker_a", "https://t.me/two/1", victim_reference="V-1")
    b = file_request(call_api, "caseworker_b", "https://t.me/two/2", victim_reference="V-1")
    assert Victim.objects.filter(reference="V-1").count() == 2
    for who, receipt in (("caseworker_a", a), ("caseworker_b", b)):
        status, victim = call_api(who, "get", "/victims/V-1")
        assert status == 200
        assert [i["case_id"] for i in victim["items"]] == [receipt["case_id"]]


def test_the_upload_api_files_for_a_victim(directory: Directory) -> None:
    payload = request_body(victim_reference="V-UP")
    payload["items"] = [{"url": "https://t.me/up/1", "media": "photo"}]
    response = Client().post(
        "/api/requests/upload",
        data={"payload": json.dumps(payload), "photo": io.BytesIO(jpeg_bytes(320, 240, seed=5))},
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['caseworker_a']}",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["victim_reference"] == "V-UP"
    bad = {**payload, "victim_reference": "someone@example.org"}
    response = Client().post(
        "/api/requests/upload",
        data={"payload": json.dumps(bad), "photo": io.BytesIO(jpeg_bytes(320, 240, seed=5))},
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['caseworker_a']}",
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["element"] == "victim_reference"


def _chunk(lines: list[str], **fields: Any) -> dict[str, Any]:
    body = request_body()
    del body["items"]
    return {**body, "reference": "batch-v", "first_line": 1, "lines": lines, **fields}


def test_a_bulk_import_files_every_chunk_for_the_victim(call_api: ApiCaller) -> None:
    body = _chunk(["https://t.me/bulk/1", "not a url"], victim_reference="V-BULK")
    status, answer = call_api("caseworker_a", "post", "/requests/import", body)
    assert status == 201, answer
    request = TakedownRequest.objects.get(case_id=answer["case_id"])
    assert request.victim is not None and request.victim.reference == "V-BULK"
    # A bad reference is refused before any line, even when no line is good.
    bad = _chunk(["not a url"], victim_reference="010 1234 5678", reference="batch-w")
    status, answer = call_api("caseworker_a", "post", "/requests/import", bad)
    assert (status, answer["details"][0]["element"]) == (422, "victim_reference")
    # The same chunk again under the same reference, for another victim: a conflict.
    other = _chunk(["https://t.me/bulk/1", "not a url"], victim_reference="V-OTHER")
    status, answer = call_api("caseworker_a", "post", "/requests/import", other)
    assert status == 409
    assert answer["details"] == [
        {"element": "victim_reference", "message": f"differs from case {request.case_id}"}
    ]


def test_the_import_command_files_for_the_victim_given(directory: Any, tmp_path: Path) -> None:
    fields = request_body()
    del fields["items"]
    (tmp_path / "request.json").write_text(json.dumps(fields))
    (tmp_path / "items.txt").write_text("https://t.me/cli/1\nhttps://t.me/cli/2\n")
    args = ["import", str(tmp_path / "items.txt"), "--user", "caseworker_a"]
    args += ["--request", str(tmp_path / "request.json"), "--no-progress"]
    out = StringIO()
    call_command("request", *args, "--victim", "V-CLI", stdout=out, stderr=StringIO())
    assert "2 line(s) filed in 1 request(s)" in out.getvalue()
    assert set(Item.objects.values_list("request__victim__reference", flat=True)) == {"V-CLI"}
    # The same file for another victim is another import, not a conflict.
    call_command("request", *args, "--victim", "V-CLI-2", stdout=StringIO(), stderr=StringIO())
    assert Victim.objects.get(reference="V-CLI-2").requests.count() == 1


def test_the_victim_reads_cost_the_same_queries_for_one_case_or_many(
    call_api: ApiCaller, directory: Directory
) -> None:
    web = signed_in_client("caseworker_a")
    token = call_api.directory.tokens["caseworker_a"]

    def queries() -> list[int]:
        counts = []
        for get in (
            lambda: call_api.client.get("/api/victims", HTTP_AUTHORIZATION=f"Bearer {token}"),
            lambda: call_api.client.get("/api/victims/V-N", HTTP_AUTHORIZATION=f"Bearer {token}"),
            lambda: web.get("/victims/"),
            lambda: web.get("/victims/V-N/"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert get().status_code == 200
            counts.append(len(captured))
        return counts

    file_request(call_api, "caseworker_a", "https://t.me/n/0", victim_reference="V-N")
    one = queries()
    for n in range(1, 5):
        urls = [f"https://t.me/n{n}/{i}" for i in range(3)] + ["https://x.com/n/status/9"]
        file_request(call_api, "caseworker_a", *urls[: n + 1], victim_reference="V-N")
        file_request(call_api, "caseworker_a", f"https://t.me/m/{n}", victim_reference=f"V-M{n}")
    assert queries() == one
