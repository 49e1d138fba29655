"""``manage.py import_notice``: a policy in, draft notices and proposed register entries out, nothing published."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.test import override_settings
from wagtail.models import PageLogEntry, Revision

from privacy_notices.importing import IMPORT_LOG_ACTION
from privacy_notices.importing.apply import apply_plan
from privacy_notices.importing.plan import plan_import
from privacy_notices.importing.source import read_policy
from privacy_notices.pages import PrivacyNoticeIndexPage, PrivacyNoticePage
from privacy_notices.registers import Audience, CookieDeclaration, Processor
from privacy_notices.versions import NoticeVersion, site_date
from retention_schedule.models import RetentionRule

pytestmark = pytest.mark.django_db

POLICY = """# Privacy notice

This notice says how we use what people tell us.

## People who make a complaint to us

When you complain we open a case file with your name and what happened.

We keep complaint files for two years from the closure of the case.

### Who we share it with

We use a third party provider, Casebook Online, to host our case files on our behalf.

## Visitors to our websites

We use Google Analytics to count visits. It sets the _ga cookie.

## Your rights

You can ask for a copy of your information or ask us to correct it.

## Changes to this notice

This notice was last updated on 31 March 2016.
"""


def run(*args, stdin=None):
    out = io.StringIO()
    call_command("import_notice", *args, stdout=out, stderr=io.StringIO(), stdin=stdin)
    return out.getvalue()


def counts():
    return {
        "pages": PrivacyNoticePage.objects.count() + PrivacyNoticeIndexPage.objects.count(),
        "rules": RetentionRule.objects.count(),
        "processors": Processor.objects.count(),
        "cookies": CookieDeclaration.objects.count(),
        "audiences": Audience.objects.count(),
        "revisions": Revision.objects.count(),
    }


@pytest.fixture
def policy_file(tmp_path):
    def write(text=POLICY, name="policy.md", data=None):
        path = tmp_path / name
        path.write_bytes(data if data is not None else text.encode("utf-8"))
        return str(path)

    return write


def test_dry_run_json_lists_every_finding_with_its_offsets_and_writes_nothing(hub, policy_file):
    before = counts()
    report = json.loads(run(policy_file(), "--dry-run", "--format", "json"))
    assert counts() == before
    assert report["written"] is False
    assert report["source"] == {
        "name": "policy.md",
        "format": "markdown",
        "encoding": "utf-8",
        "characters": len(POLICY),
        "title": "Privacy notice",
    }
    for finding in report["findings"]:
        sentence = finding["sentence"]
        assert POLICY[sentence["start"] : sentence["end"]] == sentence["text"]
        words = finding["words"]
        assert sentence["start"] <= words["start"] < words["end"] <= sentence["end"]
    kinds = {(finding["kind"], finding["words"]["text"]) for finding in report["findings"]}
    assert ("retention", "two years") in kinds
    assert ("last_updated", "31 March 2016") in kinds
    assert report["last_updated"]["date"] == "2016-03-31"
    retention = next(finding for finding in report["findings"] if finding["kind"] == "retention")
    assert retention["period"] == "P2Y"
    assert retention["notice"] == "complainants"
    assert {notice["audience"] for notice in report["notices"]} == {"complainants", "site-visitors"}
    assert report["hub"]["action"] == "add_sections"
    assert [section["type"] for section in report["hub"]["sections"]] == ["text", "rights", "text"]
    [rule] = report["retention_rules"]
    assert rule["action"] == "create" and rule["period"] == "P2Y" and rule["notices"] == ["complainants"]
    names = {processor["name"]: processor for processor in report["processors"]}
    assert names["Casebook Online"]["role"] == "processor"
    assert "Google Analytics" in names


def test_import_writes_drafts_for_review_and_publishes_nothing(hub, policy_file, admin_user):
    out = run(policy_file(), "--user", admin_user.username)
    assert "Imported 2 draft notices" in out
    notices = {page.audience.slug: page for page in PrivacyNoticePage.objects.child_of(hub).specific()}
    assert set(notices) == {"complainants", "site-visitors"}
    complainants = notices["complainants"]
    assert not complainants.live and complainants.has_unpublished_changes
    assert complainants.imported_last_updated == datetime.date(2016, 3, 31)
    # The audience's own text, its sharing sub-section, and a retention section for the rule it states.
    assert [block.block_type for block in complainants.sections] == ["text", "sharing", "retention"]
    rule = RetentionRule.objects.get()
    assert not rule.live and rule.period == "P2Y" and rule.latest_revision is not None
    assert complainants.sections[2].value["rules"][0].pk == rule.pk
    casebook = Processor.objects.get(name="Casebook Online")
    assert not casebook.live and casebook.role == "processor"
    assert [p.pk for p in complainants.sections[1].value["processors"]] == [casebook.pk]
    cookie = CookieDeclaration.objects.get(name="_ga")
    assert not cookie.live and cookie.category == "analytics"
    # The hub's new sections wait in a draft; what the public reads is unchanged.
    hub.refresh_from_db()
    assert hub.has_unpublished_changes
    assert [block.block_type for block in hub.get_latest_revision_as_object().sections] == ["text", "rights", "text"]
    assert PageLogEntry.objects.filter(action=IMPORT_LOG_ACTION, page=complainants, user=admin_user).exists()


def test_the_first_published_version_keeps_the_imported_date(hub, policy_file):
    run(policy_file())
    notice = PrivacyNoticePage.objects.get(audience__slug="complainants")
    notice.get_latest_revision().publish()
    version = NoticeVersion.objects.get(notice=notice)
    assert version.number == 1 and version.material
    assert site_date(version.published_at) == datetime.date(2016, 3, 31)
    assert version.document["last_updated"] == "2016-03-31"
    assert "2016-03-31" in version.summary


def test_existing_register_entries_are_linked_not_proposed_again(hub, policy_file, make_rule, make_processor):
    rule = make_rule(code="COMP-01", record_class="Complaint files", period="P2Y", trigger="the closure of the case")
    casebook = make_processor(name="Casebook Online", slug="casebook")
    report = json.loads(run(policy_file(), "--dry-run", "--format", "json"))
    [planned_rule] = report["retention_rules"]
    assert planned_rule["action"] == "link" and planned_rule["id"] == rule.pk
    planned = {processor["name"]: processor for processor in report["processors"]}
    assert planned["Casebook Online"]["action"] == "link" and planned["Casebook Online"]["id"] == casebook.pk


def test_audience_option_imports_the_whole_policy_as_one_notice(hub, policy_file):
    run(policy_file(), "--audience", "helpline-callers")
    [notice] = PrivacyNoticePage.objects.child_of(hub).specific()
    assert notice.audience.slug == "helpline-callers"
    assert Audience.objects.get(slug="helpline-callers").name == "People who call our helpline"


def test_parent_by_path_or_id_and_an_unknown_parent(hub, policy_file):
    assert "Dry run" in run(policy_file(), "--parent", "/privacy/", "--dry-run")
    assert "Dry run" in run(policy_file(), "--parent", str(hub.pk), "--dry-run")
    with pytest.raises(CommandError, match="no hub of privacy notices"):
        run(policy_file(), "--parent", "/nowhere/")


def test_without_a_hub_a_draft_hub_is_created(site_root, policy_file):
    run(policy_file())
    hub = PrivacyNoticeIndexPage.objects.get()
    assert not hub.live and hub.get_parent().pk == site_root.pk
    assert PrivacyNoticePage.objects.child_of(hub).count() == 2


def test_reading_standard_input(hub):
    report = json.loads(
        run("-", "--dry-run", "--format", "json", "--input-format", "markdown", stdin=io.StringIO(POLICY))
    )
    assert report["source"]["format"] == "markdown"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x00\x01\x02binary\x00data" * 10, "binary"),
        ("Notre politique de confidentialit\u00e9".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(hub, policy_file, data, message):
    before = counts()
    with pytest.raises(CommandError, match=message):
        run(policy_file(name="policy.txt", data=data))
    assert counts() == before


def test_the_size_limit(hub, policy_file):
    before = counts()
    with override_settings(PRIVACY_NOTICES_IMPORT_MAX_BYTES=100), pytest.raises(CommandError, match="largest policy"):
        run(policy_file())
    assert counts() == before


def test_a_declared_encoding_is_read(hub, policy_file):
    page = "<html><head><meta charset='windows-1252'></head><body><h2>Visitors to our websites</h2><p>Caf\u00e9.</p>"
    report = json.loads(run(policy_file(name="p.html", data=page.encode("cp1252")), "--dry-run", "--format", "json"))
    assert report["source"]["encoding"] == "windows-1252"


def test_html_without_headings_is_one_section_of_one_notice_with_a_warning(hub, policy_file):
    page = "<html><body><p>We keep your emails for 30 days from receipt.</p><p>Then we delete them.</p></body></html>"
    out = run(policy_file(name="policy.html", text=page))
    assert "no headings" in out
    [notice] = PrivacyNoticePage.objects.child_of(hub).specific()
    types = [block.block_type for block in notice.sections]
    assert types[0] == "text"
    assert "30 days" in notice.sections[0].value["body"].source


def test_a_notice_with_unpublished_changes_is_not_replaced(hub, policy_file, make_notice):
    notice = make_notice()  # for the audience "complainants"
    notice.summary = "Work in progress"
    notice.save_revision()
    before = counts()
    with pytest.raises(CommandError, match="draft changes"):
        run(policy_file())
    assert counts() == before


def test_an_import_is_one_transaction(hub):
    """If writing fails part-way (here another process took a planned code), nothing of it is kept."""
    plan = plan_import(read_policy(POLICY.encode(), "policy.md"))
    planned = next(entry for entry in plan.processors if entry.action == "create")
    Processor.objects.create(name="Taken meanwhile", slug=planned.instance.slug)
    before = counts()
    with pytest.raises(IntegrityError):
        apply_plan(plan)
    assert counts() == before


def test_an_existing_audience_given_is_the_one_imported_into(hub, policy_file):
    volunteers = Audience.objects.create(slug="volunteers", name="Our volunteers")
    report = json.loads(run(policy_file(), "--dry-run", "--format", "json", "--audience", "volunteers"))
    [notice] = report["notices"]
    assert notice["audience"] == "volunteers" and notice["action"] == "create"
    assert [a["id"] for a in report["audiences"]] == [volunteers.pk]
    # Everything but the sections for everyone is in it: the introduction and both audiences' text.
    headings = [section["heading"] for section in notice["sections"]]
    assert headings[:3] == ["Privacy notice", "People who make a complaint to us", "Who we share it with"]


def test_an_audience_slug_that_reads_like_the_hub_is_an_audience(hub, policy_file):
    report = json.loads(run(policy_file(), "--dry-run", "--format", "json", "--audience", "hub"))
    [notice] = report["notices"]
    assert notice["audience"] == "hub" and len(notice["sections"]) >= 3


def test_two_sections_for_one_audience_make_one_notice(hub, policy_file):
    Audience.objects.create(slug="cctv-registrants", name="People who register a CCTV camera")
    text = (
        "## People who register a CCTV camera\n\nWe record where the camera is.\n\n"
        "## People who register cameras with CCTV at home\n\nWe publish the register.\n"
    )
    report = json.loads(run(policy_file(text), "--dry-run", "--format", "json"))
    [notice] = report["notices"]
    assert notice["audience"] == "cctv-registrants"
    run(policy_file(text))
    assert PrivacyNoticePage.objects.child_of(hub).count() == 1


def test_headings_without_text_are_refused(hub, policy_file):
    before = counts()
    with pytest.raises(CommandError, match="no text under them"):
        run(policy_file("# Privacy notice\n\n## Your rights\n"))
    assert counts() == before


def test_offsets_end_after_an_entity_as_written(hub, policy_file):
    page = "<h2>Visitors to our websites</h2><p>We keep logs for 30 days from receipt.&rdquo;</p>"
    report = json.loads(run(policy_file(name="p.html", text=page), "--dry-run", "--format", "json"))
    [finding] = [f for f in report["findings"] if f["kind"] == "retention"]
    assert page[finding["sentence"]["start"] : finding["sentence"]["end"]].endswith("receipt.&rdquo;")


def test_a_copied_notice_does_not_keep_the_imported_date(hub, policy_file):
    run(policy_file())
    notice = PrivacyNoticePage.objects.get(audience__slug="complainants")
    copy = notice.copy(update_attrs={"slug": "complainants-copy", "title": "Copy"})
    assert copy.specific.imported_last_updated is None
