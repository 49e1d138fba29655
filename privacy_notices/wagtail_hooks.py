from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from retention_schedule.admin_views import InUseAwareDeleteView

from .admin_versions import NoticeVersionDocumentView, NoticeVersionsMenuItem, NoticeVersionsView
from .pages import PrivacyNoticePage
from .registers import Audience, CookieDeclaration, Processor
from .versions import NoticeVersion


class ProcessorViewSet(SnippetViewSet):
    model = Processor
    icon = "group"
    menu_label = _("Processors and recipients")
    delete_view_class = InUseAwareDeleteView
    list_display = [
        "name",
        "service",
        "role",
        Column("countries_text", label=_("Data held in"), accessor="countries_text"),
        "transfer_safeguard",
        UpdatedAtColumn(),
        LiveStatusTagColumn(),
    ]
    list_filter = ["role", "transfer_safeguard", "live"]
    search_fields = ["name", "service", "slug"]
    # Search these fields with the ORM (every viewset here does): registers are
    # small, and the SQLite search backend fails on a search limited to chosen
    # fields ("no such column", wagtail/django-modelsearch#47).
    search_backend_name = None
    ordering = ["name"]


class CookieDeclarationViewSet(SnippetViewSet):
    model = CookieDeclaration
    icon = "tasks"
    menu_label = _("Cookies")
    delete_view_class = InUseAwareDeleteView
    list_display = ["name", "category", "provider", "lifetime", "party", UpdatedAtColumn(), LiveStatusTagColumn()]
    list_filter = ["category", "party", "live"]
    search_fields = ["name", "purpose"]
    search_backend_name = None
    ordering = ["category", "name"]

    def get_queryset(self, request):
        return CookieDeclaration.objects.select_related("provider")


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "user"
    menu_label = _("Audiences")
    list_display = ["name", "slug", "data_subject"]
    list_filter = ["data_subject"]
    search_fields = ["name"]
    search_backend_name = None


class PrivacyRegistersGroup(SnippetViewSetGroup):
    items = (ProcessorViewSet, CookieDeclarationViewSet, AudienceViewSet)
    menu_icon = "lock"
    menu_label = _("Privacy registers")
    menu_name = "privacy-registers"
    menu_order = 300


register_snippet(PrivacyRegistersGroup)


def _notices_with_history(pages) -> list[str]:
    """Titles of the notices among ``pages`` and their descendants that have a public history."""
    notices = PrivacyNoticePage.objects.none()
    for page in pages:
        notices |= PrivacyNoticePage.objects.descendant_of(page, inclusive=True)
    with_history = NoticeVersion.objects.filter(notice__in=notices.values("pk")).values("notice")
    return list(PrivacyNoticePage.objects.filter(pk__in=with_history).values_list("title", flat=True))


def _refuse_deleting_history(request, titles):
    messages.error(
        request,
        _("%(titles)s cannot be deleted: published privacy notices keep their public history. Unpublish them instead.")
        % {"titles": get_text_list([f"“{title}”" for title in titles], _("and"))},
    )


@hooks.register("before_delete_page")
def keep_notices_that_have_a_public_history(request, page):
    """A notice that has been published keeps its history: unpublish it instead of deleting it."""
    titles = _notices_with_history([page])
    if titles:
        _refuse_deleting_history(request, titles)
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


@hooks.register("before_bulk_action")
def keep_notices_that_have_a_public_history_in_bulk(request, action_type, objects, action_class_instance):
    """The same for the explorer's bulk delete, which does not run before_delete_page; nothing is deleted."""
    if action_type != "delete" or not objects or not hasattr(objects[0], "get_descendants"):
        return None
    titles = _notices_with_history(objects)
    if titles:
        _refuse_deleting_history(request, titles)
        return redirect(action_class_instance.next_url)
    return None


@hooks.register("register_admin_urls")
def register_notice_versions_urls():
    """Read-only views of a notice's versions. There is deliberately no view that edits or deletes one."""
    urls = [
        path("notices/<int:page_id>/versions/", NoticeVersionsView.as_view(), name="notice_versions"),
        path(
            "notices/<int:page_id>/versions/<int:number>/document/",
            NoticeVersionDocumentView.as_view(),
            name="notice_version_document",
        ),
    ]
    return [path("privacy-notices/", include((urls, "privacy_notices_admin"), namespace="privacy_notices_admin"))]


@hooks.register("register_page_header_buttons")
def notice_versions_header_button(page, user, view_name, next_url=None):
    yield NoticeVersionsMenuItem(page=page, priority=66)  # just after Wagtail's "History"


@hooks.register("register_page_listing_more_buttons")
def notice_versions_listing_button(page, user, next_url=None):
    yield NoticeVersionsMenuItem(page=page, priority=55)  # just after Wagtail's "History"
