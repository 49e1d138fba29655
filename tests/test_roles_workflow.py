"""Who may do what, through the real admin views: the "Privacy editors" and
"Data protection officers" groups (made by migration 0005), the "DPO approval"
workflow, and publishing a notice with compliance gaps.

Every action goes through Wagtail's own views with the test client, logged in
as a member of one group (or as a staff user with admin access and nothing
else). The groups and the workflow are the migration's: the test database is
migrated, and the hub fixture, created after the migration, gets the page
permissions and the workflow when it is saved (``signal_handlers``).
"""

import html
import importlib
import json
import uuid

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    ModelLogEntry,
    PageLogEntry,
    Site,
    TaskState,
    Workflow,
    WorkflowPage,
    WorkflowState,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from privacy_notices.approval import OVERRIDE_LOG_ACTION, ComplianceOverride, DPOApprovalTask
from privacy_notices.blocks import RICH_TEXT_FEATURES
from privacy_notices.compliance import notice_report
from privacy_notices.models import (
    Audience,
    CookieDeclaration,
    OrganisationSettings,
    PrivacyNoticeIndexPage,
    PrivacyNoticePage,
    Processor,
)
from privacy_notices.roles import (
    DPOS,
    EDITORS,
    PAGE_PERMISSIONS,
    TASK,
    WORKFLOW,
    assign_to_hub,
    page_model_label,
    page_permission_codename,
)
from privacy_notices.versions import NoticeVersion
from retention_schedule.models import RetentionRule

from .conftest import section

pytestmark = pytest.mark.django_db

# The migration that makes the groups and the workflow (its name starts with a digit).
MIGRATION = importlib.import_module("privacy_notices.migrations.0005_roles_and_workflow")

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}  # as Wagtail's modal workflow posts
RIGHTS_FOR_A_PUBLIC_TASK = ["access", "rectification", "erasure", "restriction", "objection", "complain"]


def text(response):
    return html.unescape(response.content.decode())


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# The people ---------------------------------------------------------------------------


def make_user(django_user_model, username, *, group=None, admin_only=False):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    user.first_name, user.last_name = username.capitalize(), "Tester"
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    if admin_only:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    return user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(django_user_model, hub):
    """A privacy editor, a DPO, and a staff user who may log in to the admin and do nothing else."""
    return {
        "editor": make_user(django_user_model, "editor", group=EDITORS),
        "dpo": make_user(django_user_model, "dpo", group=DPOS),
        "staff": make_user(django_user_model, "staff", admin_only=True),
    }


@pytest.fixture
def clients(people):
    return {role: logged_in(user) for role, user in people.items()}


# Register entries and notices ------------------------------------------------------------


@pytest.fixture
def registers(make_processor, make_rule, make_cookie):
    """One live entry in each register, as the DPO has published them."""
    return {
        "processor": make_processor(name="Egress", service="Secure email", countries=["GB"]),
        "rule": make_rule(code="COMP-01", record_class="Complaint case files", period="P2Y"),
        "cookie": make_cookie(name="sessionid", category="strictly_necessary"),
    }


def complete_sections(registers):
    """Raw sections with every item Articles 13 and 14 require, for notices made without the editor."""
    return [
        section(
            "personal_data",
            heading="What we collect",
            categories=[{"type": "item", "value": {"name": "Your contact details", "details": "", "kind": "ordinary"}}],
            source="person",
            source_details="",
            requirement="You do not have to give it, but we cannot answer you without it.",
        ),
        section(
            "purposes",
            heading="Why we use it",
            purposes=[{"purpose": "To handle your complaint", "details": "", "lawful_basis": "public_task"}],
        ),
        section("sharing", heading="Who we share it with", processors=[registers["processor"].pk]),
        section("retention", heading="How long we keep it", rules=[registers["rule"].pk]),
        section("automated_decisions", heading="Automated decisions", uses_automated_decisions=False, details=""),
        section("rights", heading="Your rights", rights=list(RIGHTS_FOR_A_PUBLIC_TASK)),
    ]


@pytest.fixture
def live_notice(make_notice, registers):
    notice = make_notice(complete_sections(registers), slug="complainants")
    assert notice.live and notice_report(notice)["complete"], notice_report(notice)["missing"]
    return notice


# The page editor's posts (see wagtail.test.utils.form_data) ---------------------------


def rich(source=""):
    return rich_text(source, features=RICH_TEXT_FEATURES)


def list_block(values):
    data = {str(i): {"value": value, "order": str(i), "deleted": "", "id": ""} for i, value in enumerate(values)}
    data["count"] = str(len(values))
    return data


def editor_sections(registers, *, automated_decisions=True):
    """The complete notice as the editor's form posts it; without the automated decisions section, 13(2)(f) is a gap."""
    sections = [
        (
            "personal_data",
            {
                "heading": "What we collect",
                "intro": rich(),
                "categories": list_block([{"name": "Your contact details", "details": "", "kind": "ordinary"}]),
                "source": "person",
                "source_details": "",
                "requirement": "You do not have to give it, but we cannot answer you without it.",
            },
        ),
        (
            "purposes",
            {
                "heading": "Why we use it",
                "intro": rich(),
                "purposes": list_block(
                    [
                        {
                            "purpose": "To handle your complaint",
                            "details": "",
                            "lawful_basis": "public_task",
                            "legitimate_interests": "",
                            "special_category_condition": "",
                            "criminal_offence_condition": "",
                        }
                    ]
                ),
            },
        ),
        (
            "sharing",
            {
                "heading": "Who we share it with",
                "intro": rich(),
                "processors": list_block([str(registers["processor"].pk)]),
                "other_recipients": list_block([]),
            },
        ),
        (
            "retention",
            {"heading": "How long we keep it", "intro": rich(), "rules": list_block([str(registers["rule"].pk)])},
        ),
        (
            "rights",
            {"heading": "Your rights", "intro": rich(), "rights": tuple(RIGHTS_FOR_A_PUBLIC_TASK)},
        ),
    ]
    if automated_decisions:
        sections.insert(
            4,
            (
                "automated_decisions",
                {"heading": "Automated decisions", "uses_automated_decisions": "", "details": rich()},
            ),
        )
    return sections


