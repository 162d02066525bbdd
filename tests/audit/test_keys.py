"""The audit signing key: made by `audit keygen`, kept outside the database, rotated safely."""

import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import transaction

from hotline.audit.checkpoints import checkpoint_signature_problem
from hotline.audit.keys import signing_key, trusted_public_keys
from hotline.audit.models import Event
from hotline.audit.selectors import current_checkpoint
from hotline.audit.services import audit_record, audit_verify_chain
from hotline.audit.signing import key_id, private_key_pem, public_key_text

HOTLINE = str(Path(sys.executable).with_name("hotline"))


def record(n: int = 1) -> None:
    for i in range(n):
        with transaction.atomic():
            audit_record(tag="test:thing", actor="tester", subject=f"thing:{i}")


def new_key_file(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text(private_key_pem(Ed25519PrivateKey.generate()), encoding="utf-8")
    return path


def test_keygen_writes_a_private_key_only_its_owner_can_read(tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "audit.pem"
    call_command("audit", "keygen", "-o", str(target), stdout=out)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    printed = out.getvalue()
    assert "key id:" in printed and "public key:" in printed
    with pytest.raises(CommandError, match="refusing to overwrite"):
        call_command("audit", "keygen", "-o", str(target), stdout=StringIO())


@pytest.mark.django_db
def test_every_event_is_signed_by_the_configured_key(settings, tmp_path: Path) -> None:
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(new_key_file(tmp_path, "k.pem"))
    record(2)
    expected = signing_key().key_id
    assert set(Event.objects.values_list("key_id", flat=True)) == {expected}
    assert audit_verify_chain().signed_by == {expected: 2}


@pytest.mark.django_db
def test_no_event_is_written_without_a_key(settings) -> None:
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = ""
    settings.HOTLINE_AUDIT_SIGNING_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="hotline audit keygen"):
        record()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_rotated_key_keeps_old_events_valid_when_its_public_key_is_listed(
    settings, tmp_path: Path
) -> None:
    old = new_key_file(tmp_path, "old.pem")
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(old)
    record(2)
    old_public = public_key_text(signing_key().public_key)
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(new_key_file(tmp_path, "new.pem"))
    record(2)
    report = audit_verify_chain()
    assert not report.intact and report.first_broken_seq == 1  # the old key is unknown
    listed = tmp_path / "retired.pub"
    listed.write_text(f"# retired 2026-12-01\n{old_public}\n", encoding="utf-8")
    settings.HOTLINE_AUDIT_PUBLIC_KEYS_FILE = str(listed)
    report = audit_verify_chain()
    assert report.intact, report.problem
    assert sorted(report.signed_by.values()) == [2, 2]


@pytest.mark.django_db
def test_a_retired_key_cannot_sign_events_after_its_successor(settings, tmp_path: Path) -> None:
    old, new = new_key_file(tmp_path, "old.pem"), new_key_file(tmp_path, "new.pem")
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(old)
    record(1)
    old_public = public_key_text(signing_key().public_key)
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(new)
    record(1)
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(old)  # someone kept the old key
    record(1)
    listed = tmp_path / "retired.pub"
    listed.write_text(old_public + "\n", encoding="utf-8")
    settings.HOTLINE_AUDIT_PUBLIC_KEYS_FILE = str(listed)
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = str(new)
    report = audit_verify_chain()
    assert report.first_broken_seq == 3
    assert "replaced at event #2" in (report.problem or "")


@pytest.mark.django_db
def test_verifying_needs_only_the_public_keys(settings, tmp_path: Path) -> None:
    record(3)
    public = public_key_text(signing_key().public_key)
    listed = tmp_path / "trusted.pub"
    listed.write_text(public + "\n", encoding="utf-8")
    settings.HOTLINE_AUDIT_SIGNING_KEY_FILE = ""
    settings.HOTLINE_AUDIT_PUBLIC_KEYS_FILE = str(listed)
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "audit chain intact: 3 events verified" in out.getvalue()


@pytest.mark.django_db
def test_a_checkpoint_is_signed_and_any_change_to_it_is_refused() -> None:
    record(2)
    checkpoint = current_checkpoint()
    assert checkpoint.seq == 2 and checkpoint.key_id == signing_key().key_id
    assert checkpoint_signature_problem(checkpoint, trusted_public_keys()) is None
    moved = type(checkpoint)(**{**checkpoint.as_dict(), "seq": 1})
    assert "altered" in (checkpoint_signature_problem(moved, trusted_public_keys()) or "")
    stranger = key_id(Ed25519PrivateKey.generate().public_key())
    foreign = type(checkpoint)(**{**checkpoint.as_dict(), "key_id": stranger})
    problem = checkpoint_signature_problem(foreign, trusted_public_keys())
    assert "not a trusted key" in (problem or "")


@pytest.mark.django_db
def test_the_checkpoint_command_prints_json_that_verify_accepts(tmp_path: Path) -> None:
    record(2)
    out = StringIO()
    call_command("audit", "checkpoint", "-o", str(tmp_path / "cp.json"), stdout=out)
    assert '"seq": 2' in out.getvalue() and '"signature"' in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "hotline-audit-checkpoint/1", "seq": "two"}', encoding="utf-8")
    with pytest.raises(CommandError, match="seq: expected int"):
        call_command("audit", "verify", "--checkpoint", str(bad), stdout=StringIO())
    call_command("audit", "verify", "--checkpoint", str(tmp_path / "cp.json"), stdout=out)


def _env_without_audit_key(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_AUDIT_")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path)
    return env


def test_hotline_refuses_to_start_without_an_audit_key_and_says_how_to_make_one(
    tmp_path: Path,
) -> None:
    env = _env_without_audit_key(tmp_path)
    done = subprocess.run(
        [HOTLINE, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "hotline audit keygen" in done.stderr
    assert not (tmp_path / "hotline.sqlite3").exists()
    made = subprocess.run(
        [HOTLINE, "audit", "keygen", "-o", str(tmp_path / "k.pem")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert "key id:" in made.stdout
