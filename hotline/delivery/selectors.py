"""Reads of the outbox."""

from django.db.models import QuerySet

from hotline.delivery.models import Delivery


def deliveries_about(*, about: list[str]) -> QuerySet[Delivery]:
    return Delivery.objects.filter(about__in=about).order_by("created_at", "pk")
