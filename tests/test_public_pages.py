"""The public pages: the hub, a notice and the retention schedule, as a member of the public sees them.

Only live content may ever show: not a draft notice, not a draft register
entry chosen on a live notice, not the unpublished edits of a published
entry, and never a processor's internal fields.
"""

import pytest
from bs4 import BeautifulSoup

from retention_schedule.models import RetentionSchedulePage
from tests.conftest import section

pytestmark = pytest.mark.django_db


def get_soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def table_with_caption(soup, caption):
    """The table whose caption reads ``caption``; fails the test if there is none."""
    for table in soup.find_all("table"):
        if table.caption and table.caption.get_text(" ", strip=True) == caption:
            return table
    captions = [t.caption.get_text(" ", strip=True) for t in soup.find_all("table") if t.caption]
    raise AssertionError(f"No table captioned {caption!r}; captions: {captions}")


def column_headers(table):
    return [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]


def row_headers(table):
    return [th.get_text(" ", strip=True) for th in table.tbody.find_all("th", scope="row")]


def text_of(soup):
    return soup.get_text(" ", strip=True)


@pytest.fixture
def full_notice(make_notice, make_rule, make_processor, make_cookie):
    """A notice with one section of every type."""
    rule = make_rule(record_class="Complaint case files", period="P6Y", trigger="the closure of the case")
    processor = make_processor(
        name="Egress",
        service="Secure email",
        countries=["GB", "US"],
        transfer_safeguard="idta",
        internal_notes="Renewal price under negotiation",
        contract_reference="CON-SECRET-42",
    )
    cookie = make_cookie(name="sessionid", category="strictly_necessary")
    sections = [
        section(
            "personal_data",
            heading="The information we collect",
            categories=[{"name": "Your name and contact details", "details": "", "kind": "ordinary"}],
            source="person",
        ),
        section(
            "purposes",
            heading="Why we use it",
            purposes=[{"purpose": "To investigate your complaint", "lawful_basis": "public_task"}],
        ),
        section(
            "sharing",
            heading="Who we share it with",
            processors=[processor.pk],
            other_recipients=[{"name": "The Ombudsman", "details": "If you take your complaint further."}],
        ),
        section("retention", heading="How long we keep it", rules=[rule.pk]),
        section("transfers", heading="Sending information abroad"),
        section("cookies", heading="Cookies we use", cookies=[cookie.pk]),
        section("automated_decisions", heading="Automated decisions", uses_automated_decisions=False),
        section("rights", heading="Your rights", rights=["access", "erasure", "complain"]),
        section("text", heading="Changes to this notice", body="<p>We review this notice every year.</p>"),
    ]
    return make_notice(sections)


def test_notice_page_shows_title_audience_date_and_every_section_in_order(client, full_notice):
    soup = get_soup(client, full_notice.url)

    assert soup.h1.get_text(strip=True) == "Complainants' privacy notice"
    page_text = text_of(soup)
    assert "People who complain" in page_text
    assert "How we use the information you give us when you complain." in page_text

    published = full_notice.last_published_at.date()
    time = soup.find("time", datetime=published.isoformat())
    assert time is not None
    assert time.get_text() == f"{published.day} {published:%B %Y}"

    headings = [h2.get_text(strip=True) for h2 in soup.select("main h2")]
    expected = [
        "The information we collect",
        "Why we use it",
        "Who we share it with",
        "How long we keep it",
        "Sending information abroad",
        "Cookies we use",
        "Automated decisions",
        "Your rights",
        "Changes to this notice",
    ]
    assert [h for h in headings if h in expected] == expected
    # The contents list links to every section's heading.
    contents = [a["href"].lstrip("#") for a in soup.select("nav.pn-contents a")]
    for anchor in contents:
        assert soup.find(id=anchor) is not None
    assert len(contents) == len(expected) + 1  # and the contact section


