"""The register lints: each finding about processors and cookies, what it says, what it costs, and the listings.

Entries are made as the admin makes them (saved, then a revision published, or
left as a draft). Rows that the model's ``clean()`` would refuse, as an import
or old data may leave them, are written with ``save()`` alone or
``QuerySet.update``, which skip validation. Notices are published through
Wagtail's revisions. The listings are fetched through the real admin.
"""

import datetime
import html
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy_notices.models import CookieDeclaration, Processor
from privacy_notices.register_lints import (
    Kind,
    RegisterFinding,
    cookie_findings,
    known_tracking_cookie,
    processor_findings,
    register_finding_counts,
)
from retention_schedule.checks import Kind as RuleKind
from retention_schedule.checks import Severity
from retention_schedule.models import RetentionRule
from tests.conftest import section

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)


def kinds(found: dict, entry) -> list[str]:
    return [finding.kind for finding in found.get(entry.pk, [])]


def the_finding(found: dict, entry, kind) -> RegisterFinding:
    matching = [finding for finding in found.get(entry.pk, []) if finding.kind == kind]
    assert len(matching) == 1, f"expected one {kind} about {entry}, got {found.get(entry.pk)!r}"
    return matching[0]


def text(response):
    return html.unescape(response.content.decode())


def stored(entry, **fields):
    """Write fields straight to the row, as an import or old data may leave it (skipping clean())."""
    type(entry).objects.filter(pk=entry.pk).update(**fields)
    entry.refresh_from_db()
    return entry


def sharing(*processors):
    return section("sharing", heading="Who we share it with", processors=[p.pk for p in processors])


def cookies_section(*cookies, categories=()):
    return section("cookies", heading="Cookies", cookies=[c.pk for c in cookies], categories=list(categories))


# Processors: transfers --------------------------------------------------------------------


def test_a_third_country_without_a_safeguard_is_found(make_processor):
    processor = make_processor(name="Zendesk", countries=["US", "GB"], transfer_safeguard="idta")
    stored(processor, transfer_safeguard="")  # clean() refuses this in the admin

    finding = the_finding(processor_findings(today=TODAY), processor, Kind.NO_TRANSFER_SAFEGUARD)
    assert finding.severity == Severity.PROBLEM
    assert (finding.entry_pk, finding.entry_slug) == (processor.pk, processor.slug)
    assert finding.label == "No transfer safeguard"
    assert "United States of America" in finding.message and "United Kingdom" not in finding.message
    assert "13(1)(f)" in finding.message
    assert "UK-US data bridge" in finding.action and "IDTA" in finding.action


@pytest.mark.parametrize(
    ("countries", "safeguard"),
    [
        pytest.param(["US"], "uk_us_data_bridge", id="data-bridge"),
        pytest.param(["IN", "GB"], "idta", id="idta"),
        pytest.param(["IE"], "uk_adequacy", id="adequacy"),
        pytest.param(["GB"], "", id="uk-only"),
        pytest.param([], "", id="no-countries"),
    ],
)
def test_a_transfer_with_a_safeguard_or_no_transfer_is_fine(make_processor, make_notice, countries, safeguard):
    processor = make_processor(countries=countries, transfer_safeguard=safeguard)
    make_notice([sharing(processor)])
    assert processor.pk not in processor_findings(today=TODAY)


def test_privacy_shield_is_found(make_processor):
    processor = make_processor(name="Mailchimp", countries=["US"], transfer_safeguard="privacy_shield")

    found = processor_findings(today=TODAY)
    finding = the_finding(found, processor, Kind.PRIVACY_SHIELD)
    assert Kind.NO_TRANSFER_SAFEGUARD not in kinds(found, processor), "one finding about the transfer"
    assert finding.severity == Severity.PROBLEM
    assert finding.label == "Relies on Privacy Shield"
    assert "16 July 2020" in finding.message and "Schrems II" in finding.message
    assert "UK-US data bridge" in finding.action and "IDTA" in finding.action


def test_privacy_shield_is_found_in_a_draft(make_processor):
    processor = make_processor(countries=["US"], transfer_safeguard="privacy_shield", draft=True)
    assert Kind.PRIVACY_SHIELD in kinds(processor_findings(today=TODAY), processor)


# Processors: contracts --------------------------------------------------------------------


def test_a_contract_past_its_review_date_is_found(make_processor):
    processor = make_processor(name="Egress", contract_review_due=datetime.date(2026, 11, 21))

    finding = the_finding(processor_findings(today=TODAY), processor, Kind.CONTRACT_REVIEW_OVERDUE)
    assert finding.severity == Severity.PROBLEM
    assert "The contract with Egress was due for review on" in finding.message
    assert "“Contract review due”" in finding.action


