"""The exchange formats: each reader yields rows and numbered bad lines from the shapes the
other systems publish, streams, and reads back what the matching writer wrote."""

import io
import json
from datetime import UTC, datetime

import pytest

from hotline.exchange import readers
from hotline.exchange.readers import read
from hotline.exchange.records import FORMATS, BadLine, Change, Row
from hotline.exchange.writers import Page, write

PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
PDQ2 = "0" * 63 + "1"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def rows(fmt: str, text: str) -> list[Row | BadLine]:
    return list(read(fmt, io.StringIO(text)))


def test_hotline_csv_reads_the_old_lines_and_the_export_columns() -> None:
    text = (
        "signal_type,value,quality,entry_id,op\n"
        f"pdq,{PDQ.upper()},90\n"
        f"{PDQ2}\n"
        "\n"
        "# a comment\n"
        f"md5,{MD5},,7,delete\n"
        "pdq,abc,ninety\n"
        f"pdq,{PDQ},1,2,3,4\n"
        f"sha256,{SHA},,,remove\n"
        ",,,9,delete\n"
    )
    assert rows("csv", text) == [
        Row(2, "pdq", PDQ, 90),
        Row(3, "pdq", PDQ2),
        Row(6, "md5", MD5, delete=True, external_id="7"),
        BadLine(7, "quality must be a number, got 'ninety'"),
        BadLine(8, "expected at most 5 columns, got 6"),
        BadLine(9, "the fifth column is add or delete, got 'remove'"),
    ]


def test_threatexchange_csv_is_what_tx_dataset_prints() -> None:
    text = (
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{PDQ},Sample,POSITIVE_CLASS,a b\n"
        f"video_md5,{MD5},Sample,POSITIVE_CLASS,\n"
        "raw_text,hello,Sample,POSITIVE_CLASS,\n"
        "pdq,,Sample,,\n"
    )
    assert rows("te-csv", text) == [
        Row(2, "pdq", PDQ),
        Row(3, "md5", MD5),
        BadLine(4, "signal type 'raw_text' is not one hotline keeps", skip=True),
        BadLine(5, "signal_str is empty"),
    ]
    assert rows("te-csv", "pdq,abc\n") == [
        BadLine(1, "the first line must be the header with signal_type,signal_str")
    ]


TE_DOCUMENT = f"""{{
  "paging": {{"cursors": {{"before": "x", "after": "y"}}}},
  "data": [
    {{"id": "100", "indicator": "{PDQ}", "type": "HASH_PDQ",
      "last_updated": 1700000000, "should_delete": false}},
    {{"id": "101", "indicator": "{MD5}", "type": "HASH_MD5", "should_delete": true}},
    {{"id": "102", "indicator": {{"id": "9", "indicator": "{SHA}", "type": "HASH_SHA256"}}}},
    {{"id": "103", "indicator": "evil.example", "type": "URI"}},
    {{"id": "104"}},
    "not an object"
  ]
}}
"""


def test_threatexchange_json_reads_a_graph_api_page_with_line_numbers() -> None:
    assert rows("te-json", TE_DOCUMENT) == [
        Row(4, "pdq", PDQ, external_id="100"),
        Row(6, "md5", MD5, delete=True, external_id="101"),
        Row(7, "sha256", SHA, external_id="102"),
        BadLine(8, "indicator type 'URI' is not one hotline keeps", skip=True),
        BadLine(9, "a record needs an indicator and its type"),
        BadLine(10, "a record must be a JSON object"),
    ]


def test_json_records_stream_through_a_small_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers._Scanner, "CHUNK", 7)
    assert [r.line for r in rows("te-json", TE_DOCUMENT)] == [4, 6, 7, 8, 9, 10]
    many = json.dumps({"count": 300, "hashRecords": [_ncii(f"{n:064x}") for n in range(300)]})
    read_back = rows("stopncii", many)
    assert len(read_back) == 300 and all(isinstance(r, Row) for r in read_back)


