"""PURE: her hash values come out of a stored email wherever they stand (inbound.strip).

The notes that replaced attachments are plain ASCII, but a data: URI cut from an HTML part
leaves its SHA-256 inside that part, in the part's own transfer encoding (base64 here, or
quoted-printable): the part is decoded, cleaned and re-encoded.
"""

import base64
import hashlib
from email import message_from_bytes, policy
from email.message import EmailMessage

from hotline.inbound.strip import FORGOTTEN, forget_values, strip_media
from tests.hashing.media_factory import encode, photo_like


def stored(cte: str) -> tuple[bytes, list[str]]:
    attached = encode(photo_like(64, 48, 1), "JPEG")
    pasted = encode(photo_like(64, 48, 2), "PNG")
    message = EmailMessage()
    message["From"] = "analyst@kcsc.example"
    message["Subject"] = "two photos"
    message.set_content("See below.")
    uri = base64.b64encode(pasted).decode()
    message.add_alternative(
        f'<p>Pasted: <img src="data:image/png;base64,{uri}"></p>', "html", cte=cte
    )
    message.add_attachment(attached, maintype="image", subtype="jpeg", filename="a.jpg")
    stripped = strip_media(message.as_bytes())
    digests = [hashlib.sha256(d).hexdigest() for d in (pasted, attached)]
    return stripped.raw, digests


def text_of(raw: bytes) -> str:
    parsed = message_from_bytes(raw, policy=policy.default)
    return "\n".join(
        str(part.get_content()) for part in parsed.walk() if part.get_content_maintype() == "text"
    )


def test_values_are_replaced_in_notes_and_inside_encoded_parts() -> None:
    for cte in ("base64", "quoted-printable"):
        raw, digests = stored(cte)
        assert all(d in text_of(raw) for d in digests), cte  # decoded, both are there
        cleaned = forget_values(raw, [d.upper() for d in digests])
        text = text_of(cleaned)
        assert not [d for d in digests if d in text.lower() or d.encode() in cleaned], cte
        assert text.count(FORGOTTEN.decode()) == 2, cte
        assert "See below." in text and "Pasted:" in text  # the rest as it was


def test_nothing_to_forget_leaves_the_bytes_as_they_are() -> None:
    raw, _ = stored("base64")
    assert forget_values(raw, []) == raw
    assert forget_values(raw, ["ab" * 32]) == raw
