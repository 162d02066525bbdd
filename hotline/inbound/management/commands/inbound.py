"""`hotline inbound list|show|reprocess`: look at received mail and the quarantine."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.inbound.mime import parse, text_parts
from hotline.inbound.models import InboundMessage, InboundStatus
from hotline.inbound.services.process import inbound_pending_ids, inbound_process


class Command(BaseCommand):
    help = "List, show and reprocess inbound email."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="List received messages, newest first.")
        listing.add_argument("--quarantined", action="store_true")
        listing.add_argument("--limit", type=int, default=50)
        show = sub.add_parser("show", help="Show one message: headers, checks, outcome.")
        show.add_argument("id", type=int)
        show.add_argument(
            "--body", action="store_true", help="also print the stored text (attachments removed)"
        )
        again = sub.add_parser(
            "reprocess", help="Process pending messages again, or the ones named."
        )
        again.add_argument("ids", type=int, nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _list(self, options: dict[str, Any]) -> None:
        rows = InboundMessage.objects.order_by("-pk")
        if options["quarantined"]:
            rows = rows.filter(status=InboundStatus.QUARANTINED)
        for row in rows[: options["limit"]]:
            self.stdout.write(
                f"{row.pk}\t{row.received_at:%Y-%m-%d %H:%M}\t{row.status}\t{row.kind}\t"
                f"{row.from_address}\t{row.subject[:60]}\t{row.reason}"
            )

    def _show(self, options: dict[str, Any]) -> None:
        row = InboundMessage.objects.filter(pk=options["id"]).first()
        if row is None:
            raise CommandError(f"no inbound message {options['id']}")
        fields = {
            "id": row.pk,
            "received_at": row.received_at.isoformat(),
            "source": row.source,
            "peer": row.peer,
            "envelope_from": row.envelope_from,
            "envelope_to": row.envelope_to,
            "from": row.from_address,
            "subject": row.subject,
            "message_id": row.message_id,
            "size": row.size,
            "sha256": row.sha256,
            "status": row.status,
            "kind": row.kind,
            "reason": row.reason,
            "authentication": row.authentication,
            "attachments": row.attachments,
            "outcome": row.outcome,
            "attempts": row.attempts,
            "last_error": row.last_error,
        }
        self.stdout.write(json.dumps(fields, indent=2, ensure_ascii=False))
        if options["body"]:
            self.stdout.write("\n".join(p.text for p in text_parts(parse(bytes(row.redacted)))))

    def _reprocess(self, options: dict[str, Any]) -> None:
        ids = options["ids"] or inbound_pending_ids()
        for row_id in ids:
            if not InboundMessage.objects.filter(pk=row_id).exists():
                raise CommandError(f"no inbound message {row_id}")
            try:
                row = inbound_process(message_id=row_id, retry_quarantined=bool(options["ids"]))
            except Exception as error:
                self.stderr.write(f"{row_id}\tfailed\t{type(error).__name__}: {error}")
                continue
            self.stdout.write(f"{row.pk}\t{row.status}\t{row.kind}\t{row.reason}")
