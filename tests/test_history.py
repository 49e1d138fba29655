"""A notice's public history: the list of versions, a version by number, the version in force on a date.

Real requests through the project's URLs: the ``@`` addresses are routed by
privacy_notices.urls and ``?at=`` by the notice page's own ``serve``.
"""

import datetime
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

import privacy_notices
from privacy_notices.history import VERSIONS_PER_PAGE
from privacy_notices.models import NoticeVersion, PrivacyNoticePage
from privacy_notices.versions import VersionCause, record_version
from tests.conftest import queries_for, section
from tests.test_versions import publish_edit

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PRIVACY_CSS = Path(privacy_notices.__file__).parent / "static" / "privacy_notices" / "notices.css"


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def words(node):
    """The text of a node as a reader sees it, whitespace collapsed."""
    return " ".join(node.get_text().split())


def text_of(response):
    return words(soup_of(response))


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def banner_text(response):
    banner = soup_of(response).find(class_="pn-banner")
    assert banner is not None, "no version banner"
    return words(banner)


def live_notice_with_versions(make_notice, *times, **fields):
    """A live notice whose versions were published at ``times`` (London), numbered 1, 2, ..."""
    notice = make_notice(publish_it=False, **fields)
    PrivacyNoticePage.objects.filter(pk=notice.pk).update(live=True)
    notice.refresh_from_db()
    for number, when in enumerate(times, start=1):
        record_version(
            notice,
            cause=VersionCause.NOTICE_PUBLISHED,
            published_at=when,
            summary=f"Change number {number}",
            material=number != 2,
        )
    return notice


@pytest.fixture
def three_versions(make_notice):
    """Published 14 October 2016, corrected 20 January 2017 (minor), changed 2 March 2017."""
    return live_notice_with_versions(
        make_notice,
        datetime.datetime(2016, 10, 14, 9, 0, tzinfo=LONDON),
        datetime.datetime(2017, 1, 20, 16, 30, tzinfo=LONDON),
        datetime.datetime(2017, 3, 2, 11, 0, tzinfo=LONDON),
        slug="complainants",
    )


