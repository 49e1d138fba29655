"""The notices read by machines: JSON at the same addresses as the pages, and HTTP done right.

Every address a person reads (the hub, a notice, ``?at=``, ``@history``,
``@history/<n>``, ``@diff/<a>/<b>``) answers ``Accept: application/json`` or
``?format=json`` with JSON built from the same document as the page, refuses
forms it does not have with 406, and carries validators so a client can ask
again cheaply (304).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date
from wagtail.models import PageViewRestriction

from privacy_notices.models import PrivacyNoticePage
from retention_schedule.models import RetentionRule
from tests.conftest import section, uncached
from tests.test_history import live_notice_with_versions
from tests.test_versions import publish_edit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SECRET = "SECRET-7f3a"  # put in every internal field and draft; must never be served


@pytest.fixture
def notice(make_notice, make_processor, make_rule, make_cookie, schedule_page):
    processor = make_processor(
        name="Hotjar",
        slug="hotjar",
        service="Feedback polls",
        countries=["GB", "US"],
        transfer_safeguard="uk_us_data_bridge",
        internal_notes=SECRET,
        contract_reference=SECRET,
    )
    draft_processor = make_processor(name=f"Draft {SECRET}", slug="draft-processor", draft=True)
    rule = make_rule(code="COMP-01", record_class="Complaint case files", period="P2Y")
    draft_rule = make_rule(code="DRAFT-01", record_class=f"Draft {SECRET}", draft=True)
    cookie = make_cookie(name="_hjSession", slug="hj-session", category="analytics", provider=processor)
    sections = [
        section(
            "purposes",
            heading="Why we use it",
            purposes=[{"purpose": "To handle your complaint", "lawful_basis": "public_task"}],
        ),
        section("sharing", heading="Who we share it with", processors=[processor.pk, draft_processor.pk]),
        section("retention", heading="How long we keep it", rules=[rule.pk, draft_rule.pk]),
        section("cookies", heading="Cookies", cookies=[cookie.pk]),
    ]
    page = make_notice(sections, slug="complainants", title="Complainants' notice")
    # A pending draft of the notice itself, with its own change note: never public.
    draft = PrivacyNoticePage.objects.get(pk=page.pk)
    draft.title = f"Draft title {SECRET}"
    draft.change_summary = f"Draft change {SECRET}"
    draft.save_revision()
    # And a pending draft of a live entry the notice shows.
    pending = RetentionRule.objects.get(pk=rule.pk)
    pending.record_class = f"Pending {SECRET}"
    pending.save_revision()
    return PrivacyNoticePage.objects.get(pk=page.pk)


@pytest.fixture
def schedule_page(site_root):
    from retention_schedule.models import RetentionSchedulePage

    page = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule", live=False)
    site_root.add_child(instance=page)
    page.save_revision().publish()
    return page


def get_json(client, url, **headers):
    response = client.get(url, HTTP_ACCEPT="application/json", **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return response


def addresses(notice):
    return {
        "hub": "/privacy/",
        "notice": notice.url,
        "as_of": notice.url + "?at=2099-01-01",
        "history": notice.url + "@history",
        "version": notice.url + "@history/1",
    }


# The notice as JSON ----------------------------------------------------------------------------------


def test_the_notice_as_json_by_accept_header_or_format(client, notice):
    by_header = get_json(client, notice.url).json()
    by_format = client.get(notice.url, {"format": "json"}).json()
    assert by_header == by_format
    data = by_header
    base = "http://testserver"
    assert data["@id"] == f"{base}/privacy/complainants/"
    assert data["@type"] == "PrivacyNotice"
    assert data["title"] == "Complainants' notice"
    assert data["audience"]["slug"] == "complainants"
    assert data["audience"]["data_subject"] == "dpv:Citizen"
    assert data["version"] == 1
    assert data["last_updated"] == datetime.date.today().isoformat()
    organisation = data["organisation"]
    assert organisation["controller"]["name"] == "Northmoor Care Standards Authority"
    assert organisation["dpo"]["email"] == "dpo@northmoor.example"
    assert organisation["supervisory_authority"]["name"] == "Information Commissioner's Office"
    assert data["links"]["history"] == f"{base}/privacy/complainants/@history"
    assert data["links"]["this_version"] == f"{base}/privacy/complainants/@history/1"
    assert data["links"]["json_ld"] == f"{base}/privacy/complainants/?format=jsonld"
    assert data["links"]["retention_schedule"] == f"{base}/retention-schedule/"
    assert "type" not in data and "url" not in data


def test_register_entries_are_embedded_with_their_own_ids_and_codes(client, notice):
    sections = {s["type"]: s for s in get_json(client, notice.url).json()["sections"]}
    base = "http://testserver"
    [processor] = sections["sharing"]["processors"]
    assert processor["@id"] == f"{base}/privacy/@processors#hotjar"
    assert processor["slug"] == "hotjar"
    assert processor["third_countries"] == [{"code": "US", "name": "United States of America"}]
    [rule] = sections["retention"]["rules"]
    assert rule["@id"] == f"{base}/retention-schedule/COMP-01/"
    assert rule["code"] == "COMP-01"
    assert rule["period"] == "P2Y"
    [group] = sections["cookies"]["cookie_groups"]
    assert group["cookies"][0]["@id"] == f"{base}/privacy/@cookies#hj-session"
    assert sections["purposes"]["purposes"][0]["lawful_basis"] == "public_task"
    # A rule's @id is an address that answers.
    assert client.get(rule["@id"].removeprefix(base), {"format": "json"}).json()["code"] == "COMP-01"


def test_the_json_says_what_the_page_says(client, notice):
    data = get_json(client, notice.url).json()
    page = BeautifulSoup(client.get(notice.url).content, "html.parser")
    headings = [h2.get_text(strip=True) for h2 in page.select("main h2")]
    for section_data in data["sections"]:
        assert section_data["heading"] in headings
    text = page.get_text()
    for name in ("Hotjar", "Complaint case files", "_hjSession", data["title"]):
        assert name in text


def test_a_browser_gets_html_and_curl_without_options_too(client, notice):
    for accept in (BROWSER_ACCEPT, "*/*", "text/html", ""):
        response = client.get(notice.url, HTTP_ACCEPT=accept)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html"), accept


def test_json_ld_is_served_by_accept_header_or_format(client, notice):
    by_header = client.get(notice.url, HTTP_ACCEPT="application/ld+json")
    assert by_header.status_code == 200
    assert by_header["Content-Type"] == "application/ld+json"
    assert by_header.content == client.get(notice.url, {"format": "jsonld"}).content
    # q-values decide between the two JSON forms.
    preferred = client.get(notice.url, HTTP_ACCEPT="application/json;q=0.5, application/ld+json")
    assert preferred["Content-Type"] == "application/ld+json"


# Nothing unpublished or internal, at any address, in any form ----------------------------------------


def test_no_draft_or_internal_field_appears_at_any_address_in_any_form(client, notice):
    publish_edit(notice, change="Second version", summary="Changed summary.")
    # publish_edit published the pending draft title; make a fresh pending draft.
    draft = PrivacyNoticePage.objects.get(pk=notice.pk)
    draft.title = f"Another draft {SECRET}"
    draft.change_summary = f"Next change {SECRET}"
    draft.save_revision()
    urls = list(addresses(notice).values()) + [notice.url + "@diff/1/2"]
    for url in urls:
        for accept in ("text/html", "application/json", "application/ld+json"):
            response = client.get(url, HTTP_ACCEPT=accept)
            if response.status_code == 406:  # a form this address does not have
                continue
            assert response.status_code == 200, (url, accept)
            body = response.content.decode()
            assert SECRET not in body, (url, accept)
            assert "Draft title" not in body and "change_summary" not in body, (url, accept)


def test_an_unpublished_notice_is_not_found_in_every_form(client, notice):
    notice.unpublish()
    for url in addresses(notice).values():
        if url == "/privacy/":
            continue
        for accept in ("text/html", "application/json"):
            response = client.get(url, HTTP_ACCEPT=accept)
            assert response.status_code == 404, (url, accept)
            assert SECRET not in response.content.decode()
    assert "complainants" not in client.get("/privacy/", HTTP_ACCEPT="application/json").content.decode()


def test_a_missing_page_is_a_json_404_when_json_was_asked_for(client, notice):
    response = client.get("/privacy/nobody/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": 404, "error": "There is nothing at this address."}
    assert client.get("/privacy/nobody/")["Content-Type"].startswith("text/html")


# The hub and the history ---------------------------------------------------------------------------


def test_the_hub_as_json_lists_live_notices_with_their_addresses(client, notice, make_notice):
    make_notice(slug="unpublished", title="Not yet", publish_it=False)
    data = get_json(client, "/privacy/").json()
    assert data["@id"] == "http://testserver/privacy/"
    assert data["@type"] == "PrivacyNoticeIndex"
    assert [n["@id"] for n in data["notices"]] == ["http://testserver/privacy/complainants/"]
    assert data["notices"][0]["last_updated"] == datetime.date.today().isoformat()
    assert data["links"]["processors"] == "http://testserver/privacy/@processors"
    assert data["links"]["cookies"] == "http://testserver/privacy/@cookies"


@pytest.fixture
def three_versions(make_notice):
    return live_notice_with_versions(
        make_notice,
        datetime.datetime(2016, 10, 14, 9, 0, tzinfo=LONDON),
        datetime.datetime(2017, 1, 20, 16, 30, tzinfo=LONDON),
        datetime.datetime(2017, 3, 2, 11, 0, tzinfo=LONDON),
        slug="helpline",
    )


def test_the_history_as_json(client, three_versions):
    data = get_json(client, "/privacy/helpline/@history").json()
    base = "http://testserver/privacy/helpline/"
    assert data["@id"] == base + "@history"
    assert data["@type"] == "NoticeHistory"
    assert data["notice"]["@id"] == base
    assert (data["count"], data["page"], data["pages"], data["next"], data["previous"]) == (3, 1, 1, None, None)
    assert [v["number"] for v in data["versions"]] == [3, 2, 1]
    assert [v["material"] for v in data["versions"]] == [True, False, True]
    assert data["versions"][0]["@id"] == base + "@history/3"
    assert data["versions"][0]["diff"] == base + "@diff/2/3"
    assert data["versions"][2]["diff"] is None
    assert data["versions"][0]["published_at"] == "2017-03-02T11:00:00+00:00"
    assert data["versions"][2]["summary"] == "First published"


def test_a_version_and_the_version_in_force_on_a_date_as_json(client, three_versions):
    base = "http://testserver/privacy/helpline/"
    version = get_json(client, "/privacy/helpline/@history/2").json()
    assert version["@id"] == base + "@history/2"
    assert version["version"] == 2
    assert version["links"]["notice"] == base
    assert version["in_force"] == {
        "number": 2,
        "current": False,
        "published_at": "2017-01-20T16:30:00+00:00",
        "from": "2017-01-20",
        "until": "2017-03-02",
        "as_of": None,
        "material": False,
        "summary": "Change number 2",
        "latest_version": 3,
        "diff_from_previous": base + "@diff/1/2",
        "diff_to_latest": base + "@diff/2/3",
    }
    as_of = get_json(client, "/privacy/helpline/?at=2017-02-01").json()
    assert as_of["@id"] == base + "@history/2"
    assert as_of["in_force"]["as_of"] == "2017-02-01"


def test_a_diff_as_json(client, three_versions):
    data = get_json(client, "/privacy/helpline/@diff/1/3").json()
    base = "http://testserver/privacy/helpline/"
    assert data["@id"] == base + "@diff/1/3"
    assert data["@type"] == "NoticeDiff"
    assert (data["from"]["number"], data["to"]["number"]) == (1, 3)
    assert [v["number"] for v in data["changes"]] == [2, 3]
    assert set(data) >= {"fields", "sections", "contact", "changed"}


@pytest.mark.parametrize(
    "url, status",
    [
        ("/privacy/helpline/@history/9", 404),
        ("/privacy/helpline/@history?page=7", 404),
        ("/privacy/helpline/?at=2017-13-01", 400),
        ("/privacy/helpline/?at=2001-01-01", 404),
        ("/privacy/helpline/@diff/3/1", 400),
        ("/privacy/helpline/@diff/1/9", 404),
    ],
)
def test_errors_are_json_with_a_message_when_json_was_asked_for(client, three_versions, url, status):
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["status"] == status
    assert data["error"] and data["message"]
    assert "Traceback" not in response.content.decode()
    # People still get the page explaining it.
    assert client.get(url)["Content-Type"].startswith("text/html")


# Forms an address does not have ---------------------------------------------------------------------


@pytest.mark.parametrize("where", ["hub", "notice", "history", "version", "diff"])
def test_an_unsupported_form_is_406_listing_the_supported_types(client, three_versions, where):
    url = {
        "hub": "/privacy/",
        "notice": "/privacy/helpline/",
        "history": "/privacy/helpline/@history",
        "version": "/privacy/helpline/@history/1",
        "diff": "/privacy/helpline/@diff/1/2",
    }[where]
    by_format = client.get(url, {"format": "xml"})
    assert by_format.status_code == 406
    assert "application/json" in by_format.content.decode()
    assert "xml" in by_format.content.decode()
    by_header = client.get(url, HTTP_ACCEPT="application/xml")
    assert by_header.status_code == 406
    assert "text/html" in by_header.content.decode()
    assert "Accept" in by_header["Vary"]
    # From a client that reads JSON, the refusal is JSON and lists the forms there are.
    as_json = client.get(url, {"format": "pdf"}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 406
    assert as_json["Content-Type"] == "application/json"
    assert as_json.json()["formats"]["json"] == "application/json"
    assert "pdf" in as_json.json()["error"]


def test_media_ranges_and_preferences(client, notice):
    assert client.get(notice.url, HTTP_ACCEPT="application/*")["Content-Type"] == "application/json"
    assert client.get(notice.url, HTTP_ACCEPT="text/*")["Content-Type"].startswith("text/html")
    # An error goes in the form the client prefers, by q-value.
    missing = notice.url + "@history/99"
    assert client.get(missing, HTTP_ACCEPT="application/json;q=0.1, text/html")["Content-Type"].startswith("text/")
    assert client.get(missing, HTTP_ACCEPT="text/html;q=0.1, application/json")["Content-Type"] == "application/json"


def test_a_json_404_varies_on_accept(client, notice):
    response = client.get("/privacy/nobody/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert "Accept" in response["Vary"]


def test_an_accept_header_refusing_json_is_not_given_json(client, notice):
    response = client.get(notice.url, HTTP_ACCEPT="application/xml, application/json;q=0")
    assert response.status_code == 406
    assert response["Content-Type"] == "text/plain; charset=utf-8"


# HTTP: validators, 304, caching, Vary, CORS ----------------------------------------------------------


def test_every_address_has_validators_and_answers_304(client, three_versions):
    urls = [
        "/privacy/",
        "/privacy/helpline/",
        "/privacy/helpline/?at=2017-02-01",
        "/privacy/helpline/@history",
        "/privacy/helpline/@history/2",
        "/privacy/helpline/@diff/1/3",
    ]
    for url in urls:
        for accept in ("text/html", "application/json"):
            response = client.get(url, HTTP_ACCEPT=accept)
            assert response.status_code == 200, url
            assert response["ETag"].startswith('"'), url
            assert response["Last-Modified"], url
            assert "Accept" in response["Vary"], url
            assert response["Cache-Control"] == "public, max-age=300", url
            again = client.get(url, HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH=response["ETag"])
            assert again.status_code == 304, url
            assert again.content == b""
            assert again["ETag"] == response["ETag"]
            # A date alone earns a 304 only where it tells every change: a version, a diff.
            since = client.get(url, HTTP_ACCEPT=accept, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
            dated = "@history/" in url or "@diff/" in url or "?at=" in url
            assert since.status_code == (304 if dated else 200), url
            changed = client.get(url, HTTP_ACCEPT=accept, HTTP_IF_NONE_MATCH='"something-else"')
            assert changed.status_code == 200, url


def test_last_modified_is_when_what_the_address_shows_last_changed(client, three_versions):
    latest = http_date(datetime.datetime(2017, 3, 2, 11, 0, tzinfo=LONDON).timestamp())
    assert client.get("/privacy/helpline/@history")["Last-Modified"] == latest
    assert client.get("/privacy/helpline/@history/3")["Last-Modified"] == latest
    # An old version's page says until when it was in force: it changed when version 3 came.
    assert client.get("/privacy/helpline/@history/1")["Last-Modified"] == latest
    first_two = http_date(datetime.datetime(2017, 1, 20, 16, 30, tzinfo=LONDON).timestamp())
    assert client.get("/privacy/helpline/@diff/1/2")["Last-Modified"] == first_two


def test_a_change_without_a_date_is_never_answered_304_by_date(client, notice):
    """Unpublishing an entry changes the notice but moves no publish date: the ETag decides."""
    response = client.get(notice.url, HTTP_ACCEPT="application/json")
    assert "Hotjar" in response.content.decode()
    from privacy_notices.models import Processor

    Processor.objects.get(slug="hotjar").unpublish()
    again = client.get(
        notice.url,
        HTTP_ACCEPT="application/json",
        HTTP_IF_MODIFIED_SINCE=response["Last-Modified"],
    )
    assert again.status_code == 200
    assert "Hotjar" not in again.content.decode()


def test_a_signed_in_editor_is_never_served_a_shareable_page(client, notice, admin_user):
    client.force_login(admin_user)
    for url in ("/privacy/", notice.url, notice.url + "@history"):
        response = client.get(url)
        assert response.status_code == 200
        assert "public" not in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_a_new_version_changes_the_etag(client, notice):
    before = client.get(notice.url, HTTP_ACCEPT="application/json")["ETag"]
    publish_edit(notice, change="Clearer summary", summary="A clearer summary.")
    response = client.get(notice.url, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200
    assert response["ETag"] != before
    assert response.json()["version"] == 2


def test_the_html_and_json_forms_have_different_etags(client, notice):
    assert client.get(notice.url)["ETag"] != client.get(notice.url, HTTP_ACCEPT="application/json")["ETag"]


def test_max_age_is_a_setting(client, notice, settings):
    settings.PRIVACY_NOTICES_CACHE_MAX_AGE = 0
    assert client.get(notice.url)["Cache-Control"] == "public, max-age=0"


def test_a_notice_behind_a_password_is_never_cached_publicly(client, notice):
    PageViewRestriction.objects.create(page=notice, restriction_type="password", password="letmein")
    response = client.get(notice.url, HTTP_ACCEPT="application/json")
    assert response.status_code == 200  # the password form
    assert "public" not in response.get("Cache-Control", "")
    assert SECRET not in response.content.decode()


def test_cors_is_off_by_default(client, notice):
    response = client.get(notice.url, HTTP_ACCEPT="application/json", HTTP_ORIGIN="https://intranet.example")
    assert "Access-Control-Allow-Origin" not in response


def test_cors_for_the_origins_a_site_allows(client, notice, settings):
    settings.PRIVACY_NOTICES_CORS_ALLOWED_ORIGINS = ["https://intranet.example"]
    allowed = client.get(notice.url, HTTP_ACCEPT="application/json", HTTP_ORIGIN="https://intranet.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://intranet.example"
    assert "Origin" in allowed["Vary"]
    assert "ETag" in allowed["Access-Control-Expose-Headers"]
    other = client.get(notice.url, HTTP_ACCEPT="application/json", HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in other
    assert "Origin" in other["Vary"]
    not_modified = client.get(
        notice.url,
        HTTP_ACCEPT="application/json",
        HTTP_ORIGIN="https://intranet.example",
        HTTP_IF_NONE_MATCH=allowed["ETag"],
    )
    assert not_modified.status_code == 304
    assert not_modified["Access-Control-Allow-Origin"] == "https://intranet.example"
    settings.PRIVACY_NOTICES_CORS_ALLOWED_ORIGINS = ["*"]
    assert client.get(notice.url, HTTP_ORIGIN="https://any.example")["Access-Control-Allow-Origin"] == "*"


def test_the_pages_link_their_machine_readable_forms(client, three_versions):
    for url, forms in (
        ("/privacy/", {"application/json"}),
        ("/privacy/helpline/", {"application/json", "application/ld+json"}),
        ("/privacy/helpline/@history", {"application/json"}),
        ("/privacy/helpline/@history/2", {"application/json", "application/ld+json"}),
        ("/privacy/helpline/@diff/1/2", {"application/json"}),
    ):
        head = BeautifulSoup(client.get(url).content, "html.parser").head
        links = {link["type"]: link["href"] for link in head.find_all("link", rel="alternate")}
        assert set(links) == forms, url
        for media_type, href in links.items():
            response = client.get(href)
            assert response.status_code == 200, href
            assert response["Content-Type"] == media_type, href


# What it costs -------------------------------------------------------------------------------------


def _queries(client, url, accept):
    with uncached():  # the views' own work, not the cache's answer
        client.get(url, HTTP_ACCEPT=accept)  # warm per-process caches, as a running site has
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, HTTP_ACCEPT=accept).status_code == 200
        return len(captured.captured_queries)


def test_a_json_answer_costs_no_more_queries_than_its_page(client, notice):
    publish_edit(notice, change="Second version", summary="Changed.")
    for url in list(addresses(notice).values()) + [notice.url + "@diff/1/2"]:
        html = _queries(client, url, "text/html")
        assert _queries(client, url, "application/json") <= html, url


def test_the_notice_page_links_the_registers_its_json_names(client, notice):
    links = get_json(client, notice.url).json()["links"]
    page = BeautifulSoup(client.get(notice.url).content, "html.parser")
    hrefs = {a["href"] for a in page.select("nav.pn-see-also a")}
    assert hrefs == {links["processors"], links["cookies"], links["retention_schedule"]}
    for href in hrefs:
        assert client.get(href).status_code == 200, href