def test_a_broken_json_document_ends_with_the_line_it_broke_on() -> None:
    text = '{"data": [\n  {"indicator": "' + PDQ + '", "type": "HASH_PDQ"},\n  {"indicator": \n'
    assert rows("te-json", text) == [Row(2, "pdq", PDQ), BadLine(4, "not JSON: Expecting value")]
    # A pretty-printed document without the list says so; one line of it is a record.
    assert rows("te-json", '{\n"paging": {}\n}\n') == [
        BadLine(1, "the document has no 'data' list")
    ]
    assert rows("te-json", '{"paging": {}}') == [
        BadLine(1, "a record needs an indicator and its type")
    ]


def test_json_lines_go_on_after_a_bad_line() -> None:
    text = (
        json.dumps({"id": 1, "signals": {"pdq": PDQ}})
        + "\n{not json\n"
        + json.dumps({"id": 2, "signals": {"video_md5": MD5, "pdq": PDQ2}})
        + "\n"
        + json.dumps({"id": 3, "deleted": True})
        + "\n"
        + json.dumps({"id": 4, "signals": {"tmk": "x"}})
        + "\n"
    )
    assert rows("hma", text) == [
        Row(1, "pdq", PDQ, external_id="1"),
        BadLine(2, "not JSON: Expecting property name enclosed in double quotes"),
        Row(3, "md5", MD5, external_id="2"),
        Row(3, "pdq", PDQ2, external_id="2"),
        Row(4, "", "", delete=True, external_id="3"),
        BadLine(5, "signal type 'tmk' is not one hotline keeps", skip=True),
    ]


def _ncii(value: str, kind: str = "ImagePDQ", status: str = "Active") -> dict[str, object]:
    return {
        "lastModtimestamp": 1700000000,
        "signalType": kind,
        "hashValue": value,
        "hashStatus": status,
        "caseNumbers": {"case-1": status},
        "CSPFeedbacks": [],
    }


def test_stopncii_reads_a_fetch_hashes_answer() -> None:
    answer = {
        "count": 4,
        "nextPageToken": None,
        "nextSetTimestamp": 1700000001,
        "hasMoreRecords": False,
        "hashRecords": [
            _ncii(PDQ),
            _ncii(MD5, "VideoMD5", "Withdrawn"),
            _ncii("abc", "VideoTMK"),
            {"signalType": "ImagePDQ"},
        ],
    }
    text = json.dumps(answer, indent=2)
    got = rows("stopncii", text)
    assert [type(r).__name__ for r in got] == ["Row", "Row", "BadLine", "BadLine"]
    assert got[0] == Row(got[0].line, "pdq", PDQ)
    assert got[1] == Row(got[1].line, "md5", MD5, delete=True)
    assert isinstance(got[2], BadLine) and "VideoTMK" in got[2].message
    assert text.splitlines()[got[0].line - 1].strip() == "{"  # the record's own first line


NCMEC = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<queryResult xmlns="https://hashsharing.ncmec.org/hashsharing/v2">
    <images count="3" maxTimestamp="2017-10-24T15:10:00Z">
        <image>
            <member id="42">Example Member</member>
            <timestamp>2017-10-24T15:00:00Z</timestamp>
            <id>image1</id>
            <classification>A1</classification>
            <fingerprints>
                <md5>{MD5}</md5>
                <sha1>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1</sha1>
                <pdq>{PDQ}</pdq>
            </fingerprints>
        </image>
        <image>
            <member id="42">Example Member</member>
            <id>image2</id>
            <fingerprints><sha1>a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1</sha1></fingerprints>
        </image>
        <deletedImage>
            <member id="43">Example Member2</member>
            <id>image4</id>
            <timestamp>2017-10-24T15:10:00Z</timestamp>
        </deletedImage>
    </images>
    <videos count="1" maxTimestamp="2017-10-24T15:20:00Z">
        <video>
            <member id="42">Example Member</member>
            <id>video1</id>
            <fingerprints><md5>{MD5.upper()}</md5></fingerprints>
        </video>
    </videos>
