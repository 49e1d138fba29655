"""Importing a privacy policy through the admin, as a DPO does: upload or paste, preview, confirm.

Every request goes through the real views with the test client, logged in as a
member of the real groups ("Data protection officers", "Privacy editors") or as
a staff user who may only log in to the admin. Nothing in the project is mocked:
the policy is read, planned and written by the importer itself. Whatever is
refused, is refused before anything is written, and each test says so by
counting what the database holds.
"""

import datetime
import html
import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from wagtail.models import GroupPagePermission, ModelLogEntry, PageLogEntry, Revision

from privacy_notices.admin_import import UPLOAD_FOLDER
from privacy_notices.importing import IMPORT_LOG_ACTION
from privacy_notices.pages import PrivacyNoticeIndexPage, PrivacyNoticePage
from privacy_notices.registers import Audience, CookieDeclaration, Processor
from privacy_notices.roles import DPOS, EDITORS, page_permission_codename
from privacy_notices.versions import NoticeVersion, site_date
from retention_schedule.models import RetentionRule

from .test_roles_workflow import logged_in, make_user

pytestmark = pytest.mark.django_db

IMPORT = "privacy_notices_import:import"
CONFIRM = "privacy_notices_import:confirm"

POLICY = """# How we use your information

This notice says how we use what people tell us.

## People who make a complaint to us

When you complain we open a case file with your name and what happened.

We keep complaint files for two years from the closure of the case.

### Who we share it with

We use a third party provider, Casebook Online, to host our case files on our behalf.

## Job applicants

We use your application form to decide whether to offer you an interview.

## Your rights

You can ask for a copy of your information or ask us to correct it.

## Changes to this notice

This notice was last updated on 31 March 2016.
"""

RETENTION_SENTENCE = "We keep complaint files for two years from the closure of the case."
PROCESSOR_SENTENCE = "We use a third party provider, Casebook Online, to host our case files on our behalf."
UPDATED_SENTENCE = "This notice was last updated on 31 March 2016."


def text(response):
    return html.unescape(response.content.decode())


def counts():
    return {
        "pages": PrivacyNoticePage.objects.count() + PrivacyNoticeIndexPage.objects.count(),
        "rules": RetentionRule.objects.count(),
        "processors": Processor.objects.count(),
        "cookies": CookieDeclaration.objects.count(),
        "audiences": Audience.objects.count(),
        "revisions": Revision.objects.count(),
    }


def stored_policies():
    try:
        return default_storage.listdir(UPLOAD_FOLDER)[1]
    except FileNotFoundError:
        return []


@pytest.fixture(autouse=True)
def empty_storage():
    # The in-memory storage lives as long as the test process: start each test without stored policies.
    for name in stored_policies():
        default_storage.delete(f"{UPLOAD_FOLDER}/{name}")


@pytest.fixture
def dpo(django_user_model, hub):
    return make_user(django_user_model, "dpo", group=DPOS)


@pytest.fixture
def client_dpo(dpo):
    return logged_in(dpo)


def upload(client, data, name="policy.md", **fields):
    payload = {"file": SimpleUploadedFile(name, data), "text": "", "format": "", "audience": ""} | fields
    return client.post(reverse(IMPORT), payload)


def paste(client, policy, **fields):
    return client.post(reverse(IMPORT), {"text": policy, "format": "", "audience": ""} | fields)


def confirm(client, preview, **changes):
    form = preview.context["confirm_form"]
    data = {name: value for name, value in form.initial.items() if value is not None} | changes
    return client.post(reverse(CONFIRM), data)


def rows(response, selector):
    return BeautifulSoup(response.content, "html.parser").select(selector)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# The form ------------------------------------------------------------------------------------


