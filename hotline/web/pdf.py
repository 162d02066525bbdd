"""A platform's compliance report as a PDF (reportlab, pure Python), in the reader's language.

Fonts are embedded (see pdf_fonts). The annex lists every item not removed within the deadline
and every unanswered question, so the figures can be checked item by item.
"""

import io
import json
from collections.abc import Mapping, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hotline.web.labels import STATES
from hotline.web.pdf_fonts import LATIN, marked_up, register
from hotline.web.reports import PlatformReport, bins, figure_table, written

KOREAN_FONT, KOREAN_EMBEDDED = register()
BODY = ParagraphStyle("body", fontName=LATIN, fontSize=10, leading=14)
CELL = ParagraphStyle("cell", fontName=LATIN, fontSize=8, leading=10)
HEADING = ParagraphStyle("heading", fontName=LATIN, fontSize=16, leading=22)
SUBHEADING = ParagraphStyle("subheading", fontName=LATIN, fontSize=12, leading=18)
MONO = ParagraphStyle("mono", fontName=LATIN, fontSize=7, leading=9)

# An audit checkpoint (`hotline audit checkpoint`): its signed JSON as text, or parsed.
Checkpoint = str | Mapping[str, object]


def _p(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(marked_up(str(text), KOREAN_FONT), style)


def report_pdf(report: PlatformReport, checkpoint: Checkpoint | None = None) -> bytes:
    """The report; `checkpoint`, when given, is printed as the audit state it was computed at.

    The web view passes the current signed checkpoint (`audit.selectors.current_checkpoint`).
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"hotline: {report.platform.name}",
        initialFontName=LATIN,  # else every page names Helvetica, which is never embedded
    )
    document.build(report_story(report, checkpoint))
    return buffer.getvalue()


def report_story(report: PlatformReport, checkpoint: Checkpoint | None) -> list[Flowable]:
    period = f"{report.period.since:%Y-%m-%d} - {report.period.until:%Y-%m-%d}"
    as_of = timezone.localtime(report.as_of, report.period.zone)
    story: list[Flowable] = [
        _p(_("Compliance report: %(platform)s") % {"platform": report.platform.name}, HEADING),
        _p(_("Notices sent from %(period)s") % {"period": period}),
        _p(
            _("Days are read in %(zone)s; figures as of %(as_of)s.")
            % {"zone": report.period.time_zone, "as_of": f"{as_of:%Y-%m-%d %H:%M %Z}"}
        ),
        Spacer(1, 12),
        _table(_figures(report)),
        Spacer(1, 12),
        _p(_("Time to removal"), SUBHEADING),
        _bars([(f"{lo:g}-{hi:g}" if hi else f"{lo:g}+", n) for lo, hi, n in bins(report)]),
        _p(_("Share removed within the deadline, per week"), SUBHEADING),
        _table(
            [[_("Week of"), _("Received"), _("Items due"), _("Removed in time"), _("Share")]]
            + [
                [
                    f"{w.week_start:%Y-%m-%d}",
                    w.received,
                    w.due,
                    w.removed_in_time,
                    written(w.share, "share"),
                ]
                for w in report.weeks
            ]
        ),
        Spacer(1, 12),
        *_annex(report),
        Spacer(1, 12),
        *_checkpoint(checkpoint),
    ]
    return story


def _figures(report: PlatformReport) -> list[Sequence[object]]:
    headings, rows = figure_table(report.metrics)
    return [headings, *[[label, *cells] for label, cells in rows]]


def _annex(report: PlatformReport) -> list[Flowable]:
    late = [
        [
            o.facts.case_id,
            o.facts.url,
            str(STATES.get(o.state, o.state)),
            f"{timezone.localtime(o.facts.deadline_at, report.period.zone):%Y-%m-%d %H:%M}",
            written(o.allowed_hours, "hours"),
            written(o.clock_hours, "hours"),
        ]
        for o in report.late
    ]
    questions = [
        [
            f"{timezone.localtime(q.question.asked_at, report.period.zone):%Y-%m-%d %H:%M}",
            q.question.case_id,
            _("the platform") if q.owed_by_platform else _("the reporter"),
            written(q.age_hours, "hours"),
            q.question.text,
        ]
        for q in report.unanswered
    ]
    return [
        _p(
            _("Annex: items not removed within the deadline (%(n)s)") % {"n": len(late)}, SUBHEADING
        ),
        _table(
            [
                [_("Case"), "URL", _("State"), _("Deadline"), _("Hours allowed"), _("Hours used")],
                *late,
            ]
        )
        if late
        else _p(_("None.")),
        Spacer(1, 8),
        _p(_("Annex: questions left unanswered (%(n)s)") % {"n": len(questions)}, SUBHEADING),
        _table([[_("Asked"), _("Case"), _("Owed by"), _("Age"), _("Question")], *questions])
        if questions
        else _p(_("None.")),
    ]


def _checkpoint(checkpoint: Checkpoint | None) -> list[Flowable]:
    """The audit checkpoint the report was computed from; `hotline audit checkpoint` makes one."""
    title = _p(_("Audit checkpoint"), SUBHEADING)
    if checkpoint is None:
        return [title, _p(_("No audit checkpoint was attached to this report."))]
    text = (
        checkpoint
        if isinstance(checkpoint, str)
        else json.dumps(dict(checkpoint), sort_keys=True, indent=1, default=str)
    )
    return [title, *[_p(line, MONO) for line in text.splitlines() or [""]]]


def _table(rows: Sequence[Sequence[object]]) -> Table:
    table = Table([[_p(c, CELL) for c in row] for row in rows], hAlign="LEFT", repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), LATIN),  # Table's default would be Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
            ]
        )
    )
    return table


def _bars(values: list[tuple[str, int]]) -> Drawing:
    width, height, slot = 480, 140, 480 / max(len(values), 1)
    top = max([n for _, n in values] + [1])
    drawing = Drawing(width, height + 30, initialFontName=LATIN)
    for index, (label, count) in enumerate(values):
        bar_height = height * count / top
        x = index * slot + slot * 0.15
        drawing.add(Rect(x, 20, slot * 0.7, bar_height, fillColor=colors.HexColor("#1f4e79")))
        drawing.add(String(x, 24 + bar_height, str(count), fontName=LATIN, fontSize=8))
        drawing.add(String(x, 6, label, fontName=LATIN, fontSize=8))
    return drawing
