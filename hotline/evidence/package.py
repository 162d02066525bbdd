"""Pure: an evidence package's ZIP, its signed manifest, and the offline check of both.

The manifest lists the SHA-256 of every other file; manifest.sig signs the manifest's own
digest with the audit key. A reader holding only the public key can then tell which file of
a package was changed. Nothing here touches Django or the database.
"""

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hotline.audit.signing import MANIFEST_DOMAIN, key_id, sign, signature_valid

MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.sig"
MANIFEST_FORMAT = "hotline-evidence-manifest/1"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(document: object) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def build_package(
    files: Mapping[str, bytes],
    *,
    about: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    date_time: tuple[int, int, int, int, int, int],
) -> bytes:
    """The ZIP: the given files, a manifest of their digests, and the manifest's signature."""
    manifest = canonical_json(
        {
            "format": MANIFEST_FORMAT,
            **about,
            "files": {
                name: {"sha256": sha256_hex(data), "bytes": len(data)}
                for name, data in sorted(files.items())
            },
        }
    )
    digest = sha256_hex(manifest)
    signature = canonical_json(
        {
            "manifest_sha256": digest,
            "key_id": key_id(private_key.public_key()),
            "signature": sign(private_key, MANIFEST_DOMAIN, digest.encode()),
        }
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*sorted(files.items()), (MANIFEST, manifest)]:
            archive.writestr(zipfile.ZipInfo(name, date_time), data, zipfile.ZIP_DEFLATED)
        archive.writestr(
            zipfile.ZipInfo(MANIFEST_SIGNATURE, date_time), signature, zipfile.ZIP_DEFLATED
        )
    return buffer.getvalue()


@dataclass(frozen=True)
class Finding:
    file: str  # the file the finding is about; "(package)" for the ZIP itself
    ok: bool
    detail: str


@dataclass
class PackageCheck:
    findings: list[Finding] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.findings) and all(f.ok for f in self.findings)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def fail(self, file: str, detail: str) -> None:
        self.findings.append(Finding(file, False, detail))

    def good(self, file: str, detail: str) -> None:
        self.findings.append(Finding(file, True, detail))


def read_package(data: bytes) -> PackageCheck:
    """Unpack, naming any member whose bytes the ZIP itself finds damaged (CRC)."""
    check = PackageCheck()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        check.fail("(package)", f"not a ZIP file: {error}")
        return check
    with archive:
        for info in archive.infolist():
            try:
                check.files[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as error:
                check.fail(info.filename, f"damaged inside the ZIP: {error}")
    return check


def check_manifest(check: PackageCheck, public_keys: Mapping[str, Ed25519PublicKey]) -> None:
    """The manifest's signature, then every file's digest against the manifest."""
    signed = _signed_manifest_digest(check, public_keys)
    if signed is None:
        return
    manifest_bytes = check.files.get(MANIFEST)
    if manifest_bytes is None:
        check.fail(MANIFEST, "missing from the package")
        return
    if sha256_hex(manifest_bytes) != signed:
        check.fail(MANIFEST, "altered: its SHA-256 is not the one manifest.sig signs")
        return
    try:
        check.manifest = json.loads(manifest_bytes)
        listed: dict[str, dict[str, Any]] = check.manifest["files"]
    except (ValueError, KeyError, TypeError) as error:
        check.fail(MANIFEST, f"signed but unreadable: {error}")
        return
    check.good(MANIFEST, f"signed by key {_key_of(check)}; lists {len(listed)} files")
    for name, entry in sorted(listed.items()):
        data = check.files.get(name)
        if data is None:
            check.fail(name, "listed in the manifest but missing from the package")
        elif sha256_hex(data) != entry.get("sha256"):
            check.fail(name, "altered: its SHA-256 does not match the manifest")
        else:
            check.good(name, f"SHA-256 matches the manifest ({len(data)} bytes)")
    for name in sorted(set(check.files) - set(listed) - {MANIFEST, MANIFEST_SIGNATURE}):
        check.fail(name, "not listed in the manifest (added after signing)")


def _key_of(check: PackageCheck) -> str:
    try:
        return str(json.loads(check.files[MANIFEST_SIGNATURE])["key_id"])
    except (KeyError, ValueError, TypeError):
        return "?"


def _signed_manifest_digest(
    check: PackageCheck, public_keys: Mapping[str, Ed25519PublicKey]
) -> str | None:
    raw = check.files.get(MANIFEST_SIGNATURE)
    if raw is None:
        check.fail(MANIFEST_SIGNATURE, "missing from the package")
        return None
    try:
        document = json.loads(raw)
        digest, kid, signature = (
            str(document["manifest_sha256"]),
            str(document["key_id"]),
            str(document["signature"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        check.fail(MANIFEST_SIGNATURE, f"unreadable: {error}")
        return None
    public_key = public_keys.get(kid)
    if public_key is None:
        check.fail(MANIFEST_SIGNATURE, f"signed by key {kid}, which is not a trusted key")
        return None
    if not signature_valid(public_key, MANIFEST_DOMAIN, digest.encode(), signature):
        check.fail(MANIFEST_SIGNATURE, "altered: the signature does not verify")
        return None
    check.good(MANIFEST_SIGNATURE, f"signature by key {kid} verifies")
    return digest
