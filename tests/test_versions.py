"""Versions of a notice: recorded on every publish, immutable, and findable by date."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import swapper
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow

from privacy_notices.document import resolve_notice
from privacy_notices.models import NoticeVersion, PrivacyNoticePage
from privacy_notices.versions import ImmutableVersion, VersionCause, content_hash, record_version
from tests.conftest import section
from tests.test_admin_notices import notice_form, publish

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")


def publish_edit(notice, *, change="", material=True, **fields):
    """Publish a new revision of a live notice, as the editor's Publish button does."""
    page = PrivacyNoticePage.objects.get(pk=notice.pk)
    for name, value in fields.items():
        setattr(page, name, value)
    page.change_summary = change
    page.material_change = material
    page.save_revision().publish()
    return PrivacyNoticePage.objects.get(pk=notice.pk)


def test_first_publish_records_version_1_as_first_published(make_notice, make_rule):
    rule = make_rule(record_class="Complaint case files")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    version = NoticeVersion.objects.get(notice=notice)
    assert (version.number, version.summary, version.material) == (1, "First published", True)
    assert version.cause == VersionCause.NOTICE_PUBLISHED
    assert version.published_at == notice.last_published_at
    assert version.document["version"] == 1
    assert version.document["sections"][0]["rules"][0]["record_class"] == "Complaint case files"
    assert version.content_hash == content_hash(resolve_notice(notice))


def test_a_publish_sequence_records_numbered_versions_and_last_updated_follows_material_ones(make_notice):
    notice = make_notice()
    notice = publish_edit(notice, change="Corrected a typo in the summary.", material=False, summary="Fixed.")
    notice = publish_edit(notice, change="We now share complaints with the Ombudsman.", title="New title")
    versions = list(NoticeVersion.objects.filter(notice=notice).order_by("number"))
    assert [(v.number, v.material) for v in versions] == [(1, True), (2, False), (3, True)]
    assert versions[2].summary == "We now share complaints with the Ombudsman."
    assert versions[2].document["title"] == "New title"
    # Version 2 was not material: its snapshot keeps version 1's "last updated".
    assert versions[1].document["last_updated"] == timezone.localdate(versions[0].published_at).isoformat()
    assert resolve_notice(notice)["version"] == 3


def test_last_updated_does_not_move_for_a_correction(make_notice):
    notice = make_notice()
    first = NoticeVersion.objects.get(notice=notice)
    record_version(
        notice,
        cause=VersionCause.NOTICE_PUBLISHED,
        summary="Typo",
        material=False,
        published_at=first.published_at + datetime.timedelta(days=40),
    )
    assert resolve_notice(notice)["last_updated"] == timezone.localdate(first.published_at).isoformat()


def test_versions_cannot_be_changed_or_deleted(make_notice):
    notice = make_notice()
    version = NoticeVersion.objects.get(notice=notice)
    version.summary = "Rewritten history"
    with pytest.raises(ImmutableVersion):
        version.save()
    with pytest.raises(ImmutableVersion):
        version.delete()
    with pytest.raises(ImmutableVersion):
        NoticeVersion.objects.filter(pk=version.pk).update(summary="Rewritten")
    with pytest.raises(ImmutableVersion):
        NoticeVersion.objects.filter(pk=version.pk).delete()
    assert NoticeVersion.objects.get(pk=version.pk).summary == "First published"


def test_version_numbers_are_unique_per_notice(make_notice):
    notice = make_notice()
    with pytest.raises(IntegrityError), transaction.atomic():
        NoticeVersion.objects.create(
            notice=notice,
            number=1,
            published_at=timezone.now(),
            material=True,
            summary="x",
            document={},
            content_hash="",
            cause=VersionCause.NOTICE_PUBLISHED,
        )


def test_a_snapshot_is_unaffected_by_later_edits_and_deletion_of_entries(make_notice, make_rule, make_processor):
    rule = make_rule(record_class="Call recordings", period="P90D", trigger="the call")
    processor = make_processor(name="Moorside Telecom")
    notice = make_notice(
        [
            section("sharing", heading="Who", processors=[processor.pk]),
            section("retention", heading="How long", rules=[rule.pk]),
        ]
    )
    snapshot = json.dumps(NoticeVersion.objects.get(notice=notice, number=1).document)

    rule.period = "P30D"
    rule.save_revision().publish()
    publish_edit(notice, change="We no longer use Moorside Telecom.", sections=json.dumps([]))
    processor.delete()
    rule.delete()

    assert json.dumps(NoticeVersion.objects.get(notice=notice, number=1).document) == snapshot
    assert "Moorside Telecom" in snapshot and "90 days" in snapshot


