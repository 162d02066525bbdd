"""`hotline bank import --format`, `hotline bank export --since` and `GET /api/banks/{name}/feed`:
hashes in from the other systems' formats, a bank's changes out with deletions, for platforms."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from hotline.audit.models import Event
from hotline.banks.models import Bank, BankEntry
from hotline.banks.purge import bank_purge_items
from hotline.banks.services import (
    KNOWN_CONTENT_BANK,
    Signal,
    bank_add,
    bank_create,
    bank_remove,
)

PDQ = [f"{n:064x}" for n in range(1, 10)]
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def live(bank: str) -> set[tuple[str, str]]:
    return set(
        BankEntry.objects.filter(bank__name=bank, removed_version=None).values_list(
            "signal_type", "value"
        )
    )


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("bank", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def bank(db: None) -> Bank:
    return bank_create(name="imported", actor="test")


def test_the_old_plain_csv_still_imports(bank: Bank, tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text(f"pdq,{PDQ[0]},90\n{PDQ[1]}\nmd5,{MD5}\n")
    out, _ = run("import", "imported", str(tmp_path / "h.csv"), "--no-progress")
    assert out.strip() == "added 3 of 3 hashes to imported"
    assert live("imported") == {("pdq", PDQ[0]), ("pdq", PDQ[1]), ("md5", MD5)}


def test_bad_lines_are_listed_with_their_numbers_and_the_rest_is_imported(
    bank: Bank, tmp_path: Path
) -> None:
    path = tmp_path / "h.csv"
    path.write_text(f"pdq,{PDQ[0]}\npdq,xyz\nmd5,{MD5},abc\nsha1,{MD5}\npdq,{PDQ[0]}\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 bad lines"):
        call_command("bank", "import", "imported", str(path), "--no-progress", stderr=err)
    assert err.getvalue().splitlines() == [
        f"{path}, line 2: pdq must be 64 hex characters, got 'xyz'",
        f"{path}, line 3: quality must be a number, got 'abc'",
        f"{path}, line 4: unknown signal type 'sha1'; use pdq, md5 or sha256",
    ]
    assert live("imported") == {("pdq", PDQ[0])}


def test_imports_run_in_batches_each_audited(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hotline.banks.exchange.BATCH", 4)
    lines = "".join(f"pdq,{value}\n" for value in PDQ)
    (tmp_path / "h.csv").write_text(lines)
    run("import", "imported", str(tmp_path / "h.csv"), "--no-progress")
    assert len(live("imported")) == 9
    adds = Event.objects.filter(tag="bank:import", subject=f"bank:{bank.pk}")
    assert sorted(e.payload["count"] for e in adds) == [1, 4, 4]


def test_a_delta_file_removes_what_it_deletes_in_order(bank: Bank, tmp_path: Path) -> None:
    bank_add(bank=bank, signals=[Signal("pdq", PDQ[0]), Signal("md5", MD5)], source="t", actor="t")
    records = [
        {"id": "1", "indicator": PDQ[1], "type": "HASH_PDQ", "should_delete": False},
        {"id": "2", "indicator": MD5, "type": "HASH_MD5", "should_delete": True},
        {"id": "3", "indicator": PDQ[2], "type": "HASH_PDQ", "should_delete": False},
        {"id": "4", "indicator": PDQ[2], "type": "HASH_PDQ", "should_delete": True},
        {"id": "5", "indicator": PDQ[5], "type": "HASH_PDQ", "should_delete": True},
    ]
    (tmp_path / "te.json").write_text(json.dumps({"data": records}, indent=1))
    out, _ = run(
        "import", "imported", str(tmp_path / "te.json"), "--format", "te-json", "--no-progress"
    )
    assert live("imported") == {("pdq", PDQ[0]), ("pdq", PDQ[1])}
    assert out.strip() == "added 2 of 5 hashes to imported, removed 2 (1 deletions not found)"


def test_records_of_signal_types_hotline_does_not_keep_are_counted_not_errors(
    bank: Bank, tmp_path: Path
) -> None:
    records = [
        {"signalType": "ImagePDQ", "hashValue": PDQ[0], "hashStatus": "Active"},
        {"signalType": "VideoTMK", "hashValue": "tmk", "hashStatus": "Active"},
        {"signalType": "VideoTMK", "hashValue": "tmk2", "hashStatus": "Active"},
    ]
    path = tmp_path / "ncii.json"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    out, err = run("import", "imported", str(path), "--format", "stopncii", "--no-progress")
    assert out.strip() == "added 1 of 1 hashes to imported"
    assert err.strip() == (
        f"{path}: skipped 2 records (first on line 2): "
        "signal type 'VideoTMK' is not one hotline keeps"
    )


def test_deletions_by_the_exporters_id_are_reported_not_guessed(bank: Bank, tmp_path: Path) -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
  <images count="2">
    <image><member id="1">M</member><id>a</id>
      <fingerprints><pdq>{PDQ[3]}</pdq></fingerprints></image>
    <deletedImage><member id="1">M</member><id>b</id></deletedImage>
  </images>
</queryResult>
"""
    path = tmp_path / "ncmec.xml"
    path.write_text(xml)
    out, err = run("import", "imported", str(path), "--format", "ncmec", "--no-progress")
    assert live("imported") == {("pdq", PDQ[3])}
    assert err.strip() == f"{path}, line 6: deletion of id b without its hash: not applied"
    assert "1 deletions by id not applied" in out


