"""`hotline demo`: set up on SQLite and run the September 2024 scenario end to end."""

import os
from collections import Counter
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test import Client, override_settings
from django.utils import timezone

from hotline.accounts.models import Organisation
from hotline.accounts.selectors import membership_get
from hotline.accounts.two_factor import totp_enrol_directly
from hotline.banks.services import banks_ensure_built_in
from hotline.cases.models import Notice
from hotline.cases.tokens import notice_action_token
from hotline.compliance.render import as_table
from hotline.compliance.selectors import compliance_report
from hotline.core import clock
from hotline.core.worker import drain_ready_tasks
from hotline.delivery.loopback_smtp import CaughtMail, loopback_mail
from hotline.delivery.models import Delivery
from hotline.delivery.services import delivery_relay_until_idle
from hotline.demo.mirror import MirrorState, start_mirror
from hotline.demo.scenario import (
    CHANNELS,
    DEMO_PASSWORD,
    REPORTED_POSTS,
    UNREPORTED_POSTS,
    DemoTokens,
    api,
    build_directory,
    urgent_request_body,
)

STILL_UP_INDEX = 7  # the item the platform reports removed but leaves up
SCENARIO_HOURS = timedelta(hours=14)
ACKNOWLEDGE_AFTER = timedelta(minutes=50)
BETWEEN_ITEMS = timedelta(minutes=9)
REJECTED_INDEX, QUESTION_INDEX = 23, 24


