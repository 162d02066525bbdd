"""The reply grammar as moderators write it, in English and Korean: pure function tables."""

import pytest

from hotline.cases.workflow import ItemAction, RejectionReason
from hotline.inbound.grammar import (
    Instruction,
    Refusal,
    looks_like_instruction,
    parse_line,
    parse_reply,
    unquoted_lines,
)

REMOVE, RESTRICT = ItemAction.REMOVE, ItemAction.RESTRICT
REJECT, NEED_INFO = ItemAction.REJECT, ItemAction.NEED_INFO
NOT_ILLEGAL = RejectionReason.NOT_ILLEGAL

# (line, positions, action, rejection reason, note or question)
UNDERSTOOD = [
    # English: numbers, ranges, lists, item words
    ("3 removed", (3,), REMOVE, None, ""),
    ("3 removed.", (3,), REMOVE, None, ""),
    ("3. removed", (3,), REMOVE, None, ""),
    ("3) deleted", (3,), REMOVE, None, ""),
    ("#4 taken down", (4,), REMOVE, None, ""),
    ("Item 3 removed", (3,), REMOVE, None, ""),
    ("item 3: removed", (3,), REMOVE, None, ""),
    ("Items 1, 2 and 5 removed", (1, 2, 5), REMOVE, None, ""),
    ("Item 3 has been removed.", (3,), REMOVE, None, ""),
    ("items 4 and 5 were restricted", (4, 5), RESTRICT, None, ""),
    ("1-3,7 removed", (1, 2, 3, 7), REMOVE, None, ""),
    ("1 - 3 removed", (1, 2, 3), REMOVE, None, ""),
    ("2~3 removed", (2, 3), REMOVE, None, ""),
    ("2\u20134 restricted", (2, 3, 4), RESTRICT, None, ""),  # en dash
    ("2\u20144 restricted", (2, 3, 4), RESTRICT, None, ""),  # em dash
    ("items 1 to 3 removed", (1, 2, 3), REMOVE, None, ""),
    ("1-2, 2-3 removed", (1, 2, 3), REMOVE, None, ""),
    ("4 restricted - geo-blocked in KR", (4,), RESTRICT, None, "geo-blocked in KR"),
    ("4 geo-blocked", (4,), RESTRICT, None, ""),
    ("REMOVED: 1-3", (1, 2, 3), REMOVE, None, ""),
    ("remove item 3", (3,), REMOVE, None, ""),
    ("5 rejected: not_illegal: it is satire", (5,), REJECT, NOT_ILLEGAL, "it is satire"),
    ("5 rejected: not illegal: it is satire", (5,), REJECT, NOT_ILLEGAL, "it is satire"),
    ("5 rejected: consent-shown", (5,), REJECT, RejectionReason.CONSENT_SHOWN, ""),
    ("5 rejected: looks like satire", (5,), REJECT, RejectionReason.OTHER, "looks like satire"),
    ("5 declined", (5,), REJECT, RejectionReason.OTHER, ""),
    ("6 needs info: which post?", (6,), NEED_INFO, None, "which post?"),
    ("Item 6 needs information: which account?", (6,), NEED_INFO, None, "which account?"),
    ("6 needs_info: which post?", (6,), NEED_INFO, None, "which post?"),
    # Korean: 번, 항목, particles, endings, the Korean range marks
    ("3 삭제", (3,), REMOVE, None, ""),
    ("3번 삭제", (3,), REMOVE, None, ""),
    ("항목 3 삭제", (3,), REMOVE, None, ""),
    ("3번 항목 삭제", (3,), REMOVE, None, ""),
    ("3번은 삭제했습니다.", (3,), REMOVE, None, ""),
    ("3번 게시물 삭제했습니다", (3,), REMOVE, None, ""),
    ("3 삭제함", (3,), REMOVE, None, ""),
    ("3 삭제됨", (3,), REMOVE, None, ""),
    ("3 삭제 완료", (3,), REMOVE, None, ""),
    ("2~3 삭제", (2, 3), REMOVE, None, ""),
    ("2 ~ 3번 삭제", (2, 3), REMOVE, None, ""),
    ("2\uff5e3 삭제", (2, 3), REMOVE, None, ""),  # fullwidth tilde
    ("2\u301c3 삭제", (2, 3), REMOVE, None, ""),  # wave dash
    ("1-3, 7 삭제", (1, 2, 3, 7), REMOVE, None, ""),
    ("1, 2 및 4번 삭제", (1, 2, 4), REMOVE, None, ""),
    ("1번부터 3번까지 삭제", (1, 2, 3), REMOVE, None, ""),
    ("1\u30012 삭제", (1, 2), REMOVE, None, ""),  # ideographic comma
    ("삭제: 1, 2번", (1, 2), REMOVE, None, ""),
    ("4 제한", (4,), RESTRICT, None, ""),
    ("4번 제한함", (4,), RESTRICT, None, ""),
    ("1~3번 항목 제한 처리됨", (1, 2, 3), RESTRICT, None, ""),
    ("4 차단", (4,), RESTRICT, None, ""),
    ("5 거부: 풍자입니다", (5,), REJECT, RejectionReason.OTHER, "풍자입니다"),
    ("5 거절", (5,), REJECT, RejectionReason.OTHER, ""),
    ("5번 반려: 불법 아님: 풍자입니다", (5,), REJECT, NOT_ILLEGAL, "풍자입니다"),
    ("5 거부: 당사 서비스 아님", (5,), REJECT, RejectionReason.NOT_OUR_SERVICE, ""),
    ("5 거부\uff1a 정보 부족", (5,), REJECT, RejectionReason.INSUFFICIENT_INFORMATION, ""),
    ("6 추가정보: 어느 게시물입니까?", (6,), NEED_INFO, None, "어느 게시물입니까?"),
    ("6 추가 정보: 어느 계정입니까?", (6,), NEED_INFO, None, "어느 계정입니까?"),
    ("항목 6 정보 요청: 원본 링크가 필요합니다", (6,), NEED_INFO, None, "원본 링크가 필요합니다"),
]


