"""The export from the database: valid batches, stable puids, rejections left out, no PII."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hotline.audit.models import Event
from hotline.cases.categories import Category
from hotline.cases.legal import LegalBasis
from hotline.cases.models import Item
from hotline.cases.workflow import ItemAction, ItemState
from hotline.compliance.dsa_sor_selectors import dsa_sor_page, platform_for_dsa_export
from hotline.core import clock
from hotline.core.worker import drain_ready_tasks
from hotline.verification import backends
from tests.compliance.dsa_rules import TransparencyDatabase, statement_errors
from tests.compliance.dsa_world import PERSONAL, decide, export_all, file, puids
from tests.conftest import Directory

REMOVE, RESTRICT, REJECT = ItemAction.REMOVE, ItemAction.RESTRICT, ItemAction.REJECT


def test_each_removal_and_restriction_is_one_statement_the_database_accepts(
    directory: Directory,
) -> None:
    kcsc = file(directory, "analyst", "https://t.me/room/1", "https://t.me/room/2")
    centre_a = file(
        directory, "caseworker_a", "https://t.me/room/3", "https://t.me/room/4",
        category=Category.NON_CONSENSUAL_INTIMATE_IMAGE, bases=(LegalBasis.DSA_ART16,),
    )  # fmt: skip
    centre_b = file(
        directory, "caseworker_b", "https://t.me/room/5", "https://t.me/room/6",
        bases=(LegalBasis.TAKE_IT_DOWN,), involves_minor=True,
    )  # fmt: skip
    decide(directory, "telegram_mod", kcsc[0], REMOVE)
    decide(directory, "telegram_mod", kcsc[1], RESTRICT)
    decide(directory, "telegram_mod", centre_a[0], REMOVE)
    decide(directory, "telegram_mod", centre_a[1], REJECT)
    decide(directory, "telegram_mod", centre_b[0], REMOVE)
    decide(directory, "telegram_mod", centre_b[1], ItemAction.NEED_INFO)  # a question, no decision

    batches, rejections = export_all("Telegram")

    database = TransparencyDatabase()
    assert [database.submit(b)[0] for b in batches] == [201]
    by_item = {int(s["puid"].split("-")[2]): s for s in database.statements}
    assert sorted(by_item) == sorted(i.pk for i in (kcsc[0], kcsc[1], centre_a[0], centre_b[0]))
    assert rejections == 1
    assert by_item[kcsc[0].pk]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert by_item[kcsc[1].pk]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    sources = {item: s["source_type"] for item, s in by_item.items()}
    assert sources == {
        kcsc[0].pk: "SOURCE_TRUSTED_FLAGGER",
        kcsc[1].pk: "SOURCE_TRUSTED_FLAGGER",
        centre_a[0].pk: "SOURCE_ARTICLE_16",
        centre_b[0].pk: "SOURCE_TYPE_OTHER_NOTIFICATION",
    }
    assert by_item[kcsc[0].pk]["source_identity"] == "KCSC"
    assert by_item[centre_a[0].pk]["category_specification"] == [
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"
    ]
    # Centre B's adult category with a minor involved is stated as the minor classification.
    assert by_item[centre_b[0].pk]["category"] == "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    assert "Republic of Korea" in by_item[centre_a[0].pk]["illegal_content_legal_ground"]
    assert "United States" in by_item[centre_b[0].pk]["illegal_content_legal_ground"]


def test_nothing_anyone_typed_and_no_url_or_name_of_a_support_centre_reaches_a_statement(
    directory: Directory,
) -> None:
    items = file(directory, "caseworker_a", "https://t.me/kim_minji_channel/9")
    decide(directory, "telegram_mod", items[0], REMOVE)
    batches, _ = export_all("Telegram")
    text = json.dumps(batches, ensure_ascii=False)
    for personal in (*PERSONAL, "kim_minji_channel", "t.me", "Centre A", "caseworker_a"):
        assert personal not in text
    assert "telegram_mod" not in text and "Official" not in text


def test_batches_hold_at_most_100_and_page_on_without_gaps_or_repeats(
    directory: Directory,
) -> None:
    items = file(directory, "analyst", *(f"https://t.me/room/{n}" for n in range(101)))
    for item in items:
        decide(directory, "telegram_mod", item, REMOVE)

    batches, _ = export_all("Telegram")

    assert [len(b["statements"]) for b in batches] == [100, 1]
    assert len(set(puids(batches))) == 101
    database = TransparencyDatabase()
    assert [database.submit(b)[0] for b in batches] == [201, 201]
    status, answer = database.submit(batches[0])  # the same batch again: every puid is known
    assert (status, len(answer["existing_puids"])) == (422, 100)


@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_smaller_pages_join_up_to_the_same_statements(directory: Directory, limit: int) -> None:
    items = file(directory, "analyst", *(f"https://t.me/room/{n}" for n in range(7)))
    for item, action in zip(items, [REMOVE, RESTRICT, REJECT] * 3, strict=False):
        decide(directory, "telegram_mod", item, action)
    platform = platform_for_dsa_export(actor=None, name="Telegram")
    pages, after = [], 0
    while True:
        page = dsa_sor_page(platform=platform, start=None, end=None, after_seq=after, limit=limit)
        pages.append(page.statements)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert all(len(p) <= limit for p in pages)
    assert [s for p in pages for s in p] == export_all("Telegram")[0][0]["statements"]
    assert len(pages[0]) == min(limit, 5)


def test_the_export_is_the_same_every_time_and_a_new_decision_gets_a_new_puid(
    directory: Directory,
) -> None:
    (item,) = file(directory, "analyst", "https://t.me/room/5")
    backends.FAKE_RESPONSES["https://t.me/s/room/5"] = (
        200,
        '<div class="tgme_page_title">room</div><div data-post="room/5"></div>',
    )  # still up after the platform said removed
    decide(directory, "telegram_mod", item, REMOVE)
    first, _ = export_all("Telegram")
    assert export_all("Telegram")[0] == first

    drain_ready_tasks()  # the check finds it still up: reopened
    item.refresh_from_db()
    assert item.state == ItemState.REOPENED
    assert export_all("Telegram")[0] == first  # a reopen is no decision of the platform's
    decide(directory, "telegram_mod", item, REMOVE)  # removed for real this time

    (second,) = export_all("Telegram")[0]
    assert second["statements"][0] == first[0]["statements"][0]
    old, new = puids([second])
    assert old != new and new.startswith(f"hotline-item-{item.pk}-event-")
    last_removal = Event.objects.filter(tag="item:removed").latest("seq")
    assert new == f"hotline-item-{item.pk}-event-{last_removal.seq}"
    database = TransparencyDatabase()
    assert database.submit(first[0])[0] == 201
    assert database.submit({"statements": [second["statements"][1]]})[0] == 201


def test_a_platform_export_holds_only_that_platforms_decisions(directory: Directory) -> None:
    (on_telegram,) = file(directory, "analyst", "https://t.me/room/1")
    (on_x,) = file(directory, "analyst", "https://x.com/someone/status/7")
    decide(directory, "telegram_mod", on_telegram, REMOVE)
    decide(directory, "x_mod", on_x, RESTRICT)
    decide(directory, "x_mod", file(directory, "analyst", "https://x.com/a/status/8")[0], REJECT)
    assert [p.split("-")[2] for p in puids(export_all("Telegram")[0])] == [str(on_telegram.pk)]
    batches, rejections = export_all("X")
    assert [p.split("-")[2] for p in puids(batches)] == [str(on_x.pk)]
    assert rejections == 1
    assert export_all("Telegram")[1] == 0


@pytest.fixture
def days_apart(directory: Directory):
    """Three removals on 2026-03-01, 03-02 and 03-03 (UTC), in hotline's clock."""
    items = file(directory, "analyst", *(f"https://t.me/room/{n}" for n in range(3)))
    try:
        for day, item in enumerate(items, start=1):
            clock.travel_to(datetime(2026, 3, day, 12, 0, tzinfo=UTC))
            decide(directory, "telegram_mod", item, REMOVE)
    finally:
        clock.back_to_real_time()
    return items