def test_the_form_offers_a_file_or_pasted_text_the_format_and_the_audience(
    client_dpo, audience, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        response = client_dpo.get(reverse(IMPORT))
    assert response.status_code == 200
    form = BeautifulSoup(response.content, "html.parser").select_one("form[enctype='multipart/form-data']")
    assert form.select_one("input[type=file][name=file]") is not None
    assert form.select_one("textarea[name=text]") is not None
    assert [option["value"] for option in form.select("select[name=format] option")] == ["", "markdown", "html", "text"]
    assert "complainants" in [option["value"] for option in form.select("select[name=audience] option")]
    # One hub: nothing to choose.
    assert form.select_one("[name=hub]") is None


def test_with_several_hubs_the_form_asks_which(client_dpo, hub, site_root):
    second = PrivacyNoticeIndexPage(title="Staff privacy", slug="staff-privacy", live=False)
    site_root.add_child(instance=second)
    second.save_revision().publish()
    response = client_dpo.get(reverse(IMPORT))
    options = [option["value"] for option in rows(response, "select[name=hub] option") if option["value"]]
    assert options == [str(hub.pk), str(second.pk)]
    preview = upload(client_dpo, POLICY.encode("utf-8"), hub=str(second.pk))
    assert confirm(client_dpo, preview)["Location"] == reverse("wagtailadmin_explore", args=[second.pk])
    assert PrivacyNoticePage.objects.child_of(second).count() == 2
    assert not PrivacyNoticePage.objects.child_of(hub).exists()


def test_the_menu_shows_the_importer_only_to_those_it_lets_in(client_dpo, django_user_model, hub):
    assert "Import a privacy policy" in text(client_dpo.get(reverse("wagtailadmin_home")))
    editor = logged_in(make_user(django_user_model, "editor", group=EDITORS))
    assert "Import a privacy policy" not in text(editor.get(reverse("wagtailadmin_home")))


# Preview, then confirm ------------------------------------------------------------------------


def test_upload_previews_every_finding_and_writes_nothing(client_dpo):
    before = counts()
    response = upload(client_dpo, POLICY.encode("utf-8"))
    assert response.status_code == 200
    assert counts() == before
    assert len(stored_policies()) == 1  # the text, waiting for the confirmation; nothing else
    page = text(response)
    assert "policy.md" in page and "Markdown" in page

    findings = {row["data-finding"]: row for row in rows(response, "tr[data-finding]")}
    assert set(findings) == {"retention", "third_party", "last_updated"}
    for kind, sentence, words in (
        ("retention", RETENTION_SENTENCE, "two years"),
        ("third_party", PROCESSOR_SENTENCE, "Casebook Online"),
        ("last_updated", UPDATED_SENTENCE, "31 March 2016"),
    ):
        row = findings[kind]
        start = POLICY.index(sentence)
        cells = row.find_all("td")
        assert cells[0].get_text() == sentence
        assert cells[0].find("mark").get_text() == words
        assert f"characters {start}–{start + len(sentence)}" in cells[1].get_text()
    assert "People who make a complaint to us" in findings["retention"].get_text()
    assert "Changes to this notice" in findings["last_updated"].get_text()

    # The date, and the sentence it is in.
    updated = rows(response, "[data-import-last-updated] blockquote")[0]
    assert updated.get_text() == UPDATED_SENTENCE and updated.find("mark").get_text() == "31 March 2016"

    # What will be created: two new notices, the hub's new sections, and draft register entries.
    notices = rows(response, "[data-import-notice]")
    assert [notice["data-import-notice"] for notice in notices] == ["create", "create"]
    assert rows(response, "[data-import-hub]")[0]["data-import-hub"] == "add_sections"
    rules = rows(response, "[data-import-register=rules] tbody tr")
    assert len(rules) == 1 and rules[0]["data-import-entry"] == "create"
    processors = rows(response, "[data-import-register=processors] tbody tr")
    assert [row["data-import-entry"] for row in processors] == ["create"]
    assert "Casebook Online" in processors[0].get_text()
    section_types = [row["data-import-section"] for row in rows(response, "tr[data-import-section]")]
    assert "retention" in section_types and "sharing" in section_types
    assert rows(response, "button[data-confirm-import]")


def test_confirming_writes_drafts_and_publishing_keeps_the_imported_date(client_dpo, dpo, hub):
    preview = upload(client_dpo, POLICY.encode("utf-8"))
    response = confirm(client_dpo, preview)
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[hub.pk])
    assert stored_policies() == []

    notices = {page.audience.slug: page for page in PrivacyNoticePage.objects.child_of(hub).specific()}
    assert set(notices) == {"complainants", "job-applicants"}
    for notice in notices.values():
        assert not notice.live and notice.has_unpublished_changes
        assert notice.imported_last_updated == datetime.date(2016, 3, 31)
    complainants = notices["complainants"]
    rule = RetentionRule.objects.get()
    assert not rule.live and rule.period == "P2Y"
    casebook = Processor.objects.get(name="Casebook Online")
    assert not casebook.live
    assert PageLogEntry.objects.filter(action=IMPORT_LOG_ACTION, page=complainants, user=dpo).exists()
    assert ModelLogEntry.objects.filter(action=IMPORT_LOG_ACTION, object_id=str(rule.pk), user=dpo).exists()
    assert ModelLogEntry.objects.filter(action=IMPORT_LOG_ACTION, object_id=str(casebook.pk)).exists()

    [message] = messages_of(response)
    assert "Imported 2 draft notices" in message and "2 register entries were proposed as drafts" in message
    for notice in notices.values():
        assert reverse("wagtailadmin_pages:edit", args=[notice.pk]) in message
        assert notice.title in html.unescape(message)

    complainants.get_latest_revision().publish()
    version = NoticeVersion.objects.get(notice=complainants)
    assert version.number == 1
    assert site_date(version.published_at) == datetime.date(2016, 3, 31)


