"""Media intake, recognising content seen before, and re-upload matching for platforms."""

import hashlib
import io
import json
import struct
import zlib
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client

from hotline.banks.models import BankEntry
from hotline.cases.models import Item
from hotline.core.worker import drain_ready_tasks
from hotline.verification import backends
from tests.conftest import ApiCaller, Directory, request_body
from tests.hashing.media_factory import encode, jpeg_bytes, photo_like


def upload(directory: Directory, who: str, files: dict[str, bytes], **body: Any) -> tuple[int, Any]:
    payload = request_body(*body.pop("urls"), **body)
    response = Client().post(
        "/api/requests/upload",
        data={
            "payload": json.dumps(payload),
            **{name: io.BytesIO(data) for name, data in files.items()},
        },
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens[who]}",
    )
    return response.status_code, response.json()


def with_media(urls: list[str], fields: list[str | None]) -> dict[str, Any]:
    return {
        "urls": urls,
        "items": [{"url": u, "media": f} for u, f in zip(urls, fields, strict=True)],
    }


def test_an_uploaded_image_is_hashed_and_its_bytes_are_not_kept(directory: Directory) -> None:
    photo = jpeg_bytes(640, 480, seed=3)
    status, receipt = upload(
        directory, "analyst", {"photo": photo}, **with_media(["https://t.me/room/1"], ["photo"])
    )
    assert status == 201, receipt
    signals = Item.objects.get(request__case_id=receipt["case_id"]).signals
    assert {s["type"] for s in signals} == {"pdq", "md5", "sha256"}
    pdq = next(s for s in signals if s["type"] == "pdq")
    assert len(pdq["value"]) == 64 and 0 <= pdq["quality"] <= 100
    assert next(s for s in signals if s["type"] == "md5")["value"] == hashlib.md5(photo).hexdigest()  # noqa: S324
    # Nothing anywhere in the database holds the upload's bytes.
    assert photo[:64].hex() not in json.dumps(list(Item.objects.values()), default=str)


def tiny_png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header that claims a huge image: a decompression bomb on paper."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def test_bad_media_gets_a_422_naming_the_item_and_nothing_is_filed(directory: Directory) -> None:
    cases = {
        "bytes": b"this is not an image",
        "bomb": tiny_png_claiming(60000, 60000),
        "empty": b"",
        "cut": jpeg_bytes(640, 480)[:700],
    }
    for field, data in cases.items():
        status, body = upload(
            directory, "analyst", {field: data}, **with_media(["https://t.me/room/1"], [field])
        )
        assert status == 422, (field, body)
        assert body["details"][0]["element"] == "items[1].media"
    status, body = upload(directory, "analyst", {}, **with_media(["https://t.me/room/1"], ["gone"]))
    assert status == 422 and "no file in form field 'gone'" in body["message"]
    assert not Item.objects.exists()


def test_the_same_content_filed_again_is_recognised_as_seen_before(directory: Directory) -> None:
    photo = photo_like(800, 600, seed=5)
    first = encode(photo, "JPEG", quality=92)
    again = encode(photo.resize((400, 300)), "JPEG", quality=50)  # re-encoded, half size
    _, receipt_1 = upload(
        directory, "caseworker_a", {"p": first}, **with_media(["https://t.me/room/1"], ["p"])
    )
    _, own = upload(
        directory, "caseworker_a", {"p": again}, **with_media(["https://x.com/a/status/9"], ["p"])
    )
    _, other = upload(
        directory, "caseworker_b", {"p": again}, **with_media(["https://x.com/b/status/7"], ["p"])
    )
    seen_own = own["items"][0]["seen_before"]
    assert seen_own[0]["case_id"] == receipt_1["case_id"]
    assert seen_own[0]["message"].startswith(f"seen before in case {receipt_1['case_id']}")
    seen_other = other["items"][0]["seen_before"]
    assert {s["case_id"] for s in seen_other} == {None}  # another centre's case is not named
    assert seen_other[0]["message"].startswith("seen before in another organisation's case")


def test_content_confirmed_removed_is_matched_when_a_platform_checks_an_upload(
    directory: Directory, call_api: ApiCaller
) -> None:
    photo = photo_like(800, 600, seed=8)
    _, receipt = upload(
        directory,
        "analyst",
        {"p": encode(photo, "JPEG", quality=90)},
        **with_media(["https://t.me/room/5"], ["p"]),
    )
    notice, item = receipt["notices"][0]["id"], receipt["items"][0]["id"]
    backends.FAKE_RESPONSES["https://t.me/s/room/5"] = (404, "")
    call_api(
        "telegram_mod", "post", f"/notices/{notice}/items/{item}/action", {"action": "removed"}
    )
    drain_ready_tasks()
    assert BankEntry.objects.filter(bank__name="known-content", item_id=item).count() == 3
    from hotline.hashing.images import hash_image_bytes

    gray = hash_image_bytes(encode(photo.convert("L"), "JPEG", quality=60)).pdq
    unrelated = hash_image_bytes(jpeg_bytes(640, 480, seed=99)).pdq
    query = {
        "signals": [
            {"type": "pdq", "value": gray.hex, "quality": gray.quality},
            {"type": "pdq", "value": unrelated.hex, "quality": unrelated.quality},
        ]
    }
    status, answer = call_api("telegram_mod", "post", "/match", query)
    assert status == 200
    assert [m["case_id"] for m in answer[0]["matches"]] == [receipt["case_id"]]
    assert answer[0]["matches"][0]["distance"] <= 31
    assert answer[1]["matches"] == []
    _, for_x = call_api("x_mod", "post", "/match", query)
    assert for_x[0]["matches"][0]["case_id"] is None  # X had no notice for that case


def test_the_bank_and_match_commands_work_on_database_banks(db: None, tmp_path: Path) -> None:
    from hotline.hashing.images import hash_image_bytes

    hashes = [hash_image_bytes(jpeg_bytes(320, 240, seed=s)).pdq.hex for s in range(3)]
    (tmp_path / "bank.csv").write_text("".join(f"pdq,{h},90\n" for h in hashes))
    (tmp_path / "queries.txt").write_text(f"{hashes[1]}\n\n{'0' * 64}\n")
    out = StringIO()
    call_command("bank", "create", "imported", "--description", "test import", stdout=out)
    call_command("bank", "import", "imported", str(tmp_path / "bank.csv"), stdout=out)
    assert "added 3 of 3 hashes to imported" in out.getvalue()
    lines = StringIO()
    call_command("match", str(tmp_path / "queries.txt"), "--db-bank", "imported", stdout=lines)
    rows = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert [r["query"] for r in rows] == [0, 2]
    assert [(m["distance"], m["bank"]) for m in rows[0]["matches"]] == [(0, "imported")]
    assert rows[1]["matches"] == []
