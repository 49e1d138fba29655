from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet

from . import dashboard  # noqa: F401  (registers the dashboard panels)
from .admin_versions import NoticeVersionDocumentView, NoticeVersionsMenuItem, NoticeVersionsView
from .approval import OVERRIDE_LOG_ACTION, OVERRIDE_PERMISSION, REASON_FIELD, is_notice, record_override
from .compliance import missing_items, notice_report, reports_for_notices
from .importing import IMPORT_LOG_ACTION
from .pages import PrivacyNoticePage
from .register_admin import PrivacyRegistersGroup
from .versions import NoticeVersion

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


@hooks.register("before_publish_page")
def keep_the_reason_for_publishing_with_gaps(request, page):
    """A DPO publishing a notice with gaps from the editor: keep the reason the form required, for this revision.

    The form (``NoticePageForm``) has already refused the publish if a reason was
    needed and not given, or given by someone without the permission.
    """
    if not is_notice(page):
        return None
    reason = (request.POST.get(REASON_FIELD) or "").strip()
    if not reason or not request.user.has_perm(OVERRIDE_PERMISSION):
        return None
    report = notice_report(page)
    if missing_items(report):
        record_override(
            page, revision=page.latest_revision, report=report, reason=reason, user=request.user, via="publish"
        )
    return None


@hooks.register("register_log_actions")
def register_compliance_log_actions(actions):
    @actions.register_action(OVERRIDE_LOG_ACTION)
    class ComplianceOverrideFormatter(LogFormatter):
        label = _("Publish with compliance gaps")

        def format_message(self, log_entry):
            gaps = "; ".join(
                f"{'/'.join(gap.get('articles', []))} {gap.get('title', '')}".strip()
                for gap in log_entry.data.get("gaps", [])
            )
            return _("Published with gaps (%(gaps)s)") % {"gaps": gaps}

        def format_comment(self, log_entry):
            return log_entry.data.get("reason", "")

    @actions.register_action(IMPORT_LOG_ACTION)
    class ImportFormatter(LogFormatter):
        label = _("Import from a privacy policy")

        def format_message(self, log_entry):
            source = log_entry.data.get("source") or _("a pasted policy")
            quotes = log_entry.data.get("quotes") or []
            if quotes:
                said = "; ".join(f"“{quote.get('text', '')}”" for quote in quotes)
                return _("Proposed by the import of %(source)s, which says: %(said)s") % {
                    "source": source,
                    "said": said,
                }
            return _("Drafted by the import of %(source)s") % {"source": source}


@hooks.register("before_bulk_action")
def refuse_bulk_publishing_notices_with_gaps(request, action_type, objects, action_class_instance):
    """The explorer's bulk publish skips the editor's form and the DPO's task: it may not publish gaps.

    Nothing is published if any notice it would publish (those chosen and, with
    "include descendants", the drafts under them) has a missing item; the notices
    are named so they can be completed or approved one by one with a reason.
    """
    if action_type != "publish" or not objects or not hasattr(objects[0], "get_descendants"):
        return None
    form = getattr(action_class_instance, "cleaned_form", None)
    with_descendants = bool(form and form.cleaned_data.get("include_descendants"))
    notices = PrivacyNoticePage.objects.none()
    for page in objects:
        if with_descendants:
            notices |= PrivacyNoticePage.objects.descendant_of(page, inclusive=True)
        else:
            notices |= PrivacyNoticePage.objects.filter(pk=page.pk)
    reports = reports_for_notices(notices)
    titles = sorted(notice.title for notice in notices if not reports[notice.pk]["complete"])
    if not titles:
        return None
    messages.error(
        request,
        _(
            "Nothing was published: %(titles)s %(verb)s missing items the law requires. Complete them, or publish "
            "each from its editor with a reason for publishing with gaps."
        )
        % {
            "titles": get_text_list([f"“{title}”" for title in titles], _("and")),
            "verb": _("is") if len(titles) == 1 else _("are"),
        },
    )
    # The explorer sends "next"; without it Wagtail would go back to this address, which needs the
    # chosen ids: go to where the first page chosen is listed instead.
    if action_class_instance.next_url != request.path:
        return redirect(action_class_instance.next_url)
    return redirect("wagtailadmin_explore", objects[0].get_parent().pk)


@hooks.register("before_copy_page")
def refuse_publishing_copies_of_notices_with_gaps(request, page):
    """Copying with "publish copies", or making an alias (which is live), publishes without the DPO's reason.

    Refused, copying nothing, when a notice that would go live that way has a
    missing item; an unpublished copy is fine, and goes through approval.
    """
    if request.method != "POST":
        return None
    publishing = request.POST.get("publish_copies") or request.POST.get("alias")
    if not publishing:
        return None
    notices = PrivacyNoticePage.objects.filter(pk=page.pk)
    if request.POST.get("copy_subpages"):
        notices = PrivacyNoticePage.objects.descendant_of(page, inclusive=True)
    notices = list(notices.live())
    reports = reports_for_notices(notices)
    titles = sorted(notice.title for notice in notices if not reports[notice.pk]["complete"])
    if not titles:
        return None
    messages.error(
        request,
        _(
            "Nothing was copied: %(titles)s would go live with missing items the law requires. Copy without "
            "publishing, then complete the copy or have it approved with a reason."
        )
        % {"titles": get_text_list([f"“{title}”" for title in titles], _("and"))},
    )
    return redirect("wagtailadmin_pages:copy", page.pk)


@hooks.register("register_admin_urls")
def register_policy_import_urls():
    """Import an existing privacy policy as draft notices: the form and preview, and the confirmation."""
    # Imported here, as the schedule's importer is: the importer loads only when the admin's URLs do.
    from .admin_import import PolicyImportConfirmView, PolicyImportView

    urls = [
        path("", PolicyImportView.as_view(), name="import"),
        path("confirm/", PolicyImportConfirmView.as_view(), name="confirm"),
    ]
    return [
        path(
            "privacy-notices/import/",
            include((urls, "privacy_notices_import"), namespace="privacy_notices_import"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_policy_import_menu_item():
    from django.urls import reverse_lazy

    from .admin_import import PolicyImportMenuItem

    return PolicyImportMenuItem(
        _("Import a privacy policy"),
        reverse_lazy("privacy_notices_import:import"),
        name="import-privacy-policy",
        icon_name="upload",
        order=305,
    )
