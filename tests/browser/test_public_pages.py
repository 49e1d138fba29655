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
from datetime import date
from urllib.parse import urlsplit

import pytest

from .support import WIDTHS, artifact_path, axe_violations, describe_violations, file_name

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: make test installs it").expect

# Every kind of public page, each at an address of the demo content.
PUBLIC_PAGES = {
    "hub": "/privacy/",
    "notice": "/privacy/complainants/",
    "notice with cookies": "/privacy/site-visitors/",
    "notice on a date": f"/privacy/site-visitors/?at={date.today().isoformat()}",
    "notice before it was published": "/privacy/site-visitors/?at=2020-01-01",
    "history": "/privacy/site-visitors/@history",
    "old version": "/privacy/site-visitors/@history/1",
    "diff": "/privacy/site-visitors/@diff/1/2",
    "version that does not exist": "/privacy/complainants/@history/99",
    "processors": "/privacy/@processors",
    "cookies": "/privacy/@cookies",
    "retention schedule": "/retention-schedule/",
    "retention rule": "/retention-schedule/COMP-03/",
    "retention rule with a date": "/retention-schedule/COMP-03/?trigger=2024-10-14",
}
# Pages that answer something other than 200 on purpose.
STATUS = {"version that does not exist": 404, "notice before it was published": 404}


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
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name", list(PUBLIC_PAGES))
def test_every_public_page_type_passes_axe_at_each_width(visit, demo, name, width):
    page = visit(PUBLIC_PAGES[name], width)
    response_status = page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus")
    assert response_status == STATUS.get(name, 200), name
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
    assert page.get_by_role("banner").count() == 1
    assert page.get_by_role("main").count() == 1
    assert page.get_by_role("contentinfo").count() == 1
    assert page.get_by_role("navigation", name="Main").count() == 1
    assert page.locator("h1").count() == 1
    for table in page.locator("main table").all():
        caption = table.locator("caption")
        assert caption.count() == 1 and caption.inner_text().strip(), f"{name}: a table without a caption"
        assert table.locator("thead th[scope=col]").count() >= 2, f"{name}: a table without column headers"
        for row in table.locator("tbody tr").all():
            assert row.locator("th[scope=row]").count() == 1, f"{name}: a row without a header cell"


def test_a_reader_goes_from_the_hub_to_a_notice_its_history_a_diff_and_an_old_version(visit, width):
    page = visit("/privacy/", width)
    assert page.get_by_role("heading", level=1).inner_text()
    page.locator("main").get_by_role("link", name=re.compile("when you visit our website")).first.click()
    expect(page).to_have_url(re.compile(re.escape("/privacy/site-visitors/") + "$"))
    title = page.get_by_role("heading", level=1).inner_text()
    assert "website" in title
    # "Last updated" is in the first screenful, even on a phone, with the way to the history beside it.
    updated = page.locator(".pn-meta").get_by_text("Last updated")
    assert updated.is_visible()
    assert updated.bounding_box()["y"] < WIDTHS[width]["height"]
    assert (
        page.get_by_role("link", name="See all versions and what changed").bounding_box()["y"] < WIDTHS[width]["height"]
    )

    page.get_by_role("link", name="See all versions and what changed").click()
    expect(page).to_have_url(re.compile(re.escape("/privacy/site-visitors/@history") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Versions of this notice")
    versions = page.get_by_role("table", name="Published versions, newest first")
    assert versions.get_by_role("row").count() == 3  # a header row and two versions

    page.get_by_role("link", name=re.compile("Compare with version 1")).click()
    expect(page).to_have_url(re.compile(re.escape("/privacy/site-visitors/@diff/1/2") + "$"))
    main = page.locator("main")
    # What changed is said in words, not only shown by colour: every changed line is labelled.
    changed = main.locator(".pn-diff__line--insert, .pn-diff__line--delete")
    assert changed.count() > 0
    for line in changed.all():
        assert re.match(r"(Added|Removed):", line.inner_text()), line.inner_text()
    page.go_back()

    page.get_by_role("link", name="Version 1", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape("/privacy/site-visitors/@history/1") + "$"))
    expect(page.get_by_role("region", name="This is not the current version")).to_be_visible()
    assert "Version 1" in page.title()
    page.go_back()

    # The notice as it was on a date, through the form under the history.
    today = date.today().isoformat()
    page.get_by_label("See the notice as it was on a date").fill(today)
    page.get_by_role("button", name="Show the notice").click()
    expect(page).to_have_url(re.compile(re.escape(f"/privacy/site-visitors/?at={today}") + "$"))
    expect(page.get_by_role("region", name=re.compile("This notice as it was on"))).to_be_visible()


def test_the_skip_link_comes_first_and_focus_is_always_visible(visit):
    page = visit("/privacy/complainants/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box and box["width"] > 0 and box["y"] >= 0, "the skip link is not on screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    # Every link and button the keyboard reaches on the page shows where the focus is.
    unfocused_style = (
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).outlineStyle, "
        "getComputedStyle(el).boxShadow].join('|')"
    )
    checked = 0
    for _step in range(40):
        page.keyboard.press("Tab")
        focused = page.locator("*:focus")
        if focused.count() == 0:
            break
        checked += 1
        focused_look = focused.evaluate(unfocused_style)
        resting_look = focused.evaluate(
            "el => { el.blur(); const look = (" + unfocused_style + ")(el); el.focus(); return look; }"
        )
        assert focused_look != resting_look, f"no visible focus on {focused.evaluate('el => el.outerHTML')[:120]}"
    assert checked >= 20, "the keyboard reached fewer links than the notice has"


def test_the_contents_list_lists_every_section_and_each_link_lands(visit):
    page = visit("/privacy/complainants/")
    contents = page.get_by_role("navigation", name="Contents")
    links = contents.get_by_role("link").all()
    sections = page.locator("main section > h2").all()
    assert len(links) >= 5
    assert [link.inner_text() for link in links][: len(sections)] == [h.inner_text() for h in sections]
    for link in links:
        target = link.get_attribute("href")
        assert target.startswith("#") and page.locator(target).count() == 1, target
    links[-1].click()
    assert page.evaluate("location.hash") == links[-1].get_attribute("href")


@pytest.mark.parametrize("name", ["notice", "old version"])
def test_a_printed_notice_carries_its_version_and_date(visit, name):
    page = visit(PUBLIC_PAGES[name])
    page.emulate_media(media="print")
    meta = page.locator(".pn-meta").first
    assert meta.is_visible() and "Last updated" in meta.inner_text()
    assert re.search(r"\d{1,2} \w+ \d{4}", meta.inner_text())
    assert page.get_by_text(re.compile(r"^Version \d+")).first.is_visible()
    assert page.get_by_text("Printed from").is_visible()
    # The version stays on paper; a link to the history does not help there.
    assert not page.get_by_role("link", name="See all versions and what changed").is_visible()
    for hidden in ("Skip to main content",):
        assert not page.get_by_role("link", name=hidden).is_visible()
    assert not page.get_by_role("navigation", name="Main").is_visible()
    assert not page.get_by_role("navigation", name="Contents").is_visible()
    page.pdf(path=artifact_path("print", f"{file_name(name)}.pdf"), format="A4")
