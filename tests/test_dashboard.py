"""The admin dashboard's privacy panels: the DPO's four counts, and every notice at a glance.

Everything goes through Wagtail's real dashboard (``wagtailadmin_home``) as the
people who use it: a DPO and an editor (in the groups the migration makes), a
superuser, and a staff user who may log in to the admin and nothing else.
"""

import datetime
import json
import uuid

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState

from privacy_notices.compliance import reports_for_notices
from privacy_notices.dashboard import add_privacy_panels
from privacy_notices.models import PrivacyNoticePage
from privacy_notices.roles import DPOS, EDITORS

from .test_compliance import automated, personal_data, purposes, retention, rights, sharing

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _years_ago(years: int, days: int = 0) -> datetime.date:
    return TODAY.replace(year=TODAY.year - years) + datetime.timedelta(days=days)


# Reviewed last month and every year: not due, and no finding.
RECENTLY = TODAY - datetime.timedelta(days=30)


# The people ---------------------------------------------------------------------------


def make_user(django_user_model, username, *, group=None, admin_only=False, superuser=False):
    make = django_user_model.objects.create_superuser if superuser else django_user_model.objects.create_user
    user = make(username, f"{username}@example.com", "pw", is_staff=True)
    user.first_name, user.last_name = username.capitalize(), "Tester"
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    if admin_only:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
    return user


@pytest.fixture
def people(django_user_model, hub):
    return {
        "dpo": make_user(django_user_model, "dpo", group=DPOS),
        "editor": make_user(django_user_model, "editor", group=EDITORS),
        "staff": make_user(django_user_model, "staff", admin_only=True),
        "superuser": make_user(django_user_model, "admin", superuser=True),
    }


def dashboard(user) -> BeautifulSoup:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def words(element) -> str:
    return " ".join(element.get_text(" ").split())


# The content --------------------------------------------------------------------------


@pytest.fixture
def sections(make_processor, make_rule):
    """A complete notice's sections, choosing a clean processor and a rule reviewed last month unless given."""

    def build(*, rule=None, processor=None, automated_decisions=True):
        rule = rule or make_rule(record_class=f"Records {uuid.uuid4().hex[:8]}", last_reviewed=RECENTLY)
        processor = processor or make_processor(name="Egress", countries=["GB"])
        parts = [personal_data(), purposes(), sharing(processor), retention(rule), rights()]
        return parts + [automated()] if automated_decisions else parts

    return build


def chosen(notice, block_type: str, key: str):
    """The first register entry a notice's section of ``block_type`` chooses."""
    return next(section.value[key][0] for section in notice.sections if section.block_type == block_type)


def submit_for_approval(notice, user, **changes):
    """Save a draft as ``user`` and submit it to the notice's workflow ("DPO approval"), as the editor's button does."""
    notice = PrivacyNoticePage.objects.get(pk=notice.pk)
    for field, value in changes.items():
        setattr(notice, field, value)
    notice.save_revision(user=user)
    notice.get_workflow().start(notice, user)
    return notice


def save_draft_changes(notice, user, **changes):
    notice = PrivacyNoticePage.objects.get(pk=notice.pk)
    for field, value in changes.items():
        setattr(notice, field, value)
    notice.save_revision(user=user)
    return notice


@pytest.fixture
def world(people, make_notice, make_processor, make_rule, make_cookie, sections):
    """Notices in every state, and one finding of each kind the DPO panel counts."""
    editor = people["editor"]
    soon = make_rule(code="SOON-01", record_class="Call recordings", last_reviewed=_years_ago(1, 10))
    complete = make_notice(sections(), title="Complainants", slug="complainants")
    # Never published, so it reuses entries a live notice shows (an entry in no live notice is a finding).
    reused = {"rule": chosen(complete, "retention", "rules"), "processor": chosen(complete, "sharing", "processors")}
    notices = {
        "complete": complete,
        "gaps": make_notice(sections(automated_decisions=False), title="Job applicants", slug="applicants"),
        "submitted": make_notice(sections(rule=soon), title="Newsletter subscribers", slug="newsletter"),
        "draft_changes": make_notice(sections(), title="Office visitors", slug="visitors"),
        "unpublished": make_notice(sections(**reused), title="CCTV registrants", slug="cctv", publish_it=False),
    }
    notices["submitted"] = submit_for_approval(notices["submitted"], editor, summary="A clearer summary.")
    notices["draft_changes"] = save_draft_changes(notices["draft_changes"], editor, summary="Being reworded.")
    registers = {
        "shield": make_processor(name="Shield Mail", countries=["US"], transfer_safeguard="privacy_shield"),
        "ga": make_cookie(name="_ga", category="strictly_necessary", purpose="Distinguishes one browser from another."),
        "never": make_rule(code="NEVER-01", record_class="Breach reports"),
        "overdue": make_rule(code="LATE-01", record_class="Live-chat transcripts", last_reviewed=_years_ago(2)),
        "soon": soon,
    }
    return {"notices": notices, "registers": registers, "people": people}


