"""The public pages: the hub and one notice per audience."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from retention_schedule.page_model import base_page_model

from .admin_versions import LatestVersionPanel
from .blocks import RICH_TEXT_FEATURES, HubSectionsBlock, NoticeSectionsBlock
from .document import resolve_hub, resolve_notice
from .forms import NoticePageForm
from .registers import Audience

BasePage = base_page_model()


class PrivacyNoticeIndexPage(BasePage):
    """The hub, “How we use your information”: every notice by audience, and organisation-wide sections."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    sections = StreamField(
        HubSectionsBlock(),
        verbose_name=_("sections for everyone"),
        blank=True,
        help_text=_("What applies to every audience: your rights, complaints, contacting us, changes to our notices."),
    )

    content_panels = BasePage.content_panels + ["intro", "sections"]
    search_fields = BasePage.search_fields + [index.SearchField("intro"), index.SearchField("sections")]
    subpage_types = ["privacy_notices.PrivacyNoticePage"]
    template = "privacy_notices/privacy_notice_index_page.html"

    class Meta:
        verbose_name = _("privacy notices hub")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["hub"] = resolve_hub(self, request=request)
        return context


class PrivacyNoticePage(BasePage):
    """The privacy notice for one audience, built from typed sections and the DPO's registers."""

    audience = models.ForeignKey(
        Audience,
        verbose_name=_("audience"),
        on_delete=models.PROTECT,
        related_name="notices",
        help_text=_("Who this notice is for."),
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two plain sentences shown at the top and on the hub.")
    )
    sections = StreamField(NoticeSectionsBlock(), verbose_name=_("sections"), blank=True)
    # About the next publish; recorded in the version it creates (see versions.py).
    change_summary = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_("A sentence for the public history, e.g. “We now keep call recordings for 30 days, not 90”."),
    )
    material_change = models.BooleanField(
        _("this change matters to people"),
        default=True,
        help_text=_(
            "Tick when people are told something new (a new purpose, recipient or longer retention): "
            "“Last updated” moves. Untick for corrections that do not change what the notice says."
        ),
    )

    content_panels = BasePage.content_panels + [
        "audience",
        "summary",
        "sections",
        MultiFieldPanel([LatestVersionPanel(), "change_summary", "material_change"], heading=_("About this change")),
    ]
    base_form_class = NoticePageForm
    search_fields = BasePage.search_fields + [index.SearchField("summary"), index.SearchField("sections")]
    parent_page_types = ["privacy_notices.PrivacyNoticeIndexPage"]
    subpage_types = []
    template = "privacy_notices/privacy_notice_page.html"

    class Meta:
        verbose_name = _("privacy notice")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notice"] = resolve_notice(self, request=request)
        return context

    def serve(self, request, *args, **kwargs):
        """The notice; with ``?at=YYYY-MM-DD``, the version of it that was in force on that date."""
        if "at" in request.GET:
            from .history import as_of_view

            return as_of_view(self, request)
        return super().serve(request, *args, **kwargs)

    # The public history at the notice's own address (privacy_notices.urls routes to these).

    def serve_history(self, request):
        from .history import history_view

        return history_view(self, request)

    def serve_version(self, request, number):
        from .history import version_view

        return version_view(self, request, number)

    def serve_diff(self, request, old, new):
        from .history import diff_view

        return diff_view(self, request, old, new)
