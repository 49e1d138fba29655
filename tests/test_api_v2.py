"""Wagtail's API v2 at /api/v2/: only live, public content and public fields, cacheable, bounded, as documented.

A register entry's row always holds its published version (a draft of a
published entry lives only in its revisions), and a page's row its live
content: the API shows rows filtered on ``live``, so neither a draft entry nor
the pending draft of a published one ever shows. Each endpoint is checked for
that with a draft, an unpublished entry and a published entry with a pending
draft whose text must appear nowhere in the answer.
"""

import json
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import http_date
from jsonschema import Draft202012Validator
from wagtail.models import PageViewRestriction

from privacy_notices.api import api_router
from privacy_notices.api_schema import openapi_paths
from privacy_notices.models import Audience, CookieDeclaration, Processor
from privacy_notices.serving import parse_moment
from retention_schedule.models import RetentionRule
from tests.conftest import section, uncached

pytestmark = pytest.mark.django_db

API = "/api/v2"
NOTICE_TYPE = "privacy_notices.PrivacyNoticePage"
ENDPOINTS = ("pages", "processors", "cookies", "retention-rules", "audiences")

# Measured (19, with ATOMIC_REQUESTS), plus one: the page, its parent, the view restrictions, the site,
# the notice document (its versions, the organisation, one query per register, the schedule page).
NOTICE_DETAIL_CEILING = 20


# Helpers -------------------------------------------------------------------------------------------------------------


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response


def body(response) -> str:
    return response.content.decode()


def pending_draft(entry, **changes):
    """Edit a published entry and save the edit as a draft, as the admin's "Save draft" does.

    Checks how this project stores it: the row keeps the published values,
    the draft is only in the latest revision.
    """
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.save_revision()
    stored = type(entry).objects.get(pk=entry.pk)
    assert stored.live and stored.has_unpublished_changes
    for name, value in changes.items():
        assert getattr(stored, name) != value, f"the row holds the draft's {name}"
    return stored


def unpublished(entry):
    entry.unpublish()
    entry.refresh_from_db()
    assert not entry.live
    return entry


def names(response, key="name"):
    return [item[key] for item in response.json()["items"]]


def queries_for(client, url) -> int:
    with uncached():  # the views' own work, not the cache's answer
        get(client, url)  # warm per-process caches (site root paths), as a running site has
        with CaptureQueriesContext(connection) as captured:
            get(client, url)
        return len(captured.captured_queries)


@pytest.fixture
def documented():
    paths, schemas = openapi_paths(API)
    document = {"components": {"schemas": schemas}}

    def check(response, template, data=None):
        """Validate ``response`` (or ``data``) against what the OpenAPI paths say ``template`` answers."""
        described = paths[template]["get"]["responses"][str(response.status_code)]
        schema = described["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**document, **schema}, format_checker=Draft202012Validator.FORMAT_CHECKER)
        data = response.json() if data is None else data
        errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])

    return check


# Processors ----------------------------------------------------------------------------------------------------------


INTERNAL_PROCESSOR_FIELDS = (
    "internal_notes",
    "contract_reference",
    "contract_signed",
    "contract_review_due",
    "change_summary",
    "change_materiality",
    "latest_revision",
    "live",
    "has_unpublished_changes",
    "locked",
    "locked_by",
    "live_revision",
)


def test_processors_show_only_published_entries_in_public_order_without_internal_fields(client, make_processor):
    make_processor(name="Zeta Mail", slug="zeta")
    make_processor(name="beta Hosting", slug="beta")  # by name whatever its case, as the public register
    alpha = make_processor(
        name="Alpha Analytics",
        slug="alpha",
        internal_notes="Renewal price under negotiation",
        contract_reference="CON-SECRET-42",
        contract_signed="2020-01-02",
        contract_review_due="2031-03-04",
    )
    make_processor(name="Draft Processor Ltd", slug="never-published", draft=True)
    gone = unpublished(make_processor(name="Withdrawn Hosting", slug="withdrawn"))
    pending_draft(alpha, name="Renamed In Draft", service="Draft-only service", internal_notes="Draft secret")

    response = get(client, f"{API}/processors/")
    assert names(response) == ["Alpha Analytics", "beta Hosting", "Zeta Mail"]
    assert response.json()["meta"]["total_count"] == 3
    for secret in (
        "Renewal price",
        "CON-SECRET-42",
        "2020-01-02",
        "2031-03-04",
        "Draft Processor",
        "Withdrawn",
        "Renamed In Draft",
        "Draft-only",
        "Draft secret",
    ):
        assert secret not in body(response)
    for field in INTERNAL_PROCESSOR_FIELDS:
        assert field not in response.json()["items"][0]
    detail = get(client, f"{API}/processors/{alpha.pk}/?fields=*")
    assert detail.json()["name"] == "Alpha Analytics"
    assert "Renamed In Draft" not in body(detail) and "CON-SECRET-42" not in body(detail)
    get(client, f"{API}/processors/{gone.pk}/", status=404)


