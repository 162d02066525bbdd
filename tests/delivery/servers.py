"""Real loopback receivers for the delivery tests: an SMTP server (aiosmtpd) and a webhook
endpoint (http.server), plus a self-signed certificate made on the spot."""

import asyncio
import datetime
import ipaddress
import logging
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOCS = Path(__file__).resolve().parents[2] / "docs" / "delivery.md"


def documented_verifier() -> Any:
    """The verification snippet of docs/delivery.md, run as a platform would paste it."""
    text = DOCS.read_text()
    marker = text.index("<!-- verify-snippet")
    code = re.search(r"```python\n(.*?)```", text[marker:], re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOCS), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace["verify_hotline_signature"]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost; the client trusts it as its CA file."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hotline test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes
    tls: bool
    authenticated: bool


@dataclass
class Inbox:
    """An aiosmtpd handler: keeps what arrives; `refuse` maps a recipient to an SMTP answer."""

    delay: float = 0.0
    refuse: dict[str, str] = field(default_factory=dict)
    messages: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.messages.append(
                ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    content=bytes(envelope.original_content or envelope.content),
                    tls=session.ssl is not None,
                    authenticated=bool(session.authenticated),
                )
            )
        if self.delay:
            # Slow on purpose: a worker killed now has handed the message over but not heard
            # the 250, so it will send it again after a restart.
            await asyncio.sleep(self.delay)
        return "250 Message accepted"


class PasswordCheck:
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            self.user,
            self.password,
        )
        return AuthResult(success=ok, handled=False)


def start_smtp(
    inbox: Inbox, *, tls_files: tuple[Path, Path] | None = None, user: str = "", password: str = ""
) -> Controller:
    """An SMTP server on 127.0.0.1: with STARTTLS required and AUTH when given them."""
    kwargs: dict[str, Any] = {}
    if tls_files is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls_files)
        kwargs.update(tls_context=context, require_starttls=True)
    if user:
        kwargs.update(authenticator=PasswordCheck(user, password), auth_required=True)
        # aiosmtpd logs a deprecation of its own on every AUTH; it is not ours to fix.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@dataclass
class WebhookReceiver:
    """What a platform runs: verifies each POST with the documented snippet, then answers."""

    secrets: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then 200
    # Headers to send with those answers, in the same order (e.g. {"Retry-After": "120"}).
    answer_headers: list[dict[str, str]] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        verify = documented_verifier()
        signature = headers.get("hotline-signature", "")
        verified = any(verify(body, signature, secret) for secret in self.secrets)
        with self.lock:
            self.requests.append({"headers": headers, "body": body, "verified": verified})
            status = self.statuses.pop(0) if self.statuses else 200
            extra = self.answer_headers.pop(0) if self.answer_headers else {}
        if self.delay:
            threading.Event().wait(self.delay)
        return (status, extra) if verified else (401, {})


def start_webhook_receiver(receiver: WebhookReceiver) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            declared = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(declared)
            if len(body) < declared:
                # The sender went away mid-body (a worker killed by kill -9): like any HTTP
                # server, a platform's never hands a cut-off request to its application.
                self.close_connection = True
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra = receiver.handle(headers, body)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hotline-hook"
