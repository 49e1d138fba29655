from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Wagtail's API v2 (/api/v2/) and the OpenAPI document of every JSON answer (/api/openapi.json).
    path("api/", include("privacy_notices.api_urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [
    # The demo site is about its notices: the front door is the hub.
    path("", RedirectView.as_view(url="/privacy/", permanent=False), name="home"),
    # Each notice's history (<notice>@history, @history/<n>, @diff/<a>/<b>): before Wagtail's catch-all.
    path("", include("privacy_notices.urls")),
    path("", include(wagtail_urls)),
]

# Errors answer in JSON when JSON was asked for (headless clients), else as the usual pages.
handler404 = "privacy_notices.errors.page_not_found"
handler500 = "privacy_notices.errors.server_error"
