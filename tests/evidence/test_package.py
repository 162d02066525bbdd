"""An evidence package round-trips: export, verify; one changed byte in any file is named."""

import io
import json
import re
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from hotline.audit.keys import signing_key
from hotline.audit.models import Event
from hotline.audit.signing import public_key_text
from tests.evidence.conftest import REJECTED_URL, REMOVED_URL, X_URL

FILES = [
    "README.txt",
    "audit-events.json",
    "checkpoint.json",
    "items.json",
    "manifest.json",
    "manifest.sig",
    "summary.pdf",
]


def export_case(case_id: str, target: Path) -> str:
    out = StringIO()
    call_command("evidence", "export", "--case", case_id, "-o", str(target), stdout=out)
    return out.getvalue()


def verify(package: Path, public_key: Path | None = None) -> str:
    args = ["evidence", "verify", str(package)]
    if public_key:
        args += ["--public-key", str(public_key)]
    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except CommandError as error:
        raise AssertionError(out.getvalue() + str(error)) from error
    return out.getvalue()


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(package: Path, target: Path, name: str) -> None:
    """The same ZIP with one byte of one member flipped (a valid ZIP: the CRC is recomputed)."""
    files = members(package)
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0x01
    files[name] = bytes(data)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in files.items():
            archive.writestr(member, content)


@pytest.fixture
def package(filed_case: dict[str, Any], tmp_path: Path) -> Path:
    target = tmp_path / "case.zip"
    printed = export_case(filed_case["case_id"], target)
    assert "3 items" in printed
    assert target.stat().st_mode & 0o777 == 0o600
    return target


@pytest.fixture
def public_key(tmp_path: Path) -> Path:
    path = tmp_path / "hotline-audit.pub"
    path.write_text(public_key_text(signing_key().public_key) + "\n", encoding="utf-8")
    return path


def test_an_exported_package_verifies_with_only_the_public_key(
    package: Path, public_key: Path
) -> None:
    assert sorted(members(package)) == FILES
    printed = verify(package, public_key)
    assert "the package verifies" in printed
    for name in FILES:
        assert f"ok     {name}:" in printed


@pytest.mark.parametrize("name", FILES)
def test_one_flipped_byte_in_any_file_fails_and_names_that_file(
    package: Path, public_key: Path, tmp_path: Path, name: str
) -> None:
    damaged = tmp_path / "damaged.zip"
    rewrite(package, damaged, name)
    out = StringIO()
    with pytest.raises(CommandError, match=f"does NOT verify: {re.escape(name)}$"):
        call_command(
            "evidence", "verify", str(damaged), "--public-key", str(public_key), stdout=out
        )
    assert f"FAILED {name}: " in out.getvalue()


def test_a_damaged_zip_names_the_damaged_member(package: Path, public_key: Path) -> None:
    raw = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as archive:
        info = archive.getinfo("items.json")
    offset = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    raw[offset] ^= 0xFF  # inside items.json's compressed bytes
    package.write_bytes(bytes(raw))
    with pytest.raises(AssertionError, match=r"FAILED items\.json: damaged inside the ZIP"):
        verify(package, public_key)


def test_a_package_signed_by_another_key_is_refused(package: Path, tmp_path: Path) -> None:
    stranger = tmp_path / "stranger.pub"
    stranger.write_text(public_key_text(Ed25519PrivateKey.generate().public_key()))
    refused = r"FAILED manifest\.sig: signed by key .* not a trusted"
    with pytest.raises(AssertionError, match=refused):
        verify(package, stranger)


def test_items_json_holds_deliveries_with_proof_actions_with_reasons_and_checks(
    package: Path,
) -> None:
    document = json.loads(members(package)["items.json"])
    by_url = {i["url"]: i for i in document["items"]}
    assert set(by_url) == {REMOVED_URL, REJECTED_URL, X_URL}
    removed, rejected = by_url[REMOVED_URL], by_url[REJECTED_URL]
    assert removed["state"] == "confirmed_removed" and removed["deadline_at"]
    actions = [a["action"] for a in removed["actions"]]
    assert actions.index("create") < actions.index("removed") < actions.index("verified_gone")
    (removal,) = [a for a in removed["actions"] if a["action"] == "removed"]
    assert removal["actor"].startswith("telegram_mod@") and removal["to"] == "removed"
    (check,) = removed["checks"]
    assert (check["http_status"], check["verdict"]) == (404, "gone")
    assert "body_sha256" in check and check["checked_at"]
    (rejection,) = [a for a in rejected["actions"] if a["action"] == "rejected"]
    assert (rejection["reason"], rejection["note"]) == ("not_illegal", "Reviewed: satire.")
    telegram = next(n for n in document["notices"] if n["platform"] == "Telegram")
    notice_mail = next(d for d in telegram["deliveries"] if d["kind"] == "notice")
    proof = notice_mail["attempts"][0]["proof"]
    assert proof["message_id"] == f"<notice-{telegram['id']}@hotline.example>"
    assert proof["smtp_reply"] == "250 Message accepted"
    assert "legal_elements" not in json.dumps(document)
    assert "jane@example.org" not in json.dumps(document)  # the requester's contact stays out


def test_the_events_are_covered_by_the_checkpoint_and_the_export_is_itself_recorded(
    package: Path, filed_case: dict[str, Any]
) -> None:
    files = members(package)
    events = json.loads(files["audit-events.json"])["events"]
    checkpoint = json.loads(files["checkpoint.json"])
    assert events and max(e["seq"] for e in events) < checkpoint["seq"]
    subjects = {e["subject"].split(":")[0] for e in events}
    assert subjects == {"request", "notice", "item"}
    export = Event.objects.get(tag="evidence:export")
    assert export.payload["scope"] == {"kind": "case", "case_id": filed_case["case_id"]}
    assert export.seq <= checkpoint["seq"]


def test_the_summary_pdf_embeds_its_font_and_speaks_both_languages(package: Path) -> None:
    pdf = members(package)["summary.pdf"]
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf  # a TrueType font program is embedded
    assert b"HYSMyeongJo" not in pdf  # not the non-embedded CID font
    assert b"/Helvetica" not in pdf  # nor a base-14 font the reader must supply


def test_no_media_bytes_go_into_a_package(call_api: Any, tmp_path: Path) -> None:
    from PIL import Image

    image = Image.radial_gradient("L").convert("RGB").resize((256, 256))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    media = buffer.getvalue()
    body = {
        "category": "sexual_deepfake",
        "reasons": "A generated test image standing in for reported media.",
        "items": [{"url": "https://t.me/media_room/1", "media": "file1"}],
        "legal": {
            "signature": "/s/ Jane Doe",
            "good_faith_statement": "I believe in good faith this is not consensual.",
            "contact": "jane@example.org",
            "notifier_name": "Jane Doe",
            "notifier_email": "jane@example.org",
            "bona_fide_statement": True,
        },
    }
    response = call_api.client.post(
        "/api/requests/upload",
        {"payload": json.dumps(body), "file1": io.BytesIO(media)},
        HTTP_AUTHORIZATION=f"Bearer {call_api.directory.tokens['analyst']}",
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["case_id"]
    target = tmp_path / "media.zip"
    export_case(case_id, target)
    files = members(target)
    (item,) = json.loads(files["items.json"])["items"]
    assert {s["type"] for s in item["signals"]} >= {"pdq", "md5", "sha256"}
    for name, content in files.items():
        for start in range(0, len(media) - 32, 32):
            assert media[start : start + 32] not in content, name