@pytest.mark.parametrize(
    "due", [pytest.param(TODAY, id="due-today"), pytest.param(datetime.date(2027, 1, 1), id="later"), None]
)
def test_a_contract_not_yet_due_or_without_a_date_is_fine(make_processor, due):
    processor = make_processor(contract_review_due=due)
    assert Kind.CONTRACT_REVIEW_OVERDUE not in kinds(processor_findings(today=TODAY), processor)


def test_the_contract_review_is_due_against_today_by_default(make_processor):
    overdue = make_processor(contract_review_due=datetime.date(2020, 1, 1))
    assert Kind.CONTRACT_REVIEW_OVERDUE in kinds(processor_findings(), overdue)


# Processors: used by no notice ------------------------------------------------------------


def test_a_processor_no_notice_names_is_found(make_processor):
    processor = make_processor(name="Snap Surveys")

    finding = the_finding(processor_findings(today=TODAY), processor, Kind.NOT_IN_ANY_NOTICE)
    assert finding.severity == Severity.ADVICE
    assert finding.label == "Not in any notice"
    assert "Snap Surveys" in finding.message
    assert "Drafts of notices" in finding.message and "do not count" in finding.message
    assert "unpublish" in finding.action


def test_a_processor_a_live_notice_shares_with_is_fine(make_processor, make_notice):
    processor = make_processor()
    make_notice([sharing(processor)])
    assert processor.pk not in processor_findings(today=TODAY)


def test_the_provider_of_a_cookie_a_live_notice_chooses_is_fine(make_processor, make_cookie, make_notice):
    google = make_processor(name="Google", service="Analytics")
    cookie = make_cookie(name="_ga", category="analytics", provider=google)
    make_notice([cookies_section(cookie)])
    assert google.pk not in processor_findings(today=TODAY)


def test_the_provider_of_a_cookie_a_notice_shows_by_category_is_fine(make_processor, make_cookie, make_notice):
    google = make_processor(name="Google", service="Analytics")
    make_cookie(name="_ga", category="analytics", provider=google)
    make_notice([cookies_section(categories=["analytics"])])
    assert google.pk not in processor_findings(today=TODAY)


def test_the_provider_of_a_cookie_in_another_category_is_found(make_processor, make_cookie, make_notice):
    google = make_processor(name="Google", service="Analytics")
    make_cookie(name="_ga", category="analytics", provider=google)
    make_notice([cookies_section(categories=["strictly_necessary"])])
    assert Kind.NOT_IN_ANY_NOTICE in kinds(processor_findings(today=TODAY), google)


def test_the_provider_of_only_a_draft_cookie_is_found(make_processor, make_cookie, make_notice):
    """A notice never shows a draft cookie, so its provider is not shown through it."""
    google = make_processor(name="Google", service="Analytics")
    cookie = make_cookie(name="_ga", category="analytics", provider=google, draft=True)
    make_notice([cookies_section(cookie, categories=["analytics"])])
    assert Kind.NOT_IN_ANY_NOTICE in kinds(processor_findings(today=TODAY), google)


def test_a_notice_never_published_does_not_count(make_processor, make_notice):
    processor = make_processor()
    make_notice([sharing(processor)], publish_it=False)
    assert Kind.NOT_IN_ANY_NOTICE in kinds(processor_findings(today=TODAY), processor)


def test_a_draft_change_to_a_live_notice_does_not_count(make_processor, make_notice):
    shown, added_in_draft = make_processor(name="Egress"), make_processor(name="Zoom")
    notice = make_notice([sharing(shown)])
    notice.sections = json.dumps([sharing(shown, added_in_draft)])
    notice.save_revision()

    found = processor_findings(today=TODAY)
    assert Kind.NOT_IN_ANY_NOTICE in kinds(found, added_in_draft)
    assert shown.pk not in found


def test_a_draft_removing_it_from_a_live_notice_does_not_count_either(make_processor, make_notice):
    processor = make_processor()
    notice = make_notice([sharing(processor)])
    notice.sections = json.dumps([])
    notice.save_revision()
    assert processor.pk not in processor_findings(today=TODAY), "the published notice still names it"


def test_a_draft_processor_is_not_missing_from_notices(make_processor):
    """A draft entry never shows on a notice, so it cannot be missing from one."""
    draft = make_processor(draft=True)
    assert draft.pk not in processor_findings(today=TODAY)


