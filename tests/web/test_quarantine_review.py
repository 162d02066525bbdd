"""A reporter reviews quarantined bank entries on her dashboard: restore or remove."""

from typing import Any

from hotline.banks.models import BankEntry
from tests.cases.test_reuploads import file_and_confirm, pdq, random_pdq
from tests.conftest import ApiCaller
from tests.web.conftest import SignIn


def test_a_quarantined_entry_is_listed_and_reviewed_on_the_dashboard(
    call_api: ApiCaller, sign_in: SignIn, settings: Any
) -> None:
    settings.HOTLINE_FALSE_MATCH_QUARANTINE = 1
    image = random_pdq()
    file_and_confirm(call_api, 5, [pdq(image)])
    _, rows = call_api("x_mod", "post", "/match", {"signals": [pdq(image, upload_ref="u")]})
    entry, copy = rows[0]["matches"][0]["entry_id"], rows[0]["reupload"]
    analyst, other = sign_in("analyst"), sign_in("caseworker_a")
    # Both sides see which copy it is.
    review = sign_in("x_mod").get(f"/notices/{copy['notice_id']}/").content.decode()
    assert "Re-upload: copy 2" in review
    assert "Re-upload: copy 2" in analyst.get(f"/requests/{copy['case_id']}/").content.decode()
    call_api("x_mod", "post", "/match/not-same", {"entry_id": entry, "upload_ref": "u"})
    page = analyst.get("/requests/").content.decode()
    assert "Bank entries to review" in page and f"/banks/entries/{entry}/review/" in page
    assert "Bank entries to review" not in other.get("/requests/").content.decode()
    refused = other.post(f"/banks/entries/{entry}/review/", {"decision": "restore"}, follow=True)
    assert "There is nothing here, or it is not yours to see." in refused.content.decode()
    assert BankEntry.objects.get(pk=entry).quarantined_at is not None
    done = analyst.post(f"/banks/entries/{entry}/review/", {"decision": "restore"}, follow=True)
    assert f"Bank entry {entry} is matched again." in done.content.decode()
    assert BankEntry.objects.get(pk=entry).quarantined_at is None
    analyst.post("/language/", {"language": "ko", "next": "/requests/"})
    call_api("x_mod", "post", "/match/not-same", {"entry_id": entry, "upload_ref": "u2"})
    assert "검토할 해시 항목" in analyst.get("/requests/").content.decode()
