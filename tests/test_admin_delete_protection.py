"""A register entry that a live notice shows cannot be deleted: not through the
admin's delete view, not through the bulk delete action, not through the ORM.

Entries shown only on drafts, or on no notice, delete as usual.
"""

import contextlib
import html

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from privacy_notices.models import Audience, CookieDeclaration, Processor
from retention_schedule.in_use import EntryInUse
from retention_schedule.models import RetentionRule
from tests.conftest import section

pytestmark = pytest.mark.django_db

NOTICE_TITLE = "Complainants' privacy notice"


def text(response):
    return html.unescape(response.content.decode())


def url(entry, view, *args):
    meta = entry._meta
    name = f"wagtailsnippets_{meta.app_label}_{meta.model_name}:{view}"
    return reverse(name, args=args)


def bulk_delete_url(model, *entries):
    meta = model._meta
    query = "&".join(f"id={entry.pk}" for entry in entries)
    listing = reverse(f"wagtailsnippets_{meta.app_label}_{meta.model_name}:list")
    target = reverse("wagtail_bulk_action", args=(meta.app_label, meta.model_name, "delete"))
    return f"{target}?{query}&next={listing}"


def messages_of(response):
    return [html.unescape(str(m)).strip() for m in response.context["messages"]]


@pytest.fixture
def dpo(client, django_user_model):
    """The client, logged in as a superuser: the DPO tidying up the registers."""
    user = django_user_model.objects.create_superuser("dpo", "dpo@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def entries(make_processor, make_rule, make_cookie):
    return {
        "processor": make_processor(name="Egress", service="Secure email"),
        "rule": make_rule(code="COMP-01", record_class="Complaint case files"),
        "cookie": make_cookie(name="sessionid", category="strictly_necessary"),
    }


def sections_showing(entries):
    return [
        section("sharing", heading="Who we share it with", processors=[entries["processor"].pk]),
        section("retention", heading="How long we keep it", rules=[entries["rule"].pk]),
        section("cookies", heading="Cookies", categories=[], cookies=[entries["cookie"].pk]),
    ]


ENTRY_KINDS = ["processor", "rule", "cookie"]


# The delete view ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ENTRY_KINDS)
class TestDeleteViewRefusesEntriesOnLiveNotices:
    def test_confirmation_page_names_the_notice_and_offers_no_delete(self, dpo, make_notice, entries, kind):
        notice = make_notice(sections_showing(entries), title=NOTICE_TITLE)
        entry = entries[kind]

        response = dpo.get(url(entry, "delete", entry.pk))

        assert response.status_code == 200
        body = text(response)
        assert "data-in-use-refusal" in body
        assert f"“{entry}” cannot be deleted because it is shown on “{NOTICE_TITLE}”" in body
        assert f'href="{notice.url}"' in body
        assert "Yes, delete" not in body

    def test_post_is_refused_and_changes_nothing(self, dpo, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE)
        entry = entries[kind]

        response = dpo.post(url(entry, "delete", entry.pk))

        assert response.status_code == 302
        assert response.url == url(entry, "delete", entry.pk)
        response = dpo.get(response.url)
        assert [
            f"“{entry}” cannot be deleted because it is shown on “{NOTICE_TITLE}”. "
            "Remove it from those notices and publish them first."
        ] == messages_of(response)
        assert type(entry).objects.filter(pk=entry.pk).exists()

    def test_every_live_notice_showing_it_is_named(self, dpo, make_notice, entries, kind):
        make_notice(sections_showing(entries), title="Complainants")
        make_notice(sections_showing(entries), title="Job applicants")
        entry = entries[kind]

        body = text(dpo.get(url(entry, "delete", entry.pk)))

        assert "shown on “Complainants” and “Job applicants”" in body

    def test_a_draft_removing_it_does_not_free_it(self, dpo, make_notice, entries, kind):
        """The live version still shows the entry until the draft is published."""
        notice = make_notice(sections_showing(entries), title=NOTICE_TITLE)
        notice.sections = []
        notice.save_revision()
        entry = entries[kind]

        response = dpo.post(url(entry, "delete", entry.pk))

        assert response.status_code == 302
        assert type(entry).objects.filter(pk=entry.pk).exists()

    def test_publishing_the_removal_frees_it(self, dpo, make_notice, entries, kind):
        notice = make_notice(sections_showing(entries), title=NOTICE_TITLE)
        notice.sections = []
        notice.save_revision().publish()
        entry = entries[kind]

        response = dpo.post(url(entry, "delete", entry.pk))

        assert response.status_code == 302
        assert response.url == url(entry, "list")
        assert not type(entry).objects.filter(pk=entry.pk).exists()

    def test_unpublishing_the_notice_frees_it(self, dpo, make_notice, entries, kind):
        notice = make_notice(sections_showing(entries), title=NOTICE_TITLE)
        notice.unpublish()
        entry = entries[kind]

        response = dpo.post(url(entry, "delete", entry.pk))

        assert response.status_code == 302
        assert not type(entry).objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("kind", ENTRY_KINDS)
class TestDeleteViewAllowsEntriesNotShownLive:
    def test_shown_only_on_a_draft_notice(self, dpo, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE, publish_it=False)
        entry = entries[kind]

        response = dpo.get(url(entry, "delete", entry.pk))
        assert response.status_code == 200
        body = text(response)
        assert "Yes, delete" in body
        assert "data-in-use-refusal" not in body

        response = dpo.post(url(entry, "delete", entry.pk))
        assert response.status_code == 302
        assert response.url == url(entry, "list")
        assert not type(entry).objects.filter(pk=entry.pk).exists()

    def test_shown_on_no_notice(self, dpo, make_notice, entries, kind):
        make_notice([section("rights", heading="Your rights", rights=["access"])])
        entry = entries[kind]

        response = dpo.post(url(entry, "delete", entry.pk), follow=True)

        assert response.status_code == 200
        assert f"'{entry}' deleted." in " ".join(messages_of(response))
        assert not type(entry).objects.filter(pk=entry.pk).exists()


class TestCookieCategories:
    def test_a_cookie_shown_by_its_whole_category_is_protected(self, dpo, make_notice, make_cookie):
        analytics = make_cookie(name="_ga", category="analytics", purpose="Counts visits.")
        marketing = make_cookie(name="_fbp", category="marketing", purpose="Adverts.")
        make_notice(
            [section("cookies", heading="Cookies", categories=["analytics"], cookies=[])],
            title=NOTICE_TITLE,
        )

        body = text(dpo.get(url(analytics, "delete", analytics.pk)))
        assert f"“_ga” cannot be deleted because it is shown on “{NOTICE_TITLE}”" in body
        assert "Yes, delete" not in body

        dpo.post(url(analytics, "delete", analytics.pk))
        assert CookieDeclaration.objects.filter(pk=analytics.pk).exists()

        # A cookie in another category is not shown, so it may go.
        dpo.post(url(marketing, "delete", marketing.pk))
        assert not CookieDeclaration.objects.filter(pk=marketing.pk).exists()


class TestDatabaseProtection:
    """Wagtail's own refusal for rows a foreign key protects still works beside ours."""

    def test_an_audience_with_a_notice_cannot_be_deleted(self, dpo, make_notice, audience):
        make_notice([], title=NOTICE_TITLE, publish_it=False)

        body = text(dpo.get(url(audience, "delete", audience.pk)))
        assert "prevent it from being deleted" in body
        assert "Yes, delete" not in body

        dpo.post(url(audience, "delete", audience.pk))
        assert Audience.objects.filter(pk=audience.pk).exists()

    def test_a_processor_providing_a_cookie_cannot_be_deleted(self, dpo, make_processor, make_cookie):
        google = make_processor(name="Google", service="Analytics")
        make_cookie(name="_ga", category="analytics", provider=google)

        body = text(dpo.get(url(google, "delete", google.pk)))
        assert "prevent it from being deleted" in body
        assert "Yes, delete" not in body

        dpo.post(url(google, "delete", google.pk))
        assert Processor.objects.filter(pk=google.pk).exists()


# Bulk delete --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ENTRY_KINDS)
class TestBulkDelete:
    def test_refused_for_an_entry_in_use(self, dpo, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE)
        entry = entries[kind]
        model = type(entry)
        target = bulk_delete_url(model, entry)

        assert dpo.get(target).status_code == 200
        response = dpo.post(target, follow=True)

        assert response.redirect_chain[0][0] == url(entry, "list")
        assert (
            f"“{entry}” cannot be deleted because it is shown on “{NOTICE_TITLE}”. "
            "Remove it from those notices and publish them first."
        ) in messages_of(response)
        assert model.objects.filter(pk=entry.pk).exists()

    def test_one_entry_in_use_stops_the_whole_batch(
        self, dpo, make_notice, entries, make_processor, make_rule, make_cookie, kind
    ):
        make_notice(sections_showing(entries), title=NOTICE_TITLE)
        entry = entries[kind]
        model = type(entry)
        unused = {
            "processor": make_processor,
            "rule": make_rule,
            "cookie": make_cookie,
        }[kind]()
        before = model.objects.count()

        response = dpo.post(bulk_delete_url(model, unused, entry), follow=True)

        assert any("cannot be deleted" in m for m in messages_of(response))
        assert not any("deleted." in m and "cannot" not in m for m in messages_of(response))
        assert model.objects.count() == before
        assert model.objects.filter(pk=unused.pk).exists()

    def test_allowed_for_entries_not_shown_live(self, dpo, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE, publish_it=False)
        entry = entries[kind]
        model = type(entry)

        response = dpo.post(bulk_delete_url(model, entry), follow=True)

        assert response.status_code == 200
        assert not model.objects.filter(pk=entry.pk).exists()


# The ORM ------------------------------------------------------------------------------

# The guard refuses in delete(), before Django opens its delete transaction, so a
# caller may catch it and go on (see the last test). The savepoints below only
# keep each refusal separate.


@pytest.mark.parametrize("kind", ENTRY_KINDS)
class TestOrmDelete:
    def test_instance_delete_raises(self, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE)
        entry = entries[kind]

        with pytest.raises(EntryInUse) as raised, transaction.atomic():
            entry.delete()

        assert isinstance(raised.value, ProtectedError)
        assert raised.value.entry == entry
        assert [use.title for use in raised.value.uses] == [NOTICE_TITLE]
        assert f"shown on “{NOTICE_TITLE}”" in str(raised.value)
        assert type(entry).objects.filter(pk=entry.pk).exists()

    def test_queryset_delete_raises(self, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE)
        entry = entries[kind]
        model = type(entry)

        with pytest.raises(EntryInUse), transaction.atomic():
            model.objects.filter(pk=entry.pk).delete()
        with pytest.raises(EntryInUse), transaction.atomic():
            model.objects.all().delete()

        assert model.objects.filter(pk=entry.pk).exists()

    def test_entry_not_shown_live_deletes(self, make_notice, entries, kind):
        make_notice(sections_showing(entries), title=NOTICE_TITLE, publish_it=False)
        entry = entries[kind]
        entry.delete()
        assert not type(entry).objects.filter(pk=entry.pk).exists()


def test_catching_the_refusal_leaves_the_transaction_usable(make_notice, entries):
    make_notice(sections_showing(entries), title=NOTICE_TITLE)
    rule = entries["rule"]
    with transaction.atomic():
        with contextlib.suppress(ProtectedError):
            rule.delete()
        assert RetentionRule.objects.filter(pk=rule.pk).exists()
