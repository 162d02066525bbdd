"""Index the change-tracking columns, so a write's delta is read without scanning the bank.

Numbered 0005: a migration 0004 is being added to this app on another branch; the merge adds
the merge migration."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("banks", "0003_false_match_quarantine"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="bankentry",
            index=models.Index(fields=["bank", "added_version"], name="banks_entry_added_version"),
        ),
        migrations.AddIndex(
            model_name="bankentry",
            index=models.Index(
                fields=["bank", "removed_version"], name="banks_entry_removed_version"
            ),
        ),
    ]
