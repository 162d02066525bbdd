"""Fixtures of the evidence tests: a case taken through the whole loop over real SMTP."""

from typing import Any

import pytest

from hotline.core.worker import drain_ready_tasks
from hotline.delivery.services import delivery_relay_until_idle
from hotline.verification import backends
from hotline.verification.rules import verification_url
from tests.api.conftest import file_request, items_on, notice_for
from tests.conftest import ApiCaller
from tests.delivery.conftest import inbox

__all__ = ["inbox"]

REMOVED_URL = "https://t.me/evidence_room/1"
REJECTED_URL = "https://t.me/evidence_room/2"
X_URL = "https://x.com/someone/status/99"


@pytest.fixture
def filed_case(call_api: ApiCaller, inbox: Any) -> dict[str, Any]:
    """KCSC's case: one item removed and confirmed gone, one rejected, one at another platform."""
    receipt = file_request(call_api, "analyst", REMOVED_URL, REJECTED_URL, X_URL)
    delivery_relay_until_idle()
    telegram = notice_for(receipt, "Telegram")
    removed, rejected = items_on(receipt, telegram["id"])
    path = f"/notices/{telegram['id']}/items"
    status, _ = call_api(
        "telegram_mod", "post", f"{path}/{removed['id']}/action", {"action": "removed"}
    )
    assert status == 200
    body = {"action": "rejected", "reason": "not_illegal", "note": "Reviewed: satire."}
    status, _ = call_api("telegram_mod", "post", f"{path}/{rejected['id']}/action", body)
    assert status == 200
    backends.FAKE_RESPONSES[verification_url(REMOVED_URL)] = (404, "")
    drain_ready_tasks()
    delivery_relay_until_idle()
    return receipt
