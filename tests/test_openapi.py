"""/api/openapi.json: a valid OpenAPI 3.1 document that every real answer of the demo site conforms to.

Three layers, all against the demo content (loaded once for the module and
rolled back after it, so no other module sees it):

- the document is valid OpenAPI 3.1, and every schema in it valid JSON Schema 2020-12;
- chosen requests, for every documented path, status and media type, answer
  what the document says (Django's test client; schemas resolved from the document);
- a bounded, deterministic schemathesis run over every operation, in process
  (WSGI), finds no server error and no answer the document does not describe.
"""

import datetime
import io
import json
import re
import traceback
import uuid
import zipfile
from urllib.parse import urlencode, urlparse

import hypothesis
import pytest
import schemathesis
import swapper
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from wagtail.models import PageViewRestriction, Site

from privacy_notices.models import PrivacyNoticeIndexPage, PrivacyNoticePage
from privacy_notices.openapi import EXTENSIONS, openapi_document
from retention_schedule.exchange.writing import XLSX_CONTENT_TYPE
from retention_schedule.models import RetentionSchedulePage
from tests.conftest import queries_for

pytestmark = pytest.mark.django_db

OPENAPI_PATH = "/api/openapi.json"
# The notice that gets a second version, so that it has a diff.
CHANGED_NOTICE = "complainants"
PERMANENT_RULE = "COMP-04"  # kept permanently: no disposal date
FIXED_RULE = "COMP-03"  # 2 years from the closure of the case
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ACCEPT_JSON = {"HTTP_ACCEPT": "application/json"}
ACCEPT_XML = {"HTTP_ACCEPT": "application/xml"}

HTML, JSON, JSONLD, CSV, TEXT = "text/html", "application/json", "application/ld+json", "text/csv", "text/plain"
SCHEMA_JSON = "application/schema+json"
JSON_MEDIA_TYPES = (JSON, JSONLD, SCHEMA_JSON)


# The demo, once for the module ---------------------------------------------------------------------------------------


def _publish_second_version(slug: str) -> None:
    """Publish a change to a notice: a heading changed, a section removed, one added, a longer summary."""
    notice = PrivacyNoticePage.objects.get(slug=slug)
    sections = [dict(block) for block in notice.sections.raw_data]
    sections.pop()
    sections[0] = {**sections[0], "value": {**sections[0]["value"], "heading": "What we collect about you"}}
    sections.append(
        {
            "type": "text",
            "id": str(uuid.uuid4()),
            "value": {"heading": "Changes in this version", "body": "<p>We explain more about what we collect.</p>"},
        }
    )
    notice.sections = sections
    notice.summary += " We now explain more about what we collect."
    notice.change_summary = "We explain more about what we collect."
    notice.material_change = True
    notice.save_revision().publish()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo content and a second version of one notice, rolled back when the module is done."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("load_demo_content", verbosity=0)
            _publish_second_version(CHANGED_NOTICE)
            cache.clear()
            yield
            transaction.set_rollback(True)
        # Wagtail caches the site's root paths: nothing of the demo may outlive the module.
        cache.clear()


@pytest.fixture
def document(demo, rf):
    return openapi_document(rf.get(OPENAPI_PATH))


def live_notices() -> list[str]:
    return list(PrivacyNoticePage.objects.live().order_by("slug").values_list("slug", flat=True))


# Reading the document ------------------------------------------------------------------------------------------------

DOCUMENT_URI = "urn:privacy-notices:openapi"


def _escape(part) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _follow(document: dict, node, pointer: str):
    """``node`` (at ``pointer``) with its ``$ref``s followed: the node they lead to, and its pointer."""
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = document
        for part in pointer.lstrip("/").split("/"):
            node = node[_unescape(part)]
    return node, pointer


def _at(document: dict, *parts):
    """The node at ``parts`` (following ``$ref``s on the way) and its JSON pointer."""
    node, pointer = document, ""
    for part in parts:
        node, pointer = _follow(document, node, pointer)
        node, pointer = node[part], f"{pointer}/{_escape(part)}"
    return _follow(document, node, pointer)


def operation_path(document: dict, operation_id: str) -> str:
    for path, item in document["paths"].items():
        if item.get("get", {}).get("operationId") == operation_id:
            return path
    raise LookupError(operation_id)


def address(document: dict, operation_id: str, query=None, **parameters) -> str:
    """The address of ``operation_id`` with its path parameters filled in, and ``query``."""
    path = operation_path(document, operation_id)
    for name, value in parameters.items():
        path = path.replace(f"{{{name}}}", str(value))
    assert "{" not in path, f"{path}: a path parameter is missing"
    return f"{path}?{urlencode(query)}" if query else path


def _is_uri(value) -> bool:
    parsed = urlparse(value)
    return bool(parsed.scheme and parsed.netloc) and not re.search(r"\s", value)


def _is_date(value) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    datetime.date.fromisoformat(value)
    return True


def _is_date_time(value) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value):
        return False
    datetime.datetime.fromisoformat(value)
    return True


# Every format the document uses, checked here (jsonschema checks "uri" only when an optional package is installed).
FORMATS = FormatChecker(())
for _name, _check in (("uri", _is_uri), ("date", _is_date), ("date-time", _is_date_time)):
    FORMATS.checks(_name, raises=ValueError)(lambda value, check=_check: not isinstance(value, str) or check(value))