@pytest.mark.parametrize("field", INTERNAL_PROCESSOR_FIELDS)
def test_asking_for_an_internal_processor_field_is_an_error_not_its_value(client, make_processor, field):
    make_processor(internal_notes="Renewal price under negotiation", contract_reference="CON-SECRET-42")
    for url in (f"{API}/processors/?fields={field}", f"{API}/processors/?fields=*,-{field}"):
        response = get(client, url, status=400)
        assert response.json() == {"message": f"unknown fields: {field}"}
    # Nor can they filter or order the listing (which would leak them one guess at a time).
    for url in (f"{API}/processors/?{field}=x", f"{API}/processors/?order={field}"):
        response = get(client, url, status=400)
        assert "Renewal" not in body(response) and "message" in response.json()


def test_a_processor_by_id_and_by_its_code(client, make_processor):
    processor = make_processor(
        name="Google", slug="google-analytics", countries=["GB", "US"], transfer_safeguard="idta"
    )
    other = make_processor(name="Egress", slug="egress")
    draft = make_processor(name="Draft Co", slug="draft-co", draft=True)

    detail = get(client, f"{API}/processors/{processor.pk}/").json()
    assert detail == {
        "id": processor.pk,
        "meta": {
            "type": "privacy_notices.Processor",
            "detail_url": f"{settings.WAGTAILAPI_BASE_URL}{API}/processors/{processor.pk}/",
        },
        **processor.as_public_data(),
    }
    assert names(get(client, f"{API}/processors/?slug=google-analytics")) == ["Google"]
    found = get(client, f"{API}/processors/find/?slug=google-analytics", status=302)
    assert found["Location"] == f"{API}/processors/{processor.pk}/"
    assert get(client, f"{API}/processors/find/?id={other.pk}", status=302)["Location"].endswith(f"/{other.pk}/")
    # A draft is not there, by id, by code or by search.
    assert get(client, f"{API}/processors/{draft.pk}/", status=404).json()["message"]
    get(client, f"{API}/processors/find/?slug=draft-co", status=404)
    assert names(get(client, f"{API}/processors/?slug=draft-co")) == []


# Cookies -------------------------------------------------------------------------------------------------------------


def test_cookies_show_only_published_declarations_by_category_then_name(client, make_cookie, make_processor):
    google = make_processor(name="Google", slug="google-analytics")
    draft_provider = make_processor(name="Draft Provider Inc", slug="draft-provider", draft=True)
    make_cookie(name="sessionid", slug="sessionid", category="strictly_necessary")
    ga = make_cookie(name="_ga", slug="ga", category="analytics", provider=google, party="third")
    make_cookie(name="_hj", slug="hj", category="analytics", provider=draft_provider, party="third")
    make_cookie(name="draft_cookie", slug="draft-cookie", category="marketing", draft=True)
    gone = unpublished(make_cookie(name="old_cookie", slug="old", category="functional"))
    pending_draft(ga, name="_ga_draft_name", purpose="Draft purpose text", change_summary="Draft change note")
    pending_draft(google, name="Google Draft Rename")

    response = get(client, f"{API}/cookies/")
    assert names(response) == ["sessionid", "_ga", "_hj"]
    items = {item["slug"]: item for item in response.json()["items"]}
    assert items["ga"]["provider"] == "Google" and items["ga"]["provider_slug"] == "google-analytics"
    # A cookie whose provider is only a draft names no provider.
    assert items["hj"]["provider"] == "" and items["hj"]["provider_slug"] is None
    for secret in ("Draft Provider", "draft_cookie", "old_cookie", "_ga_draft_name", "Draft purpose", "Draft change"):
        assert secret not in body(response)
    assert "Google Draft Rename" not in body(response)
    assert get(client, f"{API}/cookies/{ga.pk}/").json()["name"] == "_ga"
    assert get(client, f"{API}/cookies/find/?slug=ga", status=302)["Location"] == f"{API}/cookies/{ga.pk}/"
    get(client, f"{API}/cookies/{gone.pk}/", status=404)
    for field in ("change_summary", "latest_revision", "has_unpublished_changes", "live"):
        assert get(client, f"{API}/cookies/?fields={field}", status=400).json() == {
            "message": f"unknown fields: {field}"
        }


# Retention rules -----------------------------------------------------------------------------------------------------


def test_retention_rules_show_only_published_rules_in_the_schedules_order(client, make_rule):
    make_rule(code="MISC-01", record_class="Visitor book", business_function="")
    make_rule(code="COMP-02", record_class="Complaint letters", business_function="Complaints")
    comp = make_rule(code="COMP-01", record_class="Case files", business_function="Complaints", owner="Secret Team")
    make_rule(code="CALL-01", record_class="Call recordings", business_function="Calls")
    make_rule(code="DRAFT-01", record_class="Draft record class", draft=True)
    gone = unpublished(make_rule(code="OLD-01", record_class="Withdrawn records"))
    pending_draft(comp, record_class="Draft rename of case files", period="P99Y", change_summary="Draft change note")

    response = get(client, f"{API}/retention-rules/")
    assert names(response, "code") == ["CALL-01", "COMP-01", "COMP-02", "MISC-01"]
    rule = response.json()["items"][1]
    assert rule["period"] == "P2Y" and rule["summary"] == "2 years from the closure of the case, then deleted"
    for secret in (
        "DRAFT-01",
        "Draft record class",
        "Withdrawn",
        "Draft rename",
        "P99Y",
        "Draft change",
        "Secret Team",
    ):
        assert secret not in body(response)
    assert get(client, f"{API}/retention-rules/?code=COMP-01").json()["items"][0]["id"] == comp.pk
    found = get(client, f"{API}/retention-rules/find/?code=COMP-01", status=302)
    assert found["Location"] == f"{API}/retention-rules/{comp.pk}/"
    assert get(client, found["Location"]).json()["record_class"] == "Case files"
    get(client, f"{API}/retention-rules/{gone.pk}/", status=404)
    get(client, f"{API}/retention-rules/find/?code=DRAFT-01", status=404)
    for field in ("owner", "last_reviewed", "review_interval", "change_summary", "change_materiality", "live"):
        assert get(client, f"{API}/retention-rules/?fields={field}", status=400).json() == {
            "message": f"unknown fields: {field}"
        }


def test_a_rule_without_a_fixed_period_has_null_period(client, make_rule):
    make_rule(code="ARCH-01", period_type="permanent", period="", trigger="", disposal_action="archive")
    item = get(client, f"{API}/retention-rules/").json()["items"][0]
    assert item["period"] is None and item["period_text"] is None
    assert item["summary"] == "Kept permanently"


# Audiences -----------------------------------------------------------------------------------------------------------


def test_audiences_by_name_by_id_and_by_slug(client, audience):
    visitors = Audience.objects.create(name="Anyone who visits", slug="visitors", data_subject="dpv:Visitor")
    response = get(client, f"{API}/audiences/")
    assert names(response) == ["Anyone who visits", "People who complain"]
    assert response.json()["items"][0] == {
        "id": visitors.pk,
        "meta": {
            "type": "privacy_notices.Audience",
            "detail_url": f"{settings.WAGTAILAPI_BASE_URL}{API}/audiences/{visitors.pk}/",
        },
        **visitors.as_public_data(),
    }
    assert get(client, f"{API}/audiences/{audience.pk}/").json()["slug"] == "complainants"
    assert (
        get(client, f"{API}/audiences/find/?slug=visitors", status=302)["Location"] == f"{API}/audiences/{visitors.pk}/"
    )
    assert names(get(client, f"{API}/audiences/?slug=complainants")) == ["People who complain"]
    get(client, f"{API}/audiences/find/?slug=nobody", status=404)
    assert get(client, f"{API}/audiences/?fields=notices", status=400).json() == {"message": "unknown fields: notices"}


# Pages ---------------------------------------------------------------------------------------------------------------


def test_pages_show_live_public_pages_only(client, hub, make_notice, django_user_model):
    live = make_notice(title="Live notice", slug="live")
    draft = make_notice(title="Never published notice", slug="draft", publish_it=False)
    gone = unpublished(make_notice(title="Withdrawn notice", slug="withdrawn"))
    private = make_notice(title="Staff-only notice", slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    secret = make_notice(title="Password notice", slug="secret")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.PASSWORD, password="x")

    # Answers are cached as public: a signed-in user sees no more than anyone else.
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.com", "pw"))
    for url in (f"{API}/pages/", f"{API}/pages/?type={NOTICE_TYPE}", f"{API}/pages/?child_of={hub.pk}&fields=*"):
        response = get(client, url)
        titles = [item["title"] for item in response.json()["items"]]
        assert "Live notice" in titles
        for hidden in ("Never published", "Withdrawn", "Staff-only", "Password notice"):
            assert hidden not in body(response)
    for page in (draft, gone, private, secret):
        assert get(client, f"{API}/pages/{page.pk}/", status=404).json()["message"]
        get(client, f"{API}/pages/find/?html_path=/privacy/{page.slug}/", status=404)
    found = get(client, f"{API}/pages/find/?html_path=/privacy/live/", status=302)
    assert found["Location"] == f"{API}/pages/{live.pk}/"
    assert [item["id"] for item in get(client, f"{API}/pages/?type={NOTICE_TYPE}").json()["items"]] == [live.pk]


def test_a_live_notice_with_a_newer_draft_shows_its_live_content(
    client, hub, make_notice, make_processor, make_rule, make_cookie
):
    processor = make_processor(name="Egress", slug="egress", internal_notes="Renewal price under negotiation")
    rule = make_rule(code="COMP-01")
    cookie = make_cookie(name="sessionid", slug="sessionid")
    notice = make_notice(
        [
            section("sharing", heading="Who we share with", processors=[processor.pk]),
            section("retention", heading="How long we keep it", rules=[rule.pk]),
            section("cookies", heading="Cookies", cookies=[cookie.pk], categories=[]),
        ],
        title="Complaints notice",
        slug="complainants",
        summary="The live summary.",
    )
    pending_draft(
        notice,
        title="Draft title of the notice",
        summary="Draft summary text",
        change_summary="Draft change note",
        sections=json.dumps([section("text", heading="Draft-only heading", body="<p>Draft body</p>")]),
    )
    pending_draft(processor, name="Egress Draft Rename", internal_notes="Draft secret")
    pending_draft(rule, record_class="Draft record class")

    drafts = (
        "Draft title",
        "Draft summary",
        "Draft change",
        "Draft-only",
        "Draft body",
        "Draft Rename",
        "Draft record",
    )
    for url in (
        f"{API}/pages/",
        f"{API}/pages/?type={NOTICE_TYPE}&fields=*",
        f"{API}/pages/{notice.pk}/",
        f"{API}/pages/{notice.pk}/?fields=*",
        f"{API}/pages/{hub.pk}/",
    ):
        response = get(client, url)
        for text in (*drafts, "Renewal price", "Draft secret"):
            assert text not in body(response), (url, text)
    detail = get(client, f"{API}/pages/{notice.pk}/").json()
    assert detail["title"] == "Complaints notice" and detail["summary"] == "The live summary."
    assert detail["notice"]["title"] == "Complaints notice"
    assert [s["heading"] for s in detail["notice"]["sections"]] == [
        "Who we share with",
        "How long we keep it",
        "Cookies",
    ]
    assert detail["notice"]["sections"][0]["processors"][0]["name"] == "Egress"


def test_a_notices_api_fields_are_its_public_content_and_its_json(client, hub, make_notice, make_processor):
    processor = make_processor(name="Egress", slug="egress")
    notice = make_notice(
        [section("sharing", heading="Who we share with", processors=[processor.pk])],
        slug="complainants",
        change_summary="We now use Egress.",
        material_change=True,
    )
    detail = get(client, f"{API}/pages/{notice.pk}/").json()
    assert list(detail) == ["id", "meta", "title", "audience", "summary", "notice"]
    assert detail["audience"] == {
        "id": notice.audience_id,
        "meta": {
            "type": "privacy_notices.Audience",
            "detail_url": f"{settings.WAGTAILAPI_BASE_URL}{API}/audiences/{notice.audience_id}/",
        },
        **notice.audience.as_public_data(),
    }
    # Exactly what the notice's own address answers as JSON.
    assert detail["notice"] == get(client, notice.url, HTTP_ACCEPT="application/json").json()
    # The notice's JSON is resolved once per answer: not in listings.
    listing = get(client, f"{API}/pages/?type={NOTICE_TYPE}&fields=*").json()["items"][0]
    assert set(listing) == {"id", "meta", "title", "audience", "summary"}
    for field in (
        "notice",
        "change_summary",
        "material_change",
        "sections",
        "draft_title",
        "latest_revision",
        "locked",
    ):
        response = get(client, f"{API}/pages/?type={NOTICE_TYPE}&fields={field}", status=400)
        assert response.json() == {"message": f"unknown fields: {field}"}
    for field in ("change_summary", "material_change", "sections", "has_unpublished_changes", "live_revision"):
        response = get(client, f"{API}/pages/{notice.pk}/?fields={field}", status=400)
        assert response.json() == {"message": f"unknown fields: {field}"}


def test_the_hubs_api_fields_are_its_intro_and_its_json(client, hub, make_notice):
    hub.intro = f'<p>Read <a linktype="page" id="{hub.pk}">our hub</a>.</p>'
    hub.save_revision().publish()
    make_notice(slug="complainants")
    detail = get(client, f"{API}/pages/{hub.pk}/").json()
    assert list(detail) == ["id", "meta", "title", "intro", "hub"]
    assert detail["hub"] == get(client, hub.url, HTTP_ACCEPT="application/json").json()
    assert 'href="/privacy/"' in get(client, f"{API}/pages/{hub.pk}/?rich_text_format=html").json()["intro"]
    assert get(client, f"{API}/pages/?type=privacy_notices.PrivacyNoticeIndexPage&fields=hub", status=400).json()


# HTTP ----------------------------------------------------------------------------------------------------------------


