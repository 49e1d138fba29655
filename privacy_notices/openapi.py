"""The OpenAPI 3.1 description of every JSON answer the public addresses and the API give: ``/api/openapi.json``.

The document describes the site as it is: the hub's and the retention
schedule's paths are read from the live pages (``/privacy/`` and
``/retention-schedule/`` in the demo; the demo's layout when a site has
neither yet), every response is described per status and per media type, and
the schemas of the JSON are the shapes :mod:`privacy_notices.headless` and
:mod:`privacy_notices.document` build. The schedule's schemas are its
published JSON Schema (:func:`retention_schedule.exchange.schema.schedule_json_schema`).

Modules that add JSON addresses describe them with an ``openapi_paths()``
function returning ``(paths, component_schemas)``; this document merges those
of :data:`EXTENSIONS` (Wagtail's API v2, the public registers beside the hub).

Schemas follow OpenAPI 3.1's dialect of JSON Schema 2020-12. Objects list the
keys they always have as ``required`` and leave other keys allowed: a client
must ignore keys it does not know, so adding one is not a breaking change.
"""

import importlib
import inspect
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Site

from retention_schedule.conditional import finish_public_response
from retention_schedule.exchange.schema import PERIOD_PATTERN, schedule_json_schema
from retention_schedule.exchange.writing import INTERNAL_COLUMN_NAMES, XLSX_CONTENT_TYPE
from retention_schedule.models import DisposalAction, PeriodType
from retention_schedule.negotiation import (
    CSV,
    HTML,
    JSON,
    JSONLD,
    MEDIA_TYPES,
    not_acceptable,
    requested_format,
)
from retention_schedule.pages import FORMATS as SCHEDULE_FORMATS
from retention_schedule.pages import RULE_FORMATS, SCHEMA_CONTENT_TYPE

from .choices import (
    CookieCategory,
    CookieParty,
    DataKind,
    DataRight,
    DataSource,
    DataSubjectTerm,
    LawfulBasis,
    ProcessorRole,
    SpecialCategoryCondition,
    TransferSafeguard,
)
from .compliance import ITEMS as COMPLIANCE_ITEMS
from .headless import DIFF_TYPE, HISTORY_TYPE, HUB_TYPE, NOTICE_TYPE
from .history import DIFF, HISTORY
from .serving import DIFF_FORMATS, HISTORY_FORMATS, HUB_FORMATS, NOTICE_FORMATS, VERSION_FORMATS, json_response

OPENAPI_VERSION = "3.1.0"
# OpenAPI 3.1's own dialect: JSON Schema 2020-12 with OpenAPI's keywords (``discriminator``).
SCHEMA_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
DISTRIBUTION = "wagtail-privacy-notices"

# Where the demo puts its pages: the layout described when a site has no hub or schedule yet.
DEMO_HUB_PATH = "/privacy/"
DEMO_SCHEDULE_PATH = "/retention-schedule/"
DEMO_API_V2_PREFIX = "/api/v2"

# Modules that add JSON addresses, each with ``openapi_paths() -> (paths, component_schemas)``.
EXTENSIONS = ("privacy_notices.api_schema", "privacy_notices.public_registers")

# How many slugs or codes of live content to give as examples of a path parameter.
EXAMPLES_PER_PARAMETER = 20

TEXT_PLAIN = "text/plain"

# A page slug as Wagtail's URL patterns match it; a rule code as the rule page's route does.
SLUG_PATTERN = r"^[-\w]+$"


# Schema building blocks ----------------------------------------------------------------------------------------------


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _string(description: str | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict) -> dict:
    schema = dict(schema)
    schema["type"] = [schema["type"], "null"]
    return schema


def _uri(description=None) -> dict:
    return _string(description, format="uri")


def _uri_or_null(description=None) -> dict:
    return _nullable(_uri(description))


def _date(description=None) -> dict:
    return _string(description, format="date")


def _date_time(description=None) -> dict:
    return _string(description, format="date-time")


def _html(description=None) -> dict:
    return _string(description or _("HTML, as the page shows it."), contentMediaType="text/html")


def _choice(choices, description=None) -> dict:
    return _string(description, enum=[str(value) for value in choices.values])


def _object(properties: dict, *, description=None, title=None) -> dict:
    """An object with ``properties``, every one of them always there (other keys allowed)."""
    schema = {"type": "object"}
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    schema["required"] = list(properties)
    schema["properties"] = properties
    return schema


def _array(items: dict, description=None) -> dict:
    schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def _rewrite_refs(node, old_prefix: str, new_prefix: str):
    """``node`` with every ``$ref`` starting with ``old_prefix`` pointing under ``new_prefix`` instead."""
    if isinstance(node, dict):
        return {
            key: (
                new_prefix + value[len(old_prefix) :]
                if key == "$ref" and isinstance(value, str) and value.startswith(old_prefix)
                else _rewrite_refs(value, old_prefix, new_prefix)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, old_prefix, new_prefix) for item in node]
    return node


# Component schemas ---------------------------------------------------------------------------------------------------