def test_pasted_text_imports_like_a_file(client_dpo, hub):
    before = counts()
    preview = paste(client_dpo, POLICY)
    assert preview.status_code == 200 and counts() == before
    assert "Pasted text" in text(preview)
    start = POLICY.index(RETENTION_SENTENCE)
    assert f"characters {start}–{start + len(RETENTION_SENTENCE)}" in text(preview)
    response = confirm(client_dpo, preview)
    assert response.status_code == 302
    assert set(PrivacyNoticePage.objects.child_of(hub).values_list("audience__slug", flat=True)) == {
        "complainants",
        "job-applicants",
    }


def test_an_audience_chosen_takes_the_whole_policy(client_dpo, hub, audience):
    preview = upload(client_dpo, POLICY.encode("utf-8"), audience=audience.slug)
    assert [notice["data-import-notice"] for notice in rows(preview, "[data-import-notice]")] == ["create"]
    confirm(client_dpo, preview)
    [notice] = PrivacyNoticePage.objects.child_of(hub)
    assert notice.audience_id == audience.pk


# Who may import ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "staff"])
def test_editors_and_plain_staff_are_refused(role, django_user_model, hub, client_dpo):
    preview = upload(client_dpo, POLICY.encode("utf-8"))
    before = counts()
    user = (
        make_user(django_user_model, role, group=EDITORS)
        if role == "editor"
        else make_user(django_user_model, role, admin_only=True)
    )
    client = logged_in(user)
    assert client.get(reverse(IMPORT)).status_code == 403
    assert upload(client, POLICY.encode("utf-8")).status_code == 403
    assert paste(client, POLICY).status_code == 403
    assert confirm(client, preview).status_code == 403
    assert counts() == before
    assert len(stored_policies()) == 1  # only the DPO's


def test_a_dpo_without_page_permission_on_the_hub_is_refused(client_dpo, hub):
    GroupPagePermission.objects.filter(page=hub, group__name=DPOS).delete()
    assert client_dpo.get(reverse(IMPORT)).status_code == 403


def test_with_no_hub_yet_the_importer_needs_permission_to_add_pages_under_the_site_root(
    django_user_model, site_root, organisation
):
    dpo = make_user(django_user_model, "dpo", group=DPOS)
    client = logged_in(dpo)
    assert client.get(reverse(IMPORT)).status_code == 403
    GroupPagePermission.objects.create(
        group=Group.objects.get(name=DPOS),
        page=site_root,
        permission=Permission.objects.get(codename=page_permission_codename("add")),
    )
    preview = upload(client, POLICY.encode("utf-8"))
    assert rows(preview, "[data-import-hub]")[0]["data-import-hub"] == "create"
    assert PrivacyNoticeIndexPage.objects.count() == 0
    response = confirm(client, preview)
    hub = PrivacyNoticeIndexPage.objects.get()
    assert response["Location"] == reverse("wagtailadmin_explore", args=[hub.pk])
    assert not hub.live and hub.get_parent().pk == site_root.pk
    assert PrivacyNoticePage.objects.child_of(hub).count() == 2


# Bad input -----------------------------------------------------------------------------------


def _bad(client, case):
    if case == "empty":
        return upload(client, b""), "The file is empty"
    if case == "pdf":
        return upload(client, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", name="policy.pdf"), "This is a PDF, not text"
    if case == "not utf-8":
        return upload(client, "Caf\u00e9 policy. We keep files.".encode("cp1252"), name="policy.txt"), (
            "The file is not UTF-8"
        )
    if case == "too large":
        with override_settings(PRIVACY_NOTICES_IMPORT_MAX_BYTES=100):
            return upload(client, POLICY.encode("utf-8")), "the largest policy the importer takes is 100"
    if case == "pasted too large":
        with override_settings(PRIVACY_NOTICES_IMPORT_MAX_BYTES=100):
            return paste(client, POLICY), "the largest policy the importer takes is 100"
    if case == "both":
        return upload(client, POLICY.encode("utf-8"), text=POLICY), "not both"
    if case == "neither":
        return paste(client, "  \n"), "Choose the policy's file, or paste its text."
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["empty", "pdf", "not utf-8", "too large", "pasted too large", "both", "neither"])
def test_bad_input_is_refused_on_the_form_and_nothing_is_written(client_dpo, case):
    before = counts()
    response, message = _bad(client_dpo, case)
    assert response.status_code == 200
    problems = rows(response, "[data-import-problems]")
    assert problems and message in problems[0].get_text()
    assert "Nothing has been changed" in problems[0].get_text()
    assert rows(response, "form textarea[name=text]")  # the form again, to try once more
    assert counts() == before
    assert stored_policies() == []