def test_every_answer_has_validators_caching_and_vary(client, settings, hub, make_notice, make_processor, make_rule):
    settings.PRIVACY_NOTICES_CACHE_MAX_AGE = 123
    older = make_processor(name="Older")
    newer = make_processor(name="Newer")
    rule = make_rule()
    audience = Audience.objects.create(name="Visitors", slug="visitors")
    notice = make_notice(slug="complainants")
    for url, last_modified in (
        (f"{API}/processors/", newer.last_published_at),
        (f"{API}/processors/{older.pk}/", older.last_published_at),
        (f"{API}/retention-rules/{rule.pk}/", rule.last_published_at),
        (f"{API}/pages/?type={NOTICE_TYPE}", notice.last_published_at),
        (f"{API}/audiences/{audience.pk}/", None),  # audiences keep no dates
    ):
        response = get(client, url)
        assert response["ETag"].startswith('"')
        assert response["Cache-Control"] == "public, max-age=123"
        assert "Accept" in response["Vary"]
        if last_modified:
            assert response["Last-Modified"] == http_date(int(last_modified.timestamp()))
        else:
            assert not response.has_header("Last-Modified")
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and again.content == b""
        assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_a_notices_last_modified_moves_when_a_register_entry_it_shows_is_published(client, make_notice, make_processor):
    processor = make_processor(name="Egress", slug="egress")
    notice = make_notice([section("sharing", heading="Sharing", processors=[processor.pk])], slug="complainants")
    before = get(client, f"{API}/pages/{notice.pk}/")
    processor.service = "Secure email and file transfer"
    processor.save_revision().publish()
    after = get(client, f"{API}/pages/{notice.pk}/")
    published_at = parse_moment(after.json()["notice"]["published_at"])
    assert published_at > notice.last_published_at
    assert after["Last-Modified"] == http_date(int(published_at.timestamp()))
    assert after["ETag"] != before["ETag"]
    assert client.get(f"{API}/pages/{notice.pk}/", HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


def test_cors_follows_the_settings(client, settings, make_processor):
    make_processor()
    settings.PRIVACY_NOTICES_CORS_ALLOWED_ORIGINS = ["https://intranet.example.gov.uk"]
    allowed = get(client, f"{API}/processors/", HTTP_ORIGIN="https://intranet.example.gov.uk")
    assert allowed["Access-Control-Allow-Origin"] == "https://intranet.example.gov.uk"
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    assert not get(client, f"{API}/processors/", HTTP_ORIGIN="https://evil.example").has_header(
        "Access-Control-Allow-Origin"
    )


def test_errors_are_json_with_a_message_and_never_cached(client, make_processor):
    for url, status in (
        (f"{API}/processors/999999/", 404),
        (f"{API}/pages/999999/", 404),
        (f"{API}/processors/?fields=nope", 400),
        (f"{API}/processors/?limit=1000", 400),
        (f"{API}/processors/?offset=-1", 400),
        (f"{API}/pages/?type=nope.Nope", 400),
        (f"{API}/pages/?first_published_at=yesterday", 400),
        (f"{API}/processors/?search=a%00b", 400),
        (f"{API}/processors/?search=a&search_operator=xor", 400),
        (f"{API}/processors/find/?id=abc", 400),
        (f"{API}/processors/find/", 404),
        (f"{API}/processors/find/?slug=a%00b", 400),
        (f"{API}/pages/find/?html_path=/privacy%00/", 400),
        (f"{API}/pages/null,null/", 404),
        (f"{API}/no-such-endpoint/", 404),
    ):
        response = get(client, url, status=status)
        assert response["Content-Type"] == "application/json"
        assert isinstance(response.json()["message"], str) and response.json()["message"]
        assert not response.has_header("ETag") and "public" not in response.get("Cache-Control", "")
    processor = make_processor()
    assert (
        get(client, f"{API}/processors/{processor.pk}/?search=x").json()["id"] == processor.pk
    )  # searching is for listings
    refused = get(client, f"{API}/processors/", status=406, HTTP_ACCEPT="text/html")
    assert "application/json" in refused.json()["message"]
    refused = client.post(f"{API}/processors/")
    assert refused.status_code == 405 and refused.json()["message"]


def test_paging_past_the_end_is_empty_not_an_error(client, make_processor):
    make_processor()
    response = get(client, f"{API}/processors/?offset=100000000000000000000000")
    assert response.json() == {"meta": {"total_count": 1}, "items": []}
    assert get(client, f"{API}/processors/?limit=0").json()["items"] == []


def test_search_finds_published_text_never_a_drafts(client, make_processor, make_notice):
    zebra = make_processor(name="Zebra Analytics", slug="zebra")
    pending_draft(zebra, name="Quokka Renamed")
    make_processor(name="Wombat Drafts", slug="wombat", draft=True)
    assert names(get(client, f"{API}/processors/?search=Zebra")) == ["Zebra Analytics"]
    assert names(get(client, f"{API}/processors/?search=Quokka")) == []
    assert names(get(client, f"{API}/processors/?search=Wombat")) == []
    notice = make_notice(title="Platypus notice", slug="platypus")
    pending_draft(notice, title="Echidna draft title")
    assert [p["title"] for p in get(client, f"{API}/pages/?search=Platypus").json()["items"]] == ["Platypus notice"]
    assert get(client, f"{API}/pages/?search=Echidna").json()["items"] == []


# Query counts --------------------------------------------------------------------------------------------------------


def _processors(count, prefix):
    return Processor.objects.bulk_create(
        [Processor(name=f"{prefix} {i}", slug=f"{prefix.lower()}-{i}", countries=["GB", "US"]) for i in range(count)]
    )


@pytest.mark.parametrize("endpoint", ["processors", "cookies", "retention-rules", "audiences"])
def test_register_listings_cost_the_same_for_3_or_20_entries(client, endpoint):
    def add(count, prefix):
        if endpoint == "processors":
            _processors(count, prefix)
        elif endpoint == "cookies":
            providers = _processors(count, prefix)
            CookieDeclaration.objects.bulk_create(
                [
                    CookieDeclaration(name=f"c{i}", slug=f"{prefix.lower()}-c{i}", purpose="x", category="analytics")
                    for i in range(count)
                ]
                + [
                    CookieDeclaration(
                        name=f"p{i}", slug=f"{prefix.lower()}-p{i}", purpose="x", category="marketing", provider=p
                    )
                    for i, p in enumerate(providers)
                ]
            )
        elif endpoint == "retention-rules":
            RetentionRule.objects.bulk_create(
                [RetentionRule(code=f"{prefix}-{i}", record_class=f"R {i}", period="P1Y") for i in range(count)]
            )
        else:
            Audience.objects.bulk_create([Audience(name=f"{prefix} {i}", slug=f"{prefix}-{i}") for i in range(count)])

    url = f"{API}/{endpoint}/?fields=*"
    add(3, "Few")
    few = queries_for(client, url)
    add(30, "Many")
    assert len(get(client, url).json()["items"]) == 20
    assert queries_for(client, url) == few


def test_page_listings_cost_the_same_for_3_or_20_notices(client, hub, make_notice):
    for i in range(3):
        make_notice(slug=f"few-{i}", audience=Audience.objects.create(name=f"Few {i}", slug=f"few-{i}"))
    urls = (f"{API}/pages/", f"{API}/pages/?type={NOTICE_TYPE}&fields=*", f"{API}/pages/?child_of={hub.pk}")
    few = [queries_for(client, url) for url in urls]
    for i in range(27):
        make_notice(slug=f"many-{i}", audience=Audience.objects.create(name=f"Many {i}", slug=f"many-{i}"))
    assert [queries_for(client, url) for url in urls] == few


def test_a_notices_detail_costs_a_bounded_number_of_queries(client, make_notice, make_processor, make_rule):
    def linked(count, prefix):
        processors = [make_processor(slug=f"{prefix}-p{i}") for i in range(count)]
        rules = [make_rule(code=f"{prefix}-R{i}") for i in range(count)]
        return [
            section("sharing", heading="Sharing", processors=[p.pk for p in processors]),
            section("retention", heading="Keeping", rules=[r.pk for r in rules]),
            section("cookies", heading="Cookies", cookies=[], categories=["strictly_necessary"]),
        ]

    few = make_notice(linked(1, "few"), slug="few")
    many = make_notice(linked(15, "many"), slug="many")
    few_queries = queries_for(client, f"{API}/pages/{few.pk}/")
    assert few_queries <= NOTICE_DETAIL_CEILING
    assert queries_for(client, f"{API}/pages/{many.pk}/") == few_queries


# The OpenAPI description ---------------------------------------------------------------------------------------------


def test_every_endpoint_is_described_under_its_address():
    paths, schemas = openapi_paths(API)
    assert set(api_router._endpoints) == set(ENDPOINTS)
    for name in ENDPOINTS:
        listing = reverse(f"privacy_notices_api:{name}:listing")
        assert listing == f"{API}/{name}/"
        assert {listing, f"{listing}{{id}}/", f"{listing}find/"} <= set(paths)
    assert all(name.startswith("ApiV2") for name in schemas)

    refs = set(re.findall(r"'\$ref': '#/components/schemas/(\w+)'", repr((paths, schemas))))
    assert refs <= set(schemas)
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)

    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(
        {
            "openapi": "3.1.0",
            "info": {"title": "API v2", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas},
        }
    )