def test_an_entrys_findings_come_problems_first(make_processor):
    processor = make_processor(
        countries=["US"], transfer_safeguard="privacy_shield", contract_review_due=datetime.date(2020, 1, 1)
    )
    found = processor_findings(today=TODAY)[processor.pk]
    assert [f.kind for f in found] == [Kind.PRIVACY_SHIELD, Kind.CONTRACT_REVIEW_OVERDUE, Kind.NOT_IN_ANY_NOTICE]
    assert [f.severity for f in found] == [Severity.PROBLEM, Severity.PROBLEM, Severity.ADVICE]


def test_only_the_processors_given_are_checked(make_processor):
    checked = make_processor(countries=["US"], transfer_safeguard="privacy_shield")
    other = make_processor(countries=["US"], transfer_safeguard="privacy_shield")
    found = processor_findings(processors=Processor.objects.filter(pk=checked.pk), today=TODAY)
    assert set(found) == {checked.pk}
    assert other.pk not in found


# Cookies: analytics or marketing declared strictly necessary -------------------------------

KNOWN_ANALYTICS = ["_ga", "_GA", "_ga_*", "_ga_<container-id>", "_ga*", "_gid", "_gat_UA-1234", "__utmz"]
KNOWN_ANALYTICS += ["_hjSessionUser_*", "_clck", "_clsk", "hubspotutk", "__hstc", "ajs_anonymous_id", "mp_abc_mixpanel"]
KNOWN_ANALYTICS += ["_ga, _gid", "sessionid _gid"]
KNOWN_MARKETING = ["_fbp", "_gcl_au", "_gcl_*", "IDE", "ide", "NID", "_uetsid", "_uet*"]


@pytest.mark.parametrize("name", KNOWN_ANALYTICS)
def test_a_known_analytics_cookie_declared_strictly_necessary_is_found(make_cookie, name):
    cookie = make_cookie(name=name, category="strictly_necessary", purpose="Needed for the site to work.")

    finding = the_finding(cookie_findings(), cookie, Kind.TRACKING_COOKIE_STRICTLY_NECESSARY)
    assert finding.severity == Severity.PROBLEM
    assert finding.label == "Analytics cookie marked strictly necessary"
    assert f"“{name}” is declared strictly necessary" in finding.message
    assert "PECR regulation 6" in finding.message
    assert "Change its category to Analytics" in finding.action


@pytest.mark.parametrize("name", KNOWN_MARKETING)
def test_a_known_advertising_cookie_declared_strictly_necessary_is_found(make_cookie, name):
    cookie = make_cookie(name=name, category="strictly_necessary", purpose="Needed for the site to work.")

    finding = the_finding(cookie_findings(), cookie, Kind.TRACKING_COOKIE_STRICTLY_NECESSARY)
    assert finding.severity == Severity.PROBLEM
    assert finding.label == "Marketing cookie marked strictly necessary"
    assert "advertising" in finding.message
    assert "Change its category to Marketing" in finding.action


@pytest.mark.parametrize("category", ["analytics", "marketing", "functional"])
def test_a_known_tracking_cookie_in_another_category_is_fine(make_cookie, category):
    cookie = make_cookie(name="_ga", category=category, purpose="Counts visits for our statistics.")
    assert cookie.pk not in cookie_findings()


@pytest.mark.parametrize(
    "name", ["sessionid", "csrftoken", "messages", "_gallery", "identity", "nidget", "mpx", "ga", "*"]
)
def test_names_that_only_look_alike_are_not_known_tracking_cookies(name):
    assert known_tracking_cookie(name) is None


@pytest.mark.parametrize(
    ("purpose", "words"),
    [
        pytest.param("Counts visits to the site for our statistics.", "“Counts visits” and “statistics”", id="stats"),
        pytest.param("Measures how many people use each page.", "“Measures how many people”", id="measure"),
        pytest.param("Lets us show you adverts on other sites.", "“adverts”", id="adverts"),
        pytest.param("Used by our marketing team.", "“marketing”", id="marketing"),
        pytest.param("Web analytics.", "“analytics”", id="analytics"),
        pytest.param("Cross-site tracking.", "“tracking”", id="tracking"),
    ],
)
def test_a_strictly_necessary_cookie_whose_purpose_speaks_of_tracking_is_found(make_cookie, purpose, words):
    cookie = make_cookie(name="site_visit", category="strictly_necessary", purpose=purpose)

    finding = the_finding(cookie_findings(), cookie, Kind.TRACKING_COOKIE_STRICTLY_NECESSARY)
    assert finding.severity == Severity.ADVICE, "words are a weaker sign than a known name"
    assert finding.label == "May not be strictly necessary"
    assert f"its purpose mentions {words}" in finding.message
    assert "PECR regulation 6" in finding.message


