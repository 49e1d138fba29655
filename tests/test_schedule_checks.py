"""The retention schedule checks: each finding, what it says, what it costs, and how the admin listing shows them.

Rules are made as the admin makes them; rows that the model's ``clean()`` would
refuse (as an import or old data may leave them) are written with
``QuerySet.update``, which skips validation. Notices are published through
Wagtail's revisions. The listing is fetched through the real admin.
"""

import datetime
import html
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from privacy_notices.retention_checks import PERIOD_IN_TEXT, TEXT_WITHOUT_RULE, periods_in_text
from retention_schedule import checks
from retention_schedule.checks import Finding, Kind, Severity, findings_by_rule, schedule_findings
from retention_schedule.models import RetentionRule
from tests.conftest import section

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
RECENTLY = datetime.date(2026, 6, 1)


def kinds(findings, rule=None) -> set[str]:
    if rule is not None:
        findings = [f for f in findings if f.rule_pk == rule.pk]
    return {f.kind for f in findings}


def the_finding(findings, kind) -> Finding:
    found = [f for f in findings if f.kind == kind]
    assert len(found) == 1, f"expected one {kind}, got {found!r}"
    return found[0]


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def reviewed_rule(make_rule):
    """A sound rule: reviewed recently, with a period. Shown on no notice unless a test adds one."""

    def make(**fields):
        fields.setdefault("last_reviewed", RECENTLY)
        fields.setdefault("record_class", f"Records of {fields.get('code', 'a kind')}")
        return make_rule(**fields)

    return make


# Rules with no period or criteria ------------------------------------------------------


def test_a_stored_rule_with_neither_period_nor_criteria_is_found(reviewed_rule):
    rule = reviewed_rule(code="COMP-01")
    # As an import writing straight to the table would leave it; clean() would refuse this.
    RetentionRule.objects.filter(pk=rule.pk).update(period="", criteria="")

    finding = the_finding(schedule_findings(today=TODAY), Kind.NO_PERIOD_OR_CRITERIA)
    assert (finding.rule_pk, finding.rule_code) == (rule.pk, "COMP-01")
    assert finding.severity == Severity.PROBLEM
    assert "neither a retention period nor criteria" in finding.message
    assert "P2Y" in finding.action


def test_until_event_with_criteria_and_permanent_rules_need_no_period(reviewed_rule):
    reviewed_rule(code="NEWS-01", period_type="until_event", period="", trigger="", criteria="Until you unsubscribe.")
    reviewed_rule(code="BOARD-01", period_type="permanent", period="", trigger="", disposal_action="archive")
    assert Kind.NO_PERIOD_OR_CRITERIA not in kinds(schedule_findings(today=TODAY))


def test_an_unreadable_stored_period_is_found(reviewed_rule):
    rule = reviewed_rule(code="COMP-01")
    RetentionRule.objects.filter(pk=rule.pk).update(period="2 years")

    finding = the_finding(schedule_findings(today=TODAY), Kind.UNREADABLE_PERIOD)
    assert finding.rule_code == "COMP-01" and "“2 years”" in finding.message


def test_a_draft_with_no_period_is_found_too(reviewed_rule, make_rule):
    rule = make_rule(code="DRAFT-01", draft=True)
    RetentionRule.objects.filter(pk=rule.pk).update(period="", criteria="")
    assert kinds(schedule_findings(today=TODAY), rule) == {Kind.NO_PERIOD_OR_CRITERIA}


# Reviews ---------------------------------------------------------------------------------