def notice_form(registers, audience, *, title="Complainants' privacy notice", slug="complainants", gaps=False, **extra):
    data = {
        "title": title,
        "slug": slug,
        "audience": str(audience.pk),
        "summary": "How we use the information you give us when you complain.",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "change_summary": "",
        "material_change": "on",
        "compliance_override_reason": "",
        "sections": streamfield(editor_sections(registers, automated_decisions=not gaps)),
        "comments": inline_formset([]),
    }
    data.update(extra)
    return nested_form_data(data)


def add_notice_url(hub):
    return reverse("wagtailadmin_pages:add", args=("privacy_notices", "privacynoticepage", hub.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def workflow_action_url(page, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))


def collect_action_data_url(page, action, task_state):
    return reverse("wagtailadmin_pages:collect_workflow_action_data", args=(page.pk, action, task_state.pk))


def current_task_state(page):
    state = WorkflowState.objects.for_instance(page).filter(status=WorkflowState.STATUS_IN_PROGRESS).get()
    return state.current_task_state


def fresh(page):
    return PrivacyNoticePage.objects.get(pk=page.pk)


def form_errors(response):
    return response.context["form"].errors if response.context and "form" in response.context else None


# Snippet and settings forms: what the real form sends, read from the rendered page ---


def form_values(response):
    """The values the admin's edit form would post as rendered (its fields, not its buttons)."""
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.select_one("form[data-edit-form]") or max(soup.select("form"), key=lambda f: len(f.select("[name]")))
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = [option.get("value", option.get_text()) for option in field.select("option[selected]")]
            data[name] = chosen if field.has_attr("multiple") else (chosen[0] if chosen else "")
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                value = field.get("value", "on")
                data[name] = [*data[name], value] if isinstance(data.get(name), list) else value
        elif field.get("type") not in ("submit", "button", "image"):
            data[name] = field.get("value", "")
    return data


def snippet_url(model, view, *args):
    return reverse(f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:{view}", args=args)


def chooser_url(model):
    return reverse(f"wagtailsnippetchoosers_{model._meta.app_label}_{model._meta.model_name}:choose")


REGISTERS = {
    "processor": Processor,
    "cookie": CookieDeclaration,
    "retention rule": RetentionRule,
}


def new_entry_values(kind):
    """Fields for a new entry of one register, on top of what the blank form sends."""
    slug = unique("new")
    return {
        "processor": {"name": "Mailchimp", "slug": slug, "service": "Newsletters", "role": "processor"},
        "cookie": {
            "name": "_ga",
            "slug": slug,
            "purpose": "Counts visits.",
            "category": "analytics",
            "lifetime": "P2Y",
        },
        "retention rule": {
            "code": slug.upper(),
            "record_class": "Newsletter subscriptions",
            "business_function": "Communications",
            "period_type": "fixed",
            "period": "P1Y",
            "trigger": "unsubscribing",
            "disposal_action": "delete",
        },
    }[kind]


def find_new_entry(kind, values):
    model = REGISTERS[kind]
    key = "code" if model is RetentionRule else "slug"
    return model.objects.filter(**{key: values[key]}).first()


# The permission matrix ----------------------------------------------------------------
#
# Each action returns whether it happened; a refused action must leave no trace and be
# answered with a refusal (403) or a redirect, never an error.


class Matrix:
    def __init__(self, role, people, clients, hub, audience, registers, live_notice, superuser_client, makers):
        self.role = role
        self.user = people[role]
        self.client = clients[role]
        self.people = people
        self.hub = hub
        self.audience = audience
        self.registers = registers
        self.notice = live_notice
        self.superuser = superuser_client
        self.makers = makers
        self.response = None

    def refused_properly(self):
        return self.response is not None and self.response.status_code in (302, 403)

    # Notices

    def open_the_new_notice_form(self):
        self.response = self.client.get(add_notice_url(self.hub))
        return self.response.status_code == 200 and "action-submit" in text(self.response)

    def create_a_notice(self):
        self.response = self.client.post(
            add_notice_url(self.hub), notice_form(self.registers, self.audience, slug="new-notice")
        )
        return PrivacyNoticePage.objects.filter(slug="new-notice").exists()

    def edit_a_notice(self):
        before = self.notice.revisions.count()
        self.response = self.client.post(
            edit_url(self.notice), notice_form(self.registers, self.audience, title="Complaints: how we use it")
        )
        notice = fresh(self.notice)
        return notice.revisions.count() == before + 1 and notice.draft_title == "Complaints: how we use it"

    def publish_a_notice(self):
        self.response = self.client.post(
            edit_url(self.notice),
            notice_form(
                self.registers,
                self.audience,
                title="Complaints: how we use it",
                change_summary="A clearer title.",
                **{"action-publish": "action-publish"},
            ),
        )
        return fresh(self.notice).title == "Complaints: how we use it"

    def submit_a_notice_for_approval(self):
        self.response = self.client.post(
            edit_url(self.notice),
            notice_form(
                self.registers,
                self.audience,
                title="Complaints: how we use it",
                change_summary="A clearer title.",
                **{"action-submit": "action-submit"},
            ),
        )
        state = WorkflowState.objects.for_instance(self.notice).filter(status=WorkflowState.STATUS_IN_PROGRESS).first()
        return state is not None and state.requested_by == self.user

    def _submitted_by_the_editor(self):
        editor = self.people["editor"]
        notice = fresh(self.notice)
        notice.title = "Complaints: how we use it"
        notice.change_summary = "A clearer title."
        notice.save_revision(user=editor)
        notice.get_workflow().start(notice, editor)
        return notice, current_task_state(notice)

    def approve_a_notice(self):
        notice, task_state = self._submitted_by_the_editor()
        self.response = self.client.post(
            workflow_action_url(notice, "approve", task_state), {"comment": "", "reviewed_task_state": task_state.pk}
        )
        return fresh(notice).title == "Complaints: how we use it"

    def reject_a_notice(self):
        notice, task_state = self._submitted_by_the_editor()
        self.response = self.client.post(
            workflow_action_url(notice, "reject", task_state), {"comment": "Say which team reads complaints."}
        )
        return TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_REJECTED

    # Registers

    def list_entries(self, kind):
        self.response = self.client.get(snippet_url(REGISTERS[kind], "list"))
        return self.response.status_code == 200

    def choose_entries(self, kind):
        self.response = self.client.get(chooser_url(REGISTERS[kind]))
        return self.response.status_code == 200 and self.response["Content-Type"].startswith("application/json")

    def create_entry(self, kind):
        model = REGISTERS[kind]
        data = form_values(self.superuser.get(snippet_url(model, "add")))
        values = new_entry_values(kind)
        data.update(values, **{"action-publish": "action-publish"})
        self.response = self.client.post(snippet_url(model, "add"), data)
        entry = find_new_entry(kind, values)
        return entry is not None and entry.live

    def edit_entry(self, kind):
        entry = self.makers[kind]()
        model = type(entry)
        data = form_values(self.superuser.get(snippet_url(model, "edit", entry.pk)))
        before = entry.revisions.count()
        data["change_summary"] = "Checked again."
        self.response = self.client.post(snippet_url(model, "edit", entry.pk), data)
        return entry.revisions.count() == before + 1

    def publish_entry(self, kind):
        entry = self.makers[kind](draft=True)
        model = type(entry)
        data = form_values(self.superuser.get(snippet_url(model, "edit", entry.pk)))
        data["action-publish"] = "action-publish"
        self.response = self.client.post(snippet_url(model, "edit", entry.pk), data)
        return model.objects.get(pk=entry.pk).live

    def delete_entry(self, kind):
        entry = self.makers[kind]()
        model = type(entry)
        self.response = self.client.post(snippet_url(model, "delete", entry.pk))
        return not model.objects.filter(pk=entry.pk).exists()

    def create_an_audience(self):
        self.response = self.client.post(
            snippet_url(Audience, "add"),
            {"name": "Job applicants", "slug": "job-applicants", "description": "", "data_subject": "dpv:JobApplicant"},
        )
        return Audience.objects.filter(slug="job-applicants").exists()

    def edit_the_organisation_settings(self):
        site = Site.objects.get(is_default_site=True)
        url = reverse("wagtailsettings:edit", args=("privacy_notices", "organisationsettings", site.pk))
        data = form_values(self.superuser.get(url))
        data["dpo_email"] = "data.protection@northmoor.example"
        self.response = self.client.post(url, data)
        return OrganisationSettings.for_site(site).dpo_email == "data.protection@northmoor.example"


def register_rows(verb, editor, dpo, staff):
    return [((verb, kind), editor, dpo, staff) for kind in REGISTERS]


# fmt: off
PERMISSIONS = [
    # action                                  editor  DPO    staff
    ("open_the_new_notice_form",              True,   True,  False),
    ("create_a_notice",                       True,   True,  False),
    ("edit_a_notice",                         True,   True,  False),
    ("publish_a_notice",                      False,  True,  False),
    ("submit_a_notice_for_approval",          True,   True,  False),
    ("approve_a_notice",                      False,  True,  False),
    ("reject_a_notice",                       False,  True,  False),
    *register_rows("list_entries",            True,   True,  False),
    *register_rows("choose_entries",          True,   True,  False),
    *register_rows("create_entry",            False,  True,  False),
    *register_rows("edit_entry",              False,  True,  False),
    *register_rows("publish_entry",           False,  True,  False),
    *register_rows("delete_entry",            False,  True,  False),
    ("create_an_audience",                    False,  True,  False),
    ("edit_the_organisation_settings",        False,  True,  False),
]
# fmt: on


def case_id(action, role, allowed):
    name = " ".join(action) if isinstance(action, tuple) else action
    return f"{name.replace('_', ' ')}: {role} {'may' if allowed else 'may not'}"


MATRIX_CASES = [
    pytest.param(action, role, allowed, id=case_id(action, role, allowed))
    for action, *allowed_by_role in PERMISSIONS
    for role, allowed in zip(("editor", "dpo", "staff"), allowed_by_role, strict=True)
]


@pytest.mark.parametrize(("action", "role", "allowed"), MATRIX_CASES)
def test_permission_matrix(
    action,
    role,
    allowed,
    people,
    clients,
    hub,
    audience,
    registers,
    live_notice,
    admin_client,
    make_processor,
    make_cookie,
    make_rule,
):
    makers = {"processor": make_processor, "cookie": make_cookie, "retention rule": make_rule}
    matrix = Matrix(role, people, clients, hub, audience, registers, live_notice, admin_client, makers)
    if isinstance(action, tuple):
        verb, kind = action
        happened = getattr(matrix, verb)(kind)
    else:
        happened = getattr(matrix, action)()

    assert happened is allowed, (matrix.response.status_code, form_errors(matrix.response))
    if not allowed:
        assert matrix.refused_properly(), matrix.response.status_code


# The workflow, end to end -------------------------------------------------------------


def modal(response):
    """The HTML of a workflow modal: Wagtail answers its views with JSON for the modal to show."""
    assert response.status_code == 200, response.status_code
    data = json.loads(response.content)
    return data, html.unescape(data.get("html", ""))


def part_of(body, selector):
    """The text of one part of a page, e.g. the approval screen's diff."""
    found = BeautifulSoup(body, "html.parser").select_one(selector)
    assert found is not None, selector
    return " ".join(found.get_text().split())


def log_actions(page, *actions):
    """The page's audit log entries of these kinds, oldest first, as (action, username)."""
    entries = PageLogEntry.objects.filter(page=page, action__in=actions).order_by("timestamp", "pk")
    return [(entry.action, entry.user.username if entry.user else None) for entry in entries]


def submit(client, notice, registers, audience, **fields):
    response = client.post(
        edit_url(notice), notice_form(registers, audience, **{"action-submit": "action-submit", **fields})
    )
    assert response.status_code == 302, form_errors(response)
    return current_task_state(notice)


def test_editor_drafts_and_submits_the_dpo_requests_changes_then_approves(
    people, clients, hub, audience, registers, live_notice
):
    editor, dpo = clients["editor"], clients["dpo"]
    notice = live_notice
    assert WorkflowState.objects.for_instance(notice).count() == 0

    # The editor changes the notice and submits it.
    task_state = submit(
        editor,
        notice,
        registers,
        audience,
        title="Complaints: how we use your information",
        change_summary="A clearer title.",
    )
    assert task_state.task.specific.__class__ is DPOApprovalTask
    assert task_state.task.name == TASK
    assert task_state.workflow_state.workflow.name == WORKFLOW
    assert fresh(notice).title == "Complainants' privacy notice", "submitting publishes nothing"
    assert [message.to for message in mail.outbox] == [["dpo@example.com"]], "the DPOs are told there is one to review"
    # While the DPO reviews it, the editor cannot change it.
    response = editor.post(edit_url(notice), notice_form(registers, audience, title="Sneaked in"))
    assert "could not be saved as it is locked" in text(response)
    assert fresh(notice).get_latest_revision_as_object().title == "Complaints: how we use your information"

    # The DPO opens the approval screen: the draft's compliance report and what it changes.
    data, body = modal(dpo.get(workflow_action_url(notice, "approve", task_state)))
    assert data["step"] == "action"
    assert "Compliance report for the draft" in body
    assert 'data-compliance-complete="true"' in body
    assert "Every item the law requires is in this notice." in body
    assert 'data-item="automated_decisions" data-status="present"' in body
    diff = part_of(body, ".pn-approval__diff")
    assert "What the draft changes" in diff
    assert "Complaints: how we use your information" in diff  # the new title
    assert "Complainants' privacy notice" in diff  # and the live one it replaces
    assert "override_reason" not in body, "nothing to override: the report is complete"
    # So does the "Request changes" screen.
    _, body = modal(dpo.get(workflow_action_url(notice, "reject", task_state)))
    assert "Compliance report for the draft" in body and "What the draft changes" in body

    # The DPO requests changes with a comment.
    response = dpo.post(
        workflow_action_url(notice, "reject", task_state), {"comment": "Say which team reads complaints."}, **XHR
    )
    assert json.loads(response.content)["step"] == "success"
    workflow_state = WorkflowState.objects.for_instance(notice).get()
    assert workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert TaskState.objects.get(pk=task_state.pk).comment == "Say which team reads complaints."
    assert fresh(notice).title == "Complainants' privacy notice", "requesting changes publishes nothing"

    # The editor is told, and sees that changes were requested, and the comment.
    assert mail.outbox[-1].to == ["editor@example.com"]
    body = text(editor.get(edit_url(notice)))
    assert "Changes requested" in body
    assert "Say which team reads complaints." in body

    # The editor makes the change and resubmits.
    task_state = submit(
        editor,
        notice,
        registers,
        audience,
        title="Complaints: how we use your information",
        summary="How the complaints team uses the information you give us when you complain.",
        change_summary="A clearer title, and who reads complaints.",
    )
    assert WorkflowState.objects.for_instance(notice).get().status == WorkflowState.STATUS_IN_PROGRESS

    # The DPO approves: the notice is live, and its new version recorded.
    response = dpo.post(
        workflow_action_url(notice, "approve", task_state),
        {"comment": "Thank you.", "reviewed_task_state": task_state.pk},
        **XHR,
    )
    assert json.loads(response.content)["step"] == "success"
    notice = fresh(notice)
    assert notice.live and not notice.has_unpublished_changes
    assert notice.title == "Complaints: how we use your information"
    assert WorkflowState.objects.for_instance(notice).get().status == WorkflowState.STATUS_APPROVED
    versions = list(NoticeVersion.objects.filter(notice=notice).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].summary == "A clearer title, and who reads complaints."
    assert versions[1].revision_id == notice.live_revision_id
    assert versions[1].document["title"] == "Complaints: how we use your information"
    assert not ComplianceOverride.objects.exists()

    # Wagtail's audit log: who submitted, who asked for changes, who resubmitted, who approved and published.
    assert log_actions(
        notice,
        "wagtail.workflow.start",
        "wagtail.workflow.reject",
        "wagtail.workflow.resume",
        "wagtail.workflow.approve",
        "wagtail.publish",
    ) == [
        ("wagtail.publish", None),  # the fixture's first publish, made without the admin
        ("wagtail.workflow.start", "editor"),
        ("wagtail.workflow.reject", "dpo"),
        ("wagtail.workflow.resume", "editor"),
        ("wagtail.workflow.approve", "dpo"),
        ("wagtail.publish", "dpo"),
    ]
    reject = PageLogEntry.objects.get(page=notice, action="wagtail.workflow.reject")
    assert reject.data["workflow"]["title"] == WORKFLOW
    assert reject.comment == "Say which team reads complaints."


def test_a_new_notice_written_by_the_editor_is_published_by_the_dpo_s_approval(
    people, clients, hub, audience, registers
):
    editor, dpo = clients["editor"], clients["dpo"]
    response = editor.post(
        add_notice_url(hub),
        notice_form(registers, audience, slug="new-notice", **{"action-submit": "action-submit"}),
    )
    assert response.status_code == 302, form_errors(response)
    notice = PrivacyNoticePage.objects.get(slug="new-notice")
    assert not notice.live
    task_state = current_task_state(notice)
    assert task_state.workflow_state.requested_by == people["editor"]

    _, body = modal(dpo.get(workflow_action_url(notice, "approve", task_state)))
    assert "This notice has never been published: all of it is new." in body
    assert 'data-compliance-complete="true"' in body

    response = dpo.post(workflow_action_url(notice, "approve", task_state), {"reviewed_task_state": task_state.pk})
    assert response.status_code == 302
    notice = fresh(notice)
    assert notice.live
    [version] = NoticeVersion.objects.filter(notice=notice)
    assert (version.number, version.summary) == (1, "First published")
    assert log_actions(notice, "wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish") == [
        ("wagtail.workflow.start", "editor"),
        ("wagtail.workflow.approve", "dpo"),
        ("wagtail.publish", "dpo"),
    ]


@pytest.mark.parametrize("kind", list(REGISTERS))
def test_a_register_publish_is_in_the_audit_log_with_the_dpo(
    kind, clients, people, admin_client, make_processor, make_cookie, make_rule
):
    makers = {"processor": make_processor, "cookie": make_cookie, "retention rule": make_rule}
    entry = makers[kind](draft=True)
    model = type(entry)
    data = form_values(admin_client.get(snippet_url(model, "edit", entry.pk)))
    data["action-publish"] = "action-publish"

    response = clients["dpo"].post(snippet_url(model, "edit", entry.pk), data)

    assert response.status_code == 302
    entry = model.objects.get(pk=entry.pk)
    assert entry.live
    [published] = ModelLogEntry.objects.for_instance(entry).filter(action="wagtail.publish")
    assert published.user == people["dpo"]
    assert published.revision_id == entry.live_revision_id


def test_the_editor_cannot_act_on_the_task_nor_see_its_actions(clients, hub, audience, registers, live_notice):
    task_state = submit(clients["editor"], live_notice, registers, audience, change_summary="Reworded.")
    for action in ("approve", "reject"):
        response = clients["editor"].get(workflow_action_url(live_notice, action, task_state))
        assert response.status_code in (302, 403)
    task = DPOApprovalTask.objects.get()
    assert task.get_actions(live_notice, task_state.workflow_state.requested_by) == []


# Publishing with compliance gaps -----------------------------------------------------


GAP_MESSAGE = "This notice is missing items the law requires"


def submitted_with_gaps(clients, notice, registers, audience):
    """The editor submits a change that drops the automated decisions section: 13(2)(f) is missing."""
    task_state = submit(clients["editor"], notice, registers, audience, gaps=True, change_summary="Shorter.")
    report = notice_report(fresh(notice).get_latest_revision_as_object())
    assert report["missing"] == ["automated_decisions"]
    return task_state


class TestApprovingWithGaps:
    def test_the_approval_screen_shows_the_gap_and_asks_for_a_reason(self, clients, audience, registers, live_notice):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)

        _, body = modal(clients["dpo"].get(workflow_action_url(live_notice, "approve", task_state)))

        assert 'data-compliance-complete="false"' in body
        assert "1 item the law requires is missing." in body
        assert 'data-item="automated_decisions" data-status="missing"' in body
        assert "13(2)(f)" in body
        assert 'name="override_reason"' in body
        assert "Section removed" in body  # the diff shows the section the draft drops

    def test_without_a_reason_it_is_refused_with_a_form_error(self, clients, audience, registers, live_notice):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)

        response = clients["dpo"].post(
            workflow_action_url(live_notice, "approve", task_state),
            {"comment": "", "override_reason": "  ", "reviewed_task_state": task_state.pk},
            **XHR,
        )

        data, body = modal(response)
        assert data["step"] == "action", "the screen is shown again, with the error"
        assert GAP_MESSAGE in body
        assert "Reason for publishing with gaps" in body
        self.assert_nothing_published(live_notice, task_state)

    def test_a_post_that_does_not_say_which_review_it_is_for_is_refused(
        self, clients, audience, registers, live_notice
    ):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)
        url = workflow_action_url(live_notice, "approve", task_state)

        data, body = modal(clients["dpo"].post(url, {"comment": ""}, **XHR))
        assert data["step"] == "action"
        assert "This approval screen is out of date" in body
        # Without the modal's XHR header Wagtail redirects, having done nothing.
        assert clients["dpo"].post(url, {"comment": ""}).status_code == 302
        self.assert_nothing_published(live_notice, task_state)

    def test_the_task_itself_refuses_gaps_without_a_reason(
        self, clients, audience, registers, live_notice, make_notice
    ):
        # The screen's form checked another notice's report (complete): the task checks this one's.
        other = make_notice(complete_sections(registers), slug="other")
        other_task_state = submit(clients["editor"], other, registers, audience, slug="other", change_summary="Again.")
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)

        response = clients["dpo"].post(
            workflow_action_url(live_notice, "approve", task_state),
            {"comment": "", "reviewed_task_state": other_task_state.pk},
        )

        assert response.status_code in (302, 403)
        self.assert_nothing_published(live_notice, task_state)

    def test_with_a_reason_it_is_published_and_the_reason_kept(self, clients, people, audience, registers, live_notice):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)
        reason = "The automated decisions section is being rewritten by legal; none are made meanwhile."

        response = clients["dpo"].post(
            workflow_action_url(live_notice, "approve", task_state),
            {"comment": "", "override_reason": reason, "reviewed_task_state": task_state.pk},
            **XHR,
        )

        assert json.loads(response.content)["step"] == "success"
        notice = fresh(live_notice)
        assert notice.live and not notice.has_unpublished_changes
        assert [s.block_type for s in notice.sections].count("automated_decisions") == 0
        self.assert_override_kept(notice, people["dpo"], reason, via="approval")

    def test_requesting_changes_needs_no_reason(self, clients, audience, registers, live_notice):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)

        response = clients["dpo"].post(
            workflow_action_url(live_notice, "reject", task_state), {"comment": "Put it back."}, **XHR
        )

        assert json.loads(response.content)["step"] == "success"
        assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_REJECTED

    def test_approving_from_the_editor_without_a_reason_is_refused(self, clients, audience, registers, live_notice):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)
        dpo = clients["dpo"]

        # The editor's "Approve and publish" first collects the screen's data; that form asks for the reason.
        data, body = modal(
            dpo.post(
                collect_action_data_url(live_notice, "approve", task_state),
                {"comment": "", "override_reason": "", "reviewed_task_state": task_state.pk},
                **XHR,
            )
        )
        assert data["step"] == "action" and GAP_MESSAGE in body

        # Approving from the editor without the screen's reason is refused with the editor's form error.
        response = dpo.post(
            edit_url(live_notice),
            notice_form(
                registers,
                audience,
                gaps=True,
                change_summary="Shorter.",
                **{
                    "action-workflow-action": "true",
                    "workflow-action-name": "approve",
                    "workflow-action-extra-data": json.dumps({"comment": "", "reviewed_task_state": task_state.pk}),
                },
            ),
        )
        assert response.status_code == 200
        assert "the approval screen asks why it is published with gaps" in text(response)
        self.assert_nothing_published(live_notice, task_state)

    def test_edits_made_while_approving_that_leave_gaps_need_the_reason(
        self, clients, audience, registers, live_notice
    ):
        # The screen showed a complete notice (no reason asked); the DPO's edits drop a section as they approve.
        task_state = submit(clients["editor"], live_notice, registers, audience, change_summary="Reworded.")
        dpo = clients["dpo"]
        data, _ = modal(
            dpo.post(
                collect_action_data_url(live_notice, "approve", task_state),
                {"comment": "", "reviewed_task_state": task_state.pk},
                **XHR,
            )
        )
        assert data["step"] == "success"

        response = dpo.post(
            edit_url(live_notice),
            notice_form(
                registers,
                audience,
                gaps=True,
                change_summary="Reworded.",
                **{
                    "action-workflow-action": "true",
                    "workflow-action-name": "approve",
                    "workflow-action-extra-data": json.dumps(data["cleaned_data"]),
                },
            ),
        )

        assert response.status_code == 200
        assert "the approval screen asks why it is published with gaps" in text(response)
        notice = fresh(live_notice)
        assert "automated_decisions" in [s.block_type for s in notice.sections]
        assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_IN_PROGRESS

    def test_approving_from_the_editor_with_a_reason(self, clients, people, audience, registers, live_notice):
        task_state = submitted_with_gaps(clients, live_notice, registers, audience)
        dpo = clients["dpo"]
        reason = "Agreed with legal: a short notice while the long one is reviewed."

        data, _ = modal(
            dpo.post(
                collect_action_data_url(live_notice, "approve", task_state),
                {"comment": "Fine.", "override_reason": reason, "reviewed_task_state": task_state.pk},
                **XHR,
            )
        )
        assert data["step"] == "success"
        response = dpo.post(
            edit_url(live_notice),
            notice_form(
                registers,
                audience,
                gaps=True,
                change_summary="Shorter.",
                **{
                    "action-workflow-action": "true",
                    "workflow-action-name": "approve",
                    "workflow-action-extra-data": json.dumps(data["cleaned_data"]),
                },
            ),
        )

        assert response.status_code == 302
        notice = fresh(live_notice)
        assert notice.live and not notice.has_unpublished_changes
        self.assert_override_kept(notice, people["dpo"], reason, via="approval")

    @staticmethod
    def assert_nothing_published(notice, task_state):
        notice = fresh(notice)
        assert notice.has_unpublished_changes
        assert "automated_decisions" in [s.block_type for s in notice.sections], "the live notice is unchanged"
        assert TaskState.objects.get(pk=task_state.pk).status == TaskState.STATUS_IN_PROGRESS
        assert NoticeVersion.objects.filter(notice=notice).count() == 1
        assert not ComplianceOverride.objects.exists()
        assert not PageLogEntry.objects.filter(action=OVERRIDE_LOG_ACTION).exists()

    @staticmethod
    def assert_override_kept(notice, user, reason, *, via):
        [override] = ComplianceOverride.objects.filter(notice=notice)
        assert override.revision_id == notice.live_revision_id
        assert override.reason == reason
        assert override.user == user
        assert override.recorded_by == "Dpo Tester"
        assert override.via == via
        assert [gap["code"] for gap in override.gaps] == ["automated_decisions"]
        assert override.gaps[0]["articles"] == ["13(2)(f)"]
        [entry] = PageLogEntry.objects.filter(page=notice, action=OVERRIDE_LOG_ACTION)
        assert entry.user == user
        assert entry.revision_id == notice.live_revision_id
        assert entry.data["reason"] == reason
        assert entry.data["via"] == via
        assert [gap["code"] for gap in entry.data["gaps"]] == ["automated_decisions"]
        assert NoticeVersion.objects.filter(notice=notice).count() == 2
        # The log's own wording, as the page history shows it.
        assert "13(2)(f)" in entry.message and entry.comment == reason


