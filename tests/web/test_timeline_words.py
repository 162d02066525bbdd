"""The timeline speaks in names and sentences, in English and Korean, and no page shows an
internal id (`item:33`, `moderator@4`), an event's tag, an error code or an exception class."""

import re

from django.test import Client

from hotline.audit.models import Event
from hotline.cases.models import Message
from tests.api.conftest import World
from tests.web.conftest import signed_in_client

# What must never reach a page: an audit subject or actor label, a raw tag, an untranslated
# reason or state code, an exception's class name.
RAW = re.compile(
    r"\b(?:item|notice|request|message|delivery):\d+\b"
    r"|\b\w+@\d+\b"
    r"|in reply to #\d+"
    r"|\b(?:item|notice|request|message|delivery):[a-z_]+\b"
    r"|\bnot_illegal\b|\binfo_requested\b|\bneeds_info\b"
    r"|\b(?:InvalidInput|Conflict|NotFound|PermissionDenied|DomainError|IllegalTransition|"
    r"MediaRefused|\w+Error|\w+Exception)\b"
)


def _visible(html: str) -> str:
    """The page's text and attribute values people can read (not script, style or ids)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(
        r'\s(?:id|for|class|name|data-[\w-]+|aria-\w+|href|action|value)="[^"]*"', "", html
    )


def assert_no_raw_names(html: str) -> None:
    found = RAW.findall(_visible(html))
    assert found == [], found


def _act(client: Client, world: World, **form: str) -> None:
    client.post(f"/notices/{world.telegram_notice}/items/{world.telegram_item}/act/", form)


def test_the_case_timeline_says_who_did_what_to_which_item(world: World) -> None:
    moderator = signed_in_client("telegram_mod")
    _act(moderator, world, action="rejected", reason="not_illegal", note="Satire.")
    assert Event.objects.filter(tag="item:rejected", actor__regex=r"@\d+$").exists()
    reporter = signed_in_client("caseworker_a")
    english = reporter.get(f"/requests/{world.case_a}/").content.decode()
    assert "Telegram&#x27;s moderator telegram_mod rejected item 1: Not illegal" in english
    assert "Centre A&#x27;s reporter caseworker_a filed the request" in english
    assert_no_raw_names(english)
    reporter.cookies["django_language"] = "ko"
    korean = reporter.get(f"/requests/{world.case_a}/").content.decode()
    assert "Telegram의 모더레이터 telegram_mod이(가) 항목 1을(를) 거부했습니다: " in korean
    assert_no_raw_names(korean)


def test_the_review_page_has_a_timeline_in_words_and_refusals_in_sentences(
    world: World,
) -> None:
    moderator = signed_in_client("telegram_mod")
    _act(moderator, world, action="removed")
    # Acting again on a settled item: a Conflict whose message names states by their codes.
    response = moderator.post(
        f"/notices/{world.telegram_notice}/items/{world.telegram_item}/act/",
        {"action": "rejected", "reason": "not_illegal"},
        follow=True,
    )
    page = response.content.decode()
    assert "Item 1 is already “Reported removed, being verified”" in page
    assert "Telegram&#x27;s moderator telegram_mod marked item 1 removed" in page
    assert_no_raw_names(page)
    # A rejection without a reason, in Korean: a sentence, not "a rejection needs a reason: …".
    moderator.cookies["django_language"] = "ko"
    response = moderator.post(
        f"/notices/{world.telegram_notice}/items/{world.telegram_item}/act/",
        {"action": "rejected"},
        follow=True,
    )
    assert "거부할 때는 사유를 선택하세요." in response.content.decode()
    assert_no_raw_names(response.content.decode())


def test_a_sample_of_pages_in_both_languages_shows_no_internal_names(world: World) -> None:
    moderator = signed_in_client("telegram_mod")
    _act(moderator, world, action="needs_info", question="Which post?")
    reporter = signed_in_client("caseworker_a")
    question = Message.objects.get(kind="question")
    reporter.post(
        f"/notices/{world.telegram_notice}/messages/",
        {"kind": "answer", "body": "The pinned post.", "reply_to": question.pk, "back": "/"},
    )
    moderator.post(
        f"/notices/{world.telegram_notice}/messages/",
        {"kind": "question", "body": "And the second one?", "back": "/"},
    )
    pages = {
        reporter: ["/requests/", f"/requests/{world.case_a}/", "/requests/new/", "/compliance/"],
        moderator: ["/queue/", f"/notices/{world.telegram_notice}/", "/compliance/"],
    }
    for language in ("en", "ko"):
        for client, urls in pages.items():
            client.cookies["django_language"] = language
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
                assert_no_raw_names(response.content.decode())
    case = reporter.get(f"/requests/{world.case_a}/").content.decode()
    assert "질문에 대한 답변" in case  # "in reply to the question of <time>", not a message's id
    # A form refused with missing legal elements names them in words, not by their codes.
    refused = reporter.post("/requests/new/", {"category": "sexual_deepfake", "reasons": "x"})
    text = _visible(refused.content.decode())
    assert "take_it_down.signature" not in text
    assert_no_raw_names(refused.content.decode())
