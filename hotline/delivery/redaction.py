"""Taking hash values back out of notices already queued or sent (consent withdrawn).

A notice's payload copies its items' signals for the platform. After a withdrawal hotline
must not keep them, so they are removed from the stored payloads; what the platform already
received it is told to delete through the item's `item:consent_withdrawn` feed event.
"""

from hotline.delivery.models import Delivery


def delivery_redact_item_signals(*, abouts: list[str], item_ids: set[int]) -> int:
    """Drop `signals` of these items from the payloads of deliveries about these subjects."""
    changed = 0
    for delivery in Delivery.objects.filter(about__in=abouts).select_for_update():
        items = delivery.payload.get("items")
        if not isinstance(items, list):
            continue
        hit = False
        for row in items:
            if isinstance(row, dict) and row.get("item_id") in item_ids and row.get("signals"):
                row["signals"], row["signals_withdrawn"], hit = [], True, True
        if hit:
            delivery.save(update_fields=["payload"])
            changed += 1
    return changed
