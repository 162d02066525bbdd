"""Webhook secrets and authenticator seeds are encrypted at rest, under a key outside the
database that can be rotated; existing plaintext rows are encrypted by the migration."""

import base64
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_otp.oath import totp

from hotline.accounts.models import Authenticator
from hotline.accounts.two_factor import totp_check, totp_code_now, totp_enrol_directly
from hotline.audit.models import Event
from hotline.core.encryption import UndecryptableSecret, decrypt, encrypt
from hotline.delivery.models import WebhookSecret
from hotline.delivery.webhook_secrets import webhook_secret_rotate
from hotline.platforms.models import Platform
from tests.conftest import Directory


def _stored(table: str, column: str, row_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [row_id])  # noqa: S608
        return str(cursor.fetchone()[0])


def test_a_value_round_trips_and_each_encryption_differs() -> None:
    first, second = encrypt("whsec_abc"), encrypt("whsec_abc")
    assert first != second and "whsec_abc" not in first
    assert decrypt(first) == decrypt(second) == "whsec_abc"


def test_a_retired_key_still_decrypts_and_a_foreign_key_does_not(settings: Any) -> None:
    old = encrypt("seed")
    settings.HOTLINE_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.HOTLINE_ENCRYPTION_KEYS,
    ]
    assert decrypt(old) == "seed"  # the old key is now a fallback
    settings.HOTLINE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(UndecryptableSecret, match="no configured encryption key opens"):
        decrypt(old)
    with pytest.raises(UndecryptableSecret, match="not encrypted"):
        decrypt("whsec_plaintext")


def test_no_key_refuses_with_instructions(settings: Any) -> None:
    settings.HOTLINE_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="HOTLINE_ENCRYPTION_KEY"):
        encrypt("x")
    settings.HOTLINE_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        encrypt("x")


def test_webhook_secrets_are_stored_encrypted(directory: Directory) -> None:
    secret = webhook_secret_rotate(platform=Platform.objects.get(name="X"), actor="test")
    stored = _stored("delivery_webhooksecret", "secret", secret.pk)
    assert stored.startswith("fernet:") and secret.secret not in stored
    assert WebhookSecret.objects.get(pk=secret.pk).secret == secret.secret
    with pytest.raises(FieldError):  # an equality lookup could never match: refused
        WebhookSecret.objects.filter(secret=secret.secret).exists()


