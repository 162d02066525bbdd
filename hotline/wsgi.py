"""WSGI entry point for production servers; it refuses to load without its two keys.

A read-only POST /api/match is answered in front of Django by hotline.lean_match (the same
checks and the same answer; HOTLINE_LEAN_MATCH=off turns it off); every other request, and
every such call it does not answer itself, goes to Django unchanged.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
django_application = get_wsgi_application()

from hotline.lean_match import LeanMatch  # noqa: E402  (after Django is set up)
from hotline.startup import require_audit_signing_key, require_secret_key  # noqa: E402

application = LeanMatch(django_application)

require_secret_key()
require_audit_signing_key()
