"""The public pages: the hub and one notice per audience."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from retention_schedule.conditional import finish_public_response
from retention_schedule.negotiation import HTML, not_acceptable, requested_format
from retention_schedule.page_model import base_page_model

from .admin_compliance import ComplianceReportPanel
from .admin_versions import LatestVersionPanel
from .api_schema import HubDocumentField, NoticeDocumentField
from .approval import OVERRIDE_PERMISSION, REASON_FIELD
from .blocks import RICH_TEXT_FEATURES, HubSectionsBlock, NoticeSectionsBlock
from .caching import cached_document
from .document import resolve_hub, resolve_notice
from .forms import NoticePageForm
from .headless import RegisterAddresses, hub_url_of_notice
from .registers import Audience
from .serving import (
    HUB_FORMATS,
    NOTICE_FORMATS,
    alternate_links,
    hub_data,
    is_public,
    json_response,
    notice_response,
    parse_moment,
)

BasePage = base_page_model()

# The request attribute holding the hub Wagtail fetched while routing to one of its notices.
ROUTED_HUB = "privacy_notices_routed_hub"


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
    # Public surface of the API v2 (privacy_notices.api): the hub's resolved JSON is detail only.
    api_fields = ["intro", APIField("hub", serializer=HubDocumentField())]

    class Meta:
        verbose_name = _("privacy notices hub")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["hub"] = self.document(request)
        context["registers"] = RegisterAddresses.find(request, self.get_url(request=request))
        context["alternates"] = alternate_links(request, self.get_url(request=request), HUB_FORMATS)
        return context

    def serve(self, request, *args, **kwargs):
        """The hub as HTML, or as JSON (``?format=json`` or ``Accept: application/json``)."""
        form = requested_format(request, HUB_FORMATS)
        if form is None:
            return finish_public_response(request, not_acceptable(request, HUB_FORMATS))
        if form == HTML:
            response = super().serve(request, *args, **kwargs)
            response.render()
            hub = response.context_data["hub"]
        else:
            hub = self.document(request)
            response = json_response(hub_data(self, request, hub))
        return finish_public_response(
            request, response, last_modified=parse_moment(hub.get("published_at")), public=is_public(self)
        )

    def document(self, request) -> dict:
        """The hub's resolved document, from the cache while this version and the registers stand."""
        return cached_document("hub", self, request, lambda: resolve_hub(self, request=request))

    def get_cached_paths(self):
        # What Wagtail's frontend cache purges for the hub (see privacy_notices.purging).
        registers = ["@processors/", "@cookies/"]
        forms = ["", "?format=json", "?format=csv"]
        return ["/", "?format=json"] + [register + form for register in registers for form in forms]

    def route(self, request, path_components):
        # Remembered so a notice's JSON can read the hub's rights for its compliance report without
        # fetching the hub again.
        setattr(request, ROUTED_HUB, self)
        return super().route(request, path_components)

    # The public registers beside the hub (privacy_notices.urls routes to these).

    def serve_processors(self, request):
        from .public_registers import processors_view

        return processors_view(self, request)

    def serve_cookies(self, request):
        from .public_registers import cookies_view

        return cookies_view(self, request)


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

    # Set by the importer (privacy_notices.importing): the date the policy it came from was last updated.
    imported_last_updated = models.DateField(
        _("last updated, as imported"),
        null=True,
        blank=True,
        help_text=_(
            "The date the policy this notice was imported from says it was last updated. The first published "
            "version keeps it as its date, so “Last updated” stays true to what people were told. Clear it if "
            "the notice now says something new. Not used once the notice has a published version."
        ),
    )

    content_panels = BasePage.content_panels + [
        "audience",
        "summary",
        "sections",
        ComplianceReportPanel(heading=_("Compliance with Articles 13 and 14")),
        MultiFieldPanel(
            [
                LatestVersionPanel(),
                "change_summary",
                "material_change",
                "imported_last_updated",
                # Only those who may publish with gaps see it (the DPO group); see approval.py.
                FieldPanel(REASON_FIELD, permission=OVERRIDE_PERMISSION),
            ],
            heading=_("About this change"),
        ),
    ]
    base_form_class = NoticePageForm
    # A copy (say, reused for another audience) says something new: it does not inherit the imported date.
    exclude_fields_in_copy = ["imported_last_updated"]
    search_fields = BasePage.search_fields + [index.SearchField("summary"), index.SearchField("sections")]
    parent_page_types = ["privacy_notices.PrivacyNoticeIndexPage"]
    subpage_types = []
    template = "privacy_notices/privacy_notice_page.html"
    # Public surface of the API v2 (privacy_notices.api). Not the raw sections (they hold the ids of
    # draft entries too) nor change_summary/material_change (they are about the next publish).
    api_fields = ["audience", "summary", APIField("notice", serializer=NoticeDocumentField())]

    class Meta:
        verbose_name = _("privacy notice")
        permissions = [("override_compliance", "Can publish a privacy notice with compliance gaps, giving a reason")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notice"] = self.document(request)
        context["registers"] = RegisterAddresses.find(request, hub_url_of_notice(self.get_url(request=request)))
        context["alternates"] = alternate_links(request, self.get_url(request=request), NOTICE_FORMATS)
        return context

    def serve(self, request, *args, **kwargs):
        """The notice as HTML, JSON or JSON-LD; with ``?at=YYYY-MM-DD``, the version in force on that date."""
        form = requested_format(request, NOTICE_FORMATS)
        if form is None:
            return finish_public_response(request, not_acceptable(request, NOTICE_FORMATS))
        if "at" in request.GET:
            from .history import as_of_view

            return as_of_view(self, request, form)
        if form == HTML:
            response = super().serve(request, *args, **kwargs)
            response.render()
            document = response.context_data["notice"]
        else:
            document = self.document(request)
            response = notice_response(self, request, document, form)
        return finish_public_response(
            request, response, last_modified=parse_moment(document.get("published_at")), public=is_public(self)
        )

    def document(self, request) -> dict:
        """The notice's resolved document, from the cache while this version and the registers stand."""
        return cached_document("notice", self, request, lambda: resolve_notice(self, request=request))

    def get_cached_paths(self):
        # What Wagtail's frontend cache purges for the notice (see privacy_notices.purging).
        return ["/", "?format=json", "?format=jsonld", "@history/", "@history/?format=json"]

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