def _register_schemas() -> dict:
    """The register entries a notice embeds: audiences, processors, cookies, retention rules."""
    country = _object(
        {"code": _string(_("ISO 3166-1 alpha-2 code."), pattern=r"^[A-Z]{2}$"), "name": _string()},
        title=_("Country"),
    )
    rule = schedule_json_schema()["$defs"]["rule"]
    notice_rule_properties = {"@id": _uri_or_null(_("The rule's own page on the retention schedule."))}
    # What the schedule's JSON says of a rule, less its address (the @id here) and the DPO's working fields.
    notice_rule_properties.update(
        {name: schema for name, schema in rule["properties"].items() if name not in {"url", *INTERNAL_COLUMN_NAMES}}
    )
    return {
        "Audience": _object(
            {
                "name": _string(),
                "slug": _string(_("Stable identifier of the audience."), pattern=SLUG_PATTERN),
                "description": _string(),
                "data_subject": _choice(DataSubjectTerm, _("The W3C DPV data-subject term.")),
            },
            title=_("Audience"),
            description=_("Who a notice is for."),
        ),
        "Country": country,
        "Processor": _object(
            {
                "@id": _uri_or_null(_("The entry in the hub's processor register: <hub>@processors#<slug>.")),
                "slug": _string(_("Stable code of the register entry.")),
                "name": _string(),
                "service": _string(),
                "role": _choice(ProcessorRole),
                "role_text": _string(),
                "purposes": _string(),
                "data_categories": _string(),
                "countries": _array(ref("Country"), _("Every country where the data is stored or can be accessed.")),
                "third_countries": _array(ref("Country"), _("The countries outside the UK.")),
                "transfer_safeguard": _choice(TransferSafeguard),
                "transfer_safeguard_text": _string(),
                "safeguard_details": _string(),
                "privacy_notice_url": _string(_("Their own privacy notice; empty when not known.")),
            },
            title=_("Processor or recipient"),
        ),
        "Cookie": _object(
            {
                "@id": _uri_or_null(_("The entry in the hub's cookie register: <hub>@cookies#<slug>.")),
                "slug": _string(),
                "name": _string(_("The cookie's name, or a pattern such as _ga_*.")),
                "provider": _string(_("Who sets it; “Us” for the site's own cookies.")),
                "provider_slug": _nullable(_string(_("The provider's entry in the processor register."))),
                "purpose": _string(),
                "category": _choice(CookieCategory),
                "category_text": _string(),
                "lifetime": _string(_("“session”, or an ISO 8601 duration such as P2Y or PT30M.")),
                "lifetime_text": _string(),
                "party": _choice(CookieParty),
                "party_text": _string(),
            },
            title=_("Cookie declaration"),
        ),
        "NoticeRule": {
            "type": "object",
            "title": _("Retention rule"),
            "description": _("A rule of the retention schedule, as a notice shows it."),
            "required": [
                "@id",
                "code",
                "record_class",
                "business_function",
                "description",
                "data_categories",
                "period_type",
                "period",
                "period_text",
                "trigger",
                "criteria",
                "disposal_action",
                "disposal_action_text",
                "exceptions",
                "authority",
                "summary",
            ],
            "properties": notice_rule_properties,
        },
    }


def _section(kind: str, title: str, properties: dict) -> dict:
    common = {
        "type": {"const": kind},
        "id": _nullable(_string(_("The section's block id: stable across versions."))),
        "heading": _string(),
    }
    return _object({**common, **properties}, title=title)


def _section_schemas() -> dict:
    """Each kind of notice section, and the union of them all (on ``type``)."""
    intro = _html(_("Introduction, as HTML; empty when there is none."))
    sections = {
        "PersonalDataSection": _section(
            "personal_data",
            _("The personal data we collect"),
            {
                "intro": intro,
                "categories": _array(
                    _object(
                        {
                            "name": _string(),
                            "details": _string(),
                            "kind": _choice(DataKind),
                            "kind_text": _string(),
                        }
                    )
                ),
                "source": _choice(DataSource),
                "source_text": _string(),
                "source_details": _string(),
                "requirement": _string(_("Whether people have to give it, and what happens if they do not.")),
            },
        ),
        "PurposesSection": _section(
            "purposes",
            _("Why we use it, and our lawful basis"),
            {
                "intro": intro,
                "purposes": _array(
                    _object(
                        {
                            "purpose": _string(),
                            "details": _string(),
                            "lawful_basis": _string(enum=["", *LawfulBasis.values]),
                            "lawful_basis_text": _string(),
                            "legitimate_interests": _string(),
                            "special_category_condition": _string(enum=["", *SpecialCategoryCondition.values]),
                            "special_category_condition_text": _string(),
                            "criminal_offence_condition": _string(),
                        }
                    )
                ),
            },
        ),
        "SharingSection": _section(
            "sharing",
            _("Who we share it with"),
            {
                "intro": intro,
                "processors": _array(ref("Processor")),
                "other_recipients": _array(_object({"name": _string(), "details": _string()})),
            },
        ),
        "RetentionSection": _section(
            "retention",
            _("How long we keep it"),
            {"intro": intro, "rules": _array(ref("NoticeRule"))},
        ),
        "TransfersSection": _section(
            "transfers",
            _("International transfers"),
            {
                "intro": intro,
                "processors": _array(
                    ref("Processor"), _("Every processor of the notice whose data leaves the UK, once each.")
                ),
            },
        ),
        "CookiesSection": _section(
            "cookies",
            _("Cookies"),
            {
                "intro": intro,
                "cookie_groups": _array(
                    _object(
                        {
                            "category": _choice(CookieCategory),
                            "category_text": _string(),
                            "cookies": _array(ref("Cookie")),
                        }
                    )
                ),
            },
        ),
        "AutomatedDecisionsSection": _section(
            "automated_decisions",
            _("Automated decisions"),
            {"uses_automated_decisions": {"type": "boolean"}, "details": _html()},
        ),
        "RightsSection": _section(
            "rights",
            _("Your rights"),
            {
                "intro": intro,
                "rights": _array(_object({"right": _choice(DataRight), "text": _string()})),
            },
        ),
        "TextSection": _section("text", _("Text"), {"body": _html()}),
    }
    kinds = {schema["properties"]["type"]["const"]: name for name, schema in sections.items()}
    sections["NoticeSection"] = {
        "title": _("Notice section"),
        "description": _("One section of a notice; ``type`` says which kind."),
        "oneOf": [ref(name) for name in kinds.values()],
        "discriminator": {
            "propertyName": "type",
            "mapping": {kind: f"#/components/schemas/{name}" for kind, name in kinds.items()},
        },
    }
    sections["HubSection"] = {
        "title": _("Hub section"),
        "description": _("A section for everyone on the hub: your rights, or text."),
        "oneOf": [ref("RightsSection"), ref("TextSection")],
        "discriminator": {
            "propertyName": "type",
            "mapping": {
                "rights": "#/components/schemas/RightsSection",
                "text": "#/components/schemas/TextSection",
            },
        },
    }
    return sections


