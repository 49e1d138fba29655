"""Read-only admin views of a notice's published versions.

Anyone who can edit a notice can see its versions, newest first, with links to
each as the public read it and to what changed from the one before; a DPO can
read the document a version recorded, as JSON, for an audit. Nothing here
writes: versions are a permanent record (see versions.py), so these views
answer GET and HEAD only.
"""

import json

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.panels import Panel
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import BaseColumn, Column
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.views.pages.utils import get_breadcrumbs_items_for_page
from wagtail.admin.widgets.button import HeaderButton

from .versions import NoticeVersion

VERSIONS_URL_NAME = "privacy_notices_admin:notice_versions"
DOCUMENT_URL_NAME = "privacy_notices_admin:notice_version_document"

# Date, time and zone: an audit must never wonder which clock a time was read on.
PUBLISHED_AT_FORMAT = "j M Y, H:i T"


def public_history_url(notice_url: str, number: int) -> str:
    """The public address of version ``number`` of the notice at ``notice_url``."""
    return f"{notice_url}@history/{number}"


def public_diff_url(notice_url: str, older: int, newer: int) -> str:
    """The public address of what changed between two versions of the notice at ``notice_url``."""
    return f"{notice_url}@diff/{older}/{newer}"


def published_at_in_site_time(version: NoticeVersion) -> str:
    """When ``version`` was published, on the site's clock (TIME_ZONE), whatever the admin user's zone."""
    return dateformat.format(
        timezone.localtime(version.published_at, timezone.get_default_timezone()), PUBLISHED_AT_FORMAT
    )


def notice_model():
    # Looked up when needed, not imported: pages.py may import LatestVersionPanel from here.
    return apps.get_model("privacy_notices", "PrivacyNoticePage")


def is_notice(page) -> bool:
    """Whether ``page`` (specific or not) is a privacy notice, without a query."""
    specific_class = page.specific_class
    return specific_class is not None and issubclass(specific_class, notice_model())


class NoticeAdminViewMixin:
    """A view of one notice (``page_id`` in the URL), for users who can edit it; read only."""

    # A permanent record: nothing here accepts a write, so other methods answer 405.
    http_method_names = ["get", "head"]
    header_icon = "list-ol"

    def get(self, request, *args, **kwargs):
        if not self.object.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    @cached_property
    def object(self):
        return get_object_or_404(notice_model(), pk=self.kwargs["page_id"])

    @cached_property
    def notice_url(self):
        """The notice's public address; None when no site serves it."""
        return self.object.get_url(request=self.request)

    @cached_property
    def versions_url(self):
        return reverse(VERSIONS_URL_NAME, args=(self.object.pk,))

    def get_page_subtitle(self):
        return self.object.get_admin_display_title()

    def page_breadcrumbs(self):
        return get_breadcrumbs_items_for_page(self.object, self.request.user)

    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                label=gettext("Edit"), url=reverse("wagtailadmin_pages:edit", args=(self.object.pk,)), icon_name="edit"
            )
        ]


class PublishedAtColumn(Column):
    cell_template_name = "privacy_notices/admin/published_at_cell.html"

    def get_value(self, instance):
        return published_at_in_site_time(instance)

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["iso"] = instance.published_at.isoformat()
        return context


class VersionLinksColumn(BaseColumn):
    """The version as the public read it, what changed from the one before, and its recorded document."""

    cell_template_name = "privacy_notices/admin/version_links_cell.html"

    def __init__(self, name, *, notice, notice_url, **kwargs):
        super().__init__(name, **kwargs)
        self.notice = notice
        self.notice_url = notice_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        number = instance.number
        if self.notice_url:
            context["as_published_url"] = public_history_url(self.notice_url, number)
            if number > 1:
                context["compare_url"] = public_diff_url(self.notice_url, number - 1, number)
        context["document_url"] = reverse(DOCUMENT_URL_NAME, args=(self.notice.pk, number))
        return context


class OverrideColumn(BaseColumn):
    """For a version published although its compliance report had gaps: the gaps, the reason and who gave it."""

    cell_template_name = "privacy_notices/admin/override_cell.html"

    def __init__(self, name, *, overrides, **kwargs):
        super().__init__(name, **kwargs)
        self.overrides = overrides

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["override"] = self.overrides.get(instance.revision_id) if instance.revision_id else None
        return context


