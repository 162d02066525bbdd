"""Writes tests/inbound/corpus/wild/*.eml: `python tests/inbound/build_wild_corpus.py` (output
committed; tests/inbound/test_inbound_wild_corpus.py holds what each must read as).

The shapes real mail has and hotline once got wrong: Korean in every charset and mislabelling
(EUC-KR, CP949 labelled euc-kr, ks_c_5601-1987, ISO-2022-KR, UTF-8 labelled EUC-KR and the
reverse, no label at all), base64 and quoted-printable, URLs on consecutive lines, forwarded
bounces and message/rfc822 attachments, data: URIs, pasted and uuencoded media, long HTML
lines, bounces in the standard DSN shapes. Every message and every image is generated here
(Pillow gradients, never real imagery); the Korean sentences were written for these tests.
Each image carries MEDIA_MARKER, so a test can look for its bytes anywhere they must not be.
"""

import base64
import binascii
import io
import quopri
from pathlib import Path

from PIL import Image, PngImagePlugin

WILD = Path(__file__).parent / "corpus" / "wild"
MEDIA_MARKER = b"HOTLINE-TEST-MEDIA-MARKER"
HEAD = (
    "Date: Mon, 16 Sep 2024 09:00:00 +0900\r\nMIME-Version: 1.0\r\nTo: hotline@hotline.example\r\n"
)
ANALYST = "KCSC Analyst <analyst@kcsc.example>"
CENTRE = "caseworker@centre-a.example"
# CP949 has Hangul that EUC-KR (KS X 1001) lacks: "똠" and "햏" decode only as CP949.
KO_CP949 = "똠방각하 사건입니다. 아래 두 주소의 영상을 삭제해 주세요.\r\n"
KO = "긴급 삭제 요청입니다. 아래 두 주소의 영상을 삭제해 주세요.\r\n"


def png(seed: int) -> bytes:
    """A small generated gradient PNG whose text chunk carries the marker."""
    image = Image.new("RGB", (96, 96))
    image.putdata([((x * 3 + seed) % 256, (y * 5) % 256, (x * y + seed) % 256)
                   for y in range(96) for x in range(96)])  # fmt: skip
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MEDIA_MARKER.decode() + f"-{seed}")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg(seed: int) -> bytes:
    image = Image.new("RGB", (96, 96))
    image.putdata([((x * 7 + seed) % 256, (x + y) % 256, (y * 2) % 256)
                   for y in range(96) for x in range(96)])  # fmt: skip
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, comment=MEDIA_MARKER + b"-jpeg")
    return out.getvalue()


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\n", b"\r\n")


def word(text: str, label: str, codec: str, encoding: str = "B") -> str:
    """An RFC 2047 encoded word whose label may lie about its bytes."""
    data = text.encode(codec)
    if encoding == "B":
        return f"=?{label}?B?{base64.b64encode(data).decode()}?="
    return f"=?{label}?Q?{quopri.encodestring(data, header=True).decode()}?="


def plain(
    msgid: str,
    subject: str | bytes,
    body: bytes,
    *,
    sender: str = ANALYST,
    charset: str | None = "utf-8",
    cte: str = "8bit",
    extra: str = "",
) -> bytes:
    label = f"; charset={charset}" if charset else ""
    encoded = b64(body) if cte == "base64" else qp(body) if cte == "quoted-printable" else body
    subject_bytes = subject if isinstance(subject, bytes) else subject.encode()
    return (
        f"From: {sender}\r\n".encode()
        + b"Subject: "
        + subject_bytes
        + f"\r\nMessage-ID: <{msgid}@wild.example>\r\n{HEAD}{extra}"
        f"Content-Type: text/plain{label}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n".encode()
        + encoded
    )


