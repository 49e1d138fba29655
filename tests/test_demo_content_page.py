"""The demo's ordinary page (demo.ContentPage), the serving benchmark's baseline: a title and a rich-text body."""

import pytest
import swapper
from bs4 import BeautifulSoup

from demo.models import ContentPage

pytestmark = pytest.mark.django_db


def test_a_live_content_page_renders_its_title_and_body(client, site_root):
    page = ContentPage(
        title="About our inspections",
        slug="about-inspections",
        body=(
            '<h2 data-block-key="a1">How we inspect</h2><p data-block-key="b2">We visit <b>every</b> service.</p>'
            f'<p data-block-key="c3">See <a linktype="page" id="{site_root.pk}">the home page</a>.</p>'
        ),
        live=False,
    )
    site_root.add_child(instance=page)
    page.save_revision().publish()

    response = client.get("/about-inspections/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text(strip=True) == "About our inspections"
    article = soup.find("article")
    assert article.h2.get_text(strip=True) == "How we inspect"
    assert article.p.get_text(" ", strip=True) == "We visit every service."
    # Through the richtext filter: the stored page link becomes the page's address.
    link = article.find("a", string="the home page")
    assert link["href"] == site_root.url


def test_a_draft_content_page_is_not_served(client, site_root):
    page = ContentPage(title="Draft", slug="draft-page", body="<p>Not yet.</p>", live=False)
    site_root.add_child(instance=page)
    page.save_revision()

    assert client.get("/draft-page/").status_code == 404


def test_content_page_inherits_from_the_projects_base_page_model():
    assert issubclass(ContentPage, swapper.load_model("wagtailcore", "Page"))
