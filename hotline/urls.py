"""URL map: the API under /api/, the read-only admin under /admin/."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import path

from hotline.api import api


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "<h1>hotline</h1><p><a href='/api/docs'>API docs</a> · <a href='/admin/'>admin</a></p>"
    )


urlpatterns = [
    path("", home),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