@pytest.mark.parametrize("fmt", ["csv", "te-csv", "te-json", "hma", "stopncii", "ncmec"])
def test_an_export_imports_into_another_bank(bank: Bank, tmp_path: Path, fmt: str) -> None:
    bank_add(bank=bank, signals=[Signal("pdq", v, 80) for v in PDQ[:3]], source="t", actor="t")
    bank_add(bank=bank, signals=[Signal("md5", MD5)], source="t", actor="t")
    path = tmp_path / f"export.{fmt}"
    _, err = run("export", "imported", "--format", fmt, "--output", str(path))
    assert "wrote 4 additions and 0 deletions of bank imported; next time: --since 2" in err
    bank_create(name="copy", actor="test")
    run("import", "copy", str(path), "--format", fmt, "--no-progress")
    assert live("copy") == live("imported")


def test_an_export_since_a_cursor_has_the_new_entries_and_the_deletions(bank: Bank) -> None:
    first = bank_add(bank=bank, signals=[Signal("pdq", v) for v in PDQ[:3]], source="t", actor="t")
    _, err = run("export", "imported")
    cursor = err.split("--since ")[1].strip()
    assert cursor == "1"
    bank_remove(bank=bank, entry_ids=[first[1].pk], actor="t")
    later = bank_add(bank=bank, signals=[Signal("pdq", PDQ[5])], source="t", actor="t")
    out, err = run("export", "imported", "--since", cursor)
    assert out.splitlines() == [
        "signal_type,value,quality,entry_id,op",
        f"pdq,{PDQ[1]},,{first[1].pk},delete",
        f"pdq,{PDQ[5]},,{later[0].pk},add",
    ]
    assert "--since 3" in err
    out, _ = run("export", "imported", "--since", "3")
    assert out.splitlines() == ["signal_type,value,quality,entry_id,op"]


def test_export_refuses_a_bad_cursor_and_an_unknown_bank(bank: Bank) -> None:
    with pytest.raises(CommandError, match="cursor must be VERSION"):
        run("export", "imported", "--since", "yesterday")
    with pytest.raises(CommandError, match="ahead of bank imported"):
        run("export", "imported", "--since", "12")
    with pytest.raises(CommandError, match="no bank named 'nope'"):
        run("export", "nope")
    with pytest.raises(CommandError, match=r"cannot write /nonexistent/x\.csv"):
        run("export", "imported", "-o", "/nonexistent/x.csv")


def test_share_turns_a_banks_feed_on_and_off_audited(bank: Bank) -> None:
    out, _ = run("share", "imported")
    assert out.strip() == "bank imported is shared with platforms"
    assert Bank.objects.get(pk=bank.pk).platform_feed
    run("share", "imported", "--off")
    assert not Bank.objects.get(pk=bank.pk).platform_feed
    assert [e.payload["platform_feed"] for e in Event.objects.filter(tag="bank:share")] == [
        True,
        False,
    ]
    out, _ = run("list")
    assert "known-content\t0 entries\tthreshold 31\tversion 0\tshared with platforms" in out


# The feed API --------------------------------------------------------------------------------


def feed(who: str, directory: Any, query: str = "", bank: str = KNOWN_CONTENT_BANK) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {directory.tokens[who]}"} if who else {}
    return Client().get(f"/api/banks/{bank}/feed{query}", **headers)


def test_platforms_page_through_a_shared_bank_with_cursors(directory: Any) -> None:
    known = Bank.objects.get(name=KNOWN_CONTENT_BANK)
    entries = bank_add(
        bank=known, signals=[Signal("pdq", v) for v in PDQ[:5]], source="t", actor="t"
    )
    response = feed("telegram_mod", directory, "?limit=2")
    assert response.status_code == 200
    page = response.json()
    assert [c["entry_id"] for c in page["changes"]] == [entries[0].pk, entries[1].pk]
    assert page["has_more"] is True and page["next_cursor"] == f"1.{entries[1].pk}"
    assert page["changes"][0] | {"created_at": None} == {
        "cursor": f"1.{entries[0].pk}",
        "op": "add",
        "entry_id": entries[0].pk,
        "signal_type": "pdq",
        "value": PDQ[0],
        "quality": None,
        "created_at": None,
    }
    rest = feed("x_mod", directory, f"?after={page['next_cursor']}").json()
    assert [c["entry_id"] for c in rest["changes"]] == [e.pk for e in entries[2:]]
    assert rest["has_more"] is False and rest["next_cursor"] == "1"

    bank_remove(bank=known, entry_ids=[entries[0].pk], actor="t")
    delta = feed("telegram_mod", directory, "?after=1").json()
    assert [(c["op"], c["entry_id"], c["value"]) for c in delta["changes"]] == [
        ("delete", entries[0].pk, PDQ[0])
    ]
    assert delta["next_cursor"] == "2"
    # A fresh client never hears of the removed entry.
    fresh = feed("telegram_mod", directory).json()
    assert [c["entry_id"] for c in fresh["changes"]] == [e.pk for e in entries[1:]]


