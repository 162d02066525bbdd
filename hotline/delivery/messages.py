"""What a channel is given to send, what it answers, and the Channel protocol."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

# A Message-ID as hotline writes it in In-Reply-To and References, its own or a sender's.
MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")


@dataclass(frozen=True)
class OutboundMessage:
    idempotency_key: str
    kind: str
    recipient: str
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)
    # What it is about ("notice:12"), the platform addressed and when it was written: a
    # retry renders the same bytes from these, so receivers can deduplicate.
    about: str = ""
    platform_id: int | None = None
    subscription_id: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class SendResult:
    ok: bool
    detail: str = ""
    # A permanent failure (bad address, 4xx) is not retried.
    permanent: bool = False
    # What the receiver answered, kept as evidence: the Message-ID and the SMTP server's reply
    # to DATA, or the webhook's HTTP status and the SHA-256 of its response body.
    proof: dict[str, Any] = field(default_factory=dict)
    # Seconds the receiver asked us to wait (HTTP Retry-After, an SMTP "try again in …").
    retry_after: float | None = None


class Channel(Protocol):
    def send(self, message: OutboundMessage) -> SendResult: ...
