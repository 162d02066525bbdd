"""Questions on notices: which are still unanswered, and how old they are."""

from datetime import datetime

from django.db.models import F, QuerySet

from hotline.cases.models import Message, MessageKind


def unanswered_questions() -> QuerySet[Message]:
    """Questions no answer has replied to yet, oldest first."""
    return (
        Message.objects.filter(kind=MessageKind.QUESTION)
        .exclude(replies__kind=MessageKind.ANSWER)
        .select_related("notice__request", "notice__platform", "item")
        .order_by("created_at", "pk")
    )


def to_reporters(questions: QuerySet[Message]) -> QuerySet[Message]:
    """Asked by the platform's side (a moderator, or by email from its registered address)."""
    return questions.filter(author_organisation_id=F("notice__platform__organisation_id"))


def to_platforms(questions: QuerySet[Message]) -> QuerySet[Message]:
    """Asked by the reporter's side of the notice."""
    return questions.filter(author_organisation_id=F("notice__request__organisation_id"))


def answered_at(question: Message) -> datetime | None:
    """When the first answer came (uses prefetched replies when there are)."""
    answers = [r.created_at for r in question.replies.all() if r.kind == MessageKind.ANSWER]
    return min(answers) if answers else None


def age_seconds(question: Message, now: datetime) -> int:
    """How long the question waited: until its first answer, or until now."""
    end = answered_at(question) or now
    return max(int((end - question.created_at).total_seconds()), 0)