class TestPublishingDirectlyWithGaps:
    def publish(self, client, notice, registers, audience, **fields):
        return client.post(
            edit_url(notice),
            notice_form(
                registers,
                audience,
                gaps=True,
                change_summary="Shorter.",
                **{"action-publish": "action-publish"},
                **fields,
            ),
        )

    def test_the_dpo_without_a_reason_is_refused_with_a_form_error(self, clients, audience, registers, live_notice):
        response = self.publish(clients["dpo"], live_notice, registers, audience)

        assert response.status_code == 200
        errors = form_errors(response)
        assert GAP_MESSAGE in errors["compliance_override_reason"][0]
        assert GAP_MESSAGE in text(response)
        notice = fresh(live_notice)
        assert "automated_decisions" in [s.block_type for s in notice.sections]
        assert not ComplianceOverride.objects.exists()

    def test_the_dpo_with_a_reason_publishes_and_the_reason_is_kept(
        self, clients, people, audience, registers, live_notice
    ):
        reason = "Agreed with legal: a short notice while the long one is reviewed."

        response = self.publish(clients["dpo"], live_notice, registers, audience, compliance_override_reason=reason)

        assert response.status_code == 302, form_errors(response)
        notice = fresh(live_notice)
        assert "automated_decisions" not in [s.block_type for s in notice.sections]
        TestApprovingWithGaps.assert_override_kept(notice, people["dpo"], reason, via="publish")
        assert log_actions(notice, "wagtail.publish", OVERRIDE_LOG_ACTION)[-2:] == [
            (OVERRIDE_LOG_ACTION, "dpo"),
            ("wagtail.publish", "dpo"),
        ]

    def test_a_reason_for_a_complete_notice_records_nothing(self, clients, audience, registers, live_notice):
        response = clients["dpo"].post(
            edit_url(live_notice),
            notice_form(
                registers,
                audience,
                change_summary="Reworded.",
                compliance_override_reason="Just in case.",
                **{"action-publish": "action-publish"},
            ),
        )

        assert response.status_code == 302, form_errors(response)
        assert NoticeVersion.objects.filter(notice=live_notice).count() == 2
        assert not ComplianceOverride.objects.exists()

    def test_a_new_notice_with_gaps_needs_a_reason_too(self, clients, people, hub, audience, registers):
        dpo = clients["dpo"]
        data = notice_form(registers, audience, slug="new-notice", gaps=True, **{"action-publish": "action-publish"})

        response = dpo.post(add_notice_url(hub), data)
        assert response.status_code == 200
        assert GAP_MESSAGE in form_errors(response)["compliance_override_reason"][0]
        assert not PrivacyNoticePage.objects.filter(slug="new-notice").exists()

        response = dpo.post(add_notice_url(hub), {**data, "compliance_override_reason": "Launching today."})
        assert response.status_code == 302, form_errors(response)
        notice = PrivacyNoticePage.objects.get(slug="new-notice")
        assert notice.live
        [override] = ComplianceOverride.objects.filter(notice=notice)
        assert (override.via, override.user, override.revision_id) == (
            "publish",
            people["dpo"],
            notice.live_revision_id,
        )

    @pytest.mark.parametrize("gaps", [True, False], ids=["with gaps", "complete"])
    def test_an_editor_can_never_publish_even_with_a_reason(self, gaps, clients, audience, registers, live_notice):
        response = clients["editor"].post(
            edit_url(live_notice),
            notice_form(
                registers,
                audience,
                gaps=gaps,
                title="Published by the editor?",
                change_summary="Shorter.",
                compliance_override_reason="I am sure.",
                **{"action-publish": "action-publish"},
            ),
        )

        notice = fresh(live_notice)
        assert notice.title == "Complainants' privacy notice"
        assert NoticeVersion.objects.filter(notice=notice).count() == 1
        assert not ComplianceOverride.objects.exists()
        assert not PageLogEntry.objects.filter(action=OVERRIDE_LOG_ACTION).exists()
        if gaps:
            assert response.status_code == 200
            assert "only a data protection officer can publish it with gaps" in text(response)

    def test_only_those_who_may_override_see_the_reason_field(self, clients, live_notice):
        assert 'name="compliance_override_reason"' in text(clients["dpo"].get(edit_url(live_notice)))
        assert 'name="compliance_override_reason"' not in text(clients["editor"].get(edit_url(live_notice)))

    def test_the_editor_sees_the_compliance_report_in_the_editor(self, clients, make_notice, registers):
        notice = make_notice(complete_sections(registers)[:-2], slug="short")  # no automated decisions, no rights
        body = text(clients["editor"].get(edit_url(notice)))
        assert "Compliance with Articles 13 and 14" in body
        assert 'data-item="automated_decisions" data-status="missing"' in body
        assert 'data-item="rights" data-status="missing"' in body


