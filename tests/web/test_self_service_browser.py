"""/self/ in headless Chromium: photos and videos hashed on the device, only hashes sent, her case
followed by number and PIN, consent withdrawn, PIN guessing throttled.

The browser's PDQ is checked against hotline's Python PDQ and Meta's C++ reference on a
sample of ../shared/testdata/pdq (bench/self_service_pdq.py runs the whole set).
"""

import base64
import csv
import json
import re
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import check_password
from django.test import Client
from playwright.sync_api import Page, Request, expect

from hotline.audit.models import Event
from hotline.cases.models import Item
from hotline.delivery.channels import RecordingChannel
from hotline.hashing.images import hash_image_bytes
from hotline.hashing.pdq import hamming
from hotline.hashing.signals import VideoSignals
from hotline.hashing.video_match import match_videos
from hotline.hashing.videos import hash_video_file
from hotline.selfservice.models import SelfCase
from hotline.selfservice.services import self_case_file
from tests.hashing.media_factory import jpeg_bytes, shared_testdata
from tests.selfservice.test_withdrawal import database_dump
from tests.web.test_browser import browser, page  # noqa: F401 (fixtures)

# The smaller files of the set, for test time: a 1152 x 723 photo, a square, two natural
# images and a tiny one; bench/bench_self_service_pdq.py runs all 34 files.
SAMPLE = [
    "pdq/bridge-mods/shrink-a-little.jpg",
    "pdq/bridge-mods/square-512x512.jpg",
    "pdq/labelme-subset/q0122.jpg",
    "pdq/labelme-subset/q0746.jpg",
    "pdq/misc/wee.jpg",
]


def reference() -> dict[str, tuple[str, int]]:
    rows = csv.DictReader((shared_testdata() / "pdq" / "expected-pdqhash.csv").open())
    return {r["path"]: (r["pdq_hex"], int(r["quality"])) for r in rows}


def choose(tab: Page, files: dict[str, bytes]) -> list[str]:
    """Pick the files in the page and wait for its PDQs, in order."""
    tab.locator("#self-files").set_input_files(
        files=[{"name": n, "mimeType": "image/jpeg", "buffer": b} for n, b in files.items()]
    )
    rows = tab.locator("#self-hashes li[data-pdq]")
    expect(rows).to_have_count(len(files), timeout=60_000)
    return [rows.nth(i).get_attribute("data-pdq") or "" for i in range(len(files))]


def test_the_browsers_pdq_agrees_with_python_and_meta(page: Page, directory: Any) -> None:  # noqa: F811
    page.goto("/self/")
    expected = reference()
    files = {Path(p).name: (shared_testdata() / p).read_bytes() for p in SAMPLE}
    for path, browser_hex in zip(SAMPLE, choose(page, files), strict=True):
        python = hash_image_bytes(files[Path(path).name]).pdq
        meta_hex, quality = expected[path]
        assert quality >= 80 and python.quality >= 80, path
        assert hamming(browser_hex, python.hex) <= 10, (path, browser_hex, python.hex)
        assert hamming(browser_hex, meta_hex) <= 10, (path, browser_hex, meta_hex)


def test_only_hashes_leave_the_device_and_she_gets_a_number_and_pin(
    page: Page,  # noqa: F811
    directory: Any,
) -> None:
    photo = jpeg_bytes(640, 480, seed=21)
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))
    page.goto("/self/")
    expect(page.locator("#self-formats")).to_contain_text("HEIC")
    [pdq] = choose(page, {"photo.jpg": photo})
    page.locator("#self-urls").fill("https://t.me/room/404")
    page.get_by_label("These photos show me").check()
    page.get_by_role("button", name="Send the hashes").click()
    expect(page.locator("#self-result")).to_be_visible()
    case_id = page.locator("#self-case-id").inner_text()
    pin = page.locator("#self-pin").inner_text()
    assert re.fullmatch(r"HL-\d{4}-\d{6}", case_id) and re.fullmatch(r"\d{4}-\d{4}-\d{4}", pin)
    bodies = [r.post_data_buffer or b"" for r in sent]
    assert any(pdq.encode() in b for b in bodies)  # the submit carried the hashes
    for body in bodies:
        for start in range(0, len(photo) - 32, 512):  # any stretch of the file, raw or base64
            assert photo[start : start + 32] not in body
        assert base64.b64encode(photo[:300])[:200] not in body
    case = SelfCase.objects.get(request__case_id=case_id)
    assert pin not in database_dump()  # only its salted hash is kept
    assert check_password(pin, case.pin_hash) and pin not in case.pin_hash
    item = Item.objects.get(request=case.request, position=1)
    signals = {s["type"]: s for s in item.signals}
    python = hash_image_bytes(photo)
    assert signals["md5"]["value"] == python.md5 and signals["sha256"]["value"] == python.sha256
    assert signals["pdq"]["value"] == pdq and hamming(pdq, python.pdq.hex) <= 10


def test_she_may_have_the_number_and_pin_emailed_and_the_address_is_not_kept(
    page: Page,  # noqa: F811
    directory: Any,
) -> None:
    page.goto("/self/")
    choose(page, {"photo.jpg": jpeg_bytes(320, 240, seed=22)})
    page.get_by_label("Email the case number and PIN to (optional)").fill("her@example.org")
    page.get_by_label("These photos show me").check()
    page.get_by_role("button", name="Send the hashes").click()
    expect(page.locator("#self-emailed")).to_be_visible()
    pin = page.locator("#self-pin").inner_text()
    [mail] = RecordingChannel.sent.values()
    assert mail.recipient == "her@example.org" and pin in mail.body
    dump = database_dump()
    assert "her@example.org" not in dump and pin not in dump


