"""PURE: what a reporter is told, in English and Korean, from a news row's facts.

Rendered once, when the news is written, and stored in the outbox: a resend is the same bytes.
"""

from typing import Any

LANGUAGES = ("en", "ko")

STATES = {
    "en": {
        "removed": "the platform reports it removed; hotline is verifying",
        "restricted": "the platform restricted it (its final answer)",
        "rejected": "the platform rejected it",
        "confirmed_removed": "removal confirmed: hotline's check found it gone",
        "reopened": "still online although reported removed: reopened with the platform",
        "observed_gone": "hotline's check found it gone; the platform has not answered yet",
    },
    "ko": {
        "removed": "플랫폼이 삭제했다고 회신했습니다. hotline이 확인 중입니다",
        "restricted": "플랫폼이 접근을 제한했습니다 (최종 회신)",
        "rejected": "플랫폼이 삭제를 거부했습니다",
        "confirmed_removed": "삭제 확인: hotline 점검 결과 더 이상 접근할 수 없습니다",
        "reopened": "삭제했다고 회신했지만 아직 접근 가능하여 플랫폼에 다시 요청했습니다",
        "observed_gone": "hotline 점검 결과 접근할 수 없습니다. 플랫폼은 아직 회신하지 않았습니다",
    },
}

WORDS = {
    "en": {
        "item": "Item {position} of case {case_id}",
        "reason": "Reason: {reason}",
        "note": "Platform's note: {note}",
        "check": "Evidence: checked {checked_at}, HTTP {status}, {verdict}: {why}",
        "sha": "Page SHA-256: {sha}",
        "question": "The platform asks about {what}:",
        "answer": "Reply to this email to answer; keep the reference line.",
        "escalation": (
            "Notice N{notice_id} of case {case_id} missed its deadline {deadline} with "
            "{waiting} item(s) still waiting: escalated to the platform's designated official."
        ),
        "escalation_item": (
            "Item {position} of case {case_id} was still waiting for the platform at its "
            "deadline {deadline}: escalated to the platform's designated official."
        ),
        "copy_found": (
            "A copy of item {position} of case {case_id} was found again (copy {copy_number}, "
            "{found}); it is a new item on {platform}'s notice with the usual deadline."
        ),
        "found_platform": "the platform's own upload check matched it",
        "found_hotline": "hotline matched a new report against it",
        "digest": "What changed in the last day ({count}):",
        "subject_item": "item {position}: {state}",
        "subject_question": "question from the platform",
        "subject_escalation": "deadline missed, escalated",
        "subject_copy_found": "item {position}: copy {copy_number} found again",
        "subject_digest": "daily digest",
        "case": "case {case_id}",
    },
    "ko": {
        "item": "사건 {case_id}의 항목 {position}",
        "reason": "사유: {reason}",
        "note": "플랫폼 메모: {note}",
        "check": "증거: {checked_at} 점검, HTTP {status}, {verdict}: {why}",
        "sha": "페이지 SHA-256: {sha}",
        "question": "플랫폼이 {what}에 대해 질문했습니다:",
        "answer": "이 메일에 회신하여 답변하세요. 참조 줄은 지우지 마세요.",
        "escalation": (
            "사건 {case_id}의 요청 N{notice_id}이(가) 처리 기한 {deadline}을(를) 넘겼고 "
            "{waiting}개 항목이 아직 처리되지 않았습니다. 플랫폼의 지정 책임자에게 보고했습니다."
        ),
        "escalation_item": (
            "사건 {case_id}의 항목 {position}이(가) 처리 기한 {deadline}까지 처리되지 않아 "
            "플랫폼의 지정 책임자에게 보고했습니다."
        ),
        "copy_found": (
            "사건 {case_id}의 항목 {position}과(와) 같은 콘텐츠가 다시 발견되었습니다 "
            "({copy_number}번째 사본, {found}). {platform}에 새 항목으로 통상 처리 기한과 함께 "
            "요청했습니다."
        ),
        "found_platform": "플랫폼의 업로드 검사에서 일치",
        "found_hotline": "새 신고가 hotline에서 일치",
        "digest": "지난 하루 동안의 변경 사항 ({count}건):",
        "subject_item": "항목 {position}: {state}",
        "subject_question": "플랫폼의 질문",
        "subject_escalation": "처리 기한 초과, 책임자에게 보고",
        "subject_copy_found": "항목 {position}: {copy_number}번째 사본 발견",
        "subject_digest": "일일 요약",
        "case": "사건 {case_id}",
    },
}

