"""The hub's public registers: ``<hub>@processors`` and ``<hub>@cookies``, as HTML, JSON and CSV."""

import csv
import datetime
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date
from jsonschema import Draft202012Validator
from wagtail.models import PageViewRestriction

from privacy_notices.headless import RegisterAddresses
from privacy_notices.models import PrivacyNoticeIndexPage, Processor
from privacy_notices.public_registers import openapi_paths
from retention_schedule.models import RetentionSchedulePage
from tests.conftest import publish, uncached

pytestmark = pytest.mark.django_db

PROCESSORS = "@processors"
COOKIES = "@cookies"
FORMS = ["html", "json", "csv"]
# Routing, the site and its settings, the page, view restrictions, the schedule page's address,
# one query for the register, and the SAVEPOINT and RELEASE of ATOMIC_REQUESTS. The stronger
# check is "the same for few and many".
REGISTER_CEILING = 12


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def words(node):
    return " ".join(node.get_text().split())


def get_ok(client, url, data=None, **kwargs):
    response = client.get(url, data=data, **kwargs)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    return response


def register_url(hub, register):
    return f"{hub.url}{register}"


def absolute_register(hub, register):
    return f"http://testserver{hub.url}{register}"


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def validator(name):
    """A validator for one of the registers' OpenAPI schemas, its $refs resolved against the others."""
    _paths, schemas = openapi_paths()
    schema = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(name, data):
    errors = sorted(validator(name).iter_errors(data), key=lambda error: list(error.path))
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]


# Register content ----------------------------------------------------------------------------------------------------


@pytest.fixture
def processors(make_processor):
    """Three live processors (out of name order), with their internal fields filled in."""
    entries = [
        make_processor(
            name="Mailchimp",
            slug="mailchimp",
            service="Newsletter delivery",
            role="processor",
            countries=["GB", "US"],
            transfer_safeguard="uk_us_data_bridge",
            safeguard_details="Certified under the data bridge.",
            privacy_notice_url="https://mailchimp.example/privacy",
            purposes="Sends our newsletter.",
            data_categories="Email address",
        ),
        make_processor(
            name="egress",
            slug="egress",
            service="Secure email",
            role="processor",
            countries=["GB"],
        ),
        make_processor(
            name="HMRC",
            slug="hmrc",
            service="Tax",
            role="recipient",
            countries=["GB"],
        ),
    ]
    # A link stored without the form's validation (an import): never a link on the page.
    Processor.objects.filter(slug="hmrc").update(privacy_notice_url="javascript:alert(1)")
    entries[2].refresh_from_db()
    return entries


@pytest.fixture
def cookies(make_cookie, processors):
    mailchimp = processors[0]
    return [
        make_cookie(name="sessionid", slug="sessionid", category="strictly_necessary", lifetime="P2W"),
        make_cookie(name="_mc", slug="mc", category="marketing", party="third", provider=mailchimp, lifetime="P1Y"),
        make_cookie(name="_ga", slug="ga", category="analytics", lifetime="P2Y", purpose="Counts visits."),
        make_cookie(name="csrftoken", slug="csrftoken", category="strictly_necessary", lifetime="session"),
        make_cookie(name="lang", slug="lang", category="functional", lifetime="P1Y", purpose="Remembers language."),
    ]