def test_notice_page_tables(client, full_notice):
    soup = get_soup(client, full_notice.url)

    shared = table_with_caption(soup, "Organisations we share your information with")
    assert column_headers(shared) == [
        "Organisation",
        "What they do",
        "Their role",
        "Where the data is held",
        "Safeguard",
    ]
    assert row_headers(shared)[0].startswith("Egress")
    row = text_of(shared.tbody.tr)
    assert "Secure email" in row and "United States of America" in row
    assert "International Data Transfer Agreement (IDTA)" in row
    others = table_with_caption(soup, "Others we may share your information with")
    assert row_headers(others) == ["The Ombudsman"]

    retention = table_with_caption(soup, "How long we keep your information")
    assert column_headers(retention) == ["Information", "How long we keep it", "Counted from", "What happens then"]
    assert row_headers(retention) == ["Complaint case files"]
    assert [td.get_text(strip=True) for td in retention.tbody.find_all("td")] == [
        "6 years",
        "the closure of the case",
        "Deleted",
    ]

    transfers = table_with_caption(soup, "Organisations that hold your information outside the UK")
    assert row_headers(transfers)[0].startswith("Egress")
    assert "United States of America" in text_of(transfers)
    assert "United Kingdom" not in text_of(transfers)

    cookies = table_with_caption(soup, "Strictly necessary cookies")
    assert row_headers(cookies) == ["sessionid"]
    assert "2 weeks" in text_of(cookies) and "First party" in text_of(cookies)

    # Every table sits in a named, keyboard-scrollable region and has header cells with a scope.
    for table in soup.find_all("table"):
        region = table.parent
        assert region["role"] == "region" and region["tabindex"] == "0"
        assert soup.find(id=region["aria-labelledby"]) is table.caption
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))


def test_notice_page_rights_complaint_and_contact(client, full_notice):
    soup = get_soup(client, full_notice.url)
    page_text = text_of(soup)
    assert "Access: a copy of your information (Article 15)" in page_text
    assert "Information Commissioner's Office" in page_text
    assert soup.find("a", href="https://ico.org.uk/make-a-complaint/") is not None
    contact = soup.find(id="contact").parent
    assert "Northmoor Care Standards Authority" in text_of(contact)
    assert contact.find("a", href="mailto:dpo@northmoor.example") is not None
    # The landmarks and the skip link from the site's layout.
    assert soup.find("a", href="#main-content") is not None
    assert soup.find("main", id="main-content") is not None
    assert soup.header and soup.footer and soup.nav


def test_no_cookie_table_without_a_cookies_section(client, make_notice, make_rule):
    notice = make_notice([section("retention", heading="How long we keep it", rules=[make_rule().pk])])
    soup = get_soup(client, notice.url)
    captions = [t.caption.get_text(strip=True) for t in soup.find_all("table")]
    assert captions == ["How long we keep your information"]
    assert "cookies" not in text_of(soup.find("main")).lower()


def test_processor_internal_fields_never_shown(client, full_notice):
    html = client.get(full_notice.url).content.decode()
    assert "Egress" in html
    assert "Renewal price under negotiation" not in html
    assert "CON-SECRET-42" not in html


def test_draft_register_entries_never_shown(client, make_notice, make_processor, make_rule):
    draft = make_processor(name="Draftco Analytics", draft=True)
    draft_rule = make_rule(record_class="Draft-only records", draft=True)
    published = make_processor(name="Egress", service="Secure email")
    published.service = "Unpublished new service"
    published.save_revision()  # a draft edit of a live entry

    notice = make_notice(
        [
            section("sharing", heading="Who we share it with", processors=[draft.pk, published.pk]),
            section("retention", heading="How long we keep it", rules=[draft_rule.pk]),
        ]
    )
    html = client.get(notice.url).content.decode()
    assert "Draftco Analytics" not in html
    assert "Draft-only records" not in html
    assert "Unpublished new service" not in html
    assert "Secure email" in html


def test_hub_lists_live_notices_with_date_but_not_drafts(client, hub, make_notice):
    live = make_notice(title="Complainants' privacy notice")
    make_notice(title="Job applicants' privacy notice", publish_it=False)

    soup = get_soup(client, hub.url)
    items = soup.select(".pn-notice-list__item")
    assert [item.h3.get_text(strip=True) for item in items] == ["Complainants' privacy notice"]
    item = items[0]
    assert item.h3.a["href"] == live.url
    assert "People who complain" in text_of(item)
    assert item.find("time", datetime=live.last_published_at.date().isoformat()) is not None
    assert "Job applicants" not in soup.decode()


