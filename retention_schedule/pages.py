"""The public retention schedule page and each rule's own address."""

from django.db.models import Max
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, re_path
from wagtail.fields import RichTextField
from wagtail.search import index

from .calculator import BadTriggerDate, calculate, parse_trigger_date
from .page_model import base_page_model


def schedule_last_updated():
    """When the published schedule last changed: the latest publish of a live rule."""
    return _rules().filter(live=True).aggregate(latest=Max("last_published_at"))["latest"]


def _wants_json(request) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _rules():
    from .models import RetentionRule  # models.py imports this module at its end

    return RetentionRule.objects


class RetentionSchedulePage(RoutablePageMixin, base_page_model()):
    """The public retention schedule: every live rule, grouped by business function.

    Each rule also has its own address, ``<schedule>/<code>/``, with a disposal-date
    calculator: ``?trigger=YYYY-MM-DD`` (HTML, or JSON with ``?format=json``).
    """

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = base_page_model().content_panels + ["intro"]
    search_fields = base_page_model().search_fields + [index.SearchField("intro")]
    subpage_types = []

    template = "retention_schedule/retention_schedule_page.html"

    class Meta:
        app_label = "retention_schedule"
        verbose_name = _("retention schedule page")

    @re_path(r"^(?P<code>[-\w]+)/$")
    def rule_page(self, request, code):
        """One live rule, and the disposal date for a trigger date if one is given."""
        rule = _rules().filter(live=True, code=code).first()
        if rule is None:
            raise Http404(gettext("There is no rule with that code in the schedule."))
        status, result, error, trigger_date = 200, None, "", None
        trigger = request.GET.get("trigger")
        if trigger is not None:
            try:
                trigger_date = parse_trigger_date(trigger)
                result = calculate(rule, trigger_date)
            except BadTriggerDate as bad:
                status, error, trigger_date = 400, str(bad), None
        if _wants_json(request):
            data = {"error": error} if error else (result or rule.as_public_data())
            return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
        # Not get_context(): that loads the whole schedule, and this page shows one rule.
        context = {
            "page": self,
            "self": self,
            "rule": rule.as_public_data(),
            "result": result,
            "trigger_date": trigger_date,
            "disposal_date": rule.disposal_date(trigger_date) if result else None,
            "error": error,
            "trigger": trigger or "",
        }
        return TemplateResponse(request, "retention_schedule/rule_page.html", context, status=status)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        rules = [rule.as_public_data() for rule in _rules().filter(live=True)]
        groups: dict[str, list[dict]] = {}
        ungrouped = []
        for rule in rules:
            if rule["business_function"]:
                groups.setdefault(rule["business_function"], []).append(rule)
            else:
                ungrouped.append(rule)
        if ungrouped:  # after the named functions, not first as an empty string sorts
            groups[gettext("Other records")] = ungrouped
        context["rule_groups"] = groups
        context["rule_count"] = len(rules)
        context["last_updated"] = schedule_last_updated()
        return context