# The DPO's panel ----------------------------------------------------------------------


def dpo_panel(page: BeautifulSoup):
    return page.select_one("#privacy-data-protection-section")


def glance_panel(page: BeautifulSoup):
    return page.select_one("#privacy-notices-at-a-glance-section")


def counts(panel) -> dict[str, int]:
    return {li["data-count"]: int(li["data-value"]) for li in panel.select("[data-dpo-summary] [data-count]")}


def test_the_dpo_sees_the_four_counts(world):
    panel = dpo_panel(dashboard(world["people"]["dpo"]))
    assert panel is not None
    assert counts(panel) == {
        "awaiting_approval": 1,
        "notices_with_gaps": 1,
        # The processor relying on Privacy Shield, the analytics cookie marked strictly necessary, and the two
        # rules with review findings (each also in no notice: one entry each, however many findings).
        "register_findings": 4,
        "rules_due_for_review": 2,
    }
    summary = words(panel.select_one("[data-dpo-summary]"))
    assert "1 notice is awaiting approval" in summary
    assert "1 notice is missing items the law requires" in summary
    assert "4 register entries have findings" in summary
    assert "2 retention rules are due for review" in summary


def test_notices_awaiting_approval_link_to_the_review_with_who_submitted_them_and_when(world):
    submitted = world["notices"]["submitted"]
    section = dpo_panel(dashboard(world["people"]["dpo"])).select_one('[data-dpo-section="awaiting_approval"]')
    rows = section.select("tbody tr")
    assert [row["data-notice"] for row in rows] == [str(submitted.pk)]
    link = rows[0].select_one("th a")
    assert link["href"] == reverse("wagtailadmin_pages:edit", args=(submitted.pk,))
    assert words(link) == "Review “Newsletter subscribers”"
    cells = rows[0].select("td")
    assert words(cells[0]) == "Editor Tester"
    started = WorkflowState.objects.for_instance(submitted).get().current_task_state.started_at
    assert cells[1].select_one("time")["datetime"] == timezone.localtime(started).isoformat()
    # Table semantics: a caption and header cells.
    assert section.select_one("table caption") and len(section.select("thead th[scope=col]")) == 3


def test_a_notice_that_left_the_dpo_task_no_longer_waits_for_approval(world):
    submitted = world["notices"]["submitted"]
    state = WorkflowState.objects.for_instance(submitted).get()
    state.cancel(user=world["people"]["editor"])
    assert counts(dpo_panel(dashboard(world["people"]["dpo"])))["awaiting_approval"] == 0


def test_notices_with_gaps_list_their_missing_items(world):
    gaps = world["notices"]["gaps"]
    section = dpo_panel(dashboard(world["people"]["dpo"])).select_one('[data-dpo-section="notices_with_gaps"]')
    rows = section.select("tbody tr")
    assert [row["data-notice"] for row in rows] == [str(gaps.pk)]
    assert rows[0].select_one("th a")["href"] == reverse("wagtailadmin_pages:edit", args=(gaps.pk,))
    assert [words(li) for li in rows[0].select("td li")] == ["13(2)(f) Automated decision-making and profiling"]


def test_a_draft_with_gaps_counts_although_the_live_notice_is_complete(world):
    editor = world["people"]["editor"]
    complete = world["notices"]["complete"]
    save_draft_changes(complete, editor, sections=json.dumps([]))
    section = dpo_panel(dashboard(world["people"]["dpo"])).select_one('[data-dpo-section="notices_with_gaps"]')
    assert {row["data-notice"] for row in section.select("tbody tr")} == {
        str(world["notices"]["gaps"].pk),
        str(complete.pk),
    }


def test_register_findings_link_to_each_listing_filtered_to_entries_with_findings(world):
    dpo = world["people"]["dpo"]
    section = dpo_panel(dashboard(dpo)).select_one('[data-dpo-section="register_findings"]')
    registers = {li["data-register"]: li for li in section.select("[data-register]")}
    assert {name: int(li["data-value"]) for name, li in registers.items()} == {
        "processors": 1,
        "cookies": 1,
        "retention_rules": 2,
    }
    assert words(registers["processors"]) == "1 processor or recipient has findings"
    assert words(registers["cookies"]) == "1 cookie has findings"
    assert words(registers["retention_rules"]) == "2 retention rules have findings"

    client = Client()
    client.force_login(dpo)
    # Each link opens the register's listing with only the entries that have findings.
    processors = client.get(registers["processors"].a["href"]).content.decode()
    assert "Shield Mail" in processors and "Egress" not in processors
    cookies = client.get(registers["cookies"].a["href"]).content.decode()
    assert "_ga" in cookies
    rules = client.get(registers["retention_rules"].a["href"]).content.decode()
    assert "NEVER-01" in rules and "LATE-01" in rules and "SOON-01" not in rules


