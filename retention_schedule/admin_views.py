"""Admin views: the delete view every register shares, and the retention schedule's own.

The delete view refuses while live content shows the entry (for every register
whose entries notices show). The schedule's listing carries the schedule checks
(a summary, a column and a filter), and each rule has a disposal-date calculator.
"""

import datetime

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets import BooleanRadioSelect, Button, HeaderButton
from wagtail.models import Revision
from wagtail.snippets.views.snippets import DeleteView, EditView, IndexView

from .admin_import import can_import
from .calculator import BadTriggerDate, calculate, parse_trigger_date
from .checks import Finding, findings_by_rule, schedule_findings
from .in_use import live_uses, refusal_message
from .models import RetentionRule


class InUseAwareDeleteView(DeleteView):
    """The snippet delete view, refusing while a live notice shows the entry.

    The confirmation page names the notices; a POST that slips past it is
    refused with the same message and changes nothing.
    """

    template_name = "retention_schedule/admin/confirm_delete.html"
    # The template a snippet viewset falls back to: it cannot show the refusal.
    generic_template_name = "wagtailsnippets/snippets/delete.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.live_uses = live_uses([self.object]).get(self.object.pk, [])

    def get_template_names(self):
        """The viewset's templates, with ours in place of Wagtail's generic one.

        A snippet viewset passes this view its own template list, ending in
        Wagtail's generic delete template, which would hide the refusal. A
        host project's template for one model still wins (extend ours there).
        """
        names = [name for name in super().get_template_names() if name != self.generic_template_name]
        if type(self).template_name not in names:
            names.append(type(self).template_name)
        return names

    def form_valid(self, form):
        if self.live_uses:
            messages.error(self.request, refusal_message(self.object, self.live_uses))
            return redirect(self.get_delete_url())
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["live_uses"] = self.live_uses
        if self.live_uses:
            context["is_protected"] = True
            context["refusal_message"] = refusal_message(self.object, self.live_uses)
        return context


# The schedule's listing, with the checks ----------------------------------------------------


