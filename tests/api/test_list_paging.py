"""Every list of the API pages by cursor with a total, filters, and shows only one's own rows."""

from typing import Any

import pytest
from django.test import Client

from hotline.cases.models import Notice
from hotline.core import clock
from tests.api.conftest import file_request
from tests.conftest import ApiCaller, Directory


def get(directory: Directory, who: str, path: str) -> tuple[int, Any, dict[str, str]]:
    response = Client().get(f"/api{path}", HTTP_AUTHORIZATION=f"Bearer {directory.tokens[who]}")
    return response.status_code, response.json(), dict(response.headers)


@pytest.fixture
def cases(call_api: ApiCaller) -> dict[str, str]:
    """Five of Centre A's requests (urgent, X, triage, overdue...), one of Centre B's."""
    made = {
        "telegram": file_request(call_api, "caseworker_a", "https://t.me/alpha/1"),
        "urgent": file_request(call_api, "caseworker_a", "https://t.me/beta/2", urgent=True),
        "x": file_request(call_api, "caseworker_a", "https://x.com/someone/status/9"),
        "triage": file_request(call_api, "caseworker_a", "https://unknown.example/p"),
        "late": file_request(call_api, "caseworker_a", "https://t.me/gamma/3"),
        "other": file_request(call_api, "caseworker_b", "https://t.me/alpha/77"),
    }
    late = Notice.objects.get(request__case_id=made["late"]["case_id"])
    late.deadline_at = clock.now().replace(year=2020)
    late.save()
    return {name: receipt["case_id"] for name, receipt in made.items()}


def case_ids(directory: Directory, who: str, query: str) -> list[str]:
    status, rows, _ = get(directory, who, f"/requests?{query}")
    assert status == 200, rows
    return [r["case_id"] for r in rows]


# Each query and the requests of Centre A it lists, newest first.
REQUEST_FILTERS = [
    ("", ["late", "triage", "x", "urgent", "telegram"]),
    ("state=triage", ["triage"]),
    ("platform=x", ["x"]),
    ("platform=Telegram", ["late", "urgent", "telegram"]),
    ("urgent=true", ["urgent"]),
    ("urgent=false&platform=telegram", ["late", "telegram"]),
    ("deadline=overdue", ["late"]),
    ("deadline=due&platform=telegram", ["urgent", "telegram"]),
    ("deadline=closed", []),
    ("q=alpha", ["telegram"]),  # Centre B's alpha/77 stays out of sight
    ("q=someone/status", ["x"]),
    ("filed_from=2000-01-01&filed_to=2999-12-31", ["late", "triage", "x", "urgent", "telegram"]),
    ("filed_to=2000-01-01", []),
]
# Each query that means nothing and the parameter its 422 names.
REFUSED = [
    ("state=gone", "state"),
    ("deadline=soon", "deadline"),
    ("urgent=maybe", "urgent"),
    ("filed_from=yesterday", "filed_from"),
    ("limit=0", "limit"),
    ("limit=501", "limit"),
    ("cursor=not-a-cursor", "cursor"),
]


def test_requests_filter_and_refuse_what_means_nothing(
    directory: Directory, cases: dict[str, str]
) -> None:
    # One world for the whole table: filing it is most of the time.
    for query, names in REQUEST_FILTERS:
        assert case_ids(directory, "caseworker_a", query) == [cases[n] for n in names], query
    assert case_ids(directory, "caseworker_a", f"q={cases['x']}") == [cases["x"]]
    for query, element in REFUSED:
        for path in ("/requests", "/notices"):
            status, body, _ = get(directory, "caseworker_a", f"{path}?{query}")
            assert (status, body["error"], body["details"]) == (
                422,
                "invalid",
                [{"element": element}],
            ), (path, query)


