"""Bad media through the API upload and the web form: a typed 4xx naming the file and the
reason, never a 5xx; nothing filed on a refusal; a partial video is filed and says so."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hotline.cases.models import Item
from tests.conftest import Directory, request_body
from tests.hashing.bad_media import corpus
from tests.hashing.media_factory import jpeg_bytes
from tests.web.conftest import signed_in_client

# The API's error code for each engine error (hotline.hashing.errors.*.code).
CODES = {
    "EmptyMedia": "empty_media",
    "NotMedia": "not_media",
    "TruncatedMedia": "truncated_media",
    "DecompressionBomb": "decompression_bomb",
}


@pytest.fixture(scope="module")
def bad_media() -> dict[str, tuple[bytes, Any]]:
    with tempfile.TemporaryDirectory() as scratch:
        return corpus(Path(scratch))


def upload(directory: Directory, name: str, data: bytes) -> tuple[int, dict[str, Any]]:
    payload = request_body("https://t.me/room/1")
    payload["items"] = [{"url": "https://t.me/room/1", "media": "file"}]
    response = Client().post(
        "/api/requests/upload",
        data={"payload": json.dumps(payload), "file": SimpleUploadedFile(name, data)},
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['analyst']}",
    )
    return response.status_code, response.json()


def test_every_bad_file_gets_a_typed_4xx_through_the_api(
    directory: Directory, bad_media: dict[str, tuple[bytes, Any]]
) -> None:
    for name, (data, expected) in bad_media.items():
        status, body = upload(directory, name, data)
        if isinstance(expected, type):
            assert status == 422, (name, status, body)
            assert body["error"] == "bad_media"
            assert body["message"].startswith(f"items[1].media ({name}): "), body
            detail = body["details"][0]
            assert detail["element"] == "items[1].media" and detail["file"] == name
            assert detail["error"] == CODES[expected.__name__], (name, detail)
        else:
            assert status == 201, (name, status, body)
            item = body["items"][0]
            assert (item["media_partial"] is not None) is (expected == "partial"), name
    # Refusals filed nothing: one item per accepted file only.
    accepted = [n for n, (_, e) in bad_media.items() if not isinstance(e, type)]
    assert Item.objects.count() == len(accepted)


def test_a_partial_video_is_filed_with_signals_that_say_so(
    directory: Directory, bad_media: dict[str, tuple[bytes, Any]]
) -> None:
    data, expected = bad_media["few-whole-frames.mp4"]
    assert expected == "partial"
    status, body = upload(directory, "few-whole-frames.mp4", data)
    assert status == 201, body
    reason = body["items"][0]["media_partial"]
    assert "the file ends inside its 'mdat' box" in reason
    signals = Item.objects.get(pk=body["items"][0]["id"]).signals
    assert {s["type"] for s in signals} == {"pdq", "md5", "sha256"}
    assert all(s["partial"] == reason for s in signals)
    # A whole video's signals carry no such mark.
    status, body = upload(directory, "whole.mp4", bad_media["whole.mp4"][0])
    assert status == 201 and body["items"][0]["media_partial"] is None
    assert all("partial" not in s for s in Item.objects.get(pk=body["items"][0]["id"]).signals)


def test_a_file_over_the_upload_limit_is_a_413_giving_its_size_and_the_limit(
    directory: Directory, settings: Any
) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 20_000
    photo = jpeg_bytes(640, 480, seed=4)
    assert len(photo) > 20_000
    status, body = upload(directory, "big.jpg", photo)
    assert status == 413, body
    assert body["error"] == "file_too_large"
    reason = f"file has {len(photo):,} bytes, over the upload limit of 20,000 bytes (0.0190735 MiB)"
    assert body["message"] == f"items[1].media (big.jpg): {reason}"
    assert body["details"] == [
        {
            "element": "items[1].media",
            "error": "file_too_large",
            "file": "big.jpg",
            "message": f"big.jpg: {reason}",
        }
    ]
    assert not Item.objects.exists()
    # Under the limit, the same endpoint files it.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 2**20
    assert upload(directory, "big.jpg", photo)[0] == 201


def test_a_missing_file_still_says_which_field(directory: Directory) -> None:
    payload = request_body("https://t.me/room/1")
    payload["items"] = [{"url": "https://t.me/room/1", "media": "gone"}]
    response = Client().post(
        "/api/requests/upload",
        data={"payload": json.dumps(payload)},
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['analyst']}",
    )
    assert response.status_code == 422
    assert response.json()["message"] == "items[1].media: no file in form field 'gone'"


def _web_form(files: list[SimpleUploadedFile]) -> dict[str, Any]:
    return {
        "category": "sexual_deepfake",
        "reasons": "A sexual deepfake of a teacher.",
        "legal_bases": ["take_it_down"],
        "signature": "/s/ J. Doe",
        "good_faith_statement": "Not consensual, in good faith.",
        "contact": "jd@example.org",
        "notifier_name": "Centre A",
        "notifier_email": "centre@example.org",
        "bona_fide_statement": "on",
        "client_reference": "web-test",
        "media": files,
    }


def test_the_web_form_shows_each_refusal_with_the_file_and_reason(
    directory: Directory, bad_media: dict[str, tuple[bytes, Any]], settings: Any
) -> None:
    client = signed_in_client("caseworker_a")
    for name, (data, expected) in bad_media.items():
        if not isinstance(expected, type):
            continue
        response = client.post("/requests/new/", _web_form([SimpleUploadedFile(name, data)]))
        assert response.status_code == 200, (name, response.status_code)
        page = response.content.decode()
        assert 'id="problems"' in page and f"{name}: " in page, name
    assert not Item.objects.exists()
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 20_000
    photo = jpeg_bytes(640, 480, seed=4)
    response = client.post("/requests/new/", _web_form([SimpleUploadedFile("big.jpg", photo)]))
    assert response.status_code == 200
    assert f"big.jpg: file has {len(photo):,} bytes, over the upload limit of 20,000 bytes" in (
        response.content.decode()
    )
    assert not Item.objects.exists()


def test_the_web_form_files_a_partial_video(
    directory: Directory, bad_media: dict[str, tuple[bytes, Any]]
) -> None:
    client = signed_in_client("caseworker_a")
    data, _ = bad_media["truncated.mkv"]
    response = client.post("/requests/new/", _web_form([SimpleUploadedFile("truncated.mkv", data)]))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get()
    assert all("of the 4.0 s the container declares" in s["partial"] for s in item.signals)
