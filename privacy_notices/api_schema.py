"""The shapes of the Wagtail API v2 answers: the fields this package adds, and their OpenAPI description.

Two halves that must never drift apart, kept side by side:

- the DRF serializer fields the page models name in ``api_fields`` (the
  notice's and the hub's resolved JSON). They live here, not in ``api.py``,
  because the models import them while Django is still loading models, when
  Wagtail's API views cannot be imported yet; everything they need is
  imported when they run;
- :func:`openapi_paths`, the OpenAPI 3.1 description of every endpoint of
  ``privacy_notices.api.api_router``, which ``/api/openapi.json`` composes.
"""

from django.conf import settings
from rest_framework.fields import Field

# Serializer fields ---------------------------------------------------------------------------------------------------


def http_request(context):
    """The Django request under the DRF request: the notice's own JSON address builds from the same object."""
    request = context.get("request")
    return getattr(request, "_request", request)


def note_last_modified(context, moment) -> None:
    """Tell the view that what it answers with last changed at ``moment`` (an ISO 8601 string or None)."""
    from .serving import parse_moment

    view = context.get("view")
    if hasattr(view, "note_last_modified"):
        view.note_last_modified(parse_moment(moment))


class ResolvedDocumentField(Field):
    """A page's resolved public JSON, exactly as its own address answers ``Accept: application/json``."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        data = self.document_json(page, http_request(self.context))
        note_last_modified(self.context, data.get("published_at"))
        return data

    def document_json(self, page, request) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError


class NoticeDocumentField(ResolvedDocumentField):
    """``notice``: the notice's JSON, built as ``privacy_notices.serving.notice_response`` builds it."""

    def document_json(self, page, request) -> dict:
        from .serving import notice_data

        return notice_data(page, request, page.document(request))


class HubDocumentField(ResolvedDocumentField):
    """``hub``: the hub's JSON, built as ``PrivacyNoticeIndexPage.serve`` builds it."""

    def document_json(self, page, request) -> dict:
        from .serving import hub_data

        return hub_data(page, request, page.document(request))


# OpenAPI -------------------------------------------------------------------------------------------------------------

REF = "#/components/schemas/"
NOTICE_PAGE_TYPE = "privacy_notices.PrivacyNoticePage"
HUB_PAGE_TYPE = "privacy_notices.PrivacyNoticeIndexPage"


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
LINK = {"type": "string", "format": "uri-reference"}
NULLABLE_LINK = {"type": ["string", "null"], "format": "uri-reference"}
DATE = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}


def _object(properties: dict, *, required=(), open_shape=False, description=None) -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": open_shape}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def _item(type_name: str, fields: dict, description: str) -> dict:
    """A register entry as the API shows it. ``?fields=`` can leave any field out, so none is required."""
    meta = _object(
        {"type": {"const": type_name}, "detail_url": {**LINK, "description": "This entry's detail address."}}
    )
    return _object({"id": {"type": "integer"}, "meta": meta, **fields}, description=description)


def _listing(item: str, description: str) -> dict:
    return _object(
        {
            "meta": _object({"total_count": {"type": "integer", "minimum": 0}}, required=["total_count"]),
            "items": {"type": "array", "items": _ref(item)},
        },
        required=["meta", "items"],
        description=description,
    )


def _country() -> dict:
    return _object({"code": STRING, "name": STRING}, required=["code", "name"])


def _register_schemas() -> dict:
    return {
        "ApiV2Processor": _item(
            "privacy_notices.Processor",
            {
                "slug": {**STRING, "description": "The entry's stable code."},
                "name": STRING,
                "service": STRING,
                "role": STRING,
                "role_text": STRING,
                "purposes": STRING,
                "data_categories": STRING,
                "countries": {"type": "array", "items": _country()},
                "third_countries": {
                    "type": "array",
                    "items": _country(),
                    "description": "The countries outside the UK where the data is held.",
                },
                "transfer_safeguard": STRING,
                "transfer_safeguard_text": STRING,
                "safeguard_details": STRING,
                "privacy_notice_url": STRING,
            },
            "A published entry of the processor register: an organisation that receives personal data.",
        ),
        "ApiV2Cookie": _item(
            "privacy_notices.CookieDeclaration",
            {
                "slug": {**STRING, "description": "The declaration's stable code."},
                "name": {**STRING, "description": "The cookie's name, or a pattern such as _ga_*."},
                "provider": {**STRING, "description": "Who sets it: a published processor's name, or “Us”."},
                "provider_slug": {**NULLABLE_STRING, "description": "The provider's code in the processor register."},
                "purpose": STRING,
                "category": STRING,
                "category_text": STRING,
                "lifetime": {**STRING, "description": "“session”, or an ISO 8601 duration."},
                "lifetime_text": STRING,
                "party": STRING,
                "party_text": STRING,
            },
            "A published cookie declaration.",
        ),
        "ApiV2RetentionRule": _item(
            "retention_schedule.RetentionRule",
            {
                "code": {**STRING, "description": "The rule's stable code."},
                "record_class": STRING,
                "business_function": STRING,
                "description": STRING,
                "data_categories": STRING,
                "period_type": STRING,
                "period": {**NULLABLE_STRING, "description": "An ISO 8601 duration; null without a fixed period."},
                "period_text": NULLABLE_STRING,
                "trigger": STRING,
                "criteria": STRING,
                "disposal_action": STRING,
                "disposal_action_text": STRING,
                "exceptions": STRING,
                "authority": STRING,
                "summary": STRING,
            },
            "A published rule of the retention schedule.",
        ),
        "ApiV2Audience": _item(
            "privacy_notices.Audience",
            {"name": STRING, "slug": STRING, "description": STRING, "data_subject": STRING},
            "A group of people a notice speaks to.",
        ),
    }


