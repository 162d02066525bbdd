"""Every django-otp TOTPDevice (seed in plain hex) becomes an Authenticator (seed encrypted),
with its counters and timestamps, and the plaintext row is deleted."""

from typing import Any

from django.db import migrations

COPIED = [
    "user_id", "name", "confirmed", "created_at", "last_used_at", "throttling_failure_timestamp",
    "throttling_failure_count", "key", "step", "t0", "digits", "tolerance", "drift", "last_t",
]  # fmt: skip


def move_devices(apps: Any, schema_editor: Any) -> None:
    plain = apps.get_model("otp_totp", "TOTPDevice")
    encrypted = apps.get_model("accounts", "Authenticator")
    for device in plain.objects.order_by("pk"):
        encrypted.objects.create(**{field: getattr(device, field) for field in COPIED})
        device.delete()


def move_back(apps: Any, schema_editor: Any) -> None:
    plain = apps.get_model("otp_totp", "TOTPDevice")
    encrypted = apps.get_model("accounts", "Authenticator")
    for device in encrypted.objects.order_by("pk"):
        plain.objects.create(**{field: getattr(device, field) for field in COPIED})
        device.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_authenticator_with_encrypted_seed"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(move_devices, move_back)]
