"""URL map of the web interface (namespace `web`)."""

from django.urls import path

from hotline.web.views import (
    account,
    compliance,
    evidence,
    link,
    notifications,
    platform,
    reporter,
    selfreview,
    selfservice,
    victims,
)

app_name = "web"

urlpatterns = [
    path("", account.home_view, name="home"),
    path("login/", account.login_view, name="login"),
    path("login/code/", account.verify_view, name="verify"),
    path("login/enrol/", account.enrol_view, name="enrol"),
    path("logout/", account.logout_view, name="logout"),
    path("language/", account.language_view, name="language"),
    path("preferences/", account.preferences_view, name="preferences"),
    path("self/", selfservice.self_hash_view, name="self"),
    path("self/submit", selfservice.self_submit_view, name="self_submit"),
    path("self/status/", selfservice.self_status_view, name="self_status"),
    path("self/withdraw", selfservice.self_withdraw_view, name="self_withdraw"),
    path("self/close", selfservice.self_close_view, name="self_close"),
    path("requests/", reporter.dashboard_view, name="dashboard"),
    path("requests/new/", reporter.request_new_view, name="request_new"),
    path("requests/news/seen/", reporter.news_seen_view, name="news_seen"),
    path("notifications/", notifications.notifications_view, name="notifications"),
    path("requests/import/", reporter.request_import_view, name="request_import"),
    path("requests/<str:case_id>/", reporter.case_view, name="case"),
    path("victims/", victims.victims_view, name="victims"),
    path("victims/<str:reference>/", victims.victim_view, name="victim"),
    path("requests/<str:case_id>/self-pin", selfservice.case_self_pin_view, name="case_self_pin"),
    path("requests/<str:case_id>/withdraw", selfservice.case_withdraw_view, name="case_withdraw"),
    path("requests/<str:case_id>/evidence.zip", evidence.case_evidence_view, name="case_evidence"),
    path("notices/<int:notice_id>/messages/", reporter.message_view, name="message"),
    path(
        "banks/entries/<int:entry_id>/review/",
        reporter.quarantine_review_view,
        name="quarantine_review",
    ),
    path("self-review/", selfreview.self_review_view, name="self_review"),
    path(
        "self-review/<int:held_id>/",
        selfreview.self_review_decide_view,
        name="self_review_decide",
    ),
    path("queue/", platform.queue_view, name="queue"),
    path("notices/<int:notice_id>/", platform.review_view, name="review"),
    path("notices/<int:notice_id>/items/<int:item_id>/act/", platform.act_view, name="act"),
    path("notices/<int:notice_id>/bulk/", platform.bulk_view, name="bulk"),
    path(
        "notices/<int:notice_id>/items/<int:item_id>/open/",
        platform.open_url_view,
        name="open_url",
    ),
    path("act/<int:notice_id>/<str:token>/", link.link_review_view, name="link"),
    path(
        "act/<int:notice_id>/<str:token>/items/<int:item_id>/act/",
        link.link_act_view,
        name="link_act",
    ),
    path("act/<int:notice_id>/<str:token>/bulk/", link.link_bulk_view, name="link_bulk"),
    path("act/<int:notice_id>/<str:token>/messages/", link.link_message_view, name="link_message"),
    path(
        "act/<int:notice_id>/<str:token>/items/<int:item_id>/open/",
        link.link_open_url_view,
        name="link_open_url",
    ),
    path("compliance/", compliance.index_view, name="compliance"),
    path("compliance/<int:platform_id>/", compliance.platform_view, name="compliance_platform"),
    path(
        "compliance/<int:platform_id>/report.csv",
        compliance.platform_csv_view,
        name="compliance_csv",
    ),
    path(
        "compliance/<int:platform_id>/report.zip",
        compliance.platform_zip_view,
        name="compliance_zip",
    ),
    path(
        "compliance/<int:platform_id>/evidence.zip",
        evidence.platform_evidence_view,
        name="compliance_evidence",
    ),
    path(
        "compliance/<int:platform_id>/report.pdf",
        compliance.platform_pdf_view,
        name="compliance_pdf",
    ),
]