def _open(tab: Page, case_id: str, pin: str) -> None:
    tab.goto("/self/status/")
    tab.get_by_label("Case number").fill(case_id)
    tab.get_by_label("PIN").fill(pin)
    tab.get_by_role("button", name="Open my case").click()


def test_she_follows_her_case_withdraws_consent_and_a_guesser_is_throttled(
    page: Page,  # noqa: F811
    directory: Any,
) -> None:
    photo = hash_image_bytes(jpeg_bytes(320, 240, seed=5))
    signals = [
        {"type": "pdq", "value": photo.pdq.hex, "quality": photo.pdq.quality},
        {"type": "md5", "value": photo.md5},
        {"type": "sha256", "value": photo.sha256},
    ]
    issued = self_case_file(items=[{"signals": signals}], category="sexual_deepfake")
    case_id, pin, md5 = issued.case_id, issued.pin, photo.md5
    assert md5 in database_dump()
    _open(page, case_id, pin)
    expect(page.locator("#self-status")).to_contain_text("Photo (hashes only)")
    expect(page.locator("#self-status")).to_contain_text("Still being checked")
    page.get_by_label("Yes, delete the hashes of my photos").check()
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.locator("#self-withdrawn")).to_be_visible()
    expect(page.locator("#self-status")).to_contain_text("Photo (hashes deleted)")
    assert md5 not in database_dump()
    assert SelfCase.objects.get(request__case_id=case_id).withdrawn_at is not None
    _pin_guessing_is_throttled_and_audited(page)


def _pin_guessing_is_throttled_and_audited(page: Page) -> None:  # noqa: F811
    """In the same test as the withdrawal: a live-server test costs seconds of set-up."""
    page.get_by_role("button", name="Close my case on this device").click()
    issued = self_case_file(items=[{"url": "https://t.me/room/9"}], category="sexual_deepfake")
    case_id, pin = issued.case_id, issued.pin
    _open(page, case_id, "0000-0000-0000")
    expect(page.locator(".problem")).to_contain_text("do not match")
    guesser = Client(REMOTE_ADDR="127.0.0.1")  # the same address as the browser's
    for guess in range(1, 5):
        answer = guesser.post(
            "/self/status/", {"case_id": case_id, "pin": f"0000-0000-{guess:04d}"}
        )
        assert answer.status_code == (429 if guess == 4 else 403)
    _open(page, case_id, pin)  # the right PIN, but too late: this address is locked out
    expect(page.locator(".problem")).to_contain_text("Too many wrong attempts")
    assert Event.objects.filter(tag="session:locked", subject=f"username:case:{case_id}").exists()
    assert not page.locator("#self-status").count()


# Two H.264 MP4s of the vPDQ set that Debian's Chromium plays: a landscape 1280 x 720 clip
# and a square one with padded dimensions (the others are longer, for test time).
VIDEOS = ["vpdq/videos/doorknob-hd-no-bar.mp4", "vpdq/videos/test-padded-dimensions.mp4"]


def choose_videos(tab: Page, paths: list[Path]) -> list[list[tuple[str, int]]]:
    """Pick the videos in the page and wait for their frame hashes, in order."""
    tab.locator("#self-files").set_input_files(files=paths)
    rows = tab.locator("#self-hashes li[data-frames]")
    expect(rows).to_have_count(len(paths), timeout=60_000)
    raw = [rows.nth(i).get_attribute("data-frames") or "[]" for i in range(len(paths))]
    hashed = [json.loads(r) for r in raw]
    return [[(f["pdq"], f["quality"]) for f in frames] for frames in hashed]


def test_videos_are_hashed_on_the_device_as_python_does_and_only_hashes_leave(
    page: Page,  # noqa: F811
    directory: Any,
) -> None:
    paths = [shared_testdata() / v for v in VIDEOS]
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request))
    page.goto("/self/")
    expect(page.locator("#self-formats")).to_contain_text("videos that this browser can play")
    browser_frames = choose_videos(page, paths)
    python = [hash_video_file(p) for p in paths]
    for path, frames, video in zip(VIDEOS, browser_frames, python, strict=True):
        # Meta's vPDQ rule, both ways: >= 80% of usable frames within 31 bits of the other's.
        reference = video_frames(video)
        there, back = match_videos(frames, reference), match_videos(reference, frames)
        assert there.is_match and there.candidate_match_percent >= 80, (path, there)
        assert back.is_match, (path, back)
    page.get_by_label("These photos show me").check()
    page.get_by_role("button", name="Send the hashes").click()
    expect(page.locator("#self-result")).to_be_visible()
    case = SelfCase.objects.get(request__case_id=page.locator("#self-case-id").inner_text())
    bodies = [r.post_data_buffer or b"" for r in sent]
    for path in paths:
        data = path.read_bytes()
        for body in bodies:
            for start in range(0, len(data) - 32, 4096):  # any stretch of the file, raw or base64
                assert data[start : start + 32] not in body, path
            assert base64.b64encode(data[:300])[:200] not in body
    for position, video in enumerate(python, start=1):
        item = Item.objects.get(request=case.request, position=position)
        kept = [s for s in item.signals if s["type"] == "pdq"]
        by_type = {s["type"]: s["value"] for s in item.signals}
        assert by_type["md5"] == video.md5 and by_type["sha256"] == video.sha256
        assert kept and all(s["quality"] >= 50 for s in kept)
        sent_frames = [(s["value"], s["quality"]) for s in kept]
        assert match_videos(sent_frames, video_frames(video)).is_match


def video_frames(video: VideoSignals) -> list[tuple[str, int]]:
    return [(f.pdq, f.quality) for f in video.frames]