def test_a_strictly_necessary_cookie_whose_provider_does_analytics_is_found(make_cookie, make_processor):
    provider = make_processor(name="Google", service="Website analytics")
    cookie = make_cookie(name="site_visit", category="strictly_necessary", provider=provider, party="third")

    finding = the_finding(cookie_findings(), cookie, Kind.TRACKING_COOKIE_STRICTLY_NECESSARY)
    assert "its provider, Google: Website analytics, is described with “analytics”" in finding.message


@pytest.mark.parametrize(
    "purpose",
    [
        # The demo site's own strictly necessary cookies.
        "Protects our forms and the sign-in page of our editing tools from being submitted by another website "
        "pretending to be you (cross-site request forgery). Set only when you open a page with a form.",
        "Keeps our staff signed in to the website's editing tools. Not set for people who only read the site.",
        "Carries a one-off confirmation, such as “Page published”, to the next page our staff see.",
        # The consent cookie names analytics without being one.
        "Remembers whether you accepted analytics cookies, so we do not ask again.",
        "Stores your cookie choices (analytics and marketing on or off).",
        "Keeps track of the items in your basket.",
        "Balances traffic between our servers.",
    ],
)
def test_a_truly_necessary_cookie_is_fine(make_cookie, make_processor, purpose):
    provider = make_processor(name="Goss Interactive", service="Our website, its online forms and live chat")
    cookie = make_cookie(name="csrftoken", category="strictly_necessary", purpose=purpose, provider=provider)
    assert cookie.pk not in cookie_findings()


def test_cookies_given_without_their_providers_are_checked(make_cookie, make_processor):
    provider = make_processor(name="Google", service="Website analytics")
    cookie = make_cookie(name="site_visit", category="strictly_necessary", provider=provider)
    found = cookie_findings(cookies=CookieDeclaration.objects.filter(pk=cookie.pk))
    assert kinds(found, cookie) == [Kind.TRACKING_COOKIE_STRICTLY_NECESSARY]


# The API ----------------------------------------------------------------------------------


def test_a_finding_is_frozen_plain_data(make_processor):
    processor = make_processor(slug="mailchimp", countries=["US"], transfer_safeguard="privacy_shield")
    finding = the_finding(processor_findings(today=TODAY), processor, Kind.PRIVACY_SHIELD)
    with pytest.raises(AttributeError):
        finding.message = "changed"
    assert finding.severity_label == "Needs action"
    data = json.loads(json.dumps(finding.as_data()))
    assert data == {
        "kind": "privacy_shield",
        "label": "Relies on Privacy Shield",
        "message": finding.message,
        "action": finding.action,
        "severity": "problem",
        "entry_pk": processor.pk,
        "entry_slug": "mailchimp",
    }


def test_only_entries_with_findings_are_keyed(make_processor, make_cookie, make_notice):
    fine = make_processor()
    make_notice([sharing(fine)])
    necessary = make_cookie(name="sessionid")
    assert processor_findings(today=TODAY) == {}
    assert necessary.pk not in cookie_findings()


def test_the_counts_cover_the_three_registers(make_processor, make_cookie, make_rule, make_notice):
    shown = make_processor(name="Egress")
    make_processor(name="Mailchimp", countries=["US"], transfer_safeguard="privacy_shield")
    make_cookie(name="_ga", category="strictly_necessary")
    make_cookie(name="sessionid")
    sound = make_rule(code="COMP-01", last_reviewed=datetime.date(2026, 6, 1), review_interval="P1Y")
    stored(make_rule(code="HR-01", record_class="Job applications"), period="", criteria="")
    make_notice([sharing(shown), section("retention", heading="How long", rules=[sound.pk])])

    assert register_finding_counts(today=TODAY) == {"processors": 1, "cookies": 1, "retention_rules": 1}


def test_a_retention_rule_with_neither_period_nor_criteria_is_counted(make_rule):
    rule = make_rule(code="HR-01")
    RetentionRule.objects.filter(pk=rule.pk).update(period="", criteria="")
    assert register_finding_counts(today=TODAY)["retention_rules"] == 1


# Cost -------------------------------------------------------------------------------------

