"""Secrets that hotline must be able to read back (webhook signing keys, TOTP seeds) are kept
encrypted in the database, under a key that lives outside it (HOTLINE_ENCRYPTION_KEY).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`): authenticated, with a random IV per
value. New values use the first key; every key in HOTLINE_ENCRYPTION_KEY_FALLBACKS still
decrypts, so a key is rotated by making it a fallback and running `hotline encryption reencrypt`.
A stored value is `fernet:<token>`; anything else in an encrypted column is refused.
"""

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"

HOW_TO_SET_AN_ENCRYPTION_KEY = (
    "hotline has no encryption key. It encrypts webhook secrets and authenticator seeds in the "
    "database, so it must be kept outside the database and backed up apart from it. Make one:\n"
    "    python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
    "\nthen set HOTLINE_ENCRYPTION_KEY=<that value>, or HOTLINE_ENCRYPTION_KEY_FILE=<a file "
    "holding it>. Retired keys go in HOTLINE_ENCRYPTION_KEY_FALLBACKS (comma-separated)."
)


class UndecryptableSecret(Exception):
    """A stored secret that none of the configured keys opens (wrong key, or tampered)."""


def encryption_key_problem() -> str | None:
    keys = list(getattr(settings, "HOTLINE_ENCRYPTION_KEYS", []))
    if not keys:
        return HOW_TO_SET_AN_ENCRYPTION_KEY
    for key in keys:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            return (
                "an encryption key is not a Fernet key (32 url-safe base64-encoded bytes).\n"
                + HOW_TO_SET_AN_ENCRYPTION_KEY
            )
    return None


def _fernet() -> MultiFernet:
    problem = encryption_key_problem()
    if problem:
        raise ImproperlyConfigured(problem)
    return MultiFernet([Fernet(key) for key in settings.HOTLINE_ENCRYPTION_KEYS])


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def decrypt(stored: str) -> str:
    if not is_encrypted(stored):
        raise UndecryptableSecret("an encrypted column holds a value that is not encrypted")
    try:
        return _fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as error:
        raise UndecryptableSecret(
            "no configured encryption key opens a stored secret: is HOTLINE_ENCRYPTION_KEY the "
            "one it was written with (or listed in HOTLINE_ENCRYPTION_KEY_FALLBACKS)?"
        ) from error


def reencrypt(stored: str) -> str:
    """The same secret under the current key (for rotation)."""
    return encrypt(decrypt(stored))


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Plaintext in Python, `fernet:…` in the database. Only `isnull` lookups make sense."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None else decrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        # Each encryption of a value differs, so `secret=x` could never match: refuse it.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or (isinstance(value, str) and is_encrypted(value)):
            return value
        return encrypt(str(value))


def encrypt_column(connection: Any, table: str, column: str, *, decrypting: bool = False) -> int:
    """Encrypt (or, going back, decrypt) a column's existing values in place; for migrations.

    Raw SQL, because the field's own conversion would refuse the plaintext it is replacing.
    Returns how many rows changed.
    """
    quote = connection.ops.quote_name
    changed = 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)}")  # noqa: S608 - names
        for row_id, value in cursor.fetchall():
            if value is None or is_encrypted(value) != decrypting:
                continue
            new = decrypt(value) if decrypting else encrypt(value)
            cursor.execute(
                f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s",  # noqa: S608
                [new, row_id],
            )
            changed += 1
    return changed
