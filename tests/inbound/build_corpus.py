"""Writes tests/inbound/corpus/*.eml: `python tests/inbound/build_corpus.py` (output committed).

Every message is synthetic. Replies are templates: {NOTICE}, {TOKEN} and {CASE} are filled
in by the tests once the notice exists. Messages with media attachments are built in the
tests (the image is generated with Pillow there).
"""

import base64
import quopri
from email.header import Header
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
HEAD = "Date: Mon, 16 Sep 2024 09:00:00 +0900\r\nMIME-Version: 1.0\r\n"


def enc_word(text: str, charset: str) -> str:
    return Header(text, charset).encode()


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


def plain(
    sender: str,
    subject: str,
    body: bytes,
    *,
    charset: str = "utf-8",
    cte: str = "8bit",
    extra: str = "",
    msgid: str,
    to: str = "hotline@hotline.example",
) -> bytes:
    headers = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{msgid}>\r\n"
        f"{HEAD}{extra}Content-Type: text/plain; charset={charset}\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    )
    if cte == "base64":
        body = b64(body).encode()
    elif cte == "quoted-printable":
        body = quopri.encodestring(body).replace(b"\n", b"\r\n")
    return headers.encode() + body


def messages() -> dict[str, bytes]:
    kcsc = "KCSC Analyst <analyst@kcsc.example>"
    m: dict[str, bytes] = {}
    m["request-plain-en.eml"] = plain(
        kcsc,
        "URGENT: deepfake channel",
        b"Please remove these sexual deepfakes:\r\n\r\n"
        b"https://t.me/room/1\r\n"
        b"t.me/room/2 (no scheme)\r\n"
        b"See also x.com/a/status/7, and (https://unknown.example/x).\r\n"
        b"Again: https://t.me/room/1\r\n\r\n"
        b"-- \r\nKCSC analyst, https://www.kcsc.example/contact\r\n",
        msgid="req-en-1@kcsc.example",
    )
    ko = (
        "긴급 딥페이크 삭제 요청\r\n\r\n"
        "다음 채널 t.me/room/11에서 유포 중입니다.\r\n감사합니다.\r\n"
    )
    m["request-euc-kr-qp.eml"] = plain(
        kcsc,
        enc_word("[긴급] 딥페이크 삭제 요청", "euc-kr"),
        ko.encode("euc-kr"),
        charset="euc-kr",
        cte="quoted-printable",
        msgid="req-euckr@kcsc.example",
    )
    m["request-iso-2022-kr.eml"] = plain(
        kcsc,
        enc_word("삭제 요청", "iso-2022-kr"),
        "아래 주소의 영상을 삭제해 주십시오: https://t.me/room/12\r\n".encode("iso-2022-kr"),
        charset="iso-2022-kr",
        cte="7bit",
        msgid="req-iso2022@kcsc.example",
    )
    cp949 = "똠방각하 사건: 미성년 피해자 딥페이크입니다. t.me/room/13 즉시 삭제 바랍니다.\r\n"
    m["request-cp949-base64.eml"] = plain(
        "caseworker@centre-a.example",
        enc_word("똠방각하 사건 삭제 요청", "cp949").replace("cp949", "ks_c_5601-1987"),
        cp949.encode("cp949"),
        charset="ks_c_5601-1987",
        cte="base64",
        msgid="req-cp949@centre-a.example",
    )
    # Declared us-ascii, but both the subject and the body are raw CP949 bytes.
    mislabelled = plain(
        kcsc,
        "SUBJECT-PLACEHOLDER",
        "삭제 요청: t.me/room/14 입니다.\r\n".encode("cp949"),
        charset="us-ascii",
        msgid="req-mislabelled@kcsc.example",
    )
    m["request-mislabelled.eml"] = mislabelled.replace(
        b"SUBJECT-PLACEHOLDER", "잘못 표시된 문자셋".encode("cp949")
    )
    m["request-rfc2231-attachment.eml"] = _rfc2231(kcsc)
    m["request-html-only.eml"] = _html_only(kcsc)
    m["request-forwarded-rfc822.eml"] = _forwarded_rfc822()
    m["request-forwarded-inline.eml"] = plain(
        "KCSC <kcsc@example.org>",
        "Fwd: please help",
        b"Forwarding a victim's message.\r\n\r\n"
        b"---------- Forwarded message ---------\r\n"
        b"From: Victim <victim@mail.example>\r\n"
        b"Subject: help\r\n\r\n"
        b"They posted it at t.me/room/17 and\r\n"
        b"> also twitter.com/u/status/9\r\n",
        msgid="req-fwd-inline@example.org",
    )
    m["auto-reply.eml"] = plain(
        kcsc,
        "Out of office: back on Monday",
        b"I am away. Urgent matters: https://t.me/room/99\r\n",
        extra="Auto-Submitted: auto-replied\r\n",
        msgid="ooo@kcsc.example",
    )
    m["auto-reply-ko.eml"] = plain(
        "Telegram Moderation <mod@telegram.example>",
        enc_word("자동 회신: 휴가 중", "utf-8"),
        "휴가 중입니다. 3 삭제\r\n".encode(),
        extra="X-Autoreply: yes\r\nPrecedence: auto_reply\r\n",
        msgid="ooo-ko@telegram.example",
    )
    m["bounce.eml"] = _bounce()
    m["unknown-sender.eml"] = plain(
        "Someone <someone@elsewhere.example>",
        "URGENT remove",
        b"https://t.me/room/31 https://t.me/room/32\r\n",
        msgid="unknown@elsewhere.example",
    )
    m["registered-no-urls.eml"] = plain(
        kcsc, "Question", b"Hello, how do I file a request?\r\n", msgid="q@kcsc.example"
    )
    m.update(_replies())
    return m


