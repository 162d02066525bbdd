"""Files chosen on the request form stay attached across a validation error, as signed
hashes: the second POST files them without choosing them again; a forged value is a 400."""

import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.cases.models import Item, TakedownRequest
from hotline.web.attached import Attached
from tests.conftest import Directory
from tests.hashing.media_factory import jpeg_bytes
from tests.web.conftest import signed_in_client

ATTACHED = re.compile(r'name="attached" value="([^"]+)"')


def _form(**changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "category": "sexual_deepfake",
        "reasons": "A sexual deepfake of a teacher.",
        "legal_bases": ["take_it_down"],
        "signature": "/s/ J. Doe",
        "good_faith_statement": "Not consensual, in good faith.",
        "contact": "jd@example.org",
        "client_reference": "web-files-1",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_file_chosen_before_a_validation_error_is_filed_without_choosing_it_again(
    directory: Directory,
) -> None:
    client = signed_in_client("caseworker_a")
    photo = jpeg_bytes(320, 240, seed=7)
    first = client.post(
        "/requests/new/",
        _form(signature="", media=[SimpleUploadedFile("teacher.jpg", photo)]),
    )
    assert first.status_code == 200
    page = first.content.decode()
    assert 'id="problems"' in page and 'data-element="take_it_down.signature"' in page
    assert "teacher.jpg" in page and "Already attached" in page
    (token,) = ATTACHED.findall(page)
    assert not TakedownRequest.objects.exists()
    # The page carries hashes only: the token is far smaller than the photo.
    assert len(token) < len(photo) / 4
    second = client.post("/requests/new/", _form(attached=[token]))
    assert second.status_code == 302, second.content.decode()[:2000]
    item = Item.objects.get()
    assert {s["type"] for s in item.signals} == {"pdq", "md5", "sha256"}


def test_a_django_form_error_keeps_the_file_too(directory: Directory) -> None:
    client = signed_in_client("caseworker_a")
    photo = jpeg_bytes(320, 240, seed=8)
    page = client.post(
        "/requests/new/", _form(reasons="", media=[SimpleUploadedFile("a.jpg", photo)])
    ).content.decode()
    (token,) = ATTACHED.findall(page)
    assert "a.jpg" in page
    # A second error (still no reasons) and a second file: both stay attached.
    other = jpeg_bytes(300, 200, seed=9)
    page = client.post(
        "/requests/new/",
        _form(reasons="", attached=[token], media=[SimpleUploadedFile("b.jpg", other)]),
    ).content.decode()
    tokens = ATTACHED.findall(page)
    assert len(tokens) == 2 and "a.jpg" in page and "b.jpg" in page
    filed = client.post("/requests/new/", _form(attached=tokens))
    assert filed.status_code == 302
    assert Item.objects.count() == 2


def test_a_forged_or_someone_elses_attached_value_is_refused(directory: Directory) -> None:
    client = signed_in_client("caseworker_a")
    made_up = Attached(name="x.jpg", size=1, signals=[{"type": "sha256", "value": "ab" * 32}])
    forged = made_up.token(user_id=None)
    assert client.post("/requests/new/", _form(attached=[forged])).status_code == 400
    page = client.post(
        "/requests/new/",
        _form(reasons="", media=[SimpleUploadedFile("a.jpg", jpeg_bytes(320, 240, seed=3))]),
    ).content.decode()
    (token,) = ATTACHED.findall(page)
    assert client.post("/requests/new/", _form(attached=[token[:-2] + "xx"])).status_code == 400
    # Signed for caseworker_a: another person's form cannot carry it.
    other = signed_in_client("analyst")
    assert other.post("/requests/new/", _form(attached=[token])).status_code == 400
    assert not TakedownRequest.objects.exists()


def test_an_unticked_attached_file_is_left_out(directory: Directory) -> None:
    client = signed_in_client("caseworker_a")
    page = client.post(
        "/requests/new/",
        _form(signature="", media=[SimpleUploadedFile("a.jpg", jpeg_bytes(320, 240, seed=5))]),
    ).content.decode()
    assert ATTACHED.findall(page)
    # Unticked: the checkbox sends nothing; the URL alone is filed.
    filed = client.post("/requests/new/", _form(urls="https://t.me/room/1"))
    assert filed.status_code == 302
    assert list(Item.objects.values_list("url", flat=True)) == ["https://t.me/room/1"]
