"""Files chosen on the request form survive a validation error as their hashes, never bytes.

At the first POST each chosen file is hashed on the server (PDQ, MD5, SHA-256, or a video's
frame PDQs) and its bytes dropped. When the form comes back with errors, each file travels
in the page as one hidden value: its name, size and signals, signed with Django's signing
(the secret key, a salt of its own and the signed-in person's id), so a changed or made-up
value is refused and nobody can slip other hashes in as "computed by the server". The page
lists them as "already attached"; the next POST files them without choosing them again.
"""

from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.files.uploadedfile import UploadedFile

from hotline.cases.services.media import media_signals, upload_bytes
from hotline.core.errors import InvalidInput

SALT = "hotline.web.attached-media"
MAX_AGE_S = 24 * 3600  # a form left open over a day is chosen again
MAX_ATTACHED = 100


@dataclass(frozen=True)
class Attached:
    """One file already hashed: what the page lists and what the request will carry."""

    name: str
    size: int
    signals: list[dict[str, Any]]

    def token(self, *, user_id: int | None) -> str:
        value = {"name": self.name, "size": self.size, "signals": self.signals}
        return signing.dumps(value, salt=f"{SALT}:{user_id}", compress=True)


def attached_from_tokens(tokens: list[str], *, user_id: int | None) -> list[Attached]:
    """The files a redisplayed form carried; a forged, altered or stale token is a 400."""
    if len(tokens) > MAX_ATTACHED:
        raise InvalidInput(f"at most {MAX_ATTACHED} files", details=[{"element": "attached"}])
    files = []
    for token in tokens:
        try:
            value = signing.loads(token, salt=f"{SALT}:{user_id}", max_age=MAX_AGE_S)
        except signing.BadSignature as error:
            raise AttachedForged("an attached file's value was changed or is too old") from error
        files.append(Attached(name=value["name"], size=value["size"], signals=value["signals"]))
    return files


class AttachedForged(Exception):
    """A carried value that does not verify: the view answers 400."""


def attached_hash(
    uploads: list[UploadedFile],
) -> tuple[list[Attached], list[InvalidInput]]:
    """Hash each newly chosen file in memory; the ones hotline cannot read come back as
    refusals naming the file, and the others are kept as hashes."""
    attached: list[Attached] = []
    refusals: list[InvalidInput] = []
    for upload in uploads:
        name = upload.name or ""
        try:
            data = upload_bytes(upload, label="items.media")
            signals = media_signals(data=data, label="items.media", filename=name)
        except InvalidInput as error:
            refusals.append(error)
            continue
        size = len(data)
        del data  # the bytes are never kept, only the signals
        attached.append(Attached(name=name, size=size, signals=signals))
    return attached, refusals
