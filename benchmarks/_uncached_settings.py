"""The production settings with the plugin's caches turned off, for serve_notices.py's rows marked with '.

They show what the views cost by themselves, beside what the cache makes of them.
"""

from privacy_site.settings.production import *  # noqa: F403

PRIVACY_NOTICES_CACHE = None
