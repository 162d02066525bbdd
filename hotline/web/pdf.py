"""A platform's compliance report as a PDF (reportlab, pure Python), in the reader's language."""

import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hotline.cases.models import Message
from hotline.web.reports import PlatformReport, bins

# A CID font that every PDF reader has: Korean and Latin text without embedding a font file.
FONT = "HYSMyeongJo-Medium"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=16, leading=22)
SUBHEADING = ParagraphStyle("subheading", fontName=FONT, fontSize=12, leading=18)


def report_pdf(report: PlatformReport) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=f"hotline: {report.platform.name}")
    period = f"{report.period.since:%Y-%m-%d} - {report.period.until:%Y-%m-%d}"
    story = [
        Paragraph(
            _("Compliance report: %(platform)s") % {"platform": report.platform.name}, HEADING
        ),
        Paragraph(_("Notices sent from %(period)s") % {"period": period}, BODY),
        Spacer(1, 12),
        _table(_figures(report)),
        Spacer(1, 12),
        Paragraph(_("Time to confirmed removal"), SUBHEADING),
        _bars([(f"{lo:g}-{hi:g}" if hi else f"{lo:g}+", n) for lo, hi, n in bins(report)]),
        Paragraph(_("Share removed within the deadline, per week"), SUBHEADING),
        _table(
            [[_("Week of"), _("Received"), _("Removed in time"), _("Share")]]
            + [
                [f"{w.week_start:%Y-%m-%d}", w.received, w.removed_in_time, _share(w.share)]
                for w in report.weeks
            ]
        ),
        Spacer(1, 12),
        Paragraph(
            _("Questions left unanswered: %(n)s") % {"n": len(report.unanswered)}, SUBHEADING
        ),
        *[Paragraph(_question_line(m), BODY) for m in report.unanswered],
    ]
    document.build(story)
    return buffer.getvalue()


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _figures(report: PlatformReport) -> list[Sequence[object]]:
    m = report.metrics
    return [
        [_("Items received"), m.items_received],
        [_("Acted on"), m.items_acted_on],
        [_("Removal confirmed"), m.items_confirmed_removed],
        [_("Rejected"), m.items_rejected],
        [_("Reopened"), m.items_reopened],
        [_("Median hours to removal"), m.median_hours_to_removal or "-"],
        [_("90th percentile hours"), m.p90_hours_to_removal or "-"],
        [_("Share removed within the deadline"), _share(m.share_removed_within_deadline)],
        [_("Questions left unanswered"), m.questions_unanswered],
        [_("Notices escalated"), m.notices_escalated],
    ]


def _question_line(message: Message) -> str:
    created = timezone.localtime(message.created_at)
    case = message.notice.request.case_id
    return f"{created:%Y-%m-%d %H:%M} · {case} · {message.body}"


def _table(rows: Sequence[Sequence[object]]) -> Table:
    table = Table([[str(c) for c in row] for row in rows], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
            ]
        )
    )
    return table


def _bars(values: list[tuple[str, int]]) -> Drawing:
    width, height, slot = 480, 140, 480 / max(len(values), 1)
    top = max([n for _, n in values] + [1])
    drawing = Drawing(width, height + 30)
    for index, (label, count) in enumerate(values):
        bar_height = height * count / top
        x = index * slot + slot * 0.15
        drawing.add(Rect(x, 20, slot * 0.7, bar_height, fillColor=colors.HexColor("#1f4e79")))
        drawing.add(String(x, 24 + bar_height, str(count), fontName=FONT, fontSize=8))
        drawing.add(String(x, 6, label, fontName=FONT, fontSize=8))
    return drawing
