"""Journeys in headless Chromium: file a request, moderate a notice by keyboard, read a report.

Screenshots of the main pages are kept under artifacts/screenshots/ for people to look at.
"""

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect, sync_playwright

from hotline.accounts.two_factor import totp_code_now, totp_enrol_directly
from hotline.cases.models import Item, Message
from tests.api.conftest import World

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (as root)")
    # Playwright's sync API keeps an event loop in this thread for the whole module; the ORM
    # calls of the tests and of the database teardown are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server.url, locale="en-GB")
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, username: str) -> None:
    device = totp_enrol_directly(user=get_user_model().objects.get(username=username), actor="t")
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code").fill(totp_code_now(device=device))
    page.get_by_role("button", name="Sign in").click()


def test_a_caseworker_files_a_request(page: Page, world: World) -> None:
    page.goto("/login/")
    shot(page, "01-login")
    sign_in(page, "caseworker_a")
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()
    shot(page, "02-reporter-dashboard")
    page.get_by_role("link", name="New request", exact=True).first.click()
    page.get_by_label("Why the content is illegal").fill("A sexual deepfake of a teacher.")
    page.get_by_label("URLs, one per line").fill("https://t.me/newroom/1\nhttps://x.com/a/status/9")
    page.get_by_role("button", name="File the request").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Signature of the depicted person")
    expect(problems).to_contain_text("take_it_down.signature")
    shot(page, "03-request-form-missing-elements")
    page.get_by_label("Signature", exact=True).fill("/s/ J. Doe")
    page.get_by_label("Good-faith statement").fill("Not consensual, in good faith.")
    page.get_by_label("Contact information").fill("jd@example.org")
    page.get_by_label("Notifier's name").fill("Centre A")
    page.get_by_label("Notifier's email").fill("centre@example.org")
    page.get_by_label("I believe in good faith").check()
    page.get_by_label("Victim reference").fill("V-2024-0012")
    # A file without a URL has no "exact location" (DSA): filed under TAKE IT DOWN only.
    page.get_by_label("EU Digital Services Act, Art. 16").uncheck()
    page.locator("#id_media").set_input_files(
        files=[{"name": "synthetic.png", "mimeType": "image/png", "buffer": _test_image()}]
    )
    expect(page.locator("#media-hashes")).to_contain_text("sha256")
    page.get_by_role("button", name="File the request").click()
    expect(page.get_by_role("heading", name=re.compile(r"Case HL-"))).to_be_visible()
    shot(page, "04-case-page")
    item = Item.objects.filter(request__organisation__name="Centre A", url="").get()
    assert {s["type"] for s in item.signals} == {"pdq", "md5", "sha256"}
    # Her page: every item of hers across cases, whether each is still up.
    page.locator("#victim-link").click()
    expect(page.get_by_role("heading", name="Victim V-2024-0012")).to_be_visible()
    expect(page.locator("#victim-items tbody tr")).to_have_count(3)
    expect(page.locator("#still-up-count")).to_contain_text("Still up: 3")
    shot(page, "05-victim-page")


def _test_image() -> bytes:
    """A synthetic picture: shapes only, nothing of anyone."""
    image = Image.new("RGB", (256, 256), "white")
    draw = ImageDraw.Draw(image)
    for k in range(8):
        draw.rectangle((k * 16, k * 12, 255 - k * 10, 255 - k * 14), outline=(k * 30, 90, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_moderator_reviews_a_notice_by_keyboard(page: Page, world: World) -> None:
    sign_in(page, "telegram_mod")
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    shot(page, "05-platform-queue")
    page.get_by_role("link", name=f"Notice {world.telegram_notice}").first.click()
    expect(page.locator(".review-item.current")).to_have_count(1)
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    shot(page, "06-review-shortcut-help")
    page.keyboard.press("?")
    page.keyboard.press("i")
    page.keyboard.type("Which post in the room is meant?")
    page.keyboard.press("Enter")
    expect(page.locator(".message.success")).to_be_visible()
    item = Item.objects.get(pk=world.telegram_item)
    assert item.state == "info_requested"
    page.keyboard.press("x")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(".message.success")).to_be_visible()
    item.refresh_from_db()
    assert item.state == "rejected" and item.rejection_reason == "not_illegal"
    assert Message.objects.filter(kind="question", item=item).exists()
    shot(page, "07-review-after-actions")


def test_a_moderator_removes_with_r_and_opens_a_url_only_after_a_warning(
    page: Page, world: World
) -> None:
    sign_in(page, "telegram_mod")
    page.goto(f"/notices/{world.telegram_notice}/")
    page.get_by_role("link", name="Open URL (with a warning)…").click()
    expect(page.get_by_role("alert")).to_contain_text("non-consensual intimate imagery")
    shot(page, "08-open-url-warning")
    page.get_by_role("link", name="Back to the notice").click()
    # A key pressed before review.js has chosen the current item reaches no item (CI saw it).
    expect(page.locator("[data-review-item].current")).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator(".message.success")).to_be_visible()
    assert Item.objects.get(pk=world.telegram_item).state == "removed"


def test_an_analyst_reads_a_report_and_exports_it(page: Page, world: World) -> None:
    sign_in(page, "analyst")
    page.get_by_role("link", name="Compliance").click()
    shot(page, "09-compliance-index")
    page.get_by_role("link", name="Telegram").click()
    expect(page.locator("svg.chart")).to_have_count(2)
    shot(page, "10-compliance-telegram")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Export CSV").click()
    csv_text = Path(csv_download.value.path()).read_text()
    assert csv_text.startswith("platform,jurisdiction,items_received")
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Export PDF report").click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")


def test_the_interface_speaks_korean(page: Page, world: World) -> None:
    sign_in(page, "caseworker_a")
    page.get_by_label("Language").select_option("ko")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="내 요청")).to_be_visible()
    page.goto(f"/requests/{world.case_a}/")
    shot(page, "11-case-page-korean")
