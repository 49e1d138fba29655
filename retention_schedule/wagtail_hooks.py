from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import (
    CalculatorView,
    InUseAwareDeleteView,
    RetentionRuleEditView,
    RetentionRuleFilterSet,
    RetentionRuleIndexView,
)
from .choosers import RegisterChooserViewSet
from .in_use import live_uses, refusal_message
from .models import RetentionRule


class RetentionRuleViewSet(SnippetViewSet):
    model = RetentionRule
    # Only people allowed to see the register may open its chooser (Wagtail's checks admin access only).
    chooser_viewset_class = RegisterChooserViewSet
    icon = "time"
    menu_label = _("Retention schedule")
    menu_order = 310
    add_to_admin_menu = True
    index_view_class = RetentionRuleIndexView
    edit_view_class = RetentionRuleEditView
    delete_view_class = InUseAwareDeleteView
    calculator_view_class = CalculatorView
    # The checks' summary sits above the listing; the Findings column and filter come with the view.
    index_template_name = "retention_schedule/admin/listing_index.html"
    list_display = [
        "record_class",
        "code",
        Column("summary", label=_("Kept for")),
        "business_function",
        UpdatedAtColumn(),
        LiveStatusTagColumn(),
    ]
    # Its fields: needs attention, period_type, disposal_action, business_function, live.
    filterset_class = RetentionRuleFilterSet
    search_fields = ["record_class", "code", "description", "data_categories"]
    # Search these fields with the ORM: the SQLite search backend fails on a search
    # limited to chosen fields ("no such column", wagtail/django-modelsearch#47).
    search_backend_name = None
    ordering = ["business_function", "record_class"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(calculator_url_name=self.get_url_name("calculator"), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(calculator_url_name=self.get_url_name("calculator"), **kwargs)

    @property
    def calculator_view(self):
        return self.construct_view(self.calculator_view_class)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"calculator/<{self.pk_path_converter}:pk>/", self.calculator_view, name="calculator"),
        ]


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


@hooks.register("register_admin_urls")
def register_schedule_import_urls():
    """Import, export and the blank templates, under /admin/retention-schedule/."""
    from django.urls import include

    from . import admin_urls

    return [path("retention-schedule/", include(admin_urls, namespace="retention_schedule_admin"))]
