"""Bulk intake: chunks of lines filed as requests, bad lines named, retries filed once."""

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hotline.audit.models import Event
from hotline.audit.services import audit_verify_chain
from hotline.cases.models import Item, Notice, TakedownRequest
from tests.conftest import ApiCaller, request_body

SHA = "ab" * 32
# Each bad line and the reason it comes back with (a fragment of it).
BAD_LINES = [
    ("not a url at all", "not a usable URL"),
    ("ftp://t.me/files/1", "not a usable URL"),
    ("https://t.me/room/9,sha256:zz", "sha256 must be 64 hex"),
    ("https://t.me/room/9,crc:1234", "must read type:hex"),
    (",sha256:" + SHA, "no URL"),
]


def chunk_body(lines: list[str], **fields: Any) -> dict[str, Any]:
    body = request_body()
    del body["items"]
    return {**body, "reference": "batch-1", "first_line": 1, "lines": lines, **fields}


def imported(call_api: ApiCaller, who: str, body: dict[str, Any]) -> tuple[int, Any]:
    return call_api(who, "post", "/requests/import", body)


def urls(n: int, host: str = "t.me", start: int = 0) -> list[str]:
    return [f"https://{host}/room{(start + i) // 50}/{start + i}" for i in range(n)]


@pytest.mark.parametrize(("line", "reason"), BAD_LINES)
def test_a_bad_line_comes_back_with_its_number_and_the_good_ones_are_filed(
    call_api: ApiCaller, line: str, reason: str
) -> None:
    lines = ["https://t.me/room/1", line, "https://x.com/a/status/5,sha256:" + SHA]
    status, answer = imported(call_api, "caseworker_a", chunk_body(lines, first_line=41))
    assert status == 201, answer
    assert [(r["line"], reason in r["reason"]) for r in answer["rejected"]] == [(42, True)]
    assert [(f["line"], f["position"]) for f in answer["filed"]] == [(41, 1), (43, 2)]
    request = TakedownRequest.objects.get(case_id=answer["case_id"])
    assert request.client_reference == "batch-1:41"
    assert [i.url for i in request.items.order_by("position")] == [lines[0], lines[2].split(",")[0]]
    assert request.items.get(position=2).signals == [{"type": "sha256", "value": SHA}]


def test_a_header_row_names_hash_columns_and_blank_lines_are_not_items(
    call_api: ApiCaller,
) -> None:
    lines = ["URL,sha256,md5", "https://t.me/a/1," + SHA + ",", "", "https://t.me/a/2,,"]
    status, answer = imported(call_api, "caseworker_a", chunk_body(lines))
    assert status == 201, answer
    assert answer["rejected"] == []
    assert [f["line"] for f in answer["filed"]] == [2, 4]
    items = Item.objects.filter(request__case_id=answer["case_id"]).order_by("position")
    assert [i.signals for i in items] == [[{"type": "sha256", "value": SHA}], []]


def test_a_retried_chunk_answers_with_its_first_receipt_and_files_nothing_twice(
    call_api: ApiCaller,
) -> None:
    body = chunk_body([*urls(30), "bad line"], first_line=1001)
    first = imported(call_api, "caseworker_a", body)
    events = Event.objects.count()
    again = imported(call_api, "caseworker_a", body)
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["duplicate_submission"] is True
    assert again[1]["case_id"] == first[1]["case_id"]
    assert again[1]["filed"] == first[1]["filed"]
    assert [r["line"] for r in again[1]["rejected"]] == [1031]
    assert (TakedownRequest.objects.count(), Event.objects.count()) == (1, events)


