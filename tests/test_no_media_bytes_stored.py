"""hotline never stores media bytes (docs/evidence.md, decision 0020): marked media goes in
through every intake path (API upload, web form, email attachment, inline cid image, HTML
data: URI) and is filed as hashes; then the database, every column of every table, and the
disk (the var directory, the temporary directory) are searched for the media, raw, in base64
and in hex."""

import base64
import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import PngImagePlugin

from hotline.cases.models import Item
from hotline.inbound.models import InboundStatus
from tests.cases.test_media_errors import _web_form
from tests.conftest import Directory, request_body
from tests.hashing.media_factory import encode, photo_like, video_bytes
from tests.inbound.conftest import Mailer, people, smtp  # noqa: F401 (fixtures)
from tests.inbound.wild import database_bytes
from tests.web.conftest import signed_in_client

MARKER = secrets.token_bytes(16)  # unique to this run: found only if these bytes were kept


MARKERS = [MARKER, MARKER.hex().encode(), base64.b64encode(MARKER)[:20]]


def marked_png(seed: int) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add(b"mkEr", MARKER)  # a private ancillary chunk carrying the raw marker
    info.add_text("Comment", MARKER.hex())
    return encode(photo_like(96, 72, seed), "PNG", pnginfo=info)


def marked_jpeg(seed: int) -> bytes:
    return encode(photo_like(96, 72, seed), "JPEG", quality=90, comment=MARKER)


def forms(data: bytes) -> list[bytes]:
    """What a stored copy of data would contain: slices of it raw, in base64 (whole-file
    alignment, newlines taken out of the dump) and in hex (PostgreSQL's bytea text)."""
    middle = len(data) // 2
    encoded = base64.b64encode(data)
    b64_middle = len(encoded) // 2
    return [
        data[middle : middle + 48],
        encoded[b64_middle : b64_middle + 64],
        data[middle : middle + 32].hex().encode(),
    ]


def flatten(data: bytes) -> bytes:
    """Line breaks out, quoted-printable soft breaks too, so wrapped base64 reads whole."""
    return data.replace(b"=\r\n", b"").replace(b"=\n", b"").replace(b"\r", b"").replace(b"\n", b"")


def found(needles: list[bytes], haystack: bytes) -> list[bytes]:
    """The needles in haystack as it is (binary) or flattened (text that was wrapped)."""
    flat = flatten(haystack)
    return [n for n in needles if n in haystack or n in flat]


def files_under(root: Path, since: float) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and path.stat().st_mtime >= since:
            yield path


def email(subject: str, seed: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "analyst@kcsc.example"
    message["To"] = "hotline@hotline.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<no-media-{seed}@kcsc.example>"
    return message


def as_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every temporary file hotline might write during the test lands here, to be searched."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_media_sent_through_every_intake_path_is_hashed_and_never_stored(
    smtp: Mailer,  # noqa: F811
    directory: Directory,
    scratch: Path,
) -> None:
    started = os.path.getmtime(scratch) - 1
    media: dict[str, bytes] = {}

    # API upload: an image and a short video.
    media["api image"], media["api video"] = marked_png(1), video_bytes(64, 48, 1.0, 5, seed=3)
    payload = request_body("https://t.me/room/1", client_reference="no-media")
    payload["items"] = [
        {"url": "https://t.me/room/1", "media": "image"},
        {"url": "https://t.me/room/2", "media": "video"},
    ]
    response = Client().post(
        "/api/requests/upload",
        data={
            "payload": json.dumps(payload),
            "image": SimpleUploadedFile("a.png", media["api image"]),
            "video": SimpleUploadedFile("a.mp4", media["api video"]),
        },
        HTTP_AUTHORIZATION=f"Bearer {directory.tokens['analyst']}",
    )
    assert response.status_code == 201, response.json()

    # The web request form.
    media["web form"] = marked_jpeg(2)
    client = signed_in_client("caseworker_a")
    form = _web_form([SimpleUploadedFile("b.jpg", media["web form"])])
    response = client.post("/requests/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]

    # Email over real SMTP: an attachment, an inline cid image, an HTML data: URI.
    media["attachment"] = marked_jpeg(4)
    message = email("Attachment to block", 4)
    message.set_content("Please block the attached image.")
    message.add_attachment(media["attachment"], maintype="image", subtype="jpeg", filename="c.jpg")
    mails = [as_bytes(message)]

    media["inline cid"] = marked_png(5)
    message = email("Inline image to block", 5)
    message.set_content("Please block the image below.")
    message.add_alternative('<p>Please block this:</p><img src="cid:shot5@kcsc.example">', "html")
    html = message.get_payload()[1]
    html.add_related(
        media["inline cid"], "image", "png", cid="<shot5@kcsc.example>", disposition="inline"
    )
    mails.append(as_bytes(message))

    media["data uri"] = marked_png(6)
    message = email("Pasted image to block", 6)
    message.set_content("Please block the pasted image.")
    uri = base64.b64encode(media["data uri"]).decode()
    message.add_alternative(f'<p>Pasted:</p><img src="data:image/png;base64,{uri}">', "html")
    mails.append(as_bytes(message))

    # The search would find a stored copy of a mail: each file's forms are in what was sent.
    sent = flatten(b"".join(mails))
    for path in ("attachment", "inline cid", "data uri"):
        assert forms(media[path])[1] in sent, path  # the base64 form
    for raw in mails:
        row = smtp.send(raw)
        assert row.status == InboundStatus.PROCESSED, row.reason

    # Each file was filed, as its hashes.
    filed = {s["value"] for i in Item.objects.all() for s in i.signals if s["type"] == "sha256"}
    for path, data in media.items():
        assert hashlib.sha256(data).hexdigest() in filed, path

    # Nothing of any file is anywhere in the database.
    dump = database_bytes()
    assert not found(MARKERS, dump)
    for path, data in media.items():
        assert not found(forms(data), dump), path

    # Nor on disk: the var directory (SQLite's file lives there outside tests) and temp files.
    roots = [Path(settings.VAR_DIR), scratch]
    for path in (p for root in roots for p in files_under(root, started)):
        content = path.read_bytes()
        assert not found(MARKERS, content), path
        assert not any(found(forms(data), content) for data in media.values()), path