def test_a_page_with_no_headings_is_one_notice_with_one_section(client_dpo, hub):
    page = (
        "<html><body><p>We use the information you give us to answer your question.</p>"
        "<p>Only the team that answers questions can read it.</p></body></html>"
    )
    preview = upload(client_dpo, page.encode("utf-8"), name="policy.html")
    warnings = rows(preview, "[data-import-warnings]")
    assert warnings and "no headings" in warnings[0].get_text()
    confirm(client_dpo, preview)
    [notice] = PrivacyNoticePage.objects.child_of(hub).specific()
    assert len(notice.get_latest_revision_as_object().sections) == 1


def test_hostile_html_is_neither_run_in_the_preview_nor_kept_in_the_draft(client_dpo, hub):
    page = (
        "<html><body><h1>Privacy</h1><h2>People who make a complaint</h2>"
        "<p>We look into complaints.<script>alert('script')</script></p>"
        '<p><img src="x" onerror="alert(\'img\')">We keep complaint files for two years from the closure of the '
        "case.</p>"
        '<p>Read <a href="javascript:alert(\'link\')">our guide</a> and <a href="JaVaScRiPt:alert(1)">more</a>.</p>'
        "</body></html>"
    )
    preview = upload(client_dpo, page.encode("utf-8"), name="policy.html")
    content = preview.content.decode()
    assert "alert('script')</script>" not in content
    assert "onerror=" not in content
    assert 'href="javascript:' not in content.lower()
    confirm(client_dpo, preview)
    [notice] = PrivacyNoticePage.objects.child_of(hub).specific()
    stored = json.dumps(list(notice.get_latest_revision_as_object().sections.raw_data)).lower()
    assert "<script" not in stored and "alert(" not in stored
    assert "onerror" not in stored and "javascript:" not in stored
    assert "two years" in stored


def test_policy_text_is_escaped_in_the_preview(client_dpo):
    policy = (
        "People who make a complaint\n\n"
        'We keep complaint files <script>alert("x")</script> for two years from the closure of the case.\n'
    )
    preview = paste(client_dpo, policy, format="text")
    content = preview.content.decode()
    assert '<script>alert("x")</script>' not in content
    assert "&lt;script&gt;alert(" in content


# The confirmation refuses what was not previewed ------------------------------------------------


def test_a_tampered_or_unknown_token_writes_nothing(client_dpo):
    preview = upload(client_dpo, POLICY.encode("utf-8"))
    before = counts()
    response = confirm(client_dpo, preview, token="../../settings.py")
    assert response.status_code == 302 and response["Location"] == reverse(IMPORT)
    assert "could not be confirmed" in messages_of(response)[0]
    response = confirm(client_dpo, preview, token="0" * 32 + ".upload")
    assert response.status_code == 302
    assert "already been imported or has expired" in messages_of(response)[-1]
    assert counts() == before


def test_a_site_changed_since_the_preview_shows_a_fresh_preview(client_dpo, hub, make_processor):
    preview = upload(client_dpo, POLICY.encode("utf-8"))
    assert [row["data-import-entry"] for row in rows(preview, "[data-import-register=processors] tbody tr")] == [
        "create"
    ]
    casebook = make_processor(name="Casebook Online", slug="casebook")
    before = counts()
    fresh = confirm(client_dpo, preview)
    assert fresh.status_code == 200
    assert rows(fresh, "[data-changed-since]")
    assert counts() == before
    linked = rows(fresh, "[data-import-register=processors] tbody tr")
    assert [row["data-import-entry"] for row in linked] == ["link"]
    edit_url = reverse("wagtailsnippets_privacy_notices_processor:edit", args=[casebook.pk])
    assert linked[0].find("a")["href"] == edit_url
    # The fresh preview can be confirmed: it imports what it shows.
    assert confirm(client_dpo, fresh).status_code == 302
    assert Processor.objects.count() == before["processors"]


def test_a_plan_with_a_problem_has_no_confirm_button_and_writes_nothing(client_dpo, make_notice, hub):
    notice = make_notice()
    notice.title = "Someone's unfinished work"
    notice.save_revision()
    before = counts()
    preview = upload(client_dpo, POLICY.encode("utf-8"))
    assert preview.status_code == 200
    problems = rows(preview, "[data-import-problems]")
    assert problems and "has draft changes that are not published" in problems[0].get_text()
    assert not rows(preview, "button[data-confirm-import]")
    assert preview.context["confirm_form"] is None
    assert counts() == before
    assert stored_policies() == []