def _contact(*names) -> dict:
    return _object({name: _string() for name in names})


def _notice_schemas() -> dict:
    """The hub, a notice, its history, one version and a diff between two."""
    notice_ref = _object({"@id": _uri(), "title": _string()}, title=_("The notice"))
    history_version = {
        "type": "object",
        "title": _("A version in the history"),
        "required": ["@id", "number", "published_at", "material", "summary"],
        "properties": {
            "@id": _uri(_("The version's own address: <notice>@history/<number>.")),
            "number": {"type": "integer", "minimum": 1},
            "published_at": _date_time(),
            "material": {
                "type": "boolean",
                "description": _("Whether the change mattered to people (it moves “Last updated”)."),
            },
            "summary": _string(_("What changed, for the public.")),
            "diff": _uri_or_null(_("What changed from the version before; null for the first.")),
        },
    }
    diff_segment = _object({"op": _string(enum=["equal", "insert", "delete"]), "text": _string()})
    return {
        "Organisation": _object(
            {
                "controller": _contact("name", "address", "email", "telephone", "registration_number"),
                "dpo": _contact("name", "email", "telephone", "address"),
                "supervisory_authority": _contact("name", "url", "telephone", "address"),
            },
            title=_("Organisation"),
            description=_("Who the controller is, how to reach its data protection officer, and where to complain."),
        ),
        "NoticeLinks": _object(
            {
                "notice": _uri(_("The notice's current address.")),
                "html": _uri(_("This answer's address, as a page.")),
                "json_ld": _uri(_("This answer as JSON-LD.")),
                "history": _uri_or_null(),
                "this_version": _uri_or_null(_("The version this document is; null before any version.")),
                "processors": _uri_or_null(),
                "cookies": _uri_or_null(),
                "retention_schedule": _uri_or_null(),
            }
        ),
        "Notice": _object(
            {
                "@id": _uri(_("This answer's address.")),
                "@type": {"const": NOTICE_TYPE},
                "title": _string(),
                "slug": _string(),
                "audience": ref("Audience"),
                "summary": _string(),
                "version": _nullable(
                    {"type": "integer", "minimum": 1, "description": _("The latest version; null before any.")}
                ),
                "first_published": _nullable(_date()),
                "last_updated": _nullable(_date(_("The date of the latest material change (“Last updated”)."))),
                "published_at": _nullable(_date_time(_("When what the notice says last changed at all."))),
                "organisation": ref("Organisation"),
                "sections": _array(ref("NoticeSection")),
                "links": ref("NoticeLinks"),
                "compliance": ref("ComplianceReport"),
            },
            title=_("Privacy notice"),
            description=_("A notice as it stands, resolved with the live register entries it shows."),
        ),
        "ComplianceReport": _object(
            {
                "complete": {"type": "boolean", "description": _("Whether every item the law requires is there.")},
                "articles": _array(
                    _string(enum=["13", "14"]),
                    _("13 when the information comes from the person, 14 when from others; both when both."),
                ),
                "missing": _array(
                    _string(enum=[item.code for item in COMPLIANCE_ITEMS]), _("Codes of the missing items.")
                ),
                "items": _array(ref("ComplianceItem")),
            },
            title=_("Compliance with UK GDPR Articles 13 and 14"),
            description=_("Each item a notice must tell people, present, missing or not applicable."),
        ),
        "ComplianceItem": _object(
            {
                "code": _string(enum=[item.code for item in COMPLIANCE_ITEMS]),
                "articles": _array(_string(), _("The article references, e.g. 13(1)(a).")),
                "title": _string(),
                "status": _string(enum=["present", "missing", "not_applicable"]),
                "detail": _string(_("What is missing, where something is.")),
                "found_in": _nullable(
                    _object(
                        {
                            "in": _string(enum=["notice", "hub", "organisation"]),
                            "section_id": _nullable(_string()),
                            "heading": _string(),
                        }
                    )
                ),
                "section_type": _string(_("The kind of section that holds the item, or “organisation”.")),
                "fix": _string(_("What to do, where the item is missing.")),
            },
            title=_("One item of the checklist"),
        ),
        "InForce": _object(
            {
                "number": {"type": "integer", "minimum": 1},
                "current": {"type": "boolean", "description": _("Whether this is the latest version.")},
                "published_at": _date_time(),
                "from": _date(_("The day it came into force.")),
                "until": _nullable(_date(_("The day the next version came into force; null while current."))),
                "as_of": _nullable(_date(_("The date asked for with ?at=; null otherwise."))),
                "material": {"type": "boolean"},
                "summary": _string(),
                "latest_version": {"type": "integer", "minimum": 1},
                "diff_from_previous": _uri_or_null(),
                "diff_to_latest": _uri_or_null(),
            },
            title=_("When a version was in force"),
        ),
        "Version": {
            "title": _("A version of a notice"),
            "description": _("The notice as version n said it, and when that version was in force."),
            "allOf": [ref("Notice"), _object({"in_force": ref("InForce")})],
        },
        "HubNotice": _object(
            {
                "@id": _uri(),
                "title": _string(),
                "audience": ref("Audience"),
                "summary": _string(),
                "last_updated": _nullable(_date()),
            },
            title=_("A notice on the hub"),
        ),
        "Hub": _object(
            {
                "@id": _uri(),
                "@type": {"const": HUB_TYPE},
                "title": _string(),
                "intro": _html(),
                "organisation": ref("Organisation"),
                "published_at": _nullable(_date_time(_("When the hub or a notice it lists was last published."))),
                "sections": _array(ref("HubSection")),
                "notices": _array(ref("HubNotice"), _("Every live, public notice, by audience.")),
                "links": _object(
                    {
                        "html": _uri(),
                        "processors": _uri_or_null(),
                        "cookies": _uri_or_null(),
                        "retention_schedule": _uri_or_null(),
                    }
                ),
            },
            title=_("Privacy notices hub"),
        ),
        "NoticeReference": notice_ref,
        "HistoryVersion": history_version,
        "History": _object(
            {
                "@id": _uri(),
                "@type": {"const": HISTORY_TYPE},
                "notice": ref("NoticeReference"),
                "count": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "pages": {"type": "integer", "minimum": 1},
                "next": _uri_or_null(),
                "previous": _uri_or_null(),
                "versions": _array({"allOf": [ref("HistoryVersion"), {"required": ["diff"]}]}, _("Newest first.")),
            },
            title=_("A notice's history"),
        ),
        "DiffSegment": diff_segment,
        "DiffLine": {
            "type": "object",
            "title": _("A line of a diff"),
            "required": ["op", "text", "segments"],
            "properties": {
                "op": _string(enum=["equal", "insert", "delete", "skip"]),
                "text": _string(),
                "segments": _array(ref("DiffSegment"), _("The words of the line; changed words marked.")),
                "count": {"type": "integer", "minimum": 2, "description": _("How many unchanged lines a skip hides.")},
            },
            "if": {"properties": {"op": {"const": "skip"}}},
            "then": {"required": ["count"]},
        },
        "Diff": _object(
            {
                "@id": _uri(),
                "@type": {"const": DIFF_TYPE},
                "notice": ref("NoticeReference"),
                "history": _uri(),
                "from": ref("HistoryVersion"),
                "to": ref("HistoryVersion"),
                "changes": _array(ref("HistoryVersion"), _("Every version after the first, up to the second.")),
                "fields": _array(
                    _object(
                        {
                            "field": _string(enum=["title", "summary", "audience"]),
                            "label": _string(),
                            "old": _string(),
                            "new": _string(),
                            "lines": _array(ref("DiffLine")),
                        }
                    )
                ),
                "sections": _array(
                    _object(
                        {
                            "status": _string(enum=["added", "removed", "changed", "unchanged"]),
                            "type": _string(),
                            "id": _nullable(_string()),
                            "heading": _string(),
                            "old_heading": _nullable(_string(_("The heading before; null for an added section."))),
                            "lines": _array(ref("DiffLine")),
                        }
                    )
                ),
                "contact": _array(ref("DiffLine"), _("The contact details, where they changed.")),
                "changed": {"type": "boolean"},
            },
            title=_("What changed between two versions"),
        ),
    }