@pytest.mark.parametrize(("line", "positions", "action", "reason", "text"), UNDERSTOOD)
def test_a_line_is_understood_as_written(
    line: str,
    positions: tuple[int, ...],
    action: ItemAction,
    reason: RejectionReason | None,
    text: str,
) -> None:
    parsed = parse_line(line)
    assert isinstance(parsed, Instruction), parsed
    assert (parsed.positions, parsed.action, parsed.reason) == (positions, action, reason)
    assert (parsed.question if action == NEED_INFO else parsed.note) == text
    assert parsed.line == line


# (line, refusal code): answered with the reason, never silently dropped
REFUSED = [
    ("7 frobnicated", "not_understood"),
    ("Item 3 frobnicated", "not_understood"),
    ("항목 3 보류", "not_understood"),
    ("3 removed yesterday afternoon", "not_understood"),
    ("We removed the video", "not_understood"),
    ("모두 삭제했습니다", "not_understood"),
    ("5-3 removed", "bad_range"),
    ("3~1 삭제", "bad_range"),
    ("1-5000 removed", "bad_range"),
    ("6 needs info", "no_question"),
    ("6 추가정보", "no_question"),
]


@pytest.mark.parametrize(("line", "code"), REFUSED)
def test_a_line_that_looks_like_an_instruction_is_refused_with_its_reason(
    line: str, code: str
) -> None:
    assert looks_like_instruction(line)
    parsed = parse_line(line)
    assert isinstance(parsed, Refusal) and parsed.code == code, parsed
    assert parsed.why and parsed.line == line


# Lines that are not instructions at all: not applied, not listed.
NOT_INSTRUCTIONS = [
    "",
    "Hi,",
    "Thanks, T&S",
    "안녕하세요.",
    "감사합니다. 텔레그램 운영팀",
    "Reference: N12-ttj8bk.mq3c4ddpfxhqpzt6ppkzxbsq",
    "참조 번호: N12-ttj8bk.mq3c4ddpfxhqpzt6ppkzxbsq",
]


@pytest.mark.parametrize("line", NOT_INSTRUCTIONS)
def test_greetings_and_the_reference_line_are_not_instructions(line: str) -> None:
    assert not looks_like_instruction(line)


def test_every_instruction_line_of_a_reply_is_applied_or_refused_none_dropped() -> None:
    reply = "\n".join(
        [
            "Hi,",
            "Item 1 removed",
            "항목 2 삭제",
            "3번 제한",
            "2~3 삭제",
            "4 frobnicated",
            "Removed: 5",
            "Thanks",
            "Reference: N12-ttj8bk.mq3c4ddpfxhqpzt6ppkzxbsq",
        ]
    )
    parsed = parse_reply(reply)
    assert [i.line for i in parsed.instructions] == [
        "Item 1 removed",
        "항목 2 삭제",
        "3번 제한",
        "2~3 삭제",
        "Removed: 5",
    ]
    assert [r.line for r in parsed.refusals] == ["4 frobnicated"]


QUOTED_REPLIES = [
    # Gmail, English: the header line, then "> " quotes
    "1 removed\n\nOn Mon, 16 Sep 2024 at 09:00, hotline <notices@hotline.example> wrote:\n"
    "> 2 removed\n> Reference: N12-abc\n3 removed",
    # Gmail wraps a long header over two lines
    "1 removed\nOn Mon, 16 Sep 2024 at 09:00, Hotline Notices <\nnotices@hotline.example> wrote:\n"
    "2 removed",
    # Gmail, Korean
    "1 삭제\n\n2024년 9월 16일 (월) 오전 9:00, hotline <notices@hotline.example>님이 작성:\n"
    "> 2 삭제\n2 삭제",
    # Outlook: a separator, or a header block
    "1 removed\n-----Original Message-----\n2 removed",
    "1 삭제\n-----원본 메시지-----\n2 삭제",
    "1 removed\n________________________________\nFrom: hotline <notices@hotline.example>\n"
    "2 removed",
    "1 삭제\n보낸 사람: hotline <notices@hotline.example>\n2 삭제",
    "1 removed\n---------- Forwarded message ---------\n2 removed",
    # "> " quotes without a header, and a signature
    "> 2 removed\n1 removed\n>> 3 removed",
    "1 removed\n-- \nT&S team\n2 removed",
]


@pytest.mark.parametrize("reply", QUOTED_REPLIES)
def test_quoted_mail_and_signatures_are_never_read_as_instructions(reply: str) -> None:
    parsed = parse_reply(reply)
    assert [i.positions for i in parsed.instructions] == [(1,)], parsed
    assert parsed.refusals == []


def test_unquoted_lines_keep_the_senders_own_words_in_order() -> None:
    text = "Dear hotline,\n  please see below.\n> quoted\nOn Mon, 1 Jan, x <y@z> wrote:\n> more"
    assert unquoted_lines(text) == ["Dear hotline,", "please see below."]