class RetentionRuleFilterSet(WagtailFilterSet):
    """The listing's filters, with “Needs attention” from the schedule checks."""

    needs_attention = django_filters.BooleanFilter(
        label=_("Needs attention"), method="filter_needs_attention", widget=BooleanRadioSelect
    )

    class Meta:
        model = RetentionRule
        fields = ["needs_attention", "period_type", "disposal_action", "business_function", "live"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, rules_needing_attention=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # The listing passes what its checks already found, so they run once a request.
        self.rules_needing_attention = rules_needing_attention

    def filter_needs_attention(self, queryset, name, value):
        if value is None:
            return queryset
        pks = self.rules_needing_attention
        if pks is None:
            pks = set(findings_by_rule(schedule_findings()))
        return queryset.filter(pk__in=pks) if value else queryset.exclude(pk__in=pks)


class FindingsColumn(Column):
    """What the schedule checks found about each rule, as short labels (the message on hover)."""

    cell_template_name = "retention_schedule/admin/listing_findings_cell.html"

    def __init__(self, name, *, findings_by_rule, **kwargs):
        super().__init__(name, accessor=lambda rule: findings_by_rule.get(rule.pk, []), **kwargs)


class RetentionRuleIndexView(IndexView):
    """The schedule's listing: a summary of the checks above it, a Findings column and a filter."""

    calculator_url_name = None

    @cached_property
    def checked_rules(self) -> dict:
        # Every rule, whatever the filters: duplicates and the summary are about the whole schedule.
        return {rule.pk: rule for rule in RetentionRule.objects.all()}

    @cached_property
    def findings(self) -> list[Finding]:
        return schedule_findings(self.checked_rules.values())

    @cached_property
    def findings_by_rule(self) -> dict[int, list[Finding]]:
        return findings_by_rule(self.findings)

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if can_import(self.request.user, publish=False):
            buttons.append(
                HeaderButton(_("Import"), url=reverse("retention_schedule_admin:import"), icon_name="upload")
            )
        return buttons

    @cached_property
    def header_more_buttons(self):
        # The schedule as files that re-import unchanged (not Wagtail's listing export, which
        # writes the listing's columns rather than the rule's own fields).
        buttons = super().header_more_buttons
        formats = [
            ("xlsx", _("Export as spreadsheet (XLSX)")),
            ("csv", _("Export as CSV")),
            ("json", _("Export as JSON")),
        ]
        for priority, (fmt, label) in enumerate(formats, start=20):
            url = reverse("retention_schedule_admin:export", args=[fmt])
            buttons.append(Button(label, url=url, icon_name="download", priority=priority))
        return buttons

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        kwargs["rules_needing_attention"] = set(self.findings_by_rule)
        return kwargs

    @cached_property
    def columns(self):
        return [
            *super().columns,
            FindingsColumn("findings", label=_("Findings"), findings_by_rule=self.findings_by_rule),
        ]

    def paginate_queryset(self, queryset, page_size):
        paginator, page, rules, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = rules = list(rules)
        fetch_scheduled_revisions(RetentionRule, rules)
        return paginator, page, rules, is_paginated

    @cached_property
    def can_use_calculator(self) -> bool:
        return bool(self.calculator_url_name) and self.user_has_any_permission(CalculatorView.any_permission_required)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.can_use_calculator:
            url = reverse(self.calculator_url_name, args=(quote(instance.pk),))
            buttons.append(MenuItem(_("Disposal date calculator"), url=url, icon_name="calendar-alt", priority=25))
        return buttons

    def checks_summary(self) -> dict:
        """The summary panel's heading and one line per finding, each linking to what to fix."""
        rule_count = len(self.findings_by_rule)
        notice_count = len({f.page_pk for f in self.findings if f.page_pk is not None})
        items = []
        for finding in self.findings:
            if finding.is_about_rule:
                rule = self.checked_rules.get(finding.rule_pk)
                subject = str(rule) if rule else finding.rule_code
                url = reverse(self.edit_url_name, args=(quote(finding.rule_pk),))
            elif finding.page_pk is not None:
                subject = finding.page_title
                url = reverse("wagtailadmin_pages:edit", args=(finding.page_pk,))
            else:
                subject, url = "", ""
            items.append({"finding": finding, "subject": subject, "url": url})
        return {"heading": summary_heading(rule_count, notice_count), "items": items}

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.results_only:  # the summary sits above the results, which filters refresh alone
            context["checks_summary"] = self.checks_summary()
        return context


def fetch_scheduled_revisions(model, entries) -> None:
    """Fetch the scheduled revisions of a page of register entries in one query, not one query a row.

    The listing's status column asks each row whether a publish is scheduled
    (``DraftStateMixin.scheduled_revision``, a cached property); this fills that
    cache with the same answer: the first revision approved to go live.
    """
    if not entries:
        return
    scheduled = {}
    revisions = Revision.objects.filter(
        base_content_type=model.get_base_content_type(),
        object_id__in=[str(entry.pk) for entry in entries],
        approved_go_live_at__isnull=False,
    ).order_by("pk")
    for revision in revisions:
        scheduled.setdefault(revision.object_id, revision)
    for entry in entries:
        entry.__dict__["scheduled_revision"] = scheduled.get(str(entry.pk))


def summary_heading(rule_count: int, notice_count: int) -> str:
    if rule_count and notice_count:
        return gettext("%(rules)s and %(notices)s need attention") % {
            "rules": ngettext("%(count)s rule", "%(count)s rules", rule_count) % {"count": rule_count},
            "notices": ngettext("%(count)s notice", "%(count)s notices", notice_count) % {"count": notice_count},
        }
    if rule_count:
        return ngettext("%(count)s rule needs attention", "%(count)s rules need attention", rule_count) % {
            "count": rule_count
        }
    if notice_count:
        return ngettext("%(count)s notice needs attention", "%(count)s notices need attention", notice_count) % {
            "count": notice_count
        }
    return gettext("Nothing in the retention schedule needs attention")


# A rule's edit view, with the calculator in its “…” menu ------------------------------------


class RetentionRuleEditView(EditView):
    calculator_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = super().header_more_buttons
        if self.calculator_url_name:
            url = reverse(self.calculator_url_name, args=(quote(self.object.pk),))
            buttons.append(Button(_("Disposal date calculator"), url=url, icon_name="calendar-alt", priority=40))
        return buttons


# The disposal-date calculator for one rule -----------------------------------------------


class TriggerDateForm(forms.Form):
    trigger = forms.CharField(
        label=_("Trigger date"),
        # A browser's date picker sends YYYY-MM-DD whatever the user's language,
        # which is what parse_trigger_date reads (and the public calculator too).
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The day the period counts from, written YYYY-MM-DD, e.g. 2024-10-14."),
    )

    def __init__(self, *args, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rule is not None and rule.trigger.strip():
            self.fields["trigger"].label = gettext("Date of %(trigger)s") % {"trigger": rule.trigger}

    def clean_trigger(self):
        try:
            return parse_trigger_date(self.cleaned_data["trigger"])
        except BadTriggerDate as bad:
            raise ValidationError(str(bad), code="bad_trigger_date") from None


def _as_date(iso):
    return datetime.date.fromisoformat(iso) if iso else None


class CalculatorView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """When records under one rule are due for disposal, for a trigger date the DPO gives.

    Admin only, so it works for draft rules too: it calculates with the rule as
    last saved (a draft included) and, where that differs, says what the
    published rule gives. ``?trigger=YYYY-MM-DD`` as on the public calculator.
    """

    any_permission_required = ["change", "view"]
    http_method_names = ["get", "head"]  # it changes nothing
    template_name = "retention_schedule/admin/calculator.html"
    page_title = _("Disposal date calculator")
    header_icon = "calendar-alt"
    model = None
    index_url_name = None
    edit_url_name = None
    pk_url_kwarg = "pk"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(self.model, pk=unquote(str(self.kwargs[self.pk_url_kwarg])))

    @cached_property
    def rule(self):
        """The rule as last saved: a draft's changes included."""
        if getattr(self.object, "has_unpublished_changes", False):
            return self.object.get_latest_revision_as_object()
        return self.object

    @cached_property
    def edit_url(self):
        return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_page_subtitle(self):
        return str(self.rule)

    def get_breadcrumbs_items(self):
        items = []
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": capfirst(self.model._meta.verbose_name_plural)})
        items.append({"url": self.edit_url, "label": self.get_page_subtitle()})
        items.append({"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()})
        return self.breadcrumbs_items + items

    @cached_property
    def header_buttons(self):
        return [HeaderButton(label=gettext("Edit"), url=self.edit_url, icon_name="edit")]

    def get(self, request, *args, **kwargs):
        rule = self.rule
        form = TriggerDateForm(request.GET if "trigger" in request.GET else None, rule=rule)
        result = published = None
        if form.is_bound and form.is_valid():
            trigger_date = form.cleaned_data["trigger"]
            try:
                result = calculate(rule, trigger_date)
                if rule is not self.object and self.object.live:
                    published = calculate(self.object, trigger_date)
            except BadTriggerDate as bad:  # a date the calendar cannot count on from
                form.add_error("trigger", str(bad))
                result = published = None
        context = self.get_context_data(
            form=form,
            rule=rule,
            rule_data=rule.as_public_data(),
            result=result,
            disposal_date=_as_date(result and result["disposal_date"]),
            published_disposal_date=_as_date(published and published["disposal_date"]),
            # Only worth saying when the draft and the published rule disagree.
            published=published if published and published["disposal_date"] != result["disposal_date"] else None,
            is_draft=not self.object.live,
            has_unpublished_changes=rule is not self.object,
        )
        return self.render_to_response(context, status=400 if form.errors else 200)
