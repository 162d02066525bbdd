"""Webhook secrets encrypted at rest: widen the column, then encrypt the rows already there."""

from typing import Any

from django.db import migrations

import hotline.core.encryption
from hotline.core.encryption import encrypt_column


def encrypt_existing(apps: Any, schema_editor: Any) -> None:
    encrypt_column(schema_editor.connection, "delivery_webhooksecret", "secret")


def decrypt_existing(apps: Any, schema_editor: Any) -> None:
    encrypt_column(schema_editor.connection, "delivery_webhooksecret", "secret", decrypting=True)


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_webhooksecret_delivery_claimed_by_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webhooksecret",
            name="secret",
            field=hotline.core.encryption.EncryptedTextField(),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
    ]
