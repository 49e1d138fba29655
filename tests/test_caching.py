"""The public answers come from Django's cache until something they show changes.

Each test reads a public address as the public does (anonymous, over the test
client), changes something the way an editor or DPO does (the Wagtail admin, or
Wagtail's own publish), and reads again. The cache is whatever ``CACHES`` says:
in-memory here, Redis when ``.ci/run`` sets ``PRIVACY_TEST_REDIS_URL``.
"""

import http.server
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from privacy_notices.caching import GENERATION_KEY, public_cache
from privacy_notices.organisation import OrganisationSettings
from privacy_notices.registers import Processor
from tests.conftest import section
from tests.test_admin_registers import processor_data, submit, url

pytestmark = pytest.mark.django_db


def read(client, address, **headers):
    """One anonymous GET: the response and how many queries it cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, **headers)
    return response, len(queries.captured_queries)


@pytest.fixture
def notice(make_notice, make_processor):
    processor = make_processor(name="Egress", slug="egress")
    page = make_notice([section("sharing", heading="Who we share it with", processors=[processor.pk])])
    page.processor = processor
    return page


def test_a_repeated_read_costs_no_query_and_is_the_same_answer(client, notice):
    first, cold = read(client, notice.url)
    again, warm = read(client, notice.url)
    assert cold > 0 and warm == 0
    assert again.status_code == 200 and again.content == first.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary"):
        assert again[header] == first[header], header


def test_a_conditional_read_is_answered_304_from_the_cache(client, notice):
    etag = client.get(notice.url)["ETag"]
    response, queries = read(client, notice.url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and queries == 0
    assert response["ETag"] == etag and "Accept" in response["Vary"]
    assert read(client, notice.url, HTTP_IF_NONE_MATCH='"something-else"')[0].status_code == 200


def test_each_form_of_an_address_is_kept_apart(client, notice):
    html = client.get(notice.url)
    as_json = client.get(notice.url, HTTP_ACCEPT="application/json")
    as_jsonld = client.get(notice.url + "?format=jsonld")
    assert html["Content-Type"].startswith("text/html")
    assert as_json["Content-Type"] == "application/json"
    assert as_jsonld["Content-Type"].startswith("application/ld+json")
    # Again, now from the cache: still each its own.
    assert client.get(notice.url, HTTP_ACCEPT="application/json")["Content-Type"] == "application/json"
    assert client.get(notice.url)["Content-Type"].startswith("text/html")


def test_the_resolved_document_is_shared_by_the_forms_of_one_version(client, notice):
    client.get(notice.url)  # resolves and keeps the document
    _, json_after_html = read(client, notice.url + "?format=json")
    public_cache().clear()
    _, json_cold = read(client, notice.url + "?format=json")
    assert json_after_html < json_cold


def test_publishing_a_change_shows_at_once(client, notice, django_capture_on_commit_callbacks):
    assert "Complainants" in client.get(notice.url).content.decode()
    notice.title = "People who complain: how we use your information"
    with django_capture_on_commit_callbacks(execute=True):
        notice.save_revision().publish()
    for address in (notice.url, notice.url + "?format=json", notice.url + "@history/", "/privacy/"):
        assert "People who complain: how we use" in client.get(address).content.decode(), address


def test_a_draft_never_reaches_the_public_from_the_cache(client, notice):
    client.get(notice.url)
    notice.title = "SECRET DRAFT TITLE"
    notice.save_revision()  # saved, not published
    for address in (notice.url, notice.url + "?format=json", "/privacy/"):
        assert "SECRET DRAFT TITLE" not in client.get(address).content.decode(), address


def test_a_dpo_publishing_a_processor_in_the_admin_changes_the_cached_pages(client, admin_client, notice):
    for address in (notice.url, "/privacy/@processors/", notice.url + "?format=json"):
        assert "Egress" in client.get(address).content.decode()
    target = url(Processor, "edit", notice.processor.pk)
    response = submit(admin_client, target, processor_data(name="Egress Defend", slug="egress"))
    assert response.status_code == 302, response.content.decode()[:500]
    for address in (notice.url, "/privacy/@processors/", notice.url + "?format=json", notice.url + "@history/"):
        assert "Egress Defend" in client.get(address).content.decode(), address


def test_the_organisations_settings_reach_every_cached_page(client, notice, organisation):
    client.get(notice.url)
    client.get("/privacy/")
    organisation.controller_name = "Northmoor Standards Board"
    organisation.save()
    for address in (notice.url, "/privacy/", "/privacy/?format=json"):
        assert "Northmoor Standards Board" in client.get(address).content.decode(), address


def test_unpublishing_takes_the_cached_notice_away(client, notice):
    assert client.get(notice.url).status_code == 200
    notice.unpublish()
    assert client.get(notice.url).status_code == 404
    assert notice.title not in client.get("/privacy/").content.decode()


def test_a_view_restriction_added_later_is_obeyed(client, notice):
    assert client.get(notice.url).status_code == 200
    PageViewRestriction.objects.create(page=notice, restriction_type=PageViewRestriction.PASSWORD, password="x")
    response = client.get(notice.url)
    assert response.status_code == 200 and "password" in response.content.decode().lower()
    assert "Egress" not in response.content.decode()


def test_signed_in_editors_are_never_answered_from_the_cache(client, admin_client, notice):
    client.get(notice.url)
    response, queries = read(admin_client, notice.url)
    assert queries > 0
    assert "private" in response["Cache-Control"]


def test_a_restricted_page_seen_with_its_password_is_not_kept(client, notice):
    PageViewRestriction.objects.create(page=notice, restriction_type=PageViewRestriction.PASSWORD, password="x")
    # The visitor who knows the password holds a session; the next anonymous visitor must not get the page.
    restriction = PageViewRestriction.objects.get(page=notice)
    form_url = reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, notice.pk])
    visitor = client.__class__()
    visitor.post(form_url, {"password": "x", "return_url": notice.url})
    assert "Egress" in visitor.get(notice.url).content.decode()
    assert "Egress" not in client.get(notice.url).content.decode()


def test_the_admin_preview_is_never_kept(admin_client, client, notice):
    client.get(notice.url)
    notice.title = "PREVIEWED TITLE"
    notice.save_revision()
    preview = admin_client.get(reverse("wagtailadmin_pages:view_draft", args=[notice.pk]))
    assert "PREVIEWED TITLE" in preview.content.decode()
    assert "PREVIEWED TITLE" not in client.get(notice.url).content.decode()


def test_turned_off_every_read_goes_to_the_views(client, notice, settings):
    settings.PRIVACY_NOTICES_CACHE = None
    client.get(notice.url)
    assert read(client, notice.url)[1] > 0


def test_the_generation_changes_again_when_the_change_commits(notice, django_capture_on_commit_callbacks):
    """A reader in another process may cache old rows while a change is uncommitted: the commit forgets that too."""
    cache = public_cache()
    before = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        Processor.objects.filter(pk=notice.processor.pk).first().save()
        during = cache.get(GENERATION_KEY)
    assert during != before
    for callback in callbacks:
        callback()
    assert cache.get(GENERATION_KEY) not in (before, during)


# Purging a CDN ---------------------------------------------------------------------------------------------------


class _PurgeRecorder(http.server.BaseHTTPRequestHandler):
    """Stands in for Varnish: records each PURGE Wagtail's HTTPBackend sends (host and path)."""

    purged: list
    generations: list

    def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
        self.purged.append(f"{self.headers['Host']}{self.path}")
        # The generation of the Django cache when the purge arrives (the same process's cache).
        self.generations.append(public_cache().get(GENERATION_KEY))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def set_up_committed(varnish):
    """The set-up is committed, as on a site: run what waits for the test's transaction, which never commits.

    Then forget what it purged, so the test sees only what its own change purges.
    """
    connection = transaction.get_connection()
    callbacks, connection.run_on_commit = connection.run_on_commit, []
    for _savepoints, callback, _robust in callbacks:
        callback()
    varnish.clear()


