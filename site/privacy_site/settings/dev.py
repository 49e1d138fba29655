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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Two saves at once (Wagtail's autosave and the editor's Submit) would otherwise fail with "database is
    # locked": each request's transaction takes the write lock when it starts, and waits up to 20 s for it.
    # That makes the demo's requests take turns, which is fine for one person at a time; production
    # uses PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})  # noqa: F405

# The demo is one runserver process: a cache of its own is the right one (see the check's message).
SILENCED_SYSTEM_CHECKS = ["privacy_notices.W001"]

# An error's traceback goes to the console with DEBUG off too, so the browser tests' server log says why.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
