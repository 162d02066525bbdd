"""The paged lists on the pages, the review page acting in place, and the import page."""

import re
from typing import Any

from hotline.cases.models import Item, Notice, TakedownRequest
from tests.api.conftest import file_request
from tests.conftest import ApiCaller, request_body
from tests.web.conftest import SignIn


def rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr")


def total(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found, "no pager on the page"
    return int(found.group(1))


def test_the_queue_pages_with_a_count_and_filters(sign_in: SignIn, call_api: ApiCaller) -> None:
    file_request(call_api, "caseworker_a", *[f"https://t.me/q/{n}" for n in range(12)])
    file_request(call_api, "caseworker_b", "https://t.me/q/urgent", urgent=True)
    file_request(call_api, "caseworker_a", "https://x.com/x/status/1")  # not Telegram's
    client = sign_in("telegram_mod")
    first = client.get("/queue/?limit=5").content.decode()
    assert (total(first), rows(first)) == (13, 5)
    urgent = Notice.objects.get(urgent=True).pk
    assert f"Notice {urgent}<" in first.split("<tbody>")[1].split("</tr>")[0]  # urgent first
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&")).content.decode()
    assert (total(second), rows(second)) == (13, 5)
    assert total(client.get("/queue/?urgent=true").content.decode()) == 1
    assert total(client.get("/queue/?q=q/1").content.decode()) == 3  # q/1, q/10, q/11
    assert total(sign_in("x_mod").get("/queue/").content.decode()) == 1


def test_the_dashboard_pages_and_searches_only_the_centres_own_cases(
    sign_in: SignIn, call_api: ApiCaller
) -> None:
    mine = [file_request(call_api, "caseworker_a", f"https://t.me/d/{n}") for n in range(4)]
    theirs = file_request(call_api, "caseworker_b", "https://t.me/d/1")
    client = sign_in("caseworker_a")
    page = client.get("/requests/?limit=3").content.decode()
    cases = page.split('id="cases-heading"', 1)[1]
    assert total(cases) == 4 and cases.count('<td><a href="/requests/HL-') == 3
    found = client.get(f"/requests/?q={mine[1]['case_id']}").content.decode()
    assert total(found.split('id="cases-heading"', 1)[1]) == 1
    by_url = client.get("/requests/?q=t.me/d/1").content.decode()
    assert total(by_url.split('id="cases-heading"', 1)[1]) == 1
    assert theirs["case_id"] not in client.get("/requests/?q=t.me/d").content.decode()
    assert client.get("/requests/?deadline=someday").status_code == 400


def test_a_big_notice_pages_its_items_and_an_action_redraws_only_its_row(
    sign_in: SignIn, call_api: ApiCaller
) -> None:
    receipt = file_request(call_api, "caseworker_a", *[f"https://t.me/r/{n}" for n in range(120)])
    notice = receipt["notices"][0]["id"]
    client = sign_in("telegram_mod")
    page = client.get(f"/notices/{notice}/").content.decode()
    assert (total(page), page.count("data-review-item")) == (120, 50)
    item = Item.objects.get(notice_id=notice, position=3)
    answer = client.post(
        f"/notices/{notice}/items/{item.pk}/act/",
        {"action": "removed", "back": f"/notices/{notice}/?cursor=abc#item-{item.pk}"},
        HTTP_ACCEPT="application/json",
    )
    body = answer.json()
    assert (answer.status_code, body["ok"]) == (200, True)
    assert body["html"].count("data-review-item") == 1 and f'id="item-{item.pk}"' in body["html"]
    assert "data-awaiting" not in body["html"]
    item.refresh_from_db()
    assert item.state == "removed"
    # Acting twice is refused, in the same shape, and the row shows the settled item.
    again = client.post(
        f"/notices/{notice}/items/{item.pk}/act/",
        {"action": "removed"},
        HTTP_ACCEPT="application/json",
    )
    assert (again.status_code, again.json()["ok"]) == (409, False)
    # Without the script, the plain form goes back to the same page of items.
    other = Item.objects.get(notice_id=notice, position=60)
    back = f"/notices/{notice}/?q=r/6#item-{other.pk}"
    plain = client.post(
        f"/notices/{notice}/items/{other.pk}/act/", {"action": "restricted", "back": back}
    )
    assert (plain.status_code, plain["Location"]) == (302, back)
    assert sign_in("x_mod").get(f"/notices/{notice}/items/{item.pk}/act/").status_code in (403, 405)


def import_form(lines: str, **fields: Any) -> dict[str, Any]:
    body = request_body()
    legal = body.pop("legal")
    form = {
        "category": body["category"],
        "reasons": body["reasons"],
        "legal_bases": ["take_it_down", "dsa_art16"],
        "urls": lines,
        "client_reference": "web-form-1",
        **legal,
        "bona_fide_statement": "on",
    }
    return {**form, **fields}


def test_the_import_page_files_good_lines_and_lists_the_bad_ones(sign_in: SignIn) -> None:
    lines = [f"https://t.me/i/{n}" for n in range(40)]
    lines[10], lines[30] = "no such url", "https://t.me/i/x,md5:12"
    client = sign_in("caseworker_a")
    page = client.post("/requests/import/", import_form("\n".join(lines))).content.decode()
    assert "Lines filed: 38" in page and "Lines not filed: 2" in page
    assert re.findall(r"<tr><td>(\d+)</td>", page) == ["11", "31"]
    assert TakedownRequest.objects.filter(organisation__name="Centre A").count() == 1
    # The same form sent again files nothing twice.
    client.post("/requests/import/", import_form("\n".join(lines)))
    assert Item.objects.count() == 38


def test_the_import_page_files_nothing_when_the_request_is_incomplete(sign_in: SignIn) -> None:
    page = sign_in("caseworker_a").post(
        "/requests/import/", import_form("https://t.me/i/1", signature="")
    )
    assert page.status_code == 200 and "Nothing was filed" in page.content.decode()
    assert TakedownRequest.objects.count() == 0
