"""Refuse to start without a real secret key, and say how to make one.

Settings leave SECRET_KEY empty when none is configured (Django then refuses any use of it);
the entry points call `require_secret_key` first, so that a server or worker never starts,
and a management command never runs, in a state where links and sessions cannot be signed.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hotline.core.encryption import encryption_key_problem

MINIMUM_KEY_LENGTH = 32

HOW_TO_SET_A_KEY = (
    "hotline has no secret key. It signs sessions and every notice's action link and reply "
    "address, so it must be secret and your own. Generate one and keep it in your secret store:\n"
    "    python3 -c 'import secrets; print(secrets.token_urlsafe(50))'\n"
    "then set HOTLINE_SECRET_KEY=<that value>, or HOTLINE_SECRET_KEY_FILE=<a file holding it>. "
    "See docs/deploy.md."
)


def secret_key_problem() -> str | None:
    """Why hotline cannot start with the configured keys, or None when it can."""
    return _signing_key_problem() or encryption_key_problem()


def _signing_key_problem() -> str | None:
    try:
        key = str(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django's own refusal of an empty key
        key = ""
    if not key:
        return HOW_TO_SET_A_KEY
    if len(key) < MINIMUM_KEY_LENGTH:
        return f"HOTLINE_SECRET_KEY is shorter than {MINIMUM_KEY_LENGTH} characters.\n" + (
            HOW_TO_SET_A_KEY
        )
    return None


def require_secret_key() -> None:
    problem = secret_key_problem()
    if problem:
        raise ImproperlyConfigured(problem)


def demo_secret_key(var_dir: Path) -> str:
    """The demo's own key: random, made once per data directory, never a published string."""
    path = var_dir / "demo-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def use_demo_keys(var_dir: Path) -> None:
    """`hotline demo` without keys configured: its own, made once per data directory, and
    passed on (as key files) to the servers and commands it starts."""
    if _signing_key_problem():
        settings.SECRET_KEY = demo_secret_key(var_dir)
        os.environ["HOTLINE_SECRET_KEY_FILE"] = str(var_dir / "demo-secret-key")
    if encryption_key_problem():
        settings.HOTLINE_ENCRYPTION_KEYS = [demo_encryption_key(var_dir)]
        os.environ["HOTLINE_ENCRYPTION_KEY_FILE"] = str(var_dir / "demo-encryption-key")
    if audit_key_problem():
        path = str(demo_audit_signing_key(var_dir))
        settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = path
        os.environ["HOTLINE_AUDIT_SIGNING_KEY_FILE"] = path


def demo_encryption_key(var_dir: Path) -> str:
    path = var_dir / "demo-encryption-key"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def audit_key_problem() -> str | None:
    """Why no audit event could be signed, or None when one can (docs/decisions/0007)."""
    from hotline.audit.keys import signing_key_problem  # needs the settings loaded

    return signing_key_problem()


def require_audit_signing_key() -> None:
    problem = audit_key_problem()
    if problem:
        raise ImproperlyConfigured(problem)


def demo_audit_signing_key(var_dir: Path) -> Path:
    """The demo's own audit signing key, made once per data directory like its secret key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from hotline.audit.signing import private_key_pem

    path = var_dir / "demo-audit-signing-key.pem"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(private_key_pem(Ed25519PrivateKey.generate()), encoding="utf-8")
    path.chmod(0o600)
    return path
