"""A notice's versions in the Wagtail admin: listed, newest first, for those who
can edit the notice; the document a version recorded, as JSON; and no way,
through any admin, to edit or delete a version.
"""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from wagtail.models import GroupPagePermission
from wagtail.users.models import UserProfile

from privacy_notices.admin_versions import LatestVersionPanel
from privacy_notices.models import NoticeVersion, PrivacyNoticePage
from privacy_notices.versions import VersionCause, record_version

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
LONDON = ZoneInfo("Europe/London")  # the site's TIME_ZONE
# As measured: session, user, the notice, permissions, breadcrumbs, the count, one page of versions and
# the reasons given for publishing with compliance gaps.
VERSIONS_VIEW_CEILING = 14  # + the SAVEPOINT and RELEASE of ATOMIC_REQUESTS
VERSION_URL_NAMES = {"privacy_notices_admin:notice_versions", "privacy_notices_admin:notice_version_document"}


def versions_url(notice, **query):
    url = reverse("privacy_notices_admin:notice_versions", args=(notice.pk,))
    return url + "".join(f"?{key}={value}" for key, value in query.items())


def document_url(notice, number):
    return reverse("privacy_notices_admin:notice_version_document", args=(notice.pk, number))


def rows(response):
    """The listing's rows: each a list of its cells' text."""
    soup = BeautifulSoup(response.content, "html.parser")
    return [
        [" ".join(td.get_text().split()) for td in tr.find_all("td")] for tr in soup.select("table.listing tbody tr")
    ]


def links(response, kind):
    """The hrefs of one kind of version link, row by row (as-published, compare or document)."""
    soup = BeautifulSoup(response.content, "html.parser")
    return [a["href"] for a in soup.select(f'table.listing a[data-version-link="{kind}"]')]


def add_versions(notice, numbers):
    """Versions recorded cheaply: bulk_create writes rows without calling save()."""
    start = datetime.datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    NoticeVersion.objects.bulk_create(
        NoticeVersion(
            notice=notice,
            number=number,
            published_at=start + datetime.timedelta(days=number),
            material=number % 2 == 0,
            summary=f"Change number {number}",
            document={"version": number, "title": notice.title},
            content_hash=f"{number:064x}",
            cause=VersionCause.REGISTER_CHANGED,
        )
        for number in numbers
    )


def snapshot(version):
    return model_to_dict(NoticeVersion.objects.get(pk=version.pk))


@pytest.fixture
def notice(make_notice):
    return make_notice(slug="complainants")


@pytest.fixture
def admin_access():
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


@pytest.fixture
def reader(client, django_user_model, admin_access):
    """Logged in to the admin, but with no permission on any page."""
    user = django_user_model.objects.create_user("reader", "reader@example.com", "pw")
    user.user_permissions.add(admin_access)
    client.force_login(user)
    return client


@pytest.fixture
def editor(client, django_user_model, admin_access, hub):
    """Logged in to the admin, and may edit the hub and its notices (not a superuser)."""
    user = django_user_model.objects.create_user("editor", "editor@example.com", "pw")
    group = Group.objects.create(name="Notice editors")
    group.permissions.add(admin_access)
    GroupPagePermission.objects.create(group=group, page=hub, permission_type="change")
    user.groups.add(group)
    client.force_login(user)
    return client


# The listing --------------------------------------------------------------------------


def test_the_listing_shows_every_field_newest_first_on_the_site_clock(admin_client, admin_user, notice):
    # The admin user reads the admin in New York; published times stay on the site's clock (London).
    profile = UserProfile.get_for_user(admin_user)
    profile.current_time_zone = "America/New_York"
    profile.save()
    admin_user.first_name, admin_user.last_name = "Dana", "Protection"
    admin_user.save()
    record_version(
        notice,
        cause=VersionCause.NOTICE_PUBLISHED,
        summary="Corrected a typo.",
        material=False,
        published_at=datetime.datetime(2026, 6, 1, 8, 30, tzinfo=UTC),
        user=admin_user,
    )
    record_version(
        notice,
        cause=VersionCause.REGISTER_CHANGED,
        summary="We now keep call recordings for 30 days.",
        published_at=datetime.datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
    )

    response = admin_client.get(versions_url(notice))

    assert response.status_code == 200
    first_local = timezone.localtime(NoticeVersion.objects.get(notice=notice, number=1).published_at, LONDON)
    assert rows(response) == [
        [
            "3",
            "1 Dec 2026, 08:30 GMT",
            "Yes",
            "We now keep call recordings for 30 days.",
            "A register entry it shows changed",
            "—",
            "—",
            "View as published Compare with previous Document (JSON)",
        ],
        [
            "2",
            "1 Jun 2026, 09:30 BST",
            "No",
            "Corrected a typo.",
            "The notice was published",
            "Dana Protection",
            "—",
            "View as published Compare with previous Document (JSON)",
        ],
        [
            "1",
            f"{first_local.day} {first_local:%b %Y, %H:%M %Z}",
            "Yes",
            "First published",
            "The notice was published",
            "—",
            "—",
            "View as published Document (JSON)",
        ],
    ]
    headers = [" ".join(th.get_text().split()) for th in BeautifulSoup(response.content, "html.parser").select("th")]
    assert headers == [
        "Version",
        "Published at",
        "Material change",
        "What changed",
        "Cause",
        "Recorded by",
        "Published with gaps",
        "Links",
    ]