def bulk_publish_url(*pages):
    target = reverse("wagtail_bulk_action", args=(*page_model_label(), "publish"))
    return f"{target}?{'&'.join(f'id={page.pk}' for page in pages)}"


@pytest.mark.parametrize("include_descendants", [False, True], ids=["the notice", "the hub and its drafts"])
def test_a_bulk_publish_cannot_publish_gaps_without_a_reason(include_descendants, clients, hub, audience, registers):
    # A never-published notice with gaps, saved as a draft by the editor.
    response = clients["editor"].post(add_notice_url(hub), notice_form(registers, audience, slug="draft", gaps=True))
    assert response.status_code == 302, form_errors(response)
    notice = PrivacyNoticePage.objects.get(slug="draft")
    assert notice_report(notice)["missing"] == ["automated_decisions"]
    target = hub if include_descendants else notice

    response = clients["dpo"].post(
        bulk_publish_url(target), {"include_descendants": "on" if include_descendants else ""}, follow=True
    )

    assert "Nothing was published" in response.content.decode()
    assert "missing items the law requires" in response.content.decode()
    assert not fresh(notice).live
    assert not NoticeVersion.objects.filter(notice=notice).exists()


# Hubs get the roles and the workflow -------------------------------------------------


def assert_hub_has_roles(hub):
    assert WorkflowPage.objects.get(page=hub).workflow.name == WORKFLOW
    for group_name, actions in PAGE_PERMISSIONS.items():
        given = set(
            GroupPagePermission.objects.filter(group__name=group_name, page=hub).values_list(
                "permission__codename", flat=True
            )
        )
        assert given == {page_permission_codename(action) for action in actions}, group_name