def test_scheduled_publishing_records_a_version(make_notice):
    notice = make_notice()
    page = PrivacyNoticePage.objects.get(pk=notice.pk)
    page.title = "Scheduled title"
    page.change_summary = "New title, scheduled."
    page.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    page.save_revision().publish()  # scheduled: nothing recorded yet
    assert NoticeVersion.objects.filter(notice=notice).count() == 1

    # An hour passes: move the scheduled time into the past wherever Wagtail stored it.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision = PrivacyNoticePage.objects.get(pk=notice.pk).latest_revision
    content = {**revision.content, "go_live_at": past.isoformat()}
    type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=past, content=content)
    PrivacyNoticePage.objects.filter(pk=notice.pk).update(go_live_at=past)
    call_command("publish_scheduled", verbosity=0)

    latest = NoticeVersion.objects.filter(notice=notice).latest("number")
    assert (latest.number, latest.summary, latest.document["title"]) == (2, "New title, scheduled.", "Scheduled title")


def test_publishing_at_the_end_of_a_workflow_records_a_version(make_notice, admin_user):
    notice = make_notice()
    page = PrivacyNoticePage.objects.get(pk=notice.pk)
    page.title = "Approved title"
    page.change_summary = "Approved change."
    page.save_revision(user=admin_user)
    workflow = Workflow.objects.get(name="Moderators approval")
    workflow_state = workflow.start(page, admin_user)
    workflow_state.current_task_state.approve(user=admin_user)

    latest = NoticeVersion.objects.filter(notice=notice).latest("number")
    assert (latest.number, latest.summary, latest.document["title"]) == (2, "Approved change.", "Approved title")


def test_the_editor_must_say_what_changed_when_publishing_a_change(admin_client, make_notice, audience):
    notice = make_notice(slug="complainants")
    url = reverse("wagtailadmin_pages:edit", args=(notice.pk,))
    assert admin_client.get(url).context["form"].initial["change_summary"] == ""  # a fresh edit starts blank

    response = admin_client.post(url, publish(notice_form([], audience=audience, title="Changed")))
    assert response.status_code == 200
    assert "shown to the public in the notice" in " ".join(response.context["form"].errors["change_summary"])
    assert NoticeVersion.objects.filter(notice=notice).count() == 1

    # A notice with no sections has compliance gaps: the administrator says why it is published anyway.
    response = admin_client.post(
        url,
        publish(
            notice_form(
                [],
                audience=audience,
                title="Changed",
                change_summary="New title.",
                compliance_override_reason="A test notice.",
            )
        ),
    )
    assert response.status_code == 302
    assert NoticeVersion.objects.filter(notice=notice).latest("number").summary == "New title."


def test_a_notice_with_a_history_cannot_be_deleted_in_the_admin(admin_client, make_notice):
    notice = make_notice()
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=(notice.pk,)), follow=True)
    assert PrivacyNoticePage.objects.filter(pk=notice.pk).exists()
    assert "keep their public history" in response.content.decode()


def test_notices_published_before_versions_get_a_first_version(make_notice):
    notice = make_notice(publish_it=False)
    published_at = datetime.datetime(2016, 10, 14, 9, 0, tzinfo=UTC)
    PrivacyNoticePage.objects.filter(pk=notice.pk).update(live=True, last_published_at=published_at)

    call_command("record_notice_versions", verbosity=0)
    call_command("record_notice_versions", verbosity=0)

    version = NoticeVersion.objects.get(notice=notice)
    assert (version.number, version.cause, version.published_at) == (1, VersionCause.RECORDED_EXISTING, published_at)
    assert version.document["last_updated"] == "2016-10-14"


