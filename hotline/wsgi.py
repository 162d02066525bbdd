"""WSGI entry point for production servers; it refuses to load without its two keys."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
application = get_wsgi_application()

from hotline.startup import require_audit_signing_key, require_secret_key  # noqa: E402

require_secret_key()
require_audit_signing_key()