def test_a_rule_past_its_review_date_is_overdue(reviewed_rule):
    overdue = reviewed_rule(code="FAC-01", last_reviewed=datetime.date(2024, 9, 30))
    due_today = reviewed_rule(code="FAC-02", last_reviewed=datetime.date(2025, 11, 22))
    half_yearly = reviewed_rule(code="WEB-01", last_reviewed=datetime.date(2026, 6, 1), review_interval="P6M")

    findings = schedule_findings(today=TODAY)
    finding = the_finding(findings, Kind.REVIEW_OVERDUE)
    assert finding.rule_pk == overdue.pk and finding.severity == Severity.PROBLEM
    # The dates in words, in the site's language (en-gb).
    assert "30 Sep 2025" in finding.message and "30 Sep 2024" in finding.message
    assert "Last reviewed" in finding.action
    assert Kind.REVIEW_OVERDUE not in kinds(findings, due_today), "due today is not overdue yet"
    assert Kind.REVIEW_OVERDUE not in kinds(findings, half_yearly)
    later = schedule_findings(today=datetime.date(2026, 12, 2))
    assert Kind.REVIEW_OVERDUE in kinds(later, half_yearly), "six months from 1 June is 1 December"


def test_never_reviewed_is_a_milder_finding(make_rule):
    rule = make_rule(code="COMP-01", last_reviewed=None)
    finding = the_finding(schedule_findings(today=TODAY), Kind.NEVER_REVIEWED)
    assert finding.rule_pk == rule.pk and finding.severity == Severity.ADVICE


def test_a_rule_with_no_review_interval_is_found(reviewed_rule):
    rule = reviewed_rule(code="COMP-01", review_interval="")
    assert Kind.NO_REVIEW_INTERVAL in kinds(schedule_findings(today=TODAY), rule)


def test_drafts_are_not_held_to_review_dates(make_rule):
    make_rule(code="NEW-01", draft=True, last_reviewed=None)
    make_rule(code="NEW-02", draft=True, last_reviewed=datetime.date(2020, 1, 1))
    assert not kinds(schedule_findings(today=TODAY)) & {Kind.NEVER_REVIEWED, Kind.REVIEW_OVERDUE}


def test_today_defaults_to_the_sites_date(reviewed_rule):
    reviewed_rule(code="OLD-01", last_reviewed=datetime.date(2000, 1, 1))
    assert Kind.REVIEW_OVERDUE in kinds(schedule_findings())


# Duplicates ------------------------------------------------------------------------------


def test_codes_equal_but_for_capitals_or_spaces_are_duplicates(reviewed_rule):
    upper = reviewed_rule(code="COMP-01", record_class="Complaint case files")
    lower = reviewed_rule(code="comp-01", record_class="Complaint forms")
    spaced = reviewed_rule(code="COMP-02", record_class="Complaint letters")
    RetentionRule.objects.filter(pk=spaced.pk).update(code=" Comp-01 ")  # validate_slug would refuse the spaces
    other = reviewed_rule(code="COMP-03", record_class="Complaint reports")

    findings = [f for f in schedule_findings(today=TODAY) if f.kind == Kind.DUPLICATE_CODE]
    assert {f.rule_pk for f in findings} == {upper.pk, lower.pk, spaced.pk}
    assert other.pk not in {f.rule_pk for f in findings}
    about_upper = next(f for f in findings if f.rule_pk == upper.pk)
    assert "“Complaint forms” (comp-01)" in about_upper.message
    assert "“Complaint letters” ( Comp-01 )" in about_upper.message


def test_a_record_class_twice_in_one_business_function_is_a_duplicate(reviewed_rule):
    first = reviewed_rule(code="COMP-01", record_class="Complaint case files", business_function="Complaints")
    second = reviewed_rule(code="COMP-09", record_class="complaint  case files ", business_function="complaints")
    elsewhere = reviewed_rule(code="HR-01", record_class="Complaint case files", business_function="Human resources")

    findings = [f for f in schedule_findings(today=TODAY) if f.kind == Kind.DUPLICATE_RECORD_CLASS]
    assert {f.rule_pk for f in findings} == {first.pk, second.pk}
    assert elsewhere.pk not in {f.rule_pk for f in findings}
    about_first = next(f for f in findings if f.rule_pk == first.pk)
    assert "COMP-09" in about_first.message and "Complaints" in about_first.message


# Rules no notice shows ------------------------------------------------------------------