class TestInForceOn:
    """The version in force on a day: the last published by the end of that day in the site's zone."""

    @pytest.fixture
    def notice(self, make_notice):
        return make_notice(publish_it=False)

    def record(self, notice, when, **kwargs):
        return record_version(notice, cause=VersionCause.NOTICE_PUBLISHED, published_at=when, **kwargs)

    def in_force(self, notice, day):
        version = NoticeVersion.objects.filter(notice=notice).in_force_on(day)
        return version.number if version else None

    def test_before_the_first_version_nothing_was_in_force(self, notice):
        self.record(notice, datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON))
        assert self.in_force(notice, datetime.date(2026, 3, 9)) is None
        assert self.in_force(notice, datetime.date(2026, 3, 10)) == 1

    def test_several_versions_on_one_day_the_last_is_in_force(self, notice):
        self.record(notice, datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON))
        self.record(notice, datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON), summary="b")
        self.record(notice, datetime.datetime(2026, 3, 10, 23, 59, 59, tzinfo=LONDON), summary="c")
        assert self.in_force(notice, datetime.date(2026, 3, 10)) == 3

    def test_a_version_at_midnight_belongs_to_the_day_it_starts(self, notice):
        self.record(notice, datetime.datetime(2026, 6, 1, 9, 0, tzinfo=LONDON))
        self.record(notice, datetime.datetime(2026, 6, 3, 0, 0, tzinfo=LONDON), summary="b")
        assert self.in_force(notice, datetime.date(2026, 6, 2)) == 1
        assert self.in_force(notice, datetime.date(2026, 6, 3)) == 2

    def test_the_day_the_clocks_go_forward(self, notice):
        # 29 March 2026: 01:00 GMT becomes 02:00 BST. 23:30 UTC on the 29th is 00:30 BST on the 30th.
        self.record(notice, datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC))
        self.record(notice, datetime.datetime(2026, 3, 29, 23, 30, tzinfo=UTC), summary="b")
        assert self.in_force(notice, datetime.date(2026, 3, 29)) == 1
        assert self.in_force(notice, datetime.date(2026, 3, 30)) == 2

    def test_the_day_the_clocks_go_back(self, notice):
        # 25 October 2026: 02:00 BST becomes 01:00 GMT; 23:30 UTC on the 25th is 23:30 GMT, still the 25th.
        self.record(notice, datetime.datetime(2026, 10, 24, 23, 30, tzinfo=UTC))  # 00:30 BST on the 25th
        self.record(notice, datetime.datetime(2026, 10, 25, 23, 30, tzinfo=UTC), summary="b")
        assert self.in_force(notice, datetime.date(2026, 10, 24)) is None
        assert self.in_force(notice, datetime.date(2026, 10, 25)) == 2


def test_the_editor_shows_the_latest_version_beside_about_this_change(admin_client, make_notice):
    notice = make_notice()
    page = admin_client.get(reverse("wagtailadmin_pages:edit", args=(notice.pk,))).content.decode()
    assert "About this change" in page
    assert "version 1" in page and "First published" in page


def test_a_first_publish_scheduled_for_later_is_recorded_only_when_it_goes_live(make_notice):
    notice = make_notice(publish_it=False)
    page = PrivacyNoticePage.objects.get(pk=notice.pk)
    page.go_live_at = timezone.now() + datetime.timedelta(days=1)
    page.save_revision().publish()
    assert not PrivacyNoticePage.objects.get(pk=notice.pk).live
    assert not NoticeVersion.objects.filter(notice=notice).exists()


def test_a_new_instance_given_an_existing_pk_cannot_overwrite_a_version(make_notice):
    notice = make_notice()
    version = NoticeVersion.objects.get(notice=notice)
    forged = NoticeVersion(
        pk=version.pk,
        notice=notice,
        number=1,
        published_at=version.published_at,
        material=True,
        summary="FORGED",
        document={},
        content_hash="",
        cause=VersionCause.NOTICE_PUBLISHED,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()
    with pytest.raises(ImmutableVersion):
        NoticeVersion.objects.bulk_create(
            [forged], update_conflicts=True, unique_fields=["id"], update_fields=["summary"]
        )
    with pytest.raises(ImmutableVersion):
        NoticeVersion.objects.bulk_update([version], ["summary"])
    assert NoticeVersion.objects.get(pk=version.pk).summary == "First published"


def test_snapshot_dates_are_the_sites_whatever_zone_the_editor_uses(make_notice):
    notice = make_notice(publish_it=False)
    # 23:30 in London on 1 June is already 2 June in Auckland, where this editor works.
    with timezone.override(ZoneInfo("Pacific/Auckland")):
        version = record_version(
            notice,
            cause=VersionCause.NOTICE_PUBLISHED,
            published_at=datetime.datetime(2026, 6, 1, 23, 30, tzinfo=LONDON),
        )
        assert version.document["last_updated"] == "2026-06-01"
        assert resolve_notice(notice)["last_updated"] == "2026-06-01"


def test_bulk_deleting_a_notice_with_a_history_is_refused_and_deletes_nothing(admin_client, hub, make_notice):
    notice = make_notice()
    base_page = swapper.load_model("wagtailcore", "Page")._meta  # the bulk action is the base page model's
    url = reverse("wagtail_bulk_action", args=(base_page.app_label, base_page.model_name, "delete"))
    url += f"?id={notice.pk}&next=/admin/"
    response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    assert PrivacyNoticePage.objects.filter(pk=notice.pk).exists()
    assert "keep their public history" in response.content.decode()


def test_submitting_a_change_for_approval_also_needs_a_summary(admin_client, make_notice, audience):
    notice = make_notice(slug="complainants")
    url = reverse("wagtailadmin_pages:edit", args=(notice.pk,))
    data = notice_form([], audience=audience, title="Changed")
    data["action-submit"] = "action-submit"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "change_summary" in response.context["form"].errors
