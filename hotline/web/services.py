"""Web-only writes, each built on the workflow's services: files with media, bulk actions."""

import hashlib
from typing import Any

from django.db import transaction

from hotline.accounts.actors import Actor
from hotline.cases.models import Item
from hotline.cases.services.bulk import MAX_REFERENCE, ImportSummary, import_lines
from hotline.cases.services.intake import SubmitResult, request_submit
from hotline.cases.services.media import media_signals
from hotline.cases.services.moderation import ItemDecision, item_act
from hotline.core.errors import InvalidInput
from hotline.web.forms import ImportForm, RequestForm


def request_file_from_form(
    *, actor: Actor, form: RequestForm, media: list[tuple[str, bytes]]
) -> SubmitResult:
    """Hash each uploaded file in memory (PDQ, MD5, SHA-256), drop its bytes, and file."""
    signals: list[list[dict[str, Any]]] = []
    for name, data in media:
        signals.append(media_signals(data=data, label="items.media", filename=name))
        del data  # the bytes are never kept, only the signals
    return request_submit(actor=actor, data=form.request_input(signals))


def request_import_from_form(*, actor: Actor, form: ImportForm) -> ImportSummary:
    """The import form's lines, filed in chunks; the form's reference keys each chunk, so
    sending the same form twice files nothing twice."""
    lines = form.import_lines()
    if not any(line.strip() for line in lines):
        raise InvalidInput("paste URLs or choose a file", details=[{"element": "urls"}])
    return import_lines(
        actor=actor,
        template=form.request_input([]),
        reference=_import_reference(
            form.cleaned_data["client_reference"] + "\n" + form.cleaned_data["victim_reference"],
            lines,
        ),
        lines=lines,
    )


def _import_reference(form_reference: str, lines: list[str]) -> str:
    """The same form sent twice with the same lines is one import; with other lines, another."""
    digest = hashlib.sha256(form_reference.encode())
    for line in lines:
        digest.update(line.encode() + b"\n")
    return f"web-{digest.hexdigest()[: MAX_REFERENCE - 4]}"


@transaction.atomic
def items_act_bulk(
    *, actor: Actor, notice_id: int, item_ids: list[int], decision: ItemDecision
) -> list[Item]:
    """The same decision on several items of one notice: all of them or, on any error, none."""
    if not item_ids:
        raise InvalidInput("choose at least one item", details=[{"element": "items"}])
    return [
        item_act(actor=actor, notice_id=notice_id, item_id=item_id, decision=decision)
        for item_id in item_ids
    ]
