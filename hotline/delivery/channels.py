"""Channel implementations and the choice between them (the setting HOTLINE_CHANNEL_BACKEND)."""

from django.conf import settings

from hotline.delivery.email import EmailChannel
from hotline.delivery.messages import Channel, OutboundMessage, SendResult
from hotline.delivery.webhook import WebhookChannel

__all__ = ["Channel", "OutboundMessage", "SendResult", "channel_for"]


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


class PullChannel:
    """A platform that polls (GET /api/feed, /api/notices) is sent nothing: the notice waits."""

    def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(ok=True, detail="available by pull")


_DEVELOPMENT: dict[str, type[Channel]] = {"recording": RecordingChannel, "failing": FailingChannel}
_REAL: dict[str, type[Channel]] = {
    "email": EmailChannel,
    "webhook": WebhookChannel,
    "pull": PullChannel,
    # A platform set up with the recording channel keeps it in production too: nothing leaves.
    "recording": RecordingChannel,
}


def channel_for(kind: str) -> Channel:
    """The channel for a platform's channel kind, or the development backend for every kind."""
    backend = settings.HOTLINE_CHANNEL_BACKEND
    if backend in _DEVELOPMENT:
        return _DEVELOPMENT[backend]()
    if backend != "real":
        raise ValueError(f"HOTLINE_CHANNEL_BACKEND={backend!r}: use real, recording or failing")
    if kind not in _REAL:
        raise ValueError(f"unknown channel kind {kind!r}")
    return _REAL[kind]()
