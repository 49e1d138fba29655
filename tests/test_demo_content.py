"""The demo content: what load_demo_content builds, that the notices are sound, and that re-runs change nothing."""

import re
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Revision

from privacy_notices.choices import DataKind, DataSource, LawfulBasis, TransferSafeguard
from privacy_notices.document import resolve_hub, resolve_notice
from privacy_notices.models import (
    Audience,
    CookieDeclaration,
    NoticeVersion,
    OrganisationSettings,
    PrivacyNoticeIndexPage,
    PrivacyNoticePage,
    Processor,
)
from privacy_notices.registers import validate_cookie_lifetime
from retention_schedule.models import PeriodType, RetentionRule, RetentionSchedulePage
from retention_schedule.periods import parse_period

pytestmark = pytest.mark.django_db

FIXTURES = settings.REPO_DIR / "fixtures" / "demo"

# The audiences of the seed documents that the demo must speak to.
SEED_AUDIENCES = {
    "site-visitors",
    "complainants",
    "newsletter-subscribers",
    "job-applicants",
    "cctv-registrants",
    "helpline-callers",
    "live-chat-users",
    "breach-reporters",
    "people-who-notify-us",
    "people-who-email-us",
}

# Services named in the seed documents (and the ones any UK public body uses), as "name: service".
SEED_PROCESSORS = [
    "google analytics",
    "adestra",
    "snap surveys",
    "egress",
    "goss interactive",
    "wordpress.com",
    "mailchimp",
    "hotjar",
    "youtube",
    "microsoft 365",
    "call recording",
    "live chat",
]

# Retention periods from the seed documents: code -> (kind of period, period, words in the trigger, action).
SEED_RULES = {
    "COMP-03": (PeriodType.FIXED, "P2Y", "closure", "delete"),  # complaint files, 2 years from closure
    "HR-01": (PeriodType.FIXED, "P12M", "recruitment exercise", "delete"),  # unsuccessful applicants
    "CHAT-01": (PeriodType.FIXED, "P2Y", "chat", "delete"),  # live chat transcripts
    "BRE-01": (PeriodType.FIXED, "P2Y", "receipt", "delete"),  # breach reports, 2 years from receipt
    "CALL-01": (PeriodType.FIXED, "P30D", "call", "delete"),  # call recordings, 30 days
    "COMP-01": (PeriodType.FIXED, "P30D", "started", "delete"),  # unsubmitted online complaint forms
    "COMP-04": (PeriodType.PERMANENT, "", "", "archive"),  # final investigation reports
    "COMP-02": (PeriodType.FIXED, "P1Y", "decision", "delete"),  # complaint case information
    "NEWS-01": (PeriodType.UNTIL_EVENT, "", "unsubscribe", "delete"),  # subscribers, until they unsubscribe
    "FAC-01": (PeriodType.FIXED, "P30D", "recording", "delete"),  # CCTV footage
    "MAIL-01": (PeriodType.FIXED, "P2Y", "receipt", "delete"),  # email correspondence
    "HR-04": (PeriodType.FIXED, "P6Y", "end of employment", "delete"),  # staff records
}

SITE_COOKIES = {"csrftoken", "sessionid", "messages"}
ANALYTICS_COOKIES = {"_ga", "_ga_*", "_hjSessionUser_*", "_hjSession_*"}


