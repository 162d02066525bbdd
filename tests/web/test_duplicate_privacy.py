"""A duplicate of another organisation's item says only "already reported by another
organisation" and follows that item's fate: no receipt, API view, page or evidence package of
the duplicate's organisation carries the other organisation's item id, notice id or case id."""

import io
import zipfile
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from hotline.cases.models import Item, Notice
from hotline.cases.serializers import ANOTHER_ORGANISATION
from hotline.core.worker import drain_ready_tasks
from hotline.verification import backends
from tests.conftest import ApiCaller, request_body
from tests.web.conftest import signed_in_client

# The other organisation's ids are pushed far from everything else, so that finding one of
# these strings anywhere in an output is a leak, never a coincidence.
ITEM_IDS_FROM, NOTICE_IDS_FROM = 987_650, 876_540


def ids_from(table: str, start: int) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [start])
        else:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
            )


@pytest.fixture
def two_reports(call_api: ApiCaller) -> dict[str, Any]:
    ids_from("cases_item", ITEM_IDS_FROM)
    ids_from("cases_notice", NOTICE_IDS_FROM)
    status, kcsc = call_api("analyst", "post", "/requests", request_body("https://t.me/shared/3"))
    assert status == 201
    ids_from("cases_item", 100)  # Centre A's own ids: nowhere near KCSC's
    ids_from("cases_notice", 100)
    body = request_body("https://T.ME/s/Shared/3", "https://t.me/own/1")
    status, centre = call_api("caseworker_a", "post", "/requests", body)
    assert status == 201
    item, notice = kcsc["items"][0]["id"], kcsc["notices"][0]["id"]
    assert str(item).startswith("98765") and str(notice).startswith("87654")
    return {"kcsc": kcsc, "centre": centre, "item": item, "notice": notice}


def leaks(text: str, reports: dict[str, Any]) -> list[str]:
    secrets = [str(reports["item"]), str(reports["notice"]), reports["kcsc"]["case_id"]]
    return [secret for secret in secrets if secret in text]


def test_the_receipt_says_another_organisation_and_names_none_of_its_ids(
    call_api: ApiCaller, two_reports: dict[str, Any]
) -> None:
    centre = two_reports["centre"]
    duplicate = centre["items"][0]
    assert duplicate["state"] == "duplicate" and duplicate["duplicate_of"] is None
    assert duplicate["duplicate_note"] == ANOTHER_ORGANISATION
    assert duplicate["follows_state"] == "notified"
    assert leaks(str(centre), two_reports) == []

    status, case = call_api("caseworker_a", "get", f"/requests/{centre['case_id']}")
    assert status == 200 and leaks(str(case), two_reports) == []
    status, listed = call_api("caseworker_a", "get", "/requests")
    assert status == 200 and leaks(str(listed), two_reports) == []


def test_the_duplicate_learns_the_outcome_and_still_names_nothing(
    call_api: ApiCaller, two_reports: dict[str, Any]
) -> None:
    backends.FAKE_RESPONSES["https://t.me/s/shared/3"] = (404, "")
    path = f"/notices/{two_reports['notice']}/items/{two_reports['item']}/action"
    assert call_api("telegram_mod", "post", path, {"action": "removed"})[0] == 200
    drain_ready_tasks()
    assert Item.objects.get(pk=two_reports["item"]).state == "confirmed_removed"

    centre = two_reports["centre"]
    status, case = call_api("caseworker_a", "get", f"/requests/{centre['case_id']}")
    duplicate = case["items"][0]
    assert duplicate["state"] == "duplicate"  # its own state: it was never on a notice
    assert duplicate["follows_state"] == "confirmed_removed"
    assert duplicate["confirmed_removed_at"] is not None
    status, news = call_api("caseworker_a", "get", "/news")
    assert status == 200 and any(n["state"] == "confirmed_removed" for n in news)
    assert leaks(str(case), two_reports) == [] and leaks(str(news), two_reports) == []


def test_the_case_page_and_the_evidence_package_name_none_of_its_ids(
    call_api: ApiCaller, two_reports: dict[str, Any]
) -> None:
    case_id = two_reports["centre"]["case_id"]
    page = signed_in_client("caseworker_a").get(f"/requests/{case_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Already reported by another organisation" in html
    assert leaks(html, two_reports) == []

    token = call_api.directory.tokens["caseworker_a"]
    response = Client().get(f"/api/evidence/cases/{case_id}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        texts = {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                 if not name.endswith(".pdf")}  # fmt: skip
    assert '"duplicate_of_another_organisation": true' in texts["items.json"]
    assert {name: leaks(text, two_reports) for name, text in texts.items()} == {
        name: [] for name in texts
    }
    assert Notice.objects.filter(request__case_id=case_id).count() == 1  # its own URL's
