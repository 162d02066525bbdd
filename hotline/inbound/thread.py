"""PURE: where hotline's answer to a message sits in the sender's thread (RFC 5322 3.6.4)."""

from email.message import Message

from hotline.delivery.messages import MESSAGE_ID
from hotline.inbound.mime import header_text

# Enough of the chain for mail programs to thread by; a long one is cut at its oldest end.
MAX_REFERENCES = 20


def answer_thread(message: Message) -> dict[str, object]:
    """`in_reply_to` (the sender's Message-ID) and `references` (their chain, then it).
    Only well-formed <id> tokens travel into outbound headers: nothing else a sender wrote."""
    own = MESSAGE_ID.findall(header_text(message, "Message-ID"))
    chain = MESSAGE_ID.findall(header_text(message, "References")) or MESSAGE_ID.findall(
        header_text(message, "In-Reply-To")
    )
    if not own:
        return {}
    references = list(dict.fromkeys([*chain, own[0]]))[-MAX_REFERENCES:]
    return {"in_reply_to": own[0], "references": references}
