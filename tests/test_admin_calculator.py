"""The disposal-date calculator in the admin: one page per rule, drafts included.

Reached from a rule's edit view (its "…" menu) and from the listing row's
menu; it answers ``?trigger=YYYY-MM-DD`` with the same calculation as the
public calculator, refuses bad dates with a message (400, never 500), and is
shown only to users who may view or change retention rules.
"""

import html
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from retention_schedule.calculator import calculate, parse_trigger_date

pytestmark = pytest.mark.django_db

VIEWS = "wagtailsnippets_retention_schedule_retentionrule"


def calculator_url(rule):
    return reverse(f"{VIEWS}:calculator", args=(rule.pk,))


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def dpo(client, django_user_model):
    """The client, logged in as a superuser: the DPO who keeps the schedule."""
    client.force_login(django_user_model.objects.create_superuser("dpo", "dpo@example.com", "pw"))
    return client


def admin_user_with(django_user_model, *codenames):
    """A user who may use the admin, with the given retention rule permissions and no others."""
    user = django_user_model.objects.create_user("staff", "staff@example.com", "pw")
    group = Group.objects.create(name="Staff")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label="retention_schedule", codename=codename))
    user.groups.add(group)
    return user


@pytest.fixture
def complaint_files(make_rule):
    return make_rule(code="COMP-03", record_class="Complaint investigation files", period="P2Y")


# Reaching it --------------------------------------------------------------------------


def test_the_edit_view_links_to_the_calculator(dpo, complaint_files):
    response = dpo.get(reverse(f"{VIEWS}:edit", args=(complaint_files.pk,)))
    assert response.status_code == 200
    body = text(response)
    assert f'href="{calculator_url(complaint_files)}"' in body
    assert "Disposal date calculator" in body


def test_each_listing_row_links_to_its_calculator(dpo, complaint_files, make_rule):
    other = make_rule(code="HR-01", record_class="Personnel files", period="P6Y")
    body = text(dpo.get(reverse(f"{VIEWS}:list")))
    assert f'href="{calculator_url(complaint_files)}"' in body
    assert f'href="{calculator_url(other)}"' in body


# Calculating --------------------------------------------------------------------------


def test_the_form_before_a_date_is_given(dpo, complaint_files):
    response = dpo.get(calculator_url(complaint_files))
    assert response.status_code == 200
    body = text(response)
    assert "Disposal date calculator" in body
    assert "Complaint investigation files" in body and "COMP-03" in body
    assert "2 years from the closure of the case, then deleted" in body
    assert 'type="date"' in body and 'name="trigger"' in body
    assert "Date of the closure of the case" in body
    assert "data-calculator-result" not in body


def test_a_date_gives_the_disposal_date(dpo, complaint_files):
    response = dpo.get(calculator_url(complaint_files), {"trigger": "2024-10-14"})
    assert response.status_code == 200
    body = text(response)
    assert 'datetime="2026-10-14"' in body and "14 October 2026" in body
    # The very calculation the public calculator makes.
    assert response.context["result"] == calculate(complaint_files, parse_trigger_date("2024-10-14"))
    assert response.context["result"]["explanation"] in body


def test_calendar_months_end_on_the_last_day_of_the_month(dpo, make_rule):
    rule = make_rule(code="WEB-01", period="P1M", trigger="the day you started the form")
    response = dpo.get(calculator_url(rule), {"trigger": "2024-01-31"})
    assert response.context["result"]["disposal_date"] == "2024-02-29"
    assert "29 February 2024" in text(response)


@pytest.mark.parametrize("trigger", ["14/10/2024", "2024-02-30", "yesterday", " ", "<script>x</script>"])
def test_a_bad_date_is_refused_with_the_message(dpo, complaint_files, trigger):
    response = dpo.get(calculator_url(complaint_files), {"trigger": trigger})
    assert response.status_code == 400
    body = text(response)
    assert "Write the year, month and day, for example 2024-10-14." in body or "This field is required." in body
    assert response.context["result"] is None
    assert "<script>x</script>" not in response.content.decode()


def test_a_date_too_late_for_the_calendar_is_refused(dpo, complaint_files):
    response = dpo.get(calculator_url(complaint_files), {"trigger": "9999-06-01"})
    assert response.status_code == 400
    assert "That date is too far in the future to calculate from." in text(response)


