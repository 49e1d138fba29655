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

# One cache shared by every process and host: the notices' cached answers and the generation that
# invalidates them live here (privacy_notices.caching). Without REDIS_URL each process keeps its own,
# which is only right for a single process.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }
