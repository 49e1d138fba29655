"""Validation of register entries: bad input is refused with a message saying what to fix."""

import pytest
from django.core.exceptions import ValidationError

from privacy_notices.models import CookieDeclaration, Processor
from retention_schedule.models import RetentionRule

pytestmark = pytest.mark.django_db


def rule(**fields):
    values = {
        "code": "COMP-01",
        "record_class": "Complaint case files",
        "period": "P2Y",
        "trigger": "the closure of the case",
    }
    values.update(fields)
    return RetentionRule(**values)


def errors_of(entry):
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    return error.value.message_dict


def test_a_fixed_rule_reads_in_plain_english():
    entry = rule()
    entry.full_clean()
    assert entry.summary() == "2 years from the closure of the case, then deleted"
    assert rule(disposal_action="anonymise", period="P12M").summary().endswith("then anonymised")


def test_permanent_and_until_event_rules_read_in_plain_english():
    assert rule(period_type="permanent", period="", disposal_action="archive").summary() == "Kept permanently"
    until = rule(period_type="until_event", period="", trigger="you unsubscribe", criteria="Until you unsubscribe.")
    until.full_clean()
    assert until.summary() == "Until you unsubscribe, then deleted"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"period": "2 years"}, "period", "ISO 8601"),
        ({"period": ""}, "period", "Give the retention period"),
        ({"trigger": ""}, "trigger", "counts from"),
        ({"period_type": "permanent"}, "period", "Leave the period empty"),
        ({"period_type": "until_event", "period": ""}, "criteria", "criteria"),
        ({"code": "has spaces"}, "code", "letters, numbers"),
        ({"record_class": ""}, "record_class", "blank"),
    ],
)
def test_invalid_rules_are_refused(fields, field, message):
    assert message in " ".join(errors_of(rule(**fields))[field])


def test_duplicate_rule_codes_are_refused(make_rule):
    make_rule(code="COMP-01")
    assert "already exists" in errors_of(rule(code="COMP-01"))["code"][0]


def test_a_processor_outside_the_uk_needs_a_safeguard():
    processor = Processor(name="Hotjar", slug="hotjar", countries=["MT", "US"])
    message = errors_of(processor)["transfer_safeguard"][0]
    assert "Malta" in message and "United States" in message
    processor.transfer_safeguard = "uk_us_data_bridge"
    processor.full_clean()
    assert [c.code for c in processor.third_countries()] == ["MT", "US"]
    assert Processor(name="Egress", slug="egress", countries=["GB"]).third_countries() == []


@pytest.mark.parametrize("lifetime", ["forever", "2 years", "P1.5Y", ""])
def test_cookie_lifetimes_must_be_session_or_iso_durations(lifetime):
    cookie = CookieDeclaration(name="_ga", slug="ga", purpose="Counts visits", category="analytics", lifetime=lifetime)
    assert "lifetime" in errors_of(cookie)


def test_cookie_lifetimes_read_in_plain_english():
    cookie = CookieDeclaration(name="_hj", slug="hj", purpose="x", category="analytics", lifetime="pt30m")
    cookie.full_clean()
    assert cookie.lifetime == "PT30M"
    assert cookie.lifetime_text() == "30 minutes"
    session = CookieDeclaration(
        name="sessionid", slug="s", purpose="x", category="strictly_necessary", lifetime="Session"
    )
    session.full_clean()
    assert session.lifetime_text() == "When you close your browser"


def test_processor_countries_survive_a_revision_round_trip(make_processor):
    processor = make_processor(name="Hotjar", countries=["MT", "US"], transfer_safeguard="uk_us_data_bridge")
    restored = processor.latest_revision.as_object()
    assert [c.code for c in restored.countries] == ["MT", "US"]


@pytest.mark.parametrize("action", ["delete", "anonymise"])
def test_records_kept_permanently_cannot_be_deleted_at_the_end(action):
    permanent = rule(period_type="permanent", period="", disposal_action=action)
    assert "Transfer to archive" in errors_of(permanent)["disposal_action"][0]
    permanent.disposal_action = "archive"
    permanent.full_clean()
    assert permanent.as_public_data()["disposal_action_text"] == "Transferred to the archive"


@pytest.mark.parametrize("block_type", ["sharing", "retention", "cookies"])
def test_a_new_section_with_optional_lists_saves_as_it_is_added(block_type):
    """A section just added in the editor has empty optional lists, not an empty item that must be filled in."""
    from privacy_notices.blocks import NoticeSectionsBlock

    block = NoticeSectionsBlock().child_blocks[block_type]
    value = block.get_default()
    block.clean(block.to_python(block.get_prep_value(value)))
