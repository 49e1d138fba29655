"""The public retention schedule page and each rule's own address.

The schedule is one address with several forms: HTML for people, and JSON,
JSON-LD, CSV and XLSX for machines and spreadsheets (``?format=`` or the Accept
header, see :mod:`retention_schedule.negotiation`), with its JSON Schema at
``?format=schema``. The same filters
(``function``, ``period_type``, ``q``) narrow every form.
"""

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField
from wagtail.search import index

from .calculator import BadTriggerDate, calculate, parse_trigger_date
from .conditional import finish_public_response
from .exchange.schema import schedule_json_schema
from .exchange.writing import PUBLIC_COLUMNS, XLSX_CONTENT_TYPE, write_csv, write_json, write_xlsx
from .negotiation import CSV, HTML, JSON, JSONLD, MEDIA_TYPES, not_acceptable, requested_format
from .page_model import base_page_model


def _models():
    from . import models  # models.py imports this module at its end

    return models


# Forms of the schedule ---------------------------------------------------------------------------

SCHEMA_CONTENT_TYPE = "application/schema+json"

# ?format= value -> what it is, for the 406 message, the links on the page and <link rel=alternate>.
FORMATS = {
    HTML: MEDIA_TYPES[HTML],
    JSON: MEDIA_TYPES[JSON],
    JSONLD: MEDIA_TYPES[JSONLD],
    CSV: MEDIA_TYPES[CSV],
    "xlsx": XLSX_CONTENT_TYPE,
    "schema": SCHEMA_CONTENT_TYPE,
}
# A rule's own page: the rule, or a disposal date, for people or as JSON.
RULE_FORMATS = {HTML: MEDIA_TYPES[HTML], JSON: MEDIA_TYPES[JSON]}


# Filters -----------------------------------------------------------------------------------------

# The business_function filter's value for rules without one (shown as "Other records").
# Not a word, so it cannot be mistaken for a real function's name.
OTHER_RECORDS = "-"
# Longer than any field it is compared with (the longest, record_class, is 200), so a value
# cut to this length still matches what the whole value would.
_MAX_FILTER_LENGTH = 200


def _filter_value(query, name: str) -> str:
    # Control characters are never in a heading or a word someone searches for, and NUL
    # would break the HTML; everything else is kept, and only ever compared in Python.
    value = "".join(ch for ch in query.get(name, "")[: _MAX_FILTER_LENGTH * 2] if unicodedata.category(ch) != "Cc")
    return " ".join(value.split())[:_MAX_FILTER_LENGTH]


@dataclass(frozen=True)
class ScheduleFilters:
    """What a visitor narrowed the schedule to: ``?function=&period_type=&q=``.

    A value that matches no rule (an old bookmark, a typo) shows nothing rather
    than being dropped: a filtered export must not quietly hold the whole schedule.
    """

    function: str = ""
    period_type: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, query) -> "ScheduleFilters":
        return cls(
            function=_filter_value(query, "function"),
            period_type=_filter_value(query, "period_type"),
            q=_filter_value(query, "q"),
        )

    @property
    def active(self) -> bool:
        return bool(self.function or self.period_type or self.q)

    def as_query(self) -> dict:
        """The filters as query-string parameters, leaving out those not set."""
        return {name: value for name, value in vars(self).items() if value}

    def matches(self, rule) -> bool:
        if self.function == OTHER_RECORDS:
            if rule.business_function:
                return False
        elif self.function and rule.business_function != self.function:
            return False
        if self.period_type and rule.period_type != self.period_type:
            return False
        if self.q:
            # Every word somewhere in what the rule is about, in any letter case.
            text = "\n".join((rule.record_class, rule.code, rule.description, rule.data_categories)).casefold()
            return all(word in text for word in self.q.casefold().split())
        return True