def test_pages_follow_the_cursor_to_the_end_with_the_total_on_each(
    directory: Directory, cases: dict[str, str]
) -> None:
    seen, path, totals = [], "/requests?limit=2", set()
    while path:
        status, rows, headers = get(directory, "caseworker_a", path)
        assert status == 200 and len(rows) <= 2
        seen += [r["case_id"] for r in rows]
        totals.add(headers["X-Total-Count"])
        cursor = headers.get("X-Next-Cursor")
        assert ("Link" in headers) == bool(cursor)
        path = f"/requests?limit=2&cursor={cursor}" if cursor else ""
    assert seen == case_ids(directory, "caseworker_a", "") and totals == {"5"}


def test_notices_page_open_first_and_filter(directory: Directory, cases: dict[str, str]) -> None:
    status, rows, headers = get(directory, "caseworker_a", "/notices?limit=1&platform=telegram")
    assert (status, headers["X-Total-Count"], len(rows)) == (200, "3", 1)
    assert rows[0]["case_id"] == cases["urgent"]  # urgent first
    _, rows, _ = get(directory, "caseworker_a", "/notices?deadline=overdue")
    assert [r["case_id"] for r in rows] == [cases["late"]]
    # The platform sees the notices addressed to it, of every centre, and no other platform's.
    _, rows, headers = get(directory, "telegram_mod", "/notices?q=alpha")
    assert sorted(r["case_id"] for r in rows) == sorted([cases["telegram"], cases["other"]])
    _, rows, headers = get(directory, "telegram_mod", "/notices?platform=x")
    assert (rows, headers["X-Total-Count"]) == ([], "0")


def test_nobody_sees_another_organisations_rows_under_any_filter(
    directory: Directory, cases: dict[str, str]
) -> None:
    for who, visible in (("caseworker_b", set()), ("analyst", set()), ("x_mod", {cases["x"]})):
        assert_none_seen(directory, cases, who, visible)


def assert_none_seen(
    directory: Directory, cases: dict[str, str], who: str, visible: set[str]
) -> None:
    mine = {cases[n] for n in ("telegram", "urgent", "x", "triage", "late")} - visible
    for query in ("", "q=alpha", "state=notified", "platform=telegram", "deadline=overdue"):
        for path in ("/requests", "/notices"):
            status, rows, headers = get(directory, who, f"{path}?{query}")
            if status == 403:  # a moderator reads no requests
                continue
            assert not mine & {r["case_id"] for r in rows}, (who, path, query)
            assert int(headers["X-Total-Count"]) == len(rows)


def test_a_notice_pages_its_items(call_api: ApiCaller, directory: Directory) -> None:
    receipt = file_request(call_api, "caseworker_a", *[f"https://t.me/many/{n}" for n in range(7)])
    (notice,) = receipt["notices"]
    status, rows, headers = get(directory, "telegram_mod", f"/notices/{notice['id']}/items?limit=5")
    assert (status, headers["X-Total-Count"], [r["position"] for r in rows]) == (
        200,
        "7",
        [1, 2, 3, 4, 5],
    )
    cursor = headers["X-Next-Cursor"]
    path = f"/notices/{notice['id']}/items?limit=5&cursor={cursor}"
    _, rows, _ = get(directory, "telegram_mod", path)
    assert [r["position"] for r in rows] == [6, 7]
    _, rows, _ = get(directory, "telegram_mod", f"/notices/{notice['id']}/items?q=many/3")
    assert [r["position"] for r in rows] == [4]
    assert get(directory, "x_mod", f"/notices/{notice['id']}/items")[0] == 404


def test_triage_pages_and_searches(directory: Directory, call_api: ApiCaller) -> None:
    urls = [f"https://nowhere{n}.example/p" for n in range(3)]
    file_request(call_api, "caseworker_a", *urls)
    file_request(call_api, "caseworker_b", "https://nowhere1.example/theirs")
    status, rows, headers = get(directory, "caseworker_a", "/triage?limit=2")
    assert (status, len(rows), headers["X-Total-Count"]) == (200, 2, "3")
    _, rows, headers = get(directory, "caseworker_a", "/triage?q=nowhere1")
    assert ([r["url"] for r in rows], headers["X-Total-Count"]) == ([urls[1]], "1")
