"""The audit signing key and the trusted public keys, from settings (never the database).

HOTLINE_AUDIT_SIGNING_KEY_FILE names a PEM file (`hotline audit keygen` writes one), or
HOTLINE_AUDIT_SIGNING_KEY holds the key itself. HOTLINE_AUDIT_PUBLIC_KEYS_FILE lists the
public keys of retired keys, so events they signed still verify after a rotation. Verifying
needs only public keys: the current key's public half counts as trusted when it is configured.
"""

import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hotline.audit.signing import (
    KeyTextError,
    key_id,
    private_key_from_text,
    public_keys_from_text,
)

HOW_TO_MAKE_A_KEY = (
    "hotline has no audit signing key. Every audit event is signed with it, so the record "
    "holds even against someone with access to the database. Make one outside the database:\n"
    "    hotline audit keygen -o /etc/hotline/audit-signing-key.pem\n"
    "then set HOTLINE_AUDIT_SIGNING_KEY_FILE=/etc/hotline/audit-signing-key.pem "
    "(or HOTLINE_AUDIT_SIGNING_KEY=<the PEM text>). See docs/decisions/0007."
)


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    key_id: str

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ImproperlyConfigured(f"cannot read {path}: {error.strerror}") from error


def _key_text() -> tuple[str, str]:
    """The configured key text and where it came from ("" when none is configured)."""
    text = str(getattr(settings, "HOTLINE_AUDIT_SIGNING_KEY", "") or "").strip()
    if text:
        return text, "HOTLINE_AUDIT_SIGNING_KEY"
    path = str(getattr(settings, "HOTLINE_AUDIT_SIGNING_KEY_FILE", "") or "").strip()
    if path:
        return _read(path), path
    return "", ""


@functools.lru_cache(maxsize=8)
def _parse_private(text: str, origin: str) -> SigningKey:
    try:
        private_key = private_key_from_text(text)
    except KeyTextError as error:
        raise ImproperlyConfigured(f"audit signing key in {origin}: {error}") from error
    return SigningKey(private_key=private_key, key_id=key_id(private_key.public_key()))


def signing_key_configured() -> bool:
    return bool(_key_text()[0])


def signing_key() -> SigningKey:
    """The key new events, heads and checkpoints are signed with; refuses when there is none."""
    text, origin = _key_text()
    if not text:
        raise ImproperlyConfigured(HOW_TO_MAKE_A_KEY)
    return _parse_private(text, origin)


def signing_key_problem() -> str | None:
    """Why no event could be signed now, or None when one can."""
    try:
        signing_key()
    except ImproperlyConfigured as error:
        return str(error)
    return None


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """Key id → public key: the retired keys listed in the public-keys file, and the current."""
    keys: dict[str, Ed25519PublicKey] = {}
    path = str(getattr(settings, "HOTLINE_AUDIT_PUBLIC_KEYS_FILE", "") or "").strip()
    if path:
        try:
            listed = public_keys_from_text(_read(path))
        except KeyTextError as error:
            raise ImproperlyConfigured(f"audit public keys in {path}: {error}") from error
        keys.update({key_id(k): k for k in listed})
    if signing_key_configured():
        current = signing_key()
        keys[current.key_id] = current.public_key
    return keys