def test_the_migration_made_the_groups_and_the_workflow(db):
    editors = {p.codename for p in Group.objects.get(name=EDITORS).permissions.all()}
    dpos = {p.codename for p in Group.objects.get(name=DPOS).permissions.all()}
    # (Wagtail's own migrations add choosing images and documents to every group with admin access.)
    on_the_registers = {
        codename
        for codename in editors
        if codename.rsplit("_", 1)[-1] in ("processor", "cookiedeclaration", "retentionrule", "audience")
    }
    assert on_the_registers == {"view_processor", "view_cookiedeclaration", "view_retentionrule", "view_audience"}
    assert "access_admin" in editors
    assert not {"change_organisationsettings", "override_compliance"} & editors
    for model in ("processor", "cookiedeclaration", "retentionrule"):
        assert {
            f"{action}_{model}" for action in ("add", "change", "delete", "publish", "lock", "unlock", "view")
        } <= dpos
    assert {"override_compliance", "change_organisationsettings", "add_audience", "access_admin"} <= dpos
    assert "override_compliance" not in editors

    workflow = Workflow.objects.get(name=WORKFLOW)
    assert workflow.active
    [task] = [task.specific for task in workflow.tasks]
    assert isinstance(task, DPOApprovalTask)
    assert [group.name for group in task.groups.all()] == [DPOS]