def test_a_deletion_reaches_only_a_client_that_was_sent_the_entry(directory: Any) -> None:
    known = Bank.objects.get(name=KNOWN_CONTENT_BANK)
    entries = bank_add(
        bank=known, signals=[Signal("pdq", v) for v in PDQ[:3]], source="t", actor="t"
    )
    cursor = feed("telegram_mod", directory, "?limit=1").json()["next_cursor"]  # saw entry 0
    bank_remove(bank=known, entry_ids=[entries[0].pk, entries[2].pk], actor="t")
    page = feed("telegram_mod", directory, f"?after={cursor}").json()
    assert [(c["op"], c["entry_id"]) for c in page["changes"]] == [
        ("add", entries[1].pk),
        ("delete", entries[0].pk),
    ]


def test_a_withdrawal_reaches_the_feed_as_deletions_by_id_without_the_hash(
    directory: Any,
) -> None:
    known = Bank.objects.get(name=KNOWN_CONTENT_BANK)
    hers = bank_add(
        bank=known,
        signals=[Signal("pdq", PDQ[0]), Signal("md5", MD5)],
        source="t",
        item_id=77,
        actor="t",
    )
    other = bank_add(bank=known, signals=[Signal("pdq", PDQ[1])], source="t", actor="t")
    synced = feed("telegram_mod", directory).json()
    assert {c["entry_id"] for c in synced["changes"]} == {e.pk for e in hers + other}
    bank_purge_items(item_ids=[77], actor="t", reason="consent withdrawn")
    page = feed("telegram_mod", directory, f"?after={synced['next_cursor']}").json()
    assert [(c["op"], c["entry_id"], c["value"]) for c in page["changes"]] == [
        ("delete", e.pk, None) for e in sorted(hers, key=lambda e: e.pk)
    ]
    assert PDQ[0] not in json.dumps(page) and MD5 not in json.dumps(page)
    # A client that starts now never had them, and is not told of them.
    fresh = feed("x_mod", directory).json()
    assert [c["entry_id"] for c in fresh["changes"]] == [other[0].pk]


def test_the_feed_in_an_exchange_format_carries_the_cursor_in_headers(directory: Any) -> None:
    known = Bank.objects.get(name=KNOWN_CONTENT_BANK)
    bank_add(bank=known, signals=[Signal("pdq", PDQ[0]), Signal("md5", MD5)], source="t", actor="t")
    response = feed("telegram_mod", directory, "?format=stopncii&limit=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["X-Has-More"] == "true" and response["X-Next-Cursor"].startswith("1.")
    assert json.loads(response.content)["hashRecords"][0]["hashValue"] == PDQ[0]
    response = feed("telegram_mod", directory, "?format=ncmec")
    assert response["Content-Type"] == "application/xml"
    assert response["X-Has-More"] == "false" and response["X-Next-Cursor"] == "1"
    assert f"<md5>{MD5}</md5>" in response.content.decode()


def test_who_may_read_which_feed(directory: Any) -> None:
    assert feed("", directory).status_code == 401
    assert feed("analyst", directory).status_code == 403
    assert feed("auditor", directory).status_code == 403
    # The reported-items bank holds every report: not shared, and its existence not told.
    missing = feed("telegram_mod", directory, bank="reported-items")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    assert feed("telegram_mod", directory, bank="no-such-bank").json() == missing.json() | {
        "message": "no bank named 'no-such-bank' is shared with platforms"
    }


@pytest.mark.parametrize(
    ("query", "status", "element"),
    [
        ("?after=abc", 422, "after"),
        ("?after=1.x", 422, "after"),
        ("?after=-1", 422, "after"),
        ("?after=1.99999999999999999999999", 422, "after"),
        ("?after=99999999999999999999999", 422, "after"),
        ("?after=99", 409, "after"),
        ("?limit=0", 422, "limit"),
        ("?limit=5001", 422, "limit"),
        ("?format=xls", 422, "format"),
    ],
)
def test_bad_feed_queries_get_precise_errors(
    directory: Any, query: str, status: int, element: str
) -> None:
    response = feed("telegram_mod", directory, query)
    assert response.status_code == status
    assert [d["element"] for d in response.json()["details"]] == [element]


def test_a_file_that_is_not_text_or_not_there_is_one_clear_error(
    bank: Bank, tmp_path: Path
) -> None:
    (tmp_path / "latin1.csv").write_bytes(b"pdq," + b"\xe9" * 64 + b"\n")
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run("import", "imported", str(tmp_path / "latin1.csv"), "--no-progress")
    with pytest.raises(CommandError, match="no file"):
        run("import", "imported", str(tmp_path / "missing.csv"))
    assert live("imported") == set()
