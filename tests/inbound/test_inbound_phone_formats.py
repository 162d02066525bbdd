"""A HEIC photo mailed from an iPhone becomes a hash-only item like a JPEG would."""

from email.message import EmailMessage

from hotline.cases.models import TakedownRequest
from hotline.inbound.models import InboundStatus
from tests.cases.test_phone_formats import phone_photo
from tests.inbound.conftest import Mailer


def test_email_intake_accepts_a_heic_attachment(smtp: Mailer) -> None:
    message = EmailMessage()
    message["From"] = "analyst@kcsc.example"
    message["To"] = "hotline@hotline.example"
    message["Subject"] = "iPhone photo to block"
    message["Message-ID"] = "<heic-1@kcsc.example>"
    message.set_content("Please block this photo.")
    message.add_attachment(
        phone_photo("HEIF"), maintype="image", subtype="heic", filename="IMG_0001.HEIC"
    )
    row = smtp.send(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
    assert row.status == InboundStatus.PROCESSED, row.reason
    [item] = TakedownRequest.objects.get(pk=row.outcome["request"]).items.all()
    assert {s["type"] for s in item.signals} == {"pdq", "md5", "sha256"}