@dataclass
class ScheduleListing:
    """The live rules, and those the filters leave, from one query however many rules there are.

    The filtering is done in Python: a schedule has hundreds of rules at most, the
    whole schedule is needed anyway for the counts and the list of business functions,
    and it matches letters in any case in every language on every database.
    """

    filters: ScheduleFilters
    all_rules: list = field(default_factory=list)

    @classmethod
    def for_request(cls, request) -> "ScheduleListing":
        # Never drafts: the live row holds the published version. The page's order in every form.
        return cls(ScheduleFilters.from_query(request.GET), _models().published_rules())

    @cached_property
    def rules(self) -> list:
        return [rule for rule in self.all_rules if self.filters.matches(rule)]

    @property
    def last_updated(self):
        """When the published schedule last changed: the latest publish of a rule already loaded."""
        return max((rule.last_published_at for rule in self.all_rules if rule.last_published_at), default=None)

    def function_choices(self) -> list[tuple[str, str]]:
        functions = dict.fromkeys(rule.business_function for rule in self.all_rules if rule.business_function)
        choices = [(name, name) for name in sorted(functions, key=str.casefold)]
        if any(not rule.business_function for rule in self.all_rules):
            choices.append((OTHER_RECORDS, gettext("Other records")))
        return _with_current(choices, self.filters.function)

    def period_type_choices(self) -> list[tuple[str, str]]:
        from .models import PeriodType

        return _with_current([(value, str(label)) for value, label in PeriodType.choices], self.filters.period_type)


def _with_current(choices, current):
    # A value from the address that is not a choice stays selected, so the form says what is shown.
    if current and current not in dict(choices):
        return [*choices, (current, current)]
    return choices


