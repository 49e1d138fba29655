import os
import sys
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parents[1]
sys.path[:0] = [p for p in (str(SITE_DIR), str(SITE_DIR.parent)) if p not in sys.path]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_site.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
