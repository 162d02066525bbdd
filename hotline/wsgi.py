"""WSGI entry point for production servers; it refuses to load without a real secret key."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
application = get_wsgi_application()

from hotline.startup import require_secret_key  # noqa: E402  (needs the settings loaded)

require_secret_key()