def test_a_register_without_findings_says_so_without_a_link(people, make_processor):
    make_processor(name="Egress", countries=["GB"], draft=True)  # a draft is in no notice, and that is no finding
    section = dpo_panel(dashboard(people["dpo"])).select_one('[data-dpo-section="register_findings"]')
    processors = section.select_one('[data-register="processors"]')
    assert processors["data-value"] == "0" and processors.a is None
    assert words(processors) == "0 processors and recipients have findings"


def test_rules_due_for_review_are_listed_with_those_coming_up(world):
    section = dpo_panel(dashboard(world["people"]["dpo"])).select_one('[data-dpo-section="rules_due_for_review"]')
    rows = {row["data-rule"]: row for row in section.select("tbody tr")}
    assert {code: row["data-kind"] for code, row in rows.items()} == {
        "LATE-01": "review_overdue",
        "NEVER-01": "never_reviewed",
        "SOON-01": "review_soon",
    }
    assert words(rows["NEVER-01"].select_one("td")) == "Never reviewed"
    assert words(rows["LATE-01"].select_one("td")).startswith("Review overdue since ")
    assert words(rows["SOON-01"].select_one("td")).startswith("Due on ")
    never = world["registers"]["never"]
    assert rows["NEVER-01"].select_one("th a")["href"] == reverse(
        never.snippet_viewset.get_url_name("edit"), args=(never.pk,)
    )
    assert words(section.select_one("[data-due-soon]")) == "1 more is due in the next 30 days."


def test_a_draft_rule_is_not_due_for_review(people, make_rule):
    make_rule(code="DRAFT-01", draft=True)
    assert counts(dpo_panel(dashboard(people["dpo"])))["rules_due_for_review"] == 0


# Every notice at a glance -------------------------------------------------------------


def glance_rows(panel) -> dict[str, dict]:
    rows = {}
    for row in panel.select("tbody tr"):
        cells = row.select("td")
        rows[words(row.select_one("th"))] = {
            "href": row.select_one("th a")["href"],
            "audience": words(cells[0]),
            "state": words(cells[1]),
            "compliance": words(cells[2]),
        }
    return rows


def test_the_editor_sees_every_notice_at_a_glance_and_not_the_dpo_panel(world):
    page = dashboard(world["people"]["editor"])
    assert dpo_panel(page) is None
    panel = glance_panel(page)
    assert panel.select_one("table caption") and len(panel.select("thead th[scope=col]")) == 4
    rows = glance_rows(panel)
    notices = world["notices"]
    assert {title: row["state"] for title, row in rows.items()} == {
        "CCTV registrants": "Not published",
        "Complainants": "Live",
        "Job applicants": "Live",
        "Newsletter subscribers": "Awaiting approval",
        "Office visitors": "Live, with draft changes",
    }
    assert list(rows) == sorted(rows)  # by title
    assert rows["Complainants"]["href"] == reverse("wagtailadmin_pages:edit", args=(notices["complete"].pk,))
    assert rows["Complainants"]["audience"] == "People who complain"
    assert rows["Complainants"]["compliance"] == "Complete"
    assert rows["Job applicants"]["compliance"] == "1 missing: 13(2)(f) Automated decision-making and profiling"


def test_the_at_a_glance_summary_counts_every_missing_item(world):
    save_draft_changes(world["notices"]["complete"], world["people"]["editor"], sections=json.dumps([]))
    compliance = glance_rows(glance_panel(dashboard(world["people"]["editor"])))["Complainants"]["compliance"]
    assert compliance.startswith("7 missing: 13(1)(c) Why the information is used")
    assert "13(2)(a) How long the information is kept" in compliance


def test_changes_requested_are_shown_as_such(world):
    state = WorkflowState.objects.for_instance(world["notices"]["submitted"]).get()
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, world["people"]["dpo"], "reject")
    rows = glance_rows(glance_panel(dashboard(world["people"]["editor"])))
    assert rows["Newsletter subscribers"]["state"] == "Changes requested"
    assert counts(dpo_panel(dashboard(world["people"]["dpo"])))["awaiting_approval"] == 0


def test_the_dpo_and_the_superuser_see_both_panels(world):
    for role in ("dpo", "superuser"):
        page = dashboard(world["people"][role])
        assert dpo_panel(page) is not None, role
        assert len(glance_rows(glance_panel(page))) == 5, role


def test_a_staff_user_who_may_edit_no_notice_sees_neither_panel(world):
    page = dashboard(world["people"]["staff"])
    assert dpo_panel(page) is None
    assert glance_panel(page) is None