def test_authenticator_seeds_are_stored_encrypted_and_still_verify(
    directory: Directory, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = get_user_model().objects.get(username="analyst")
    device = totp_enrol_directly(user=user, actor="test")
    stored = _stored("accounts_authenticator", "key", device.pk)
    assert stored.startswith("fernet:") and device.key not in stored
    assert totp_check(user_id=user.pk, code=totp_code_now(device=device)) is not None
    # The otpauth URI (what the demo prints and the QR code holds) carries the real seed.
    secret = parse_qs(urlparse(device.config_url).query)["secret"][0]
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == bytes.fromhex(device.key)


def test_reencrypt_moves_every_secret_to_the_new_key(directory: Directory, settings: Any) -> None:
    secret = webhook_secret_rotate(platform=Platform.objects.get(name="X"), actor="test").secret
    device = totp_enrol_directly(user=get_user_model().objects.get(username="x_mod"), actor="x")
    old_key = settings.HOTLINE_ENCRYPTION_KEYS[0]
    settings.HOTLINE_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    out = StringIO()
    call_command("encryption", "reencrypt", stdout=out)
    assert "delivery.WebhookSecret: 1 re-encrypted" in out.getvalue()
    assert "accounts.Authenticator: 1 re-encrypted" in out.getvalue()
    settings.HOTLINE_ENCRYPTION_KEYS = settings.HOTLINE_ENCRYPTION_KEYS[:1]  # old key gone
    assert WebhookSecret.objects.get().secret == secret
    assert Authenticator.objects.get(pk=device.pk).key == device.key
    assert Event.objects.filter(tag="secrets:reencrypt").count() == 1


BEFORE = [
    ("delivery", "0002_webhooksecret_delivery_claimed_by_and_more"),
    ("accounts", "0003_login_attempt_lockout_indexes"),
    ("platforms", "0002_platform_link_validity_days"),
    ("otp_totp", "0003_add_timestamps"),
]
SEED = "3132333435363738393031323334353637383930"


@pytest.fixture
def migrated_back() -> Iterator[Any]:
    """The schema before encryption, as historical models; fully migrated again afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_plaintext_rows_already_there(migrated_back: Any) -> None:
    old = migrated_back
    org = old.get_model("accounts", "Organisation").objects.create(
        name="P", slug="p", kind="platform"
    )
    platform = old.get_model("platforms", "Platform").objects.create(organisation=org, name="P")
    user = old.get_model("auth", "User").objects.create(username="mod")
    webhook = old.get_model("delivery", "WebhookSecret").objects.create(
        platform=platform, secret="whsec_" + "a" * 64, created_at="2026-01-01T00:00:00Z"
    )
    old.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user, name="phone", key=SEED, confirmed=True
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    stored = _stored("delivery_webhooksecret", "secret", webhook.pk)
    assert stored.startswith("fernet:") and decrypt(stored) == "whsec_" + "a" * 64
    device = Authenticator.objects.get(user_id=user.pk)
    assert (device.key, device.name, device.confirmed) == (SEED, "phone", True)
    assert _stored("accounts_authenticator", "key", device.pk).startswith("fernet:")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM otp_totp_totpdevice")
        assert cursor.fetchone()[0] == 0  # no plaintext seed left behind


HOTLINE = str(Path(sys.executable).with_name("hotline"))


def _run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`hotline` with no encryption key configured, on its own SQLite in tmp_path."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("HOTLINE_ENCRYPTION_KEY") and k != "DATABASE_URL"
    }
    clean.update(HOTLINE_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [HOTLINE, *args], env=clean, capture_output=True, text=True, timeout=300, check=False
    )


def test_hotline_refuses_to_start_without_an_encryption_key(tmp_path: Path) -> None:
    done = _run(tmp_path, "migrate")
    assert done.returncode == 2
    assert "HOTLINE_ENCRYPTION_KEY" in done.stderr and "Fernet.generate_key" in done.stderr
    assert not (tmp_path / "hotline.sqlite3").exists()
    key_file = tmp_path / "encryption-key"
    key_file.write_text(Fernet.generate_key().decode() + "\n")
    checked = _run(tmp_path, "encryption", "check", HOTLINE_ENCRYPTION_KEY_FILE=str(key_file))
    assert checked.returncode == 0 and "encryption key: ok" in checked.stdout, checked.stderr


def test_the_demo_makes_its_own_encryption_key_and_its_authenticators_work(
    tmp_path: Path,
) -> None:
    done = _run(tmp_path, "demo", "--no-serve")
    assert done.returncode == 0, done.stderr[-2000:]
    key = (tmp_path / "demo-encryption-key").read_text().strip()
    Fernet(key)  # a real key, made for this data directory
    assert oct((tmp_path / "demo-encryption-key").stat().st_mode)[-3:] == "600"
    uris = re.findall(r"admin\s+authenticator: (otpauth://\S+)", done.stdout)
    assert uris, done.stdout[-2000:]
    secret = parse_qs(urlparse(uris[0]).query)["secret"][0]
    seed = base64.b32decode(secret + "=" * (-len(secret) % 8))
    key_file = str(tmp_path / "demo-encryption-key")
    code = _run(tmp_path, "totp", "code", "--user", "admin", HOTLINE_ENCRYPTION_KEY_FILE=key_file)
    assert code.returncode == 0, code.stderr  # the stored seed, decrypted with the demo's key
    # What an app holding the printed URI shows now, or one step ago (the command ran first).
    expected = {str(totp(seed, t0=0, step=30, digits=6, drift=d)).zfill(6) for d in (0, -1)}
    assert code.stdout.strip() in expected