@pytest.fixture
def varnish_generations():
    return []


@pytest.fixture
def varnish(settings, varnish_generations):
    purged = []
    handler = type("Recorder", (_PurgeRecorder,), {"purged": purged, "generations": varnish_generations})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    yield purged
    server.shutdown()


def test_publishing_a_notice_purges_its_addresses_and_its_hub(
    notice, make_notice, audience, varnish, django_capture_on_commit_callbacks
):
    other = make_notice(slug="other-notice")
    set_up_committed(varnish)
    notice.title = "Changed"
    with django_capture_on_commit_callbacks(execute=True):
        notice.save_revision().publish()
    path = notice.url
    for expected in (path, f"{path}?format=json", f"{path}?format=jsonld", f"{path}@history/", "/privacy/"):
        assert f"localhost{expected}" in varnish, (expected, varnish)
    assert f"localhost/api/v2/pages/{notice.pk}/" in varnish
    assert not any(other.url in purged for purged in varnish), "a notice that did not change is left alone"


def test_a_register_change_purges_the_registers_and_only_the_notices_it_altered(
    notice, make_notice, make_processor, varnish, django_capture_on_commit_callbacks
):
    unrelated = make_notice([section("text", heading="Hello", body="<p>Hi</p>")], slug="unrelated")
    set_up_committed(varnish)
    processor = Processor.objects.get(pk=notice.processor.pk)
    processor.name = "Egress Defend"
    with django_capture_on_commit_callbacks(execute=True):
        processor.save_revision().publish()
    assert "localhost/privacy/@processors/" in varnish
    assert "localhost/privacy/@cookies/" in varnish
    assert f"localhost{notice.url}" in varnish, "the notice showing the processor has a new version"
    assert not any(unrelated.url in purged for purged in varnish)