def test_each_version_links_to_its_public_pages_and_its_document(admin_client, notice):
    add_versions(notice, [2, 3])

    response = admin_client.get(versions_url(notice))

    assert links(response, "as-published") == [f"{notice.url}@history/{n}" for n in (3, 2, 1)]
    assert notice.url == "/privacy/complainants/"
    assert links(response, "compare") == ["/privacy/complainants/@diff/2/3", "/privacy/complainants/@diff/1/2"]
    assert links(response, "document") == [document_url(notice, n) for n in (3, 2, 1)]


def test_the_listing_pages_by_fifty(admin_client, notice):
    add_versions(notice, range(2, 122))  # with the first: 121 versions

    first, second, third = (admin_client.get(versions_url(notice, p=page)) for page in (1, 2, 3))

    assert [int(row[0]) for row in rows(first)] == list(range(121, 71, -1))
    assert [int(row[0]) for row in rows(second)] == list(range(71, 21, -1))
    assert [int(row[0]) for row in rows(third)] == list(range(21, 0, -1))
    assert "Page 1 of 3" in first.content.decode()
    assert "121 notice versions" in first.content.decode()
    assert f'href="{versions_url(notice)}?p=2"' in first.content.decode()


def test_a_notice_never_published_has_no_versions_to_list(admin_client, make_notice):
    draft = make_notice(publish_it=False)
    response = admin_client.get(versions_url(draft))
    assert response.status_code == 200
    assert rows(response) == []
    assert "has not been published yet" in response.content.decode()


def test_only_notices_have_versions_views(admin_client, hub):
    assert admin_client.get(reverse("privacy_notices_admin:notice_versions", args=(hub.pk,))).status_code == 404
    assert admin_client.get(reverse("privacy_notices_admin:notice_versions", args=(999_999,))).status_code == 404


def test_the_listing_costs_the_same_queries_for_five_versions_or_a_hundred_and_twenty(admin_client, make_notice):
    few = make_notice(slug="few")
    many = make_notice(slug="many")
    add_versions(few, range(2, 6))
    add_versions(many, range(2, 121))

    def queries_for(notice):
        admin_client.get(versions_url(notice))  # warm per-process caches, as a running site has
        with CaptureQueriesContext(connection) as captured:
            response = admin_client.get(versions_url(notice))
        assert response.status_code == 200
        return len(captured.captured_queries)

    few_queries = queries_for(few)
    assert few_queries <= VERSIONS_VIEW_CEILING
    assert queries_for(many) == few_queries


# Who may see it -----------------------------------------------------------------------


def test_someone_who_can_edit_the_notice_sees_its_versions(editor, notice):
    response = editor.get(versions_url(notice))
    assert response.status_code == 200
    assert [row[0] for row in rows(response)] == ["1"]
    assert editor.get(document_url(notice, 1)).status_code == 200


def test_someone_who_cannot_edit_the_notice_is_refused(reader, notice):
    for url in (versions_url(notice), document_url(notice, 1)):
        response = reader.get(url)
        # The admin's usual refusal: back to the dashboard with "Sorry, you do not have permission…".
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
        assert "First published" not in reader.get(url, follow=True).content.decode()


def test_someone_not_logged_in_is_sent_to_log_in(client, notice):
    response = client.get(versions_url(notice))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


# The document of a version ------------------------------------------------------------


def test_a_version_s_document_is_shown_as_pretty_printed_json(admin_client, notice):
    version = NoticeVersion.objects.get(notice=notice, number=1)

    response = admin_client.get(document_url(notice, 1))

    assert response.status_code == 200
    pre = BeautifulSoup(response.content, "html.parser").select_one("pre")
    assert json.loads(pre.get_text()) == version.document
    assert pre.get_text().startswith('{\n  "')  # indented, one key a line (jsonb keeps no key order)
    assert version.content_hash in response.content.decode()
    assert f'href="{notice.url}@history/1"' in response.content.decode()


def test_an_unknown_version_s_document_is_not_found(admin_client, notice):
    assert admin_client.get(document_url(notice, 2)).status_code == 404


# Read only ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_views_answer_nothing_but_reads(admin_client, notice, method):
    version = NoticeVersion.objects.get(notice=notice, number=1)
    before = snapshot(version)
    for url in (versions_url(notice), document_url(notice, 1)):
        response = getattr(admin_client, method)(url, {"summary": "Rewritten history"})
        assert response.status_code == 405
        assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
    assert snapshot(version) == before
    assert admin_client.head(versions_url(notice)).status_code == 200


