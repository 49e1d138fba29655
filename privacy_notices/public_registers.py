"""The hub's public registers: ``<hub>@processors`` and ``<hub>@cookies``.

``<hub>@processors``
    every live entry of the processor register, by name: who receives personal
    data, in what role, where it is held and what protects it
``<hub>@cookies``
    every live cookie declaration, essential (strictly necessary) first, then the
    optional ones (functional, analytics, marketing), by name within each

Each is one address with three forms (``?format=`` or the Accept header, see
``retention_schedule.negotiation``): HTML for people, JSON
(``{"@id", "@type", "title", "last_updated", "count", <entries>, "links"}``) and
CSV. Every entry's ``@id`` is ``<register>#<slug>``, as the notices' JSON names
it (``privacy_notices.headless.RegisterAddresses``), and the HTML row of that
entry has the slug as its ``id``, so the identifier also lands on the row.

Only live entries and only their public fields (``as_public_data()``) are
shown: a draft, a draft edit of a live entry, an unpublished entry, contract
dates and references and internal notes never leave the admin. The queryset
loads public columns only, so a template or exporter cannot reach the others.
Each register costs one query however many entries it has.

Filters narrow every form: ``?role=`` on processors, ``?category=`` on cookies
(repeat one to allow several values). A value that matches nothing shows
nothing: a filtered export never quietly holds the whole register.

Subclass :class:`ProcessorRegister` or :class:`CookieRegister` to change a
register's wording, grouping or columns.
"""

import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retention_schedule.conditional import finish_public_response
from retention_schedule.exchange.writing import escape_formula
from retention_schedule.negotiation import CSV, HTML, JSON, MEDIA_TYPES, not_acceptable, requested_format

from .choices import CookieCategory, CookieParty, ProcessorRole, TransferSafeguard, label_for
from .headless import COOKIES, PROCESSORS, RegisterAddresses, absolute, with_format
from .registers import CookieDeclaration, Processor
from .serving import REGISTER_FORMATS, alternate_links, is_public, json_response

PROCESSOR_REGISTER_TYPE = "ProcessorRegister"
COOKIE_DECLARATIONS_TYPE = "CookieDeclarations"

# Longer than any stored choice; a filter value is cut to this, and control characters
# (never in a choice, and NUL would break the HTML) are dropped.
_MAX_FILTER_LENGTH = 100
# Joins the items of a list in one CSV cell: "France; Ireland".
LIST_SEPARATOR = "; "
# Only these schemes become links on the page; a stored value written without the
# form's validation (an import) must not become a javascript: link.
_LINK_SCHEMES = ("http://", "https://")


def _filter_values(request, name: str) -> list[str]:
    """The distinct non-blank values of a filter (``?category=analytics&category=marketing``)."""
    values = []
    for raw in request.GET.getlist(name):
        value = "".join(ch for ch in raw[: _MAX_FILTER_LENGTH * 2] if unicodedata.category(ch) != "Cc")
        value = value.strip()[:_MAX_FILTER_LENGTH].lower()
        if value and value not in values:
            values.append(value)
    return values


def _timestamp(value) -> str | None:
    """A moment as "YYYY-MM-DDTHH:MM:SS+00:00", in UTC and to the second, as the schedule's JSON writes it."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat()


def _name_order(data: dict):
    # In Python, not SQL: databases order mixed-case names differently (SQLite by code point).
    return (data["name"].casefold(), data["name"], data["slug"])


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    return escape_formula(str(value))


@dataclass(frozen=True)
class Group:
    """A heading on the register's page and the entries under it (public data, in order)."""

    key: str
    heading: str
    explanation: str
    entries: list

    @property
    def anchor(self) -> str:
        # A dot: a slug (a row's id) never has one, so a heading never takes a row's id.
        return f"group.{self.key}"