def test_changing_the_organisation_purges_every_notice(notice, varnish, django_capture_on_commit_callbacks):
    set_up_committed(varnish)
    with django_capture_on_commit_callbacks(execute=True):
        settings = OrganisationSettings.objects.get()
        settings.controller_name = "Someone else"
        settings.save()
    assert f"localhost{notice.url}" in varnish and "localhost/privacy/" in varnish


def test_nothing_is_purged_until_the_change_commits(notice, varnish, django_capture_on_commit_callbacks):
    set_up_committed(varnish)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice.save_revision().publish()
    assert not any("@history" in purged for purged in varnish)
    for callback in callbacks:
        callback()
    assert f"localhost{notice.url}@history/" in varnish


def test_the_suite_uses_the_cache_it_was_given():
    """With PRIVACY_TEST_REDIS_URL (.ci/run), every cached answer in this suite went through a real Redis server."""
    import os

    from django.core.cache.backends.redis import RedisCache

    cache = public_cache()
    if os.environ.get("PRIVACY_TEST_REDIS_URL"):
        assert isinstance(cache, RedisCache)
    cache.set("privacy-notices:test", {"kept": True})
    assert cache.get("privacy-notices:test") == {"kept": True}


def test_every_public_address_is_answered_again_from_the_cache(client):
    """On the demo site, the second anonymous read of each public address costs nothing and is the same answer."""
    from io import StringIO

    from django.core.management import call_command

    from tests.test_query_counts import ADDRESSES, address_values

    call_command("load_demo_content", stdout=StringIO())
    values = address_values()
    for address in ADDRESSES:
        if address.status != 200:  # a redirect (the API's find) is not kept
            continue
        url = address.path.format(**values)
        first = client.get(url)
        again, queries = read(client, url)
        assert first.status_code == 200, url
        assert queries == 0, f"{address}: {queries} queries"
        assert again.content == first.content and again["ETag"] == first["ETag"], address


# What the review found ----------------------------------------------------------------------------------------------


def test_a_draft_saved_on_any_page_keeps_the_public_answers(client, site_root, notice):
    """Wagtail 8 autosaves drafts every few seconds while an editor types: that must not empty the cache."""
    from demo.models import ContentPage

    other = ContentPage(title="About us", slug="about", live=False)
    site_root.add_child(instance=other)
    client.get(notice.url)
    other.title = "About us (still typing)"
    other.save_revision()
    notice.summary = "A draft summary"
    notice.save_revision()
    assert read(client, notice.url)[1] == 0


