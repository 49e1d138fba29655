"""Shared fixtures: a site with a hub, the organisation settings, and builders for register entries and notices.

Register entries are created the way the admin creates them: saved, then a
revision published (or left as a draft). Notices are added under the hub and
published through Wagtail's revisions.
"""

import json
import uuid

import pytest
from wagtail.models import Site

from privacy_notices.models import (
    Audience,
    CookieDeclaration,
    OrganisationSettings,
    PrivacyNoticeIndexPage,
    PrivacyNoticePage,
    Processor,
)
from retention_schedule.models import RetentionRule


def _unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def publish(entry, user=None):
    """Save an entry and publish a revision of it, as the admin's Publish button does."""
    entry.save()
    entry.save_revision(user=user).publish(user=user)
    entry.refresh_from_db()
    return entry


def save_draft(entry, user=None):
    """Save a never-published entry as a draft, as the admin's Save draft button does."""
    entry.live = False
    entry.save()
    entry.save_revision(user=user)
    return entry


def section(block_type, **value):
    """One raw StreamField section, e.g. section("retention", rules=[rule.pk])."""
    for key in ("processors", "rules", "cookies", "categories", "purposes", "other_recipients"):
        if key in value and key not in ("categories",):
            value[key] = [{"type": "item", "value": v, "id": str(uuid.uuid4())} for v in value[key]]
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def uncached():
    """Public answers built by the views every time: for counting the queries a view costs, not the cache's."""
    from django.test import override_settings

    return override_settings(PRIVACY_NOTICES_CACHE=None)


def queries_for(client, url) -> int:
    """The queries an anonymous GET of ``url`` costs the views (a 200), as on a running site with the cache off."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with uncached():  # the views' own work, not the cache's answer
        client.get(url)  # warm per-process caches (site root paths), as a running site has
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        return len(captured.captured_queries)


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: a cached answer from an earlier test's rows must not be served.

    (The generation in every key changes whenever a row is saved, but a test may build the same rows an
    earlier test built, in a rolled-back transaction the cache never heard about.)
    """
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


@pytest.fixture
def site_root(db):
    return Site.objects.get(is_default_site=True).root_page


@pytest.fixture
def organisation(db):
    site = Site.objects.get(is_default_site=True)
    settings = OrganisationSettings.for_site(site)
    settings.controller_name = "Northmoor Care Standards Authority"
    settings.controller_email = "enquiries@northmoor.example"
    settings.dpo_name = "Data Protection Officer"
    settings.dpo_email = "dpo@northmoor.example"
    settings.save()
    return settings


@pytest.fixture
def hub(site_root, organisation):
    page = PrivacyNoticeIndexPage(title="How we use your information", slug="privacy", live=False)
    site_root.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def audience(db):
    return Audience.objects.create(name="People who complain", slug="complainants", data_subject="dpv:Citizen")


@pytest.fixture
def make_processor(db):
    def make(*, draft=False, **fields):
        fields.setdefault("name", "Egress")
        fields.setdefault("slug", _unique("processor"))
        fields.setdefault("service", "Secure email")
        fields.setdefault("countries", ["GB"])
        entry = Processor(**fields)
        return save_draft(entry) if draft else publish(entry)

    return make


@pytest.fixture
def make_rule(db):
    def make(*, draft=False, **fields):
        fields.setdefault("code", _unique("RULE"))
        fields.setdefault("record_class", "Complaint case files")
        fields.setdefault("business_function", "Complaints")
        fields.setdefault("period", "P2Y")
        fields.setdefault("trigger", "the closure of the case")
        entry = RetentionRule(**fields)
        return save_draft(entry) if draft else publish(entry)

    return make


@pytest.fixture
def make_cookie(db):
    def make(*, draft=False, **fields):
        fields.setdefault("name", "sessionid")
        fields.setdefault("slug", _unique("cookie"))
        fields.setdefault("purpose", "Keeps you signed in to the site's editing tools.")
        fields.setdefault("category", "strictly_necessary")
        fields.setdefault("lifetime", "P2W")
        entry = CookieDeclaration(**fields)
        return save_draft(entry) if draft else publish(entry)

    return make


@pytest.fixture
def make_notice(hub, audience):
    def make(sections=(), *, publish_it=True, parent=None, **fields):
        fields.setdefault("title", "Complainants' privacy notice")
        fields.setdefault("slug", _unique("notice"))
        fields.setdefault("audience", audience)
        fields.setdefault("summary", "How we use the information you give us when you complain.")
        # Created as a draft, as the admin does; publishing makes it live.
        page = PrivacyNoticePage(sections=json.dumps(list(sections)), live=False, **fields)
        (parent or hub).add_child(instance=page)
        revision = page.save_revision()
        if publish_it:
            revision.publish()
        page.refresh_from_db()
        return page

    return make