class TestHistoryList:
    def test_lists_every_version_newest_first_with_date_materiality_and_summary(self, client, three_versions):
        response = get_ok(client, three_versions.url + "@history")
        rows = soup_of(response).select("table.pn-versions tbody tr")
        cells = [
            [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["th", "td"])] for row in rows
        ]
        assert [row[0] for row in cells] == ["Version 3 Current", "Version 2", "Version 1"]
        assert [row[1] for row in cells] == ["2 March 2017", "20 January 2017", "14 October 2016"]
        # Materiality in words, not colour alone.
        assert [row[2] for row in cells] == ["Material change", "Minor change", "Material change"]
        assert cells[0][3].startswith("Change number 3")
        assert cells[2][3] == "First published"

    def test_each_version_links_to_its_page_and_to_the_diff_with_the_one_before(self, client, three_versions):
        response = get_ok(client, "/privacy/complainants/@history")
        links = [a["href"] for a in soup_of(response).select("table.pn-versions a")]
        assert links == [
            "/privacy/complainants/@history/3",
            "/privacy/complainants/@diff/2/3",
            "/privacy/complainants/@history/2",
            "/privacy/complainants/@diff/1/2",
            "/privacy/complainants/@history/1",
        ]
        for link in links:
            get_ok(client, link)

    def test_the_dates_are_the_site_time_zones(self, client, make_notice):
        # 23:30 UTC on 30 June is 00:30 on 1 July in London.
        notice = live_notice_with_versions(make_notice, datetime.datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC")))
        response = get_ok(client, notice.url + "@history")
        assert soup_of(response).select_one("table.pn-versions time")["datetime"] == "2026-07-01"

    def test_the_notice_page_links_to_its_history_near_last_updated(self, client, three_versions):
        response = get_ok(client, three_versions.url)
        link = soup_of(response).select_one(".pn-notice__header .pn-history-link")
        assert "Version 3." in link.get_text()
        assert link.a["href"] == "/privacy/complainants/@history"

    def test_with_and_without_trailing_slashes(self, client, three_versions):
        for path in ("@history/", "@history/2/", "@diff/1/3/"):
            get_ok(client, three_versions.url + path)

    def test_the_history_is_paginated_and_links_across_pages(self, client, three_versions):
        bulk_versions(three_versions, 120, start=4)
        url = three_versions.url + "@history"
        first = soup_of(get_ok(client, url))
        rows = first.select("table.pn-versions tbody tr")
        assert len(rows) == VERSIONS_PER_PAGE
        assert rows[0].th.get_text(" ", strip=True).startswith("Version 123")
        assert "Page 1 of 3" in first.select_one(".pn-pagination").get_text(" ", strip=True)
        last_row = rows[-1]
        assert last_row.th.get_text(" ", strip=True) == "Version 74"
        # The version before the last on a page is on the next page; the diff link still finds it.
        assert last_row.select("a")[-1]["href"] == "/privacy/complainants/@diff/73/74"

        third = soup_of(get_ok(client, url + "?page=3"))
        numbers = [row.th.get_text(" ", strip=True) for row in third.select("table.pn-versions tbody tr")]
        assert numbers[0] == "Version 23" and numbers[-1] == "Version 1" and len(numbers) == 23
        assert "Current" not in " ".join(numbers)

    @pytest.mark.parametrize("page", ["0", "4", "-1", "abc", "1.5", "99999999999999999999999"])
    def test_a_page_number_that_does_not_exist_is_404(self, client, three_versions, page):
        bulk_versions(three_versions, 120, start=4)
        response = client.get(three_versions.url + "@history", {"page": page})
        assert response.status_code == 404
        assert "There is no such page of versions" in text_of(response)

    def test_only_get_and_head(self, client, three_versions):
        assert client.post(three_versions.url + "@history").status_code == 405
        assert client.head(three_versions.url + "@history").status_code == 200

    def test_a_page_that_is_not_a_notice_has_no_history(self, client, three_versions, hub):
        assert client.get(hub.url + "@history").status_code == 404
        assert client.get("/@history").status_code == 404
        assert client.get("/privacy/no-such-notice/@history").status_code == 404

    def test_a_live_notice_without_recorded_versions_says_so(self, client, make_notice):
        notice = live_notice_with_versions(make_notice)
        response = get_ok(client, notice.url + "@history")
        assert "No versions of this notice have been recorded yet." in text_of(response)
        assert soup_of(get_ok(client, notice.url)).select_one(".pn-history-link") is None


class TestVersionPage:
    def test_an_old_version_shows_what_it_said_then(self, client, make_notice, make_rule):
        rule = make_rule(record_class="Complaint case files", period="P1Y", trigger="the closure of the case")
        notice = make_notice([section("retention", heading="How long we keep it", rules=[rule.pk])])
        rule.period = "P2Y"
        rule.save_revision().publish()
        notice = publish_edit(notice, change="We now keep complaint case files for 2 years.")
        latest = NoticeVersion.objects.filter(notice=notice).latest("number").number
        assert latest > 1

        old = text_of(get_ok(client, notice.url + "@history/1"))
        assert "Complaint case files 1 year" in old and "2 years" not in old
        live = text_of(get_ok(client, notice.url))
        assert "Complaint case files 2 years" in live and "1 year" not in live
        newest = text_of(get_ok(client, notice.url + f"@history/{latest}"))
        assert "Complaint case files 2 years" in newest

    def test_a_version_is_rendered_with_the_notices_own_template(self, client, make_notice, make_rule):
        rule = make_rule(record_class="Complaint case files", period="P1Y")
        notice = make_notice([section("retention", heading="How long we keep it", rules=[rule.pk])])
        live, old = soup_of(get_ok(client, notice.url)), soup_of(get_ok(client, notice.url + "@history/1"))
        assert [t.name for t in old.select("article.pn-notice section h2")] == ["h2"] * len(
            live.select("article.pn-notice section h2")
        )
        assert str(old.select_one("table.pn-table")) == str(live.select_one("table.pn-table"))
        assert old.select_one("h1").get_text(strip=True) == live.select_one("h1").get_text(strip=True)
        assert old.title.get_text().startswith("Version 1 of Complainants")

    def test_the_banner_of_an_old_version(self, client, three_versions):
        response = get_ok(client, three_versions.url + "@history/1")
        assert banner_text(response).startswith(
            "This is not the current version This is version 1 of this notice, in force from 14 October 2016 "
            "to 20 January 2017. It is not the current version."
        )
        banner = soup_of(response).find(class_="pn-banner")
        links = {a.get_text(strip=True): a["href"] for a in banner.find_all("a")}
        assert links["Read the current notice"] == "/privacy/complainants/"
        assert links["See what has changed since (up to version 3)"] == "/privacy/complainants/@diff/1/3"
        assert links["See all versions"] == "/privacy/complainants/@history"
        assert response["X-Robots-Tag"] == "noindex"

    def test_the_banner_says_what_changed_in_the_version_and_whether_it_was_material(self, client, three_versions):
        banner = banner_text(get_ok(client, three_versions.url + "@history/2"))
        assert "What changed in this version: Change number 2 Minor change" in banner
        assert "in force from 20 January 2017 to 2 March 2017" in banner

    def test_the_latest_version_says_it_is_current(self, client, three_versions):
        response = get_ok(client, three_versions.url + "@history/3")
        text = banner_text(response)
        assert "This is version 3 of this notice, in force since 2 March 2017. It is the current version." in text
        assert "Read the current notice" not in text
        assert "X-Robots-Tag" not in response

    def test_a_version_replaced_the_same_day(self, client, make_notice):
        notice = live_notice_with_versions(
            make_notice,
            datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON),
            datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON),
        )
        text = banner_text(get_ok(client, notice.url + "@history/1"))
        assert "published on 10 March 2026 and replaced the same day" in text

    def test_a_printed_version_carries_its_number_and_dates(self, client, three_versions):
        response = get_ok(client, three_versions.url + "@history/2")
        header = soup_of(response).select_one(".pn-notice__header")
        assert "Printed from http://testserver/privacy/complainants/@history/2" in header.get_text(" ", strip=True)
        assert "Version 2." in header.select_one(".pn-history-link").get_text()
        # The banner prints (only its links are left off paper).
        css = PRIVACY_CSS.read_text()
        print_rules = css[css.index("@media print") :]
        assert ".pn-banner {" in print_rules and ".pn-banner__links" in print_rules
        assert ".pn-banner { display: none" not in print_rules

    @pytest.mark.parametrize("number", ["0", "4", "99", "99999999999999999999999"])
    def test_an_unknown_version_is_404(self, client, three_versions, number):
        response = client.get(three_versions.url + f"@history/{number}")
        assert response.status_code == 404
        assert "Version not found" in text_of(response)

    def test_a_version_of_another_notice_is_not_found_here(self, client, three_versions, make_notice):
        other = live_notice_with_versions(
            make_notice, *[datetime.datetime(2020, 1, d, tzinfo=LONDON) for d in range(1, 6)], slug="other"
        )
        assert client.get(other.url + "@history/5").status_code == 200
        assert client.get(three_versions.url + "@history/5").status_code == 404


