"""The Channel protocol and its implementations; the setting HOTLINE_CHANNEL_BACKEND picks one."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings


@dataclass(frozen=True)
class OutboundMessage:
    idempotency_key: str
    kind: str
    recipient: str
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    detail: str = ""
    # A permanent failure (bad address, 4xx) is not retried.
    permanent: bool = False


class Channel(Protocol):
    def send(self, message: OutboundMessage) -> SendResult: ...


class RecordingChannel:
    """Keeps every message in memory, deduplicated by idempotency key, as a receiver would."""

    sent: dict[str, OutboundMessage] = {}

    def send(self, message: OutboundMessage) -> SendResult:
        previous = self.sent.get(message.idempotency_key)
        if previous is not None and previous != message:
            return SendResult(ok=False, detail="same key, different content", permanent=True)
        self.sent[message.idempotency_key] = message
        return SendResult(ok=True, detail="recorded")

    @classmethod
    def reset(cls) -> None:
        cls.sent.clear()


class FailingChannel:
    """Always fails; for tests of retries and permanent failure."""

    def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(ok=False, detail="channel unavailable")


_CHANNELS: dict[str, type[Channel]] = {"recording": RecordingChannel, "failing": FailingChannel}


def channel_for(kind: str) -> Channel:
    """The channel for a platform's configured kind; real email and webhooks come later.

    Until they do, every kind goes through the configured development backend.
    """
    del kind  # one backend for all kinds until the email and webhook channels exist
    return _CHANNELS[settings.HOTLINE_CHANNEL_BACKEND]()