def test_both_groups_can_choose_documents_to_link_in_notices(clients, hub):
    # Whatever order the migrations ran in: take the permissions away, and the migration gives them back.
    GroupCollectionPermission.objects.filter(group__name__in=[EDITORS, DPOS]).delete()
    for group in Group.objects.filter(name__in=[EDITORS, DPOS]):
        group.permissions.remove(*group.permissions.filter(codename="choose_document"))
    MIGRATION.create_roles(apps, None)

    Document.objects.create(
        title="Complaints policy",
        file=ContentFile(b"policy", name="policy.pdf"),
        collection=Collection.get_first_root_node(),
    )
    for role in ("editor", "dpo"):
        response = clients[role].get(reverse("wagtaildocs_chooser:choose"))
        assert response.status_code == 200
        assert "Complaints policy" in text(response), role
    assert "Complaints policy" not in text(clients["staff"].get(reverse("wagtaildocs_chooser:choose")))


def test_the_hub_made_after_the_migration_has_the_roles(hub):
    assert_hub_has_roles(hub)


def test_a_hub_added_in_the_admin_gets_the_roles_and_its_notices_go_through_the_workflow(
    admin_client, site_root, people, audience, registers
):
    response = admin_client.post(
        reverse("wagtailadmin_pages:add", args=("privacy_notices", "privacynoticeindexpage", site_root.pk)),
        nested_form_data(
            {
                "title": "Staff privacy",
                "slug": "staff-privacy",
                "intro": rich(),
                "seo_title": "",
                "search_description": "",
                "go_live_at": "",
                "expire_at": "",
                "sections": streamfield([]),
                "comments": inline_formset([]),
                "action-publish": "action-publish",
            }
        ),
    )
    assert response.status_code == 302, form_errors(response)
    new_hub = PrivacyNoticeIndexPage.objects.get(slug="staff-privacy")
    assert_hub_has_roles(new_hub)

    # An editor can write a notice there and submit it to the DPOs.
    editor = logged_in(people["editor"])
    response = editor.post(
        add_notice_url(new_hub),
        notice_form(registers, audience, slug="staff", **{"action-submit": "action-submit"}),
    )
    assert response.status_code == 302, form_errors(response)
    task_state = current_task_state(PrivacyNoticePage.objects.get(slug="staff"))
    assert task_state.workflow_state.workflow.name == WORKFLOW