class TestAsOf:
    @pytest.fixture
    def notice(self, make_notice):
        return live_notice_with_versions(
            make_notice,
            datetime.datetime(2026, 3, 10, 9, 0, tzinfo=LONDON),
            datetime.datetime(2026, 3, 10, 12, 0, tzinfo=LONDON),
            datetime.datetime(2026, 3, 10, 23, 59, 59, tzinfo=LONDON),
            datetime.datetime(2026, 6, 3, 0, 0, tzinfo=LONDON),  # midnight at the start of 3 June
            slug="complainants",
        )

    def at(self, client, notice, day):
        return client.get(notice.url, {"at": day})

    def test_several_versions_on_one_day_the_last_is_shown(self, client, notice):
        response = self.at(client, notice, "2026-03-10")
        assert response.status_code == 200
        text = banner_text(response)
        assert text.startswith("This notice as it was on 10 March 2026 On 10 March 2026 version 3 of this notice")
        assert "It was in force from 10 March 2026 to 3 June 2026. It is not the current version." in text
        assert response["X-Robots-Tag"] == "noindex"

    def test_a_version_published_at_midnight_is_in_force_from_that_day(self, client, notice):
        assert "version 3 of this notice was in force" in banner_text(self.at(client, notice, "2026-06-02"))
        on_the_day = banner_text(self.at(client, notice, "2026-06-03"))
        assert "version 4 of this notice was in force. It has been in force since 3 June 2026" in on_the_day
        assert "is the current version" in on_the_day

    def test_the_version_is_rendered_like_the_notice(self, client, notice):
        response = self.at(client, notice, "2026-04-01")
        soup = soup_of(response)
        assert soup.select_one("article.pn-notice h1").get_text(strip=True) == "Complainants' privacy notice"
        assert soup.title.get_text().startswith("Version 3 of Complainants")

    def test_a_date_before_the_first_version_is_404_saying_when_it_was_first_published(self, client, notice):
        response = self.at(client, notice, "2026-03-09")
        assert response.status_code == 404
        assert "This notice was first published on 10 March 2026." in text_of(response)

    def test_a_date_in_the_future_shows_the_current_version(self, client, notice):
        text = banner_text(self.at(client, notice, "2999-01-01"))
        assert "1 January 2999 is in the future, so this is the current version: version 4" in text
        assert self.at(client, notice, "9999-12-31").status_code == 200

    def test_the_first_day_of_all(self, client, notice):
        assert self.at(client, notice, "0001-01-01").status_code == 404

    @pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "yesterday", "20260310", "2026-3-1", "", " "])
    def test_a_malformed_date_is_400_with_a_message(self, client, notice, value):
        response = self.at(client, notice, value)
        assert response.status_code == 400
        text = text_of(response)
        assert "That is not a date we can read" in text
        assert "for example ?at=2016-10-14" in text

    def test_a_notice_without_versions(self, client, make_notice):
        notice = live_notice_with_versions(make_notice)
        response = client.get(notice.url, {"at": "2026-01-01"})
        assert response.status_code == 404
        assert "No versions of this notice have been recorded" in text_of(response)

    def test_without_at_the_live_notice_is_served(self, client, notice):
        response = get_ok(client, notice.url)
        assert soup_of(response).find(class_="pn-banner") is None

    def test_the_history_page_offers_a_date(self, client, notice):
        form = soup_of(get_ok(client, notice.url + "@history")).select_one("form.pn-date-form")
        assert form["action"] == "/privacy/complainants/" and form.input["name"] == "at"


