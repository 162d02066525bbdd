"""The package's summary PDF, in Korean and English, with its font embedded."""

import io
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from hotline.audit.checkpoints import Checkpoint
from hotline.core.pdf_fonts import embedded_font

SETTLED_REMOVED = {"confirmed_removed"}


def _styles() -> dict[str, ParagraphStyle]:
    font = embedded_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=12, leading=18),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=13),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.5),
    }


def _short(moment: str | None) -> str:
    return datetime.fromisoformat(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def summary_pdf(document: dict[str, Any], checkpoint: Checkpoint, event_count: int) -> bytes:
    """One summary of items.json; the JSON stays the authoritative, complete record."""
    style = _styles()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title="hotline evidence package / 증거 자료",
        author="hotline",
        invariant=True,  # no random document id: the bytes follow from the content
        # The canvas would otherwise declare Helvetica, which no PDF carries: start in ours.
        initialFontName=embedded_font(),
    )
    scope = document["scope"]
    what = (
        f"case {scope['case_id']} / 사건 {scope['case_id']}"
        if scope["kind"] == "case"
        else f"{scope['platform']}: {scope['since']} - {scope['until']} (UTC)"
    )
    items = document["items"]
    story: list[Flowable] = [
        Paragraph("hotline evidence package / hotline 증거 자료", style["title"]),
        Paragraph(f"Scope / 범위: {what}", style["body"]),
        Paragraph(
            f"Exported / 생성: {_short(document['exported_at'])} · {document['exported_by']}",
            style["body"],
        ),
        Spacer(1, 8),
        _table(_figures(items, document), style["cell"], widths=[260, 80]),
        Spacer(1, 10),
        Paragraph("Items / 항목", style["heading"]),
        _table(_item_rows(items), style["cell"], widths=[58, 230, 60, 80, 80, 80, 80, 60]),
        Spacer(1, 10),
        Paragraph("Audit record / 감사 기록", style["heading"]),
        Paragraph(_checkpoint_text(checkpoint, event_count), style["body"]),
        Spacer(1, 6),
        Paragraph(_how_to_verify(), style["body"]),
    ]
    pdf.build(story)
    return buffer.getvalue()


def _figures(items: list[dict[str, Any]], document: dict[str, Any]) -> list[list[str]]:
    states = [i["state"] for i in items]
    confirmed = sum(s in SETTLED_REMOVED for s in states)
    late = sum(
        1
        for i in items
        if i["deadline_at"]
        and i["state"] != "rejected"
        and (i["confirmed_removed_at"] or document["exported_at"]) > i["deadline_at"]
    )
    return [
        ["Items / 항목 수", str(len(items))],
        ["Notices / 삭제 요청 수", str(len(document["notices"]))],
        [
            "Removal confirmed by hotline / 삭제 확인",
            str(confirmed),
        ],
        ["Rejected by the platform / 플랫폼 거부", str(states.count("rejected"))],
        ["Not removed by the deadline / 기한 내 미삭제", str(late)],
        ["Verification checks / 확인 점검 수", str(sum(len(i["checks"]) for i in items))],
    ]


def _item_rows(items: list[dict[str, Any]]) -> list[list[str]]:
    header = [
        "Case / 사건",
        "URL",
        "Platform / 플랫폼",
        "State / 상태",
        "Deadline / 기한",
        "Acted / 조치",
        "Removed / 삭제 확인",
        "Checks / 점검",
    ]
    rows = [header]
    for item in items:
        rows.append(
            [
                f"{item['case_id']} #{item['position']}",
                item["url"] or "(hashes only / 해시만)",
                item["platform"] or "-",
                item["state"].replace("_", " "),
                _short(item["deadline_at"]),
                _short(item["acted_at"]),
                _short(item["confirmed_removed_at"]),
                str(len(item["checks"])),
            ]
        )
    return rows


def _checkpoint_text(checkpoint: Checkpoint, event_count: int) -> str:
    return (
        f"{event_count} signed audit events are in audit-events.json. They are covered by the "
        f"signed checkpoint in checkpoint.json: event #{checkpoint.seq}, head hash "
        f"{checkpoint.head_hash}, key {checkpoint.key_id}, {checkpoint.created_at}. / "
        f"서명된 감사 기록 {event_count}건이 audit-events.json 에 있으며, "
        f"checkpoint.json 의 서명된 체크포인트(기록 #{checkpoint.seq})가 이를 포함합니다."
    )


def _how_to_verify() -> str:
    return (
        "To check this package offline / 오프라인 검증: hotline evidence verify PACKAGE.zip "
        "--public-key hotline-audit.pub. manifest.json lists the SHA-256 of every file and "
        "manifest.sig signs it; a changed file is named. / manifest.json 에 모든 파일의 SHA-256 이 "
        "있고 manifest.sig 가 이를 서명합니다. 바뀐 파일은 이름으로 표시됩니다."
    )


def _table(rows: list[list[str]], cell: ParagraphStyle, *, widths: list[float]) -> Table:
    table = Table(
        [[Paragraph(_escape(c), cell) for c in row] for row in rows],
        colWidths=widths,
        hAlign="LEFT",
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), embedded_font()),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ]
        )
    )
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