class PublicRegister:
    """One of the hub's public registers at ``<hub><suffix>``: what it lists, and how each form writes it."""

    suffix = ""
    json_type = ""
    schema_name = ""  # its JSON's schema in components.schemas (see openapi_paths)
    entries_key = ""
    filter_name = ""
    filter_choices = None  # the TextChoices the filter's values come from
    template = ""
    # CSV columns: (heading, key of the entry's public data, or a function of it).
    csv_columns: tuple = ()
    csv_name = ""
    title = ""
    intro = ""
    count_label = ""

    def __init__(self, page, request):
        self.page = page
        self.request = request

    # Addresses -----------------------------------------------------------------------------------

    @cached_property
    def hub_url(self) -> str | None:
        return self.page.get_url(request=self.request)

    @cached_property
    def path(self) -> str:
        """The register's address as the site links it (relative unless the hub is on another site)."""
        return f"{self.hub_url}{self.suffix}"

    @cached_property
    def registers(self) -> RegisterAddresses:
        """The absolute addresses of the registers beside the hub, and the retention schedule (one query)."""
        return RegisterAddresses.find(self.request, self.hub_url)

    @cached_property
    def address(self) -> str:
        """The register's absolute address: its ``@id``, and what each entry's ``@id`` starts with."""
        return absolute(self.request, self.path)

    def entry_id(self, slug) -> str | None:
        raise NotImplementedError

    # What it lists -------------------------------------------------------------------------------

    def queryset(self):
        """The live entries, loading public columns only."""
        raise NotImplementedError

    def public_data(self, entry) -> dict:
        return entry.as_public_data()

    def entry_modified(self, entry):
        """When what the register shows of ``entry`` last changed."""
        return entry.last_published_at

    def order(self, entries: list[dict]) -> list[dict]:
        return sorted(entries, key=_name_order)

    def entry_filter_value(self, data: dict) -> str:
        return data[self.filter_name]

    @cached_property
    def filters(self) -> list[str]:
        return _filter_values(self.request, self.filter_name)

    @cached_property
    def _listing(self) -> tuple[list[dict], int, datetime.datetime | None]:
        shown, total, modified = [], 0, []
        for entry in self.queryset():
            total += 1
            data = self.public_data(entry)
            if self.filters and self.entry_filter_value(data) not in self.filters:
                continue
            shown.append({"@id": self.entry_id(data["slug"]), **data})
            modified.append(self.entry_modified(entry))
        return self.order(shown), total, max((moment for moment in modified if moment), default=None)

    @property
    def entries(self) -> list[dict]:
        """The entries shown (after the filters), each its public data with its ``@id`` first, in order."""
        return self._listing[0]

    @property
    def total(self) -> int:
        """How many live entries the register has, whatever the filters."""
        return self._listing[1]

    @property
    def last_updated(self) -> datetime.datetime | None:
        """The latest publish among the entries shown (their Last-Modified); None when none are shown."""
        return self._listing[2]

    def groups(self) -> list[Group]:
        """The entries under the page's headings."""
        raise NotImplementedError

    def filter_labels(self) -> list[str]:
        return [label_for(self.filter_choices, value) for value in self.filters]

    # Forms ---------------------------------------------------------------------------------------

    def serve(self):
        form = requested_format(self.request, REGISTER_FORMATS)
        if form is None:
            return finish_public_response(self.request, not_acceptable(self.request, REGISTER_FORMATS))
        response = {HTML: self.html_response, JSON: self.json_response, CSV: self.csv_response}[form]()
        return finish_public_response(
            self.request, response, last_modified=self.last_updated, public=is_public(self.page)
        )

    def links(self) -> dict:
        return {
            "html": self.address,
            "json": with_format(self.address, JSON),
            "csv": with_format(self.address, CSV),
            "hub": absolute(self.request, self.hub_url),
            **self.registers.as_links(),
        }

    def as_json(self) -> dict:
        return {
            "@id": self.address,
            "@type": self.json_type,
            "title": str(self.title),
            "last_updated": _timestamp(self.last_updated),
            "count": len(self.entries),
            self.entries_key: self.entries,
            "links": self.links(),
        }

    def json_response(self):
        return json_response(self.as_json())

    def write_csv(self) -> str:
        """A heading row, then one row per entry shown; spreadsheet formulas escaped (``escape_formula``)."""
        output = io.StringIO()
        writer = csv.writer(output)
        writer.writerow([heading for heading, _value in self.csv_columns])
        for data in self.entries:
            writer.writerow(
                [_csv_cell(value(data) if callable(value) else data[value]) for _heading, value in self.csv_columns]
            )
        return output.getvalue()

    def csv_response(self):
        response = HttpResponse(self.write_csv(), content_type=f"{MEDIA_TYPES[CSV]}; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{self.page.slug}-{self.csv_name}.csv")
        return response

    def format_links(self) -> list[dict]:
        """Links to the JSON and CSV, keeping the filters, so they hold what the page shows."""
        query = [(self.filter_name, value) for value in self.filters]
        return [
            {**link, "href": f"{self.path}?{urlencode([*query, ('format', link['format'])])}"}
            for link in alternate_links(self.request, self.path, REGISTER_FORMATS)
        ]

    def html_context(self) -> dict:
        from .pages import PrivacyNoticeIndexPage

        context = super(PrivacyNoticeIndexPage, self.page).get_context(self.request)
        context.update(
            {
                "register": self,
                "groups": self.groups(),
                "hub_url": self.hub_url,
                "registers": self.registers,
                "alternates": alternate_links(self.request, self.path, REGISTER_FORMATS),
                "format_links": self.format_links(),
            }
        )
        return context

    def html_response(self):
        return TemplateResponse(self.request, self.template, self.html_context())