# As measured: processors 3 (the processors, the live notices, the cookies they show);
# cookies 1 (with their providers) or 2 when given without them.
PROCESSOR_QUERIES = 3
COOKIE_QUERIES = 2


@pytest.fixture
def registers(make_processor, make_cookie, make_notice):
    def make(count):
        processors = []
        for i in range(count):
            processors.append(
                make_processor(
                    name=f"Processor {i}",
                    countries=["US"],
                    transfer_safeguard=["privacy_shield", "idta"][i % 2],
                    contract_review_due=datetime.date(2020 + i % 10, 1, 1),
                )
            )
        # Every other one holds data abroad with no safeguard stated, as an import may leave it.
        Processor.objects.filter(pk__in=[p.pk for p in processors[1::2]]).update(transfer_safeguard="")
        cookies = [
            make_cookie(name=name, category="strictly_necessary", provider=processors[i % count], purpose=purpose)
            for i in range(count)
            for name, purpose in [("_ga", "Needed."), (f"visit_{i}", "Counts visits.")]
        ]
        make_notice([sharing(*processors[::2]), cookies_section(*cookies[:2], categories=["analytics"])])
        make_notice([cookies_section(categories=["strictly_necessary"])])
        return processors, cookies

    return make


@pytest.mark.parametrize("count", [3, 30])
def test_the_lints_cost_the_same_for_few_entries_and_many(registers, count, django_assert_max_num_queries):
    processors, cookies = registers(count)
    with django_assert_max_num_queries(PROCESSOR_QUERIES):
        found = processor_findings(today=TODAY)
    assert len(found) == count
    with django_assert_max_num_queries(PROCESSOR_QUERIES):
        processor_findings(processors=Processor.objects.filter(pk__in=[p.pk for p in processors]), today=TODAY)
    with django_assert_max_num_queries(COOKIE_QUERIES):
        found = cookie_findings()
    assert len(found) == 2 * count
    with django_assert_max_num_queries(COOKIE_QUERIES):
        cookie_findings(cookies=CookieDeclaration.objects.all())


@pytest.mark.parametrize("count", [3, 30])
def test_the_counts_cost_the_same_for_few_entries_and_many(registers, make_rule, count, django_assert_max_num_queries):
    registers(count)
    for i in range(count):
        make_rule(code=f"R-{i}", record_class=f"Records {i}")
    # The processors, the cookies, and the schedule checks' own (retention_schedule's ceiling).
    with django_assert_max_num_queries(PROCESSOR_QUERIES + 1 + 4):
        counts = register_finding_counts(today=TODAY)
    assert counts == {"processors": count, "cookies": 2 * count, "retention_rules": count}


# The admin listings -----------------------------------------------------------------------


def listing(model_name, view="list"):
    return reverse(f"wagtailsnippets_privacy_notices_{model_name}:{view}")


@pytest.fixture
def processors(make_processor, make_notice):
    """Three processors: one relying on Privacy Shield, one unused, one sound and shown."""
    shield = make_processor(name="Mailchimp", slug="mailchimp", countries=["US"], transfer_safeguard="privacy_shield")
    unused = make_processor(name="Snap Surveys", slug="snap-surveys", role="recipient")
    sound = make_processor(name="Egress", slug="egress")
    make_notice([sharing(shield, sound)])
    return {"shield": shield, "unused": unused, "sound": sound}


def test_the_processor_listing_shows_the_findings(admin_client, processors):
    response = admin_client.get(listing("processor"))
    assert response.status_code == 200
    body = text(response)
    assert "2 processors and recipients need attention" in body
    assert "Findings" in body
    assert 'data-finding="privacy_shield"' in body and "Relies on Privacy Shield" in body
    assert 'data-finding="not_in_any_notice"' in body and "Not in any notice" in body
    assert "Schrems II" in body and "What to do:" in body
    edit = reverse("wagtailsnippets_privacy_notices_processor:edit", args=(processors["shield"].pk,))
    assert f'href="{edit}"' in body
    summary = [item["finding"].kind for item in response.context["findings_summary"]["items"]]
    assert summary == [Kind.PRIVACY_SHIELD, Kind.NOT_IN_ANY_NOTICE], "problems first"
    assert response.context["view"].findings_by_entry.keys() == {processors["shield"].pk, processors["unused"].pk}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("with", {"Mailchimp", "Snap Surveys"}),
        ("without", {"Egress"}),
        ("", {"Mailchimp", "Snap Surveys", "Egress"}),
    ],
)
def test_the_processor_findings_filter(admin_client, processors, value, expected):
    response = admin_client.get(listing("processor"), {"findings": value})
    assert response.status_code == 200
    assert {p.name for p in response.context["object_list"]} == expected


