"""Compliance pages: every platform's figures, one platform's charts, and CSV and PDF exports."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hotline.audit.selectors import current_checkpoint
from hotline.compliance.period import Period
from hotline.core.errors import InvalidInput
from hotline.web import reports
from hotline.web.access import actor_required, web_actor
from hotline.web.charts import Bar, bar_chart_svg
from hotline.web.errors import error_sentence
from hotline.web.forms import PeriodForm
from hotline.web.pdf import report_pdf


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    form = PeriodForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    zone = timezone.get_current_timezone_name()
    try:
        return form, reports.period_of(data.get("since"), data.get("until"), zone)
    except InvalidInput as error:  # a period that ends before it starts: say so, show the default
        form.add_error("since", error_sentence(error))
        return form, reports.period_of(None, None, zone)


@actor_required()
def index_view(request: HttpRequest) -> HttpResponse:
    form, period = _period(request)
    rows = reports.compliance_index(actor=web_actor(request), period=period)
    context = {"form": form, "period": period, "rows": rows}
    return render(request, "web/compliance/index.html", context)


def _report(request: HttpRequest, platform_id: int) -> tuple[PeriodForm, reports.PlatformReport]:
    form, period = _period(request)
    actor = web_actor(request)
    return form, reports.platform_report(actor=actor, platform_id=platform_id, period=period)


@actor_required()
def platform_view(request: HttpRequest, platform_id: int) -> HttpResponse:
    form, report = _report(request, platform_id)
    hours_chart = bar_chart_svg(
        [
            Bar(f"{lo:g}-{hi:g} h" if hi else f"{lo:g}+ h", n, str(n))
            for lo, hi, n in reports.bins(report)
        ],
        title=_("Time to removal (items per bin of hours)"),
    )
    weeks_chart = bar_chart_svg(
        [
            Bar(
                f"{w.week_start:%m-%d}",
                w.share or 0.0,
                "-" if w.share is None else f"{w.share:.0%}",
            )
            for w in report.weeks
        ],
        title=_("Share removed within the deadline, per week"),
        maximum=1.0,
    )
    context = {
        "form": form,
        "report": report,
        "figure_table": reports.figure_table(report.metrics),
        "query": request.GET.urlencode(),
        "hours_chart": mark_safe(hours_chart),  # noqa: S308 - every text in it is escaped
        "weeks_chart": mark_safe(weeks_chart),  # noqa: S308 - every text in it is escaped
    }
    return render(request, "web/compliance/platform.html", context)


def _attachment(response: HttpResponse, report: reports.PlatformReport, ext: str) -> HttpResponse:
    name = f"hotline-{report.platform.pk}-{report.period.since}-{report.period.until}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@actor_required()
def platform_csv_view(request: HttpRequest, platform_id: int) -> HttpResponse:
    """The figures table alone: one table, one file."""
    _, report = _report(request, platform_id)
    figures = reports.report_files(report)["figures.csv"]
    return _attachment(HttpResponse(figures, content_type="text/csv; charset=utf-8"), report, "csv")


@actor_required()
def platform_zip_view(request: HttpRequest, platform_id: int) -> HttpResponse:
    """Every table of the report, one CSV file each, in a ZIP."""
    _, report = _report(request, platform_id)
    return _attachment(
        HttpResponse(reports.report_zip(report), content_type="application/zip"), report, "zip"
    )


@actor_required()
def platform_pdf_view(request: HttpRequest, platform_id: int) -> HttpResponse:
    _, report = _report(request, platform_id)
    pdf = report_pdf(report, checkpoint=current_checkpoint().to_json())
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), report, "pdf")