@pytest.fixture
def hidden(make_processor, make_cookie, processors, cookies):
    """Everything the public must never read, each with a marker string of its own."""
    mailchimp, egress = processors[0], processors[1]
    # Internal fields of live entries.
    mailchimp.contract_reference = "SECRET-CONTRACT-REF"
    mailchimp.internal_notes = "SECRET-INTERNAL-NOTE"
    mailchimp.contract_signed = datetime.date(2011, 3, 17)
    mailchimp.contract_review_due = datetime.date(2012, 5, 19)
    mailchimp.change_summary = "SECRET-CHANGE-NOTE"
    publish(mailchimp)
    # A pending draft of a live processor and of a live cookie: the published values stay.
    egress.name = "SECRET-DRAFT-NAME"
    egress.service = "SECRET-DRAFT-SERVICE"
    egress.save_revision()
    session = cookies[0]
    session.purpose = "SECRET-DRAFT-PURPOSE"
    session.save_revision()
    # Never-published drafts, and a cookie whose provider is one.
    draft_provider = make_processor(name="SECRET-DRAFT-PROCESSOR", slug="draft-provider", draft=True)
    make_cookie(name="SECRET-DRAFT-COOKIE", slug="draft-cookie", category="analytics", draft=True)
    make_cookie(
        name="_hj",
        slug="hj",
        category="analytics",
        party="third",
        provider=draft_provider,
        purpose="Heatmaps.",
    )
    # The markers are really stored, so their absence below means something.
    stored = Processor.objects.get(slug="mailchimp")
    assert stored.internal_notes == "SECRET-INTERNAL-NOTE" and stored.contract_reference == "SECRET-CONTRACT-REF"
    assert Processor.objects.get(slug="egress").has_unpublished_changes
    # Published, then unpublished.
    make_processor(name="SECRET-UNPUBLISHED-PROCESSOR", slug="gone-processor").unpublish()
    make_cookie(name="SECRET-UNPUBLISHED-COOKIE", slug="gone-cookie").unpublish()
    return [
        "SECRET-CONTRACT-REF",
        "SECRET-INTERNAL-NOTE",
        "SECRET-CHANGE-NOTE",
        "SECRET-DRAFT-NAME",
        "SECRET-DRAFT-SERVICE",
        "SECRET-DRAFT-PURPOSE",
        "SECRET-DRAFT-PROCESSOR",
        "SECRET-DRAFT-COOKIE",
        "SECRET-UNPUBLISHED-PROCESSOR",
        "SECRET-UNPUBLISHED-COOKIE",
        "draft-provider",
        "draft-cookie",
        "gone-processor",
        "gone-cookie",
        "2011-03-17",
        "17 March 2011",
        "2012-05-19",
        "19 May 2012",
    ]


# Only live entries, only public fields -------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("register", [PROCESSORS, COOKIES])
def test_no_draft_unpublished_or_internal_value_is_ever_public(client, hub, hidden, register, form):
    body = get_ok(client, register_url(hub, register), data={"format": form}).content.decode()
    for marker in hidden:
        assert marker not in body, marker


@pytest.mark.parametrize("form", FORMS)
def test_a_live_entry_with_a_pending_draft_shows_its_published_values(client, hub, hidden, form):
    processors = get_ok(client, register_url(hub, PROCESSORS), data={"format": form}).content.decode()
    assert "Secure email" in processors and "egress" in processors
    cookies = get_ok(client, register_url(hub, COOKIES), data={"format": form}).content.decode()
    assert "Keeps you signed in" in cookies


def test_a_cookie_whose_provider_is_a_draft_names_no_provider(client, hub, hidden):
    data = get_ok(client, register_url(hub, COOKIES), data={"format": "json"}).json()
    hotjar = next(cookie for cookie in data["cookies"] if cookie["slug"] == "hj")
    assert hotjar["provider"] == "" and hotjar["provider_slug"] is None
    row = soup_of(get_ok(client, register_url(hub, COOKIES))).find(id="hj")
    assert "Not stated" in words(row)
    rows = csv_rows(get_ok(client, register_url(hub, COOKIES), data={"format": "csv"}))
    hotjar_row = next(row for row in rows if row["slug"] == "hj")
    assert hotjar_row["provider"] == "" and hotjar_row["provider_slug"] == ""


# HTML ----------------------------------------------------------------------------------------------------------------