def _grouped(rules) -> dict[str, list[dict]]:
    """The rules' public data by business function, in the schedule's order, "Other records" last."""
    groups: dict[str, list[dict]] = {}
    ungrouped = []
    for rule in rules:
        data = rule.as_public_data()
        if data["business_function"]:
            groups.setdefault(data["business_function"], []).append(data)
        else:
            ungrouped.append(data)
    if ungrouped:  # after the named functions, not first as an empty string sorts
        groups[gettext("Other records")] = ungrouped
    return groups


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

    def get_cached_paths(self):
        # What Wagtail's frontend cache purges when the schedule is published (and, through
        # privacy_notices.purging, when a rule changes): the schedule in every form.
        return ["/"] + [f"?format={form}" for form in ("json", "jsonld", "csv", "xlsx", "schema")]

    @re_path(r"^(?P<code>[-\w]+)/$")
    def rule_page(self, request, code):
        """One live rule, and the disposal date for a trigger date if one is given."""
        form = requested_format(request, RULE_FORMATS)
        if form is None:
            return finish_public_response(request, not_acceptable(request, RULE_FORMATS))
        rule = _models().RetentionRule.objects.filter(live=True, code=code).first()
        if rule is None:
            if form == JSON:
                message = gettext("There is no rule with that code in the schedule.")
                return finish_public_response(request, JsonResponse({"error": message}, status=404))
            raise Http404(gettext("There is no rule with that code in the schedule."))
        status, result, error, trigger_date = 200, None, "", None
        trigger = request.GET.get("trigger")
        if trigger is not None:
            try:
                trigger_date = parse_trigger_date(trigger)
                result = calculate(rule, trigger_date)
            except BadTriggerDate as bad:
                status, error, trigger_date = 400, str(bad), None
        if form == JSON:
            data = {"error": error} if error else (result or rule.as_public_data())
            response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
            return finish_public_response(request, response, last_modified=rule.last_published_at)
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
        response = TemplateResponse(request, "retention_schedule/rule_page.html", context, status=status)
        return finish_public_response(request, response, last_modified=rule.last_published_at)

    # The schedule in all its forms ---------------------------------------------------------------

    @path("")
    def index_route(self, request, *args, **kwargs):
        """The schedule, as HTML or as the form ``?format=`` or the Accept header asks for."""
        form = requested_format(request, FORMATS)
        last_modified = None
        if form is None:
            response = not_acceptable(request, FORMATS)
        elif form == "schema":
            response = self.serve_schema(request)
        else:
            listing = ScheduleListing.for_request(request)
            last_modified = listing.last_updated
            if form == HTML:
                request.is_preview = getattr(request, "is_preview", False)
                context = self.get_context(request, *args, listing=listing, **kwargs)
                response = TemplateResponse(request, self.get_template(request, *args, **kwargs), context)
            else:
                response = getattr(self, f"serve_{form}")(request, listing)
        # One address, several forms: finish_public_response adds Vary: Accept so caches tell them apart.
        return finish_public_response(request, response, last_modified=last_modified)

    def schedule_address(self, request) -> str:
        """The schedule's absolute address, as the visitor reached it."""
        return request.build_absolute_uri(self.get_url(request) or request.path)

    def schema_address(self, request) -> str:
        return self.schedule_address(request) + "?" + urlencode({"format": "schema"})

    def schedule_data(self, request, listing) -> dict:
        """The schedule's public JSON document (``$schema``, title, url, last_updated, rules)."""
        return write_json(
            listing.rules,
            schema_url=self.schema_address(request),
            title=self.title,
            url=self.schedule_address(request),
            last_updated=listing.last_updated,
            public=True,
        )

    def serve_json(self, request, listing):
        schema_url = self.schema_address(request)
        data = self.schedule_data(request, listing)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Link"] = f'<{schema_url}>; rel="describedby"'
        return response

    def serve_jsonld(self, request, listing):
        """The schedule as JSON-LD with W3C DPV storage conditions (see :mod:`retention_schedule.jsonld`)."""
        from .jsonld import schedule_jsonld

        data = schedule_jsonld(self.schedule_data(request, listing))
        return JsonResponse(
            data, content_type=MEDIA_TYPES[JSONLD], json_dumps_params={"ensure_ascii": False, "indent": 2}
        )

    def serve_csv(self, request, listing):
        response = HttpResponse(write_csv(listing.rules, PUBLIC_COLUMNS), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{self.slug}.csv")
        return response

    def serve_xlsx(self, request, listing):
        response = HttpResponse(write_xlsx(listing.rules, PUBLIC_COLUMNS), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{self.slug}.xlsx")
        return response

    def serve_schema(self, request):
        schema = schedule_json_schema(self.schema_address(request))
        return JsonResponse(
            schema, content_type=SCHEMA_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False, "indent": 2}
        )

    def format_links(self, request, filters) -> list[dict]:
        """Links to the schedule's other forms, keeping the filters (the schema has none)."""
        address = self.get_url(request) or request.path
        labels = {
            "json": gettext("JSON"),
            "jsonld": gettext("JSON-LD (W3C Data Privacy Vocabulary)"),
            "csv": gettext("CSV"),
            "xlsx": gettext("Spreadsheet (XLSX)"),
            "schema": gettext("JSON Schema"),
        }
        links = []
        for name, label in labels.items():
            query = {"format": name} if name == "schema" else {**filters.as_query(), "format": name}
            links.append(
                {"format": name, "label": label, "type": FORMATS[name], "href": f"{address}?{urlencode(query)}"}
            )
        return links

    def get_context(self, request, *args, listing=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if listing is None:
            listing = ScheduleListing.for_request(request)
        rules = listing.rules
        context.update(
            {
                "filters": listing.filters,
                "rule_groups": _grouped(rules),
                "rule_count": len(listing.all_rules),
                "shown_count": len(rules),
                "function_choices": listing.function_choices(),
                "period_type_choices": listing.period_type_choices(),
                "last_updated": listing.last_updated,
                "format_links": self.format_links(request, listing.filters),
                "schedule_path": self.get_url(request) or request.path,
            }
        )
        return context