def _error_schemas() -> dict:
    return {
        "Problem": _object(
            {
                "status": {"type": "integer", "enum": [400, 404]},
                "error": _string(_("What is wrong, in a few words.")),
                "message": _string(_("What is wrong, and what to do instead.")),
                "links": _array(_object({"href": _uri(), "text": _string()})),
            },
            title=_("Problem"),
            description=_("What is wrong with the address, at a notice's address."),
        ),
        "Error": _object(
            {"status": {"type": "integer"}, "error": _string()},
            title=_("Error"),
            description=_("An error, as JSON because JSON was asked for (e.g. nothing at this address)."),
        ),
        "RuleError": _object(
            {"error": _string()},
            title=_("Rule error"),
            description=_("What is wrong, at a rule's address: no such rule, or a trigger date that is not a date."),
        ),
        "NotAcceptable": _object(
            {
                "status": {"const": 406},
                "error": _string(),
                "formats": {
                    "type": "object",
                    "description": _("The forms this address has: ?format= name -> media type."),
                    "additionalProperties": _string(),
                },
            },
            title=_("Not acceptable"),
        ),
        "JsonLd": {
            "type": "object",
            "title": _("JSON-LD"),
            "description": _("JSON-LD with W3C Data Privacy Vocabulary terms; the @context is inline."),
            "required": ["@context"],
            "properties": {"@context": {"type": ["object", "array", "string"]}},
        },
    }


