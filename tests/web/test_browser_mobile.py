"""Every page on a phone, in Korean: 390x844 in headless Chromium, signed in as each role.

The pages are the ones the no-5xx crawler (tests/e2e/crawler.py) finds for that role — every
web URL pattern filled with real ids, every list with its filters, every same-origin link
followed — keeping those that answer 200 with HTML. On each the page must not scroll
sideways (`scrollWidth <= innerWidth`), and no visible header cell, label, legend or button
with more than two Korean syllables may be squeezed narrower than two of them, which is what
"one syllable per line" looks like.
"""

import re
from typing import Any

from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from hotline.accounts.two_factor import totp_code_now, totp_enrol_directly
from hotline.cases.models import Notice
from tests.api.conftest import World
from tests.e2e.crawler import Crawl, Ids, web_urls
from tests.web.conftest import signed_in_client
from tests.web.test_browser import SCREENSHOTS, browser

__all__ = ["browser"]

PHONE = {"width": 390, "height": 844}
ROLES = {"reporter": "caseworker_a", "moderator": "telegram_mod", "auditor": "auditor"}
# The same page with other filters or another page of a list looks the same: one of each
# shape of path and query keys is enough to keep the run short.
PER_SHAPE = 2
# What people paste: a long link with no space in it, and a long Korean word.
LONG = (
    "https://t.me/roomofa/7?comment="
    + "a1b2c3" * 15
    + " 디지털성범죄피해자지원센터에서확인한게시물"
)

MEASURE = """() => {
  const out = {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
               lang: document.documentElement.lang, wide: [], squeezed: []};
  const hangul = /[\\uac00-\\ud7a3]/g;
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > window.innerWidth + 1 && r.width > 0) {
      let scroller = el.parentElement, inside = false;
      while (scroller && scroller !== document.body) {
        const o = getComputedStyle(scroller).overflowX;
        if (o === "auto" || o === "scroll" || o === "hidden") { inside = true; break; }
        scroller = scroller.parentElement;
      }
      if (!inside) {
        out.wide.push(el.tagName.toLowerCase() + "." + el.className + " " + Math.round(r.right));
      }
    }
  }
  for (const el of document.querySelectorAll("th, label, legend, button, .button")) {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (s.display === "none" || s.visibility === "hidden") continue;
    if (r.width <= 1 || r.height <= 1) continue;
    if (el.closest(".visually-hidden")) continue;
    const glyphs = ((el.innerText || "").match(hangul) || []).length;
    if (glyphs <= 2) continue;
    const inner = r.width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
                  - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    if (inner < 2 * parseFloat(s.fontSize)) {
      const text = el.innerText.trim().slice(0, 30);
      out.squeezed.push(el.tagName.toLowerCase() + " '" + text + "' " + Math.round(inner) + "px");
    }
  }
  out.wide = out.wide.slice(0, 5);
  return out;
}"""


def _shape(url: str) -> str:
    path, _q, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(keys)


def pages_for(username: str) -> list[str]:
    """The crawler's pages for this person, one or two of each shape."""
    crawl = Crawl(who=username, client=signed_in_client(username))
    crawl.client.raise_request_exception = False
    crawl.visit(web_urls(Ids.from_database()))
    shapes: dict[str, int] = {}
    chosen = []
    for url in sorted(crawl.pages()):
        shape = _shape(url)
        if shapes.get(shape, 0) < PER_SHAPE:
            shapes[shape] = shapes.get(shape, 0) + 1
            chosen.append(url)
    return chosen


def check(page: Page, url: str) -> list[str]:
    page.goto(url)
    seen: dict[str, Any] = page.evaluate(MEASURE)
    problems = []
    if seen["lang"] != "ko":
        problems.append(f"{url}: not in Korean (lang={seen['lang']})")
    assert seen["innerWidth"] == PHONE["width"], seen  # a mobile layout viewport would grow
    if seen["scrollWidth"] > seen["innerWidth"]:
        problems.append(f"{url}: scrolls sideways ({seen['scrollWidth']}px): {seen['wide']}")
    problems += [f"{url}: squeezed {s}" for s in seen["squeezed"]]
    return problems


def test_every_page_of_every_role_fits_a_phone_in_korean(
    browser: Browser, live_server: Any, world: World
) -> None:
    # Some state to show: a question, a rejection, a check's outcome on the timeline.
    moderator = signed_in_client("telegram_mod")
    notice = Notice.objects.get(pk=world.telegram_notice)
    moderator.post(
        f"/notices/{notice.pk}/items/{world.telegram_item}/act/",
        {
            "action": "needs_info",
            "question": f"어느 게시물인가요? 채팅방의 몇 번째 메시지인지요. {LONG}",
        },
    )
    x_moderator = signed_in_client("x_mod")
    x_moderator.post(
        f"/notices/{world.x_notice}/items/{world.x_item}/act/",
        {"action": "rejected", "reason": "insufficient_information", "note": f"출처 불명 {LONG}"},
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "reporter": f"/requests/{world.case_a}/",
        "moderator": f"/notices/{notice.pk}/",
        "auditor": "/compliance/",
    }
    problems: list[str] = []
    visited = 0
    for role, username in ROLES.items():
        urls = pages_for(username)
        assert len(urls) >= 5, (role, urls)
        context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="ko-KR")
        page = context.new_page()
        page.goto("/login/")
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        sign_in_korean(page, username)
        for url in urls:
            problems += check(page, url)
            visited += 1
        assert shots[role] in urls, (role, shots[role])
        page.goto(shots[role])
        page.screenshot(path=str(SCREENSHOTS / f"20-mobile-{role}.png"), full_page=True)
        context.close()
    # The pages without an account: sign-in and self-service.
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="ko-KR")
    page = context.new_page()
    for url in ("/login/", "/self/"):
        problems += check(page, url)
        visited += 1
    context.close()
    print(f"{visited} pages checked at 390 px in Korean")  # with -s
    assert problems == [], "\n".join(problems)


def sign_in_korean(page: Page, username: str) -> None:
    """Password, then the authenticator's code, on the Korean sign-in pages."""
    user = get_user_model().objects.get(username=username)
    device = totp_enrol_directly(user=user, actor="t")
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(f"pw-{username}")
    page.get_by_role("button", name="계속").click()
    page.locator("#id_code").fill(totp_code_now(device=device))
    page.get_by_role("button", name="로그인").click()
    expect(page.locator("form.logout")).to_be_visible()
