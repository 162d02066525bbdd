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

    class Meta:
        indexes = [models.Index(fields=["bank", "signal_type", "value"])]

    def __str__(self) -> str:
        return f"{self.signal_type}:{self.value[:12]}… in {self.bank_id}"