def test_live_rules_no_live_notice_shows_are_found(reviewed_rule, make_rule, make_notice):
    shown = reviewed_rule(code="COMP-01")
    on_a_draft_only = reviewed_rule(code="COMP-02")
    unused = reviewed_rule(code="BOARD-01")
    draft = make_rule(code="NEW-01", draft=True)
    make_notice([section("retention", rules=[shown.pk])], slug="live")
    make_notice([section("retention", rules=[on_a_draft_only.pk])], slug="draft", publish_it=False)

    unshown = [f for f in schedule_findings(today=TODAY) if f.kind == Kind.NOT_IN_ANY_NOTICE]
    assert {f.rule_pk for f in unshown} == {on_a_draft_only.pk, unused.pk}, "drafts are not checked"
    assert draft.pk not in {f.rule_pk for f in unshown}
    assert all(f.severity == Severity.ADVICE for f in unshown), "records without personal data need no notice"


# Notices that state a period in their own words ------------------------------------------


def retention_section(intro="", rules=(), heading="How long we keep it"):
    return section("retention", heading=heading, intro=intro, rules=list(rules))


def test_a_period_in_a_sections_text_that_no_linked_rule_keeps_is_found(reviewed_rule, make_notice):
    two_years = reviewed_rule(code="COMP-03", period="P2Y")
    notice = make_notice(
        [retention_section("<p>We keep your complaint for <b>six months</b>.</p>", [two_years.pk])],
        title="Complainants' privacy notice",
    )

    finding = the_finding(schedule_findings(today=TODAY), PERIOD_IN_TEXT)
    assert finding.rule_pk is None and not finding.is_about_rule
    assert (finding.page_pk, finding.page_title, finding.section) == (
        notice.pk,
        "Complainants' privacy notice",
        "How long we keep it",
    )
    assert "“six months”" in finding.message
    assert "“Complainants' privacy notice”" in finding.message and "“How long we keep it”" in finding.message
    assert finding.severity == Severity.PROBLEM


@pytest.mark.parametrize(
    ("intro", "period"),
    [
        ("<p>We keep it for 2 years.</p>", "P2Y"),
        ("<p>We keep it for twenty-four months.</p>", "P2Y"),
        ("<p>Kept for one calendar year, then deleted.</p>", "P12M"),
        ("<p>Recordings are kept for 30 days.</p>", "P30D"),
        ("<p>Kept for 1 year and 6 months.</p>", "P18M"),
        ("<p>The schedule says P2Y.</p>", "P2Y"),
        ("<p>How long depends on how far your complaint went.</p>", "P2Y"),
    ],
)
def test_a_period_a_linked_rule_keeps_is_covered(reviewed_rule, make_notice, intro, period):
    rule = reviewed_rule(code="COMP-03", period=period)
    make_notice([retention_section(intro, [rule.pk])])
    assert not kinds(schedule_findings(today=TODAY)) & {PERIOD_IN_TEXT, TEXT_WITHOUT_RULE}


def test_the_rich_text_is_read_as_people_read_it(reviewed_rule, make_notice):
    rule = reviewed_rule(code="COMP-03", period="P2Y")
    make_notice([retention_section("<p>Kept for <i>six</i>&nbsp;months &amp; no longer.</p>", [rule.pk])])
    assert "“six months”" in the_finding(schedule_findings(today=TODAY), PERIOD_IN_TEXT).message


def test_every_period_mentioned_must_be_covered(reviewed_rule, make_notice):
    month = reviewed_rule(code="WEB-01", period="P30D")
    make_notice([retention_section("<p>Kept for 30 days, 6 months or 6 years.</p>", [month.pk])])
    finding = the_finding(schedule_findings(today=TODAY), PERIOD_IN_TEXT)
    assert "“6 months” and “6 years”" in finding.message and "30 days" not in finding.message


def test_a_period_in_the_heading_counts(reviewed_rule, make_notice):
    rule = reviewed_rule(code="COMP-03", period="P2Y")
    make_notice([retention_section("", [rule.pk], heading="We keep it for 6 years")])
    assert the_finding(schedule_findings(today=TODAY), PERIOD_IN_TEXT).section == "We keep it for 6 years"


