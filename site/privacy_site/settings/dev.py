"""The local demo: `make demo`."""

import os

from .base import *  # noqa: F403

# DJANGO_DEBUG=false shows the demo as production would (its own 404 page, no debug pages); serve static files
# then with `runserver --insecure`. The browser tests do that.
DEBUG = os.environ.get("DJANGO_DEBUG", "true").lower() not in ("0", "false", "no")
# A fixed key is fine for a demo bound to 127.0.0.1; production.py requires a real one.
SECRET_KEY = "demo-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
# Wagtail emails the DPO group when a notice is submitted, and the editor when it is approved or sent
# back. The demo has no mail server: each message is written to a file in var/mail/ instead.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