def _schedule_schemas() -> dict:
    """The schedule and its rules, from the schedule's own JSON Schema; and the disposal-date calculation."""
    schema = schedule_json_schema()
    rule = schema.pop("$defs")["rule"]
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    schedule = _rewrite_refs(schema, "#/$defs/rule", "#/components/schemas/ScheduleRule")
    return {
        "Schedule": schedule,
        "ScheduleRule": rule,
        "DisposalDate": _object(
            {
                "code": _string(),
                "record_class": _string(),
                "period": _nullable(_string(pattern=PERIOD_PATTERN)),
                "period_type": _choice(PeriodType),
                "trigger": _string(),
                "trigger_date": _date(),
                "disposal_date": _nullable(_date(_("When the records are due; null when there is no fixed period."))),
                "disposal_action": _choice(DisposalAction),
                "explanation": _string(),
            },
            title=_("Disposal date"),
            description=_("When records with a given trigger date are due for disposal."),
        ),
    }


def component_schemas() -> dict:
    """Every schema this module describes, by component name."""
    schemas = {}
    for part in (_register_schemas, _section_schemas, _notice_schemas, _error_schemas, _schedule_schemas):
        schemas.update(part())
    return schemas


# Parameters, headers and shared responses ----------------------------------------------------------------------------


def _format_parameter(formats: dict[str, str]) -> dict:
    listed = ", ".join(f"{name} ({media_type})" for name, media_type in formats.items())
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": _(
            "The form of the answer: %(forms)s. Without it, the Accept header chooses; HTML by default. "
            "A form this address does not have is refused with 406."
        )
        % {"forms": listed},
        # The machine-readable forms: what a client of this document asks for.
        "schema": _string(enum=list(formats), examples=[name for name in formats if name != HTML]),
    }


def _path_parameter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def _version_number_parameter(name: str, description: str, example: int) -> dict:
    return _path_parameter(name, description, {"type": "integer", "minimum": 1, "examples": [example]})


def _date_parameter(name: str, description: str) -> dict:
    today = timezone.localdate().isoformat()
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": _date() | {"examples": [today]},
    }


def _slug_schema(examples) -> dict:
    schema = _string(pattern=SLUG_PATTERN)
    if examples:
        schema["examples"] = list(examples)[:EXAMPLES_PER_PARAMETER]
    return schema


def _parameters() -> dict:
    return {
        "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": _("An ETag this client holds: 304 Not Modified if it is still current."),
            "schema": _string(),
        },
        "IfModifiedSince": {
            "name": "If-Modified-Since",
            "in": "header",
            "required": False,
            "description": _("An HTTP date: 304 Not Modified if nothing changed since (If-None-Match wins)."),
            "schema": _string(),
        },
    }


def _headers() -> dict:
    return {
        "ETag": {
            "description": _("A strong validator of the body: send it back in If-None-Match."),
            "required": True,
            "schema": _string(),
        },
        "LastModified": {
            "description": _("When what this address shows was last published."),
            "schema": _string(),
        },
        "CacheControl": {
            "description": _("public, max-age=N; private, no-cache for a page behind a view restriction."),
            "required": True,
            "schema": _string(),
        },
        "Vary": {"description": _("Accept: one address has several forms."), "required": True, "schema": _string()},
    }


def _header_refs(*names) -> dict:
    header_names = {"ETag": "ETag", "LastModified": "Last-Modified", "CacheControl": "Cache-Control", "Vary": "Vary"}
    return {header_names[name]: {"$ref": f"#/components/headers/{name}"} for name in names}


def _text_content() -> dict:
    return {"schema": _string()}


def _responses() -> dict:
    return {
        "NotModified": {
            "description": _("Not Modified: the copy the client holds (If-None-Match, If-Modified-Since) is current."),
            "headers": _header_refs("ETag"),
        },
        "NotAcceptable": {
            "description": _(
                "Not Acceptable: this address has no such form. JSON when JSON was asked for, else plain text."
            ),
            "content": {MEDIA_TYPES[JSON]: {"schema": ref("NotAcceptable")}, TEXT_PLAIN: _text_content()},
        },
    }


def _ok(description: str, content: dict, *, last_modified=True, extra_headers=None) -> dict:
    headers = _header_refs(*(["ETag", "CacheControl", "Vary"] + (["LastModified"] if last_modified else [])))
    headers.update(extra_headers or {})
    return {"description": description, "headers": headers, "content": content}


def _html_or_json(json_schema: dict, *, jsonld=False) -> dict:
    content = {
        MEDIA_TYPES[HTML]: {"schema": _html(_("The page, for people."))},
        MEDIA_TYPES[JSON]: {"schema": json_schema},
    }
    if jsonld:
        content[MEDIA_TYPES[JSONLD]] = {"schema": ref("JsonLd")}
    return content


def _problem(description: str, *, not_found=False) -> dict:
    """400 or 404 at a notice's address: a page explaining what is wrong, or the Problem as JSON."""
    schema = {"anyOf": [ref("Problem"), ref("Error")]} if not_found else ref("Problem")
    return {
        "description": description,
        "content": {MEDIA_TYPES[HTML]: {"schema": _html()}, MEDIA_TYPES[JSON]: {"schema": schema}},
    }