def _document_schemas() -> dict:
    """The resolved notice and hub documents. Their sections and organisation are open: they grow with the blocks."""
    links = dict.fromkeys(("processors", "cookies", "retention_schedule"), NULLABLE_LINK)
    audience = _object(
        {"name": STRING, "slug": STRING, "description": STRING, "data_subject": STRING},
        required=["name", "slug", "description", "data_subject"],
    )
    section = _object({"type": STRING, "id": NULLABLE_STRING, "heading": STRING}, required=["type"], open_shape=True)
    organisation = {"type": "object", "additionalProperties": True}
    return {
        "ApiV2NoticeDocument": _object(
            {
                "@id": LINK,
                "@type": {"const": "PrivacyNotice"},
                "title": STRING,
                "slug": STRING,
                "audience": _nullable(_ref("ApiV2DocumentAudience")),
                "summary": STRING,
                "version": {"type": ["integer", "null"]},
                "first_published": DATE,
                "last_updated": DATE,
                "published_at": MOMENT,
                "organisation": organisation,
                "sections": {"type": "array", "items": section},
                "compliance": _object(
                    {
                        "complete": {"type": "boolean"},
                        "articles": {"type": "array", "items": STRING},
                        "missing": {"type": "array", "items": STRING},
                        "items": {"type": "array", "items": {"type": "object"}},
                    },
                    required=["complete", "articles", "missing", "items"],
                    description="The Article 13/14 checklist for what the notice tells people.",
                ),
                "links": _object(
                    {
                        "notice": NULLABLE_LINK,
                        "html": NULLABLE_LINK,
                        "json_ld": NULLABLE_LINK,
                        "history": NULLABLE_LINK,
                        "this_version": NULLABLE_LINK,
                        **links,
                    },
                    required=["notice", "html", "json_ld", "history", "this_version", *links],
                ),
            },
            required=[
                "@id",
                "@type",
                "title",
                "slug",
                "audience",
                "summary",
                "published_at",
                "sections",
                "compliance",
                "links",
            ],
            open_shape=True,
            description="The notice as its own address answers Accept: application/json.",
        ),
        "ApiV2DocumentAudience": audience,
        "ApiV2HubDocument": _object(
            {
                "@id": LINK,
                "@type": {"const": "PrivacyNoticeIndex"},
                "title": STRING,
                "intro": {**STRING, "description": "HTML."},
                "organisation": organisation,
                "notices": {
                    "type": "array",
                    "items": _object(
                        {
                            "@id": NULLABLE_LINK,
                            "title": STRING,
                            "audience": _ref("ApiV2DocumentAudience"),
                            "summary": STRING,
                            "last_updated": DATE,
                        },
                        required=["@id", "title", "audience", "summary", "last_updated"],
                        open_shape=True,
                    ),
                },
                "published_at": MOMENT,
                "sections": {"type": "array", "items": section},
                "links": _object({"html": NULLABLE_LINK, **links}, required=["html", *links]),
            },
            required=["@id", "@type", "title", "intro", "notices", "published_at", "sections", "links"],
            open_shape=True,
            description="The hub as its own address answers Accept: application/json.",
        ),
    }


