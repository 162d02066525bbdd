"""Platforms act by replying to a notice email; a From address alone never acts."""

import pytest

from hotline.cases.models import Item, Notice
from hotline.cases.services.intake import ItemInput, RequestInput, request_submit
from hotline.cases.tokens import notice_reply_token
from hotline.delivery.email import build_email
from hotline.delivery.models import Delivery
from hotline.delivery.services import outbound_message
from hotline.inbound.models import InboundMessage, InboundStatus
from tests.conftest import Directory
from tests.inbound.conftest import Mailer, corpus, english_words, reply_fill


@pytest.fixture
def notice(smtp: Mailer, people: Directory) -> Notice:
    """A Telegram notice of four items, positions 1-4, filed by the regulator."""
    result = request_submit(
        actor=people.actors["analyst"],
        data=RequestInput(
            category="sexual_deepfake",
            reasons="Sexual deepfakes of an identifiable woman, shared without consent.",
            items=[ItemInput(url=f"https://t.me/room/{n}") for n in range(1, 5)],
            legal_bases=[],
        ),
    )
    return Notice.objects.select_related("request").get(request=result.request)


def states(notice: Notice) -> dict[int, str]:
    return dict(Item.objects.filter(notice=notice).values_list("position", "state"))


def confirmation(row: InboundMessage) -> Delivery:
    return Delivery.objects.get(kind="confirmation", payload__inbound_id=row.pk)


def test_a_reply_in_the_grammar_acts_on_each_item_and_is_confirmed(
    smtp: Mailer, notice: Notice
) -> None:
    fill = reply_fill(notice)
    rcpt = f"reply+n{notice.pk}-{fill['TOKEN']}@hotline.example"
    row = smtp.send(corpus("reply-grammar.eml", **fill), to=(rcpt,))
    assert row.status == InboundStatus.PROCESSED and row.kind == "reply"
    assert states(notice) == {1: "removed", 2: "removed", 3: "rejected", 4: "info_requested"}
    third = Item.objects.get(notice=notice, position=3)
    assert (third.rejection_reason, third.outcome_note) == ("not_illegal", "it is satire")
    assert notice.messages.get(kind="question").body == "which post exactly?"
    answer = confirmation(row)
    assert answer.recipient == "mod@telegram.example"
    lines = answer.body.splitlines()
    assert "  1-2 removed  — item 1: applied" in lines
    assert any(
        line.startswith("  9 removed  — item 9: refused: item 9 is not on") for line in lines
    )
    assert any(line.startswith("  7 frobnicated  — refused: not understood") for line in lines)
    assert "4 removed" not in answer.body  # the quoted notice was not read as instructions


def test_a_korean_reply_with_the_token_only_in_the_quoted_notice_is_applied(
    smtp: Mailer, notice: Notice
) -> None:
    row = smtp.send(corpus("reply-grammar-ko.eml", **reply_fill(notice)))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert states(notice) == {1: "removed", 2: "restricted", 3: "rejected", 4: "notified"}
    third = Item.objects.get(notice=notice, position=3)
    assert (third.rejection_reason, third.outcome_note) == ("other", "풍자입니다")
    assert "처리했습니다" in confirmation(row).body


def test_the_same_reply_twice_changes_nothing_the_second_time(smtp: Mailer, notice: Notice) -> None:
    smtp.send(corpus("reply-grammar-ko.eml", **reply_fill(notice)))
    before = states(notice)
    again = smtp.send(corpus("reply-grammar-ko.eml", **reply_fill(notice)))
    assert states(notice) == before
    assert not any(r["applied"] for r in again.outcome["results"])


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("reply-spoofed.eml", "no valid reply token"),
        ("reply-bad-token.eml", "no valid reply token"),
    ],
)
def test_a_reply_without_a_valid_token_is_quarantined_and_acts_on_nothing(
    smtp: Mailer, notice: Notice, name: str, why: str
) -> None:
    row = smtp.send(corpus(name, **reply_fill(notice)))
    assert row.status == InboundStatus.QUARANTINED and why in row.reason
    assert set(states(notice).values()) == {"notified"}
    assert not Delivery.objects.filter(payload__inbound_id=row.pk).exists()


def test_a_valid_token_from_an_unregistered_address_is_quarantined(
    smtp: Mailer, notice: Notice
) -> None:
    raw = corpus("reply-grammar.eml", **reply_fill(notice)).replace(
        b"mod@telegram.example", b"intruder@elsewhere.example"
    )
    row = smtp.send(raw)
    assert row.status == InboundStatus.QUARANTINED
    assert "not registered for Telegram" in row.reason
    assert set(states(notice).values()) == {"notified"}


def test_another_platform_cannot_act_on_telegrams_notice(smtp: Mailer, notice: Notice) -> None:
    raw = corpus("reply-grammar.eml", **reply_fill(notice)).replace(
        b"mod@telegram.example", b"mod@x.example"
    )
    row = smtp.send(raw)
    assert row.status == InboundStatus.QUARANTINED and "not registered" in row.reason
    assert set(states(notice).values()) == {"notified"}