def load(**options):
    out = StringIO()
    call_command("load_demo_content", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def demo(db):
    return load()


def live_notices():
    return list(PrivacyNoticePage.objects.live().select_related("audience").order_by("slug"))


def documents():
    return {notice.slug: resolve_notice(notice) for notice in live_notices()}


def sections_of(document, block_type):
    return [section for section in document["sections"] if section["type"] == block_type]


def seconds(iso_period):
    period = parse_period(iso_period, allow_time=True)
    assert not period.years and not period.months, "calendar units have no fixed length"
    return ((period.weeks * 7 + period.days) * 24 + period.hours) * 3600 + period.minutes * 60 + period.seconds


# What is loaded -----------------------------------------------------------------------


def test_a_notice_for_each_audience_under_the_hub(demo):
    hub = PrivacyNoticeIndexPage.objects.get()
    assert hub.live and hub.url == "/privacy/"
    notices = live_notices()
    assert len(notices) >= 8
    assert {notice.audience.slug for notice in notices} >= SEED_AUDIENCES
    for notice in notices:
        assert notice.slug == notice.audience.slug
        assert notice.url == f"/privacy/{notice.audience.slug}/"
        assert notice.get_parent().specific == hub
        assert notice.summary
    assert Audience.objects.count() == len(notices)


def test_processor_register(demo):
    processors = list(Processor.objects.filter(live=True))
    assert len(processors) >= 10
    described = " | ".join(f"{p.name}: {p.service}".lower() for p in processors)
    for service in SEED_PROCESSORS:
        assert service in described, service
    for processor in processors:
        assert processor.countries, processor.slug
        if processor.third_countries():
            assert processor.transfer_safeguard, processor.slug
            assert processor.safeguard_details, processor.slug
        if processor.slug != "pollster-cloud":
            assert processor.transfer_safeguard != TransferSafeguard.PRIVACY_SHIELD, processor.slug
    # One entry relies on Privacy Shield on purpose (explained in processors.toml): the DPO's demo finding.
    assert Processor.objects.get(slug="pollster-cloud").transfer_safeguard == TransferSafeguard.PRIVACY_SHIELD
    safeguards = {p.transfer_safeguard for p in processors}
    assert {TransferSafeguard.UK_US_DATA_BRIDGE, TransferSafeguard.IDTA, TransferSafeguard.UK_ADEQUACY} <= safeguards
    # The register's internal fields are filled in for the DPO, and never reach a notice.
    assert any(p.contract_reference for p in processors)
    for document in documents().values():
        for section in sections_of(document, "sharing"):
            for entry in section["processors"]:
                assert "contract_reference" not in entry and "internal_notes" not in entry


def test_retention_schedule_uses_the_seeds_periods(demo):
    rules = {rule.code: rule for rule in RetentionRule.objects.filter(live=True)}
    assert len(rules) >= 12
    for code, (period_type, period, trigger, action) in SEED_RULES.items():
        rule = rules[code]
        assert rule.period_type == period_type, code
        assert rule.period == period, code
        assert trigger in (rule.trigger + rule.criteria).lower(), code
        assert rule.disposal_action == action, code
    assert rules["NEWS-01"].criteria
    for rule in rules.values():
        rule.full_clean()  # every rule is valid as the admin sees it
        assert rule.summary()
    schedule = RetentionSchedulePage.objects.get()
    assert schedule.live and schedule.url == "/retention-schedule/"


def test_cookie_declarations(demo):
    cookies = {cookie.name: cookie for cookie in CookieDeclaration.objects.filter(live=True).select_related("provider")}
    assert set(cookies) >= SITE_COOKIES | ANALYTICS_COOKIES
    for cookie in cookies.values():
        validate_cookie_lifetime(cookie.lifetime)
        assert cookie.purpose
    for name in SITE_COOKIES:
        assert cookies[name].category == "strictly_necessary"
        assert cookies[name].provider is None and cookies[name].party == "first"
    for name in ANALYTICS_COOKIES:
        assert cookies[name].category == "analytics"
        assert cookies[name].provider is not None and cookies[name].provider.live
    # Django's own cookies are declared with the lifetimes Django gives them.
    assert seconds(cookies["csrftoken"].lifetime) == settings.CSRF_COOKIE_AGE
    assert seconds(cookies["sessionid"].lifetime) == settings.SESSION_COOKIE_AGE
    assert cookies["messages"].lifetime == "session"
    assert cookies["_hjSession_*"].lifetime == "PT30M"


def test_organisation_and_hub(demo):
    organisation = OrganisationSettings.objects.get()
    assert organisation.controller_name == "Northmoor Care Standards Authority"
    assert organisation.controller_email.endswith("@northmoor.example")
    assert organisation.dpo_email.endswith("@northmoor.example")
    assert re.fullmatch(r"Z[A-Z0-9]\d{6}", organisation.registration_number)
    assert "Information Commissioner" in organisation.authority_name

    hub = resolve_hub(PrivacyNoticeIndexPage.objects.get())
    assert hub["intro"].startswith("<p>")
    assert len(hub["notices"]) == len(live_notices())
    headings = " | ".join(section["heading"] for section in hub["sections"]).lower()
    for topic in ("your rights", "safe", "changes"):
        assert topic in headings, topic
    # How to complain to the ICO and how to reach the DPO come from the organisation settings, shown
    # with the rights section (it lists the right to complain) and at the foot of the page.
    rights = sections_of(hub, "rights")[0]
    assert {"access", "rectification", "erasure", "restriction", "objection", "complain"} <= {
        right["right"] for right in rights["rights"]
    }
    assert hub["organisation"]["dpo"]["email"] == "dpo@northmoor.example"
    assert hub["organisation"]["supervisory_authority"]["url"].startswith("https://ico.org.uk/")


# What the notices say -------------------------------------------------------------------


def test_site_visitors_notice_lists_the_sites_cookies(demo):
    document = documents()["site-visitors"]
    [cookies] = sections_of(document, "cookies")
    listed = {cookie["name"] for group in cookies["cookie_groups"] for cookie in group["cookies"]}
    assert listed >= SITE_COOKIES | ANALYTICS_COOKIES
    analytics = next(group for group in cookies["cookie_groups"] if group["category"] == "analytics")
    assert {cookie["provider"] for cookie in analytics["cookies"]} == {"Google", "Hotjar"}


def test_every_notice_links_retention_rules_and_most_share(demo):
    docs = documents()
    for slug, document in docs.items():
        retention = sections_of(document, "retention")
        assert retention and retention[0]["rules"], slug
    sharing = [slug for slug, document in docs.items() if sections_of(document, "sharing")]
    assert len(sharing) >= len(docs) * 3 // 4


def test_notices_cover_article_13(demo):
    for slug, document in documents().items():
        types = [section["type"] for section in document["sections"]]
        assert 5 <= len(types) <= 9, slug
        for required in ("personal_data", "purposes", "retention", "rights"):
            assert required in types, (slug, required)
        # Cookies belong on the website notice only.
        assert ("cookies" in types) == (slug == "site-visitors"), slug

        [personal_data] = sections_of(document, "personal_data")
        if personal_data["source"] != DataSource.FROM_PERSON:
            assert personal_data["source_details"], slug
        assert personal_data["requirement"], slug
        kinds = {category["kind"] for category in personal_data["categories"]}

        purposes = [purpose for section in sections_of(document, "purposes") for purpose in section["purposes"]]
        for purpose in purposes:
            assert purpose["lawful_basis"] in LawfulBasis.values, (slug, purpose["purpose"])
            if purpose["lawful_basis"] == LawfulBasis.LEGITIMATE_INTERESTS:
                assert purpose["legitimate_interests"], (slug, purpose["purpose"])
        if DataKind.SPECIAL in kinds:
            assert any(p["special_category_condition"] for p in purposes), slug
        if DataKind.CRIMINAL in kinds:
            assert any(p["criminal_offence_condition"] for p in purposes), slug

        rights = {right["right"] for section in sections_of(document, "rights") for right in section["rights"]}
        assert {"access", "complain"} <= rights, slug
        if any(p["lawful_basis"] == LawfulBasis.CONSENT for p in purposes):
            assert "withdraw_consent" in rights, slug

        # A transfers section exactly where a processor shared with holds data outside the UK.
        abroad = [
            entry
            for section in sections_of(document, "sharing")
            for entry in section["processors"]
            if entry["third_countries"]
        ]
        transfers = sections_of(document, "transfers")
        assert bool(transfers) == bool(abroad), slug
        for section in transfers:
            assert section["processors"], slug


def test_notices_reflect_their_audiences(demo):
    docs = documents()
    for slug in ("complainants", "breach-reporters", "people-who-notify-us"):
        [personal_data] = sections_of(docs[slug], "personal_data")
        assert personal_data["source"] == DataSource.BOTH, slug
    newsletter_bases = {
        p["lawful_basis"] for s in sections_of(docs["newsletter-subscribers"], "purposes") for p in s["purposes"]
    }
    assert newsletter_bases == {LawfulBasis.CONSENT}
    staff_bases = {p["lawful_basis"] for s in sections_of(docs["staff"], "purposes") for p in s["purposes"]}
    assert {LawfulBasis.CONTRACT, LawfulBasis.LEGAL_OBLIGATION} <= staff_bases
    recipients = " | ".join(
        r["name"] for s in sections_of(docs["complainants"], "sharing") for r in s["other_recipients"]
    )
    assert "Parliamentary and Health Service Ombudsman" in recipients
    assert "police" in recipients
    complaint_rules = {rule["code"] for s in sections_of(docs["complainants"], "retention") for rule in s["rules"]}
    assert {"COMP-01", "COMP-02", "COMP-03", "COMP-04"} <= complaint_rules


def test_the_site_visitors_notice_has_a_history_to_compare(demo, client):
    """The demo shows the history: its site visitors' notice has a version 2 (a minor change to the summary)."""
    notice = PrivacyNoticePage.objects.get(slug="site-visitors")
    versions = list(NoticeVersion.objects.filter(notice=notice).order_by("number"))
    assert [(v.number, v.material) for v in versions] == [(1, True), (2, False)]
    assert versions[1].summary.startswith("The summary now mentions cookies")
    assert versions[0].document["summary"] == "What we learn when you read our website, and why."
    diff = client.get("/privacy/site-visitors/@diff/1/2", HTTP_ACCEPT="application/json").json()
    assert [field["field"] for field in diff["fields"]] == ["summary"]
    assert all(section["status"] == "unchanged" for section in diff["sections"])


# Running it again ------------------------------------------------------------------------


def test_loading_twice_changes_nothing(demo):
    def state():
        return {
            "audiences": dict(Audience.objects.values_list("slug", "pk")),
            "processors": dict(Processor.objects.values_list("slug", "pk")),
            "cookies": dict(CookieDeclaration.objects.values_list("slug", "pk")),
            "rules": dict(RetentionRule.objects.values_list("code", "pk")),
            "notices": dict(PrivacyNoticePage.objects.values_list("slug", "pk")),
            "hub": list(PrivacyNoticeIndexPage.objects.values_list("pk", flat=True)),
            "schedule": list(RetentionSchedulePage.objects.values_list("pk", flat=True)),
            "organisation": list(OrganisationSettings.objects.values_list("pk", flat=True)),
            "revisions": Revision.objects.count(),
            "versions": list(NoticeVersion.objects.values_list("notice_id", "number")),
        }

    before, documents_before = state(), documents()
    output = load()
    assert state() == before
    assert documents() == documents_before
    assert " created" not in output and " updated" not in output
    assert "unchanged" in output


def test_a_changed_entry_gets_one_new_revision(demo, tmp_path):
    source = tmp_path / "demo"
    shutil.copytree(FIXTURES, source)
    processors = source / "processors.toml"
    text = processors.read_text()
    assert 'service = "Secure email and the data breach reporting form"' in text
    processors.write_text(text.replace("Secure email and the data breach reporting form", "Secure email"))
    revisions = Revision.objects.count()

    output = load(source=source)

    assert Revision.objects.count() == revisions + 1
    egress = Processor.objects.get(slug="egress")
    assert egress.service == "Secure email" and egress.live
    assert egress.latest_revision.content["service"] == "Secure email"
    assert "processors: 1 updated, 17 unchanged" in output
    [breach] = sections_of(documents()["breach-reporters"], "sharing")
    assert "Secure email" in [entry["service"] for entry in breach["processors"]]


def test_a_bad_entry_names_itself_and_writes_nothing(db, tmp_path):
    source = tmp_path / "demo"
    shutil.copytree(FIXTURES, source)
    with (source / "processors.toml").open("a") as file:
        file.write('\n[[processor]]\nslug = "overseas-host"\nname = "Overseas Host"\ncountries = ["US"]\n')

    with pytest.raises(CommandError) as error:
        load(source=source)

    message = str(error.value)
    assert "processors.toml" in message and "overseas-host" in message and "transfer_safeguard" in message
    # Audiences were loaded before the bad processor, and rolled back with it.
    assert not Audience.objects.exists()
    assert not Processor.objects.exists()


def test_a_section_naming_an_unknown_entry_is_refused(db, tmp_path):
    source = tmp_path / "demo"
    shutil.copytree(FIXTURES, source)
    notice = source / "notices" / "live-chat-users.toml"
    notice.write_text(notice.read_text().replace('rules = ["CHAT-01"]', 'rules = ["CHAT-99"]'))

    with pytest.raises(CommandError, match=r"live-chat-users\.toml.*retention.*CHAT-99"):
        load(source=source)
    assert not PrivacyNoticePage.objects.exists()


# The public site (needs the notice templates) -------------------------------------------------


def test_the_demo_pages_are_served(demo, client):
    urls = ["/privacy/", "/retention-schedule/"] + [notice.url for notice in live_notices()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url


# Demo logins ------------------------------------------------------------------------------------


def create_logins(*args):
    """Run the command; return the admin's password, the output, and every login's password by username."""
    out = StringIO()
    call_command("create_demo_logins", *args, stdout=out)
    output = out.getvalue()
    passwords = dict(re.findall(r"username: (\S+)\s+password: (\S+)", output))
    assert set(passwords) == {"admin", "editor", "dpo"}
    return passwords["admin"], output, passwords


def test_create_demo_logins_prints_the_same_password_each_time(db, settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    first, output, _ = create_logins()
    assert "created" in output
    second, output, _ = create_logins()
    assert second == first and "created" not in output
    assert first in (tmp_path / "demo-logins.txt").read_text()
    assert client.login(username="admin", password=first)


def test_create_demo_logins_resets_a_password_it_has_lost(db, settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    first, _, _ = create_logins()
    (tmp_path / "demo-logins.txt").unlink()
    second, output, _ = create_logins()
    assert second != first and "new password set" in output
    assert client.login(username="admin", password=second)
    third, _, _ = create_logins("--reset")
    assert third != second
    assert client.login(username="admin", password=third)


def test_demo_editor_and_dpo_logins_have_their_roles(db, settings, tmp_path, client):
    """make demo prints an editor and a DPO login; each signs in to the admin in its group, and only that."""
    from django.contrib.auth import get_user_model

    from privacy_notices.roles import DPOS, EDITORS

    settings.VAR_DIR = tmp_path
    _, output, passwords = create_logins()
    assert "Content editor" in output and "Data protection officer" in output
    users = {user.username: user for user in get_user_model().objects.filter(username__in=passwords)}
    assert [group.name for group in users["editor"].groups.all()] == [EDITORS]
    assert [group.name for group in users["dpo"].groups.all()] == [DPOS]
    assert not users["editor"].is_superuser and not users["dpo"].is_superuser
    for username in ("editor", "dpo"):
        assert client.login(username=username, password=passwords[username])
        assert client.get("/admin/").status_code == 200
        client.logout()
    assert not users["editor"].has_perm("privacy_notices.change_processor")
    assert users["dpo"].has_perm("privacy_notices.publish_processor")