def test_real_answers_match_their_schemas(client, documented, hub, make_notice, make_processor, make_rule, make_cookie):
    processor = make_processor(
        name="Google", slug="google-analytics", countries=["GB", "US"], transfer_safeguard="idta"
    )
    rule = make_rule(code="COMP-01")
    make_rule(code="ARCH-01", period_type="permanent", period="", trigger="", disposal_action="archive")
    cookie = make_cookie(name="_ga", slug="ga", provider=processor, category="analytics", party="third")
    make_cookie(name="sessionid", slug="sessionid")
    notice = make_notice(
        [
            section("personal_data", heading="What we collect", categories=[{"name": "Contact details"}]),
            section("purposes", heading="Why", purposes=[{"purpose": "Complaints", "lawful_basis": "public_task"}]),
            section("sharing", heading="Sharing", processors=[processor.pk]),
            section("retention", heading="Keeping", rules=[rule.pk]),
            section("transfers", heading="Abroad"),
            section("cookies", heading="Cookies", cookies=[cookie.pk], categories=["strictly_necessary"]),
            section("automated_decisions", heading="Automated decisions"),
            section("rights", heading="Your rights", rights=["access"]),
            section("text", heading="More", body="<p>Text</p>"),
        ],
        slug="complainants",
    )
    pages = f"{API}/pages/"
    for url, template in (
        (pages, f"{pages}"),
        (f"{pages}?type={NOTICE_TYPE}&fields=*", f"{pages}"),
        (f"{pages}?fields=*", f"{pages}"),
        (f"{pages}?fields=_,title", f"{pages}"),
        (f"{pages}{notice.pk}/", f"{pages}{{id}}/"),
        (f"{pages}{notice.pk}/?fields=*", f"{pages}{{id}}/"),
        (f"{pages}{hub.pk}/", f"{pages}{{id}}/"),
        (f"{pages}{hub.get_parent().pk}/", f"{pages}{{id}}/"),
        (f"{pages}999999/", f"{pages}{{id}}/"),
        (f"{pages}?fields=notice", f"{pages}"),
    ):
        documented(client.get(url), template)
    for endpoint, pk in (
        ("processors", processor.pk),
        ("cookies", cookie.pk),
        ("retention-rules", rule.pk),
        ("audiences", notice.audience_id),
    ):
        listing = f"{API}/{endpoint}/"
        for url, template in (
            (listing, listing),
            (f"{listing}?fields=*", listing),
            (f"{listing}?fields=-id", listing),
            (f"{listing}{pk}/", f"{listing}{{id}}/"),
            (f"{listing}999999/", f"{listing}{{id}}/"),
            (f"{listing}?fields=internal_notes", listing),
        ):
            response = client.get(url)
            documented(response, template)