def test_processor_register_html(client, hub, processors):
    response = get_ok(client, register_url(hub, PROCESSORS))
    assert response["Content-Type"].startswith("text/html")
    soup = soup_of(response)
    assert words(soup.h1) == "Organisations we share information with"
    # Grouped by role, processors first; by name in each group, whatever the letter case.
    assert [words(h2) for h2 in soup.select("section.pn-section > h2")] == [
        "Processors acting on our behalf",
        "Other organisations we share information with",
    ]
    tables = soup.select("table.pn-register-table")
    assert [[row["id"] for row in table.tbody.find_all("tr")] for table in tables] == [
        ["egress", "mailchimp"],
        ["hmrc"],
    ]
    for table in tables:
        assert words(table.caption)
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
    mailchimp = soup.find(id="mailchimp")
    text = words(mailchimp)
    for shown in ("Mailchimp", "Newsletter delivery", "Sends our newsletter.", "Email address"):
        assert shown in text
    assert "United Kingdom, United States of America" in text
    assert "UK-US data bridge" in text and "Certified under the data bridge." in text
    assert mailchimp.find("a", href="https://mailchimp.example/privacy") is not None
    # A stored link that is not http(s) never becomes a link.
    assert soup.find(id="hmrc").find("a") is None
    assert "javascript:" not in response.content.decode()


def test_register_pages_say_when_they_last_changed_and_link_their_data(client, hub, processors, cookies):
    for register, entries in ((PROCESSORS, processors), (COOKIES, [*cookies, processors[0]])):
        soup = soup_of(get_ok(client, register_url(hub, register)))
        newest = max(entry.last_published_at for entry in entries)
        meta = soup.select_one(".pn-meta")
        assert "Last updated" in words(meta)
        assert meta.find("time", datetime=timezone.localdate(newest).isoformat()) is not None
        alternates = {link["type"]: link["href"] for link in soup.head.find_all("link", rel="alternate")}
        address = register_url(hub, register)
        assert alternates == {"application/json": f"{address}?format=json", "text/csv": f"{address}?format=csv"}
        data_links = {a["data-format"]: a["href"] for a in soup.select(".pn-formats a")}
        assert data_links == {"json": f"{address}?format=json", "csv": f"{address}?format=csv"}
        assert soup.head.find("link", rel="canonical")["href"] == absolute_register(hub, register)
        assert soup.select_one(".pn-caption a")["href"] == hub.url


def test_cookie_declarations_html_split_essential_and_optional(client, hub, cookies):
    soup = soup_of(get_ok(client, register_url(hub, COOKIES)))
    assert words(soup.h1) == "Cookies we use"
    sections = soup.select("section.pn-section")
    assert [words(section.h2) for section in sections] == ["Essential cookies", "Optional cookies"]
    essential, optional = sections
    assert [words(h3) for h3 in essential.find_all("h3")] == ["Strictly necessary cookies"]
    assert [words(h3) for h3 in optional.find_all("h3")] == [
        "Functional cookies",
        "Analytics cookies",
        "Marketing cookies",
    ]
    assert [row["id"] for row in essential.select("tbody tr")] == ["csrftoken", "sessionid"]
    assert [row["id"] for row in optional.select("tbody tr")] == ["lang", "ga", "mc"]
    table = essential.table
    assert [words(th) for th in table.thead.find_all("th")] == ["Name", "Purpose", "Expires", "Set by"]
    assert words(table.caption) == "Strictly necessary cookies"
    assert table.find_parent(attrs={"role": "region"})["aria-labelledby"] == table.caption["id"]
    marketing = words(soup.find(id="mc"))
    assert "_mc" in marketing and "1 year" in marketing and "Mailchimp" in marketing and "Third party" in marketing
    assert "When you close your browser" in words(soup.find(id="csrftoken"))
    assert "Us" in words(soup.find(id="sessionid"))


def test_every_id_is_unique_on_the_page(client, hub, processors, cookies):
    for register in (PROCESSORS, COOKIES):
        soup = soup_of(get_ok(client, register_url(hub, register)))
        ids = [node["id"] for node in soup.find_all(id=True)]
        assert len(ids) == len(set(ids)), ids


