"""The public pages in a real browser, as the public reads them, on the demo served live.

Debian's chromium, driven by Playwright, at a desktop and a phone width:
- a reader's journey by clicking: the hub, a notice, its history, a diff, an
  old version, and the notice as it was on a date;
- axe-core finds no WCAG 2.2 A or AA violation on any public page type (each
  violation is printed with the elements at fault);
- a screenshot of each page type at each width, kept in test-artifacts/browser/;
- the keyboard: the skip link comes first and focus is always visible;
- the structure a screen reader relies on: landmarks, one h1, a contents list
  whose links all land, tables with captions and header cells;
- print: a printed notice carries its version and date, without the navigation
  (a PDF of it is kept beside the screenshots);
- nothing is fetched from anywhere but the site itself.
"""

import re
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from .support import WIDTHS, artifact_path, axe_violations, describe_violations, expect, file_name

pytestmark = pytest.mark.browser

# The staff notice gets 52 versions, so its history has a second page (50 versions a page).
DEMO_PREPARATION = """
from privacy_notices.models import PrivacyNoticePage
page = PrivacyNoticePage.objects.get(slug="staff")
wording = page.summary
for number in range(1, 52):
    page.summary = f"{wording} (Wording checked, {number}.)"
    page.change_summary = f"We checked the wording of the summary ({number})."
    page.material_change = False
    page.save_revision().publish()
    page = PrivacyNoticePage.objects.get(pk=page.pk)
"""

# Today where the demo is (its TIME_ZONE), not where the tests run.
TODAY = datetime.now(ZoneInfo("Europe/London")).date().isoformat()

# Every kind of public page, each at an address of the demo content, with the status it should answer.
PUBLIC_PAGES = {
    "hub": "/privacy/",
    "notice": "/privacy/complainants/",
    "notice with cookies": "/privacy/site-visitors/",
    "notice on a date": f"/privacy/site-visitors/?at={TODAY}",
    "notice before it was published": "/privacy/site-visitors/?at=2020-01-01",
    "notice on a malformed date": "/privacy/complainants/?at=not-a-date",
    "history": "/privacy/site-visitors/@history",
    "history, second page": "/privacy/staff/@history?page=2",
    "history, a page that does not exist": "/privacy/staff/@history?page=abc",
    "old version": "/privacy/site-visitors/@history/1",
    "version that does not exist": "/privacy/complainants/@history/99",
    "diff": "/privacy/site-visitors/@diff/1/2",
    "diff the wrong way round": "/privacy/site-visitors/@diff/2/1",
    "diff with a version that does not exist": "/privacy/site-visitors/@diff/1/99",
    "processors": "/privacy/@processors",
    "processors by role": "/privacy/@processors?role=processor",
    "processors, none of that role": "/privacy/@processors?role=zzz",
    "cookies": "/privacy/@cookies",
    "cookies by category": "/privacy/@cookies?category=analytics",
    "cookies, none in that category": "/privacy/@cookies?category=zzz",
    "retention schedule": "/retention-schedule/",
    "retention schedule, searched": "/retention-schedule/?q=complaint",
    "retention schedule, nothing found": "/retention-schedule/?q=zzzz",
    "retention rule": "/retention-schedule/COMP-03/",
    "retention rule with a date": "/retention-schedule/COMP-03/?trigger=2024-10-14",
    "retention rule with a malformed date": "/retention-schedule/COMP-03/?trigger=nope",
    "page not found": "/privacy/no-such-notice/",
}
STATUS = {
    "notice before it was published": 404,
    "notice on a malformed date": 400,
    "history, a page that does not exist": 404,
    "version that does not exist": 404,
    "diff the wrong way round": 400,
    "diff with a version that does not exist": 404,
    "retention rule with a malformed date": 400,
    "page not found": 404,
}
# Pages whose content is tables: each must have at least one.
WITH_TABLES = {
    "notice",
    "notice with cookies",
    "history",
    "history, second page",
    "processors",
    "processors by role",
    "cookies",
    "cookies by category",
    "retention schedule",
    "retention schedule, searched",
}
# What a page says in words, so that a page that answers 200 with nothing on it does not pass.
SAYS = {
    "history, second page": "Page 2 of 2",
    "processors, none of that role": "No organisations match this filter.",
    "cookies, none in that category": "No cookies match this filter.",
    "retention schedule, nothing found": "No kinds of record match these filters.",
    "page not found": "Page not found",
}


