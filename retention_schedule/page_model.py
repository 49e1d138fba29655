"""The page model this project's page types inherit from.

Wagtail 8 lets a host project swap its base page model (``WAGTAIL_PAGE_MODEL``).
A reusable app must inherit from whatever the host chose, not from
``wagtail.models.Page``. The host's base page app must come before this app in
``INSTALLED_APPS`` so its model is registered when ours are defined.
"""

import swapper

# Same prefix Wagtail sets, so the setting is WAGTAIL_PAGE_MODEL (this module may
# be imported before wagtail.models has set it).
swapper.set_app_prefix("wagtailcore", "wagtail")


def base_page_model():
    """Return the concrete base page class of this project (swapped or Wagtail's own)."""
    if swapper.is_swapped("wagtailcore", "Page"):
        return swapper.load_model("wagtailcore", "Page", require_ready=False)
    from wagtail.models import Page

    return Page