def _common_responses(**responses) -> dict:
    shared = {
        "304": {"$ref": "#/components/responses/NotModified"},
        "406": {"$ref": "#/components/responses/NotAcceptable"},
    }
    merged = {**responses, **{status: value for status, value in shared.items() if status not in responses}}
    return dict(sorted(merged.items()))


def _operation(operation_id: str, tag: str, summary: str, description: str, parameters: list, responses: dict) -> dict:
    conditional = [
        {"$ref": "#/components/parameters/IfNoneMatch"},
        {"$ref": "#/components/parameters/IfModifiedSince"},
    ]
    return {
        "get": {
            "operationId": operation_id,
            "tags": [tag],
            "summary": summary,
            "description": description,
            "parameters": parameters + conditional,
            "responses": responses,
        }
    }


# Paths ---------------------------------------------------------------------------------------------------------------

NOTICES_TAG = "Privacy notices"
SCHEDULE_TAG = "Retention schedule"
DOCUMENT_TAG = "OpenAPI"


def _notice_paths(hub_path: str, audiences, suffix: str = "") -> dict:
    """The hub at ``hub_path`` and its notices' addresses; ``suffix`` tells apart the operations of several hubs."""
    base = hub_path if hub_path.endswith("/") else hub_path + "/"
    # With WAGTAIL_APPEND_SLASH = False a notice is /privacy/visitors, and its history /privacy/visitors@history.
    slash = "/" if hub_path.endswith("/") else ""
    notice = f"{base}{{audience}}{slash}"
    history = f"{notice}{HISTORY}"
    audience = _path_parameter(
        "audience", _("The notice's slug: the last part of its address."), _slug_schema(audiences)
    )
    return {
        hub_path: _operation(
            f"getHub{suffix}",
            NOTICES_TAG,
            _("The hub: every notice, and what applies to everyone"),
            _("“How we use your information”: the organisation-wide sections and every live notice by audience."),
            [_format_parameter(HUB_FORMATS)],
            _common_responses(**{"200": _ok(_("The hub."), _html_or_json(ref("Hub")))}),
        ),
        notice: _operation(
            f"getNotice{suffix}",
            NOTICES_TAG,
            _("A privacy notice"),
            _(
                "The notice for one audience, resolved with the live register entries it shows. "
                "With ?at=YYYY-MM-DD, the version that was in force on that date (JSON: a Version)."
            ),
            [
                audience,
                _format_parameter(NOTICE_FORMATS),
                _date_parameter("at", _("A date, YYYY-MM-DD: the version of the notice in force on that day.")),
            ],
            _common_responses(
                **{
                    "200": _ok(
                        _("The notice; with ?at=, the version in force on that date."),
                        _html_or_json({"anyOf": [ref("Notice"), ref("Version")]}, jsonld=True),
                    ),
                    "400": _problem(_("Bad Request: ?at= is not a date written YYYY-MM-DD.")),
                    "404": _problem(
                        _("Not Found: no version was in force on the date asked for, or no live notice here."),
                        not_found=True,
                    ),
                }
            ),
        ),
        history: _operation(
            f"getNoticeHistory{suffix}",
            NOTICES_TAG,
            _("A notice's history"),
            _("Every published version of the notice, newest first, 50 to a page."),
            [
                audience,
                _format_parameter(HISTORY_FORMATS),
                {
                    "name": "page",
                    "in": "query",
                    "required": False,
                    "description": _("Which page of versions; 1 by default."),
                    "schema": {"type": "integer", "minimum": 1, "examples": [1]},
                },
            ],
            _common_responses(
                **{
                    "200": _ok(_("A page of the history."), _html_or_json(ref("History"))),
                    "404": _problem(_("Not Found: no such page of versions, or no live notice here."), not_found=True),
                }
            ),
        ),
        f"{history}/{{number}}": _operation(
            f"getNoticeVersion{suffix}",
            NOTICES_TAG,
            _("One version of a notice"),
            _("Version n as it was published, and when it was in force. The latest version is shown the same way."),
            [
                audience,
                _version_number_parameter("number", _("The version's number."), 1),
                _format_parameter(VERSION_FORMATS),
            ],
            _common_responses(
                **{
                    "200": _ok(_("The version."), _html_or_json(ref("Version"), jsonld=True)),
                    "404": _problem(
                        _("Not Found: the notice has no such version, or no live notice here."), not_found=True
                    ),
                }
            ),
        ),
        f"{notice}{DIFF}/{{old}}/{{new}}": _operation(
            f"getNoticeDiff{suffix}",
            NOTICES_TAG,
            _("What changed between two versions"),
            _("Section by section and line by line, from version old to version new (old before new)."),
            [
                audience,
                _version_number_parameter("old", _("The earlier version."), 1),
                _version_number_parameter("new", _("The later version."), 2),
                _format_parameter(DIFF_FORMATS),
            ],
            _common_responses(
                **{
                    "200": _ok(_("What changed."), _html_or_json(ref("Diff"))),
                    "400": _problem(_("Bad Request: the versions are the same, or in the wrong order.")),
                    "404": _problem(
                        _("Not Found: the notice has no such version, or no live notice here."), not_found=True
                    ),
                }
            ),
        ),
    }