class TestOnlyLivePublicNotices:
    ADDRESSES = ("@history", "@history/1", "@diff/1/2", "?at=2030-01-01")

    def test_a_draft_notice_has_no_history(self, client, make_notice):
        notice = make_notice(publish_it=False, slug="draft")
        record_version(notice, cause=VersionCause.NOTICE_PUBLISHED)
        record_version(notice, cause=VersionCause.NOTICE_PUBLISHED, summary="Again")
        for address in self.ADDRESSES:
            assert client.get("/privacy/draft/" + address).status_code == 404, address

    def test_an_unpublished_notice_has_no_history(self, client, make_notice):
        notice = make_notice(slug="withdrawn")
        publish_edit(notice, change="A second version.", title="Second")
        for address in self.ADDRESSES:
            assert client.get("/privacy/withdrawn/" + address).status_code == 200, address
        PrivacyNoticePage.objects.get(pk=notice.pk).unpublish()
        for address in self.ADDRESSES:
            assert client.get("/privacy/withdrawn/" + address).status_code == 404, address

    def test_a_password_protected_notices_history_needs_the_password(self, client, make_notice):
        notice = make_notice(slug="private", summary="A secret summary")
        publish_edit(notice, change="Secret change summary.")
        PageViewRestriction.objects.create(page=notice, restriction_type="password", password="letmein")
        for address in self.ADDRESSES:
            response = client.get("/privacy/private/" + address)
            assert response.status_code == 200, address
            text = text_of(response)
            assert "password" in text.lower(), address
            assert "Secret change summary" not in text and "A secret summary" not in text, address
            assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]

        form = soup_of(client.get("/privacy/private/@history")).find("form")
        response = client.post(form["action"], {"password": "letmein", "return_url": "/privacy/private/@history"})
        assert response.status_code == 302 and response["Location"] == "/privacy/private/@history"
        assert "Secret change summary." in text_of(get_ok(client, "/privacy/private/@history"))

    def test_a_login_restricted_notices_history_redirects_to_log_in(self, client, make_notice):
        notice = make_notice(slug="staff")
        PageViewRestriction.objects.create(page=notice, restriction_type="login")
        response = client.get("/privacy/staff/@history")
        assert response.status_code == 302
        assert (
            "next=/privacy/staff/%40history" in response["Location"]
            or "next=/privacy/staff/@history" in (response["Location"])
        )


