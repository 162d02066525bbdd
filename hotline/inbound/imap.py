"""Polling an IMAP mailbox: store each unseen message, then mark it seen, then process it."""

import imaplib
import logging
from dataclasses import dataclass

from hotline.inbound.services.process import inbound_process
from hotline.inbound.services.store import Envelope, inbound_store

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


def imap_poll_once(config: ImapConfig) -> list[int]:
    """Fetch every unseen message; returns the inbound ids stored this round."""
    connection = _connect(config)
    try:
        connection.login(config.user, config.password)
        stored = _fetch_unseen(connection, config)
        connection.close()
    finally:
        connection.logout()
    for row_id in stored:
        _process(row_id)
    return stored


def _fetch_unseen(connection: imaplib.IMAP4, config: ImapConfig) -> list[int]:
    status, _ = connection.select(_quoted(config.folder))
    if status != "OK":
        raise imaplib.IMAP4.error(f"cannot open folder {config.folder!r}")
    validity = (connection.response("UIDVALIDITY")[1] or [b"0"])[0]
    uidvalidity = validity.decode() if isinstance(validity, bytes) else str(validity)
    _, found = connection.uid("SEARCH", "UNSEEN")
    uids = found[0].split() if found and found[0] else []
    stored = []
    for uid in uids:
        raw = _fetch(connection, uid)
        if raw is None:
            continue
        mailbox = f"{config.user}@{config.host}:{config.port}/{config.folder}"
        key = f"imap:{mailbox};{uidvalidity};{uid.decode()}"
        row = inbound_store(raw=raw, envelope=Envelope(source="imap", source_key=key))
        # Only now, with the row committed, is the message marked seen: a crash before this
        # line fetches it again next round, and the source key keeps it from being stored twice.
        status, _ = connection.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
        if status != "OK":
            logger.warning("IMAP UID %s stored as %s but not marked seen", uid, row.pk)
        stored.append(row.pk)
    return stored


def _fetch(connection: imaplib.IMAP4, uid: bytes) -> bytes | None:
    _, data = connection.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
    for part in data or []:
        if isinstance(part, tuple) and len(part) == 2 and isinstance(part[1], bytes):
            return part[1]
    logger.warning("IMAP UID %s returned no message body", uid)
    return None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _process(row_id: int) -> None:
    try:
        inbound_process(message_id=row_id)
    except Exception:
        logger.warning("inbound message %s left for reprocessing", row_id)
