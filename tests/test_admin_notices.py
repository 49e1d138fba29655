"""Privacy notices through the real Wagtail page editor: create, draft, publish,
preview, and refusal of sections that break UK GDPR Articles 13 and 14.

The posts are built the way the page editor's form submits them (see
``wagtail.test.utils.form_data``): StreamField sections, ListBlock items and
snippet choosers (a chooser submits the chosen entry's pk).

Tests marked "needs the public templates" GET the public page, which the
notice templates render; the admin-side tests before them do not need those
templates.
"""

import html

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import (
    inline_formset,
    nested_form_data,
    rich_text,
    streamfield,
)

from privacy_notices.blocks import RICH_TEXT_FEATURES
from privacy_notices.document import resolve_notice
from privacy_notices.models import PrivacyNoticeIndexPage, PrivacyNoticePage

pytestmark = pytest.mark.django_db


# Building editor posts ----------------------------------------------------------------


def text(response):
    return html.unescape(response.content.decode())


def rich(source=""):
    return rich_text(source, features=RICH_TEXT_FEATURES)


def list_block(values):
    """ListBlock form data: a count, then each item's value, order, deleted flag and id."""
    data = {str(i): {"value": value, "order": str(i), "deleted": "", "id": ""} for i, value in enumerate(values)}
    data["count"] = str(len(values))
    return data


def purpose(name, lawful_basis, legitimate_interests=""):
    return {
        "purpose": name,
        "details": "",
        "lawful_basis": lawful_basis,
        "legitimate_interests": legitimate_interests,
        "special_category_condition": "",
        "criminal_offence_condition": "",
    }


def purposes_section(*purposes, heading="Why we use it and our lawful basis"):
    return ("purposes", {"heading": heading, "intro": rich(), "purposes": list_block(purposes)})


def personal_data_section(source="person", source_details="", requirement=""):
    return (
        "personal_data",
        {
            "heading": "The information we collect",
            "intro": rich(),
            "categories": list_block([{"name": "Your name and contact details", "details": "", "kind": "ordinary"}]),
            "source": source,
            "source_details": source_details,
            "requirement": requirement,
        },
    )


def sharing_section(*processors):
    return (
        "sharing",
        {
            "heading": "Who we share it with",
            "intro": rich(),
            "processors": list_block([str(p.pk) for p in processors]),
            "other_recipients": list_block([]),
        },
    )


def retention_section(*rules):
    return (
        "retention",
        {
            "heading": "How long we keep it",
            "intro": rich(),
            "rules": list_block([str(r.pk) for r in rules]),
        },
    )


def cookies_section(categories=(), cookies=()):
    return (
        "cookies",
        {
            "heading": "Cookies",
            "intro": rich(),
            # A tuple stays one multi-valued field: nested_form_data only flattens dicts and lists.
            "categories": tuple(categories),
            "cookies": list_block([str(c.pk) for c in cookies]),
        },
    )


def rights_section(rights=("access", "erasure", "complain")):
    return ("rights", {"heading": "Your rights", "intro": rich(), "rights": tuple(rights)})


def automated_decisions_section():
    return (
        "automated_decisions",
        {"heading": "Automated decisions", "uses_automated_decisions": "", "details": rich()},
    )


# Every right a notice relying on a public task must list (Articles 15 to 18 and 21, and the ICO).
ALL_RIGHTS_FOR_A_PUBLIC_TASK = ("access", "rectification", "erasure", "restriction", "objection", "complain")


def notice_form(sections, *, title="Complainants' privacy notice", slug="complainants", audience=None, **fields):
    data = {
        "title": title,
        "slug": slug,
        "audience": str(audience.pk) if audience else "",
        "summary": "How we use the information you give us when you complain.",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "change_summary": "",
        "material_change": "on",
        "sections": streamfield(list(sections)),
        "comments": inline_formset([]),
    }
    data.update(fields)
    return nested_form_data(data)


def publish(data):
    return {**data, "action-publish": "action-publish"}


