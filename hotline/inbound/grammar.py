"""PURE: the reply grammar a moderator uses to act by email, one instruction per line.

    3 removed                     3 삭제
    4 restricted                  4 제한
    5 rejected: not_illegal: it is satire     5 거부: 풍자입니다
    6 needs info: which post?     6 추가정보: 어느 게시물입니까?
    1-3,7 removed

Quoted text (lines starting with '>', and everything after an "On … wrote:" line or an
"Original Message" / "Forwarded message" separator) is not read.
"""

import re
from dataclasses import dataclass

from hotline.cases.workflow import ItemAction, RejectionReason

MAX_POSITIONS = 1000

_VERBS: dict[str, ItemAction] = {
    "removed": ItemAction.REMOVE,
    "remove": ItemAction.REMOVE,
    "deleted": ItemAction.REMOVE,
    "삭제": ItemAction.REMOVE,
    "삭제함": ItemAction.REMOVE,
    "삭제됨": ItemAction.REMOVE,
    "삭제했습니다": ItemAction.REMOVE,
    "삭제 완료": ItemAction.REMOVE,
    "restricted": ItemAction.RESTRICT,
    "restrict": ItemAction.RESTRICT,
    "제한": ItemAction.RESTRICT,
    "제한함": ItemAction.RESTRICT,
    "rejected": ItemAction.REJECT,
    "reject": ItemAction.REJECT,
    "거부": ItemAction.REJECT,
    "거절": ItemAction.REJECT,
    "needs info": ItemAction.NEED_INFO,
    "need info": ItemAction.NEED_INFO,
    "needs_info": ItemAction.NEED_INFO,
    "추가정보": ItemAction.NEED_INFO,
    "추가 정보": ItemAction.NEED_INFO,
}
_VERB_PATTERN = "|".join(sorted((re.escape(v) for v in _VERBS), key=len, reverse=True))
_LINE = re.compile(
    r"^\s*(?:items?\s+|항목\s*)?(?P<items>\d+(?:\s*-\s*\d+)?(?:\s*,\s*\d+(?:\s*-\s*\d+)?)*)"
    rf"\s*[.):]?\s*(?P<verb>{_VERB_PATTERN})\s*(?::\s*(?P<rest>.*)|[.!]?)$",
    re.IGNORECASE,
)
_QUOTE_START = re.compile(
    r"(?i)^\s*(on\b.*\bwrote:\s*$|.*\d.*작성:\s*$|-{2,}\s*original message\s*-{2,}"
    r"|-{2,}\s*forwarded message\s*-{2,}|-{2,}\s*원본 메시지\s*-{2,}|from:\s.*@|보낸 사람:)"
)


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


@dataclass(frozen=True)
class Parsed:
    instructions: list[Instruction]
    refusals: list[Refusal]


def unquoted_lines(text: str) -> list[str]:
    """The lines the sender wrote: no quoted text, nothing below a reply or forward header."""
    lines = []
    for line in text.splitlines():
        if _QUOTE_START.match(line):
            break
        if line.lstrip().startswith(">") or line.rstrip() == "--":
            if line.rstrip() == "--":
                break  # a signature follows
            continue
        lines.append(line.strip())
    return lines


def parse_reply(text: str) -> Parsed:
    instructions: list[Instruction] = []
    refusals: list[Refusal] = []
    for line in unquoted_lines(text):
        if not line or not line[0].isdigit():
            continue  # greetings, sign-offs, the Reference line: not instructions
        parsed = parse_line(line)
        if isinstance(parsed, Refusal):
            refusals.append(parsed)
        else:
            instructions.append(parsed)
    return Parsed(instructions, refusals)


def parse_line(line: str) -> Instruction | Refusal:
    match = _LINE.match(line)
    if match is None:
        return Refusal(line, "not understood; write e.g. '3 removed' or '5 rejected: reason'")
    positions = _positions(match.group("items"))
    if positions is None:
        return Refusal(line, f"item ranges must go upwards and cover at most {MAX_POSITIONS}")
    action = _VERBS[match.group("verb").lower()]
    rest = (match.group("rest") or "").strip()
    if action == ItemAction.REJECT:
        reason, note = _reason(rest)
        return Instruction(line, positions, action, reason=reason, note=note)
    if action == ItemAction.NEED_INFO:
        if not rest:
            return Refusal(line, "needs info needs the question after a colon")
        return Instruction(line, positions, action, question=rest)
    return Instruction(line, positions, action, note=rest)


def _positions(spec: str) -> tuple[int, ...] | None:
    positions: list[int] = []
    for chunk in spec.split(","):
        low, _, high = chunk.partition("-")
        start, end = int(low), int(high or low)
        if end < start or len(positions) + end - start + 1 > MAX_POSITIONS:
            return None
        positions += range(start, end + 1)
    return tuple(dict.fromkeys(positions))


def _reason(rest: str) -> tuple[RejectionReason, str]:
    """'not_illegal: it is satire' -> (NOT_ILLEGAL, 'it is satire'); no known code -> OTHER."""
    code, sep, note = rest.partition(":")
    normalised = code.strip().lower().replace(" ", "_").replace("-", "_")
    if normalised in RejectionReason._value2member_map_:
        return RejectionReason(normalised), note.strip() if sep else ""
    return RejectionReason.OTHER, rest
