"""Rendering an outbound message as email text and HTML, in the recipient's language."""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.template.loader import render_to_string

from hotline.delivery.messages import OutboundMessage

LANGUAGES = ("en", "ko")
_HANGUL = re.compile("[\uac00-\ud7a3]")

# Headings of the messages that are not notices, per language.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "escalation": "Overdue notice: escalation to the designated official",
        "reopen": "An item reported removed is still reachable",
        "message:question": "A question about a notice",
        "message:answer": "An answer about a notice",
        "receipt": "Receipt",
        "confirmation": "Confirmation",
        "reminder": "Reminder: a reporter's question is unanswered",
        "signals_withdrawn": "Consent withdrawn: delete the hashes",
        "self_case:pin": "Your case number and PIN",
        "news:outcome": "News of your item",
        "news:observed_gone": "News of your item",
        "news:question": "A question from the platform",
        "news:escalation": "Deadline missed: escalated",
        "news:digest": "Daily digest",
    },
    "ko": {
        "escalation": "처리 기한 초과: 지정 책임자에게 보고",
        "reopen": "삭제했다고 회신한 항목이 아직 접근 가능합니다",
        "message:question": "삭제 요청에 관한 질문",
        "message:answer": "삭제 요청에 관한 답변",
        "receipt": "접수 확인",
        "confirmation": "처리 확인",
        "reminder": "알림: 신고 기관의 질문에 아직 답변하지 않았습니다",
        "signals_withdrawn": "동의 철회: 해시값을 삭제하십시오",
        "self_case:pin": "사건 번호와 PIN",
        "news:outcome": "신고 항목 처리 소식",
        "news:observed_gone": "신고 항목 처리 소식",
        "news:question": "플랫폼의 질문",
        "news:escalation": "처리 기한 초과: 책임자에게 보고",
        "news:digest": "일일 요약",
    },
}


@dataclass(frozen=True)
class MailParts:
    subject: str
    text: str
    html: str


def language_of(payload: dict[str, Any]) -> str:
    language = str(payload.get("language") or "en").lower()[:2]
    return language if language in LANGUAGES else "en"


def render_parts(message: OutboundMessage) -> MailParts:
    """Subject, plain text and HTML for an OutboundMessage, from the templates."""
    language = language_of(message.payload)
    if message.kind == "notice":
        context = notice_context(message.payload)
        template = "notice"
        subject = render_to_string(f"delivery/notice_subject.{language}.txt", context).strip()
    else:
        context = generic_context(message, language)
        template = "generic"
        subject = context["subject"]
    text = render_to_string(f"delivery/{template}.{language}.txt", context)
    html = render_to_string(f"delivery/{template}.{language}.html", context)
    return MailParts(subject=" ".join(subject.split()), text=text, html=html)


def notice_context(payload: dict[str, Any]) -> dict[str, Any]:
    deadline = local_time(payload["deadline_at"], payload.get("time_zone"))
    checkpoint = payload.get("checkpoint")
    return {
        "checkpoint": checkpoint_text(checkpoint) if checkpoint else "",
        **_thread_context(payload),
        "platform": payload.get("platform", ""),
        "urgent": bool(payload.get("urgent")),
        "category": payload.get("category", ""),
        "reasons": payload.get("reasons", ""),
        "deadline": deadline,
        "items": [
            {"position": i.get("position"), "url": i.get("url") or "", "id": i.get("item_id")}
            for i in payload.get("items", [])
        ],
    }


def checkpoint_text(checkpoint: dict[str, Any]) -> str:
    """The audit checkpoint as one JSON line a recipient can save and hand to an auditor."""
    return json.dumps(checkpoint, sort_keys=True, separators=(",", ":"))


def generic_context(message: OutboundMessage, language: str) -> dict[str, Any]:
    label = LABELS[language].get(message.kind, message.kind)
    subject = message.subject
    tag, _, words = subject.partition("]")
    # An English subject written by the sender of the message (`… question`) becomes the
    # label in the recipient's language; one already written in Korean (a receipt that
    # repeats the reporter's own subject) is kept. News to reporters is written in their
    # language already (cases.news_texts).
    english = not _HANGUL.search(words)
    translated = message.kind in LABELS[language] and not message.kind.startswith("news:")
    if language != "en" and translated and tag.startswith("[hotline"):
        subject = f"{tag}] {label}" if english else subject
    return {
        **_thread_context(message.payload),
        "label": label,
        "subject": subject,
        "body": message.body,
    }


def _thread_context(payload: dict[str, Any]) -> dict[str, Any]:
    notice_id, reply_token = payload.get("notice_id"), payload.get("reply_token")
    action_token = payload.get("action_token")
    return {
        "notice_id": notice_id,
        "case_id": payload.get("case_id", ""),
        "reference": f"N{notice_id}-{reply_token}" if notice_id and reply_token else "",
        "action_url": (
            f"{settings.HOTLINE_PUBLIC_URL}/act/{notice_id}/{action_token}"
            if notice_id and action_token
            else ""
        ),
    }


def local_time(iso: str, time_zone: str | None) -> str:
    """`2024-09-03 15:00 KST (Asia/Seoul)`: the deadline as the recipient reads it."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = datetime.fromisoformat(iso).astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({zone.key})"
