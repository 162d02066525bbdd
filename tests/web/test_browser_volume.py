"""Volume in headless Chromium: a caseworker imports 5,000 URLs with 3 bad lines; a moderator
works a notice of 1,000 items (20 pages) by keyboard, each action redrawing its row without a
reload."""

from playwright.sync_api import Page, expect

from hotline.cases.models import Item, TakedownRequest
from hotline.cases.services.intake import MAX_ITEMS
from tests.api.conftest import file_request
from tests.conftest import ApiCaller
from tests.web.test_browser import browser, page, shot, sign_in

__all__ = ["browser", "page"]  # the fixtures of the first browser module, shared

BAD = {1234: "not a url", 2500: "https://t.me/b/1,sha256:short", 4999: "ftp://t.me/b/2"}


def test_a_caseworker_imports_five_thousand_urls_with_three_bad_lines(
    page: Page, directory: object
) -> None:
    lines = [BAD.get(n, f"https://t.me/bulk{n // 100}/{n}") for n in range(1, 5001)]
    sign_in(page, "caseworker_a")
    page.get_by_role("link", name="Import many URLs").click()
    page.get_by_label("Why the content is illegal").fill("Sexual deepfakes of one woman.")
    page.get_by_label("Or a CSV or text file").set_input_files(
        files=[{"name": "urls.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}]
    )
    page.get_by_label("Signature", exact=True).fill("/s/ J. Doe")
    page.get_by_label("Good-faith statement").fill("Not consensual, in good faith.")
    page.get_by_label("Contact information").fill("jd@example.org")
    page.get_by_label("Notifier's name").fill("Centre A")
    page.get_by_label("Notifier's email").fill("centre@example.org")
    page.get_by_label("I believe in good faith").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#filed-count")).to_have_text("Lines filed: 4997", timeout=120_000)
    expect(page.locator("#rejected-count")).to_have_text("Lines not filed: 3")
    rows = page.locator("#rejected-lines tbody tr td:first-child")
    expect(rows).to_have_text(["1234", "2500", "4999"])
    shot(page, "12-import-result")
    assert TakedownRequest.objects.count() == 5
    assert Item.objects.count() == 4997


def test_a_moderator_works_a_paged_notice_by_keyboard(page: Page, call_api: ApiCaller) -> None:
    urls = [f"https://t.me/k{n // 100}/{n}" for n in range(MAX_ITEMS)]
    receipt = file_request(call_api, "caseworker_a", *urls)
    notice = receipt["notices"][0]["id"]
    assert Item.objects.filter(notice_id=notice).count() == 1000
    sign_in(page, "telegram_mod")
    page.goto(f"/notices/{notice}/")
    expect(page.locator("[data-review-item]")).to_have_count(50)
    expect(page.locator(".pager .summary").first).to_have_attribute("data-total", "1000")
    expect(page.locator("#waiting-count")).to_contain_text("1000")
    page.evaluate("window.notReloaded = true")
    page.keyboard.press("r")  # item 1 removed, the next waiting item becomes current
    expect(page.locator("#review-status.message.success")).to_be_visible()
    expect(page.locator(".review-item.current h2")).to_have_text("Item 2")
    page.keyboard.press("s")
    expect(page.locator(".review-item.current h2")).to_have_text("Item 3")
    page.keyboard.press("x")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".review-item.current h2")).to_have_text("Item 4")
    assert page.evaluate("window.notReloaded") is True  # three actions, no page load
    states = dict(
        Item.objects.filter(notice_id=notice, position__lte=4).values_list("position", "state")
    )
    assert states == {1: "removed", 2: "restricted", 3: "rejected", 4: "notified"}
    expect(
        page.locator("#item-" + str(Item.objects.get(notice_id=notice, position=1).pk))
    ).to_contain_text("Reported removed")
    shot(page, "13-review-acted-in-place")
    page.keyboard.press("n")  # the next page of items
    expect(page.locator("[data-review-item]")).to_have_count(50)
    expect(page.locator(".review-item.current h2")).to_have_text("Item 51")
    page.keyboard.press("r")
    expect(page.locator(".review-item.current h2")).to_have_text("Item 52")
    assert Item.objects.get(notice_id=notice, position=51).state == "removed"
    for page_number in range(3, 21):  # on to the last of the 20 pages
        page.keyboard.press("n")
        first = f"Item {(page_number - 1) * 50 + 1}"
        # The next n only once review.js has chosen this page's current item.
        expect(page.locator(".review-item.current h2")).to_have_text(first)
        expect(page.locator("[data-review-item].current")).to_be_focused()
    expect(page.locator("#next-page")).to_have_count(0)
    expect(page.locator("#waiting-count")).to_contain_text("996")
    page.keyboard.press("r")
    expect(page.locator(".review-item.current h2")).to_have_text("Item 952")
    assert Item.objects.get(notice_id=notice, position=951).state == "removed"
    assert Item.objects.filter(notice_id=notice).exclude(state="notified").count() == 5