class NoticeVersionsView(NoticeAdminViewMixin, BaseListingView):
    """A notice's published versions, newest first."""

    template_name = "privacy_notices/admin/notice_versions.html"
    page_title = gettext_lazy("Versions")
    paginate_by = 50
    verbose_name = NoticeVersion._meta.verbose_name
    verbose_name_plural = NoticeVersion._meta.verbose_name_plural

    @cached_property
    def columns(self):
        return [
            Column("number", label=gettext_lazy("Version")),
            PublishedAtColumn("published_at", label=gettext_lazy("Published at")),
            Column(
                "material",
                label=gettext_lazy("Material change"),
                accessor=lambda version: gettext("Yes") if version.material else gettext("No"),
            ),
            Column("summary", label=gettext_lazy("What changed")),
            Column("cause", label=gettext_lazy("Cause"), accessor=lambda version: version.get_cause_display()),
            Column(
                "recorded_by",
                label=gettext_lazy("Recorded by"),
                accessor=lambda version: version.recorded_by or "—",
            ),
            OverrideColumn("override", label=gettext_lazy("Published with gaps"), overrides=self.overrides),
            VersionLinksColumn("links", label=gettext_lazy("Links"), notice=self.object, notice_url=self.notice_url),
        ]

    @cached_property
    def overrides(self) -> dict:
        """The reasons given for publishing with compliance gaps, by the revision they were given for."""
        from .approval import ComplianceOverride

        return {override.revision_id: override for override in ComplianceOverride.objects.filter(notice=self.object)}

    def get_base_queryset(self):
        # The recorded documents are the bulk of each row, and the listing shows none of them.
        return NoticeVersion.objects.filter(notice=self.object).defer("document", "content_hash")

    def order_queryset(self, queryset):
        return queryset.order_by("-number")

    def get_index_url(self):  # the base of the pagination links
        return self.versions_url

    @cached_property
    def no_results_message(self):
        return gettext("This notice has not been published yet: it has no versions.")

    def get_breadcrumbs_items(self):
        return self.page_breadcrumbs() + [
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()}
        ]


class NoticeVersionDocumentView(NoticeAdminViewMixin, WagtailAdminTemplateMixin, TemplateView):
    """The document a version recorded, exactly as stored: the notice as the public read it."""

    template_name = "privacy_notices/admin/notice_version_document.html"

    @cached_property
    def version(self):
        return get_object_or_404(NoticeVersion, notice=self.object, number=self.kwargs["number"])

    def get_page_title(self):
        return gettext("Version %(number)s") % {"number": self.version.number}

    def get_breadcrumbs_items(self):
        return self.page_breadcrumbs() + [
            {"url": self.versions_url, "label": gettext("Versions")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    @cached_property
    def header_buttons(self):
        return [HeaderButton(label=gettext("All versions"), url=self.versions_url, icon_name="list-ol")]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.version
        context.update(
            notice=self.object,
            version=version,
            published_at=published_at_in_site_time(version),
            as_published_url=public_history_url(self.notice_url, version.number) if self.notice_url else None,
            document_json=json.dumps(version.document, indent=2, ensure_ascii=False),
        )
        return context


class NoticeVersionsMenuItem(PageMenuItem):
    """“Versions”, in a notice's header and listing menus, for users who can edit it."""

    label = gettext_lazy("Versions")
    icon_name = "list-ol"
    url_name = VERSIONS_URL_NAME

    def is_shown(self, user):
        return is_notice(self.page) and self.page.permissions_for_user(user).can_edit()


class LatestVersionPanel(Panel):
    """The notice's latest version and its summary, with a link to all of them.

    For a notice's edit form, e.g. beside “About this change”; it shows
    nothing for a notice that has never been published.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "privacy_notices/admin/latest_version_panel.html"

        @cached_property
        def latest(self):
            if not self.instance.pk:
                return None
            return (
                NoticeVersion.objects.filter(notice_id=self.instance.pk)
                .only("number", "published_at", "summary", "material")
                .order_by("-number")
                .first()
            )

        def is_shown(self):
            return self.latest is not None and super().is_shown()

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(
                latest=self.latest,
                published_at=published_at_in_site_time(self.latest),
                versions_url=reverse(VERSIONS_URL_NAME, args=(self.instance.pk,)),
            )
            return context