def korean() -> dict[str, bytes]:
    urls = "https://t.me/c/107\r\nt.me/c/207\r\n"
    return {
        # The mail of the double-decoding bug: CP949 bytes under euc-kr, base64.
        "k01-euckr-label-cp949-base64.eml": plain(
            "k01",
            word("[긴급] 똠방각하 사건 삭제 요청", "euc-kr", "cp949"),
            (KO_CP949 + urls).encode("cp949"),
            charset="euc-kr",
            cte="base64",
        ),
        "k02-ks-c-5601-qp.eml": plain(
            "k02",
            word("햏 사건 삭제 요청", "ks_c_5601-1987", "cp949", "Q"),
            (KO_CP949 + "https://t.me/c/108\r\nhttps://t.me/c/208\r\n").encode("cp949"),
            charset="ks_c_5601-1987",
            cte="quoted-printable",
        ),
        "k03-iso-2022-kr.eml": plain(
            "k03",
            word("삭제 요청 드립니다", "iso-2022-kr", "iso2022_kr"),
            (KO + "https://t.me/c/109\r\n").encode("iso2022_kr"),
            charset="iso-2022-kr",
            cte="7bit",
        ),
        "k04-utf8-labelled-euckr.eml": plain(
            "k04",
            word("유출 영상 삭제 요청", "euc-kr", "utf-8"),
            (KO + "https://t.me/c/110\r\n").encode("utf-8"),
            charset="euc-kr",
            cte="base64",
        ),
        "k05-euckr-labelled-utf8.eml": plain(
            "k05",
            word("유출 영상 삭제 요청", "utf-8", "euc-kr"),
            (KO + "https://t.me/c/111\r\n").encode("euc-kr"),
            charset="utf-8",
            cte="8bit",
        ),
        "k06-unlabelled-8bit.eml": plain(
            "k06",
            "똠방각하 사건 삭제".encode("cp949"),
            (KO_CP949 + "https://t.me/c/112\r\n").encode("cp949"),
            charset=None,
        ),
        "k07-long-html-line.eml": _long_html(),
    }


