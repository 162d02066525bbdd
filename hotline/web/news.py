"""The dashboard's "what changed since you last looked" and the reporter's open questions."""

from dataclasses import dataclass
from datetime import datetime

from hotline.accounts.actors import Actor
from hotline.accounts.preferences import preference_get
from hotline.cases import selectors as cases
from hotline.cases.models import Message, ReporterNews

SHOWN = 50


@dataclass(frozen=True)
class NewsPanel:
    news: list[ReporterNews]
    new_count: int
    seen_at: datetime | None
    questions: list[Message]  # the platform's questions still waiting for this organisation


def news_panel(*, actor: Actor) -> NewsPanel:
    preference = preference_get(user_id=actor.user_id) if actor.user_id else None
    seen_at = preference.news_seen_at if preference else None
    news = cases.news_for_actor(actor=actor, since=seen_at).select_related("request", "item")
    return NewsPanel(
        news=list(news[:SHOWN]),
        new_count=news.count(),
        seen_at=seen_at,
        questions=list(cases.open_questions_for_actor(actor=actor)[:SHOWN]),
    )
