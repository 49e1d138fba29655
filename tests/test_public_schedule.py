"""The public retention schedule: filters, and its JSON, CSV, XLSX and JSON Schema forms at the same address."""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from retention_schedule.exchange.writing import PUBLIC_COLUMNS, XLSX_CONTENT_TYPE
from retention_schedule.models import RetentionRule, RetentionSchedulePage
from tests.conftest import uncached
from tests.test_query_counts import SCHEDULE_CEILING

pytestmark = pytest.mark.django_db

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
# Values only the DPO may see: none of them may appear in any public form of the schedule.
INTERNAL_VALUES = {
    "owner": "Secret Owner Team",
    "last_reviewed": datetime.date(2011, 11, 11),
    "review_interval": "P13Y",
}
INTERNAL_TEXTS = ("Secret Owner Team", "2011-11-11", "P13Y", "13 years")


@pytest.fixture
def schedule(site_root):
    page = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule", live=False)
    site_root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def rules(make_rule):
    return [
        make_rule(
            code="COMP-01",
            record_class="Complaint case files",
            business_function="Complaints",
            data_categories="Health information",
            **INTERNAL_VALUES,
        ),
        make_rule(
            code="COMP-02",
            record_class="Complaints we do not investigate",
            business_function="Complaints",
            period="P1Y",
            **INTERNAL_VALUES,
        ),
        make_rule(
            code="HR-01",
            record_class="Unsuccessful job applications",
            business_function="Recruitment",
            description="CVs and interview notes for candidates we did not appoint.",
            period="P6M",
            trigger="the end of the recruitment",
            **INTERNAL_VALUES,
        ),
        make_rule(
            code="BOARD-01",
            record_class="Board minutes",
            business_function="Governance",
            period_type="permanent",
            period="",
            trigger="",
            disposal_action="archive",
            **INTERNAL_VALUES,
        ),
        make_rule(
            code="MISC-01",
            record_class="Écrits divers",
            business_function="",
            description="Notes d'accueil",
            **INTERNAL_VALUES,
        ),
    ]


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def codes_in_html(response):
    return [row["id"].removeprefix("rule-") for row in soup_of(response).select("tr[id^=rule-]")]


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# The page and its filters ------------------------------------------------------------------------


def test_the_filter_form_works_without_javascript(client, schedule, rules):
    soup = soup_of(client.get(schedule.url))
    form = soup.find("form", attrs={"role": "search"})
    assert form["method"] == "get" and form["action"] == schedule.url
    for name in ("q", "function", "period_type"):
        field = form.find(attrs={"name": name})
        assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True)
    functions = [option["value"] for option in form.find("select", attrs={"name": "function"}).find_all("option")]
    assert functions == ["", "Complaints", "Governance", "Recruitment", "-"]
    assert form.find("button", attrs={"type": "submit"})
    assert soup.select_one(".rs-count").get_text(" ", strip=True) == "Showing 5 of 5 kinds of record"
    assert "Clear filters" not in form.get_text()  # nothing to clear yet


def test_filtering_by_business_function_keeps_the_grouping(client, schedule, rules):
    response = client.get(schedule.url, {"function": "Complaints"})
    soup = soup_of(response)
    assert codes_in_html(response) == ["COMP-01", "COMP-02"]
    assert [h2.get_text(strip=True) for h2 in soup.select("section h2")] == ["Complaints"]
    assert soup.select_one(".rs-count").get_text(" ", strip=True) == "Showing 2 of 5 kinds of record"
    assert soup.find("option", attrs={"value": "Complaints"}).has_attr("selected")
    clear = soup.find("a", string="Clear filters")
    assert clear["href"] == schedule.url


def test_records_without_a_function_are_found_as_other_records(client, schedule, rules):
    response = client.get(schedule.url, {"function": "-"})
    assert codes_in_html(response) == ["MISC-01"]
    assert [h2.get_text(strip=True) for h2 in soup_of(response).select("section h2")] == ["Other records"]


