"""The `smtpd` command serves until Ctrl-C; the admin shows inbound mail read-only."""

import smtplib
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from hotline.accounts.two_factor import totp_enrol_directly
from hotline.inbound.management.commands import smtpd
from hotline.inbound.models import InboundMessage
from tests.conftest import Directory
from tests.inbound.conftest import Mailer, corpus


def test_smtpd_listens_until_interrupted(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(smtpd, "wait_forever", interrupted)
    out = StringIO()
    call_command("smtpd", "--host=127.0.0.1", "--port=0", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("hotline smtpd listening on 127.0.0.1:")
    assert lines[-1] == "stopping"
    port = int(lines[0].rpartition(":")[2])
    with pytest.raises(ConnectionRefusedError):  # the server stopped by itself
        smtplib.SMTP("127.0.0.1", port, timeout=5)


def test_the_admin_shows_inbound_mail_and_changes_nothing(smtp: Mailer, people: Directory) -> None:
    row = smtp.send(corpus("unknown-sender.eml"))
    admin = get_user_model().objects.create_superuser("root", "root@hotline.example", "pw")
    client = Client()
    client.force_login(admin)  # and verified: the admin wants a second factor
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_enrol_directly(user=admin, actor="test").persistent_id
    session.save()
    listing = client.get("/admin/inbound/inboundmessage/?status=quarantined")
    assert listing.status_code == 200 and b"someone@elsewhere.example" in listing.content
    page = client.get(f"/admin/inbound/inboundmessage/{row.pk}/change/")
    assert page.status_code == 200 and b"dkim" in page.content
    response: Any = client.post(f"/admin/inbound/inboundmessage/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert InboundMessage.objects.filter(pk=row.pk).exists()
