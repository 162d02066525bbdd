"""Table-driven tests for the gone/present rule, on handcrafted Telegram-like pages."""

from datetime import UTC, datetime

import pytest

from hotline.verification.fetchers import FetchResult
from hotline.verification.rules import Judgement, Verdict, judge, verification_url

GONE, PRESENT, INCONCLUSIVE = Verdict.GONE, Verdict.PRESENT, Verdict.INCONCLUSIVE


def post(key: str, text: str = "a post") -> str:
    return (
        f'<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" '
        f'data-post="{key}"><div class="tgme_widget_message_text">{text}</div></div></div>'
    )


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def og_title(title: str) -> str:
    return f'<meta property="og:title" content="{title}"><title>{title}</title>'


PREVIEW_WITH_POST = page(
    og_title("Some Channel"),
    '<div class="tgme_channel_info"><div class="tgme_channel_info_header_title">Some Channel</div>'
    "</div>" + post("somechannel/11") + post("somechannel/12") + post("somechannel/13"),
)
PREVIEW_WITHOUT_POST = page(
    og_title("Some Channel"),
    '<div class="tgme_channel_info"></div>' + post("somechannel/11") + post("somechannel/13"),
)
PREVIEW_OTHER_CHANNEL = page(og_title("Other"), post("otherchannel/12"))
PREVIEW_MIXED_CASE = page(og_title("Some Channel"), post("SomeChannel/12"))
CHANNEL_PAGE = page(
    og_title("Some Channel"),
    '<div class="tgme_page"><div class="tgme_page_title"><span dir="auto">Some Channel</span>'
    '</div><div class="tgme_page_extra">12 345 subscribers</div>'
    '<div class="tgme_page_description">A channel.</div>'
    '<a class="tgme_action_button_new" href="https://t.me/s/somechannel">Preview channel</a></div>',
)
NOT_FOUND_PLACEHOLDER = page(
    og_title("Telegram: Contact @somechannel"),
    '<div class="tgme_page"><div class="tgme_page_description">If you have '
    "<strong>Telegram</strong>, you can contact "
    '<a class="tgme_username_link" href="tg://resolve?domain=somechannel">@somechannel</a> '
    "right away.</div></div>",
)
BLOCKED_CHANNEL = page(
    og_title("Some Channel"),
    '<div class="tgme_page"><div class="tgme_page_title">Some Channel</div>'
    '<div class="tgme_page_description">This channel can\u2019t be displayed because it '
    "was used to spread pornographic content.</div></div>",
)
BLOCKED_ASCII = page(
    og_title("Some Channel"),
    '<div class="tgme_page_description">This channel can\'t be displayed because it '
    "violated local laws.</div>",
)
DOES_NOT_EXIST = page(
    og_title("Telegram"),
    '<div class="tgme_page_description">Sorry, this channel doesn\'t seem to exist.</div>',
)
PRIVATE = page(
    og_title("Telegram"),
    '<div class="tgme_page_description">This channel is private</div>',
)
EMBED_NOT_FOUND = page(
    "",
    '<div class="tgme_widget_message_error">Post not found</div>',
)
EMBED_WITH_POST = page("", post("somechannel/12"))
# The removal wording inside a post's own text must never be read as Telegram's notice.
POST_QUOTING_NOTICE = page(
    og_title("Some Channel"),
    post("somechannel/12", "This channel can't be displayed because it violated local laws."),
)
UNRELATED_PAGE = page("<title>Telegram Messenger</title>", "<h1>Fast. Secure. Powerful.</h1>")
INVITE_PAGE = page(
    og_title("Join group chat on Telegram"),
    '<div class="tgme_page_title"><span dir="auto">Secret group</span></div>'
    '<div class="tgme_page_extra">1 234 members</div>',
)
EXPIRED_INVITE = page(og_title("Join group chat on Telegram"), '<div class="tgme_page"></div>')

MESSAGE = "https://t.me/somechannel/12"
CHANNEL = "https://t.me/somechannel"
INVITE = "https://t.me/+AbCdEf"