def validator_for(document: dict, pointer: str) -> Draft202012Validator:
    """A validator for the schema at ``pointer`` in the document, its ``$ref``s resolved within the document."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry = Registry().with_resource(DOCUMENT_URI, resource)
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry, format_checker=FORMATS)


def assert_documented(document: dict, operation_id: str, response) -> None:
    """``response`` is what the document says ``operation_id`` answers with its status: headers, media type, body."""
    path = operation_path(document, operation_id)
    status = str(response.status_code)
    responses = document["paths"][path]["get"]["responses"]
    assert status in responses, f"{operation_id} answered {status}, which is not documented"
    described, pointer = _at(document, "paths", path, "get", "responses", status)
    for name, header in (described.get("headers") or {}).items():
        header, _pointer = _follow(document, header, "")
        if header.get("required"):
            assert response.has_header(name), f"{operation_id} {status}: no {name} header"
    if response.status_code == 304:
        assert not response.content
        return
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type in described["content"], f"{operation_id} {status}: {media_type} is not documented"
    _schema, schema_pointer = _at(document, "paths", path, "get", "responses", status, "content", media_type, "schema")
    if media_type == XLSX_CONTENT_TYPE:
        assert zipfile.is_zipfile(io.BytesIO(response.content))
        return
    body = response.content.decode()
    instance = json.loads(body) if media_type in JSON_MEDIA_TYPES else body
    errors = sorted(validator_for(document, schema_pointer).iter_errors(instance), key=lambda error: error.json_path)
    assert not errors, "\n".join(f"{error.json_path}: {error.message}" for error in errors[:20])


# The document --------------------------------------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    validate_openapi(document)
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_every_operation_id_is_unique_and_every_ref_resolves(document):
    ids = [item["get"]["operationId"] for item in document["paths"].values() if "get" in item]
    assert len(ids) == len(set(ids))

    def refs(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield node["$ref"]
            for child in node.values():
                yield from refs(child)
        elif isinstance(node, list):
            for child in node:
                yield from refs(child)

    for ref in set(refs(document)):
        assert ref.startswith("#/"), ref
        _follow(document, {"$ref": ref}, "")  # raises KeyError if it leads nowhere


def test_the_document_describes_the_sites_own_paths_and_server(document):
    paths = set(document["paths"])
    assert {
        "/privacy/",
        "/privacy/{audience}/",
        "/privacy/{audience}/@history",
        "/privacy/{audience}/@history/{number}",
        "/privacy/{audience}/@diff/{old}/{new}",
        "/retention-schedule/",
        "/retention-schedule/{code}/",
        OPENAPI_PATH,
    } <= paths
    assert document["servers"] == [{"url": "http://testserver"}]
    audience = next(p for p in document["paths"]["/privacy/{audience}/"]["get"]["parameters"] if p.get("in") == "path")
    assert set(audience["schema"]["examples"]) == set(live_notices())


def test_the_addresses_other_modules_describe_are_merged(document):
    paths = set(document["paths"])
    # Wagtail's API v2 (privacy_notices.api_schema) and the public registers (privacy_notices.public_registers).
    assert EXTENSIONS == ("privacy_notices.api_schema", "privacy_notices.public_registers")
    assert any(path.startswith("/api/v2/") for path in paths)
    assert {"/privacy/@processors", "/privacy/@cookies"} <= paths


def test_a_site_whose_pages_are_elsewhere_gets_its_own_paths(document, demo, rf):
    hub = PrivacyNoticeIndexPage.objects.get(slug="privacy")
    hub.slug = "how-we-use-your-information"
    hub.save_revision().publish()
    try:
        cache.clear()
        paths = set(openapi_document(rf.get(OPENAPI_PATH))["paths"])
        assert "/how-we-use-your-information/{audience}/@history" in paths
        assert "/privacy/{audience}/" not in paths
        # The registers beside the hub too.
        assert "/how-we-use-your-information/@processors" in paths
        assert "/privacy/@cookies" not in paths
    finally:
        cache.clear()


def test_a_site_with_no_hub_or_schedule_yet_gets_the_demo_layout(demo, rf):
    PrivacyNoticeIndexPage.objects.update(live=False)
    RetentionSchedulePage.objects.update(live=False)
    paths = openapi_document(rf.get(OPENAPI_PATH))["paths"]
    assert {"/privacy/", "/privacy/{audience}/@history", "/retention-schedule/", "/retention-schedule/{code}/"} <= set(
        paths
    )
    audience = next(p for p in paths["/privacy/{audience}/"]["get"]["parameters"] if p.get("in") == "path")
    assert "examples" not in audience["schema"]  # there are no live notices to give as examples


def test_a_hub_behind_a_view_restriction_is_not_described(demo, rf):
    hub = PrivacyNoticeIndexPage.objects.get(slug="privacy")
    PageViewRestriction.objects.create(page=hub, restriction_type=PageViewRestriction.LOGIN)
    paths = openapi_document(rf.get(OPENAPI_PATH))["paths"]
    assert not [path for path in paths if path.startswith("/privacy/{audience}")]
    assert "/retention-schedule/" in paths


def test_pages_of_another_site_name_that_sites_server(demo, rf):
    Page = swapper.load_model("wagtailcore", "Page")
    other_root = Page.get_first_root_node().add_child(instance=Page(title="Another site", slug="another-site"))
    hub = PrivacyNoticeIndexPage(title="Our notices", slug="notices", live=False)
    other_root.add_child(instance=hub)
    hub.save_revision().publish()
    Site.objects.create(hostname="other.example", port=443, root_page=other_root)
    cache.clear()
    try:
        paths = openapi_document(rf.get(OPENAPI_PATH))["paths"]
    finally:
        cache.clear()
    assert paths["/notices/"]["servers"] == [{"url": "https://other.example"}]
    assert paths["/notices/"]["get"]["operationId"] == "getHub2"
    assert "servers" not in paths["/privacy/"]  # the site asked: the document's own server


def test_the_document_is_served_with_an_etag_and_answers_304(client, demo):
    response = client.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response["Content-Type"] == JSON
    document = response.json()
    assert_documented(document, "getOpenAPIDocument", response)
    again = client.get(OPENAPI_PATH, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert_documented(document, "getOpenAPIDocument", again)


# Real answers, one for every documented path, status and media type --------------------------------------------------

# Stands for today's date where the site is, worked out when the test runs.
TODAY = "<today>"

# (operation, path parameters, query, headers, status, media type)
CASES = {
    "hub as JSON": ("getHub", {}, {"format": "json"}, {}, 200, JSON),
    "hub for Accept: application/json": ("getHub", {}, {}, ACCEPT_JSON, 200, JSON),
    "hub as HTML": ("getHub", {}, {}, BROWSER, 200, HTML),
    "hub has no JSON-LD, asked in JSON": ("getHub", {}, {"format": "jsonld"}, {}, 406, JSON),
    "hub has no CSV": ("getHub", {}, {"format": "csv"}, {}, 406, TEXT),
    "notice as HTML": ("getNotice", {"audience": CHANGED_NOTICE}, {}, BROWSER, 200, HTML),
    "notice in force today": (
        "getNotice",
        {"audience": CHANGED_NOTICE},
        {"at": TODAY, "format": "json"},
        {},
        200,
        JSON,
    ),
    "notice in force today, JSON-LD": (
        "getNotice",
        {"audience": CHANGED_NOTICE},
        {"at": TODAY, "format": "jsonld"},
        {},
        200,
        JSONLD,
    ),
    "notice at a date that is not one": (
        "getNotice",
        {"audience": CHANGED_NOTICE},
        {"at": "14/10/2016", "format": "json"},
        {},
        400,
        JSON,
    ),
    "notice at a date that is not one, HTML": ("getNotice", {"audience": CHANGED_NOTICE}, {"at": "x"}, {}, 400, HTML),
    "notice before its first version": (
        "getNotice",
        {"audience": CHANGED_NOTICE},
        {"at": "1900-01-01"},
        ACCEPT_JSON,
        404,
        JSON,
    ),
    "notice before its first version, HTML": (
        "getNotice",
        {"audience": CHANGED_NOTICE},
        {"at": "1900-01-01"},
        BROWSER,
        404,
        HTML,
    ),
    "no notice for that audience, JSON": ("getNotice", {"audience": "nobody"}, {"format": "json"}, {}, 404, JSON),
    "no notice for that audience, HTML": ("getNotice", {"audience": "nobody"}, {}, BROWSER, 404, HTML),
    "notice has no XML": ("getNotice", {"audience": CHANGED_NOTICE}, {"format": "xml"}, {}, 406, TEXT),
    "notice for Accept: application/xml": ("getNotice", {"audience": CHANGED_NOTICE}, {}, ACCEPT_XML, 406, TEXT),
    "history as JSON": ("getNoticeHistory", {"audience": CHANGED_NOTICE}, {"format": "json"}, {}, 200, JSON),
    "history as HTML": ("getNoticeHistory", {"audience": CHANGED_NOTICE}, {}, BROWSER, 200, HTML),
    "history page past the last": (
        "getNoticeHistory",
        {"audience": CHANGED_NOTICE},
        {"page": 2, "format": "json"},
        {},
        404,
        JSON,
    ),
    "history page that is not a number": (
        "getNoticeHistory",
        {"audience": CHANGED_NOTICE},
        {"page": "x"},
        {},
        404,
        HTML,
    ),
    "history of no notice": ("getNoticeHistory", {"audience": "nobody"}, {"format": "json"}, {}, 404, JSON),
    "history has no JSON-LD": ("getNoticeHistory", {"audience": CHANGED_NOTICE}, {"format": "jsonld"}, {}, 406, JSON),
    "version 1 as JSON": (
        "getNoticeVersion",
        {"audience": CHANGED_NOTICE, "number": 1},
        {"format": "json"},
        {},
        200,
        JSON,
    ),
    "version 2 (the latest) as JSON": (
        "getNoticeVersion",
        {"audience": CHANGED_NOTICE, "number": 2},
        {},
        ACCEPT_JSON,
        200,
        JSON,
    ),
    "version 1 as JSON-LD": (
        "getNoticeVersion",
        {"audience": CHANGED_NOTICE, "number": 1},
        {"format": "jsonld"},
        {},
        200,
        JSONLD,
    ),
    "version 1 as HTML": ("getNoticeVersion", {"audience": CHANGED_NOTICE, "number": 1}, {}, BROWSER, 200, HTML),
    "no version 99": (
        "getNoticeVersion",
        {"audience": CHANGED_NOTICE, "number": 99},
        {"format": "json"},
        {},
        404,
        JSON,
    ),
    "no version 99, HTML": ("getNoticeVersion", {"audience": CHANGED_NOTICE, "number": 99}, {}, {}, 404, HTML),
    "version has no CSV": (
        "getNoticeVersion",
        {"audience": CHANGED_NOTICE, "number": 1},
        {"format": "csv"},
        {},
        406,
        TEXT,
    ),
    "diff as JSON": (
        "getNoticeDiff",
        {"audience": CHANGED_NOTICE, "old": 1, "new": 2},
        {"format": "json"},
        {},
        200,
        JSON,
    ),
    "diff as HTML": ("getNoticeDiff", {"audience": CHANGED_NOTICE, "old": 1, "new": 2}, {}, BROWSER, 200, HTML),
    "diff in the wrong order": (
        "getNoticeDiff",
        {"audience": CHANGED_NOTICE, "old": 2, "new": 1},
        {"format": "json"},
        {},
        400,
        JSON,
    ),
    "diff of a version with itself, HTML": (
        "getNoticeDiff",
        {"audience": CHANGED_NOTICE, "old": 1, "new": 1},
        {},
        {},
        400,
        HTML,
    ),
    "diff with no such version": (
        "getNoticeDiff",
        {"audience": CHANGED_NOTICE, "old": 1, "new": 99},
        {},
        ACCEPT_JSON,
        404,
        JSON,
    ),
    "diff has no JSON-LD": (
        "getNoticeDiff",
        {"audience": CHANGED_NOTICE, "old": 1, "new": 2},
        {"format": "jsonld"},
        {},
        406,
        JSON,
    ),
    "schedule as JSON": ("getSchedule", {}, {"format": "json"}, {}, 200, JSON),
    "schedule filtered, as JSON": (
        "getSchedule",
        {},
        {"format": "json", "function": "Complaints", "period_type": "fixed", "q": "case"},
        {},
        200,
        JSON,
    ),
    "schedule as JSON-LD": ("getSchedule", {}, {"format": "jsonld"}, {}, 200, JSONLD),
    "schedule as CSV": ("getSchedule", {}, {"format": "csv"}, {}, 200, CSV),
    "schedule as XLSX": ("getSchedule", {}, {"format": "xlsx"}, {}, 200, XLSX_CONTENT_TYPE),
    "schedule's JSON Schema": ("getSchedule", {}, {"format": "schema"}, {}, 200, SCHEMA_JSON),
    "schedule as HTML": ("getSchedule", {}, {}, BROWSER, 200, HTML),
    "schedule has no XML": ("getSchedule", {}, {"format": "xml"}, {}, 406, TEXT),
    "schedule for Accept: application/xml": ("getSchedule", {}, {}, ACCEPT_XML, 406, TEXT),
    "rule as JSON": ("getScheduleRule", {"code": FIXED_RULE}, {"format": "json"}, {}, 200, JSON),
    "rule's disposal date": (
        "getScheduleRule",
        {"code": FIXED_RULE},
        {"format": "json", "trigger": "2024-02-29"},
        {},
        200,
        JSON,
    ),
    "disposal date of a permanent rule": (
        "getScheduleRule",
        {"code": PERMANENT_RULE},
        {"format": "json", "trigger": "2024-02-29"},
        {},
        200,
        JSON,
    ),
    "rule as HTML, with a disposal date": (
        "getScheduleRule",
        {"code": FIXED_RULE},
        {"trigger": "2024-02-29"},
        {},
        200,
        HTML,
    ),
    "trigger that is not a date": (
        "getScheduleRule",
        {"code": FIXED_RULE},
        {"format": "json", "trigger": "yesterday"},
        {},
        400,
        JSON,
    ),
    "trigger too far in the future": (
        "getScheduleRule",
        {"code": FIXED_RULE},
        {"trigger": "9999-12-31"},
        ACCEPT_JSON,
        400,
        JSON,
    ),
    "trigger that is not a date, HTML": ("getScheduleRule", {"code": FIXED_RULE}, {"trigger": "x"}, BROWSER, 400, HTML),
    "no such rule, JSON": ("getScheduleRule", {"code": "NO-SUCH-RULE"}, {"format": "json"}, {}, 404, JSON),
    "no such rule, HTML": ("getScheduleRule", {"code": "NO-SUCH-RULE"}, {}, BROWSER, 404, HTML),
    "rule has no JSON-LD": ("getScheduleRule", {"code": FIXED_RULE}, {"format": "jsonld"}, {}, 406, JSON),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_real_answers_are_what_the_document_says(client, document, case):
    operation_id, parameters, query, headers, status, media_type = case
    today = timezone.localdate().isoformat()
    query = {name: today if value == TODAY else value for name, value in query.items()}
    response = client.get(address(document, operation_id, query, **parameters), **headers)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].split(";")[0] == media_type
    assert_documented(document, operation_id, response)


@pytest.mark.parametrize("form", ["json", "jsonld"])
def test_every_notice_of_the_demo_is_what_the_document_says(client, document, form):
    notices = live_notices()
    assert len(notices) >= 10
    for slug in notices:
        response = client.get(address(document, "getNotice", {"format": form}, audience=slug))
        assert response.status_code == 200, slug
        assert_documented(document, "getNotice", response)


def test_every_kind_of_section_is_in_the_demo(client, document):
    """So that the answers above exercised every branch of the sections' union."""
    kinds = set()
    for slug in live_notices():
        data = client.get(address(document, "getNotice", {"format": "json"}, audience=slug)).json()
        kinds |= {section["type"] for section in data["sections"]}
    union = document["components"]["schemas"]["NoticeSection"]["discriminator"]["mapping"]
    assert kinds == set(union)