def test_editors_have_no_rights_outside_the_hubs(clients, site_root, hub):
    response = clients["editor"].get(edit_url(site_root))
    assert response.status_code in (302, 403)
    response = clients["editor"].get(
        reverse("wagtailadmin_pages:add", args=("privacy_notices", "privacynoticeindexpage", site_root.pk))
    )
    assert response.status_code in (302, 403)


def test_the_migration_gives_the_roles_to_hubs_that_exist_and_can_run_again(hub):
    WorkflowPage.objects.filter(page=hub).delete()
    GroupPagePermission.objects.filter(page=hub).delete()

    MIGRATION.create_roles(apps, None)
    MIGRATION.create_roles(apps, None)

    assert_hub_has_roles(hub)
    assert Group.objects.filter(name__in=[EDITORS, DPOS]).count() == 2
    assert Workflow.objects.filter(name=WORKFLOW).count() == 1
    assert DPOApprovalTask.objects.count() == 1


def test_a_hub_that_has_its_own_workflow_keeps_it(hub):
    other = Workflow.objects.create(name="Legal review")
    WorkflowPage.objects.filter(page=hub).update(workflow=other)

    assign_to_hub(hub.pk)

    assert WorkflowPage.objects.get(page=hub).workflow == other


def test_reversing_the_migration_removes_the_roles_even_after_notices_went_through_the_workflow(
    clients, people, hub, audience, registers, live_notice
):
    task_state = submit(clients["editor"], live_notice, registers, audience, change_summary="Reworded.")
    clients["dpo"].post(workflow_action_url(live_notice, "approve", task_state), {"reviewed_task_state": task_state.pk})
    assert fresh(live_notice).live_revision_id == task_state.revision_id

    MIGRATION.remove_roles(apps, None)

    assert not Group.objects.filter(name__in=[EDITORS, DPOS]).exists()
    assert not Workflow.objects.filter(name=WORKFLOW).exists()
    assert not WorkflowPage.objects.filter(page=hub).exists()
    assert not GroupPagePermission.objects.filter(page=hub).exists()
    assert fresh(live_notice).live, "the notices stay as they are"