def test_auto_replies_and_bounces_are_recorded_never_acted_on_never_answered(
    smtp: Mailer, notice: Notice
) -> None:
    before = Delivery.objects.count()
    auto = smtp.send(corpus("auto-reply-ko.eml", **reply_fill(notice)))
    out_of_office = smtp.send(corpus("auto-reply.eml"))
    bounce = smtp.send(corpus("bounce.eml", NOTICE=notice.pk), mail_from="")
    assert [r.status for r in (auto, out_of_office, bounce)] == [InboundStatus.IGNORED] * 3
    assert [r.kind for r in (auto, out_of_office, bounce)] == ["auto_reply", "auto_reply", "bounce"]
    assert bounce.outcome == {"notice": notice.pk}
    assert set(states(notice).values()) == {"notified"}
    assert Delivery.objects.count() == before


def test_a_tokened_reply_that_failed_dmarc_upstream_is_quarantined(
    smtp: Mailer, notice: Notice
) -> None:
    header = b"Authentication-Results: mx.hotline.example; spf=fail; dmarc=fail\r\n"
    row = smtp.send(header + corpus("reply-grammar-ko.eml", **reply_fill(notice)))
    assert row.status == InboundStatus.QUARANTINED and "dmarc=fail" in row.reason
    assert set(states(notice).values()) == {"notified"}


def bare_reply(notice: Notice, body: str, message_id: str) -> bytes:
    """A reply with no reply address, no In-Reply-To and no subject tag: only the text."""
    return (
        "From: Telegram Moderation <mod@telegram.example>\r\n"
        "To: hotline <hotline@hotline.example>\r\n"
        "Subject: Re: your notice\r\n"
        f"Message-ID: {message_id}\r\n"
        "References: <earlier@telegram.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{body}\r\n"
        f"Reference: N{notice.pk}-{notice_reply_token(notice)}\r\n"
    ).encode()


def test_a_reply_naming_its_notice_only_by_the_reference_line_is_applied(
    smtp: Mailer, notice: Notice
) -> None:
    body = "Hello,\r\nItem 1 removed\r\n2~3 삭제\r\n항목 4 제한\r\nThanks"
    row = smtp.send(bare_reply(notice, body, "<bare@telegram.example>"))
    assert row.status == InboundStatus.PROCESSED, row.reason
    assert states(notice) == {1: "removed", 2: "removed", 3: "removed", 4: "restricted"}
    assert row.reason == "4 of 4 instruction(s) applied"


def test_every_instruction_line_is_applied_or_refused_in_the_korean_confirmation(
    smtp: Mailer, notice: Notice
) -> None:
    lines = ["안녕하세요.", "1번 삭제", "1번 삭제", "9번 삭제", "3번 보류", "4 추가정보"]
    body = "\r\n".join(lines)
    row = smtp.send(bare_reply(notice, body, "<ko-refusals@telegram.example>"))
    assert states(notice)[1] == "removed"
    results = [(r["line"], r["item"], r["applied"], r.get("code")) for r in row.outcome["results"]]
    assert results == [
        ("1번 삭제", 1, True, None),
        ("1번 삭제", 1, False, "not_allowed_now"),  # the second time: already removed
        ("9번 삭제", 9, False, "not_on_notice"),
        ("3번 보류", None, False, "not_understood"),
        ("4 추가정보", None, False, "no_question"),
    ]
    mail = build_email(outbound_message(confirmation(row)))
    text = mail.get_body(("plain",))
    assert text is not None
    content = text.get_content()
    assert "  9번 삭제  — 항목 9: 거부됨: 통지 N" in content
    assert "  3번 보류  — 거부됨: 이해하지 못했습니다" in content
    assert english_words(mail) == []
    # It threads under the moderator's reply (and what that reply answered).
    assert mail["In-Reply-To"] == "<ko-refusals@telegram.example>"
    assert mail["References"] == "<earlier@telegram.example> <ko-refusals@telegram.example>"


def test_the_confirmation_of_a_threaded_reply_threads_under_notice_and_reply(
    smtp: Mailer, notice: Notice
) -> None:
    row = smtp.send(corpus("reply-grammar.eml", **reply_fill(notice)))
    mail = build_email(outbound_message(confirmation(row)))
    assert mail["In-Reply-To"] == "<reply-1@telegram.example>"
    assert mail["References"] == (
        f"<notice-{notice.pk}@hotline.example> <reply-1@telegram.example>"
    )
    assert mail["Subject"].endswith("Confirmation")


def test_a_reply_with_nothing_understood_is_held_for_a_person_and_answered(
    smtp: Mailer, notice: Notice
) -> None:
    body = "Hi,\r\nWe removed the video you mentioned.\r\n7 frobnicated\r\nThanks"
    row = smtp.send(bare_reply(notice, body, "<prose@telegram.example>"))
    assert row.status == InboundStatus.QUARANTINED and "no instruction understood" in row.reason
    assert states(notice) == dict.fromkeys(range(1, 5), "notified")
    answer = confirmation(row).body
    assert "We removed the video you mentioned.  — refused: not understood" in answer
    assert "7 frobnicated  — refused: not understood" in answer