def test_text_with_no_linked_rule_is_found(make_notice):
    make_notice([retention_section("<p>We keep your details for 12 months.</p>")])
    make_notice([retention_section("")], slug="empty-section")  # says nothing, so nothing to contradict

    finding = the_finding(schedule_findings(today=TODAY), TEXT_WITHOUT_RULE)
    assert "shows no rule from the retention schedule" in finding.message
    assert "“12 months”" in finding.message


def test_a_linked_draft_rule_is_not_a_link(make_rule, make_notice):
    """A draft rule chosen on a notice never shows on it, so the section's text stands alone."""
    draft = make_rule(code="NEW-01", draft=True, period="P6M")
    make_notice([retention_section("<p>Kept for six months.</p>", [draft.pk])])
    assert TEXT_WITHOUT_RULE in kinds(schedule_findings(today=TODAY))


def test_only_live_notices_latest_published_content_is_read(reviewed_rule, make_notice):
    rule = reviewed_rule(code="COMP-03", period="P2Y")
    make_notice([retention_section("<p>Kept for 5 years.</p>")], slug="never-published", publish_it=False)
    live = make_notice([retention_section("<p>Kept for 2 years.</p>", [rule.pk])], slug="live")
    # A draft edit of the live notice: not what the public reads, so not checked.
    live.sections = json.dumps([retention_section("<p>Kept for 9 years.</p>", [rule.pk])])
    live.save_revision()

    assert not kinds(schedule_findings(today=TODAY)) & {PERIOD_IN_TEXT, TEXT_WITHOUT_RULE}


def test_notice_findings_come_whatever_rules_are_checked(reviewed_rule, make_notice):
    rule = reviewed_rule(code="COMP-03", period="P2Y")
    other = reviewed_rule(code="HR-01", period="P6Y")
    make_notice([retention_section("<p>Kept for six months.</p>", [rule.pk])])
    # Only HR-01 is checked; the linked rule is fetched to see what it covers.
    assert PERIOD_IN_TEXT in kinds(schedule_findings(rules=[other], today=TODAY))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We keep it for 2 years", [("2 years", "P2Y")]),
        ("six months", [("six months", "P6M")]),
        ("30 days or 12 months", [("30 days", "P30D"), ("12 months", "P12M")]),
        ("one calendar year", [("one calendar year", "P1Y")]),
        ("1 year and 6 months", [("1 year and 6 months", "P1Y6M")]),
        ("30 days, 6 months or 2 years", [("30 days", "P30D"), ("6 months", "P6M"), ("2 years", "P2Y")]),
        ("twenty-four months", [("twenty-four months", "P24M")]),
        ("a 30-day period", [("30-day", "P30D")]),
        ("seventeen weeks", [("seventeen weeks", "P17W")]),
        ("P2Y, then P1Y6M", [("P2Y", "P2Y"), ("P1Y6M", "P1Y6M")]),
        ("1.5 years", []),
        ("We review it often; someone days later", []),
        ("Your PAYE record", []),
    ],
)
def test_periods_in_text(text, expected):
    assert [(words, period.iso) for words, period in periods_in_text(text)] == expected


# The API ---------------------------------------------------------------------------------


def test_findings_are_problems_first_and_group_by_rule(make_rule, reviewed_rule, make_notice):
    never = make_rule(code="NEVER-01", last_reviewed=None)
    overdue = reviewed_rule(code="OLD-01", last_reviewed=datetime.date(2020, 1, 1))
    make_notice([retention_section("<p>Kept for 7 years.</p>")])

    findings = schedule_findings(today=TODAY)
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != Severity.PROBLEM)
    grouped = findings_by_rule(findings)
    assert kinds(grouped[never.pk]) == {Kind.NEVER_REVIEWED, Kind.NOT_IN_ANY_NOTICE}
    assert kinds(grouped[overdue.pk]) == {Kind.REVIEW_OVERDUE, Kind.NOT_IN_ANY_NOTICE}
    assert None not in grouped, "findings about notices belong to no rule"