def _page_schemas() -> dict:
    page_ref = _object(
        {
            "id": {"type": "integer"},
            "meta": _object({"type": STRING, "detail_url": LINK, "html_url": NULLABLE_LINK}),
            "title": STRING,
        }
    )
    meta = _object(
        {
            "type": {**STRING, "description": "app_label.ModelName of the page."},
            "detail_url": LINK,
            "html_url": NULLABLE_LINK,
            "slug": STRING,
            "show_in_menus": {"type": "boolean"},
            "seo_title": STRING,
            "search_description": STRING,
            "first_published_at": MOMENT,
            "alias_of": _nullable(_ref("ApiV2PageReference")),
            "parent": _nullable(_ref("ApiV2PageReference")),
            "locale": STRING,
        },
        # A host project's own base page model may add meta fields.
        open_shape=True,
    )
    base = {"id": {"type": "integer"}, "meta": _ref("ApiV2PageMeta"), "title": STRING}

    def of_type(type_name, schema_name):
        return {
            "if": {
                "type": "object",
                "required": ["meta"],
                "properties": {
                    "meta": {"type": "object", "required": ["type"], "properties": {"type": {"const": type_name}}}
                },
            },
            "then": _ref(schema_name),
        }

    return {
        "ApiV2PageReference": page_ref,
        "ApiV2PageMeta": meta,
        "ApiV2PrivacyNoticePage": _object(
            {
                **base,
                "audience": _ref("ApiV2Audience"),
                "summary": STRING,
                "notice": {**_ref("ApiV2NoticeDocument"), "description": "Detail only."},
            },
            description=f"A page of type {NOTICE_PAGE_TYPE}.",
        ),
        "ApiV2PrivacyNoticeIndexPage": _object(
            {
                **base,
                "intro": {**STRING, "description": "Rich text, in the format ?rich_text_format= asks for."},
                "hub": {**_ref("ApiV2HubDocument"), "description": "Detail only."},
            },
            description=f"A page of type {HUB_PAGE_TYPE}.",
        ),
        "ApiV2Page": {
            **_object(base, open_shape=True),
            "description": "Any live, public page. The plugin's own page types have the shapes of their schemas; "
            "other page types have the fields their api_fields name.",
            "allOf": [
                of_type(NOTICE_PAGE_TYPE, "ApiV2PrivacyNoticePage"),
                of_type(HUB_PAGE_TYPE, "ApiV2PrivacyNoticeIndexPage"),
            ],
        },
    }


def component_schemas() -> dict:
    """``components.schemas`` of the API v2: every schema is named ``ApiV2...``."""
    listings = {
        "ApiV2PageListing": _listing("ApiV2Page", "Live, public pages."),
        "ApiV2ProcessorListing": _listing("ApiV2Processor", "The published processor register."),
        "ApiV2CookieListing": _listing("ApiV2Cookie", "The published cookie declarations."),
        "ApiV2RetentionRuleListing": _listing("ApiV2RetentionRule", "The published retention schedule."),
        "ApiV2AudienceListing": _listing("ApiV2Audience", "The audiences notices speak to."),
    }
    error = _object(
        {"message": {**STRING, "description": "What was wrong with the request, or what was not found."}},
        required=["message"],
    )
    return {
        **_register_schemas(),
        **_document_schemas(),
        **_page_schemas(),
        **listings,
        "ApiV2Error": error,
    }


# Paths ---------------------------------------------------------------------------------------------------------------


def _query(name, schema, description) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _limit_parameters() -> list:
    limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
    limit = {"type": "integer", "minimum": 0}
    if limit_max:
        limit["maximum"] = limit_max
    return [
        _query("limit", limit, "How many items to return."),
        _query("offset", {"type": "integer", "minimum": 0}, "How many items to skip."),
    ]


FIELDS = _query(
    "fields",
    STRING,
    "Fields to add (name), remove (-name), all (*) or none (_); e.g. fields=-title. "
    "Unknown and internal fields are a 400.",
)
ORDER = _query("order", STRING, "Field names to order by, - for descending (e.g. order=-name), or random.")
SEARCH = _query("search", STRING, "Words to search for; results come by relevance unless order is given.")
RICH_TEXT_FORMAT = _query(
    "rich_text_format",
    {"enum": ["db_html", "html", "db_markdown", "markdown"]},
    "The form of rich text fields (the hub's intro).",
)
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": STRING,
    "description": "An ETag from an earlier answer: 304 if the answer is still the same.",
}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema_name)}}}


def _ok(schema_name: str, description: str) -> dict:
    response = _json(schema_name, description)
    response["headers"] = {
        "ETag": {"schema": STRING, "description": "Changes whenever a byte of the answer does."},
        "Last-Modified": {
            "schema": STRING,
            "description": "When what the answer shows was last published, where known.",
            "required": False,
        },
        "Cache-Control": {"schema": STRING, "description": "public, max-age=PRIVACY_NOTICES_CACHE_MAX_AGE"},
    }
    return response