def test_a_conditional_request_fills_a_cold_cache(client, notice):
    """A CDN revalidating after a change reaches the views once, not every time."""
    etag = client.get(notice.url)["ETag"]
    public_cache().clear()
    first, _ = read(client, notice.url, HTTP_IF_NONE_MATCH=etag)
    again, queries = read(client, notice.url, HTTP_IF_NONE_MATCH=etag)
    assert first.status_code == again.status_code == 304 and queries == 0


def test_the_public_pages_and_editing_outlive_a_cache_server_outage(client, notice, settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"unix://{tmp_path}/none.sock"},
    }
    settings.PRIVACY_NOTICES_CACHE = "down"
    assert client.get(notice.url).status_code == 200
    notice.title = "Published while the cache is down"
    notice.save_revision().publish()  # logged, not an error for the editor
    assert "Published while the cache is down" in client.get(notice.url).content.decode()


def test_a_language_cookies_answer_is_not_served_to_everyone(client, make_notice, settings):
    """On a host site with LocaleMiddleware, a Welsh reader's page is not given to the next reader."""
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:2],
        "django.middleware.locale.LocaleMiddleware",
        *settings.MIDDLEWARE[2:],
    ]
    settings.LANGUAGES = [("en", "English"), ("cy", "Welsh")]
    settings.LANGUAGE_CODE = "en"
    notice = make_notice()
    welsh_reader = client.__class__()
    welsh_reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    assert welsh_reader.get(notice.url)["Content-Language"] == "cy"
    assert client.get(notice.url)["Content-Language"] == "en"


def test_adding_a_view_restriction_purges_the_cdn(notice, varnish, django_capture_on_commit_callbacks):
    set_up_committed(varnish)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=notice, restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert f"localhost{notice.url}" in varnish and "localhost/privacy/" in varnish, varnish


def test_moving_a_notice_purges_its_old_address(site_root, notice, varnish, django_capture_on_commit_callbacks):
    from privacy_notices.models import PrivacyNoticeIndexPage

    other = PrivacyNoticeIndexPage(title="Other hub", slug="other-hub", live=False)
    site_root.add_child(instance=other)
    other.save_revision().publish()
    set_up_committed(varnish)
    old = notice.url
    with django_capture_on_commit_callbacks(execute=True):
        notice.move(other, pos="last-child")
    assert f"localhost{old}" in varnish, varnish


def test_a_processor_change_purges_its_api_answers(notice, varnish, django_capture_on_commit_callbacks):
    set_up_committed(varnish)
    processor = Processor.objects.get(pk=notice.processor.pk)
    processor.name = "Egress Defend"
    with django_capture_on_commit_callbacks(execute=True):
        processor.save_revision().publish()
    assert f"localhost/api/v2/processors/{processor.pk}/" in varnish
    assert "localhost/api/v2/processors/" in varnish


def test_a_new_version_purges_the_page_of_the_version_before(notice, varnish, django_capture_on_commit_callbacks):
    """Version 1's page said it was the current version; now it must say until when."""
    set_up_committed(varnish)
    notice.title = "Changed"
    with django_capture_on_commit_callbacks(execute=True):
        notice.save_revision().publish()
    assert f"localhost{notice.url}@history/1/" in varnish


def test_the_cdn_is_purged_only_after_the_cache_has_forgotten(
    notice, varnish, varnish_generations, django_capture_on_commit_callbacks
):
    """Between the change and its commit another process may cache the old answer: the purge must not let a CDN
    fetch that answer again, so the generation the change began under is gone before any purge is sent."""
    set_up_committed(varnish)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice.title = "Changed"
        notice.save_revision().publish()
        during = public_cache().get(GENERATION_KEY)
    for callback in callbacks:
        callback()
    assert varnish and during not in varnish_generations


def test_a_new_slug_purges_the_old_addresses_of_the_page_and_those_under_it(
    hub, notice, varnish, django_capture_on_commit_callbacks
):
    set_up_committed(varnish)
    old_notice = notice.url
    hub.slug = "privacy-information"
    with django_capture_on_commit_callbacks(execute=True):
        hub.save_revision().publish()
    assert "localhost/privacy/" in varnish and f"localhost{old_notice}" in varnish, sorted(varnish)
    assert "localhost/privacy-information/" in varnish
