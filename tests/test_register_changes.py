"""Publishing, unpublishing or deleting a register entry records a version of every live notice it changes."""

import pytest

from privacy_notices.document import resolve_notice
from privacy_notices.models import Audience, NoticeVersion
from privacy_notices.register_changes import describe_changes
from privacy_notices.versions import VersionCause
from tests.conftest import section

pytestmark = pytest.mark.django_db


def versions_of(notice):
    return list(NoticeVersion.objects.filter(notice=notice).order_by("number"))


def republish(entry, **fields):
    """The DPO edits a published entry and publishes it, as the admin does."""
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save_revision().publish()
    entry.refresh_from_db()
    return entry


@pytest.fixture
def notices_showing(make_notice):
    """Notices for different audiences, each showing the given sections."""

    def make(count, sections):
        made = []
        for _ in range(count):
            i = Audience.objects.count()
            audience = Audience.objects.create(name=f"Audience {i}", slug=f"audience-{i}")
            made.append(make_notice(sections, slug=f"notice-{i}", title=f"Notice {i}", audience=audience))
        return made

    return make


def test_a_longer_retention_period_versions_exactly_the_notices_that_show_the_rule(notices_showing, make_rule):
    rule = make_rule(record_class="Complaint files", period="P1Y", trigger="closure")
    other = make_rule(record_class="Call recordings", period="P30D", trigger="the call")
    showing = notices_showing(3, [section("retention", heading="How long", rules=[rule.pk])])
    [bystander] = notices_showing(1, [section("retention", heading="How long", rules=[other.pk])])

    republish(rule, period="P2Y")

    for notice in showing:
        latest = versions_of(notice)[-1]
        assert latest.number == 2
        assert latest.cause == VersionCause.REGISTER_CHANGED
        assert latest.summary == "Complaint files: kept 2 years from closure, was 1 year."
        assert latest.material
        assert latest.document["sections"][0]["rules"][0]["period"] == "P2Y"
        assert resolve_notice(notice)["last_updated"] == latest.document["last_updated"]
    assert [v.number for v in versions_of(bystander)] == [1]


def test_a_shorter_period_is_recorded_but_not_material(make_notice, make_rule):
    rule = make_rule(record_class="Complaint files", period="P2Y", trigger="closure")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    republish(rule, period="P1Y")
    latest = versions_of(notice)[-1]
    assert (latest.number, latest.material) == (2, False)
    assert latest.summary == "Complaint files: kept 1 year from closure, was 2 years."
    assert latest.document["last_updated"] == versions_of(notice)[0].document["last_updated"]


def test_drafts_change_nothing(make_notice, make_rule):
    rule = make_rule(period="P1Y")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    rule.period = "P5Y"
    rule.save_revision()  # saved as a draft, not published
    assert [v.number for v in versions_of(notice)] == [1]


def test_publishing_an_entry_unchanged_records_nothing(make_notice, make_rule):
    rule = make_rule()
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    republish(rule)
    assert [v.number for v in versions_of(notice)] == [1]


def test_unpublishing_a_rule_removes_it_from_the_notice_and_says_so(make_notice, make_rule):
    rule = make_rule(record_class="Call recordings")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    rule.unpublish()
    latest = versions_of(notice)[-1]
    assert (latest.summary, latest.material) == ("Call recordings: no longer listed.", False)
    assert latest.document["sections"][0]["rules"] == []


def test_publishing_a_chosen_draft_entry_adds_it_as_a_new_recipient(make_notice, make_processor):
    processor = make_processor(name="Snap Surveys", service="Surveys", draft=True)
    notice = make_notice([section("sharing", heading="Who", processors=[processor.pk])])
    republish(processor)
    latest = versions_of(notice)[-1]
    assert (latest.summary, latest.material) == ("We now share information with Snap Surveys (Surveys).", True)


def test_processor_changes_are_summarised_and_weighed(make_notice, make_processor):
    processor = make_processor(name="Hotjar", countries=["GB"], purposes="Heatmaps of how pages are usd")
    notice = make_notice([section("sharing", heading="Who", processors=[processor.pk])])

    republish(processor, countries=["GB", "MT"], transfer_safeguard="uk_adequacy")
    latest = versions_of(notice)[-1]
    assert latest.material
    assert latest.summary == (
        "Hotjar: data now held in United Kingdom and Malta, was United Kingdom; "
        "Hotjar: transfers now protected by UK adequacy regulations, was None needed: data stays in the UK."
    )

    republish(processor, purposes="Heatmaps of how pages are used")  # a typo fixed
    latest = versions_of(notice)[-1]
    assert (latest.number, latest.summary, latest.material) == (3, "Hotjar: details corrected.", False)

    republish(processor, purposes="Heatmaps of how pages are used\nRecordings of whole visits")
    latest = versions_of(notice)[-1]
    assert (latest.number, latest.material) == (4, True)
    assert latest.summary == "Hotjar: now receives more information, or for more purposes."


def test_cookies_a_new_category_is_material_a_new_cookie_in_a_shown_category_is_not(make_notice, make_cookie):
    make_cookie(name="csrftoken", category="strictly_necessary")
    notice = make_notice(
        [section("cookies", heading="Cookies", categories=["strictly_necessary", "analytics", "marketing"])]
    )
    make_cookie(name="_ga", category="analytics")
    latest = versions_of(notice)[-1]
    assert (latest.summary, latest.material) == ("New analytics cookie: _ga.", True)

    make_cookie(name="_gid", category="analytics")
    latest = versions_of(notice)[-1]
    assert (latest.summary, latest.material) == ("New analytics cookie: _gid.", False)