def add_notice_url(parent):
    return reverse("wagtailadmin_pages:add", args=("privacy_notices", "privacynoticepage", parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def block_errors(response):
    """The StreamField's errors as {"0.purposes.0.legitimate_interests": [messages]}."""
    form = response.context["form"]
    assert "sections" in form.errors, form.errors
    found = {}

    def walk(path, data):
        if data.get("messages"):
            found[".".join(path)] = data["messages"]
        for key, child in (data.get("blockErrors") or {}).items():
            walk([*path, str(key)], child)

    walk([], form.errors["sections"].as_data()[0].as_json_data())
    return found


@pytest.fixture
def editor(client, django_user_model):
    """The client, logged in as a superuser: the content editor who writes notices."""
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def registers(make_processor, make_rule, make_cookie):
    """One live entry in each register, as the DPO has published them."""
    return {
        "processor": make_processor(name="Egress", service="Secure email", countries=["GB"]),
        "rule": make_rule(
            code="COMP-01",
            record_class="Complaint case files",
            period="P2Y",
            trigger="the closure of the case",
        ),
        "cookie": make_cookie(name="sessionid", category="strictly_necessary"),
        "analytics_cookie": make_cookie(name="_ga", category="analytics", purpose="Counts visits.", lifetime="P2Y"),
    }


def full_notice(registers):
    """A notice with every item Articles 13 and 14 require (its compliance report is complete)."""
    return [
        personal_data_section(requirement="You do not have to give it, but we cannot answer without it."),
        purposes_section(purpose("To handle your complaint", "public_task")),
        sharing_section(registers["processor"]),
        retention_section(registers["rule"]),
        cookies_section(categories=["analytics"], cookies=[registers["cookie"]]),
        automated_decisions_section(),
        rights_section(ALL_RIGHTS_FOR_A_PUBLIC_TASK),
    ]


def create_notice(editor, hub, audience, registers, **fields):
    response = editor.post(
        add_notice_url(hub), publish(notice_form(full_notice(registers), audience=audience, **fields))
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    return PrivacyNoticePage.objects.get(slug=fields.get("slug", "complainants"))


# Create and publish -------------------------------------------------------------------


class TestCreateNotice:
    def test_the_add_form_loads_under_the_hub(self, editor, hub):
        response = editor.get(add_notice_url(hub))
        assert response.status_code == 200
        assert "action-publish" in response.content.decode()

    def test_a_notice_cannot_be_added_outside_the_hub(self, editor, site_root):
        response = editor.get(add_notice_url(site_root), follow=True)
        assert response.redirect_chain[0][0] == reverse("wagtailadmin_home")
        assert "Sorry, you do not have permission" in text(response)

    def test_create_and_publish(self, editor, hub, audience, registers):
        notice = create_notice(editor, hub, audience, registers)

        assert notice.live
        assert notice.get_parent().specific == hub
        assert notice.audience == audience
        assert notice.revisions.count() == 1
        assert [s.block_type for s in notice.sections] == [
            "personal_data",
            "purposes",
            "sharing",
            "retention",
            "cookies",
            "automated_decisions",
            "rights",
        ]
        purposes = notice.sections[1].value["purposes"]
        assert purposes[0]["lawful_basis"] == "public_task"
        assert list(notice.sections[2].value["processors"]) == [registers["processor"]]
        assert list(notice.sections[3].value["rules"]) == [registers["rule"]]
        assert list(notice.sections[4].value["categories"]) == ["analytics"]
        assert list(notice.sections[4].value["cookies"]) == [registers["cookie"]]

    def test_the_published_notice_resolves_its_register_entries(self, editor, hub, audience, registers):
        notice = create_notice(editor, hub, audience, registers)

        document = resolve_notice(notice)
        sections = {s["type"]: s for s in document["sections"]}
        assert document["audience"]["slug"] == audience.slug
        assert sections["purposes"]["purposes"][0]["lawful_basis_text"] == ("Public task: Article 6(1)(e)")
        assert [p["name"] for p in sections["sharing"]["processors"]] == ["Egress"]
        assert [r["code"] for r in sections["retention"]["rules"]] == ["COMP-01"]
        cookie_names = [c["name"] for g in sections["cookies"]["cookie_groups"] for c in g["cookies"]]
        assert cookie_names == ["sessionid", "_ga"]

    def test_save_as_draft_publishes_nothing(self, editor, hub, audience, registers):
        response = editor.post(add_notice_url(hub), notice_form(full_notice(registers), audience=audience))
        assert response.status_code == 302
        notice = PrivacyNoticePage.objects.get(slug="complainants")
        assert not notice.live
        assert notice.live_revision is None

    def test_public_page_shows_the_entries(self, editor, client, hub, audience, registers):
        """Needs the public templates."""
        notice = create_notice(editor, hub, audience, registers)
        client.logout()

        response = client.get(notice.url)
        assert response.status_code == 200
        body = text(response)
        assert "Complainants' privacy notice" in body
        assert "Public task" in body
        assert "Egress" in body
        assert "Complaint case files" in body
        assert "2 years" in body
        assert "the closure of the case" in body
        assert "sessionid" in body
        assert "_ga" in body


# Edit: draft, then publish ------------------------------------------------------------


class TestEditNotice:
    def edited(self, registers, audience):
        sections = full_notice(registers)
        sections[1] = purposes_section(
            purpose("To handle your complaint", "public_task"),
            purpose(
                "To improve our service",
                "legitimate_interests",
                legitimate_interests="Learning from complaints to do better.",
            ),
        )
        return notice_form(
            sections, audience=audience, summary="Updated summary.", change_summary="We explain a second purpose."
        )

    def test_draft_leaves_the_live_notice_alone(self, editor, hub, audience, registers):
        notice = create_notice(editor, hub, audience, registers)

        response = editor.post(edit_url(notice), self.edited(registers, audience))
        assert response.status_code == 302

        notice.refresh_from_db()
        assert notice.live
        assert notice.has_unpublished_changes
        assert notice.summary == "How we use the information you give us when you complain."
        assert len(notice.sections[1].value["purposes"]) == 1
        draft = notice.get_latest_revision_as_object()
        assert draft.summary == "Updated summary."
        assert len(draft.sections[1].value["purposes"]) == 2

    def test_publish_changes_the_live_notice(self, editor, hub, audience, registers):
        notice = create_notice(editor, hub, audience, registers)
        editor.post(edit_url(notice), self.edited(registers, audience))

        response = editor.post(edit_url(notice), publish(self.edited(registers, audience)))
        assert response.status_code == 302

        notice.refresh_from_db()
        assert not notice.has_unpublished_changes
        assert notice.summary == "Updated summary."
        purposes = notice.sections[1].value["purposes"]
        assert [p["lawful_basis"] for p in purposes] == ["public_task", "legitimate_interests"]

    def test_public_page_changes_only_on_publish(self, editor, client, hub, audience, registers, django_user_model):
        """Needs the public templates."""
        notice = create_notice(editor, hub, audience, registers)
        editor.post(edit_url(notice), self.edited(registers, audience))

        client.logout()
        body = text(client.get(notice.url))
        assert "How we use the information you give us when you complain." in body
        assert "Updated summary." not in body
        assert "To improve our service" not in body

        client.force_login(django_user_model.objects.get(username="editor"))
        client.post(edit_url(notice), publish(self.edited(registers, audience)))
        client.logout()
        body = text(client.get(notice.url))
        assert "Updated summary." in body
        assert "To improve our service" in body
        assert "Learning from complaints to do better." in body

    def test_preview_renders_the_draft(self, editor, hub, audience, registers):
        """Needs the public templates."""
        notice = create_notice(editor, hub, audience, registers)
        preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(notice.pk,))

        response = editor.post(preview_url, self.edited(registers, audience))
        assert response.status_code == 200
        assert response.json()["is_valid"] is True

        response = editor.get(preview_url)
        assert response.status_code == 200
        body = text(response)
        assert "Updated summary." in body
        assert "To improve our service" in body
        notice.refresh_from_db()
        assert notice.summary != "Updated summary.", "previewing saves nothing"


# Bad input: refused with a message, nothing published ---------------------------------


class TestRefusals:
    def assert_refused(self, response, field_path, message):
        """The editor shows the page again, says so, and puts ``message`` on the field."""
        assert response.status_code == 200
        assert "The page could not be" in text(response)
        assert block_errors(response) == {field_path: [message]}
        assert message in text(response), "the editor receives the message to show"

    @pytest.mark.parametrize("action", ["publish", "draft"])
    def test_legitimate_interests_must_be_described(self, editor, hub, audience, registers, action):
        data = notice_form(
            [purposes_section(purpose("To improve our service", "legitimate_interests"))],
            audience=audience,
        )
        response = editor.post(add_notice_url(hub), publish(data) if action == "publish" else data)

        self.assert_refused(
            response,
            "0.purposes.0.legitimate_interests",
            "Describe the legitimate interests relied on (Article 13(1)(d)).",
        )
        assert not PrivacyNoticePage.objects.exists()

    @pytest.mark.parametrize("source", ["others", "both"])
    def test_data_from_others_must_say_who(self, editor, hub, audience, source):
        data = notice_form([personal_data_section(source=source)], audience=audience)
        response = editor.post(add_notice_url(hub), publish(data))

        self.assert_refused(
            response,
            "0.source_details",
            "Say who provides this information (Article 14(2)(f)).",
        )
        assert not PrivacyNoticePage.objects.exists()

    @pytest.mark.parametrize("action", ["publish", "draft"])
    def test_a_notice_needs_an_audience(self, editor, hub, action):
        data = notice_form([rights_section()], audience=None)
        response = editor.post(add_notice_url(hub), publish(data) if action == "publish" else data)

        assert response.status_code == 200
        assert "audience" in response.context["form"].errors
        assert "This field is required." in response.context["form"].errors["audience"]
        assert not PrivacyNoticePage.objects.exists()

    def test_a_purpose_needs_a_lawful_basis(self, editor, hub, audience):
        data = notice_form([purposes_section(purpose("To handle complaints", ""))], audience=audience)
        response = editor.post(add_notice_url(hub), publish(data))

        self.assert_refused(response, "0.purposes.0.lawful_basis", "This field is required.")
        assert not PrivacyNoticePage.objects.exists()

    def test_a_bad_edit_leaves_the_live_notice_and_its_revisions_alone(self, editor, hub, audience, registers):
        notice = create_notice(editor, hub, audience, registers)
        revisions = notice.revisions.count()
        sections = full_notice(registers)
        sections[1] = purposes_section(purpose("To improve our service", "legitimate_interests"))

        response = editor.post(edit_url(notice), publish(notice_form(sections, audience=audience, summary="Changed.")))

        self.assert_refused(
            response,
            "1.purposes.0.legitimate_interests",
            "Describe the legitimate interests relied on (Article 13(1)(d)).",
        )
        notice.refresh_from_db()
        assert notice.summary == "How we use the information you give us when you complain."
        assert notice.revisions.count() == revisions
        assert not notice.has_unpublished_changes
        assert notice.sections[1].value["purposes"][0]["lawful_basis"] == "public_task"


# The hub ------------------------------------------------------------------------------


def hub_form(*, title="How we use your information", slug="privacy", intro="", sections=()):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "intro": rich(intro),
            "seo_title": "",
            "search_description": "",
            "go_live_at": "",
            "expire_at": "",
            "sections": streamfield(list(sections)),
            "comments": inline_formset([]),
        }
    )


