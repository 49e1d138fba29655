"""Importing and exporting the schedule through the real admin views, as a DPO does.

Download the template, fill it in, preview it, import it, see it published,
calculate a disposal date, and export it again unchanged; bad files are
refused whole with useful messages.
"""

import csv
import html
import io
import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import Revision, Site

from retention_schedule.admin_import import UPLOAD_FOLDER
from retention_schedule.exchange.columns import COLUMN_NAMES
from retention_schedule.models import RetentionRule, RetentionSchedulePage

pytestmark = pytest.mark.django_db

LISTING = "wagtailsnippets_retention_schedule_retentionrule:list"


def text(response):
    return html.unescape(response.content.decode())


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def dpo(client, django_user_model):
    user = django_user_model.objects.create_superuser("dpo", "dpo@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def schedule_page(db):
    root = Site.objects.get(is_default_site=True).root_page
    page = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule", live=False)
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


def upload(client, name, data, *, publish=True):
    payload = {"file": SimpleUploadedFile(name, data)}
    if publish:
        payload["publish"] = "on"
    return client.post(reverse("retention_schedule_admin:import"), payload)


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial[name] for name in ("token", "fingerprint", "source_name")}
    if form.initial["publish"]:
        data["publish"] = "True"
    return client.post(reverse("retention_schedule_admin:import_confirm"), data)