def test_the_diff_shows_every_kind_of_change(client, document):
    diff = client.get(address(document, "getNoticeDiff", {"format": "json"}, audience=CHANGED_NOTICE, old=1, new=2))
    data = diff.json()
    assert {section["status"] for section in data["sections"]} == {"added", "removed", "changed", "unchanged"}
    assert [field["field"] for field in data["fields"]] == ["summary"]


@pytest.mark.parametrize(
    ("operation_id", "parameters", "query"),
    [
        ("getHub", {}, {"format": "json"}),
        ("getNotice", {"audience": CHANGED_NOTICE}, {"format": "json"}),
        ("getNoticeHistory", {"audience": CHANGED_NOTICE}, {"format": "json"}),
        ("getNoticeVersion", {"audience": CHANGED_NOTICE, "number": 1}, {"format": "jsonld"}),
        ("getNoticeDiff", {"audience": CHANGED_NOTICE, "old": 1, "new": 2}, {"format": "json"}),
        ("getSchedule", {}, {"format": "csv"}),
        ("getScheduleRule", {"code": FIXED_RULE}, {"format": "json", "trigger": "2024-02-29"}),
    ],
)
def test_a_current_copy_gets_304(client, document, operation_id, parameters, query):
    url = address(document, operation_id, query, **parameters)
    first = client.get(url)
    assert_documented(document, operation_id, first)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert_documented(document, operation_id, again)


