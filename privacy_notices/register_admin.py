"""The registers' admin: listings of processors, cookies and audiences, under "Privacy registers".

The processor and cookie listings carry the register lints (``register_lints``):
a summary above the listing, a Findings column and a Findings filter.
"""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from retention_schedule.admin_views import InUseAwareDeleteView, fetch_scheduled_revisions
from retention_schedule.choosers import RegisterChooserViewSet

from .register_lints import RegisterFinding, cookie_findings, processor_findings
from .registers import Audience, CookieDeclaration, Processor

HAS_FINDINGS, NO_FINDINGS = "with", "without"


class RegisterFindingsFilterSet(WagtailFilterSet):
    """A register's filters, with “Findings” from the register lints. Subclasses set ``lint`` and ``Meta``."""

    lint = None  # a function like processor_findings(entries=None) -> {pk: [RegisterFinding, ...]}

    findings = django_filters.ChoiceFilter(
        label=_("Findings"),
        choices=[(HAS_FINDINGS, _("Has findings")), (NO_FINDINGS, _("No findings"))],
        empty_label=_("All"),
        widget=forms.RadioSelect,
        method="filter_findings",
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, entries_with_findings=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # The listing passes what its lints already found, so they run once a request.
        self.entries_with_findings = entries_with_findings

    def filter_findings(self, queryset, name, value):
        pks = self.entries_with_findings
        if pks is None:
            pks = set(type(self).lint())
        if value == HAS_FINDINGS:
            return queryset.filter(pk__in=pks)
        if value == NO_FINDINGS:
            return queryset.exclude(pk__in=pks)
        return queryset


class ProcessorFilterSet(RegisterFindingsFilterSet):
    lint = staticmethod(processor_findings)

    class Meta:
        model = Processor
        fields = ["findings", "role", "transfer_safeguard", "live"]


class CookieDeclarationFilterSet(RegisterFindingsFilterSet):
    lint = staticmethod(cookie_findings)

    class Meta:
        model = CookieDeclaration
        fields = ["findings", "category", "party", "live"]


class RegisterFindingsColumn(Column):
    """An entry's findings as short labels, problems first (the message on hover, and in the summary)."""

    cell_template_name = "retention_schedule/admin/listing_findings_cell.html"

    def __init__(self, name, *, findings_by_entry, **kwargs):
        super().__init__(name, accessor=lambda entry: findings_by_entry.get(entry.pk, []), **kwargs)


class RegisterFindingsIndexView(IndexView):
    """A register's listing: a summary of the lints above it, a Findings column and a Findings filter."""

    lint = None  # set by the viewset: processor_findings or cookie_findings
    template_name = "privacy_notices/admin/registers/listing_index.html"

    @cached_property
    def checked_entries(self) -> dict:
        # Every entry, whatever the filters: the summary is about the whole register.
        return {entry.pk: entry for entry in self.lint_queryset()}

    def lint_queryset(self):
        return self.model._default_manager.all()

    @cached_property
    def findings_by_entry(self) -> dict[int, list[RegisterFinding]]:
        return self.lint(self.checked_entries.values())

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        kwargs["entries_with_findings"] = set(self.findings_by_entry)
        return kwargs

    @cached_property
    def columns(self):
        return [
            *super().columns,
            RegisterFindingsColumn("findings", label=_("Findings"), findings_by_entry=self.findings_by_entry),
        ]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, entries, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = entries = list(entries)
        fetch_scheduled_revisions(self.model, entries)
        return paginator, page, entries, is_paginated

    def findings_summary(self) -> dict:
        """The summary panel's heading and one line per finding (problems first), each linking to its entry."""
        items = []
        for pk, findings in self.findings_by_entry.items():
            url = reverse(self.edit_url_name, args=(quote(pk),))
            items += [{"finding": f, "subject": str(self.checked_entries[pk]), "url": url} for f in findings]
        items.sort(key=lambda item: item["finding"].severity != "problem")
        count = len(self.findings_by_entry)
        filtered_url = f"{reverse(self.index_url_name)}?findings={HAS_FINDINGS}" if count else ""
        return {"heading": self.summary_heading(count), "items": items, "filtered_url": filtered_url}

    def summary_heading(self, count: int) -> str:
        raise NotImplementedError

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only:  # the summary sits above the results, which filters refresh alone
            context["findings_summary"] = self.findings_summary()
        return context


class ProcessorIndexView(RegisterFindingsIndexView):
    lint = staticmethod(processor_findings)

    def summary_heading(self, count: int) -> str:
        if not count:
            return gettext("Nothing in the register of processors and recipients needs attention")
        return ngettext(
            "%(count)s processor or recipient needs attention",
            "%(count)s processors and recipients need attention",
            count,
        ) % {"count": count}


class CookieDeclarationIndexView(RegisterFindingsIndexView):
    lint = staticmethod(cookie_findings)

    def lint_queryset(self):
        return CookieDeclaration.objects.select_related("provider")

    def summary_heading(self, count: int) -> str:
        if not count:
            return gettext("Nothing in the cookie register needs attention")
        return ngettext("%(count)s cookie needs attention", "%(count)s cookies need attention", count) % {
            "count": count
        }


class ProcessorViewSet(SnippetViewSet):
    model = Processor
    # Only people allowed to see the register may open its chooser (Wagtail's checks admin access only).
    chooser_viewset_class = RegisterChooserViewSet
    icon = "group"
    menu_label = _("Processors and recipients")
    index_view_class = ProcessorIndexView
    index_template_name = RegisterFindingsIndexView.template_name
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
    # Findings, role, transfer safeguard, live.
    filterset_class = ProcessorFilterSet
    search_fields = ["name", "service", "slug"]
    # Search these fields with the ORM (every viewset here does): registers are
    # small, and the SQLite search backend fails on a search limited to chosen
    # fields ("no such column", wagtail/django-modelsearch#47).
    search_backend_name = None
    ordering = ["name"]


class CookieDeclarationViewSet(SnippetViewSet):
    model = CookieDeclaration
    # Only people allowed to see the register may open its chooser (Wagtail's checks admin access only).
    chooser_viewset_class = RegisterChooserViewSet
    icon = "tasks"
    menu_label = _("Cookies")
    index_view_class = CookieDeclarationIndexView
    index_template_name = RegisterFindingsIndexView.template_name
    delete_view_class = InUseAwareDeleteView
    list_display = ["name", "category", "provider", "lifetime", "party", UpdatedAtColumn(), LiveStatusTagColumn()]
    # Findings, category, party, live.
    filterset_class = CookieDeclarationFilterSet
    search_fields = ["name", "purpose"]
    search_backend_name = None
    ordering = ["category", "name"]

    def get_queryset(self, request):
        return CookieDeclaration.objects.select_related("provider")


class AudienceViewSet(SnippetViewSet):
    model = Audience
    # Only people allowed to see the register may open its chooser (Wagtail's checks admin access only).
    chooser_viewset_class = RegisterChooserViewSet
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