def test_filtering_by_kind_of_period(client, schedule, rules):
    assert codes_in_html(client.get(schedule.url, {"period_type": "permanent"})) == ["BOARD-01"]


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("complaint", ["COMP-01", "COMP-02"]),  # record class, any letter case
        ("hr-01", ["HR-01"]),  # code
        ("interview notes", ["HR-01"]),  # description, every word
        ("HEALTH", ["COMP-01"]),  # personal data
        ("écrits", ["MISC-01"]),  # letters beyond ASCII, in any case
        ("ÉCRITS", ["MISC-01"]),
        ("  complaint   files ", ["COMP-01"]),
    ],
)
def test_searching_record_class_code_description_and_personal_data(client, schedule, rules, q, codes):
    response = client.get(schedule.url, {"q": q})
    assert codes_in_html(response) == codes
    assert soup_of(response).find("input", attrs={"name": "q"})["value"] == " ".join(q.split())


def test_filters_combine(client, schedule, rules):
    query = {"function": "Complaints", "q": "investigate", "period_type": "fixed"}
    assert codes_in_html(client.get(schedule.url, query)) == ["COMP-02"]


def test_a_clear_message_when_nothing_matches(client, schedule, rules):
    soup = soup_of(client.get(schedule.url, {"q": "no such records"}))
    assert soup.select("section.rs-group") == []
    assert "No kinds of record match these filters." in soup.get_text()
    assert soup.select_one(".rs-count").get_text(" ", strip=True) == "Showing 0 of 5 kinds of record"
    assert soup.select_one(".rs-empty a")["href"] == schedule.url


def test_an_unknown_function_shows_nothing_and_says_so(client, schedule, rules):
    soup = soup_of(client.get(schedule.url, {"function": "Astrology"}))
    assert "No kinds of record match these filters." in soup.get_text()
    assert soup.find("option", attrs={"value": "Astrology"}).has_attr("selected")


def test_an_empty_schedule_says_so_without_a_form(client, schedule):
    soup = soup_of(client.get(schedule.url))
    assert "No retention rules have been published yet." in soup.get_text()
    assert soup.find("form", attrs={"role": "search"}) is None


# Links to the other forms ------------------------------------------------------------------------


def test_the_page_links_its_other_forms_keeping_the_filters(client, schedule, rules):
    soup = soup_of(client.get(schedule.url, {"function": "Complaints", "q": "case"}))
    links = {a["data-format"]: a for a in soup.select(".rs-formats a")}
    assert set(links) == {"json", "jsonld", "csv", "xlsx", "schema"}
    assert links["json"]["href"] == f"{schedule.url}?function=Complaints&q=case&format=json"
    assert links["xlsx"]["href"] == f"{schedule.url}?function=Complaints&q=case&format=xlsx"
    assert links["schema"]["href"] == f"{schedule.url}?format=schema"
    assert links["xlsx"].get_text(strip=True) == "Spreadsheet (XLSX)"
    head = {link["type"]: link for link in soup.head.find_all("link", attrs={"type": True})}
    assert head["application/json"]["rel"] == ["alternate"]
    assert head["application/json"]["href"] == links["json"]["href"]
    assert head["text/csv"]["rel"] == ["alternate"]
    assert head["application/ld+json"]["rel"] == ["alternate"]
    assert head[XLSX_CONTENT_TYPE]["rel"] == ["alternate"]
    assert head["application/schema+json"]["rel"] == ["describedby"]
    # The links lead where they say, with the same rules.
    assert [r["code"] for r in client.get(links["json"]["href"]).json()["rules"]] == ["COMP-01"]


# Machine-readable forms --------------------------------------------------------------------------


