"""The webhook channel: a signed JSON POST to the platform's URL, set by an administrator.

SSRF stance: webhook URLs come only from administrators (`hotline platform create`), never
from reporters. Even so, plain http is only allowed to loopback (tests, a local receiver), and
redirects are never followed, so a receiver cannot bounce the request to another address.
"""

import hashlib
import json
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from hotline.core import clock
from hotline.delivery.backoff import retry_after_seconds
from hotline.delivery.hosts import is_loopback_host
from hotline.delivery.messages import OutboundMessage, SendResult
from hotline.delivery.selectors import webhook_signing_secrets
from hotline.delivery.signing import SIGNATURE_HEADER, signature_header

# Timeouts from a receiver that is busy or rate-limiting are worth retrying.
RETRIED_4XX = {408, 429}


def webhook_body(message: OutboundMessage) -> bytes:
    """Canonical JSON: a retry sends exactly these bytes again."""
    document = {
        "id": message.idempotency_key,
        "event": message.kind,
        "about": message.about,
        "created_at": message.created_at.isoformat() if message.created_at else None,
        "subject": message.subject,
        "body": message.body,
        "data": message.payload,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def url_refusal(url: str) -> str:
    """Why hotline will not post to this URL, or "" when it will."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return ""
    if parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname):
        return ""
    return f"webhook URL {url!r} must be https (plain http only to loopback)"


class WebhookChannel:
    """2xx is delivered; 408, 429, 5xx and network errors are retried; other answers are final."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.transport = transport

    def send(self, message: OutboundMessage) -> SendResult:
        refusal = url_refusal(message.recipient)
        if refusal:
            return SendResult(False, refusal, permanent=True)
        secrets = webhook_signing_secrets(
            platform_id=message.platform_id,
            subscription_id=message.subscription_id,
            now=clock.now(),
        )
        if not secrets:
            # Retried, not dropped: the notice goes out once an administrator sets a secret.
            return SendResult(False, "no webhook secret: run `hotline webhook rotate`")
        body = webhook_body(message)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hotline-webhook/1",
            SIGNATURE_HEADER: signature_header(body, secrets, int(clock.now().timestamp())),
            "Hotline-Idempotency-Key": message.idempotency_key,
            "Hotline-Event": message.kind,
        }
        timeout = settings.HOTLINE_WEBHOOK_TIMEOUT
        try:
            with httpx.Client(
                timeout=timeout, follow_redirects=False, transport=self.transport
            ) as client:
                response = client.post(message.recipient, content=body, headers=headers)
        except httpx.HTTPError as error:
            return SendResult(False, f"webhook {type(error).__name__}: {error}")
        proof = {
            "http_status": response.status_code,
            "response_sha256": hashlib.sha256(response.content).hexdigest(),
            "response_bytes": len(response.content),
            "request_sha256": hashlib.sha256(body).hexdigest(),
        }
        return _answer(response.status_code, proof, response.headers.get("retry-after"))


def _answer(status: int, proof: dict[str, object], retry_after: str | None = None) -> SendResult:
    if 200 <= status < 300:
        return SendResult(True, f"HTTP {status}", proof=proof)
    permanent = 300 <= status < 500 and status not in RETRIED_4XX
    if permanent:
        return SendResult(False, f"HTTP {status}", permanent=True, proof=proof)
    # 429 and 503 may say when to come back, in seconds or as an HTTP-date.
    wait = retry_after_seconds(retry_after, clock.now())
    detail = f"HTTP {status}" if wait is None else f"HTTP {status}, Retry-After {retry_after}"
    return SendResult(False, detail, retry_after=wait, proof=proof)