def test_the_dpo_can_write_the_summary_and_overrule_the_flag(make_notice, make_rule):
    rule = make_rule(record_class="Complaint files", period="P1Y", trigger="closure")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    republish(
        rule,
        period="P2Y",
        change_summary="We corrected the period to match the schedule we already followed.",
        change_materiality="not_material",
    )
    latest = versions_of(notice)[-1]
    assert latest.summary == "We corrected the period to match the schedule we already followed."
    assert not latest.material


def test_the_dpos_notes_start_blank_on_the_next_edit(admin_client, make_rule):
    from django.urls import reverse

    rule = make_rule()
    republish(rule, change_summary="First note", change_materiality="material")
    form = admin_client.get(reverse("wagtailsnippets_retention_schedule_retentionrule:edit", args=(rule.pk,))).context[
        "form"
    ]
    assert form.initial["change_summary"] == ""
    assert form.initial["change_materiality"] == "automatic"


def test_deleting_an_unused_entry_changes_no_notice(make_notice, make_rule):
    shown, unused = make_rule(record_class="Shown"), make_rule(record_class="Unused")
    notice = make_notice([section("retention", heading="How long", rules=[shown.pk])])
    unused.delete()
    assert [v.number for v in versions_of(notice)] == [1]


def test_describe_changes_with_nothing_to_say_is_not_material():
    assert describe_changes({"sections": []}, {"sections": []}) == ("Details from our registers updated", False)


def test_on_the_demo_a_rule_change_versions_exactly_the_three_notices_that_show_it(client):
    from django.core.management import call_command

    from privacy_notices.models import PrivacyNoticePage
    from retention_schedule.models import RetentionRule

    call_command("load_demo_content", verbosity=0)
    live = list(PrivacyNoticePage.objects.live())
    before = {notice.slug: versions_of(notice)[-1] for notice in live}

    republish(RetentionRule.objects.get(code="INFO-01"), period="P3Y")

    after = {notice.slug: versions_of(notice)[-1] for notice in live}
    changed = {slug for slug in after if after[slug].number != before[slug].number}
    assert changed == {"complainants", "helpline-callers", "people-who-email-us"}
    for slug in changed:
        version = after[slug]
        assert version.summary == (
            "Requests to see or correct personal information: kept 3 years from our final reply, was 2 years."
        )
        assert version.material
        page = client.get(f"/privacy/{slug}/").content.decode()
        assert "3 years" in page
        history = client.get(f"/privacy/{slug}/@history").content.decode()
        assert "kept 3 years from our final reply, was 2 years" in history
        old = client.get(f"/privacy/{slug}/@history/{before[slug].number}").content.decode()
        assert "not the current version" in old
        rule_row = next(row for row in old.split("<tr") if "Requests to see or correct" in row)
        assert "2 years" in rule_row and "3 years" not in rule_row
        diff = client.get(f"/privacy/{slug}/@diff/{before[slug].number}/{version.number}")
        assert diff.status_code == 200 and "3 years" in diff.content.decode()
    # "Last updated" moved only where the change was material: the others keep theirs.
    for notice in live:
        if notice.slug not in changed:
            assert resolve_notice(notice)["last_updated"] == before[notice.slug].document["last_updated"]


def test_renaming_a_cookie_provider_versions_notices_that_only_show_its_cookies(
    make_notice, make_processor, make_cookie
):
    google = make_processor(name="Google", service="Analytics", countries=["GB"])
    make_cookie(name="_ga", category="analytics", provider=google)
    notice = make_notice([section("cookies", heading="Cookies", categories=["analytics"])])
    republish(google, name="Google Ireland")
    latest = versions_of(notice)[-1]
    assert (latest.number, latest.summary, latest.material) == (2, "_ga cookie: details corrected.", False)
    assert latest.document["sections"][0]["cookie_groups"][0]["cookies"][0]["provider"] == "Google Ireland"


def test_unpublishing_does_not_reuse_the_notes_of_the_last_publish(make_notice, make_rule):
    rule = make_rule(record_class="Complaint files", period="P1Y", trigger="closure")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    republish(
        rule, period="P2Y", change_summary="We now keep complaint files for 2 years.", change_materiality="material"
    )
    rule.unpublish()
    latest = versions_of(notice)[-1]
    assert (latest.summary, latest.material) == ("Complaint files: no longer listed.", False)


def test_unpublishing_a_processor_versions_notices_that_only_show_its_cookies(make_notice, make_processor, make_cookie):
    """A removed entry is looked for anywhere in a notice, not only in its own section."""
    google = make_processor(name="Google", service="Analytics", countries=["GB"])
    make_cookie(name="_ga", category="analytics", provider=google)
    notice = make_notice([section("cookies", heading="Cookies", categories=["analytics"])])
    google.unpublish()
    latest = versions_of(notice)[-1]
    assert latest.number == 2
    assert latest.document["sections"][0]["cookie_groups"][0]["cookies"][0]["provider_slug"] is None


def test_taking_away_an_entry_no_notice_shows_reads_no_notice(make_notice, make_rule, django_assert_max_num_queries):
    """Unpublishing or deleting compares only the notices that showed the entry: deleting many stays cheap."""
    shown = make_rule(record_class="Shown")
    for _ in range(3):
        make_notice([section("retention", heading="How long", rules=[shown.pk])])
    unused = make_rule(record_class="Unused")
    # Measured 14 and 23; comparing the three notices would add 15 to each.
    with django_assert_max_num_queries(16):
        unused.unpublish()
    with django_assert_max_num_queries(25):
        unused.delete()
