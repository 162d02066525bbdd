"""DKIM signing of outbound mail (RFC 6376) with dkimpy, when HOTLINE_DKIM_* are all set.

The key is read from the file each time a message is signed, so a rotated key is used from
the next message on without a restart.
"""

from pathlib import Path

import dkim
from django.conf import settings

_SETTINGS = ("HOTLINE_DKIM_SELECTOR", "HOTLINE_DKIM_DOMAIN", "HOTLINE_DKIM_PRIVATE_KEY_FILE")
# The headers a receiver sees and threads by; each is signed where present (and an absent
# one is signed as absent, so it cannot be added on the way).
SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Date",
    b"Message-ID",
    b"In-Reply-To",
    b"References",
    b"Reply-To",
    b"MIME-Version",
    b"Content-Type",
    b"Auto-Submitted",
)


class DkimNotConfigured(Exception):
    """Some HOTLINE_DKIM_* settings are set and others not, or the key cannot be read."""


def dkim_enabled() -> bool:
    return any(getattr(settings, name) for name in _SETTINGS)


def dkim_problem() -> str | None:
    """Why outbound mail cannot be signed as configured, or None (also when signing is off)."""
    if not dkim_enabled():
        return None
    missing = [name for name in _SETTINGS if not getattr(settings, name)]
    if missing:
        return "DKIM signing needs all of HOTLINE_DKIM_* set; missing: " + ", ".join(missing)
    path = Path(settings.HOTLINE_DKIM_PRIVATE_KEY_FILE)
    try:
        key = path.read_bytes()
    except OSError as error:
        return f"HOTLINE_DKIM_PRIVATE_KEY_FILE {path}: {error.strerror}"
    if b"PRIVATE KEY-----" not in key:
        return f"HOTLINE_DKIM_PRIVATE_KEY_FILE {path} holds no PEM private key"
    return None


def dkim_sign(raw: bytes) -> bytes:
    """The message with a DKIM-Signature header in front, or as it is when signing is off."""
    if not dkim_enabled():
        return raw
    problem = dkim_problem()
    if problem:
        raise DkimNotConfigured(problem)
    key = Path(settings.HOTLINE_DKIM_PRIVATE_KEY_FILE).read_bytes()
    try:
        header = dkim.sign(
            raw,
            settings.HOTLINE_DKIM_SELECTOR.encode(),
            settings.HOTLINE_DKIM_DOMAIN.encode(),
            key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
        )
    except dkim.DKIMException as error:
        raise DkimNotConfigured(f"DKIM signing failed: {error}") from error
    return bytes(header) + raw