@pytest.mark.parametrize(
    ("since", "until", "days"),
    [
        (None, None, ["2026-03-01", "2026-03-02", "2026-03-03"]),
        ("2026-03-02", None, ["2026-03-02", "2026-03-03"]),
        (None, "2026-03-01", ["2026-03-01"]),
        ("2026-03-02", "2026-03-02", ["2026-03-02"]),
        ("2026-03-04", None, []),
    ],
)
def test_the_period_counts_decisions_by_their_utc_day(
    days_apart: list[Item], since: str | None, until: str | None, days: list[str]
) -> None:
    start = datetime.fromisoformat(since).replace(tzinfo=UTC) if since else None
    end = datetime.fromisoformat(until).replace(tzinfo=UTC) + timedelta(days=1) if until else None
    batches, _ = export_all("Telegram", start=start, end=end)
    assert [s["application_date"] for b in batches for s in b["statements"]] == days


# --- the command ------------------------------------------------------------------------------


def test_the_command_writes_one_file_per_batch(
    directory: Directory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = file(directory, "analyst", *(f"https://t.me/room/{n}" for n in range(102)))
    for item in items[:101]:
        decide(directory, "telegram_mod", item, REMOVE)
    decide(directory, "telegram_mod", items[101], REJECT)

    call_command("export", "dsa-sor", "--platform", "telegram", "-o", str(tmp_path / "sor"))

    files = sorted((tmp_path / "sor").iterdir())
    assert [f.name for f in files] == [
        "dsa-sor-telegram-start_now-0001.json",
        "dsa-sor-telegram-start_now-0002.json",
    ]
    bodies = [json.loads(f.read_text()) for f in files]
    assert [len(b["statements"]) for b in bodies] == [100, 1]
    assert bodies == export_all("Telegram")[0]  # one pass gives the API's pages exactly
    assert all(statement_errors(s) == [] for b in bodies for s in b["statements"])
    assert set(bodies[0]) == {"statements"}
    out = capsys.readouterr().out
    assert "Telegram: 101 statements of reasons in 2 batches" in out
    assert "1 rejection not exported" in out


def test_the_command_prints_one_batch_per_line_without_a_directory(
    directory: Directory, capsys: pytest.CaptureFixture[str]
) -> None:
    (item,) = file(directory, "analyst", "https://t.me/room/1")
    decide(directory, "telegram_mod", item, REMOVE)
    call_command("export", "dsa-sor", "--platform", "Telegram", "--since", "2020-01-01")
    captured = capsys.readouterr()
    (line,) = captured.out.splitlines()
    (statement,) = json.loads(line)["statements"]
    assert statement["puid"].startswith(f"hotline-item-{item.pk}-event-")
    assert "Telegram: 1 statement of reasons in 1 batch;" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--platform", "Nope"], "no platform named 'Nope'"),
        (["--platform", "Telegram", "--since", "1 March"], "'1 March' is not a date"),
        (
            ["--platform", "Telegram", "--since", "2026-03-02", "--until", "2026-03-01"],
            "--since must not be after --until",
        ),
    ],
)
def test_the_command_says_what_is_wrong(
    directory: Directory, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("export", "dsa-sor", *args)