def _codes(items) -> list[str]:
    return [item["code"] for item in items]


def _names(items) -> list[str]:
    return [item["name"] for item in items]


def _link(url: str) -> str:
    return url if url and url.lower().startswith(_LINK_SCHEMES) else ""


class ProcessorRegister(PublicRegister):
    """The processor register: every organisation that receives personal data from us."""

    suffix = PROCESSORS
    json_type = PROCESSOR_REGISTER_TYPE
    schema_name = PROCESSOR_REGISTER_TYPE
    entries_key = "processors"
    filter_name = "role"
    filter_choices = ProcessorRole
    template = "privacy_notices/registers/processors.html"
    csv_name = "processors"
    csv_columns = (
        ("id", "@id"),
        ("slug", "slug"),
        ("name", "name"),
        ("service", "service"),
        ("role", "role"),
        ("role_text", "role_text"),
        ("purposes", "purposes"),
        ("data_categories", "data_categories"),
        ("countries", lambda data: _codes(data["countries"])),
        ("country_names", lambda data: _names(data["countries"])),
        ("third_countries", lambda data: _codes(data["third_countries"])),
        ("transfer_safeguard", "transfer_safeguard"),
        ("transfer_safeguard_text", "transfer_safeguard_text"),
        ("safeguard_details", "safeguard_details"),
        ("privacy_notice_url", "privacy_notice_url"),
    )
    title = _("Organisations we share information with")
    intro = _(
        "Every organisation that receives personal information from us: what it does, where it holds the "
        "information and how the information is protected when it leaves the UK. Each privacy notice says "
        "which of them receive your information."
    )
    count_label = _("Organisations listed")

    # The page's headings, in this order; a role no longer in the code comes after them, under its stored name.
    ROLE_GROUPS = (
        (
            ProcessorRole.PROCESSOR,
            _("Processors acting on our behalf"),
            _("They handle information only on our instructions, under a contract with us."),
        ),
        (
            ProcessorRole.SUB_PROCESSOR,
            _("Sub-processors"),
            _("Organisations our processors use, with our agreement, to do part of the work."),
        ),
        (
            ProcessorRole.JOINT_CONTROLLER,
            _("Joint controllers"),
            _("Organisations that decide with us why and how the information is used."),
        ),
        (
            ProcessorRole.INDEPENDENT_CONTROLLER,
            _("Independent controllers"),
            _("Organisations that decide for themselves how they use the information we give them."),
        ),
        (
            ProcessorRole.RECIPIENT,
            _("Other organisations we share information with"),
            "",
        ),
    )

    def entry_id(self, slug):
        return self.registers.processor_id(slug)

    def queryset(self):
        # Never the contract dates and reference or the internal notes: not even loaded.
        return Processor.objects.filter(live=True).only(
            "slug",
            "name",
            "service",
            "role",
            "purposes",
            "data_categories",
            "countries",
            "transfer_safeguard",
            "safeguard_details",
            "privacy_notice_url",
            "last_published_at",
        )

    def groups(self) -> list[Group]:
        by_role: dict[str, list] = {}
        for data in self.entries:
            by_role.setdefault(data["role"], []).append({**data, "notice_link": _link(data["privacy_notice_url"])})
        groups = [
            Group(role.value, str(heading), str(explanation), by_role.pop(role.value))
            for role, heading, explanation in self.ROLE_GROUPS
            if role.value in by_role
        ]
        for role, entries in by_role.items():
            groups.append(Group(f"role-{role}", entries[0]["role_text"] or gettext("Other organisations"), "", entries))
        return groups


