"""Stored content outlives code and validation: odd rows and old formats never make a public page fail."""

import json

import pytest

from privacy_notices.document import resolve_notice
from privacy_notices.models import CookieDeclaration, PrivacyNoticeIndexPage, PrivacyNoticePage, Processor
from retention_schedule.models import RetentionRule, RetentionSchedulePage
from tests.conftest import section

pytestmark = pytest.mark.django_db


def test_choice_values_no_longer_in_the_code_show_as_stored(client, make_notice):
    notice = make_notice(
        [
            section(
                "purposes",
                heading="Why",
                purposes=[{"purpose": "Answer you", "lawful_basis": "public_interest"}],  # an old name
            ),
            section("personal_data", heading="What", categories=[{"name": "Notes", "kind": "sensitive"}], source="x"),
        ]
    )
    response = client.get(notice.url)
    assert response.status_code == 200
    assert b"public_interest" in response.content


def test_sections_stored_in_an_old_format_are_skipped(client, make_notice):
    notice = make_notice(
        [
            {"type": "text", "value": "<p>Once a plain rich text block</p>", "id": "old"},
            {"type": "sharing", "value": ["not", "a", "struct"], "id": "older"},
            {"type": "removed_block_type", "value": {}, "id": "gone"},
            section("text", heading="Still here", body="<p>Current format</p>"),
        ]
    )
    response = client.get(notice.url)
    assert response.status_code == 200
    assert b"Still here" in response.content


def test_unvalidated_register_rows_show_what_is_stored(client, make_notice):
    # Rows written without clean() (a shell, a bulk import): shown truthfully, never a 500.
    processor = Processor.objects.create(name="Overseas Ltd", slug="overseas", countries=["US"], live=True)
    rule = RetentionRule.objects.create(code="ODD", record_class="Odd records", period="2 years", trigger="receipt")
    empty_rule = RetentionRule.objects.create(code="EMPTY", record_class="Undated records", period="", trigger="x")
    cookie = CookieDeclaration.objects.create(
        name="odd", slug="odd", purpose="x", category="analytics", lifetime="forever"
    )
    notice = make_notice(
        [
            section("sharing", heading="Who", processors=[processor.pk]),
            section("transfers", heading="Abroad"),
            section("retention", heading="How long", rules=[rule.pk, empty_rule.pk]),
            section("cookies", heading="Cookies", cookies=[cookie.pk]),
        ]
    )
    response = client.get(notice.url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not stated" in text  # not "None needed: data stays in the UK"
    assert "data stays in the UK" not in text
    soup_rows = [row for row in text.split("<tr") if "Odd records" in row]
    assert soup_rows and "2 years" in soup_rows[0] and "receipt" in soup_rows[0]
    assert "Undated records" in text
    assert "forever" in text


def test_a_notice_outside_any_site_still_resolves(hub, make_notice):
    notice = make_notice()
    orphan_root = PrivacyNoticeIndexPage(title="Archive", slug="archive", live=False)
    PrivacyNoticeIndexPage.get_first_root_node().add_child(instance=orphan_root)
    notice.move(orphan_root, pos="last-child")
    document = resolve_notice(PrivacyNoticePage.objects.get(pk=notice.pk))
    assert document["organisation"]["controller"]["name"] == "Northmoor Care Standards Authority"
    assert json.loads(json.dumps(document)) == document


def test_rules_without_a_business_function_come_last_on_the_schedule(client, site_root, make_rule):
    schedule = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule", live=False)
    site_root.add_child(instance=schedule)
    schedule.save_revision().publish()
    make_rule(record_class="Loose papers", business_function="")
    make_rule(record_class="Complaint case files", business_function="Complaints")
    response = client.get(schedule.url)
    assert list(response.context["rule_groups"]) == ["Complaints", "Other records"]
