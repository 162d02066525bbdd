"""hotline's own SMTP server: a message is committed to the database before the 250 reply."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import connections

from hotline.inbound.services.process import inbound_pending_ids, inbound_process
from hotline.inbound.services.store import Envelope as StoredEnvelope
from hotline.inbound.services.store import inbound_store

logger = logging.getLogger(__name__)


class InboundHandler:
    """aiosmtpd handler: store (in the database thread), answer, then process."""

    def __init__(self, executor: ThreadPoolExecutor) -> None:
        self.executor = executor

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):
            raw = str(raw).encode("utf-8", errors="surrogateescape")
        stored = StoredEnvelope(
            source="smtp",
            envelope_from=envelope.mail_from or "",
            envelope_to=tuple(str(r).lower() for r in envelope.rcpt_tos),
            peer=str(session.peer[0]) if session.peer else "",
        )
        loop = asyncio.get_running_loop()
        try:
            row_id = await loop.run_in_executor(self.executor, _store, raw, stored)
        except Exception:
            logger.exception("could not store an inbound message")
            # The sender keeps the message and retries: nothing is lost.
            return "451 4.3.0 Could not store the message; try again later"
        self.executor.submit(_process_quietly, row_id)
        return f"250 2.0.0 Stored as inbound message {row_id}"


def _store(raw: bytes, envelope: StoredEnvelope) -> int:
    try:
        return inbound_store(raw=raw, envelope=envelope).pk
    finally:
        connections.close_all()


def _process_quietly(row_id: int) -> None:
    try:
        inbound_process(message_id=row_id)
    except Exception:
        # Logged and marked failed by the service; `hotline inbound reprocess` runs it again.
        logger.warning("inbound message %s left for reprocessing", row_id)
    finally:
        connections.close_all()


class _LongLineSMTP(SMTP):
    """aiosmtpd's SMTP with a line limit of HOTLINE_INBOUND_MAX_LINE_BYTES instead of RFC 5321's
    1000 bytes: HTML mailers write far longer lines, and Postfix and Exim take them. A line
    over the limit gets a temporary 451 (the sender keeps the mail and its sender hears why),
    never aiosmtpd's permanent 500, which would lose it (docs/decisions/0015)."""

    def __init__(self, handler: Any, *, line_limit: int, **kwargs: Any) -> None:
        # aiosmtpd sizes its stream reader from this attribute inside __init__.
        self.line_length_limit = line_limit
        super().__init__(handler, **kwargs)

    async def push(self, status: AnyStr) -> None:
        text = status.decode() if isinstance(status, bytes) else str(status)
        if text.startswith("500 Line too long"):
            text = (
                f"451 4.5.0 A line is longer than {self.line_length_limit} bytes; "
                "not stored, try again later"
            )
            await super().push(text)
            return
        await super().push(status)


class _Controller(Controller):
    """A Controller that can listen on port 0 and reports the port it got."""

    def factory(self) -> SMTP:
        limit = settings.HOTLINE_INBOUND_MAX_LINE_BYTES
        return _LongLineSMTP(self.handler, line_limit=limit, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        sockets = getattr(self.server, "sockets", None)
        if self.port == 0 and sockets:
            self.port = sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class InboundSmtpServer:
    """Runs the SMTP server in a thread; all database work happens in one worker thread."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        thread_initializer: Callable[[], None] | None = None,
    ) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, initializer=thread_initializer)
        self.controller = _Controller(
            InboundHandler(self.executor),
            hostname=host,
            port=port,
            data_size_limit=settings.HOTLINE_INBOUND_MAX_BYTES,
            server_hostname=settings.HOTLINE_MAIL_DOMAIN,
            ident="hotline",
            enable_SMTPUTF8=True,
        )

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def start(self) -> None:
        self.controller.start()
        # Messages stored but not processed before a crash are processed now.
        for row_id in self.run(inbound_pending_ids):
            self.executor.submit(_process_quietly, row_id)

    def run(self, function: Callable[[], Any]) -> Any:
        """Run a function in the database thread and wait for it (also waits for earlier work)."""
        return self.executor.submit(function).result()

    def wait_idle(self) -> None:
        self.run(lambda: None)

    def stop(self) -> None:
        self.controller.stop()
        self.executor.submit(connections.close_all).result()
        self.executor.shutdown(wait=True)