# Query counts --------------------------------------------------------------------------------------------------------


def bulk_versions(notice, count, start=1):
    """``count`` more versions of ``notice``, cheaply, one a day from 1 January 2000 (in number order)."""
    first_day = datetime.datetime(2000, 1, 1, 9, 0, tzinfo=LONDON)
    NoticeVersion.objects.bulk_create(
        [
            NoticeVersion(
                notice=notice,
                number=number,
                published_at=first_day + datetime.timedelta(days=number),
                material=number % 3 != 0,
                summary=f"Bulk change {number}",
                document={"type": "PrivacyNotice", "title": notice.title, "version": number, "sections": []},
                content_hash=str(number),
                cause=VersionCause.NOTICE_PUBLISHED,
            )
            for number in range(start, start + count)
        ]
    )


@pytest.mark.parametrize(
    "address",
    ["@history", "@history?page=2", "?at=2000-01-05", "?at=2030-01-01", "@history/2", "@history/1", "@diff/1/2"],
)
def test_history_queries_do_not_grow_with_versions(client, make_notice, address):
    few = make_notice(publish_it=False, slug="few")
    many = make_notice(publish_it=False, slug="many")
    PrivacyNoticePage.objects.filter(pk__in=[few.pk, many.pk]).update(live=True)
    bulk_versions(few, 51 if "page=2" in address else 2)
    bulk_versions(many, 1000)
    assert queries_for(client, "/privacy/many/" + address) == queries_for(client, "/privacy/few/" + address)


def test_the_history_list_does_not_load_the_snapshots(client, make_notice):
    notice = make_notice(publish_it=False, slug="big")
    PrivacyNoticePage.objects.filter(pk=notice.pk).update(live=True)
    bulk_versions(notice, 60)
    with CaptureQueriesContext(connection) as captured:
        get_ok(client, "/privacy/big/@history")
    version_queries = [q["sql"] for q in captured.captured_queries if NoticeVersion._meta.db_table in q["sql"]]
    assert version_queries and not any('."document"' in sql for sql in version_queries)


def test_versions_are_json_snapshots_not_live_lookups(client, make_notice, make_rule):
    """Deleting what a version showed does not change or break its page."""
    rule = make_rule(record_class="Call recordings", period="P90D", trigger="the call")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])], slug="calls")
    publish_edit(notice, change="No more call recordings.", sections=json.dumps([]))
    rule.delete()
    assert "Call recordings 90 days" in text_of(get_ok(client, "/privacy/calls/@history/1"))