def _rfc2231(sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: hotline@hotline.example\r\n"
        f"Subject: {enc_word('증거 자료 — 삭제 요청', 'utf-8')}\r\n"
        f"Message-ID: <req-2231@kcsc.example>\r\n{HEAD}"
        'Content-Type: multipart/mixed; boundary="BOUND"\r\n\r\n'
        "--BOUND\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Evidence attached. Item: https://t.me/room/18=\r\n"
        "\r\n--BOUND\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment;\r\n"
        " filename*=utf-8''%EC%A6%9D%EA%B1%B0%20%EC%9E%90%EB%A3%8C.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(b'%PDF-1.4 synthetic test document, not real evidence')}"
        "--BOUND--\r\n"
    ).encode()


def _html_only(sender: str) -> bytes:
    html = (
        "<html><body><p>Please remove "
        '<a href="https://t.me/room/15">this post</a>.</p></body></html>'
    )
    return (
        f"From: {sender}\r\nTo: hotline@hotline.example\r\nSubject: HTML request\r\n"
        f"Message-ID: <req-html@kcsc.example>\r\n{HEAD}"
        'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n'
        "--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Please remove this post (link in the HTML version).\r\n"
        "--ALT\r\nContent-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(html.encode())}"
        "--ALT--\r\n"
    ).encode()


def _forwarded_rfc822() -> bytes:
    inner = (
        "From: Victim <victim@mail.example>\r\nTo: centre@centre-a.example\r\n"
        "Subject: =?utf-8?b?64+E7JmA7KO87IS47JqU?=\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "제 사진이 여기 있어요: https://t.me/room/16\r\n"
    )
    return (
        "From: caseworker@centre-a.example\r\nTo: hotline@hotline.example\r\n"
        f"Subject: Fwd: victim report\r\nMessage-ID: <req-rfc822@centre-a.example>\r\n{HEAD}"
        'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n'
        "--MIX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attached message.\r\n"
        "--MIX\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        f"{inner}\r\n--MIX--\r\n"
    ).encode()


def _bounce() -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.telegram.example>\r\n"
        "To: hotline@hotline.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce-1@mx.telegram.example>\r\n{HEAD}"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        "--R\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "3 removed\r\nhttps://t.me/room/98\r\n"
        "--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.telegram.example\r\n\r\n"
        "Final-Recipient: rfc822; gone@telegram.example\r\nAction: failed\r\n"
        "Status: 5.1.1\r\n\r\n"
        "--R\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        "Message-ID: <notice-{NOTICE}@hotline.example>\r\nSubject: [hotline] notice\r\n\r\n"
        "--R--\r\n"
    ).encode()


def _replies() -> dict[str, bytes]:
    tag = "[hotline {CASE} N{NOTICE}]"
    quoted = (
        "On Mon, 16 Sep 2024 at 09:00, hotline <notices@hotline.example> wrote:\r\n"
        "> Takedown notice {NOTICE} for case {CASE}.\r\n> 4 removed\r\n"
        "> Reference: N{NOTICE}-{TOKEN}\r\n"
    )
    reply_head = (
        "From: Telegram Moderation <mod@telegram.example>\r\n"
        "To: hotline <reply+n{NOTICE}-{TOKEN}@hotline.example>\r\n"
        "In-Reply-To: <notice-{NOTICE}@hotline.example>\r\n"
        "References: <notice-{NOTICE}@hotline.example>\r\n"
    )
    return {
        "reply-grammar.eml": (
            f"{reply_head}Subject: Re: {tag} takedown notice\r\n"
            f"Message-ID: <reply-1@telegram.example>\r\n{HEAD}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Hello,\r\n\r\n1-2 removed\r\n3 rejected: not_illegal: it is satire\r\n"
            "4 needs info: which post exactly?\r\n9 removed\r\n7 frobnicated\r\n\r\n"
            "Thanks, T&S\r\n\r\n" + quoted
        ).encode(),
        "reply-grammar-ko.eml": (
            "From: Telegram Moderation <mod@telegram.example>\r\n"
            "To: hotline <notices@hotline.example>\r\n"
            f"Subject: {enc_word('회신', 'utf-8')} {tag}\r\n"
            "Message-ID: <reply-ko@telegram.example>\r\n"
            f"{HEAD}Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "1 삭제\r\n2 제한\r\n3 거부: 풍자입니다\r\n\r\n" + quoted
        ).encode(),
        "reply-spoofed.eml": (
            "From: Telegram Hotline <hotline@telegram.example>\r\nTo: notices@hotline.example\r\n"
            f"Subject: Re: {tag}\r\nMessage-ID: <spoof@attacker.example>\r\n"
            f"{HEAD}Content-Type: text/plain; charset=utf-8\r\n\r\n1-4 rejected: consent_shown\r\n"
        ).encode(),
        "reply-bad-token.eml": (
            "From: Telegram Moderation <mod@telegram.example>\r\n"
            "To: reply+n{NOTICE}-0000000000000000@hotline.example\r\n"
            f"Subject: Re: {tag}\r\nMessage-ID: <badtoken@telegram.example>\r\n"
            f"{HEAD}Content-Type: text/plain; charset=utf-8\r\n\r\n1 removed\r\n"
        ).encode(),
    }


if __name__ == "__main__":
    CORPUS.mkdir(exist_ok=True)
    for name, data in messages().items():
        (CORPUS / name).write_bytes(data)
        print(name, len(data))
