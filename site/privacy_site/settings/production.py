"""Production: PostgreSQL through DATABASE_URL, secrets from the environment."""

import os

from .base import *  # noqa: F403

if not os.environ.get("DATABASE_URL"):
    # base.py falls back to the demo's SQLite file; production must say where its database is.
    raise RuntimeError("Set DATABASE_URL, e.g. postgres://user:password@db-host:5432/privacy")

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