CASES = [
    # (item url, status, body, error, verdict)
    ("https://example.com/x", 404, "", None, GONE),
    ("https://example.com/x", 410, "", None, GONE),
    ("https://example.com/x", 404, "", "too large", GONE),
    (MESSAGE, 404, "", None, GONE),
    ("https://example.com/x", None, "", "timeout", INCONCLUSIVE),
    ("https://example.com/x", None, "", "refused: address 10.0.0.1 is private", INCONCLUSIVE),
    ("https://example.com/x", None, "", "network error: ConnectError: x", INCONCLUSIVE),
    ("https://example.com/x", 500, "", None, INCONCLUSIVE),
    ("https://example.com/x", 503, "", None, INCONCLUSIVE),
    ("https://example.com/x", 429, "", None, INCONCLUSIVE),
    ("https://example.com/x", 403, "", None, INCONCLUSIVE),
    ("https://example.com/x", 451, "", None, INCONCLUSIVE),
    ("https://example.com/x", 302, "", "too many redirects (more than 5)", INCONCLUSIVE),
    ("https://example.com/x", 200, "anything", None, PRESENT),
    ("https://example.com/x", 200, "x" * 10, "too large", PRESENT),
    ("not a url", 200, "", None, PRESENT),
    # Telegram messages
    (MESSAGE, 200, PREVIEW_WITH_POST, None, PRESENT),
    ("https://t.me/s/SomeChannel/12", 200, PREVIEW_WITH_POST, None, PRESENT),
    ("HTTPS://WWW.TELEGRAM.ME/somechannel/12?single", 200, PREVIEW_WITH_POST, None, PRESENT),
    (MESSAGE, 200, PREVIEW_MIXED_CASE, None, PRESENT),
    (MESSAGE, 200, PREVIEW_WITHOUT_POST, None, GONE),
    (MESSAGE, 200, PREVIEW_OTHER_CHANNEL, None, INCONCLUSIVE),
    (MESSAGE, 200, EMBED_WITH_POST, None, PRESENT),
    (MESSAGE, 200, EMBED_NOT_FOUND, None, GONE),
    (MESSAGE, 200, NOT_FOUND_PLACEHOLDER, None, GONE),
    (MESSAGE, 200, BLOCKED_CHANNEL, None, GONE),
    (MESSAGE, 200, POST_QUOTING_NOTICE, None, PRESENT),
    (MESSAGE, 200, CHANNEL_PAGE, None, INCONCLUSIVE),
    (MESSAGE, 200, UNRELATED_PAGE, None, INCONCLUSIVE),
    (MESSAGE, 200, PREVIEW_WITHOUT_POST, "too large", INCONCLUSIVE),
    ("https://t.me/somegroup/5/12", 200, page("", post("somegroup/12")), None, PRESENT),
    # Telegram channels
    (CHANNEL, 200, CHANNEL_PAGE, None, PRESENT),
    (CHANNEL, 200, PREVIEW_WITH_POST, None, PRESENT),
    (CHANNEL, 200, NOT_FOUND_PLACEHOLDER, None, GONE),
    (CHANNEL, 200, BLOCKED_CHANNEL, None, GONE),
    (CHANNEL, 200, BLOCKED_ASCII, None, GONE),
    (CHANNEL, 200, DOES_NOT_EXIST, None, GONE),
    (CHANNEL, 200, PRIVATE, None, GONE),
    (CHANNEL, 200, UNRELATED_PAGE, None, INCONCLUSIVE),
    (CHANNEL, 200, "", None, INCONCLUSIVE),
    (CHANNEL, 200, "<div class='tgme_page_title'", None, INCONCLUSIVE),
    # Invites and private links
    (INVITE, 200, INVITE_PAGE, None, PRESENT),
    (INVITE, 200, EXPIRED_INVITE, None, INCONCLUSIVE),
    (INVITE, 200, BLOCKED_CHANNEL, None, GONE),
    ("https://t.me/c/1234567/89", 200, UNRELATED_PAGE, None, INCONCLUSIVE),
]


def result(url: str, status: int | None, body: str, error: str | None) -> FetchResult:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    sha = None if status is None else "0" * 64
    return FetchResult(url, url, status, sha, body[:2048], body, error, at)


@pytest.mark.parametrize(("url", "status", "body", "error", "verdict"), CASES)
def test_judge(
    url: str, status: int | None, body: str, error: str | None, verdict: Verdict
) -> None:
    judgement = judge(url, result(verification_url(url), status, body, error))
    assert judgement.verdict is verdict, judgement.reason
    assert judgement.reason


def test_reasons_are_specific() -> None:
    assert judge(MESSAGE, result(MESSAGE, 410, "", None)) == Judgement(GONE, "HTTP 410")
    timeout = judge(MESSAGE, result(MESSAGE, None, "", "timeout"))
    assert timeout == Judgement(INCONCLUSIVE, "no response: timeout")
    gone = judge(MESSAGE, result(MESSAGE, 200, PREVIEW_WITHOUT_POST, None))
    assert "somechannel/12" in gone.reason
    blocked = judge(CHANNEL, result(CHANNEL, 200, BLOCKED_CHANNEL, None))
    assert "pornographic" in blocked.reason


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (MESSAGE, "https://t.me/s/somechannel/12"),
        ("HTTPS://WWW.T.ME/S/SomeChannel/12/?single", "https://t.me/s/somechannel/12"),
        ("https://t.me/somegroup/5/12", "https://t.me/s/somegroup/12"),
        (CHANNEL, "https://t.me/somechannel"),
        (INVITE, "https://t.me/+AbCdEf"),
        ("http://www.example.com/a", "http://www.example.com/a"),
        ("not a url", "not a url"),
    ],
)
def test_verification_url(url: str, expected: str) -> None:
    assert verification_url(url) == expected