ERRORS = {
    "304": {"description": "Not modified: the If-None-Match ETag is still current."},
    "400": _json("ApiV2Error", "A query parameter is not valid: an unknown field, filter or ordering, say."),
    "404": _json("ApiV2Error", "There is no such live, public item."),
    "406": _json("ApiV2Error", "?format= or the Accept header asks for something other than JSON."),
}


def _operation(operation_id, summary, parameters, ok) -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["API v2"],
            "parameters": [*parameters, IF_NONE_MATCH],
            "responses": {"200": ok, **ERRORS},
        }
    }


def _find(operation_id, summary, parameters, detail_schema) -> dict:
    operation = _operation(
        operation_id, summary, parameters, _ok(detail_schema, "The item, when redirects are followed.")
    )
    operation["get"]["responses"]["302"] = {
        "description": "Found: the item's detail address is in Location.",
        "headers": {"Location": {"schema": LINK, "required": True}},
    }
    return operation


# (endpoint, item schema, listing schema, what it is, code filters, other listing filters)
_REGISTERS = (
    ("processors", "ApiV2Processor", "ApiV2ProcessorListing", "processors and recipients", "slug", ["role"]),
    ("cookies", "ApiV2Cookie", "ApiV2CookieListing", "cookie declarations", "slug", ["category", "party"]),
    (
        "retention-rules",
        "ApiV2RetentionRule",
        "ApiV2RetentionRuleListing",
        "retention rules",
        "code",
        ["business_function", "period_type"],
    ),
    ("audiences", "ApiV2Audience", "ApiV2AudienceListing", "audiences", "slug", ["data_subject"]),
)


def _operation_name(endpoint: str) -> str:
    return "".join(part.capitalize() for part in endpoint.split("-"))


def openapi_paths(prefix: str = "/api/v2") -> tuple[dict, dict]:
    """The OpenAPI 3.1 ``paths`` of every API v2 endpoint under ``prefix``, and the ``components.schemas`` they use.

    Listings answer ``{"meta": {"total_count": n}, "items": [...]}``; details
    answer the item; errors answer ``{"message": "..."}``.
    """
    prefix = prefix.rstrip("/")
    paths = {
        f"{prefix}/pages/": _operation(
            "apiV2PagesListing",
            "Live, public pages; with type=privacy_notices.PrivacyNoticePage, the notices",
            [
                *_limit_parameters(),
                FIELDS,
                ORDER,
                SEARCH,
                _query("type", STRING, "Only pages of these types, e.g. privacy_notices.PrivacyNoticePage."),
                _query("child_of", STRING, "Only the children of this page id (or root)."),
                _query("descendant_of", STRING, "Only the descendants of this page id (or root)."),
                _query("slug", STRING, "Only the pages with this slug."),
                RICH_TEXT_FORMAT,
            ],
            _ok("ApiV2PageListing", "A page of the listing."),
        ),
        f"{prefix}/pages/{{id}}/": _operation(
            "apiV2PagesDetail",
            "A live, public page; a notice with its resolved JSON (notice), the hub with its own (hub)",
            [ID, FIELDS, RICH_TEXT_FORMAT],
            _ok("ApiV2Page", "The page."),
        ),
        f"{prefix}/pages/find/": _find(
            "apiV2PagesFind",
            "Find a live, public page by id or by its path on the site",
            [
                _query("id", {"type": "integer"}, "The page's id."),
                _query("html_path", STRING, "The page's path, e.g. /privacy/complainants/."),
            ],
            "ApiV2Page",
        ),
    }
    for endpoint, item, listing, what, code, filters in _REGISTERS:
        name = _operation_name(endpoint)
        code_filter = _query(code, STRING, f"Only the entry with this stable {code}.")
        paths[f"{prefix}/{endpoint}/"] = _operation(
            f"apiV2{name}Listing",
            f"The published {what}",
            [
                *_limit_parameters(),
                FIELDS,
                ORDER,
                SEARCH,
                code_filter,
                *(_query(field, STRING, f"Only the entries with this {field}.") for field in filters),
            ],
            _ok(listing, "A page of the listing."),
        )
        paths[f"{prefix}/{endpoint}/{{id}}/"] = _operation(
            f"apiV2{name}Detail", f"One of the published {what}", [ID, FIELDS], _ok(item, "The entry.")
        )
        paths[f"{prefix}/{endpoint}/find/"] = _find(
            f"apiV2{name}Find",
            f"Find one of the published {what} by its {code}",
            [_query("id", {"type": "integer"}, "The entry's id."), code_filter],
            item,
        )
    return paths, component_schemas()