SHORT_STATES = {
    "en": {
        "removed": "reported removed",
        "restricted": "restricted",
        "rejected": "rejected",
        "confirmed_removed": "removal confirmed",
        "reopened": "still online, reopened",
        "observed_gone": "seen gone",
    },
    "ko": {
        "removed": "삭제 회신",
        "restricted": "접근 제한",
        "rejected": "거부",
        "confirmed_removed": "삭제 확인",
        "reopened": "아직 접근 가능, 재요청",
        "observed_gone": "접근 불가 확인",
    },
}


def language(code: str) -> str:
    code = (code or "en").lower()[:2]
    return code if code in LANGUAGES else "en"


def news_subject(kind: str, facts: dict[str, Any], lang: str) -> str:
    words = WORDS[language(lang)]
    case = facts.get("case_id", "")
    if kind in ("outcome", "observed_gone"):
        state = SHORT_STATES[language(lang)].get(facts.get("state", ""), facts.get("state", ""))
        what = words["subject_item"].format(position=facts.get("position"), state=state)
    elif kind == "copy_found":
        what = words["subject_copy_found"].format(
            position=facts.get("position"), copy_number=facts.get("copy_number")
        )
    else:
        what = words[f"subject_{kind}"]
    return f"[hotline {case}] {what}"


def news_lines(kind: str, facts: dict[str, Any], lang: str) -> list[str]:
    """The body of one piece of news, as lines."""
    lang = language(lang)
    words = WORDS[lang]
    if kind == "escalation" and facts.get("notice_id"):
        return [words["escalation"].format(**facts)]
    if kind == "escalation":  # a duplicate, told under its own item: no notice of its own
        return [words["escalation_item"].format(**facts)]
    if kind == "copy_found":
        found = words["found_hotline" if facts.get("found_by") == "hotline" else "found_platform"]
        return [
            words["copy_found"].format(
                position=facts.get("position"),
                case_id=facts.get("case_id"),
                copy_number=facts.get("copy_number"),
                found=found,
                platform=facts.get("platform") or "-",
            )
        ]
    item = words["item"].format(position=facts.get("position"), case_id=facts.get("case_id"))
    if kind == "question":
        return [
            words["question"].format(what=item),
            "",
            f"  {facts.get('question', '')}",
            "",
            words["answer"],
        ]
    state = STATES[lang].get(facts.get("state", ""), facts.get("state", ""))
    lines = [f"{item} ({facts.get('url') or '-'}): {state}."]
    if facts.get("reason"):
        lines.append(words["reason"].format(reason=facts["reason"]))
    if facts.get("note"):
        lines.append(words["note"].format(note=facts["note"]))
    check = facts.get("check")
    if check:
        lines.append(
            words["check"].format(
                checked_at=check.get("checked_at", ""),
                status=check.get("http_status") or "-",
                verdict=check.get("verdict", ""),
                why=check.get("reason", ""),
            )
        )
        if check.get("body_sha256"):
            lines.append(words["sha"].format(sha=check["body_sha256"]))
    return lines


def digest_lines(entries: list[tuple[str, dict[str, Any]]], lang: str) -> list[str]:
    """One line (or a few) per piece of news, oldest first, under a heading."""
    lines = [WORDS[language(lang)]["digest"].format(count=len(entries)), ""]
    for kind, facts in entries:
        body = news_lines(kind, facts, lang)
        lines.append(f"- {body[0]}")
        lines.extend(f"  {line}" for line in body[1:] if line and kind != "question")
        if kind == "question":
            lines.append(f"  {facts.get('question', '')}")
    return lines
