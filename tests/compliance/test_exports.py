"""The compliance pages and exports: the PDF with its annex and embedded fonts, one table per
CSV file or a ZIP of them, in Korean and English."""

import csv
import io
import re
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from reportlab.platypus import Paragraph, Table

from hotline.core import clock
from hotline.platforms.models import Platform
from hotline.web.pdf import report_pdf, report_story
from hotline.web.reports import period_of, platform_report
from tests.compliance.conftest import AS_OF, Takedown
from tests.web.conftest import signed_in_client

PERIOD = "since=2024-09-01&until=2024-09-03"


@pytest.fixture
def analyst(takedown: Takedown, settings: Any) -> Client:
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    clock.travel_to(AS_OF)
    return signed_in_client("analyst")


def telegram_id() -> int:
    return Platform.objects.get(name="Telegram").pk


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """Each font the PDF uses (its /BaseFont) and whether its file is embedded. reportlab
    writes font dictionaries uncompressed; only page contents are compressed."""
    text = pdf.decode("latin-1")
    objects = dict(re.findall(r"\n(\d+) 0 obj\s*(.*?)endobj", text, re.S))
    fonts = {}
    for body in objects.values():
        if not re.search(r"/Type /Font(?![A-Za-z])", body):
            continue
        base = re.search(r"/BaseFont /(\S+)", body)
        if base is None:
            continue
        descriptor = re.search(r"/FontDescriptor (\d+) 0 R", body)
        embedded = descriptor is not None and "/FontFile" in objects.get(descriptor.group(1), "")
        fonts[base.group(1)] = embedded
    return fonts


def test_the_pdf_embeds_its_fonts_and_lists_every_late_or_unanswered_item(
    takedown: Takedown,
) -> None:
    from hotline.accounts.actors import Actor  # noqa: F401 - the fixture's actors are Actors

    clock.travel_to(AS_OF)
    report = platform_report(
        actor=takedown.directory.actors["analyst"],
        platform_id=telegram_id(),
        period=period_of(None, None, "Asia/Seoul"),
    )
    assert [o.facts.url for o in report.late] == ["https://t.me/room/4"]
    assert [(q.question.text, q.owed_by_platform) for q in report.unanswered] == [("When?", True)]
    pdf = report_pdf(report, checkpoint={"seq": 41, "head": "ab" * 32, "key_id": "test-key"})
    fonts = fonts_of(pdf)
    assert len(fonts) >= 1 and all(fonts.values()), fonts  # every font embedded
    assert any("DejaVu" in name or "Vera" in name for name in fonts), fonts  # Latin: a TTF


def test_a_korean_pdf_embeds_the_korean_font(analyst: Client) -> None:
    analyst.cookies["django_language"] = "ko"
    response = analyst.get(f"/compliance/{telegram_id()}/report.pdf?{PERIOD}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    fonts = fonts_of(response.content)
    assert any("Nanum" in name for name in fonts), fonts
    assert all(fonts.values()), fonts


def test_the_pdf_prints_the_checkpoint_it_was_given(takedown: Takedown) -> None:
    clock.travel_to(AS_OF)
    report = platform_report(
        actor=takedown.directory.actors["analyst"],
        platform_id=telegram_id(),
        period=period_of(None, None, "UTC"),
    )

    def text(story: list[Any]) -> str:
        cells = [c for f in story if isinstance(f, Table) for row in f._cellvalues for c in row]
        paragraphs = [f for f in [*story, *cells] if isinstance(f, Paragraph)]
        return "\n".join(p.getPlainText() for p in paragraphs)

    head = "ab" * 32
    with translation.override("en"):
        assert "No audit checkpoint was attached" in text(report_story(report, None))
        printed = text(report_story(report, {"seq": 41, "head": head, "key_id": "k1"}))
        assert '"head": "' + head + '"' in printed and '"seq": 41' in printed
        assert head in text(report_story(report, '{"seq": 41, "head": "' + head + '"}'))
        assert "https://t.me/room/4" in text(report_story(report, None))  # the annex


def test_the_csv_export_is_one_table(analyst: Client) -> None:
    response = analyst.get(f"/compliance/{telegram_id()}/report.csv?{PERIOD}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["platform", "jurisdiction", "items_received"]
    assert [r[:2] for r in rows[1:]] == [
        ["Telegram", "all"],
        ["Telegram", "KR"],
        ["Telegram", "US"],
    ]
    assert all(len(r) == len(rows[0]) for r in rows)


def test_the_zip_export_holds_one_table_per_file(analyst: Client) -> None:
    response = analyst.get(f"/compliance/{telegram_id()}/report.zip?{PERIOD}")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names == [
        "figures.csv",
        "weeks.csv",
        "hours_to_removal.csv",
        "late_items.csv",
        "unanswered_questions.csv",
    ]
    for name in names:
        rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
        assert rows and all(len(r) == len(rows[0]) for r in rows), name  # one table, no gaps
    late = list(csv.DictReader(io.StringIO(archive.read("late_items.csv").decode())))
    assert [(r["url"], r["state"]) for r in late] == [("https://t.me/room/4", "notified")]
    questions = list(csv.DictReader(io.StringIO(archive.read("unanswered_questions.csv").decode())))
    assert [(q["owed_by"], q["question"]) for q in questions] == [("platform", "When?")]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Share removed within the deadline", "Items not removed within the deadline"]),
        ("ko", ["기한 내 삭제 비율", "기한 내에 삭제되지 않은 항목"]),
    ],
)
def test_the_compliance_pages_read_in_korean_and_english(
    analyst: Client, language: str, words: list[str]
) -> None:
    analyst.cookies["django_language"] = language
    index = analyst.get(f"/compliance/?{PERIOD}")
    page = analyst.get(f"/compliance/{telegram_id()}/?{PERIOD}")
    assert index.status_code == page.status_code == 200
    html = page.content.decode()
    for word in words:
        assert word in html, word
    assert "https://t.me/room/4" in html and "When?" in html
    assert "<svg" in html  # the charts still draw


@pytest.mark.parametrize(("who", "status"), [("telegram_mod", 200), ("x_mod", 404)])
def test_a_platform_exports_only_its_own_report(
    takedown: Takedown, settings: Any, who: str, status: int
) -> None:
    settings.SESSION_COOKIE_SECURE = False
    client = signed_in_client(who)
    for export in ("report.csv", "report.zip", "report.pdf"):
        assert client.get(f"/compliance/{telegram_id()}/{export}?{PERIOD}").status_code == status