def test_json_by_format_or_accept_header(client, schedule, rules):
    for response in (
        client.get(schedule.url, {"format": "json"}),
        client.get(schedule.url, HTTP_ACCEPT="application/json"),
        client.get(schedule.url, HTTP_ACCEPT="text/csv;q=0.5, application/json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert "Accept" in response["Vary"]
        data = response.json()
        assert data["title"] == "Retention schedule"
        assert data["url"] == f"http://testserver{schedule.url}"
        assert data["$schema"] == f"http://testserver{schedule.url}?format=schema"
        assert response["Link"] == f'<{data["$schema"]}>; rel="describedby"'
        assert [r["code"] for r in data["rules"]] == ["COMP-01", "COMP-02", "BOARD-01", "HR-01", "MISC-01"]
        assert data["rules"][0]["url"] == f"http://testserver{schedule.url}COMP-01/"
        assert data["last_updated"].endswith("+00:00")


def test_a_browser_still_gets_the_page(client, schedule, rules):
    response = client.get(schedule.url, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response["Content-Type"].startswith("text/html")
    assert "Accept" in response["Vary"]
    assert client.get(schedule.url, HTTP_ACCEPT="*/*")["Content-Type"].startswith("text/html")
    # Only a client that names nothing the schedule has is refused, and told what there is.
    refused = client.get(schedule.url, HTTP_ACCEPT="image/png")
    assert refused.status_code == 406
    assert "application/json" in refused.content.decode()


def test_the_json_matches_its_schema_served_at_the_schema_address(client, schedule, rules):
    data = client.get(schedule.url, {"format": "json"}).json()
    response = client.get(data["$schema"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    schema = response.json()
    assert schema["$id"] == data["$schema"]
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(data)] == []
    assert client.get(schedule.url, HTTP_ACCEPT="application/schema+json").json() == schema


def test_csv_is_an_attachment_of_the_public_columns(client, schedule, rules):
    response = client.get(schedule.url, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="retention-schedule.csv"'
    assert not response.content.startswith(b"\xef\xbb\xbf")
    rows = read_csv(response)
    assert list(rows[0]) == [c.name for c in PUBLIC_COLUMNS]
    assert [row["code"] for row in rows] == ["COMP-01", "COMP-02", "BOARD-01", "HR-01", "MISC-01"]
    assert rows[-1]["record_class"] == "Écrits divers"
    assert client.get(schedule.url, HTTP_ACCEPT="text/csv")["Content-Type"] == "text/csv; charset=utf-8"


def test_xlsx_is_a_spreadsheet_attachment(client, schedule, rules):
    response = client.get(schedule.url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="retention-schedule.xlsx"'
    rows = read_xlsx(response)
    assert list(rows[0]) == [c.name for c in PUBLIC_COLUMNS]
    assert [row["code"] for row in rows] == ["COMP-01", "COMP-02", "BOARD-01", "HR-01", "MISC-01"]


@pytest.mark.parametrize("form", ["json", "csv", "xlsx"])
def test_filters_apply_to_every_form(client, schedule, rules, form):
    response = client.get(schedule.url, {"function": "Complaints", "q": "investigate", "format": form})
    assert response.status_code == 200
    if form == "json":
        codes = [r["code"] for r in response.json()["rules"]]
    else:
        codes = [row["code"] for row in (read_csv(response) if form == "csv" else read_xlsx(response))]
    assert codes == ["COMP-02"]


@pytest.mark.parametrize("form", ["xml", "pdf", "JSONP", "<script>"])
def test_an_unknown_format_is_406_naming_the_formats_there_are(client, schedule, rules, form):
    response = client.get(schedule.url, {"format": form})
    assert response.status_code == 406
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    message = response.content.decode()
    for name in ("html", "json", "csv", "xlsx", "schema"):
        assert name in message


def test_format_names_ignore_letter_case(client, schedule, rules):
    assert client.get(schedule.url, {"format": "JSON"})["Content-Type"] == "application/json"


# Only live rules, only public fields -------------------------------------------------------------


@pytest.fixture
def hidden_rules(make_rule):
    """A draft, a rule published then unpublished, and a draft edit of a live rule."""
    make_rule(code="DRAFT-01", record_class="Hidden draft records", business_function="Complaints", draft=True)
    gone = make_rule(code="GONE-01", record_class="Hidden unpublished records", business_function="Complaints")
    gone.unpublish()
    edited = make_rule(code="EDIT-01", record_class="Published title", business_function="Complaints")
    edited.record_class = "Hidden draft edit"
    edited.owner = "Hidden draft owner"
    edited.save_revision()  # what the admin's "Save draft" does to a live snippet: the live row keeps its values
    return ["Hidden draft records", "Hidden unpublished records", "Hidden draft edit", "DRAFT-01", "GONE-01"]


QUERIES = [{}, {"function": "Complaints"}, {"q": "hidden"}, {"q": "records"}, {"period_type": "fixed"}]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("form", ["html", "json", "jsonld", "csv", "xlsx"])
def test_no_draft_unpublished_or_internal_value_is_ever_public(client, schedule, rules, hidden_rules, form, query):
    response = client.get(schedule.url, {**query, "format": form})
    assert response.status_code == 200
    if form == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        text = "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
    else:
        text = response.content.decode()
    for hidden in (*hidden_rules, *INTERNAL_TEXTS, "Hidden draft owner"):
        assert hidden not in text, hidden
    if form == "json":
        for rule in response.json()["rules"]:
            assert {"owner", "last_reviewed", "review_interval"}.isdisjoint(rule)
    if form == "csv":
        assert {"owner", "last_reviewed", "review_interval"}.isdisjoint(text.splitlines()[0].split(","))
    if not query:  # the live version of the draft-edited rule is there, as published
        assert "Published title" in text


# Input from the address ------------------------------------------------------------------------


ODD_INPUT = [
    {"function": "Astrology"},
    {"function": "x" * 5000},
    {"q": "a" * 10000},
    {"q": "<script>alert(1)</script>"},
    {"q": "\x00\x01\x1f nul"},
    {"q": "%' OR 1=1 --"},
    {"q": "مرحبا 🙂 \u202e"},
    {"period_type": "forever"},
    {"period_type": ""},
    {"function": "", "q": "", "period_type": ""},
]


@pytest.mark.parametrize("query", ODD_INPUT)
@pytest.mark.parametrize("form", ["html", "json", "csv", "xlsx"])
def test_odd_filter_input_never_fails(client, schedule, rules, query, form):
    response = client.get(schedule.url, {**query, "format": form})
    assert response.status_code == 200
    if form == "html":
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "\x00" not in html


def test_a_repeated_parameter_uses_the_last_value(client, schedule, rules):
    response = client.get(f"{schedule.url}?function=Recruitment&function=Governance")
    assert codes_in_html(response) == ["BOARD-01"]


def test_the_page_previews(rf, admin_user, schedule, rules):
    request = rf.get("/")
    request.user = admin_user
    response = schedule.make_preview_request(request)
    assert response.status_code == 200
    assert "Complaint case files" in response.content.decode()
    # A preview may show a draft: never for a shared cache.
    assert "public" not in response.get("Cache-Control", "")


# Queries -----------------------------------------------------------------------------------------


def queries_for(client, url, query):
    with uncached():  # the views' own work, not the cache's answer
        client.get(url, query)  # warm per-process caches (site root paths), as a running site has
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, query)
        assert response.status_code == 200
        return len(captured.captured_queries)


@pytest.mark.parametrize(
    "query",
    [{}, {"format": "json"}, {"format": "csv"}, {"format": "xlsx"}, {"function": "Records", "q": "1"}],
    ids=["html", "json", "csv", "xlsx", "filtered"],
)
def test_queries_do_not_grow_with_rules(client, schedule, make_rule, query):
    def add_rules(start, count):
        RetentionRule.objects.bulk_create(
            RetentionRule(code=f"R-{i}", record_class=f"Records {i}", business_function=f"Function {i % 4}")
            for i in range(start, start + count)
        )

    make_rule(business_function="Records")
    add_rules(0, 4)
    few = queries_for(client, schedule.url, query)
    assert few <= SCHEDULE_CEILING
    add_rules(4, 55)
    assert RetentionRule.objects.filter(live=True).count() == 60
    assert queries_for(client, schedule.url, query) == few
