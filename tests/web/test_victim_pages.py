"""The victim pages: a centre files for a victim by its own reference and follows her items."""

import re
from typing import Any

from hotline.cases.models import TakedownRequest, Victim
from tests.api.conftest import file_request
from tests.conftest import ApiCaller, request_body
from tests.web.conftest import SignIn


def request_form(*urls: str, **fields: Any) -> dict[str, Any]:
    body = request_body()
    legal = body.pop("legal")
    form = {
        "category": body["category"],
        "reasons": body["reasons"],
        "legal_bases": ["take_it_down", "dsa_art16"],
        "urls": "\n".join(urls),
        "client_reference": "web-victim-form-1",
        **legal,
        "bona_fide_statement": "on",
    }
    return {**form, **fields}


def total(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found, "no pager on the page"
    return int(found.group(1))


def test_the_request_form_files_for_a_victim_and_the_case_links_her_page(
    sign_in: SignIn, call_api: ApiCaller
) -> None:
    client = sign_in("caseworker_a")
    form = client.get("/requests/new/").content.decode()
    assert 'name="victim_reference"' in form and "platforms never see it" in form
    answer = client.post(
        "/requests/new/", request_form("https://t.me/w/1", victim_reference="v-w1")
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    request = TakedownRequest.objects.get()
    assert request.victim is not None and request.victim.reference == "V-W1"
    case = client.get(answer["Location"]).content.decode()
    assert 'id="victim-link"' in case and 'href="/victims/V-W1/"' in case
    dashboard = client.get("/requests/").content.decode()
    assert 'href="/victims/"' in dashboard and 'href="/victims/V-W1/"' in dashboard


def test_a_reference_that_looks_like_personal_data_is_named_on_the_form(sign_in: SignIn) -> None:
    page = sign_in("caseworker_a").post(
        "/requests/new/", request_form("https://t.me/w/1", victim_reference="010-1234-5678")
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-element="victim_reference"' in html
    assert "A pseudonymous victim reference" in html
    assert "victim_reference looks like a phone number" in html
    assert not TakedownRequest.objects.exists() and not Victim.objects.exists()


def test_the_same_form_sent_again_with_other_content_is_refused_and_files_nothing(
    sign_in: SignIn,
) -> None:
    client = sign_in("caseworker_a")
    client.post("/requests/new/", request_form("https://t.me/w/1"))
    page = client.post("/requests/new/", request_form("https://t.me/w/2"), follow=True)
    html = page.content.decode()
    assert page.status_code == 200
    assert "was already used for case" in html and "(items)" in html
    assert TakedownRequest.objects.count() == 1


def test_the_victims_list_counts_open_and_still_up_items_and_searches(
    sign_in: SignIn, call_api: ApiCaller
) -> None:
    for n in range(3):
        file_request(call_api, "caseworker_a", f"https://t.me/l/{n}", victim_reference=f"V-L{n}")
    file_request(call_api, "caseworker_a", "https://t.me/l/9", victim_reference="V-L0")
    file_request(call_api, "caseworker_b", "https://t.me/l/8", victim_reference="V-THEIRS")
    client = sign_in("caseworker_a")
    page = client.get("/victims/?limit=2").content.decode()
    assert total(page) == 3 and page.count('href="/victims/V-L') == 2
    assert "V-THEIRS" not in page
    following = re.search(r'href="([^"]+)" rel="next"', page)
    assert following
    second = client.get(following.group(1).replace("&amp;", "&")).content.decode()
    assert 'href="/victims/V-L0/"' in second
    row = second.split('href="/victims/V-L0/"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["2", "2", "2", "2"]
    found = client.get("/victims/?q=l1").content.decode()
    assert total(found) == 1 and 'href="/victims/V-L1/"' in found
    assert "No victim reference matches" in client.get("/victims/?q=nobody").content.decode()
    assert client.get("/victims/?limit=0").status_code == 400


def test_the_victim_page_shows_her_items_across_cases_and_filters_them(
    sign_in: SignIn, call_api: ApiCaller
) -> None:
    first = file_request(
        call_api,
        "caseworker_a",
        "https://t.me/p/1",
        "https://unknown-host.example/p",
        victim_reference="V-P",
    )
    second = file_request(
        call_api, "caseworker_a", "https://x.com/p/status/1", victim_reference="V-P"
    )
    file_request(call_api, "caseworker_a", "https://t.me/p/other", victim_reference="V-Q")
    client = sign_in("caseworker_a")
    page = client.get("/victims/v-p/").content.decode()
    assert "Victim V-P" in page
    assert "Cases: 2" in page and "Items: 3" in page and "Still up: 3" in page
    assert first["case_id"] in page and second["case_id"] in page
    assert "https://t.me/p/other" not in page
    items = page.split('id="victim-items"', 1)[1]
    assert total(page.split('id="items-heading"', 1)[1]) == 3
    assert items.count('class="still-up"><strong>Still up') == 3
    assert total(client.get("/victims/V-P/?state=triage").content.decode()) == 1
    dashboard = client.get("/requests/?victim=V-P").content.decode()
    cases = dashboard.split('id="cases-heading"', 1)[1]
    assert total(cases) == 2 and 'id="victim-filter"' in cases
    assert (
        total(client.get("/requests/?q=v-q").content.decode().split('id="cases-heading"')[1]) == 1
    )
    # Another centre: the same answer as for a reference that exists nowhere.
    other = sign_in("caseworker_b")
    assert other.get("/victims/V-P/").status_code == 404
    assert other.get("/victims/V-NOWHERE/").status_code == 404
    # A platform's queue cannot be asked about a victim.
    assert sign_in("telegram_mod").get("/queue/?victim=V-P").status_code == 400


def test_the_victim_pages_speak_korean(sign_in: SignIn, call_api: ApiCaller) -> None:
    file_request(call_api, "caseworker_a", "https://t.me/k/1", victim_reference="V-K")
    client = sign_in("caseworker_a")
    listing = client.get("/victims/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    page = client.get("/victims/V-K/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "피해자" in listing and "피해자" in page
    assert "Still up" not in page and "Victims" not in listing.split("<main", 1)[1]


def test_the_import_page_files_every_line_for_the_victim(sign_in: SignIn) -> None:
    client = sign_in("caseworker_a")
    form = request_form(victim_reference="V-IMPORT")
    form["urls"] = "\n".join(f"https://t.me/imp/{n}" for n in range(3))
    page = client.post("/requests/import/", form).content.decode()
    assert "Lines filed: 3" in page
    assert set(TakedownRequest.objects.values_list("victim__reference", flat=True)) == {"V-IMPORT"}
    # The same lines for another victim are another import, filed for her.
    client.post("/requests/import/", {**form, "victim_reference": "V-IMPORT-2"})
    assert Victim.objects.get(reference="V-IMPORT-2").requests.count() == 1
    bad = client.post("/requests/import/", {**form, "victim_reference": "a@b.example"})
    assert "victim_reference looks like an email address" in bad.content.decode()
