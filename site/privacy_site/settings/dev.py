"""The local demo: `make demo`."""

from .base import *  # noqa: F403

DEBUG = True
# A fixed key is fine for a demo bound to 127.0.0.1; production.py requires a real one.
SECRET_KEY = "demo-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