class TestHub:
    def test_create_the_hub(self, editor, site_root, organisation):
        url = reverse(
            "wagtailadmin_pages:add",
            args=("privacy_notices", "privacynoticeindexpage", site_root.pk),
        )
        assert editor.get(url).status_code == 200

        text_section = ("text", {"heading": "Contact us", "body": rich("<p>Write to the DPO.</p>")})
        response = editor.post(url, publish(hub_form(sections=[rights_section(), text_section])))
        assert response.status_code == 302, response.context and response.context["form"].errors

        hub = PrivacyNoticeIndexPage.objects.get(slug="privacy")
        assert hub.live
        assert hub.get_parent().pk == site_root.pk
        assert [s.block_type for s in hub.sections] == ["rights", "text"]
        assert list(hub.sections[0].value["rights"]) == ["access", "erasure", "complain"]

    def test_edit_the_hub(self, editor, hub):
        response = editor.post(edit_url(hub), hub_form(intro="<p>Start here to find your notice.</p>"))
        assert response.status_code == 302
        hub.refresh_from_db()
        assert hub.intro == "", "a draft does not change the live hub"

        response = editor.post(edit_url(hub), publish(hub_form(intro="<p>Start here to find your notice.</p>")))
        assert response.status_code == 302
        hub.refresh_from_db()
        assert "Start here to find your notice." in hub.intro

    def test_the_hub_needs_a_title(self, editor, hub):
        response = editor.post(edit_url(hub), publish(hub_form(title="")))
        assert response.status_code == 200
        assert "title" in response.context["form"].errors
        hub.refresh_from_db()
        assert hub.title == "How we use your information"

    def test_the_hub_lists_its_live_notices(self, editor, client, hub, audience, registers):
        """Needs the public templates."""
        create_notice(editor, hub, audience, registers)
        client.logout()
        response = client.get(hub.url)
        assert response.status_code == 200
        assert "Complainants' privacy notice" in text(response)