@pytest.mark.parametrize("how", ["publish_copies", "alias"])
def test_a_notice_with_gaps_cannot_go_live_as_a_published_copy_or_an_alias(how, clients, hub, audience, registers):
    response = clients["dpo"].post(
        add_notice_url(hub),
        {
            **notice_form(registers, audience, slug="gappy", gaps=True),
            "action-publish": "action-publish",
            "compliance_override_reason": "Agreed with the DPO's team.",
        },
    )
    assert response.status_code == 302, form_errors(response)
    notice = PrivacyNoticePage.objects.get(slug="gappy")
    assert notice.live and not notice_report(notice)["complete"]
    count = PrivacyNoticePage.objects.count()

    response = clients["dpo"].post(
        reverse("wagtailadmin_pages:copy", args=(notice.pk,)),
        {"new_title": "Copy", "new_slug": "gappy-copy", "new_parent_page": str(hub.pk), how: "on"},
        follow=True,
    )

    assert "Nothing was copied" in response.content.decode()
    assert PrivacyNoticePage.objects.count() == count
    # Copied without publishing, it is a draft that goes through approval.
    clients["dpo"].post(
        reverse("wagtailadmin_pages:copy", args=(notice.pk,)),
        {"new_title": "Copy", "new_slug": "gappy-copy", "new_parent_page": str(hub.pk)},
    )
    copy = PrivacyNoticePage.objects.get(slug="gappy-copy")
    assert not copy.live