class CookieRegister(PublicRegister):
    """The cookie declarations: every cookie the site sets or lets another service set."""

    suffix = COOKIES
    json_type = COOKIE_DECLARATIONS_TYPE
    schema_name = COOKIE_DECLARATIONS_TYPE
    entries_key = "cookies"
    filter_name = "category"
    filter_choices = CookieCategory
    template = "privacy_notices/registers/cookies.html"
    csv_name = "cookies"
    csv_columns = (
        ("id", "@id"),
        ("slug", "slug"),
        ("name", "name"),
        ("purpose", "purpose"),
        ("lifetime", "lifetime"),
        ("lifetime_text", "lifetime_text"),
        ("category", "category"),
        ("category_text", "category_text"),
        ("provider", "provider"),
        ("provider_slug", "provider_slug"),
        ("party", "party"),
        ("party_text", "party_text"),
    )
    title = _("Cookies we use")
    intro = _(
        "Cookies are small files saved on your device when you visit a website. These are all the cookies this "
        "site sets, or lets another service set: what each is for and when it expires."
    )
    count_label = _("Cookies listed")

    # Only strictly necessary cookies are exempt from consent (PECR regulation 6); a category
    # no longer in the code is counted as optional, never as exempt.
    ESSENTIAL = (CookieCategory.STRICTLY_NECESSARY,)
    ESSENTIAL_HEADING = _("Essential cookies")
    ESSENTIAL_EXPLANATION = _(
        "We need these cookies to make the site work. The law allows us to set them without asking for your consent."
    )
    OPTIONAL_HEADING = _("Optional cookies")
    OPTIONAL_EXPLANATION = _("These cookies are not needed for the site to work, so they need your consent.")

    def entry_id(self, slug):
        return self.registers.cookie_id(slug)

    def queryset(self):
        # The provider with the cookie, in the same query; only what the public may read of either.
        return (
            CookieDeclaration.objects.filter(live=True)
            .select_related("provider")
            .only(
                "slug",
                "name",
                "purpose",
                "category",
                "lifetime",
                "party",
                "last_published_at",
                "provider",
                "provider__slug",
                "provider__name",
                "provider__live",
                "provider__last_published_at",
            )
        )

    def entry_modified(self, entry):
        # The row shows the provider's name: renaming and publishing the provider changes it.
        moments = [entry.last_published_at]
        if entry.provider_id and entry.provider.live:
            moments.append(entry.provider.last_published_at)
        return max((moment for moment in moments if moment), default=None)

    def order(self, entries):
        rank = {category: index for index, category in enumerate(CookieCategory.values)}
        return sorted(
            entries, key=lambda data: (rank.get(data["category"], len(rank)), data["category"], _name_order(data))
        )

    def groups(self) -> list[Group]:
        """One group per category (strictly necessary first), each marked essential or optional."""
        by_category: dict[str, list] = {}
        for data in self.entries:  # already in category order
            by_category.setdefault(data["category"], []).append(data)
        return [
            Group(category, entries[0]["category_text"] or gettext("Other"), "", entries)
            for category, entries in by_category.items()
        ]

    def sections(self) -> list[dict]:
        """The groups under "Essential cookies" and "Optional cookies" (each section only if it has any)."""
        groups = self.groups()
        essential = [group for group in groups if group.key in self.ESSENTIAL]
        optional = [group for group in groups if group.key not in self.ESSENTIAL]
        return [
            {"key": key, "heading": heading, "explanation": explanation, "groups": part}
            for key, heading, explanation, part in (
                ("essential", self.ESSENTIAL_HEADING, self.ESSENTIAL_EXPLANATION, essential),
                ("optional", self.OPTIONAL_HEADING, self.OPTIONAL_EXPLANATION, optional),
            )
            if part
        ]

    def html_context(self) -> dict:
        context = super().html_context()
        context["sections"] = self.sections()
        return context


def processors_view(page, request):
    """``<hub>@processors``: the live processor register as HTML, JSON or CSV."""
    return ProcessorRegister(page, request).serve()


def cookies_view(page, request):
    """``<hub>@cookies``: the live cookie declarations as HTML, JSON or CSV."""
    return CookieRegister(page, request).serve()


