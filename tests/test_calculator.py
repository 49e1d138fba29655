"""The public disposal-date calculator at /retention-schedule/<code>/?trigger=YYYY-MM-DD."""

import pytest
from bs4 import BeautifulSoup

from retention_schedule.models import RetentionSchedulePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(site_root):
    page = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule", live=False)
    site_root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def rule(make_rule):
    return make_rule(code="MONTHLY-01", record_class="Monthly returns", period="P1M", trigger="receipt")


def test_the_schedule_links_each_rule_to_its_own_page(client, schedule, rule):
    soup = BeautifulSoup(client.get(schedule.url).content, "html.parser")
    assert soup.find("a", string="Monthly returns")["href"] == f"{schedule.url}MONTHLY-01/"


def test_a_rule_page_shows_the_rule_and_a_calculator(client, schedule, rule):
    response = client.get(f"{schedule.url}MONTHLY-01/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text(" ", strip=True) == "Monthly returns (MONTHLY-01)"
    field = soup.find("input", attrs={"name": "trigger"})
    assert soup.find("label", attrs={"for": field["id"]}).get_text(strip=True) == "The date of receipt"


def test_the_calculator_counts_calendar_months(client, schedule, rule):
    response = client.get(f"{schedule.url}MONTHLY-01/", {"trigger": "2026-01-31"})
    assert response.status_code == 200
    result = BeautifulSoup(response.content, "html.parser").select_one(".rs-result")
    assert "28 February 2026" in result.get_text()
    assert result.time["datetime"] == "2026-02-28"


def test_the_calculation_as_json(client, schedule, rule):
    for response in (
        client.get(f"{schedule.url}MONTHLY-01/", {"trigger": "2024-01-31", "format": "json"}),
        client.get(f"{schedule.url}MONTHLY-01/", {"trigger": "2024-01-31"}, HTTP_ACCEPT="application/json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        data = response.json()
        assert (data["code"], data["trigger_date"], data["disposal_date"]) == ("MONTHLY-01", "2024-01-31", "2024-02-29")
        assert data["disposal_action"] == "delete"


@pytest.mark.parametrize("trigger", ["yesterday", "2026-02-30", "31/01/2026", ""])
def test_a_date_that_cannot_be_read_is_a_400_saying_how_to_write_one(client, schedule, rule, trigger):
    response = client.get(f"{schedule.url}MONTHLY-01/", {"trigger": trigger})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert "for example 2024-10-14" in soup.select_one("[role=alert]").get_text()
    assert soup.find("input", attrs={"name": "trigger"})["aria-invalid"] == "true"
    json_response = client.get(f"{schedule.url}MONTHLY-01/", {"trigger": trigger, "format": "json"})
    assert json_response.status_code == 400 and "2024-10-14" in json_response.json()["error"]


def test_a_trigger_at_the_end_of_the_calendar_is_a_400_not_a_500(client, schedule, rule):
    assert client.get(f"{schedule.url}MONTHLY-01/", {"trigger": "9999-12-31"}).status_code == 400


def test_a_permanent_rule_has_no_disposal_date(client, schedule, make_rule):
    make_rule(code="FINAL-01", period_type="permanent", period="", disposal_action="archive")
    data = client.get(f"{schedule.url}FINAL-01/", {"trigger": "2026-01-01", "format": "json"}).json()
    assert data["disposal_date"] is None
    assert "kept permanently" in data["explanation"]
    page = client.get(f"{schedule.url}FINAL-01/").content.decode()
    assert "no disposal date" in page


def test_unknown_and_draft_rules_are_not_found(client, schedule, make_rule):
    make_rule(code="DRAFT-01", draft=True)
    assert client.get(f"{schedule.url}NOPE-01/").status_code == 404
    assert client.get(f"{schedule.url}DRAFT-01/").status_code == 404
    assert client.get(f"{schedule.url}DRAFT-01/", {"format": "json"}).status_code == 404


def test_the_result_is_worded_for_people(client, schedule, rule):
    result = BeautifulSoup(
        client.get(f"{schedule.url}MONTHLY-01/", {"trigger": "2026-01-31"}).content, "html.parser"
    ).select_one(".rs-result")
    assert "For records where receipt was on 31 January 2026. Then they are deleted." in result.get_text(
        " ", strip=True
    )