def test_a_permanent_rule_has_no_disposal_date(dpo, make_rule):
    rule = make_rule(code="COMP-04", period_type="permanent", period="", trigger="", disposal_action="archive")
    response = dpo.get(calculator_url(rule), {"trigger": "2024-10-14"})
    assert response.status_code == 200
    assert response.context["result"]["disposal_date"] is None
    assert "These records are kept permanently: they have no disposal date." in text(response)


# Drafts -----------------------------------------------------------------------------


def test_a_draft_rule_works_too(dpo, make_rule):
    draft = make_rule(code="NEW-01", draft=True, period="P6M", trigger="receipt")
    response = dpo.get(calculator_url(draft), {"trigger": "2024-10-14"})
    assert response.status_code == 200
    body = text(response)
    assert "This rule is a draft" in body
    assert response.context["result"]["disposal_date"] == "2025-04-14"


def test_unpublished_changes_are_used_and_the_published_answer_given(dpo, complaint_files):
    complaint_files.period = "P3Y"
    complaint_files.save_revision()  # a draft edit: the row keeps the published P2Y

    response = dpo.get(calculator_url(complaint_files), {"trigger": "2024-10-14"})
    assert response.status_code == 200
    body = text(response)
    assert response.context["result"]["disposal_date"] == "2027-10-14"
    assert "changes that are not published yet" in body
    assert "The published rule gives a different answer: 14 October 2026." in body


def test_the_public_calculator_still_ignores_drafts(client, site_root, make_rule):
    """The admin calculator must not make drafts public: the public route answers 404 for one."""
    from retention_schedule.models import RetentionSchedulePage

    schedule = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule")
    site_root.add_child(instance=schedule)
    schedule.save_revision().publish()
    make_rule(code="NEW-01", draft=True)
    assert client.get(f"{schedule.url}NEW-01/", {"trigger": "2024-10-14"}).status_code == 404


# Who may use it ----------------------------------------------------------------------


@pytest.mark.parametrize("codename", ["view_retentionrule", "change_retentionrule"])
def test_users_who_may_view_or_change_rules_may_use_it(client, django_user_model, complaint_files, codename):
    client.force_login(admin_user_with(django_user_model, codename))
    response = client.get(calculator_url(complaint_files), {"trigger": "2024-10-14"})
    assert response.status_code == 200
    assert response.context["result"]["disposal_date"] == "2026-10-14"


def test_a_user_without_permission_on_rules_is_turned_away(client, django_user_model, complaint_files):
    client.force_login(admin_user_with(django_user_model))
    response = client.get(calculator_url(complaint_files), {"trigger": "2024-10-14"})
    # Wagtail's answer to a permission error in the admin: back to the dashboard, with a message.
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    ajax = client.get(calculator_url(complaint_files), headers={"x-requested-with": "XMLHttpRequest"})
    assert ajax.status_code == 403


def test_a_user_who_may_only_add_rules_is_turned_away(client, django_user_model, complaint_files):
    client.force_login(admin_user_with(django_user_model, "add_retentionrule"))
    response = client.get(calculator_url(complaint_files))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    # The listing's row menu offers no link the user cannot follow.
    listing = client.get(reverse(f"{VIEWS}:list"))
    assert listing.status_code == 200
    assert calculator_url(complaint_files) not in listing.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, complaint_files):
    response = client.get(calculator_url(complaint_files))
    assert response.status_code == 302 and reverse("wagtailadmin_login") in response.url


def test_it_changes_nothing(dpo, complaint_files):
    response = dpo.post(calculator_url(complaint_files), {"trigger": "2024-10-14"})
    assert response.status_code == 405


def test_an_unknown_rule_is_not_found(dpo):
    assert dpo.get(reverse(f"{VIEWS}:calculator", args=(999999,))).status_code == 404


def test_the_answer_is_plain_data_a_template_can_show(dpo, complaint_files):
    response = dpo.get(calculator_url(complaint_files), {"trigger": "2024-10-14"})
    json.dumps(response.context["result"])  # the same JSON-ready dict as the public route's
