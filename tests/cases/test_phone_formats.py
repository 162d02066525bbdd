"""Phone photos (HEIC/HEIF, AVIF) are hashed through the API and the web form, and hash the
same as the picture they encode, EXIF orientation applied (email: tests/inbound/)."""

from __future__ import annotations

import io
import json

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from hotline.cases.models import Item
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.pdq import hamming
from tests.cases.test_media_errors import _web_form
from tests.conftest import Directory, request_body
from tests.hashing.media_factory import encode, photo_like
from tests.web.conftest import signed_in_client

_ROTATE_90_CW = 6  # EXIF orientation: the camera was held upright


def phone_photo(fmt: str, orientation: int = 1) -> bytes:
    """A generated photo-like picture encoded as a phone would (never real imagery)."""
    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    # The fastest encoder settings: x265's default preset takes seconds even for a small image.
    fast = {"HEIF": {"enc_params": {"preset": "ultrafast"}}, "AVIF": {"speed": 10}}.get(fmt, {})
    photo_like(160, 120, seed=11).save(buffer, format=fmt, quality=90, exif=exif.tobytes(), **fast)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def phone_photos() -> dict[str, bytes]:
    return {"photo.heic": phone_photo("HEIF"), "photo.avif": phone_photo("AVIF")}


def test_heic_and_avif_hash_like_the_picture_they_encode(phone_photos: dict[str, bytes]) -> None:
    reference = hash_image_bytes(encode(photo_like(160, 120, seed=11), "PNG")).pdq
    for name, data in phone_photos.items():
        assert data[4:12] in (b"ftypheic", b"ftypavif"), name
        signals = hash_image_bytes(data)
        assert signals.pdq.quality >= 80 and hamming(signals.pdq.hex, reference.hex) <= 10, name


def test_an_upright_iphone_photo_is_hashed_as_displayed() -> None:
    upright = hash_image_bytes(phone_photo("HEIF", _ROTATE_90_CW))
    jpeg = hash_image_bytes(phone_photo("JPEG", _ROTATE_90_CW))
    assert (upright.width, upright.height) == (jpeg.width, jpeg.height) == (120, 160)
    assert hamming(upright.pdq.hex, jpeg.pdq.hex) <= 10


def test_the_api_upload_accepts_heic_and_avif(
    directory: Directory, phone_photos: dict[str, bytes]
) -> None:
    for n, (name, data) in enumerate(phone_photos.items()):
        payload = request_body(f"https://t.me/room/{n}", client_reference=f"phone-{n}")
        payload["items"] = [{"url": f"https://t.me/room/{n}", "media": "file"}]
        response = Client().post(
            "/api/requests/upload",
            data={"payload": json.dumps(payload), "file": SimpleUploadedFile(name, data)},
            HTTP_AUTHORIZATION=f"Bearer {directory.tokens['analyst']}",
        )
        assert response.status_code == 201, (name, response.json())
        item = Item.objects.get(url=f"https://t.me/room/{n}")
        assert {s["type"] for s in item.signals} == {"pdq", "md5", "sha256"}, name


def test_the_web_form_accepts_heic_and_avif(
    directory: Directory, phone_photos: dict[str, bytes]
) -> None:
    client = signed_in_client("caseworker_a")
    files = [SimpleUploadedFile(name, data) for name, data in phone_photos.items()]
    response = client.post("/requests/new/", _web_form(files))
    assert response.status_code == 302, response.content.decode()[:2000]
    pdqs = [s for item in Item.objects.all() for s in item.signals if s["type"] == "pdq"]
    assert len(pdqs) == 2 and all(s["quality"] >= 80 for s in pdqs)