def filled_in_template(dpo, rows) -> bytes:
    """The XLSX template as downloaded from the admin, with rows typed in."""
    response = dpo.get(reverse("retention_schedule_admin:template", args=["xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(body_of(response)))
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    for row in rows:
        sheet.append([row.get(heading, "") for heading in headings])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


COMPLAINTS = {
    "code": "COMP-01",
    "record_class": "Complaint case files",
    "business_function": "Complaints",
    "period_type": "fixed",
    "period": "P2Y",
    "trigger": "the closure of the case",
    "disposal_action": "delete",
    "authority": "Our complaints policy",
    "owner": "Complaints team",
    "last_reviewed": "2026-03-31",
    "review_interval": "P1Y",
}
ARCHIVE = {
    "code": "GOV-01",
    "record_class": "Board minutes",
    "business_function": "Governance",
    "period_type": "permanent",
    "disposal_action": "archive",
}


# The whole journey ---------------------------------------------------------------------


def test_dpo_downloads_the_template_fills_it_in_previews_imports_publishes_calculates_and_exports(dpo, schedule_page):
    data = filled_in_template(dpo, [COMPLAINTS, ARCHIVE])

    preview = upload(dpo, "our-schedule.xlsx", data)
    assert preview.status_code == 200
    page = text(preview)
    assert "2 new rules to create" in page
    assert "Complaint case files" in page and "2 years from the closure of the case, then deleted" in page
    assert RetentionRule.objects.count() == 0  # the preview wrote nothing

    imported = confirm(dpo, preview)
    assert imported.status_code == 302 and imported["Location"] == reverse(LISTING)
    listing = dpo.get(imported["Location"])
    assert "Imported 2 rules from our-schedule.xlsx and published them." in text(listing)
    assert list(RetentionRule.objects.filter(live=True).order_by("code").values_list("code", flat=True)) == [
        "COMP-01",
        "GOV-01",
    ]
    assert preview.context["confirm_form"].initial["token"] not in waiting_uploads()  # the waiting upload is gone

    # The public sees the published schedule and can calculate with it.
    client = Client()
    public = client.get(schedule_page.url)
    assert "Complaint case files" in text(public) and "Board minutes" in text(public)
    answer = client.get(f"{schedule_page.url}COMP-01/?trigger=2025-01-31&format=json")
    assert answer.json()["disposal_date"] == "2027-01-31"

    # Exported again, the schedule re-imports unchanged, and exports the same bytes.
    for fmt in ("csv", "xlsx", "json"):
        exported = body_of(dpo.get(reverse("retention_schedule_admin:export", args=[fmt])))
        again = upload(dpo, f"export.{fmt}", exported)
        plan = again.context["plan"]
        assert (len(plan.created), len(plan.changed), len(plan.unchanged)) == (0, 0, 2), fmt
        assert plan.problems == []
    first = body_of(dpo.get(reverse("retention_schedule_admin:export", args=["csv"])))
    confirm(dpo, upload(dpo, "export.csv", first))
    assert body_of(dpo.get(reverse("retention_schedule_admin:export", args=["csv"]))) == first


def test_template_has_every_column_and_no_rules(dpo):
    response = dpo.get(reverse("retention_schedule_admin:template", args=["csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="retention-schedule-template.csv"'
    rows = list(csv.reader(io.StringIO(body_of(response).decode())))
    assert rows == [list(COLUMN_NAMES)]


def test_import_form_documents_the_columns_and_offers_the_templates(dpo):
    response = dpo.get(reverse("retention_schedule_admin:import"))
    page = text(response)
    for name in COLUMN_NAMES:
        assert f"<code>{name}</code>" in page
    assert reverse("retention_schedule_admin:template", args=["xlsx"]) in page
    assert "Files up to 5.0\xa0MB." in page


# Previews: what changes --------------------------------------------------------------


def csv_upload(rows, headings=("code", "record_class", "period", "trigger")) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_preview_shows_each_changed_field_old_and_new(dpo, make_rule):
    make_rule(code="COMP-01", record_class="Complaint case files", period="P1Y", trigger="the closure of the case")
    preview = upload(
        dpo, "change.csv", csv_upload([["COMP-01", "Complaint case files", "P2Y", "the closure of the case"]])
    )
    page = text(preview)
    assert "1 rule to change" in page
    changed = preview.context["plan"].changed[0].changes
    assert [(c.column, c.old, c.new) for c in changed] == [("period", "P1Y", "P2Y")]
    assert "<td><code>period</code></td><td>P1Y</td><td>P2Y</td>" in page


def test_preview_names_the_notices_a_change_will_give_a_new_version(dpo, make_rule, make_notice):
    from .conftest import section

    rule = make_rule(code="COMP-01", period="P1Y", trigger="the closure of the case")
    notice = make_notice([section("retention", rules=[rule.pk])])
    preview = upload(
        dpo, "change.csv", csv_upload([["COMP-01", "Complaint case files", "P2Y", "the closure of the case"]])
    )
    assert notice.title in text(preview)
    assert "Each will record one new version" in text(preview)


def test_import_as_drafts_keeps_the_published_schedule(dpo, make_rule):
    make_rule(code="COMP-01", record_class="Complaint case files", period="P1Y", trigger="the closure of the case")
    preview = upload(
        dpo, "d.csv", csv_upload([["COMP-01", "Complaint case files", "P2Y", "the closure of the case"]]), publish=False
    )
    assert "Import as drafts" in text(preview)
    response = confirm(dpo, preview)
    assert "as drafts" in text(dpo.get(response["Location"]))
    rule = RetentionRule.objects.get(code="COMP-01")
    assert rule.period == "P1Y" and rule.has_unpublished_changes


# Bad files ---------------------------------------------------------------------------


def waiting_uploads() -> set:
    return set(default_storage.listdir(UPLOAD_FOLDER)[1]) if default_storage.exists(UPLOAD_FOLDER) else set()


def test_rows_with_problems_are_listed_and_nothing_can_be_imported(dpo):
    waiting = waiting_uploads()
    preview = upload(
        dpo, "bad.csv", csv_upload([["COMP-01", "Case files", "two yrs", "closure"], ["", "Letters", "P1Y", "receipt"]])
    )
    page = text(preview)
    assert "The file has 2 problems. Nothing has been imported" in page
    assert "<td>Row 2</td><td><code>period</code></td><td>“two yrs” is not a retention period." in page
    assert "<td>Row 3</td><td><code>code</code></td><td>Every rule needs a code.</td>" in page
    assert preview.context["confirm_form"] is None and "data-confirm-import" not in page
    assert RetentionRule.objects.count() == 0
    assert waiting_uploads() == waiting  # a file that cannot be imported is not kept


def test_a_file_that_cannot_be_read_is_refused_on_the_form(dpo):
    response = upload(dpo, "excel.csv", "code,record_class\nA,Caf\xe9 receipts\n".encode("cp1252"))
    assert response.status_code == 200
    assert "The file cannot be imported. Nothing has been changed." in text(response)
    assert "is not UTF-8 text (line 2" in text(response)


@override_settings(RETENTION_SCHEDULE_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_limit_is_refused_on_the_form(dpo):
    response = upload(dpo, "big.csv", csv_upload([["COMP-01", "Case files", "P2Y", "closure"]] * 10))
    assert "the largest file the importer takes is 100\xa0bytes" in text(response)
    assert RetentionRule.objects.count() == 0


def test_no_file_is_a_form_error(dpo):
    response = dpo.post(reverse("retention_schedule_admin:import"), {"publish": "on"})
    assert response.status_code == 200 and "file" in response.context["form"].errors


# Confirming --------------------------------------------------------------------------


def test_a_schedule_changed_since_the_preview_is_shown_again_not_imported(dpo, make_rule):
    rule = make_rule(
        code="COMP-01", record_class="Complaint case files", period="P1Y", trigger="the closure of the case"
    )
    preview = upload(dpo, "c.csv", csv_upload([["COMP-01", "Complaint case files", "P2Y", "the closure of the case"]]))
    rule.trigger = "receipt"  # someone publishes a change in between
    rule.save_revision().publish()
    revisions = Revision.objects.count()

    response = confirm(dpo, preview)

    assert response.status_code == 200 and response.context["changed_since"]
    assert "has changed since your preview" in text(response)
    assert Revision.objects.count() == revisions
    # The new preview can be confirmed.
    confirm(dpo, response)
    rule.refresh_from_db()
    assert (rule.period, rule.trigger) == ("P2Y", "the closure of the case")


def test_a_confirmation_cannot_be_replayed(dpo):
    preview = upload(dpo, "once.csv", csv_upload([["COMP-01", "Case files", "P2Y", "closure"]]))
    confirm(dpo, preview)
    again = confirm(dpo, preview)
    assert again.status_code == 302
    assert "already been imported or has expired" in text(dpo.get(again["Location"]))
    assert RetentionRule.objects.count() == 1


@pytest.mark.parametrize("token", ["../../settings.py", "x" * 32 + ".csv", ""])
def test_a_forged_token_is_refused(dpo, token):
    response = dpo.post(
        reverse("retention_schedule_admin:import_confirm"), {"token": token, "fingerprint": "0", "publish": "True"}
    )
    assert response.status_code == 302
    assert "could not be confirmed" in text(dpo.get(response["Location"]))


# Who may ----------------------------------------------------------------------------


def user_with(django_user_model, client, *codenames):
    user = django_user_model.objects.create_user("someone", "someone@example.com", "pw")
    group = Group.objects.create(name="Schedule " + "-".join(codenames))
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename))
    user.groups.add(group)
    client.force_login(user)
    return client


def test_someone_without_schedule_permissions_can_neither_import_nor_export(client, django_user_model):
    user_with(django_user_model, client)
    assert client.get(reverse("retention_schedule_admin:import")).status_code in (302, 403)
    assert client.get(reverse("retention_schedule_admin:export", args=["csv"])).status_code in (302, 403)
    assert client.get(reverse("retention_schedule_admin:template", args=["csv"])).status_code in (302, 403)


def test_someone_who_cannot_publish_rules_may_import_drafts_only(client, django_user_model):
    user_with(django_user_model, client, "add_retentionrule", "change_retentionrule")
    data = csv_upload([["COMP-01", "Case files", "P2Y", "closure"]])
    refused = upload(client, "p.csv", data, publish=True)
    assert "publishing rules needs a DPO" in text(refused)
    drafts = upload(client, "p.csv", data, publish=False)
    confirm(client, drafts)
    assert not RetentionRule.objects.get(code="COMP-01").live


# Exports ---------------------------------------------------------------------------


def test_exports_hold_published_rules_only_with_every_column(dpo, make_rule):
    make_rule(code="LIVE-01", owner="Complaints team")
    make_rule(code="DRAFT-01", draft=True)
    exported = body_of(dpo.get(reverse("retention_schedule_admin:export", args=["json"])))
    document = json.loads(exported)
    assert [rule["code"] for rule in document["rules"]] == ["LIVE-01"]
    assert document["rules"][0]["owner"] == "Complaints team"
    response = dpo.get(reverse("retention_schedule_admin:export", args=["xlsx"]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert dpo.get(reverse("retention_schedule_admin:export", args=["xml"])).status_code == 404


def test_admin_json_export_names_the_published_schema(dpo, make_rule, schedule_page):
    make_rule(code="LIVE-01")
    document = json.loads(body_of(dpo.get(reverse("retention_schedule_admin:export", args=["json"]))))
    assert document["$schema"] == f"http://testserver{schedule_page.url}?format=schema"