# OpenAPI -------------------------------------------------------------------------------------------------------------

_SCHEMAS = "#/components/schemas/"
_URI = {"type": "string", "format": "uri"}
_URI_OR_NULL = {"type": ["string", "null"], "format": "uri"}
_TEXT = {"type": "string"}


def _object(properties: dict, description: str = "") -> dict:
    """An object that always has every one of ``properties``; open to keys added later (clients ignore them)."""
    schema = {"type": "object", "required": list(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _choice(choices, description: str) -> dict:
    # Not an enum: stored content outlives code, and a value removed from the code is still served as stored.
    return {"type": "string", "description": description, "examples": [value for value in choices.values if value]}


def _entry_id(register: str) -> dict:
    return {
        **_URI_OR_NULL,
        "description": f"The entry's identifier, <hub>{register}#<slug>: the address of its row on the page "
        "(null only for an entry stored without a code).",
    }


def _country_list(description: str) -> dict:
    country = _object({"code": {"type": "string", "description": "ISO 3166-1 alpha-2"}, "name": _TEXT})
    return {"type": "array", "items": country, "description": description}


def _register_schema(type_name: str, entries_key: str, entry_schema: str, description: str) -> dict:
    links = _object(
        {
            "html": _URI,
            "json": _URI,
            "csv": _URI,
            "hub": _URI,
            "processors": _URI,
            "cookies": _URI,
            "retention_schedule": {**_URI_OR_NULL, "description": "null where the site has no live schedule page"},
        }
    )
    return _object(
        {
            "@id": {**_URI, "description": "The register's address."},
            "@type": {"const": type_name},
            "title": _TEXT,
            "last_updated": {
                "type": ["string", "null"],
                "format": "date-time",
                "description": "The latest publish among the entries listed (UTC, to the second); "
                "null when none are listed.",
            },
            "count": {"type": "integer", "minimum": 0, "description": "How many entries are listed."},
            entries_key: {"type": "array", "items": {"$ref": _SCHEMAS + entry_schema}},
            "links": links,
        },
        description,
    )


def openapi_schemas() -> dict:
    """``components.schemas`` for the registers' JSON: ProcessorRegister, RegisterProcessor and the cookies'."""
    processor = _object(
        {
            "@id": _entry_id(PROCESSORS),
            "slug": _TEXT,
            "name": _TEXT,
            "service": _TEXT,
            "role": _choice(
                ProcessorRole, "processor, sub_processor, independent_controller, joint_controller or recipient"
            ),
            "role_text": _TEXT,
            "purposes": _TEXT,
            "data_categories": _TEXT,
            "countries": _country_list("Every country where the data is stored or can be accessed."),
            "third_countries": _country_list("The countries among them outside the UK."),
            "transfer_safeguard": _choice(
                TransferSafeguard, "What protects the data outside the UK; empty when it stays in the UK."
            ),
            "transfer_safeguard_text": _TEXT,
            "safeguard_details": _TEXT,
            "privacy_notice_url": {"type": "string", "description": "Their own privacy notice; empty if not given."},
        },
        "A live entry of the processor register: its public fields only.",
    )
    cookie = _object(
        {
            "@id": _entry_id(COOKIES),
            "slug": _TEXT,
            "name": {"type": "string", "description": "The cookie's name, or a pattern such as _ga_*."},
            "provider": {
                "type": "string",
                "description": "Who sets it: a live processor's name, “Us” for the site's own, or empty.",
            },
            "provider_slug": {
                "type": ["string", "null"],
                "description": "The provider's code in the processor register; null for none or an unpublished one.",
            },
            "purpose": _TEXT,
            "category": _choice(CookieCategory, "strictly_necessary, functional, analytics or marketing"),
            "category_text": _TEXT,
            "lifetime": {"type": "string", "description": "“session”, or an ISO 8601 duration such as P2Y."},
            "lifetime_text": _TEXT,
            "party": _choice(CookieParty, "first or third"),
            "party_text": _TEXT,
        },
        "A live cookie declaration: its public fields only.",
    )
    return {
        "ProcessorRegister": _register_schema(
            PROCESSOR_REGISTER_TYPE, "processors", "RegisterProcessor", "Every live processor and recipient, by name."
        ),
        "RegisterProcessor": processor,
        "CookieDeclarations": _register_schema(
            COOKIE_DECLARATIONS_TYPE,
            "cookies",
            "RegisterCookie",
            "Every live cookie declaration: strictly necessary, functional, analytics, marketing; by name in each.",
        ),
        "RegisterCookie": cookie,
    }


def _header(description: str, required: bool = False) -> dict:
    return {"description": description, "required": required, "schema": {"type": "string"}}


def _register_operation(register: type[PublicRegister], operation_id: str, summary: str, description: str) -> dict:
    offered = ", ".join(REGISTER_FORMATS)
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "tags": ["Registers"],
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": f"The form to answer in ({offered}); without it, the Accept header chooses, "
                "and HTML is the default.",
                "schema": {"type": "string", "enum": list(REGISTER_FORMATS)},
            },
            {
                "name": register.filter_name,
                "in": "query",
                "required": False,
                "description": f"Only entries with this {register.filter_name} (repeat it for several: "
                f"{', '.join(v for v in register.filter_choices.values if v)}). A value that matches nothing "
                "lists nothing.",
                "style": "form",
                "explode": True,
                "schema": {"type": "array", "items": {"type": "string"}},
            },
            {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
            {"name": "If-Modified-Since", "in": "header", "required": False, "schema": {"type": "string"}},
        ],
        "responses": {
            "200": {
                "description": "The register, in the form asked for.",
                "headers": {
                    "ETag": _header("Changes whenever the body does.", required=True),
                    "Last-Modified": _header("The latest publish among the entries listed; absent when none are."),
                    "Vary": _header("Accept, at least: one address, several forms.", required=True),
                    "Cache-Control": _header("public, or private for a hub behind a view restriction.", True),
                },
                "content": {
                    MEDIA_TYPES[JSON]: {"schema": {"$ref": _SCHEMAS + register.schema_name}},
                    MEDIA_TYPES[CSV]: {
                        "schema": {
                            "type": "string",
                            "description": "A heading row, then one row per entry (lists joined with “; ”), "
                            f"with the columns {', '.join(heading for heading, _value in register.csv_columns)}.",
                        }
                    },
                    MEDIA_TYPES[HTML]: {"schema": {"type": "string"}},
                },
            },
            "304": {
                "description": "Not modified: the copy named by If-None-Match (or If-Modified-Since) is current.",
                "headers": {"ETag": _header("The current ETag.", required=True)},
            },
            "404": {
                "description": "No live hub at this address: the site's own 404 page (or JSON, where the site's "
                "404 handler answers JSON to a client that asked for it).",
                "content": {
                    MEDIA_TYPES[HTML]: {"schema": {"type": "string"}},
                    MEDIA_TYPES[JSON]: {"schema": _object({"status": {"type": "integer"}, "error": _TEXT})},
                },
            },
            "406": {
                "description": "No form asked for is one this address has (?format= or Accept); says which it has. "
                "JSON when JSON was asked for, else plain text.",
                "content": {
                    MEDIA_TYPES[JSON]: {
                        "schema": _object(
                            {
                                "status": {"const": 406},
                                "error": _TEXT,
                                "formats": {
                                    "type": "object",
                                    "description": "Each ?format= name this address has, and its media type.",
                                    "additionalProperties": {"type": "string"},
                                },
                            }
                        )
                    },
                    "text/plain": {"schema": {"type": "string"}},
                },
            },
        },
    }


def openapi_paths(hub_path: str = "/privacy/") -> tuple[dict, dict]:
    """The registers' OpenAPI 3.1 ``paths`` beside the hub at ``hub_path`` and their ``components.schemas``."""
    hub = hub_path if hub_path.endswith("/") else hub_path + "/"
    paths = {
        f"{hub}{PROCESSORS}": {
            "get": _register_operation(
                ProcessorRegister,
                "getProcessorRegister",
                "The processor register",
                "Every live processor and recipient: role, what they do, where the data is held and its "
                "safeguard. Never drafts, contract details or internal notes.",
            )
        },
        f"{hub}{COOKIES}": {
            "get": _register_operation(
                CookieRegister,
                "getCookieDeclarations",
                "The cookie declarations",
                "Every live cookie the site sets or lets others set: purpose, category, lifetime, provider.",
            )
        },
    }
    return paths, openapi_schemas()
