"""A reporter's answer by email to a platform's question: the same two factors as a platform's
reply (an address registered to the notice's reporting organisation, and the notice's reply
token), then posted on the notice's thread like an answer from the web or the API."""

import re
from email.message import Message

from hotline.accounts.actors import Actor
from hotline.audit.services import audit_record
from hotline.cases.models import Message as ThreadMessage
from hotline.cases.models import MessageKind, Notice
from hotline.cases.questions import to_reporters, unanswered_questions
from hotline.cases.services.moderation import message_post
from hotline.core.errors import DomainError
from hotline.inbound import mime
from hotline.inbound.grammar import unquoted_lines
from hotline.inbound.models import InboundKind, InboundMessage, InboundStatus
from hotline.inbound.senders import reporter_for
from hotline.inbound.services.outcomes import quarantine

# The Message-IDs of the emails that carried a question: `message-12@…` (to the organisation's
# contact address) and `question-12-s3-email@…` (to a subscription).
_QUESTION_ID = re.compile(r"<(?:message|question)-(\d+)[-@]", re.I)
_REFERENCE_LINE = re.compile(r"^(reference|참조)\s*:", re.I)


def reporter_of_notice(address: str, notice: Notice) -> Actor | None:
    """The reporter, when the sender is registered to the organisation that filed the notice."""
    actor = reporter_for(address)
    if actor is None or actor.organisation_id != notice.request.organisation_id:
        return None
    return actor


def answer_process(row: InboundMessage, message: Message, notice: Notice, actor: Actor) -> None:
    """Post the sender's own words (no quote, no reference line) as the answer."""
    question = _question(message, notice)
    if isinstance(question, str):
        quarantine(row, question, InboundKind.REPLY, notice=notice.pk)
        return
    lines = unquoted_lines(mime.plain_text(message))
    text = "\n".join(line for line in lines if not _REFERENCE_LINE.match(line)).strip()
    if not text:
        quarantine(row, "an answer with no text above the quote", InboundKind.REPLY)
        return
    try:
        answer = message_post(
            actor=actor,
            notice_id=notice.pk,
            kind=MessageKind.ANSWER,
            body=text,
            reply_to_id=question.pk,
        )
    except DomainError as error:
        quarantine(row, f"the answer was refused: {error.message}", InboundKind.REPLY)
        return
    row.status, row.kind = InboundStatus.PROCESSED, InboundKind.REPLY
    row.reason = f"answer to question {question.pk} posted on notice N{notice.pk}"
    row.outcome = {"notice": notice.pk, "question": question.pk, "answer": answer.pk}
    audit_record(
        tag="inbound:answer_posted",
        actor=actor.label,
        subject=f"notice:{notice.pk}",
        organisation_id=notice.request.organisation_id,
        payload={"inbound": row.pk, "question": question.pk, "answer": answer.pk},
    )


def _question(message: Message, notice: Notice) -> ThreadMessage | str:
    """The question the email answers: named by its In-Reply-To/References, or the notice's
    only open question from the platform. A string says why none can be chosen."""
    open_questions = list(to_reporters(unanswered_questions().filter(notice=notice)))
    headers = " ".join(
        mime.header_all(message, "In-Reply-To") + mime.header_all(message, "References")
    )
    named = [int(n) for n in _QUESTION_ID.findall(headers)]
    for question in open_questions:
        if question.pk in named:
            return question
    if named:
        return f"question {named[-1]} on notice N{notice.pk} is answered already or not open"
    if len(open_questions) == 1:
        return open_questions[0]
    if not open_questions:
        return f"notice N{notice.pk} has no open question from the platform to answer"
    return (
        f"notice N{notice.pk} has {len(open_questions)} open questions: reply to the email of "
        "the one you answer"
    )