@pytest.fixture(params=list(WIDTHS))
def width(request):
    return request.param


@pytest.fixture
def visit(browser, demo):
    """Open pages in a fresh browser context at a width; records every request made for each page."""
    contexts = []

    def open_page(path, width="desktop"):
        context = browser.new_context(viewport=WIDTHS[width], base_url=demo)
        contexts.append(context)
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        page.response = page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_every_public_page_type_passes_axe_at_each_width(visit, demo, name, width):
    page = visit(PUBLIC_PAGES[name], width)
    assert page.response.status == STATUS.get(name, 200), name
    page.screenshot(path=artifact_path(width, f"{file_name(name)}.png"), full_page=True)

    violations = axe_violations(page)
    if violations:
        print(f"\naxe-core found {len(violations)} WCAG 2.2 AA violation(s) on {name} ({width}):")
        print(describe_violations(violations))
    assert not violations, f"{name} at {width}:\n{describe_violations(violations)}"


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_every_asset_comes_from_the_site_itself(visit, demo, name):
    page = visit(PUBLIC_PAGES[name])
    page.wait_for_load_state("networkidle")
    site = urlsplit(demo).netloc
    elsewhere = [url for url in page.requests if urlsplit(url).scheme != "data" and urlsplit(url).netloc != site]
    assert not elsewhere, f"{name} fetched from elsewhere: {elsewhere}"
    # The stylesheets arrived: a page without its CSS would pass axe and still be unreadable.
    assert any(url.endswith(".css") for url in page.requests)


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_landmarks_headings_and_tables(visit, name):
    page = visit(PUBLIC_PAGES[name])
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)
    expect(page.locator("h1")).to_have_count(1)
    if name in SAYS:
        expect(page.locator("main")).to_contain_text(SAYS[name])
    tables = page.locator("main table").all()
    if name in WITH_TABLES:
        assert tables, f"{name}: no table"
    for table in tables:
        caption = table.locator("caption")
        assert caption.count() == 1 and caption.inner_text().strip(), f"{name}: a table without a caption"
        assert table.locator("thead th[scope=col]").count() >= 2, f"{name}: a table without column headers"
        for row in table.locator("tbody tr").all():
            assert row.locator("th[scope=row]").count() == 1, f"{name}: a row without a header cell"