def test_an_editor_sees_no_table_when_there_are_no_notices(people):
    page = dashboard(people["editor"])
    assert glance_panel(page) is None and dpo_panel(page) is None


# Queries ------------------------------------------------------------------------------


def render_panels(user) -> tuple[list[str], list[int]]:
    """Build the dashboard's privacy panels for ``user`` and render them; the queries the hook and each panel cost."""
    request = RequestFactory().get(reverse("wagtailadmin_home"))
    request.user = type(user).objects.get(pk=user.pk)  # no permissions cached from an earlier request
    panels = []
    with CaptureQueriesContext(connection) as hook:
        add_privacy_panels(request, panels)
    costs = [len(hook)]
    for panel in panels:
        with CaptureQueriesContext(connection) as rendering:
            panel.render_html({"request": request, "csrf_token": ""})
        costs.append(len(rendering))
    return [panel.name for panel in panels], costs


def add_more_of_everything(people, make_notice, make_processor, make_rule, make_cookie, sections, n):
    for i in range(n):
        make_notice(sections(), title=f"Complete {i}")
        make_notice(sections(automated_decisions=False), title=f"With gaps {i}")
        submit_for_approval(make_notice(sections(), title=f"Submitted {i}"), people["editor"], summary=f"Change {i}")
        make_notice(sections(), title=f"Unpublished {i}", publish_it=False)
        make_processor(name=f"Shield {i}", countries=["US"], transfer_safeguard="privacy_shield")
        make_cookie(name=f"_ga_{i}", category="strictly_necessary")
        make_rule(record_class=f"Never reviewed {i}")
        make_rule(record_class=f"Overdue {i}", last_reviewed=_years_ago(2))
        make_rule(record_class=f"Soon {i}", last_reviewed=_years_ago(1, 5))


def reports_queries() -> int:
    """What ``reports_for_notices`` costs on its own for every notice, read as the overview reads them."""
    notices = list(PrivacyNoticePage.objects.select_related("audience").order_by("title", "pk"))
    with CaptureQueriesContext(connection) as queries:
        reports_for_notices(notices)
    return len(queries)


EXPECTED_WHEN_LARGER = {
    "awaiting_approval": 5,
    "notices_with_gaps": 5,
    # Each round: a processor, a cookie and three rules in no live notice, and the unpublished notice's own
    # processor and rule, which no live notice shows either.
    "register_findings": 4 + 4 * (5 + 2),
    "rules_due_for_review": 2 + 8,
}


def test_the_panels_cost_a_fixed_number_of_queries_besides_the_reports(
    world, make_notice, make_processor, make_rule, make_cookie, sections
):
    people = world["people"]
    names, small = render_panels(people["dpo"])
    small_reports = reports_queries()
    assert names == ["privacy_notices_data_protection", "privacy_notices_at_a_glance"]
    add_more_of_everything(people, make_notice, make_processor, make_rule, make_cookie, sections, 4)
    _, larger = render_panels(people["dpo"])
    larger_reports = reports_queries()
    assert counts(dpo_panel(dashboard(people["dpo"]))) == EXPECTED_WHEN_LARGER
    # The hook, and the DPO panel apart from the compliance reports, cost the same however much there is.
    assert small[0] == larger[0]
    assert small[1] - small_reports == larger[1] - larger_reports, (small, small_reports, larger, larger_reports)
    # The table reads what the DPO panel read: no query of its own.
    assert small[2] == larger[2] == 0


def test_the_panels_cost_a_fixed_number_of_queries(
    world, make_notice, make_processor, make_rule, make_cookie, sections
):
    people = world["people"]
    _, small = render_panels(people["dpo"])
    add_more_of_everything(people, make_notice, make_processor, make_rule, make_cookie, sections, 4)
    _, larger = render_panels(people["dpo"])
    assert small == larger, (small, larger)


def test_the_dashboard_costs_a_fixed_number_of_queries(
    world, make_notice, make_processor, make_rule, make_cookie, sections
):
    """The whole page, as each person sees it, with more notices and entries (Wagtail's own panels included).

    No more notices are submitted here: Wagtail's "Awaiting your review" panel costs queries per task.
    """
    people = world["people"]

    def page_queries(user):
        client = Client()
        client.force_login(user)
        client.get(reverse("wagtailadmin_home"))  # the first request fills per-process caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("wagtailadmin_home")).status_code == 200
        return len(queries)

    before = {role: page_queries(people[role]) for role in ("dpo", "editor", "superuser")}
    for i in range(4):
        make_notice(sections(), title=f"Complete {i}")
        make_notice(sections(automated_decisions=False), title=f"With gaps {i}")
        make_processor(name=f"Shield {i}", countries=["US"], transfer_safeguard="privacy_shield")
        make_rule(record_class=f"Never reviewed {i}")
    after = {role: page_queries(people[role]) for role in ("dpo", "editor", "superuser")}
    assert before == after