def test_the_processor_filter_works_with_the_others_and_on_the_results_view(admin_client, processors):
    response = admin_client.get(listing("processor", "list_results"), {"findings": "with", "role": "recipient"})
    assert response.status_code == 200
    assert [p.name for p in response.context["object_list"]] == ["Snap Surveys"]
    assert "findings_summary" not in response.context, "the results alone carry no summary"
    assert {"findings", "role", "transfer_safeguard", "live"} <= set(response.context["filters"].form.fields)


def test_the_processor_listing_says_when_nothing_needs_attention(admin_client, make_processor, make_notice):
    make_notice([sharing(make_processor())])
    body = text(admin_client.get(listing("processor")))
    assert "Nothing in the register of processors and recipients needs attention" in body


@pytest.fixture
def cookies(make_cookie):
    return {
        "ga": make_cookie(name="_ga", slug="ga", category="strictly_necessary", purpose="Needed."),
        "stats": make_cookie(name="stats", slug="stats", category="strictly_necessary", purpose="Counts visits."),
        "session": make_cookie(name="sessionid", slug="sessionid", category="strictly_necessary"),
        "analytics": make_cookie(name="_gid", slug="gid", category="analytics", purpose="Counts visits."),
    }


def test_the_cookie_listing_shows_the_findings(admin_client, cookies):
    response = admin_client.get(listing("cookiedeclaration"))
    assert response.status_code == 200
    body = text(response)
    assert "2 cookies need attention" in body
    assert 'data-finding="tracking_cookie_strictly_necessary"' in body
    assert "Analytics cookie marked strictly necessary" in body and "May not be strictly necessary" in body
    summary = response.context["findings_summary"]["items"]
    assert [item["subject"] for item in summary] == ["_ga", "stats"], "problems first"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("with", {"_ga", "stats"}), ("without", {"sessionid", "_gid"}), ("", {"_ga", "stats", "sessionid", "_gid"})],
)
def test_the_cookie_findings_filter(admin_client, cookies, value, expected):
    response = admin_client.get(listing("cookiedeclaration"), {"findings": value})
    assert response.status_code == 200
    assert {c.name for c in response.context["object_list"]} == expected


def test_the_cookie_filter_works_with_the_others(admin_client, cookies):
    response = admin_client.get(
        listing("cookiedeclaration", "list_results"), {"findings": "with", "category": "strictly_necessary", "q": "ga"}
    )
    assert [c.name for c in response.context["object_list"]] == ["_ga"]
    assert {"findings", "category", "party", "live"} <= set(response.context["filters"].form.fields)


def test_the_cookie_listing_says_when_nothing_needs_attention(admin_client, make_cookie):
    make_cookie(name="sessionid")
    body = text(admin_client.get(listing("cookiedeclaration")))
    assert "Nothing in the cookie register needs attention" in body


def test_the_rule_listing_shows_a_rule_with_neither_period_nor_criteria(admin_client, make_rule):
    """The schedule's own listing already has the lint: a rule that says nothing of how long."""
    vague = make_rule(code="HR-01", record_class="Job applications")
    RetentionRule.objects.filter(pk=vague.pk).update(period="", criteria="")
    make_rule(
        code="BOARD-01",
        record_class="Board minutes",
        period_type="permanent",
        period="",
        trigger="",
        disposal_action="archive",
    )
    rules_url = reverse("wagtailsnippets_retention_schedule_retentionrule:list")

    response = admin_client.get(rules_url)
    body = text(response)
    assert 'data-finding="no_period_or_criteria"' in body and "No period or criteria" in body
    kinds_of_vague = [f.kind for f in response.context["view"].findings_by_rule[vague.pk]]
    assert kinds_of_vague[0] == RuleKind.NO_PERIOD_OR_CRITERIA, "a problem, shown first"

    response = admin_client.get(rules_url, {"needs_attention": "true", "period_type": "fixed"})
    assert [rule.code for rule in response.context["object_list"]] == ["HR-01"]


@pytest.mark.parametrize("model_name", ["processor", "cookiedeclaration"])
def test_the_listings_cost_the_same_for_few_entries_and_many(
    admin_client, registers, model_name, django_assert_max_num_queries
):
    registers(3)
    admin_client.get(listing(model_name))  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(listing(model_name)).status_code == 200
    registers(30)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(listing(model_name)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][len(few) :]