def _schedule_paths(schedule_path: str, codes, functions, suffix: str = "") -> dict:
    """The retention schedule at ``schedule_path`` and each rule's own address.

    ``codes`` and ``functions``: some of the live rules' codes and business functions, as examples.
    """
    base = schedule_path if schedule_path.endswith("/") else schedule_path + "/"

    def filter_parameter(name, description, examples=()):
        schema = _string(examples=list(examples)) if examples else _string()
        return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

    schedule_content = {
        MEDIA_TYPES[HTML]: {"schema": _html(_("The schedule, for people."))},
        MEDIA_TYPES[JSON]: {"schema": ref("Schedule")},
        MEDIA_TYPES[JSONLD]: {"schema": ref("JsonLd")},
        MEDIA_TYPES[CSV]: {"schema": _string(_("One row per rule, headed by the column names."))},
        XLSX_CONTENT_TYPE: {"schema": {"description": _("An Excel workbook: one sheet, one row per rule.")}},
        SCHEMA_CONTENT_TYPE: {
            "schema": {
                "type": "object",
                "description": _("The JSON Schema (draft 2020-12) of the schedule's JSON."),
                "required": ["$schema", "type", "properties"],
            }
        },
    }
    rule_error = {MEDIA_TYPES[HTML]: {"schema": _html()}, MEDIA_TYPES[JSON]: {"schema": ref("RuleError")}}
    link_header = {
        "Link": {
            "description": _('The JSON form only: <schema address>; rel="describedby".'),
            "schema": _string(),
        }
    }
    return {
        schedule_path: _operation(
            f"getSchedule{suffix}",
            SCHEDULE_TAG,
            _("The retention schedule"),
            _(
                "How long each kind of record is kept, and what happens to it then: every published rule, "
                "narrowed by the filters in every form."
            ),
            [
                _format_parameter(SCHEDULE_FORMATS),
                filter_parameter(
                    "function",
                    _("Only the rules of this business function (“-”: the rules without one)."),
                    examples=list(functions),
                ),
                filter_parameter(
                    "period_type",
                    _("Only the rules with this kind of period."),
                    examples=[str(value) for value in PeriodType.values],
                ),
                filter_parameter("q", _("Only the rules with every one of these words in what they are about.")),
            ],
            _common_responses(
                **{"200": _ok(_("The schedule, in the form asked for."), schedule_content, extra_headers=link_header)}
            ),
        ),
        f"{base}{{code}}/": _operation(
            f"getScheduleRule{suffix}",
            SCHEDULE_TAG,
            _("One retention rule, and its disposal-date calculator"),
            _("The rule; with ?trigger=YYYY-MM-DD, when records with that trigger date are due for disposal."),
            [
                _path_parameter("code", _("The rule's code."), _slug_schema(codes)),
                _format_parameter(RULE_FORMATS),
                _date_parameter("trigger", _("The trigger date, YYYY-MM-DD: the day the period counts from.")),
            ],
            _common_responses(
                **{
                    "200": _ok(
                        _("The rule; with ?trigger=, the disposal date."),
                        _html_or_json({"oneOf": [ref("ScheduleRule"), ref("DisposalDate")]}),
                    ),
                    "400": {
                        "description": _("Bad Request: the trigger is not a date, or too far in the future."),
                        "content": rule_error,
                    },
                    "404": {
                        "description": _(
                            "Not Found: no published rule with that code (the site's 404 page for people)."
                        ),
                        "content": {
                            MEDIA_TYPES[HTML]: {"schema": _html()},
                            MEDIA_TYPES[JSON]: {"schema": {"anyOf": [ref("RuleError"), ref("Error")]}},
                        },
                    },
                }
            ),
        ),
    }


def _document_path(path: str) -> dict:
    operation = _operation(
        "getOpenAPIDocument",
        DOCUMENT_TAG,
        _("This document"),
        _("The OpenAPI 3.1 description of every JSON answer of this site's notices, registers and schedule."),
        [],
        {
            "200": _ok(
                _("The OpenAPI document."),
                {
                    MEDIA_TYPES[JSON]: {
                        "schema": {"type": "object", "required": ["openapi", "info", "paths", "components"]}
                    }
                },
                last_modified=False,
            ),
            "304": {"$ref": "#/components/responses/NotModified"},
        },
    )
    return {path: operation}


# The site's pages ----------------------------------------------------------------------------------------------------


def _page_addresses(pages, request) -> list[tuple]:
    """(path, other server, page) for each page with an address, the site asked first, then in tree order.

    ``other server`` is None for a page of the site asked (or when there is only one
    site), else the root URL of the page's own site: as ``Page.get_url`` decides
    between a relative and a full URL.
    """
    current = Site.find_for_request(request)
    single_site = len({root.site_id for root in Site.get_site_root_paths()}) == 1
    addresses = []
    for page in pages:
        parts = page.get_url_parts(request=request)
        if parts is None or parts[2] is None:  # outside every site, or not routable: it has no address
            continue
        site_id, root_url, page_path = parts
        on_this_site = single_site or (current is not None and site_id == current.pk)
        addresses.append((page_path, None if on_this_site else root_url.rstrip("/"), page))
    return sorted(addresses, key=lambda address: address[1] is not None)


def _add_paths(paths: dict, path_items: dict, server: str | None) -> None:
    """Add ``path_items`` of a page of another ``server`` (None: the site asked); a path already there stays."""
    for path, item in path_items.items():
        if path in paths:  # the same path on two sites: the site asked is the one described
            continue
        paths[path] = item if server is None else {"servers": [{"url": server}], **item}


