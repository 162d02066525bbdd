"""Polling an IMAP mailbox: store each unseen message, mark it seen, then process every
message still pending — this round's and any a crash left behind."""

import imaplib
import logging
from collections import Counter
from dataclasses import dataclass, field

from hotline.inbound.services.process import inbound_pending_ids, inbound_process
from hotline.inbound.services.store import Envelope, inbound_store_once

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = False
    timeout: float = 60


def _connect(config: ImapConfig) -> imaplib.IMAP4:
    if config.ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, timeout=config.timeout)
    return imaplib.IMAP4(config.host, config.port, timeout=config.timeout)


@dataclass
class PollResult:
    """What one round really did, for the command's report."""

    stored: list[int] = field(default_factory=list)  # new rows
    already_stored: list[int] = field(default_factory=list)  # fetched again (not marked seen)
    not_marked_seen: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # status -> messages processed
    failed: list[int] = field(default_factory=list)  # left pending for the next round

    def summary(self) -> str:
        fetched = len(self.stored) + len(self.already_stored)
        parts = [f"fetched {fetched} unseen message(s): {len(self.stored)} stored"]
        if self.already_stored:
            parts[0] += f", {len(self.already_stored)} stored before (now marked seen)"
        if self.not_marked_seen:
            parts.append(f"{len(self.not_marked_seen)} could not be marked seen")
        processed = sum(self.outcomes.values())
        if processed or self.failed:
            done = ", ".join(f"{n} {status}" for status, n in sorted(self.outcomes.items()))
            parts.append(f"processed {processed + len(self.failed)} pending: {done or 'none'}")
        else:
            parts.append("nothing pending")
        if self.failed:
            ids = ", ".join(str(i) for i in self.failed)
            parts.append(f"{len(self.failed)} failed and stay pending ({ids})")
        return "; ".join(parts)


def imap_poll_once(config: ImapConfig) -> PollResult:
    """Store every unseen message, then process everything pending, oldest first."""
    result = PollResult()
    connection = _connect(config)
    try:
        connection.login(config.user, config.password)
        _fetch_unseen(connection, config, result)
        connection.close()
    finally:
        connection.logout()
    for row_id in inbound_pending_ids():
        _process(row_id, result)
    return result


def _fetch_unseen(connection: imaplib.IMAP4, config: ImapConfig, result: PollResult) -> None:
    status, _ = connection.select(_quoted(config.folder))
    if status != "OK":
        raise imaplib.IMAP4.error(f"cannot open folder {config.folder!r}")
    validity = (connection.response("UIDVALIDITY")[1] or [b"0"])[0]
    uidvalidity = validity.decode() if isinstance(validity, bytes) else str(validity)
    _, found = connection.uid("SEARCH", "UNSEEN")
    uids = found[0].split() if found and found[0] else []
    for uid in uids:
        raw = _fetch(connection, uid)
        if raw is None:
            continue
        mailbox = f"{config.user}@{config.host}:{config.port}/{config.folder}"
        key = f"imap:{mailbox};{uidvalidity};{uid.decode()}"
        row, new = inbound_store_once(raw=raw, envelope=Envelope(source="imap", source_key=key))
        (result.stored if new else result.already_stored).append(row.pk)
        # Only now, with the row committed, is the message marked seen: a crash before this
        # line fetches it again next round, and the source key keeps it from being stored twice.
        status, _ = connection.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
        if status != "OK":
            logger.warning("IMAP UID %s stored as %s but not marked seen", uid, row.pk)
            result.not_marked_seen.append(row.pk)


def _fetch(connection: imaplib.IMAP4, uid: bytes) -> bytes | None:
    _, data = connection.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    for part in data or []:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    logger.warning("IMAP UID %s returned no message body", uid)
    return None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _process(row_id: int, result: PollResult) -> None:
    try:
        row = inbound_process(message_id=row_id)
    except Exception:
        logger.warning("inbound message %s left for reprocessing", row_id)
        result.failed.append(row_id)
        return
    result.outcomes[row.status] += 1