</queryResult>
"""


def test_ncmec_reads_entries_and_deletions_with_their_lines() -> None:
    assert rows("ncmec", NCMEC) == [
        Row(4, "md5", MD5, external_id="image1"),
        Row(4, "pdq", PDQ, external_id="image1"),
        BadLine(15, "image image2 has no md5 or pdq fingerprint", skip=True),
        Row(20, "", "", delete=True, external_id="image4"),
        Row(27, "md5", MD5, external_id="video1"),
    ]


def test_ncmec_refuses_entities_and_reports_broken_xml() -> None:
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "aaaa">]>\n<queryResult>&a;</queryResult>\n'
    )
    assert rows("ncmec", bomb) == [BadLine(2, "a DOCTYPE or entity declaration is not accepted")]
    broken = rows("ncmec", "<queryResult>\n<images>\n<image><id>x</image>\n")
    assert len(broken) == 1 and isinstance(broken[0], BadLine) and broken[0].line == 3


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        read("xls", io.StringIO(""))


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CHANGES = [
    Change("1.1", 1, False, "pdq", PDQ, 90, NOW),
    Change("1.2", 2, False, "md5", MD5, None, NOW),
    Change("1.3", 3, False, "sha256", SHA, None, NOW),
    Change("2.2", 2, True, "md5", MD5, None, None),  # removed: the hash is still known
    Change("3.9", 9, True, None, None, None, None),  # purged: only the id is left
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_what_a_writer_writes_its_reader_reads(fmt: str) -> None:
    out = io.StringIO()
    written = write(fmt, CHANGES, out, Page(bank="known", next_cursor="3", has_more=False, now=NOW))
    got = list(read(fmt, io.StringIO(out.getvalue())))
    assert not [r for r in got if isinstance(r, BadLine)], out.getvalue()
    said = {(r.signal_type, r.value, r.delete) for r in got if isinstance(r, Row) and r.value}
    expected = {("pdq", PDQ, False), ("md5", MD5, False), ("sha256", SHA, False)}
    if fmt in {"csv", "te-json", "hma", "stopncii"}:
        expected.add(("md5", MD5, True))
    if fmt in {"stopncii", "ncmec"}:
        expected.discard(("sha256", SHA, False))
    assert said == expected
    assert written.adds + written.deletes + sum(written.skipped.values()) == len(CHANGES)


def test_writers_say_what_they_left_out() -> None:
    page = Page(bank="known", next_cursor="3", has_more=True, now=NOW)
    skipped = {fmt: write(fmt, CHANGES, io.StringIO(), page).skipped for fmt in FORMATS}
    assert skipped["csv"] == {} and skipped["hma"] == {}
    assert skipped["te-csv"] == {"te-csv has no deletions": 2}
    assert skipped["te-json"] == {"the hash of a purged entry is gone": 1}
    assert skipped["stopncii"] == {
        "the hash of a purged entry is gone": 1,
        "stopncii has no sha256": 1,
    }
    assert skipped["ncmec"] == {"ncmec has no sha256": 1}


def test_exports_carry_the_cursor_in_the_formats_own_place() -> None:
    page = Page(bank="known", next_cursor="3.9", has_more=True, now=NOW)
    out = io.StringIO()
    write("te-json", CHANGES[:1], out, page)
    assert json.loads(out.getvalue())["paging"] == {"cursors": {"after": "3.9"}, "has_more": True}
    out = io.StringIO()
    write("stopncii", CHANGES[:1], out, page)
    answer = json.loads(out.getvalue())
    assert answer["nextPageToken"] == "3.9" and answer["hasMoreRecords"] is True
    assert answer["count"] == 1 and answer["hashRecords"][0]["signalType"] == "ImagePDQ"
    out = io.StringIO()
    write("ncmec", CHANGES, out, page)
    assert 'count="4"' in out.getvalue()
    assert "/api/banks/known/feed?format=ncmec&amp;after=3.9" in out.getvalue()
