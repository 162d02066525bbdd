"""PURE: the reply grammar a moderator uses to act by email, one instruction per line.

    3 removed                     3 삭제
    Item 4 restricted             항목 4 제한 / 4번 제한했습니다
    5 rejected: not_illegal: it is satire     5 거부: 불법 아님: 풍자입니다
    6 needs info: which post?     6 추가정보: 어느 게시물입니까?
    1-3, 7 removed / 1~3 삭제 / 1 to 3 and 7 removed / Removed: 1-3 (an en dash works too)

A line that looks like an instruction (it starts with a number or an item word, or names an
item number and an action word) is either understood or refused with the reason, so nothing
a moderator writes vanishes without an answer. Quoted text (lines starting with '>', and
everything after an "On … wrote:" / "… 작성:" line or an "Original Message" / "Forwarded
message" separator or a "-- " signature) is not read.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hotline.cases.workflow import ItemAction, RejectionReason
from hotline.inbound.mime import TextPart, html_to_text

MAX_POSITIONS = 1000

_EN_VERBS: dict[str, ItemAction] = {
    "removed": ItemAction.REMOVE,
    "remove": ItemAction.REMOVE,
    "deleted": ItemAction.REMOVE,
    "delete": ItemAction.REMOVE,
    "taken down": ItemAction.REMOVE,
    "take down": ItemAction.REMOVE,
    "restricted": ItemAction.RESTRICT,
    "restrict": ItemAction.RESTRICT,
    "geo-blocked": ItemAction.RESTRICT,
    "geoblocked": ItemAction.RESTRICT,
    "rejected": ItemAction.REJECT,
    "reject": ItemAction.REJECT,
    "declined": ItemAction.REJECT,
    "needs info": ItemAction.NEED_INFO,
    "need info": ItemAction.NEED_INFO,
    "needs_info": ItemAction.NEED_INFO,
    "needs information": ItemAction.NEED_INFO,
}
# Korean action words are stems; endings (삭제함, 삭제했습니다, 삭제 완료, 제한 처리됨) follow.
_KO_STEMS: dict[str, ItemAction] = {
    "삭제": ItemAction.REMOVE,
    "제한": ItemAction.RESTRICT,
    "차단": ItemAction.RESTRICT,
    "거부": ItemAction.REJECT,
    "거절": ItemAction.REJECT,
    "반려": ItemAction.REJECT,
    "추가정보": ItemAction.NEED_INFO,
    "정보요청": ItemAction.NEED_INFO,
}
# Korean names of the rejection reasons, after "거부:" as the codes are after "rejected:".
_KO_REASONS: dict[str, RejectionReason] = {
    "찾을수없음": RejectionReason.NOT_FOUND,
    "없음": RejectionReason.NOT_FOUND,
    "불법아님": RejectionReason.NOT_ILLEGAL,
    "성적촬영물아님": RejectionReason.NOT_INTIMATE,
    "동의확인": RejectionReason.CONSENT_SHOWN,
    "정보부족": RejectionReason.INSUFFICIENT_INFORMATION,
    "당사서비스아님": RejectionReason.NOT_OUR_SERVICE,
    "법적절차필요": RejectionReason.LEGAL_PROCESS_REQUIRED,
    "기타": RejectionReason.OTHER,
}


def _alternatives(words: Sequence[str]) -> str:
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len)[::-1])


_KO_STEM = "|".join(
    re.escape(s[:2]) + (r"\s*" + re.escape(s[2:]) if s[2:] else "") for s in _KO_STEMS
)
_KO_ENDING = r"(?:\s*(?:완료|처리|조치))?[가-힣]*"
_EN_VERB = rf"(?<![a-z])(?:{_alternatives(list(_EN_VERBS))})(?![a-z])"
_VERB = rf"(?P<verb>{_EN_VERB}|(?:{_KO_STEM}){_KO_ENDING})"
_AUX = r"(?:(?:has|have|was|were|is|are)\s+(?:been\s+)?)?"

_WORD = r"(?:items?|항목|번호|no\.?|#)"
_NUM = r"\d+(?:\s*번)?"
_RANGE_SEP = r"(?:[-~\u2013\u2014\uff5e\u301c]|to(?![a-z])|부터)"
_LIST_SEP = r"(?:,|、|&|/|and(?![a-z])|및)"
_ONE = rf"(?:{_WORD}\s*)?{_NUM}(?:\s*{_RANGE_SEP}\s*(?:{_WORD}\s*)?{_NUM}(?:\s*까지)?)?"
_NOUN = r"(?:\s*(?:번\s*)?(?:항목|게시물|게시글|콘텐츠|영상|사진|이미지|items?(?![a-z])))?"
_ITEMS = rf"(?P<items>{_ONE}(?:\s*{_LIST_SEP}\s*{_ONE})*){_NOUN}(?:은|는|을|를|이|가)?"
_REST = r"\s*(?:(?:[:\uff1a]|\s[-\u2013\u2014]\s)\s*(?P<rest>.*?)|[.!\u3002])?\s*$"

# "3 removed", "Item 3 has been removed", "3번 게시물 삭제했습니다", "5 거부: 사유".
_ITEMS_FIRST = re.compile(rf"^{_ITEMS}\s*[.):]?\s*{_AUX}{_VERB}{_REST}", re.IGNORECASE)
# "Removed: 1-3", "remove item 3", "삭제: 1, 2번".
_VERB_FIRST = re.compile(rf"^{_VERB}\s*[:\uff1a]?\s*{_ITEMS}{_REST}", re.IGNORECASE)
# What makes a line look like an instruction, so that it is answered even if not understood.
_LOOKS_NUMBERED = re.compile(rf"^\s*(?:{_WORD}\s*)?\d", re.IGNORECASE)
_LOOKS_ACTION = re.compile(_VERB, re.IGNORECASE)
_REFERENCE_LINE = re.compile(r"(?i)^\s*(?:reference|참조(?:\s*번호)?)\s*[:\uff1a]")

_RANGE_SEP_RE = re.compile(_RANGE_SEP, re.IGNORECASE)
_LIST_SEP_RE = re.compile(_LIST_SEP, re.IGNORECASE)

_QUOTE_START = re.compile(
    r"(?i)^\s*(on\b.*\bwrote:\s*$|.*\d.*작성:\s*$|-{2,}\s*original message\s*-{2,}"
    r"|-{2,}\s*forwarded message\s*-{2,}|-{2,}\s*원본 메시지\s*-{2,}|from:\s.*@|보낸 사람:)"
)
# Mail programs wrap a long "On <date>, <name> <address> wrote:" over two lines.
_QUOTE_START_WRAPPED = re.compile(r"(?i)^\s*on\b.*[,\d]")
_QUOTE_START_TAIL = re.compile(r"(?i)(\bwrote|작성):\s*$")


@dataclass(frozen=True)
class Instruction:
    line: str
    positions: tuple[int, ...]
    action: ItemAction
    reason: RejectionReason | None = None
    note: str = ""
    question: str = ""


@dataclass(frozen=True)
class Refusal:
    line: str
    why: str
    code: str  # not_understood, bad_range, no_question: texts.py words it in each language


@dataclass(frozen=True)
class Parsed:
    instructions: list[Instruction]
    refusals: list[Refusal]


def unquoted_lines(text: str) -> list[str]:
    """The lines the sender wrote: no quoted text, nothing below a reply or forward header."""
    lines = []
    raw = text.splitlines()
    for index, line in enumerate(raw):
        following = raw[index + 1] if index + 1 < len(raw) else ""
        if _QUOTE_START.match(line) or (
            _QUOTE_START_WRAPPED.match(line) and _QUOTE_START_TAIL.search(following)
        ):
            break
        if line.rstrip() == "--":
            break  # a signature follows
        if line.lstrip().startswith(">"):
            continue
        lines.append(line.strip())
    return lines


def own_text(parts: Sequence[TextPart]) -> str:
    """The sender's own words: the first body (plain if there is one), unquoted."""
    if not parts:
        return ""
    plain = [p for p in parts if p.content_type == "text/plain"]
    first = plain[0].text if plain else html_to_text(parts[0].text)
    return "\n".join(unquoted_lines(first)).strip()


