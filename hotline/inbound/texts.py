"""PURE: the words of receipts and confirmations, in English and Korean."""

from dataclasses import dataclass
from typing import Any

_STATE_EN = {
    "notified": "sent to {platform}",
    "duplicate": "already on an open notice; linked, not sent twice",
    "triage": "no platform known for it: in your triage list",
}
_STATE_KO = {
    "notified": "{platform}에 전달됨",
    "duplicate": "이미 처리 중인 요청에 포함되어 연결됨 (중복 전송 안 함)",
    "triage": "담당 플랫폼을 알 수 없음: 분류 대기 목록에 있음",
}


@dataclass(frozen=True)
class ReceiptItem:
    position: int
    label: str  # the URL, or "hashes of <attachment name>"
    state: str
    platform: str


def receipt_text(
    *,
    korean: bool,
    case_id: str,
    items: list[ReceiptItem],
    attachments: list[dict[str, Any]],
    urgent: bool,
    authority: str,
    checkpoint: str,
) -> str:
    """`checkpoint`: the signed audit checkpoint, one JSON line, taken as the request was filed."""
    states = _STATE_KO if korean else _STATE_EN
    lines = [
        f"hotline이 이메일로 받은 삭제 요청을 사건 {case_id}(으)로 접수했습니다."
        if korean
        else f"hotline received your takedown request by email and filed it as case {case_id}.",
        "",
        "항목:" if korean else "Items:",
    ]
    for item in items:
        state = states.get(item.state, item.state).format(platform=item.platform)
        lines.append(f"  {item.position:>3}  {item.label}  — {state}")
    lines += _attachment_lines(korean, attachments)
    if urgent:
        lines += ["", "긴급 요청으로 처리됩니다." if korean else "Marked URGENT."]
    lines += ["", _authority_text(korean, authority)]
    lines += ["", _checkpoint_text(korean), checkpoint]
    return "\n".join(lines)


def _checkpoint_text(korean: bool) -> str:
    # The same words as the notices' checkpoint (delivery/templates/delivery/notice.*.txt).
    if korean:
        return (
            "감사 기록 체크포인트: 이 요청을 접수한 때의 hotline 기록 상태이며 감사 키로 서명되어 "
            "있습니다. 보관하십시오. 나중에 `hotline audit verify --checkpoint` 로 기록이 "
            "그대로인지 증명할 수 있습니다."
        )
    return (
        "Audit checkpoint: hotline's record as it stood when this request was filed, signed "
        "with its audit key. Keep it: `hotline audit verify --checkpoint` proves later that "
        "the record still holds exactly what it covered."
    )


def _attachment_lines(korean: bool, attachments: list[dict[str, Any]]) -> list[str]:
    if not attachments:
        return []
    lines = ["", "첨부 파일:" if korean else "Attachments:"]
    for a in attachments:
        name = a.get("name") or ("(이름 없음)" if korean else "(no name)")
        if a.get("signals"):
            what = (
                "해시값만 저장, 파일은 저장하지 않음"
                if korean
                else "hashed; only the hashes were kept, not the file"
            )
        elif a.get("error"):
            what = ("거부됨: " if korean else "refused: ") + str(a["error"])
        else:
            what = "미디어가 아니어서 처리하지 않음" if korean else "not media: not used"
        size = f"{a.get('size')}바이트" if korean else f"{a.get('size')} bytes"
        lines.append(f"  {name} ({a.get('content_type')}, {size}): {what}")
    return lines


_AUTHORITY_KO = {
    "regulator": "규제 기관",
    "victim-support organisation": "피해자 지원 기관",
    "reporter": "신고 기관",
}


def _authority_text(korean: bool, authority: str) -> str:
    if korean:
        return (
            f"법적 근거: 등록된 {_AUTHORITY_KO.get(authority, authority)}의 국내법상 권한으로 "
            "접수했습니다. 이메일에는 서명 등 "
            "미국 TAKE IT DOWN 법이나 EU DSA 제16조의 요건이 담기지 않으므로 이를 근거로 "
            "주장하지 않았습니다. 필요하면 API나 웹 양식으로 보완하십시오."
        )
    return (
        f"Legal basis: filed on the authority of your organisation as a registered {authority} "
        "under national law. An email carries no signature or statements under the US TAKE IT "
        "DOWN Act or EU DSA Art. 16, so neither was claimed; add them through the API or the "
        "web form if you need them."
    )


# Korean words for the reasons hotline gives in English; others are quoted as they are.
_WHY_KO = {"no URL and no usable media found": "URL도, 사용할 수 있는 미디어도 없습니다"}


def nothing_filed_text(*, korean: bool, why: str, attachments: list[dict[str, Any]]) -> str:
    head = (
        f"hotline이 메일을 받았지만 요청을 접수하지 못했습니다: {_WHY_KO.get(why, why)}. "
        "담당자가 확인합니다."
        if korean
        else f"hotline received your email but could not file a request: {why}. "
        "A person will look at it."
    )
    return "\n".join([head, *_attachment_lines(korean, attachments)])


def confirmation_text(
    *, korean: bool, notice_id: int, case_id: str, results: list[dict[str, Any]]
) -> str:
    lines = [
        f"hotline이 통지 N{notice_id}(사건 {case_id})에 대한 회신을 처리했습니다:"
        if korean
        else f"hotline processed your reply to notice N{notice_id} (case {case_id}):",
        "",
    ]
    for result in results:
        if result["applied"]:
            outcome = "적용됨" if korean else "applied"
        elif korean:
            outcome = "거부됨: " + _refusal_ko(result, notice_id)
        else:
            outcome = "refused: " + result["why"]
        item = ""
        if result.get("item") is not None:
            item = f"항목 {result['item']}: " if korean else f"item {result['item']}: "
        lines.append(f"  {result['line']}  — {item}{outcome}")
    return "\n".join(lines)


def _refusal_ko(result: dict[str, Any], notice_id: int) -> str:
    code = result.get("code", "")
    if code == "not_on_notice":
        return f"통지 N{notice_id}에 없는 항목입니다"
    if code == "not_allowed_now":
        return "항목의 현재 상태에서는 할 수 없는 조치입니다(이미 처리된 항목일 수 있습니다)"
    if code == "bad_range":
        return "항목 범위는 작은 번호에서 큰 번호로, 1000개까지 쓸 수 있습니다"
    if code == "no_question":
        return "추가정보 요청은 콜론 뒤에 질문을 써 주십시오(예: '6 추가정보: 어느 게시물입니까?')"
    if code == "not_understood":
        return "이해하지 못했습니다. 예: '3 삭제', '항목 3 삭제', '5 거부: 사유'"
    return f"처리할 수 없습니다 ({result['why']})"