class Command(BaseCommand):
    help = "Run the September 2024 takedown scenario, then serve the admin and API docs."
    mail: CaughtMail  # notices go out as real email to a loopback SMTP server

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Erase the database first")
        parser.add_argument("--no-serve", action="store_true", help="Exit after the scenario")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            banks_ensure_built_in(actor="demo")  # flush empties what migrations made too
        elif Organisation.objects.exists():
            raise CommandError("the database already holds data; run `hotline demo --reset`")
        state = MirrorState({(c, p) for c in CHANNELS for p in REPORTED_POSTS + UNREPORTED_POSTS})
        server, base = start_mirror(state)
        # Verification fetches t.me through the loopback mirror; nothing leaves this machine.
        # The mirror is ours, and the replayed hours pass in seconds: no per-host rate limit.
        mirror_settings = override_settings(
            HOTLINE_FETCHER_BACKEND="http",
            HOTLINE_FETCH_ALLOW_LOOPBACK=True,
            HOTLINE_FETCH_REWRITES=f"https://t.me/={base}/t.me/",
            HOTLINE_FETCH_HOST_RATE=0,
        )
        try:
            with mirror_settings, loopback_mail() as self.mail:
                # Replay the hours of a real takedown in seconds, ending in the recent past.
                clock.travel_to(timezone.now() - SCENARIO_HOURS)
                tokens = build_directory()
                self._run(tokens, state, Client())
        finally:
            clock.back_to_real_time()
            server.shutdown()
            server.server_close()
        self._print_logins(tokens, options["port"])
        self._print_web(options["port"])
        if not options["no_serve"]:
            # The demo serves plain http on loopback, so its cookies cannot be Secure-only.
            with override_settings(
                SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False, LANGUAGE_COOKIE_SECURE=False
            ):
                call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)

    def _run(self, tokens: DemoTokens, state: MirrorState, client: Client) -> None:
        self._say("1. KCSC files an urgent request: 25 t.me items and 4 others")
        receipt = api(client, tokens.analyst, "post", "/requests", urgent_request_body())
        states = Counter(i["state"] for i in receipt["items"])
        self.stdout.write(f"   receipt {receipt['case_id']}: {dict(states)}")
        for notice in receipt["notices"]:
            self.stdout.write(
                f"   notice {notice['id']} to {notice['platform']}, "
                f"deadline {notice['deadline_at']}"
            )
        self._say("2. The notices go out")
        drain_ready_tasks()
        delivery_relay_until_idle()
        for d in Delivery.objects.order_by("pk"):
            self.stdout.write(f"   {d.kind} to {d.recipient}: {d.status} — {d.subject}")
        self._print_mail()
        self._say(
            "3. Over the next hours Telegram acknowledges, removes 23, rejects 1, asks about 1;"
            " hotline checks each removal against the (loopback) pages as it is reported"
        )
        filed_at = clock.now()
        notice_id = self._moderate(client, tokens, state)
        self._say("4. What verification found")
        self._run_due_work()
        notice = api(client, tokens.analyst, "get", f"/notices/{notice_id}")
        self.stdout.write(f"   item states: {dict(Counter(i['state'] for i in notice['items']))}")
        for item in notice["items"]:
            if item["state"] == "reopened":
                self.stdout.write(
                    f"   caught: item {item['position']} {item['url']} "
                    f"reported removed but still up -> reopened"
                )
        self._say("5. The deadlines pass: waiting items are escalated to designated officials")
        clock.travel_to(filed_at + timedelta(hours=13))
        self._run_due_work()
        for d in Delivery.objects.filter(kind="escalation").order_by("pk"):
            self.stdout.write(f"   escalation to {d.recipient}: {d.status} — {d.subject}")
        self._say("6. Compliance report")
        now = clock.now()
        self.stdout.write(
            as_table(compliance_report(start=now - timedelta(days=1), end=now + timedelta(days=1)))
        )

    def _run_due_work(self) -> None:
        drain_ready_tasks()
        delivery_relay_until_idle()

    def _moderate(self, client: Client, tokens: DemoTokens, state: MirrorState) -> int:
        notices = api(client, tokens.moderator, "get", "/notices?open=true")
        notice_id: int = notices[0]["id"]
        clock.advance(ACKNOWLEDGE_AFTER)
        api(client, tokens.moderator, "post", f"/notices/{notice_id}/acknowledge")
        items = api(client, tokens.moderator, "get", f"/notices/{notice_id}")["items"]
        for index, item in enumerate(items):
            clock.advance(BETWEEN_ITEMS)
            if index not in (STILL_UP_INDEX, REJECTED_INDEX, QUESTION_INDEX):
                channel, post = item["normalised_url"].rsplit("/", 2)[-2:]
                with state.lock:  # the platform really takes this one down
                    state.posts.discard((channel, int(post)))
            path = f"/notices/{notice_id}/items/{item['id']}/action"
            if index == REJECTED_INDEX:
                body = {
                    "action": "rejected",
                    "reason": "not_intimate",
                    "note": "The post is a news article about the case.",
                }
            elif index == QUESTION_INDEX:
                body = {
                    "action": "needs_info",
                    "question": "This channel is a news aggregator; which post is meant?",
                }
            else:
                body = {"action": "removed"}
            api(client, tokens.moderator, "post", path, body)
            self._run_due_work()
        return notice_id

    def _print_mail(self) -> None:
        for recipients, message in self.mail.take():
            self.stdout.write(f"   arrived at {', '.join(recipients)}: {message['Subject']}")

    def _say(self, text: str) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(text))

    def _print_logins(self, tokens: DemoTokens, port: int) -> None:
        self._say("Logins")
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(
            f"   admin (read-only, with its authenticator below): {base}/admin/  user admin, "
            f"password {DEMO_PASSWORD} "
            "(analyst, caseworker, moderator and auditor have the same password)"
        )
        self.stdout.write(f"   API docs: {base}/api/docs")
        for role, token in tokens.__dict__.items():
            self.stdout.write(f"   {role:<10} token: {token}")
        self.stdout.write(
            f"   try: curl -H 'Authorization: Bearer {tokens.moderator}' {base}/api/notices"
        )
        self.stdout.write("   reset: hotline demo --reset")
        # The demo made its own random key; other commands on its data need the same one.
        key_file = os.environ.get("HOTLINE_SECRET_KEY_FILE") or "<the file of your key>"
        audit_key = os.environ.get("HOTLINE_AUDIT_SIGNING_KEY_FILE") or "<your audit key file>"
        encryption_key = (
            os.environ.get("HOTLINE_ENCRYPTION_KEY_FILE") or "<your encryption key file>"
        )
        self.stdout.write(
            f"   in another terminal: export HOTLINE_SECRET_KEY_FILE={key_file} "
            f"HOTLINE_ENCRYPTION_KEY_FILE={encryption_key} "
            f"HOTLINE_AUDIT_SIGNING_KEY_FILE={audit_key}, then "
            "hotline worker, hotline totp code --user analyst, hotline evidence export …"
        )

    def _print_web(self, port: int) -> None:
        """Web sign-in needs a second factor: the demo people get authenticators here."""
        self._say("Web interface")
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(f"   sign in: {base}/login/  password {DEMO_PASSWORD}")
        for name in ("analyst", "caseworker", "moderator", "auditor", "admin"):
            user = membership_get(username=name).user
            uri = totp_enrol_directly(user=user, actor="demo").config_url
            self.stdout.write(f"   {name:<10} authenticator: {uri}")
        self.stdout.write("   current code: hotline totp code --user analyst")
        notice = Notice.objects.order_by("pk").first()
        if notice is not None:
            token = notice_action_token(notice)
            self.stdout.write(f"   signed action link (no login): {base}/act/{notice.pk}/{token}/")