def looks_like_instruction(line: str) -> bool:
    """Numbered lines and lines naming an action: answered, applied or not."""
    if not line or _REFERENCE_LINE.match(line):
        return False
    return bool(_LOOKS_NUMBERED.match(line) or _LOOKS_ACTION.search(line))


def parse_reply(text: str) -> Parsed:
    instructions: list[Instruction] = []
    refusals: list[Refusal] = []
    for line in unquoted_lines(text):
        if not looks_like_instruction(line):
            continue  # greetings, sign-offs, the Reference line
        parsed = parse_line(line)
        if isinstance(parsed, Refusal):
            refusals.append(parsed)
        else:
            instructions.append(parsed)
    return Parsed(instructions, refusals)


def parse_line(line: str) -> Instruction | Refusal:
    match = _ITEMS_FIRST.match(line) or _VERB_FIRST.match(line)
    if match is None:
        return Refusal(
            line,
            "not understood; write e.g. '3 removed', 'Item 3 removed' or '5 rejected: reason'",
            "not_understood",
        )
    positions = _positions(match.group("items"))
    if positions is None:
        return Refusal(
            line, f"item ranges must go upwards and cover at most {MAX_POSITIONS}", "bad_range"
        )
    action = _action(match.group("verb"))
    rest = (match.group("rest") or "").strip()
    if action == ItemAction.REJECT:
        reason, note = _reason(rest)
        return Instruction(line, positions, action, reason=reason, note=note)
    if action == ItemAction.NEED_INFO:
        if not rest:
            return Refusal(line, "needs info needs the question after a colon", "no_question")
        return Instruction(line, positions, action, question=rest)
    return Instruction(line, positions, action, note=rest)


