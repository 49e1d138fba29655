from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import InUseAwareDeleteView
from .in_use import live_uses, refusal_message
from .models import RetentionRule


class RetentionRuleViewSet(SnippetViewSet):
    model = RetentionRule
    icon = "time"
    menu_label = _("Retention schedule")
    menu_order = 310
    add_to_admin_menu = True
    delete_view_class = InUseAwareDeleteView
    list_display = [
        "record_class",
        "code",
        Column("summary", label=_("Kept for")),
        "business_function",
        UpdatedAtColumn(),
        LiveStatusTagColumn(),
    ]
    list_filter = ["period_type", "disposal_action", "business_function", "live"]
    search_fields = ["record_class", "code", "description", "data_categories"]
    # Search these fields with the ORM: the SQLite search backend fails on a search
    # limited to chosen fields ("no such column", wagtail/django-modelsearch#47).
    search_backend_name = None
    ordering = ["business_function", "record_class"]


register_snippet(RetentionRuleViewSet)


@hooks.register("before_bulk_action")
def refuse_bulk_delete_of_entries_in_use(request, action_type, objects, action_class_instance):
    """Bulk deletes of register entries stop, changing nothing, if any entry is shown live."""
    if action_type != "delete":
        return None
    uses = live_uses(objects)
    if not uses:
        return None
    for entry in objects:
        if entry.pk in uses:
            messages.error(request, refusal_message(entry, uses[entry.pk]))
    return redirect(action_class_instance.next_url)