def test_a_finding_is_frozen_plain_data(reviewed_rule):
    reviewed_rule(code="OLD-01", last_reviewed=datetime.date(2020, 1, 1))
    finding = the_finding(schedule_findings(today=TODAY), Kind.REVIEW_OVERDUE)
    with pytest.raises(AttributeError):
        finding.message = "changed"
    data = json.loads(json.dumps(finding.as_data()))
    assert data["kind"] == "review_overdue" and data["severity"] == "problem" and data["rule_code"] == "OLD-01"
    assert set(data) == {
        "kind",
        "label",
        "message",
        "action",
        "severity",
        "rule_pk",
        "rule_code",
        "page_pk",
        "page_title",
        "section",
    }


def test_a_registered_source_adds_findings_once(reviewed_rule):
    def source(rules, today):
        return [Finding(kind="from_elsewhere", label="Elsewhere", message="Seen.", action="None.")]

    try:
        checks.register_finding_source(source)
        checks.register_finding_source(source)
        assert [f.kind for f in schedule_findings(today=TODAY)].count("from_elsewhere") == 1
    finally:
        checks._sources.remove(source)


def test_privacy_notices_registers_its_source_at_start_up():
    from privacy_notices.retention_checks import free_text_retention_findings

    assert free_text_retention_findings in checks._sources


# Cost ------------------------------------------------------------------------------------

# As measured, 3: the rules (or, when the caller gives them, the linked rules the text check
# lacks), the live notices for the in-use finder, and the live notices for the text check.
# One more for the site's root paths when that cache is cold.
CHECKS_QUERY_CEILING = 4


def _schedule_with(count, make_rule, make_notice):
    rules = [
        make_rule(code=f"R-{i}", record_class=f"Records {i}", last_reviewed=datetime.date(2020 + i % 6, 1, 1))
        for i in range(count)
    ]
    make_notice([retention_section("<p>Kept for 3 years.</p>", [rule.pk for rule in rules[::2]])], slug="one")
    make_notice([retention_section("<p>Kept for 2 years.</p>", [rule.pk for rule in rules[1::2]])], slug="two")
    return rules


@pytest.mark.parametrize("count", [5, 50])
def test_the_checks_cost_the_same_for_few_rules_and_many(count, make_rule, make_notice, django_assert_max_num_queries):
    _schedule_with(count, make_rule, make_notice)
    with django_assert_max_num_queries(CHECKS_QUERY_CEILING):
        findings = schedule_findings(today=TODAY)
    assert len(findings_by_rule(findings)) == count  # every rule has something (all reviewed in the past)


def test_the_checks_cost_the_same_when_given_the_rules(make_rule, make_notice, django_assert_max_num_queries):
    rules = _schedule_with(50, make_rule, make_notice)
    with django_assert_max_num_queries(CHECKS_QUERY_CEILING):
        schedule_findings(rules=rules[:3], today=TODAY)


# The admin listing -----------------------------------------------------------------------


def listing_url():
    return reverse("wagtailsnippets_retention_schedule_retentionrule:list")


@pytest.fixture
def attention(reviewed_rule, make_notice):
    """Two rules with findings, one without, and a notice with its own period."""
    sound = reviewed_rule(code="COMP-01", record_class="Complaint case files")
    overdue = reviewed_rule(code="FAC-01", record_class="Visitor logs", last_reviewed=datetime.date(2020, 1, 1))
    unused = reviewed_rule(code="BOARD-01", record_class="Board minutes")
    notice = make_notice(
        [retention_section("<p>We keep visitor logs for six months.</p>", [sound.pk, overdue.pk])],
        title="Office visitors' privacy notice",
    )
    return {"sound": sound, "overdue": overdue, "unused": unused, "notice": notice}


