"""Long lines over real SMTP: taken as real servers take them; over the limit, a 451 to retry."""

import smtplib
from typing import Any

from hotline.inbound import mime
from hotline.inbound.models import InboundMessage
from tests.inbound.conftest import Mailer, start_server

HTML_LINE = "<p>" + "긴 줄 long line <b>bold</b> " * 8000 + "</p>"  # about 230 KB


def html_mail(line: str, subject: str = "long lines") -> bytes:
    return (
        "From: Someone <someone@example.net>\r\n"
        "To: hotline@hotline.example\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{subject.replace(' ', '-')}@example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "\r\n"
        f"{line}\r\n"
    ).encode()


def test_lines_far_over_1000_bytes_are_accepted_and_stored_whole(smtp: Mailer) -> None:
    for line in ("x" * 5000, HTML_LINE):
        row = smtp.send(html_mail(line, subject=f"long {len(line)}"))
        (part,) = mime.text_parts(mime.parse(bytes(row.redacted)))
        assert part.text.strip() == line  # not cut, not folded, not lost


def test_a_line_over_the_limit_gets_a_temporary_451_and_the_session_goes_on(
    transactional_db: None, settings: Any
) -> None:
    settings.HOTLINE_INBOUND_MAX_LINE_BYTES = 4000
    server, stop = start_server()
    try:
        with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
            client.ehlo()
            client.mail("someone@example.net")
            client.rcpt("hotline@hotline.example")
            code, reply = client.data(html_mail("y" * 5000, subject="too long"))
            # 4xx: the sender's server keeps the mail and retries; a 5xx would lose it.
            assert code == 451, reply
            assert b"longer than 4000 bytes" in reply
            client.mail("someone@example.net")
            client.rcpt("hotline@hotline.example")
            code, reply = client.data(html_mail("z" * 3000, subject="fits"))
            assert code == 250, reply
        server.wait_idle()
    finally:
        stop()
    assert list(InboundMessage.objects.values_list("subject", flat=True)) == ["fits"]