def test_no_admin_url_but_the_read_only_views_concerns_versions():
    """Walk every URL of both admins: the only ones about versions are the two read-only views."""

    def walk(patterns, namespace="", prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner, route)
            elif isinstance(pattern, URLPattern):
                yield f"{namespace}{pattern.name or ''}", route, pattern

    admin_urls = [
        (name, pattern)
        for name, route, pattern in walk(get_resolver().url_patterns)
        if route.lstrip("^").startswith(("admin/", "django-admin/"))
    ]
    assert len(admin_urls) > 100  # the walk reached both admins
    found = {name: pattern for name, pattern in admin_urls if "version" in name.lower()}
    assert set(found) == VERSION_URL_NAMES
    for pattern in found.values():
        assert set(pattern.callback.view_class.http_method_names) == {"get", "head"}


def test_the_django_admin_has_no_page_to_change_or_delete_a_version(admin_client, notice):
    version = NoticeVersion.objects.get(notice=notice, number=1)
    before = snapshot(version)
    assert not admin.site.is_registered(NoticeVersion)
    base = "/django-admin/privacy_notices/noticeversion/"
    for url in (base, f"{base}{version.pk}/change/", f"{base}{version.pk}/delete/", f"{base}add/"):
        assert admin_client.get(url).status_code == 404
        assert admin_client.post(url, {"post": "yes", "summary": "Rewritten"}).status_code == 404
    assert snapshot(version) == before


def test_the_wagtail_admin_has_no_view_to_edit_or_delete_a_version(admin_client, notice):
    version = NoticeVersion.objects.get(notice=notice, number=1)
    before = snapshot(version)
    for view in ("list", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"wagtailsnippets_privacy_notices_noticeversion:{view}", args=(version.pk,))
    attempts = [
        "/admin/snippets/privacy_notices/noticeversion/",
        f"/admin/snippets/privacy_notices/noticeversion/edit/{version.pk}/",
        f"/admin/snippets/privacy_notices/noticeversion/delete/{version.pk}/",
        f"/admin/bulk/privacy_notices/noticeversion/delete/?id={version.pk}",
        f"{versions_url(notice)}{version.number}/",
        f"{versions_url(notice)}{version.number}/delete/",
        f"{versions_url(notice)}{version.number}/edit/",
    ]
    for url in attempts:
        assert admin_client.get(url).status_code == 404, url
        assert admin_client.post(url, {"summary": "Rewritten"}).status_code == 404, url
    assert snapshot(version) == before


# Finding it ---------------------------------------------------------------------------


def test_the_notice_editor_links_to_its_versions(admin_client, notice):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(notice.pk,)))
    assert f'href="{versions_url(notice)}"' in response.content.decode()


def test_the_hub_listing_links_to_each_notice_s_versions(admin_client, hub, notice):
    response = admin_client.get(reverse("wagtailadmin_explore", args=(hub.pk,)))
    assert f'href="{versions_url(notice)}"' in response.content.decode()


def test_pages_other_than_notices_have_no_versions_link(admin_client, hub):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=(hub.pk,)))
    assert "privacy-notices/notices/" not in response.content.decode()


def test_the_link_shows_only_to_those_who_may_edit_the_notice(client, django_user_model, admin_access, hub, notice):
    # May add notices under the hub (and so browse it), but edit only the ones they own: not this one.
    user = django_user_model.objects.create_user("author", "author@example.com", "pw")
    group = Group.objects.create(name="Notice authors")
    group.permissions.add(admin_access)
    GroupPagePermission.objects.create(group=group, page=hub, permission_type="add")
    user.groups.add(group)
    client.force_login(user)

    response = client.get(reverse("wagtailadmin_explore", args=(hub.pk,)))
    assert response.status_code == 200
    assert "Complainants&#x27; privacy notice" in response.content.decode()
    assert versions_url(notice) not in response.content.decode()
    assert client.get(versions_url(notice)).url == reverse("wagtailadmin_home")


# The latest version, for the editor ---------------------------------------------------


def render_latest_version_panel(notice, user):
    request = RequestFactory().get("/")
    request.user = user
    panel = LatestVersionPanel().bind_to_model(PrivacyNoticePage)
    return panel.get_bound_panel(instance=notice, request=request, form=None)


def test_the_latest_version_panel_says_which_version_the_public_reads(admin_user, notice):
    record_version(
        notice,
        cause=VersionCause.NOTICE_PUBLISHED,
        summary="We now share complaints with the Ombudsman.",
        published_at=datetime.datetime(2026, 6, 1, 8, 30, tzinfo=UTC),
    )
    bound = render_latest_version_panel(notice, admin_user)
    assert bound.is_shown()
    html = " ".join(bound.render_html().split())
    assert "version 2, published 1 Jun 2026, 09:30 BST" in html
    assert "“We now share complaints with the Ombudsman.”" in html
    assert f'href="{versions_url(notice)}"' in html


def test_the_latest_version_panel_is_hidden_before_the_first_publish(admin_user, make_notice):
    draft = make_notice(publish_it=False)
    assert not render_latest_version_panel(draft, admin_user).is_shown()
    assert not render_latest_version_panel(PrivacyNoticePage(title="New"), admin_user).is_shown()
