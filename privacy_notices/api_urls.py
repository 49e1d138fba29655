"""The headless API: Wagtail's API v2 and the OpenAPI document describing every JSON answer.

Include under ``api/``::

    path("api/", include("privacy_notices.api_urls")),
"""

from django.urls import path

from .api import api_router
from .openapi import openapi_view

urlpatterns = [
    path("v2/", api_router.urls),
    path("openapi.json", openapi_view, name="privacy_notices_openapi"),
]
