"""Webhook signatures: HMAC-SHA256 over `{timestamp}.{body}`, sent as `t=…,v1=…[,v1=…]`."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Hotline-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(body: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(body: bytes, secrets: list[str], timestamp: int) -> str:
    """One v1= per secret: during a rotation receivers holding either secret can verify."""
    return ",".join([f"t={timestamp}", *(f"v1={signature(body, s, timestamp)}" for s in secrets)])


def verify_signature(
    body: bytes,
    header: str,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when one v1= of `header` signs `body` with `secret` and t= is within tolerance.

    The tolerance bounds replays of a captured request; receivers should also drop a repeated
    Hotline-Idempotency-Key.
    """
    fields = [part.split("=", 1) for part in header.split(",") if "=" in part]
    stamps = [value.strip() for key, value in fields if key.strip() == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(body, secret, timestamp)
    candidates = [value.strip() for key, value in fields if key.strip() == "v1"]
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