def test_the_schema_refuses_an_internal_field(documented, client, make_processor):
    """The item schemas are closed: were an internal field ever exposed, validation would fail."""
    processor = make_processor()
    response = get(client, f"{API}/processors/{processor.pk}/")
    documented(response, f"{API}/processors/{{id}}/")
    with pytest.raises(AssertionError, match="internal_notes"):
        documented(response, f"{API}/processors/{{id}}/", data={**response.json(), "internal_notes": "x"})


# The README's examples, on the demo content --------------------------------------------------------------------------

DEMO_ADDRESSES = (  # the README shows these; test_readme_curl runs its curl lines on a live demo
    "/api/v2/pages/?type=privacy_notices.PrivacyNoticePage",
    "/api/v2/pages/find/?html_path=/privacy/complainants/",
    "/api/v2/processors/",
    "/api/v2/processors/?slug=google-analytics",
    "/api/v2/processors/find/?slug=google-analytics",
    "/api/v2/cookies/?category=analytics",
    "/api/v2/retention-rules/?code=COMP-01",
    "/api/v2/retention-rules/find/?code=COMP-01",
    "/api/v2/audiences/",
)


def test_the_api_answers_on_the_demo_content(client):
    call_command("load_demo_content", verbosity=0)
    for path in DEMO_ADDRESSES:
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        data = response.json()
        assert data.get("items", [data]), path


@pytest.mark.parametrize("query", ["format=xml", "format=jsonld", "format=api"])
def test_a_form_the_api_does_not_have_is_406_listing_json(client, query):
    response = client.get(f"{API}/processors/?{query}")
    assert response.status_code == 406
    assert response["Content-Type"] == "application/json"
    assert "application/json" in response.json()["message"]


def test_an_accept_header_naming_only_other_types_is_406(client):
    response = client.get(f"{API}/processors/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert "application/json" in response.content.decode()
    assert client.get(f"{API}/processors/", HTTP_ACCEPT="application/*").status_code == 200


def test_a_number_too_large_for_the_database_is_never_a_server_error(client, hub):
    response = client.get(f"{API}/pages/", {"type": "privacy_notices.PrivacyNoticePage", "audience": str(2**63)})
    # SQLite cannot take the number (a 400 saying so); Django finds nothing for it on PostgreSQL.
    if response.status_code == 400:
        assert "message" in response.json()
    else:
        assert response.status_code == 200
        assert response.json()["meta"]["total_count"] == 0
