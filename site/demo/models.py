"""The demo site's own page type, beside the plugin's."""

from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.search import index

from retention_schedule.page_model import base_page_model

# The host project's base page model (WAGTAIL_PAGE_MODEL), as the plugin's page types use.
BasePage = base_page_model()


class ContentPage(BasePage):
    """An ordinary Wagtail page: a title and a rich-text body, as most sites have; the serving benchmark's baseline."""

    body = RichTextField(_("body"), blank=True)

    content_panels = BasePage.content_panels + ["body"]
    search_fields = BasePage.search_fields + [index.SearchField("body")]
    template = "demo/content_page.html"

    class Meta:
        verbose_name = _("content page")