# Requests longer fuzzing runs than the bounded one below found failing, kept as found ---------------------------------

FOUND_BY_FUZZING = {
    # SQLite's full-text search refuses a lone double quote ("unterminated string"): a 500, not a 400.
    f"{operation}, a search with a double quote": (operation, {"search": '"'})
    for operation in (
        "apiV2PagesListing",
        "apiV2ProcessorsListing",
        "apiV2CookiesListing",
        "apiV2RetentionRulesListing",
        "apiV2AudiencesListing",
    )
} | {
    # ?order= (even empty) turns off relevance ordering, and the search backend cannot order by
    # the registers' Case()/Lower() expressions: AttributeError "'Case' object has no attribute 'startswith'".
    f"{operation}, a search with an empty order": (operation, {"search": "x", "order": ""})
    for operation in (
        "apiV2PagesListing",
        "apiV2ProcessorsListing",
        "apiV2CookiesListing",
        "apiV2RetentionRulesListing",
        "apiV2AudiencesListing",
    )
}


FOUND_BY_REVIEW = {
    # SQLite: OverflowError "Python int too large to convert to SQLite INTEGER"; PostgreSQL: DataError.
    "a foreign key too large for the database": (
        "apiV2PagesListing",
        {"type": "privacy_notices.PrivacyNoticePage", "audience": "9223372036854775808"},
    ),
}
FOUND_BY_FUZZING.update(FOUND_BY_REVIEW)


