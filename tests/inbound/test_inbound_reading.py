"""Reading real mail's shapes without a database: charsets, stored bytes, URLs, bounces (tables)."""

import base64

import pytest

from hotline.inbound import mime
from hotline.inbound.charsets import decode_text
from hotline.inbound.classify import automatic, bounced_notice
from hotline.inbound.extract import urls_in_parts, urls_in_text
from hotline.inbound.strip import strip_media
from tests.inbound.build_wild_corpus import MEDIA_MARKER, png
from tests.inbound.wild import EXPECTED, wild

KOREAN = "똠방각하 사건: 미성년 피해자 딥페이크입니다."  # 똠 exists in CP949 only
KS_X_1001 = "방각하 사건: 미성년 피해자 딥페이크입니다."  # every character also in EUC-KR


@pytest.mark.parametrize(
    ("data", "label", "text"),
    [
        (KOREAN.encode("cp949"), "euc-kr", KOREAN),  # CP949 labelled EUC-KR
        (KOREAN.encode("cp949"), "ks_c_5601-1987", KOREAN),
        (KOREAN.encode("cp949"), "uhc", KOREAN),
        (KOREAN.encode("cp949"), "x-windows-949", KOREAN),
        (KOREAN.encode("utf-8"), "euc-kr", KOREAN),  # UTF-8 labelled EUC-KR
        (KS_X_1001.encode("euc-kr"), "utf-8", KS_X_1001),  # and the reverse
        (KOREAN.encode("cp949"), "us-ascii", KOREAN),
        (KOREAN.encode("cp949"), "iso-8859-1", KOREAN),
        (KOREAN.encode("cp949"), None, KOREAN),
        (KS_X_1001.encode("iso2022_kr"), "us-ascii", KS_X_1001),
        (KS_X_1001.encode("iso2022_kr"), "iso-2022-kr", KS_X_1001),
        ("café au lait".encode("latin-1"), "iso-8859-1", "café au lait"),
        ("Grüße aus Köln".encode("latin-1"), "utf-8", "Grüße aus Köln"),
        ("Привет, как дела".encode("koi8_r"), "koi8-r", "Привет, как дела"),
        (b"plain ascii", "no-such-charset", "plain ascii"),
    ],
)
def test_charset_labels_that_lie_are_corrected(data: bytes, label: str | None, text: str) -> None:
    assert decode_text(data, label) == text


def test_undecodable_bytes_never_raise() -> None:
    assert isinstance(decode_text(b"\xff\xfe\x00\x81\xfe", "euc-kr"), str)


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("https://t.me/c/107\nt.me/c/207", ["https://t.me/c/107", "t.me/c/207"]),
        ("https://t.me/c/107\r\nhttps://t.me/c/207", ["https://t.me/c/107", "https://t.me/c/207"]),
        ("t.me/c/1\rt.me/c/2", ["t.me/c/1", "t.me/c/2"]),  # old Mac line ends
        (
            "https://x.com/a/status/1https://t.me/d/1",
            ["https://x.com/a/status/1", "https://t.me/d/1"],
        ),
        ("https://l.example/out?u=https://t.me/x/1", ["https://l.example/out?u=https://t.me/x/1"]),
        ("채널 t.me/room/11에서 유포", ["t.me/room/11"]),
        ("(https://a.example/x).", ["https://a.example/x"]),
    ],
)
def test_a_url_never_runs_over_a_line_break(text: str, urls: list[str]) -> None:
    assert urls_in_text(text) == urls


def test_an_href_with_a_line_break_is_two_links() -> None:
    html = '<a href="https://t.me/c/107\nt.me/c/207">x</a><div>t.me/q/1</div><div>t.me/q/2</div>'
    parts = [mime.TextPart("text/html", html)]
    assert urls_in_parts(parts) == ["https://t.me/c/107", "t.me/c/207", "t.me/q/1", "t.me/q/2"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_wild_message_reads_as_written(name: str) -> None:
    raw, expect = wild(name), EXPECTED[name]
    stripped = strip_media(raw)
    assert [r.where for r in stripped.removed] == list(expect.removed)
    assert MEDIA_MARKER not in stripped.raw
    if not expect.removed:
        assert stripped.raw == raw  # stored exactly as received
    assert strip_media(stripped.raw).raw == stripped.raw  # nothing left to cut
    message = mime.parse(stripped.raw)
    assert mime.header_text(message, "Subject") == expect.subject
    text = mime.plain_text(message)
    for phrase in expect.body:
        assert phrase in text
    assert "\ufffd" not in text
    assert urls_in_parts(mime.text_parts(message)) == list(expect.urls)
    auto = automatic(message, "reporter@kcsc.example")
    assert (auto.kind if auto else None) == expect.auto
    if expect.bounce_notice is not None:
        assert bounced_notice(message) == expect.bounce_notice


def test_a_message_stored_decoded_under_its_old_headers_is_not_decoded_twice() -> None:
    """What an earlier version stored when it could not re-serialise a message: the text,
    already decoded, under the original base64 and euc-kr headers."""
    legacy = (
        "From: analyst@kcsc.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{KOREAN}\r\nhttps://t.me/c/107\r\n"
    ).encode()
    text = mime.plain_text(mime.parse(legacy))
    assert KOREAN in text and "https://t.me/c/107" in text


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e.removed))
def test_a_message_cut_short_anywhere_is_still_read_and_its_media_cut(name: str) -> None:
    raw = wild(name)
    for end in range(len(raw) // 8, len(raw), len(raw) // 8):
        stripped = strip_media(raw[:end])
        assert MEDIA_MARKER not in stripped.raw
        assert strip_media(stripped.raw).raw == stripped.raw
        mime.plain_text(mime.parse(stripped.raw))


def test_one_long_line_of_pasted_base64_media_is_cut() -> None:
    image = base64.b64encode(png(9))
    raw = b"From: a@b.example\r\nSubject: x\r\n\r\nhttps://t.me/c/1\r\n" + image + b"\r\nbye\r\n"
    stripped = strip_media(raw)
    assert [r.where for r in stripped.removed] == ["base64-run"]
    assert image[:40] not in stripped.raw and stripped.raw.endswith(b"]\r\nbye\r\n")


def _single(body: bytes, content_type: str = "text/plain", cte: str = "8bit") -> bytes:
    return (
        f"From: a@b.example\r\nSubject: x\r\nContent-Type: {content_type}\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode() + body


@pytest.mark.parametrize(
    ("raw", "cut"),
    [
        (_single(b"BMW is a car maker.\r\n"), []),  # starts like a BMP, is text
        (_single(b"FLV files and GIF89a images are old.\r\n"), []),
        (_single(b"Data: https://t.me/c/1 data:text/plain;base64,aGVsbG8=\r\n"), []),
        (_single(base64.encodebytes(png(5)), cte="base64"), ["attachment"]),  # a PNG as text
        (_single(b"x", "application/pdf"), ["attachment"]),
        (
            _single(b'<img src="DATA:image/png;base64,' + base64.b64encode(png(6)) + b'">'),
            ["data-uri"],
        ),
    ],
)
def test_what_is_cut_as_media_and_what_stays_text(raw: bytes, cut: list[str]) -> None:
    stripped = strip_media(raw)
    assert [r.where for r in stripped.removed] == cut
    assert (stripped.raw == raw) == (not cut)