def _action(verb: str) -> ItemAction:
    compact = re.sub(r"\s+", " ", verb.lower().strip())
    if compact in _EN_VERBS:
        return _EN_VERBS[compact]
    joined = compact.replace(" ", "")
    return next(a for stem, a in _KO_STEMS.items() if joined.startswith(stem))


def _positions(spec: str) -> tuple[int, ...] | None:
    """'1-3, 7' / '1~3번' / '항목 2 및 4' / 'items 1 to 3' -> the positions, each once."""
    spec = _LIST_SEP_RE.sub(",", _RANGE_SEP_RE.sub("-", spec))
    spec = re.sub(r"[^\d,-]", "", spec)
    positions: list[int] = []
    for chunk in spec.split(","):
        low, _, high = chunk.partition("-")
        if not low.isdigit() or not (high or low).isdigit():
            return None
        start, end = int(low), int(high or low)
        if end < start or len(positions) + end - start + 1 > MAX_POSITIONS:
            return None
        positions += range(start, end + 1)
    return tuple(dict.fromkeys(positions))


def _reason(rest: str) -> tuple[RejectionReason, str]:
    """'not_illegal: it is satire' -> (NOT_ILLEGAL, 'it is satire'); no known code -> OTHER."""
    code, sep, note = rest.partition(":")
    normalised = code.strip().lower().replace(" ", "_").replace("-", "_")
    known = (
        RejectionReason(normalised)
        if normalised in RejectionReason._value2member_map_
        else _KO_REASONS.get(re.sub(r"\s+", "", code))
    )
    if known is not None:
        return known, note.strip() if sep else ""
    return RejectionReason.OTHER, rest