@pytest.mark.parametrize(("operation_id", "query"), FOUND_BY_FUZZING.values(), ids=FOUND_BY_FUZZING.keys())
def test_what_the_fuzzer_found_answers_as_documented(client, document, operation_id, query):
    response = client.get(address(document, operation_id, query))
    assert response.status_code < 500
    assert_documented(document, operation_id, response)


# JSON costs no more than HTML ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation_id", "parameters"),
    [
        ("getNotice", {"audience": CHANGED_NOTICE}),
        ("getNoticeHistory", {"audience": CHANGED_NOTICE}),
        ("getNoticeDiff", {"audience": CHANGED_NOTICE, "old": 1, "new": 2}),
        ("getSchedule", {}),
    ],
)
def test_json_costs_no_more_queries_than_html(client, document, operation_id, parameters):
    html = queries_for(client, address(document, operation_id, {"format": "html"}, **parameters))
    as_json = queries_for(client, address(document, operation_id, {"format": "json"}, **parameters))
    assert as_json <= html


# A bounded schemathesis run over every operation ---------------------------------------------------------------------

FUZZING = schemathesis.Config.from_dict(
    {
        "seed": 20261122,
        "generation": {
            "mode": "all",  # documented error answers (400, 404, 406) are answers too
            "max-examples": 15,
            "deterministic": True,
            "database": "none",
            "allow-x00": False,
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True, "unexpected-methods": []},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def server_errors():
    """The traceback of every exception a view raises while the fuzzer runs: a 500 says why."""
    errors = []

    def record(sender, request=None, **kwargs):
        where = f"{request.method} {request.get_full_path()}" if request is not None else "?"
        errors.append(f"{where}\n{traceback.format_exc()}")

    got_request_exception.connect(record, weak=False, dispatch_uid="test_openapi_server_errors")
    yield errors
    got_request_exception.disconnect(dispatch_uid="test_openapi_server_errors")


@pytest.fixture
def api(request, demo, db, server_errors):
    """The API /api/openapi.json describes, called in process through Django's WSGI handler.

    Django closes the database connection between requests (``close_old_connections``),
    which would end the test's transaction, and the demo with it: not while the fuzzer runs.
    """
    # schemathesis 4's pytest integration reads the node's private ``_nodeid``, which pytest 9.2 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi(OPENAPI_PATH, WSGIHandler(), config=FUZZING)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


api_schema = schemathesis.pytest.from_fixture("api")


@hypothesis.settings(deadline=None)
@api_schema.parametrize()
def test_every_operation_answers_as_documented(case, server_errors):
    server_errors.clear()
    try:
        case.call_and_validate(checks=CHECKS)
    except BaseException as failure:
        for error in server_errors:
            failure.add_note(error)
        raise


def test_the_document_is_json_only(client):
    assert client.get("/api/openapi.json", {"format": "yaml"}).status_code == 406
    assert client.get("/api/openapi.json", HTTP_ACCEPT="application/yaml").status_code == 406
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/api/openapi.json", HTTP_ACCEPT=browser)["Content-Type"] == "application/json"