def test_hub_shows_its_organisation_wide_sections(client, hub):
    hub.sections = [
        ("rights", {"heading": "Your rights", "rights": ["access", "complain"]}),
        ("text", {"heading": "Changes to our notices", "body": "<p>We tell you when things change.</p>"}),
    ]
    hub.save_revision().publish()
    soup = get_soup(client, hub.url)
    headings = [h2.get_text(strip=True) for h2 in soup.select("main h2")]
    assert "Your rights" in headings and "Changes to our notices" in headings
    assert "We tell you when things change." in text_of(soup)
    assert "Information Commissioner's Office" in text_of(soup)


def test_schedule_lists_live_rules_grouped_but_not_drafts(client, site_root, make_rule):
    make_rule(record_class="Complaint case files", business_function="Complaints")
    make_rule(record_class="Unsuccessful applications", business_function="Recruitment", period="P6M")
    make_rule(record_class="Secret draft records", business_function="Complaints", draft=True)
    page = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule")
    site_root.add_child(instance=page)
    page.save_revision().publish()

    soup = get_soup(client, page.url)
    assert soup.h1.get_text(strip=True) == "Retention schedule"
    assert [h2.get_text(strip=True) for h2 in soup.select("section h2")] == ["Complaints", "Recruitment"]
    recruitment = table_with_caption(soup, "How long we keep Recruitment records")
    assert "6 months" in text_of(recruitment)
    assert all(th.get("scope") for th in recruitment.find_all("th"))
    assert "Complaint case files" in text_of(soup)
    assert "Secret draft records" not in soup.decode()
    assert soup.find("time") is not None


def test_register_entry_previews_render(rf, make_processor, make_cookie):
    processor = make_processor(name="Egress", countries=["US"], transfer_safeguard="idta", internal_notes="hush")
    cookie = make_cookie(name="_ga", category="analytics", party="third", provider=processor)
    request = rf.get("/")
    for entry in (processor, cookie):
        response = entry.make_preview_request(request)
        html = response.content.decode()
        assert response.status_code == 200
        assert entry.name in html
        assert "hush" not in html


def test_section_anchors_fall_back_to_unique_slugs_and_dates_read_well():
    from privacy_notices.templatetags.privacy_notices_tags import long_date, with_anchors

    sections = [
        {"id": "abc", "heading": "Your rights"},
        {"id": None, "heading": "Your rights"},
        {"id": None, "heading": "Your rights"},
        {"id": None, "heading": "Contact"},  # must not take the layout's own "contact" id
        {"id": None, "heading": ""},
    ]
    assert [s["anchor"] for s in with_anchors(sections)] == [
        "section-abc",
        "your-rights",
        "your-rights-2",
        "contact-2",
        "section-5",
    ]
    assert long_date("2026-11-22") == '<time datetime="2026-11-22">22 November 2026</time>'
    assert long_date(None) == "" and long_date("not a date") == ""


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_own_404_page(client, hub, organisation):
    response = client.get("/privacy/no-such-notice/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("a.site-skip-link")["href"] == "#main-content"
    assert soup.select_one("main#main-content h1").get_text() == "Page not found"
    assert soup.select_one("header nav[aria-label=Main]") and soup.select_one("footer")
    assert soup.select_one("main a[href='/privacy/']")


def test_the_error_page_stands_alone(rf):
    """Django renders 500.html with no context and no database: the page still has its landmarks and styles."""
    from django.views.defaults import server_error

    response = server_error(rf.get("/privacy/"))
    assert response.status_code == 500
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("html")["lang"] == "en-gb"
    assert soup.select_one("a.site-skip-link") and soup.select_one("main h1") and soup.select_one("header")
    assert soup.select_one("link[rel=stylesheet]")["href"].endswith("css/site.css")
