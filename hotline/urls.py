"""URL map: the API under /api/, the admin under /admin/, probes and metrics, the web pages at /."""

from django.contrib import admin
from django.urls import include, path

from hotline.api import api
from hotline.banks.shards import SHARD_PATH, match_shard
from hotline.ops import views as ops

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", ops.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path(SHARD_PATH.lstrip("/"), match_shard, name="match-shard"),  # shard matchers only
    path("", include("hotline.web.urls")),
]

# JSON under /api/, pages elsewhere; a database outage is a 503 with Retry-After.
handler400 = "hotline.core.error_views.bad_request"
handler403 = "hotline.core.error_views.permission_denied"
handler404 = "hotline.core.error_views.page_not_found"
handler500 = "hotline.core.error_views.server_error"
