"""URL map: the API under /api/, the read-only admin under /admin/, the web pages at /."""

from django.contrib import admin
from django.urls import include, path

from hotline.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("hotline.web.urls")),
]