def _long_html() -> bytes:
    # One physical line of about 3,000 bytes, as HTML mailers write: only IMAP and stored
    # mail carry it here (SMTP's line limit is hotline.inbound.server's business).
    cells = "".join(f"<td style='padding:2px'>항목 {n}</td>" for n in range(60))
    html = (
        "<html><body><table><tr>" + cells + "</tr></table>"
        "<div>https://t.me/c/113</div><div>t.me/c/213</div>"
        "<p>긴급 삭제 요청입니다.</p></body></html>\r\n"
    )
    return (
        f"From: {ANALYST}\r\nSubject: {word('긴 줄 HTML 요청', 'ks_c_5601-1987', 'cp949')}\r\n"
        f"Message-ID: <k07@wild.example>\r\n{HEAD}"
        "Content-Type: text/html; charset=ks_c_5601-1987\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode() + html.encode("cp949")


def _dsn(returned: str, *, sender: str = "MAILER-DAEMON@mx.example", msgid: str) -> str:
    return (
        f"From: Mail Delivery System <{sender}>\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{msgid}@mx.example>\r\n{HEAD}"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="DSN"\r\n\r\n'
        "--DSN\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system. Your message could not be delivered.\r\n\r\n"
        "--DSN\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example\r\n\r\n"
        "Final-Recipient: rfc822; gone@platform.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        f"--DSN\r\n{returned}\r\n--DSN--\r\n"
    )


def forwarded_and_bounces() -> dict[str, bytes]:
    returned_headers = (
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "Message-ID: <notice-4242@hotline.example>\r\nSubject: [hotline] notice\r\n"
    )
    returned_message = (
        "Content-Type: message/rfc822\r\n\r\n"
        "From: notices@hotline.example\r\nMessage-ID: <notice-4343@hotline.example>\r\n"
        "Subject: [hotline] notice\r\n\r\nTakedown notice 4343.\r\n"
    )
    # A reporter forwards a bounce (of a notice to someone) as an attachment, with a request.
    forwarded_bounce = (
        f"From: {ANALYST}\r\nSubject: {word('삭제 요청 (반송 메일 첨부)', 'utf-8', 'utf-8')}\r\n"
        f"Message-ID: <f01@wild.example>\r\n{HEAD}"
        'Content-Type: multipart/mixed; boundary="OUTER"\r\n\r\n'
        "--OUTER\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "삭제를 요청합니다: https://t.me/room/41\r\n"
        "플랫폼에 보낸 메일이 반송되어 첨부합니다.\r\n"
        "--OUTER\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        + _dsn(returned_headers, msgid="fwd-dsn")
        + "\r\n--OUTER--\r\n"
    )
    victim = (
        "From: Victim <victim@mail.example>\r\nSubject: =?utf-8?b?64+E7JmA7KO87IS47JqU?=\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="INNER"\r\n\r\n'
        "--INNER\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "제 사진이 여기 있어요: https://t.me/room/42\r\n"
        '--INNER\r\nContent-Type: image/png; name="photo.png"\r\n'
        'Content-Disposition: attachment; filename="photo.png"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64(png(42)).decode() + "--INNER--\r\n"
    )
    forwarded_image = (
        f"From: {CENTRE}\r\nSubject: Fwd: victim report\r\nMessage-ID: <f02@wild.example>\r\n"
        f"{HEAD}"
        'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n'
        "--MIX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached message.\r\n"
        "--MIX\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        f"{victim}\r\n--MIX--\r\n"
    )
    plain_bounce = plain(
        "b03",
        "failure notice",
        b"Hi. This is the qmail-send program at mx.example.\r\n"
        b"I'm afraid I wasn't able to deliver your message.\r\n\r\n"
        b"--- Below this line is a copy of the message.\r\n\r\n"
        b"Message-ID: <notice-77@hotline.example>\r\nSubject: [hotline] notice\r\n",
        sender="MAILER-DAEMON@mx.example",
        charset="us-ascii",
    )
    return {
        "f01-reporter-forwards-a-bounce.eml": forwarded_bounce.encode(),
        "f02-forwarded-rfc822-with-image.eml": forwarded_image.encode(),
        "b01-dsn-rfc822-headers.eml": _dsn(returned_headers, msgid="b01").encode(),
        "b02-dsn-returned-message.eml": _dsn(
            returned_message, sender="postmaster@mx.example", msgid="b02"
        ).encode(),
        "b03-plain-text-bounce.eml": plain_bounce,
    }


def embedded_media() -> dict[str, bytes]:
    data_uri = base64.b64encode(png(1)).decode()
    html = (
        "<html><body><p>Please remove:</p>"
        '<p><a href="https://t.me/room/51">https://t.me/room/51</a></p>'
        f'<p><img alt="screenshot" src="data:image/png;base64,{data_uri}"></p>'
        "</body></html>\r\n"
    ).encode()
    related = (
        f"From: {ANALYST}\r\nSubject: Inline screenshot\r\nMessage-ID: <m02@wild.example>\r\n"
        f"{HEAD}"
        'Content-Type: multipart/related; boundary="REL"\r\n\r\n'
        "--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        '<p>Remove https://t.me/room/52 please.</p><img src="cid:shot1@wild.example">\r\n'
        "--REL\r\nContent-Type: image/jpeg\r\nContent-ID: <shot1@wild.example>\r\n"
        "Content-Disposition: inline\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + b64(jpeg(2)).decode()
        + "--REL--\r\n"
    ).encode()
    pasted = (
        b"Remove https://t.me/room/53 and this picture:\r\n\r\n" + b64(png(3)) + b"\r\nThanks\r\n"
    )
    uu = b"".join(
        binascii.b2a_uu(chunk).replace(b"\n", b"\r\n")
        for chunk in (png(4)[i : i + 45] for i in range(0, len(png(4)), 45))
    )
    uuencoded = b"Remove https://t.me/room/54\r\n\r\nbegin 644 shot.png\r\n" + uu + b"`\r\nend\r\n"
    return {
        "m01-data-uri-html-base64.eml": (
            f"From: {ANALYST}\r\nSubject: Screenshot in the mail\r\n"
            f"Message-ID: <m01@wild.example>\r\n{HEAD}"
            "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + b64(html),
        "m02-inline-cid-image.eml": related,
        "m03-pasted-base64-in-text.eml": plain("m03", "Pasted picture", pasted, cte="7bit"),
        "m04-uuencoded.eml": plain("m04", "Old mailer", uuencoded, cte="7bit"),
        "a01-vacation-subject-bulk.eml": plain(
            "a01",
            "Vacation photos leaked: please remove",
            b"Leaked at https://t.me/room/61\r\n",
            extra="Precedence: bulk\r\n",
        ),
    }


def messages() -> dict[str, bytes]:
    return {**korean(), **forwarded_and_bounces(), **embedded_media()}


if __name__ == "__main__":
    WILD.mkdir(parents=True, exist_ok=True)
    for name, data in messages().items():
        (WILD / name).write_bytes(data)
        print(name, len(data))
