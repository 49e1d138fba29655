"""Wagtail API v2 for the notices and the registers: only live content, only public fields."""

from wagtail.api.v2.router import WagtailAPIRouter

api_router = WagtailAPIRouter("privacy_notices_api")