def _server_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def site_paths(request) -> tuple[dict, str]:
    """The paths of the live hubs and retention schedules (the demo's when there are none), with their notices.

    Also the path of the hub on the site asked (the first in the tree), beside which its registers are.
    """
    from retention_schedule.models import RetentionRule, RetentionSchedulePage

    from .pages import PrivacyNoticeIndexPage, PrivacyNoticePage

    paths = {}
    hubs = PrivacyNoticeIndexPage.objects.live().order_by("path")
    if not hubs.exists():
        _add_paths(paths, _notice_paths(DEMO_HUB_PATH, []), None)
    # A page behind a view restriction is not public: its address is not published here either.
    hub_addresses = _page_addresses(hubs.public(), request)
    hub_path = hub_addresses[0][0] if hub_addresses else DEMO_HUB_PATH
    for index, (path, server, hub) in enumerate(hub_addresses):
        audiences = PrivacyNoticePage.objects.child_of(hub).live().public().order_by("path")
        examples = audiences.values_list("slug", flat=True)[:EXAMPLES_PER_PARAMETER]
        _add_paths(paths, _notice_paths(path, list(examples), _suffix(index)), server)

    rules = list(RetentionRule.objects.filter(live=True).order_by("code").values_list("code", "business_function"))
    codes = [code for code, _function in rules][:EXAMPLES_PER_PARAMETER]
    functions = sorted({function for _code, function in rules if function})[:EXAMPLES_PER_PARAMETER]
    schedules = RetentionSchedulePage.objects.live().order_by("path")
    if not schedules.exists():
        _add_paths(paths, _schedule_paths(DEMO_SCHEDULE_PATH, codes, functions), None)
    for index, (path, server, _page) in enumerate(_page_addresses(schedules.public(), request)):
        _add_paths(paths, _schedule_paths(path, codes, functions, _suffix(index)), server)
    return paths, hub_path


def _suffix(index: int) -> str:
    """Tells apart the operation ids of a second hub or schedule (getHub2) from the first's (getHub)."""
    return str(index + 1) if index else ""


# Other modules' addresses --------------------------------------------------------------------------------------------


class ConflictingDefinition(ValueError):
    """Two modules describe the same path or component differently."""


def extension_paths(**context) -> list[tuple[str, dict, dict]]:
    """(module, paths, component schemas) from each module of :data:`EXTENSIONS` that is installed.

    A module that is not there (yet) adds nothing. ``openapi_paths`` is given
    whichever of ``context`` it names among its parameters: ``request``,
    ``prefix`` (where Wagtail's API v2 is, e.g. ``/api/v2``) and ``hub_path``
    (the hub's path on the site asked, e.g. ``/privacy/``).
    """
    found = []
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name:  # the module is there but something it needs is not: a real error
                raise
            continue
        describe = getattr(module, "openapi_paths", None)
        if describe is None:
            continue
        accepted = inspect.signature(describe).parameters
        paths, schemas = describe(**{key: value for key, value in context.items() if key in accepted})
        found.append((name, paths or {}, schemas or {}))
    return found


def api_v2_prefix() -> str:
    """Where the site serves Wagtail's API v2 of this package (``/api/v2`` when included under ``api/``)."""
    try:
        listing = reverse("privacy_notices_api:pages:listing")
    except NoReverseMatch:
        return DEMO_API_V2_PREFIX
    return listing.rstrip("/").rsplit("/", 1)[0]


def _merge(into: dict, extra: dict, what: str, source: str) -> None:
    for key, value in extra.items():
        if key in into and into[key] != value:
            raise ConflictingDefinition(f"{source} describes the {what} {key!r} differently from another module.")
        into[key] = value


# The document --------------------------------------------------------------------------------------------------------


def _version() -> str:
    try:
        return package_version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0"


def _tags(paths: dict) -> list[str]:
    """Every tag the operations use, in the order they first appear."""
    tags = {}
    for item in paths.values():
        for operation in item.values():
            if isinstance(operation, dict):
                tags.update(dict.fromkeys(operation.get("tags") or []))
    return list(tags)


def openapi_document(request) -> dict:
    """The OpenAPI 3.1 document of every JSON answer this site gives, for the site ``request`` reached."""
    paths, hub_path = site_paths(request)
    schemas = component_schemas()
    for source, extra_paths, extra_schemas in extension_paths(
        request=request, prefix=api_v2_prefix(), hub_path=hub_path
    ):
        _merge(paths, extra_paths, "path", source)
        _merge(schemas, extra_schemas, "component schema", source)
    _merge(paths, _document_path(request.path), "path", __name__)
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": SCHEMA_DIALECT,
        "info": {
            "title": _("Privacy notices and retention schedule"),
            "version": _version(),
            "description": _(
                "The privacy notices, their history and the registers they are built from, as JSON at the same "
                "addresses as the pages (?format= or the Accept header). Every 200 carries an ETag and answers "
                "conditional requests with 304."
            ),
        },
        "servers": [{"url": _server_url(request)}],
        "tags": [{"name": tag} for tag in _tags(paths)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": _parameters(),
            "headers": _headers(),
            "responses": _responses(),
        },
    }


@require_safe
def openapi_view(request):
    """``/api/openapi.json``: the document, with an ETag (304 when the client's copy is current).

    JSON only: ``?format=yaml`` or an Accept header naming only other types gets 406.
    """
    offered = {JSON: MEDIA_TYPES[JSON]}
    if requested_format(request, offered) is None:
        return finish_public_response(request, not_acceptable(request, offered))
    return finish_public_response(request, json_response(openapi_document(request)))
