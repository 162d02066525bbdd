"""Banks and their entries. Entries are never deleted, only marked removed, for the record."""

from django.db import models


class Bank(models.Model):
    name = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    # PDQ matches at Hamming distance <= threshold count for this bank.
    threshold = models.PositiveSmallIntegerField(default=31)
    # Bumped by every add and remove, so each process can bring its index up to date by delta.
    version = models.BigIntegerField(default=0)
    created_at = models.DateTimeField()
    # Platforms may fetch the bank's hashes (GET /api/banks/{name}/feed, `hotline bank share`).
    platform_feed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class SignalType(models.TextChoices):
    PDQ = "pdq", "PDQ (256-bit perceptual hash)"
    MD5 = "md5", "MD5"
    SHA256 = "sha256", "SHA-256"


class BankEntry(models.Model):
    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="entries")
    signal_type = models.CharField(max_length=10, choices=SignalType.choices)
    value = models.CharField(max_length=64)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    # Where the hash came from: "item:12" for a case item, "import:<label>" for an import.
    source = models.CharField(max_length=200)
    # The item it came from, as an opaque number: banks know nothing of cases.
    item_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    added_version = models.BigIntegerField()
    removed_version = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    # Platforms said "not the same content" this often (distinct platform and upload).
    false_matches = models.PositiveIntegerField(default=0)
    # Set when false matches reach HOTLINE_FALSE_MATCH_QUARANTINE: matching skips the entry
    # until a reporter of the organisation it came from restores or removes it.
    quarantined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["bank", "signal_type", "value"]),
            # The feed reads additions and removals in version order (banks.feed).
            models.Index(fields=["bank", "added_version", "id"], name="bankentry_feed_added"),
            models.Index(fields=["bank", "removed_version", "id"], name="bankentry_feed_removed"),
        ]

    def __str__(self) -> str:
        return f"{self.signal_type}:{self.value[:12]}… in {self.bank_id}"


class FalseMatch(models.Model):
    """A platform's word that an upload matched an entry but is not the same content."""

    # CASCADE: purging a withdrawn case's entries takes the reports about them along.
    entry = models.ForeignKey(
        BankEntry, on_delete=models.CASCADE, related_name="false_match_reports"
    )
    # The platform's organisation, as an opaque number: banks know nothing of accounts.
    organisation_id = models.BigIntegerField()
    upload_ref = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # One platform's upload counts once, however often it says so.
            models.UniqueConstraint(
                fields=["entry", "organisation_id", "upload_ref"], name="one_false_match_per_upload"
            ),
        ]

    def __str__(self) -> str:
        return f"false match of entry {self.entry_id} ({self.upload_ref})"
