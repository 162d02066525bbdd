"""`hotline audit`: make a signing key, print a signed checkpoint, verify the record.

`verify` needs only public keys; `keygen` needs nothing at all.
"""

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.audit.chain import ChainReport
from hotline.audit.checkpoints import CheckpointError, checkpoint_from_json
from hotline.audit.keys import signing_key, trusted_public_keys
from hotline.audit.selectors import current_checkpoint
from hotline.audit.services import audit_verify_chain
from hotline.audit.signing import key_id, private_key_pem, public_key_text


class Command(BaseCommand):
    help = "Work with the signed, tamper-evident audit record."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="Check every event's hash, link and signature, and the signed head."
        )
        verify.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="Also prove the chain still holds exactly what this checkpoint covered.",
        )
        checkpoint = sub.add_parser("checkpoint", help="Print a signed checkpoint as JSON.")
        checkpoint.add_argument("-o", "--output", metavar="FILE", help="Write it to FILE too.")
        keygen = sub.add_parser("keygen", help="Write a new Ed25519 signing key file (0600).")
        keygen.add_argument("-o", "--output", metavar="FILE", required=True)
        keygen.add_argument("--force", action="store_true", help="Overwrite an existing file.")
        sub.add_parser("public-key", help="Print the public key and key id of the current key.")
        sub.add_parser("keys", help="List every trusted public key (current and retired).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "keygen":
            self._keygen(Path(options["output"]), force=options["force"])
        elif action == "checkpoint":
            self._checkpoint(options["output"])
        elif action == "public-key":
            key = signing_key()
            self.stdout.write(f"{public_key_text(key.public_key)}  # key id {key.key_id}")
        elif action == "keys":
            for kid, public_key in sorted(trusted_public_keys().items()):
                self.stdout.write(f"{public_key_text(public_key)}  # key id {kid}")
        else:
            self._verify(options["checkpoint"])

    def _keygen(self, path: Path, *, force: bool) -> None:
        if path.exists() and not force:
            raise CommandError(f"{path} exists; refusing to overwrite a signing key (--force)")
        private_key = Ed25519PrivateKey.generate()
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        descriptor = os.open(path, flags, 0o600)  # never readable by others, not even briefly
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(private_key_pem(private_key))
        path.chmod(0o600)
        public_key = private_key.public_key()
        self.stdout.write(f"wrote a new audit signing key to {path} (mode 0600)")
        self.stdout.write(f"key id:     {key_id(public_key)}")
        self.stdout.write(f"public key: {public_key_text(public_key)}")
        self.stdout.write(
            "Set HOTLINE_AUDIT_SIGNING_KEY_FILE to this file. When it replaces a key, add the "
            "old key's public key line to HOTLINE_AUDIT_PUBLIC_KEYS_FILE first."
        )

    def _checkpoint(self, output: str | None) -> None:
        text = current_checkpoint().to_json()
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(text)

    def _verify(self, checkpoint_file: str | None) -> None:
        checkpoint = None
        if checkpoint_file:
            try:
                text = Path(checkpoint_file).read_text(encoding="utf-8")
                checkpoint = checkpoint_from_json(text)
            except OSError as error:
                raise CommandError(f"cannot read {checkpoint_file}: {error.strerror}") from error
            except CheckpointError as error:
                raise CommandError(f"{checkpoint_file} is not a checkpoint: {error}") from error
        report = audit_verify_chain(checkpoint=checkpoint)
        for check in report.checks:
            self.stdout.write(f"{'ok    ' if check.ok else 'FAILED'} {check.name}: {check.detail}")
        if not report.intact:
            raise CommandError(_broken(report))
        keys = ", ".join(f"{n} by key {k}" for k, n in sorted(report.signed_by.items()))
        self.stdout.write(
            f"audit chain intact: {report.checked} events verified" + (f" ({keys})" if keys else "")
        )


def _broken(report: ChainReport) -> str:
    return (
        f"audit chain BROKEN at event #{report.first_broken_seq}: {report.problem} "
        f"({report.checked} events before it verified)"
    )
