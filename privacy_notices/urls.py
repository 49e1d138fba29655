"""The public history of each notice, at the notice's own address, and the registers beside the hub.

Include these before Wagtail's own URLs::

    urlpatterns = [
        ...
        path("", include("privacy_notices.urls")),
        path("", include(wagtail_urls)),
    ]

Wagtail's catch-all pattern only matches ``[\\w-]`` segments, so these
addresses never reach it: each pattern routes its page path the way
``wagtail.views.serve`` does (see ``privacy_notices.history``) and 404s unless
it leads to a live privacy notice.
"""

from django.urls import re_path

from .history import serve_notice_view

# A page's path as Wagtail serves it, with or without its trailing slash
# ("privacy/complainants/" or "privacy/complainants", for WAGTAIL_APPEND_SLASH = False).
PAGE_PATH = r"(?P<path>(?:[\w-]+/)*(?:[\w-]+)?)"

urlpatterns = [
    re_path(
        rf"^{PAGE_PATH}@history/?$",
        serve_notice_view,
        {"view": "serve_history"},
        name="privacy_notice_history",
    ),
    re_path(
        rf"^{PAGE_PATH}@history/(?P<number>[0-9]+)/?$",
        serve_notice_view,
        {"view": "serve_version"},
        name="privacy_notice_version",
    ),
    re_path(
        rf"^{PAGE_PATH}@diff/(?P<old>[0-9]+)/(?P<new>[0-9]+)/?$",
        serve_notice_view,
        {"view": "serve_diff"},
        name="privacy_notice_diff",
    ),
    # <hub>@processors and <hub>@cookies: the processor register and the cookie declarations.
    re_path(rf"^{PAGE_PATH}@processors/?$", serve_notice_view, {"view": "serve_processors"}, name="privacy_processors"),
    re_path(rf"^{PAGE_PATH}@cookies/?$", serve_notice_view, {"view": "serve_cookies"}, name="privacy_cookies"),
]