def test_empty_registers_say_so(client, hub):
    for register, message in (
        (PROCESSORS, "No organisations are listed yet."),
        (COOKIES, "No cookies are listed yet."),
    ):
        response = get_ok(client, register_url(hub, register))
        assert message in words(soup_of(response))
        assert "Last-Modified" not in response
        data = get_ok(client, register_url(hub, register), data={"format": "json"}).json()
        assert data["count"] == 0 and data["last_updated"] is None


# JSON ----------------------------------------------------------------------------------------------------------------


def test_processor_register_json(client, hub, processors):
    response = get_ok(client, register_url(hub, PROCESSORS), HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert_valid("ProcessorRegister", data)
    address = absolute_register(hub, PROCESSORS)
    assert data["@id"] == address and data["@type"] == "ProcessorRegister"
    assert data["title"] == "Organisations we share information with"
    assert data["count"] == 3
    assert [entry["slug"] for entry in data["processors"]] == ["egress", "hmrc", "mailchimp"]  # by name
    newest = max(processor.last_published_at for processor in processors)
    assert data["last_updated"] == newest.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    mailchimp = data["processors"][2]
    assert mailchimp == {"@id": f"{address}#mailchimp", **processors[0].as_public_data()}
    # Exactly the keys the schema describes: a key added to as_public_data() must be described too.
    schemas = openapi_paths()[1]
    assert set(mailchimp) == set(schemas["RegisterProcessor"]["properties"])
    assert set(data) == set(schemas["ProcessorRegister"]["properties"])
    assert set(data["links"]) == set(schemas["ProcessorRegister"]["properties"]["links"]["properties"])
    assert list(mailchimp)[0] == "@id"
    assert data["links"] == {
        "html": address,
        "json": f"{address}?format=json",
        "csv": f"{address}?format=csv",
        "hub": f"http://testserver{hub.url}",
        "processors": address,
        "cookies": absolute_register(hub, COOKIES),
        "retention_schedule": None,
    }


def test_cookie_declarations_json(client, hub, cookies):
    data = get_ok(client, register_url(hub, COOKIES), data={"format": "json"}).json()
    assert_valid("CookieDeclarations", data)
    assert data["@type"] == "CookieDeclarations" and data["count"] == 5
    # Strictly necessary, functional, analytics, marketing; by name in each.
    assert [entry["slug"] for entry in data["cookies"]] == ["csrftoken", "sessionid", "lang", "ga", "mc"]
    marketing = data["cookies"][-1]
    assert marketing["provider"] == "Mailchimp" and marketing["provider_slug"] == "mailchimp"
    schemas = openapi_paths()[1]
    assert set(marketing) == set(schemas["RegisterCookie"]["properties"])
    assert set(data) == set(schemas["CookieDeclarations"]["properties"])


@pytest.mark.parametrize("register", [PROCESSORS, COOKIES])
def test_each_entrys_id_is_the_one_the_notices_use_and_lands_on_its_row(client, hub, processors, cookies, register):
    registers = RegisterAddresses.find(None, f"http://testserver{hub.url}")
    id_of = registers.processor_id if register == PROCESSORS else registers.cookie_id
    data = get_ok(client, register_url(hub, register), data={"format": "json"}).json()
    soup = soup_of(get_ok(client, register_url(hub, register)))
    entries = data["processors" if register == PROCESSORS else "cookies"]
    assert entries
    for entry in entries:
        assert entry["@id"] == id_of(entry["slug"]) == f"http://testserver{hub.url}{register}#{entry['slug']}"
        address, fragment = entry["@id"].split("#")
        assert address == data["@id"]
        row = soup.find(id=fragment)
        assert row is not None and row.name == "tr"


def test_the_json_links_the_retention_schedule_when_there_is_one(client, hub, site_root, processors):
    schedule = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule")
    site_root.add_child(instance=schedule)
    schedule.save_revision().publish()
    data = get_ok(client, register_url(hub, PROCESSORS), data={"format": "json"}).json()
    assert_valid("ProcessorRegister", data)
    assert data["links"]["retention_schedule"] == f"http://testserver{schedule.url}"


# CSV -----------------------------------------------------------------------------------------------------------------


def test_processor_register_csv(client, hub, processors):
    response = get_ok(client, register_url(hub, PROCESSORS), HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="privacy-processors.csv"'
    rows = csv_rows(response)
    assert [row["slug"] for row in rows] == ["egress", "hmrc", "mailchimp"]
    assert list(rows[0]) == [
        "id",
        "slug",
        "name",
        "service",
        "role",
        "role_text",
        "purposes",
        "data_categories",
        "countries",
        "country_names",
        "third_countries",
        "transfer_safeguard",
        "transfer_safeguard_text",
        "safeguard_details",
        "privacy_notice_url",
    ]
    mailchimp = rows[2]
    assert mailchimp["id"] == f"{absolute_register(hub, PROCESSORS)}#mailchimp"
    assert mailchimp["countries"] == "GB; US"
    assert mailchimp["country_names"] == "United Kingdom; United States of America"
    assert mailchimp["third_countries"] == "US"
    assert mailchimp["transfer_safeguard"] == "uk_us_data_bridge"
    assert mailchimp["role_text"] == "Processor acting on our behalf"


def test_cookie_declarations_csv(client, hub, cookies):
    response = get_ok(client, register_url(hub, COOKIES), data={"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="privacy-cookies.csv"'
    rows = csv_rows(response)
    assert [row["slug"] for row in rows] == ["csrftoken", "sessionid", "lang", "ga", "mc"]
    assert rows[0]["lifetime"] == "session" and rows[0]["provider_slug"] == ""
    assert rows[-1]["provider"] == "Mailchimp" and rows[-1]["party"] == "third"


def test_csv_cells_a_spreadsheet_would_run_are_escaped(client, hub, make_processor, make_cookie):
    make_processor(name='=HYPERLINK("http://evil.example")', slug="formula", purposes="+1", service="@SUM(A1)")
    make_cookie(name="-cookie", slug="dash", purpose="=1+1")
    processor = csv_rows(get_ok(client, register_url(hub, PROCESSORS), data={"format": "csv"}))[0]
    assert processor["name"] == '\'=HYPERLINK("http://evil.example")'
    assert processor["purposes"] == "'+1" and processor["service"] == "'@SUM(A1)"
    cookie = csv_rows(get_ok(client, register_url(hub, COOKIES), data={"format": "csv"}))[0]
    assert cookie["name"] == "'-cookie" and cookie["purpose"] == "'=1+1"


# Filters -------------------------------------------------------------------------------------------------------------


def test_a_filter_narrows_every_form(client, hub, cookies, processors):
    address = register_url(hub, COOKIES)
    data = get_ok(client, address, data={"format": "json", "category": "analytics"}).json()
    assert [entry["slug"] for entry in data["cookies"]] == ["ga"] and data["count"] == 1
    assert (
        data["last_updated"] == cookies[2].last_published_at.astimezone(datetime.UTC).replace(microsecond=0).isoformat()
    )
    several = get_ok(client, address, {"format": "json", "category": ["marketing", "analytics"]}).json()
    assert [entry["slug"] for entry in several["cookies"]] == ["ga", "mc"]
    assert [row["slug"] for row in csv_rows(get_ok(client, address, {"format": "csv", "category": "analytics"}))] == [
        "ga"
    ]
    soup = soup_of(get_ok(client, address, {"category": "analytics"}))
    assert [row["id"] for row in soup.select("tbody tr")] == ["ga"]
    note = words(soup.select_one(".pn-filter-note"))
    assert "Analytics" in note and "Show the whole list" in note
    links = {a["data-format"]: a["href"] for a in soup.select(".pn-formats a")}
    assert links["csv"] == f"{address}?category=analytics&format=csv"
    roles = get_ok(client, register_url(hub, PROCESSORS), {"format": "json", "role": "recipient"}).json()
    assert [entry["slug"] for entry in roles["processors"]] == ["hmrc"]


@pytest.mark.parametrize("form", FORMS)
def test_a_filter_value_that_matches_nothing_shows_nothing(client, hub, cookies, processors, form):
    for register, name in ((COOKIES, "category"), (PROCESSORS, "role")):
        response = get_ok(client, register_url(hub, register), {"format": form, name: "no-such-thing\x00"})
        body = response.content.decode()
        for slug in ("sessionid", "ga", "mailchimp", "hmrc"):
            assert f"#{slug}" not in body and f'id="{slug}"' not in body
        if form == "json":
            assert response.json()["count"] == 0
        if form == "csv":
            assert csv_rows(response) == []
        if form == "html":
            assert "match this filter" in words(soup_of(response))


def test_a_blank_filter_is_no_filter(client, hub, cookies):
    data = get_ok(client, register_url(hub, COOKIES), {"format": "json", "category": ""}).json()
    assert data["count"] == 5


# HTTP ----------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("register", [PROCESSORS, COOKIES])
def test_unknown_forms_are_refused_with_the_forms_there_are(client, hub, cookies, register):
    address = register_url(hub, register)
    for response in (client.get(address, {"format": "xml"}), client.get(address, HTTP_ACCEPT="application/xml")):
        assert response.status_code == 406
        assert response["Content-Type"].startswith("text/plain")
        assert "Accept" in response["Vary"]
        body = response.content.decode()
        for media_type in ("text/html", "application/json", "text/csv"):
            assert media_type in body
    asked_json = client.get(address, {"format": "jsonld"})
    assert asked_json.status_code == 406 and asked_json["Content-Type"] == "application/json"
    schema = openapi_paths()[0][f"/privacy/{register}"]["get"]["responses"]["406"]["content"]["application/json"]
    errors = list(Draft202012Validator(schema["schema"]).iter_errors(asked_json.json()))
    assert not errors, errors
    assert asked_json.json()["formats"] == {"html": "text/html", "json": "application/json", "csv": "text/csv"}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("register", [PROCESSORS, COOKIES])
def test_validators_and_304(client, hub, processors, cookies, register, form):
    address = register_url(hub, register)
    response = get_ok(client, address, data={"format": form})
    assert response["ETag"]
    assert "Accept" in response["Vary"]
    assert "public" in response["Cache-Control"]
    # The cookie list shows its providers' names: their publishes count too.
    entries = processors if register == PROCESSORS else [*cookies, processors[0]]
    newest = max(entry.last_published_at for entry in entries)
    assert response["Last-Modified"] == http_date(int(newest.timestamp()))
    again = client.get(address, data={"format": form}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == response["ETag"] and "Accept" in again["Vary"]
    assert client.get(address, data={"format": form}, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_the_forms_have_different_etags(client, hub, cookies):
    etags = {get_ok(client, register_url(hub, COOKIES), data={"format": form})["ETag"] for form in FORMS}
    assert len(etags) == 3


def test_publishing_an_entry_changes_the_etag_and_last_modified(client, hub, make_cookie, processors):
    first = get_ok(client, register_url(hub, COOKIES), data={"format": "json"})
    cookie = make_cookie(name="_new", slug="new", provider=processors[0], category="analytics")
    second = get_ok(client, register_url(hub, COOKIES), data={"format": "json"})
    assert second["ETag"] != first["ETag"]
    assert second["Last-Modified"] == http_date(int(cookie.last_published_at.timestamp()))
    # The cookie list shows its provider's name: renaming the provider is a change to the list.
    provider = processors[0]
    provider.name = "Intuit Mailchimp"
    later = datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC)
    publish(provider)
    type(provider).objects.filter(pk=provider.pk).update(last_published_at=later)
    third = get_ok(client, register_url(hub, COOKIES), data={"format": "json"})
    assert third.json()["cookies"][0]["provider"] == "Intuit Mailchimp"
    assert third["Last-Modified"] == http_date(int(later.timestamp()))


def test_a_password_protected_hub_guards_its_registers(client, hub, cookies):
    PageViewRestriction.objects.create(page=hub, restriction_type="password", password="letmein")
    for register in (PROCESSORS, COOKIES):
        response = client.get(register_url(hub, register), data={"format": "json"})
        assert response.status_code == 200  # Wagtail's password form
        body = response.content.decode()
        assert "password" in body.lower() and "sessionid" not in body and "Mailchimp" not in body
    form = soup_of(client.get(register_url(hub, COOKIES))).find("form")
    client.post(form["action"], {"password": "letmein", "return_url": register_url(hub, COOKIES)})
    response = get_ok(client, register_url(hub, COOKIES), data={"format": "json"})
    assert response.json()["count"] == 5
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_a_notice_is_not_a_hub(client, hub, make_notice):
    notice = make_notice(slug="some-notice")
    for register in (PROCESSORS, COOKIES):
        assert client.get(f"{notice.url}{register}").status_code == 404
        assert client.get(f"{notice.url}{register}", data={"format": "json"}).status_code == 404


def test_an_unpublished_hub_has_no_registers(client, hub, cookies):
    hub.unpublish()
    for register in (PROCESSORS, COOKIES):
        assert client.get(register_url(hub, register)).status_code == 404


def test_a_draft_hub_has_no_registers(client, site_root):
    draft = PrivacyNoticeIndexPage(title="Draft hub", slug="draft-hub", live=False)
    site_root.add_child(instance=draft)
    draft.save_revision()
    assert client.get("/draft-hub/@processors").status_code == 404


def test_the_trailing_slash_address_answers_too(client, hub, cookies):
    data = get_ok(client, f"{hub.url}{COOKIES}/", data={"format": "json"}).json()
    assert data["@id"] == absolute_register(hub, COOKIES) and data["count"] == 5


def test_head_answers_like_get(client, hub, cookies):
    get = get_ok(client, register_url(hub, COOKIES), data={"format": "json"})
    head = client.head(register_url(hub, COOKIES), data={"format": "json"})
    assert head.status_code == 200 and head["ETag"] == get["ETag"]
    assert client.post(register_url(hub, COOKIES)).status_code == 405


# The hub links to its registers --------------------------------------------------------------------------------------


def test_the_hub_links_to_the_registers(client, hub, site_root):
    soup = soup_of(get_ok(client, hub.url))
    section = soup.find(id="hub.registers").find_parent("section")
    links = {a["href"] for a in section.find_all("a")}
    assert links == {absolute_register(hub, PROCESSORS), absolute_register(hub, COOKIES)}

    schedule = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule")
    site_root.add_child(instance=schedule)
    schedule.save_revision().publish()
    section = soup_of(get_ok(client, hub.url)).find(id="hub.registers").find_parent("section")
    links = [a["href"] for a in section.find_all("a")]
    assert links == [
        absolute_register(hub, PROCESSORS),
        absolute_register(hub, COOKIES),
        f"http://testserver{schedule.url}",
    ]
    for link in links:
        assert get_ok(client, link.removeprefix("http://testserver"))


# Queries -------------------------------------------------------------------------------------------------------------


def queries_for(client, url, **data):
    with uncached():  # the views' own work, not the cache's answer
        client.get(url, data=data)  # warm per-process caches (site root paths), as a running site has
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, data=data)
        assert response.status_code == 200
        return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_register(client, hub, make_processor, make_cookie):
    def fill(count, start):
        for number in range(start, start + count):
            provider = make_processor(
                name=f"Processor {number}", slug=f"p-{number}", countries=["GB", "US", "FR"], transfer_safeguard="idta"
            )
            make_cookie(name=f"cookie{number}", slug=f"c-{number}", provider=provider, category="analytics")

    fill(3, 0)
    few = {
        (register, form): queries_for(client, register_url(hub, register), format=form)
        for register in (PROCESSORS, COOKIES)
        for form in FORMS
    }
    fill(57, 3)
    many = {
        (register, form): queries_for(client, register_url(hub, register), format=form)
        for register in (PROCESSORS, COOKIES)
        for form in FORMS
    }
    assert many == few
    for register in (PROCESSORS, COOKIES):
        assert few[(register, "html")] <= REGISTER_CEILING
        assert few[(register, "json")] <= few[(register, "html")]
        assert few[(register, "csv")] <= few[(register, "html")]
    assert get_ok(client, register_url(hub, COOKIES), data={"format": "json"}).json()["count"] == 60


# OpenAPI -------------------------------------------------------------------------------------------------------------


def test_openapi_paths_describe_both_registers():
    paths, schemas = openapi_paths()
    assert set(paths) == {"/privacy/@processors", "/privacy/@cookies"}
    assert set(schemas) == {"ProcessorRegister", "RegisterProcessor", "CookieDeclarations", "RegisterCookie"}
    for schema in schemas.values():
        Draft202012Validator.check_schema(schema)
    for path, name in (("/privacy/@processors", "ProcessorRegister"), ("/privacy/@cookies", "CookieDeclarations")):
        operation = paths[path]["get"]
        responses = operation["responses"]
        assert set(responses) >= {"200", "304", "406"}
        assert set(responses["200"]["content"]) == {"application/json", "text/csv", "text/html"}
        assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
        assert set(responses["406"]["content"]) == {"application/json", "text/plain"}
        format_parameter = next(p for p in operation["parameters"] if p["name"] == "format")
        assert format_parameter["in"] == "query" and format_parameter["schema"]["enum"] == ["html", "json", "csv"]
    json.dumps([paths, schemas])  # plain JSON: no lazy translations left in it


def _schemathesis_response(response, url):
    import requests
    from schemathesis.core.transport import Response

    return Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.items()},
        content=response.content,
        request=requests.Request("GET", url).prepare(),
        elapsed=0.0,
        verify=True,
    )


def test_real_responses_conform_to_the_openapi_description(client, hub, hidden):
    """What schemathesis checks against /api/openapi.json: status, media type, headers and body of each answer."""
    import schemathesis

    paths, schemas = openapi_paths()
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Registers", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    schema = schemathesis.openapi.from_dict(document)
    assert hub.url == "/privacy/"
    for register in (PROCESSORS, COOKIES):
        operation = schema[f"/privacy/{register}"]["GET"]
        address = register_url(hub, register)
        answers = [client.get(address, {"format": form}) for form in FORMS]
        answers += [
            client.get(address, HTTP_ACCEPT="application/json"),
            client.get(address, {"format": "xml"}),
            client.get(address, {"format": "jsonld"}),
            client.get(address, HTTP_IF_NONE_MATCH=answers[0]["ETag"], data={"format": "html"}),
        ]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 200, 406, 406, 304]
        documented = paths[f"/privacy/{register}"]["get"]["responses"]
        for answer in answers:
            # What schemathesis's status code, content type and header conformance checks look at...
            described = documented[str(answer.status_code)]
            for header, header_schema in described.get("headers", {}).items():
                assert not header_schema.get("required") or header in answer, (answer.status_code, header)
            if answer.status_code != 304:
                assert answer["Content-Type"].split(";")[0] in described["content"]
            # ...and the body against its schema.
            operation.validate_response(_schemathesis_response(answer, f"http://testserver{address}"))