def test_a_reader_goes_from_the_hub_to_a_notice_its_history_a_diff_and_an_old_version(visit, width):
    page = visit("/privacy/", width)
    expect(page.get_by_role("heading", level=1)).to_have_text("How we use your information")
    page.locator("main").get_by_role("link", name=re.compile("when you visit our website")).first.click()
    expect(page).to_have_url(re.compile(r"/privacy/site-visitors/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("website")
    page.wait_for_load_state()
    # "Last updated" is in the first screenful, even on a phone, with the way to the history beside it.
    updated = page.locator(".pn-meta").get_by_text("Last updated")
    history_link = page.get_by_role("link", name="See all versions and what changed")
    expect(updated).to_be_in_viewport()
    expect(history_link).to_be_in_viewport()

    history_link.click()
    expect(page).to_have_url(re.compile(r"/privacy/site-visitors/@history$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Versions of this notice")
    versions = page.get_by_role("table", name="Published versions, newest first")
    expect(versions.get_by_role("row")).to_have_count(3)  # a header row and two versions

    page.get_by_role("link", name=re.compile("Compare with version 1")).click()
    expect(page).to_have_url(re.compile(r"/privacy/site-visitors/@diff/1/2$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What changed from version 1 to version 2")
    # What changed is said in words, not only shown by colour: every changed line is labelled.
    changed = page.locator("main .pn-diff__line--insert, main .pn-diff__line--delete")
    expect(changed.first).to_be_visible()
    for line in changed.all():
        assert re.match(r"(Added|Removed):", line.inner_text()), line.inner_text()
    page.go_back()

    expect(page).to_have_url(re.compile(r"/privacy/site-visitors/@history$"))
    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page).to_have_url(re.compile(r"/privacy/site-visitors/@history/1$"))
    expect(page.get_by_role("region", name="This is not the current version")).to_be_visible()
    expect(page).to_have_title(re.compile("^Version 1 of "))
    page.go_back()

    # The notice as it was on a date, through the form under the history.
    today = TODAY
    page.get_by_label("See the notice as it was on a date").fill(today)
    page.get_by_role("button", name="Show the notice").click()
    expect(page).to_have_url(re.compile(re.escape(f"/privacy/site-visitors/?at={today}") + "$"))
    expect(page.get_by_role("region", name=re.compile("This notice as it was on"))).to_be_visible()


# How an element looks: what a focus style changes.
LOOK = (
    "el => ['backgroundColor', 'color', 'outlineStyle', 'outlineColor', 'boxShadow', 'textDecorationLine']"
    ".map(property => getComputedStyle(el)[property]).join('|')"
)


@pytest.mark.parametrize("name", ["notice", "history", "processors", "retention rule with a date"])
def test_the_skip_link_comes_first_and_focus_is_always_visible(visit, name):
    page = visit(PUBLIC_PAGES[name])
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    # Every link, button and field the Tab key reaches, from the header to the footer, shows the focus.
    checked = set()
    for _step in range(400):
        focused = page.locator("*:focus")
        if focused.count() == 0:
            break
        html = focused.evaluate("el => el.outerHTML")
        focused_look = focused.evaluate(LOOK)
        resting_look = focused.evaluate(f"el => {{ el.blur(); const look = ({LOOK})(el); el.focus(); return look; }}")
        assert focused_look != resting_look, f"{name}: no visible focus on {html[:160]}"
        checked.add(html)
        page.keyboard.press("Tab")
    header_links = (">How we use your information</a>", ">Retention schedule</a>")
    assert all(any(link in html for html in checked) for link in header_links), f"{name}: header links not reached"
    assert len(checked) >= 8, f"{name}: the keyboard reached only {len(checked)} elements"

    page.goto(PUBLIC_PAGES[name])
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_the_contents_list_lists_every_section_and_each_link_lands(visit):
    page = visit("/privacy/complainants/")
    contents = page.get_by_role("navigation", name="Contents")
    links = contents.get_by_role("link").all()
    sections = page.locator("main section > h2").all()
    assert len(sections) >= 5
    # Every section, in order, ending with "Who we are and how to contact us".
    assert [link.inner_text() for link in links] == [heading.inner_text() for heading in sections]
    for link in links:
        target = link.get_attribute("href")
        assert target.startswith("#") and page.locator(target).count() == 1, target
    links[-1].click()
    expect(page).to_have_url(re.compile(re.escape(links[-1].get_attribute("href")) + "$"))
    expect(page.locator(links[-1].get_attribute("href"))).to_be_in_viewport()


@pytest.mark.parametrize("name", ["notice", "old version"])
def test_a_printed_notice_carries_its_version_and_date(visit, name):
    page = visit(PUBLIC_PAGES[name])
    main_nav = page.get_by_role("navigation", name="Main")
    contents = page.get_by_role("navigation", name="Contents")
    skip = page.get_by_role("link", name="Skip to main content")
    printed_from = page.get_by_text("Printed from")
    # On screen: the navigation and the contents list are there; the "Printed from" line is not.
    expect(main_nav).to_be_visible()
    expect(contents).to_be_visible()
    expect(skip).to_have_count(1)
    expect(printed_from).to_be_hidden()

    page.emulate_media(media="print")
    meta = page.locator(".pn-meta").first
    expect(meta).to_be_visible()
    expect(meta).to_contain_text("Last updated")
    expect(meta).to_contain_text(re.compile(r"\d{1,2} \w+ \d{4}"))
    expect(page.locator(".pn-history-link")).to_contain_text(re.compile(r"Version \d+\."))
    expect(page.locator(".pn-history-link")).to_be_visible()
    expect(printed_from).to_be_visible()
    # The link to the history does not help on paper; the navigation and the contents list neither.
    expect(page.locator(".pn-history-link a")).to_be_hidden()
    expect(skip).to_be_hidden()
    expect(main_nav).to_be_hidden()
    expect(contents).to_be_hidden()
    page.pdf(path=artifact_path("print", f"{file_name(name)}.pdf"), format="A4")