def test_the_listing_summarises_the_findings_with_links(admin_client, attention):
    response = admin_client.get(listing_url())
    assert response.status_code == 200
    body = text(response)
    assert "2 rules and 1 notice need attention" in body
    edit = reverse("wagtailsnippets_retention_schedule_retentionrule:edit", args=(attention["overdue"].pk,))
    assert f'href="{edit}"' in body
    assert "Visitor logs (FAC-01)" in body and "Review overdue" in body
    page_edit = reverse("wagtailadmin_pages:edit", args=(attention["notice"].pk,))
    assert f'href="{page_edit}"' in body
    assert "“six months”" in body and "What to do:" in body
    summary = [item["finding"].kind for item in response.context["checks_summary"]["items"]]
    assert summary.index(Kind.REVIEW_OVERDUE) < summary.index(Kind.NOT_IN_ANY_NOTICE), "problems first"


def test_the_listing_says_when_nothing_needs_attention(admin_client, reviewed_rule, make_notice):
    rule = reviewed_rule(code="COMP-01")
    make_notice([retention_section("<p>Kept for 2 years.</p>", [rule.pk])])
    body = text(admin_client.get(listing_url()))
    assert "Nothing in the retention schedule needs attention" in body


def test_the_listing_has_a_findings_column(admin_client, attention):
    response = admin_client.get(listing_url())
    body = text(response)
    assert "Findings" in body
    assert 'data-finding="not_in_any_notice"' in body and "Not in any notice" in body
    # The column and the summary come from the same run of the checks.
    assert response.context["view"].findings_by_rule.keys() == {attention["overdue"].pk, attention["unused"].pk}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", {"FAC-01", "BOARD-01"}), ("false", {"COMP-01"}), ("", {"COMP-01", "FAC-01", "BOARD-01"})],
)
def test_the_needs_attention_filter(admin_client, attention, value, expected):
    response = admin_client.get(listing_url(), {"needs_attention": value})
    assert response.status_code == 200
    assert {rule.code for rule in response.context["object_list"]} == expected


def test_the_filter_works_with_the_other_filters_and_on_the_results_view(admin_client, attention):
    results = reverse("wagtailsnippets_retention_schedule_retentionrule:list_results")
    response = admin_client.get(results, {"needs_attention": "true", "live": "true", "q": "minutes"})
    assert response.status_code == 200
    assert [rule.code for rule in response.context["object_list"]] == ["BOARD-01"]
    assert "checks_summary" not in response.context, "the results alone carry no summary"
    # The other filters the listing had before are all still there.
    filters = response.context["filters"].form.fields
    assert {"needs_attention", "period_type", "disposal_action", "business_function", "live"} <= set(filters)


def test_the_filter_set_runs_the_checks_itself_outside_the_listing(attention):
    from retention_schedule.admin_views import RetentionRuleFilterSet

    filterset = RetentionRuleFilterSet({"needs_attention": "true"}, queryset=RetentionRule.objects.all())
    assert {rule.code for rule in filterset.qs} == {"FAC-01", "BOARD-01"}


def test_the_listing_costs_the_same_for_few_rules_and_many(admin_client, make_rule, make_notice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        admin_client.get(listing_url())  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(listing_url()).status_code == 200
        return len(captured.captured_queries)

    _schedule_with(5, make_rule, make_notice)
    few = queries()
    for i in range(5, 50):
        make_rule(code=f"R-{i}", record_class=f"Records {i}", last_reviewed=datetime.date(2020, 1, 1))
    assert queries() == few


# The demo --------------------------------------------------------------------------------


def test_the_demo_schedule_shows_the_review_check_honestly(db):
    call_command("load_demo_content", stdout=StringIO())
    findings = schedule_findings(today=TODAY)
    overdue = {f.rule_code for f in findings if f.kind == Kind.REVIEW_OVERDUE}
    assert overdue == {"FAC-01", "FAC-02"}, "most demo rules are reviewed; the premises rules are left overdue"
    problems = [f for f in findings if f.severity == Severity.PROBLEM]
    assert {f.kind for f in problems} == {Kind.REVIEW_OVERDUE}, [f.message for f in problems]
