"""The test suite with a host project's own base page model (Wagtail 8's WAGTAIL_PAGE_MODEL).

Proves the plugin's page types and migrations follow a swapped base page. Uses
the base page app that ships with Wagtail for its own tests.
"""

from .test import *  # noqa: F403
from .test import INSTALLED_APPS

# The base page app must come before the plugin's apps (see README).
INSTALLED_APPS = ["wagtail.test.basepage", *INSTALLED_APPS]
WAGTAIL_PAGE_MODEL = "basepage.BasePage"