def test_a_chunk_of_only_bad_lines_files_nothing_and_says_why(call_api: ApiCaller) -> None:
    status, answer = imported(call_api, "caseworker_a", chunk_body(["no pe", "ftp://nope"]))
    assert status == 200
    assert (answer["case_id"], [r["line"] for r in answer["rejected"]]) == (None, [1, 2])
    assert TakedownRequest.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "element"),
    [
        ({"lines": ["https://t.me/a/1"] * 1001}, "lines"),
        ({"reference": ""}, "reference"),
        ({"legal": None}, "take_it_down.signature"),
        ({"columns": ["sha256", "url"]}, "columns"),
    ],
)
def test_a_chunk_the_rules_refuse_as_a_whole_files_nothing(
    call_api: ApiCaller, fields: dict[str, Any], element: str
) -> None:
    body = {**chunk_body(["https://t.me/a/1"]), **fields}
    status, answer = imported(call_api, "caseworker_a", body)
    assert status in (400, 422), answer
    assert any(element in json.dumps(d) for d in answer["details"]), answer
    assert TakedownRequest.objects.count() == 0


def test_only_reporters_import(call_api: ApiCaller) -> None:
    status, answer = imported(call_api, "telegram_mod", chunk_body(["https://t.me/a/1"]))
    assert (status, answer["error"]) == (403, "forbidden")


def test_a_thousand_line_chunk_is_routed_deduplicated_and_audited_in_one_chain(
    call_api: ApiCaller,
) -> None:
    lines = urls(600) + urls(399, host="x.com") + [urls(1)[0]]  # the last repeats line 1
    status, answer = imported(call_api, "caseworker_a", chunk_body(lines))
    assert status == 201, answer
    request = TakedownRequest.objects.get(case_id=answer["case_id"])
    states = {s: request.items.filter(state=s).count() for s in ("notified", "duplicate")}
    assert states == {"notified": 999, "duplicate": 1}
    assert request.items.get(position=1000).duplicate_of == request.items.get(position=1)
    assert sorted(
        Notice.objects.filter(request=request).values_list("platform__name", flat=True)
    ) == ["Telegram", "X"]
    assert Event.objects.filter(tag="item:create").count() == 1000
    assert audit_verify_chain().intact


def test_an_item_filed_before_by_another_centre_makes_the_line_a_duplicate(
    call_api: ApiCaller,
) -> None:
    call_api("caseworker_b", "post", "/requests", request_body("https://t.me/shared/1"))
    status, answer = imported(call_api, "caseworker_a", chunk_body(["https://t.me/shared/1"]))
    assert (status, [f["state"] for f in answer["filed"]]) == (201, ["duplicate"])


# --- the command ---------------------------------------------------------------------------


def request_file(tmp_path: Path) -> Path:
    fields = request_body()
    del fields["items"]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(fields))
    return path


def test_the_command_files_chunk_after_chunk_and_lists_the_bad_ones(
    directory: Any, tmp_path: Path
) -> None:
    lines = ["url,sha256", *urls(1100)]
    lines[700], lines[1001], lines[1100] = "bad one", "https://t.me/x/1,nothex", "ftp://nope"
    (tmp_path / "items.csv").write_text("\n".join(lines) + "\n")
    out, err = StringIO(), StringIO()
    args = ["import", str(tmp_path / "items.csv"), "--user", "caseworker_a"]
    args += ["--request", str(request_file(tmp_path)), "--no-progress"]
    with pytest.raises(CommandError, match="3 line"):
        call_command("request", *args, stdout=out, stderr=err)
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == [
        "line 701",
        "line 1002",
        "line 1101",
    ]
    assert "1097 line(s) filed in 2 request(s)" in out.getvalue()
    assert Item.objects.count() == 1097
    # Again, as after a crash: every chunk answers with its first request, nothing new.
    with pytest.raises(CommandError):
        call_command("request", *args, stdout=StringIO(), stderr=StringIO())
    assert (TakedownRequest.objects.count(), Item.objects.count()) == (2, 1097)


def test_the_command_names_a_bad_request_file_and_files_nothing(
    directory: Any, tmp_path: Path
) -> None:
    (tmp_path / "items.txt").write_text("https://t.me/a/1\n")
    (tmp_path / "request.json").write_text('{"category": "nonsense", "reasons": "x"}')
    with pytest.raises(CommandError, match="--request: category"):
        call_command(
            "request",
            "import",
            str(tmp_path / "items.txt"),
            "--user",
            "caseworker_a",
            "--request",
            str(tmp_path / "request.json"),
            stdout=StringIO(),
        )
    assert TakedownRequest.objects.count() == 0
