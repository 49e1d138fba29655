"""Every public view costs the same number of queries however much it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy_notices.models import Audience
from retention_schedule.models import RetentionRule, RetentionSchedulePage
from tests.conftest import section
from tests.test_document import _link_many

pytestmark = pytest.mark.django_db

# Absolute ceilings, as measured: routing, the site and its settings, the page, then one
# query per register, and the SAVEPOINT and RELEASE of ATOMIC_REQUESTS (each request is
# one transaction, so a publish and its versions commit together). The stronger check
# is "the same for few and many".
NOTICE_PAGE_CEILING = 17  # + its version number and last material change, view restrictions, the schedule page
HUB_PAGE_CEILING = 12  # + view restrictions and the schedule page (register links)
SCHEDULE_PAGE_CEILING = 10


def queries_for(client, url):
    client.get(url)  # warm per-process caches (site root paths), as a running site has
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_notice_page_queries_do_not_grow_with_entries(client, make_notice, make_processor, make_rule, make_cookie):
    few = make_notice(_link_many(1, make_processor, make_rule, make_cookie), slug="few")
    many = make_notice(_link_many(200, make_processor, make_rule, make_cookie), slug="many")
    few_queries = queries_for(client, few.url)
    assert few_queries <= NOTICE_PAGE_CEILING
    assert queries_for(client, many.url) == few_queries


def test_hub_queries_do_not_grow_with_notices(client, hub, make_notice):
    make_notice(slug="first")
    one = queries_for(client, hub.url)
    for i in range(20):
        audience = Audience.objects.create(name=f"Audience {i}", slug=f"audience-{i}")
        make_notice(slug=f"notice-{i}", audience=audience)
    assert one <= HUB_PAGE_CEILING
    assert queries_for(client, hub.url) == one


def test_schedule_queries_do_not_grow_with_rules(client, site_root, make_rule):
    schedule = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule")
    site_root.add_child(instance=schedule)
    schedule.save_revision().publish()
    make_rule()
    one = queries_for(client, schedule.url)
    RetentionRule.objects.bulk_create(
        [RetentionRule(code=f"R-{i}", record_class=f"Records {i}", period="P1Y", trigger="receipt") for i in range(150)]
    )
    assert one <= SCHEDULE_PAGE_CEILING
    assert queries_for(client, schedule.url) == one


def test_page_links_in_rich_text_cost_the_same_in_one_section_or_twenty(client, hub, make_notice):
    def link_sections(count):
        link = f'<p>See <a linktype="page" id="{hub.pk}">our hub</a>.</p>'
        return [section("text", heading=f"Part {i}", body=link) for i in range(count)]

    one = make_notice(link_sections(1), slug="one-link")
    twenty = make_notice(link_sections(20), slug="twenty-links")
    one_queries = queries_for(client, one.url)
    assert queries_for(client, twenty.url) == one_queries
    assert f'href="{hub.url}"' in client.get(twenty.url).content.decode()
