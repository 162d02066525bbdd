"""Pure Ed25519 arithmetic for the audit record: key ids, key text, and what exactly is signed.

Nothing here reads settings or the database. Every signed message starts with its own domain
string, so a signature made for one purpose (an event) can never pass for another (a head, a
checkpoint, an evidence manifest).
"""

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

EVENT_DOMAIN = b"hotline-audit-event/1\n"
HEAD_DOMAIN = b"hotline-audit-head/1\n"
CHECKPOINT_DOMAIN = b"hotline-audit-checkpoint/1\n"
MANIFEST_DOMAIN = b"hotline-evidence-manifest/1\n"


class KeyTextError(ValueError):
    """A key file or setting that does not hold an Ed25519 key."""


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """Derived from the public key itself, so a key id can name only one key."""
    return hashlib.sha256(raw_public_bytes(public_key)).hexdigest()[:16]


def public_key_text(public_key: Ed25519PublicKey) -> str:
    """One line: the 32 raw bytes in base64, as `audit keygen` prints and key files list."""
    return base64.b64encode(raw_public_bytes(public_key)).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from a base64 line or a PEM block."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as error:
            raise KeyTextError(f"not a PEM public key: {error}") from error
        if not isinstance(key, Ed25519PublicKey):
            raise KeyTextError("the PEM public key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise KeyTextError(f"not base64: {text[:20]!r}") from error
    if len(raw) != 32:
        raise KeyTextError(f"an Ed25519 public key is 32 bytes, this one is {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def public_keys_from_text(text: str) -> list[Ed25519PublicKey]:
    """Every key of a key list: one base64 key per line or PEM blocks; `#` starts a comment."""
    if "-----BEGIN" in text:
        blocks = text.split("-----END PUBLIC KEY-----")
        return [public_key_from_text(b + "-----END PUBLIC KEY-----") for b in blocks if b.strip()]
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [public_key_from_text(line) for line in lines if line]


def private_key_from_text(text: str) -> Ed25519PrivateKey:
    """A private key from a PKCS#8 PEM block (what `audit keygen` writes) or a base64 seed."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError) as error:
            raise KeyTextError(f"not an unencrypted PEM private key: {error}") from error
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyTextError("the PEM private key is not an Ed25519 key")
        return key
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as error:
        raise KeyTextError("neither a PEM block nor a base64 seed") from error
    if len(raw) != 32:
        raise KeyTextError(f"an Ed25519 seed is 32 bytes, this one is {len(raw)}")
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key_pem(private_key: Ed25519PrivateKey) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def sign(private_key: Ed25519PrivateKey, domain: bytes, message: bytes) -> str:
    return base64.b64encode(private_key.sign(domain + message)).decode()


def signature_valid(
    public_key: Ed25519PublicKey, domain: bytes, message: bytes, signature: str
) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        public_key.verify(raw, domain + message)
    except (binascii.Error, InvalidSignature, ValueError):
        return False
    return True


def head_message(seq: int, head_hash: str) -> bytes:
    return f"{seq}:{head_hash}".encode()
