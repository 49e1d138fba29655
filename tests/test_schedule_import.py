"""Importing a retention schedule from real CSV, XLSX and JSON files: what a plan says, and what importing writes.

Every bad file is refused whole, with messages naming the row (or cell) and the
column, and the database is left exactly as it was.
"""

import csv
import datetime
import io
import json

import pytest
from django.db import IntegrityError
from django.test import override_settings
from openpyxl import Workbook
from wagtail.models import ModelLogEntry, Revision
from wagtail.search.backends import get_search_backend

from privacy_notices.versions import NoticeVersion
from retention_schedule.exchange.importing import apply_plan, plan_import
from retention_schedule.exchange.reading import ScheduleFileError, read_schedule_file
from retention_schedule.models import RetentionRule

from .conftest import section

HEADINGS = ["code", "record_class", "business_function", "period_type", "period", "trigger", "disposal_action"]


def csv_bytes(rows, headings=HEADINGS, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, headings=HEADINGS, prepare=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def json_bytes(rules):
    return json.dumps({"title": "Retention schedule", "rules": rules}).encode()


COMPLAINTS = ["COMP-01", "Complaint case files", "Complaints", "fixed", "P2Y", "the closure of the case", "delete"]
APPLICANTS = ["HR-01", "Unsuccessful applications", "Recruitment", "", "P12M", "the recruitment exercise", "delete"]
ARCHIVE = ["GOV-01", "Board minutes", "Governance", "permanent", "", "", "Transfer to archive"]


def plan_for(data, name, **kwargs):
    return plan_import(read_schedule_file(data, name), name, **kwargs)


def snapshot():
    """Everything an import could write, to prove a refused import wrote nothing."""
    return (
        list(RetentionRule.objects.order_by("pk").values()),
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
        NoticeVersion.objects.count(),
    )


# Reading each format ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,name",
    [
        (csv_bytes([COMPLAINTS, APPLICANTS, ARCHIVE]), "schedule.csv"),
        (xlsx_bytes([COMPLAINTS, APPLICANTS, ARCHIVE]), "schedule.xlsx"),
        (
            json_bytes([dict(zip(HEADINGS, row, strict=True)) for row in (COMPLAINTS, APPLICANTS, ARCHIVE)]),
            "schedule.json",
        ),
    ],
    ids=["csv", "xlsx", "json"],
)
def test_each_format_imports_the_same_rules(data, name):
    plan = plan_for(data, name)
    assert plan.problems == []
    assert [planned.code for planned in plan.created] == ["COMP-01", "HR-01", "GOV-01"]

    apply_plan(plan)

    complaints = RetentionRule.objects.get(code="COMP-01")
    assert complaints.live and complaints.summary() == "2 years from the closure of the case, then deleted"
    applicants = RetentionRule.objects.get(code="HR-01")
    assert applicants.period_type == "fixed"  # blank kind of period, with a period: fixed
    archive = RetentionRule.objects.get(code="GOV-01")
    assert (archive.period_type, archive.disposal_action) == ("permanent", "archive")  # the label is accepted
    # Each rule was published through a revision, as the admin does, and logged.
    assert all(rule.live_revision_id for rule in RetentionRule.objects.all())
    assert ModelLogEntry.objects.filter(action="wagtail.publish").count() == 3


@pytest.mark.django_db
def test_headings_may_be_labels_in_any_case_and_order():
    data = csv_bytes(
        [["Complaint case files", "comp-02", "P2Y", "the closure of the case"]],
        headings=["RECORD CLASS", "Code", "Retention period", "counted from"],
    )
    plan = plan_for(data, "labels.csv")
    assert plan.problems == []
    assert plan.columns == ["record_class", "code", "period", "trigger"]


@pytest.mark.django_db
def test_xlsx_dates_and_numbers_read_as_a_person_typed_them():
    headings = [*HEADINGS, "last_reviewed"]
    row = [101, "Visitor logs", "Facilities", "fixed", "P30D", "the visit", "delete", datetime.datetime(2026, 3, 31)]
    plan = plan_for(xlsx_bytes([row], headings), "numbers.xlsx")
    assert plan.problems == []
    rule = plan.created[0].rule
    assert (rule.code, rule.last_reviewed) == ("101", datetime.date(2026, 3, 31))


@pytest.mark.django_db
def test_uk_dates_are_read_day_first():
    plan = plan_for(csv_bytes([[*COMPLAINTS, "31/03/2026"]], [*HEADINGS, "last_reviewed"]), "dates.csv")
    assert plan.created[0].rule.last_reviewed == datetime.date(2026, 3, 31)


@pytest.mark.django_db
def test_apostrophe_written_before_a_formula_character_is_taken_off():
    row = [*COMPLAINTS[:-1], "delete", "'-only while the case is open"]
    plan = plan_for(csv_bytes([row], [*HEADINGS, "exceptions"]), "guarded.csv")
    assert plan.created[0].rule.exceptions == "-only while the case is open"


# Planning: created, changed, left alone ---------------------------------------------


@pytest.mark.django_db
def test_plan_says_what_is_created_changed_and_left_alone(make_rule):
    make_rule(code="COMP-01", record_class="Complaint case files", period="P1Y", trigger="the closure of the case")
    make_rule(code="HR-01", record_class="Unsuccessful applications", business_function="Recruitment",
              period="P12M", trigger="the recruitment exercise")  # fmt: skip
    make_rule(code="OLD-01", record_class="Fax logs")
    data = csv_bytes([COMPLAINTS, APPLICANTS, ARCHIVE])
    before = snapshot()

    plan = plan_for(data, "schedule.csv")

    assert snapshot() == before  # planning writes nothing
    assert [p.code for p in plan.created] == ["GOV-01"]
    assert [p.code for p in plan.changed] == ["COMP-01"]
    assert [(c.column, c.old, c.new) for c in plan.changed[0].changes] == [("period", "P1Y", "P2Y")]
    assert [p.code for p in plan.unchanged] == ["HR-01"]
    assert [rule.code for rule in plan.not_in_file] == ["OLD-01"]

    apply_plan(plan)
    assert RetentionRule.objects.get(code="COMP-01").period == "P2Y"
    assert RetentionRule.objects.filter(code="OLD-01").exists()  # never deleted by an import


@pytest.mark.django_db
def test_a_column_left_out_leaves_that_field_as_it_is(make_rule):
    make_rule(code="COMP-01", owner="Complaints team", authority="Limitation Act 1980")
    data = csv_bytes([["COMP-01", "Complaint case files", "P3Y"]], ["code", "record_class", "period"])
    plan = plan_for(data, "partial.csv")
    apply_plan(plan)
    rule = RetentionRule.objects.get(code="COMP-01")
    assert (rule.period, rule.owner, rule.authority) == ("P3Y", "Complaints team", "Limitation Act 1980")


@pytest.mark.django_db
def test_import_as_drafts_leaves_the_published_schedule_alone(make_rule):
    make_rule(code="COMP-01", period="P1Y")
    plan = plan_for(csv_bytes([COMPLAINTS, ARCHIVE]), "drafts.csv", publish=False)
    apply_plan(plan)
    live = RetentionRule.objects.get(code="COMP-01")
    assert live.period == "P1Y" and live.has_unpublished_changes
    assert live.get_latest_revision_as_object().period == "P2Y"
    new = RetentionRule.objects.get(code="GOV-01")
    assert not new.live and new.latest_revision_id


@pytest.mark.django_db
def test_publishing_import_publishes_a_draft_the_file_leaves_as_it_is(make_rule):
    make_rule(draft=True, code="COMP-01", record_class="Complaint case files", business_function="Complaints",
              period="P2Y", trigger="the closure of the case")  # fmt: skip
    plan = plan_for(csv_bytes([COMPLAINTS]), "publish.csv")
    assert [p.code for p in plan.changed] == ["COMP-01"] and plan.changed[0].publishes_draft
    apply_plan(plan)
    assert RetentionRule.objects.get(code="COMP-01").live


@pytest.mark.django_db
def test_fingerprint_changes_when_the_schedule_changes_under_a_preview(make_rule):
    rule = make_rule(code="COMP-01", period="P1Y")
    data = csv_bytes([COMPLAINTS])
    first = plan_for(data, "a.csv").fingerprint()
    assert plan_for(data, "a.csv").fingerprint() == first
    rule.period = "P5Y"
    rule.save()
    assert plan_for(data, "a.csv").fingerprint() != first


@pytest.mark.django_db
def test_plan_and_import_run_a_bounded_number_of_queries(django_assert_max_num_queries):
    rows = [[f"R-{n:03d}", f"Records {n}", "Complaints", "fixed", "P2Y", "receipt", "delete"] for n in range(60)]
    data = csv_bytes(rows)
    with django_assert_max_num_queries(5):
        plan_for(data, "many.csv")


# A notice showing imported rules ----------------------------------------------------


@pytest.mark.django_db
def test_a_notice_showing_changed_rules_records_one_version_for_the_whole_import(make_rule, make_notice):
    first = make_rule(code="COMP-01", period="P1Y")
    second = make_rule(code="COMP-02", record_class="Complaint correspondence", period="P1Y")
    notice = make_notice([section("retention", rules=[first.pk, second.pk])])
    versions_before = NoticeVersion.objects.filter(notice=notice).count()
    data = csv_bytes(
        [
            ["COMP-01", "Complaint case files", "Complaints", "fixed", "P2Y", "the closure of the case", "delete"],
            ["COMP-02", "Complaint correspondence", "Complaints", "fixed", "P3Y", "the closure of the case", "delete"],
        ]
    )
    plan = plan_for(data, "notice.csv")
    assert [use.title for use in plan.changed[0].live_uses] == [notice.title]

    apply_plan(plan)

    versions = NoticeVersion.objects.filter(notice=notice).order_by("number")
    assert versions.count() == versions_before + 1
    latest = versions.last()
    assert "2 years" in latest.summary and "3 years" in latest.summary
    assert latest.material  # a longer retention tells people something new


# Search ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_imported_rules_can_be_found_in_the_admin_search():
    apply_plan(plan_for(csv_bytes([COMPLAINTS, ARCHIVE]), "search.csv"))
    found = get_search_backend().search("Board minutes", RetentionRule)
    assert [rule.code for rule in found] == ["GOV-01"]


@pytest.mark.django_db
def test_rules_saved_one_at_a_time_are_still_indexed(make_rule):
    make_rule(code="VIS-01", record_class="Visitor badges")
    assert [rule.code for rule in get_search_backend().search("Visitor badges", RetentionRule)] == ["VIS-01"]


# Bad files: refused whole, with where and what -------------------------------------


def problems_of(data, name, **kwargs):
    before = snapshot()
    try:
        plan = plan_for(data, name, **kwargs)
    except ScheduleFileError as error:
        problems = error.problems
    else:
        assert not plan.can_apply
        with pytest.raises(ValueError):
            apply_plan(plan)
        problems = plan.problems
    assert snapshot() == before
    return [str(problem) for problem in problems]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "row,expected",
    [
        (["COMP-01", "Case files", "", "fixed", "two yrs", "closure", "delete"], "Row 2, column “period”: “two yrs”"),
        (["COMP-01", "Case files", "", "fixed", "P2Y", "closure", "shred"], "Row 2, column “disposal_action”: “shred”"),
        (["", "Case files", "", "fixed", "P2Y", "closure", "delete"], "Row 2, column “code”: Every rule needs a code"),
        (["COMP 01", "Case files", "", "fixed", "P2Y", "closure", "delete"], "Row 2, column “code”: “COMP 01”"),
        (["COMP-01", "Case files", "", "fixed", "P2Y", "", "delete"], "Row 2, column “trigger”"),
        (["COMP-01", "Case files", "", "permanent", "", "", "delete"], "Row 2, column “disposal_action”"),
        (["COMP-01", "", "", "fixed", "P2Y", "closure", "delete"], "Row 2, column “record_class”"),
        (["COMP-01", "Case files", "", "fixed", "PT3H", "closure", "delete"], "Row 2, column “period”"),
        (["COMP-01", "x" * 201, "", "fixed", "P2Y", "closure", "delete"], "Row 2, column “record_class”: This is 201"),
    ],
    ids=[
        "period",
        "action",
        "blank-code",
        "bad-code",
        "no-trigger",
        "permanent-deleted",
        "no-record-class",
        "hours",
        "too-long",
    ],  # fmt: skip
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(row, expected):
    messages = problems_of(csv_bytes([COMPLAINTS[:0] + APPLICANTS, row]), "bad.csv")
    assert any(message.startswith(expected.replace("Row 2", "Row 3")) for message in messages), messages


@pytest.mark.django_db
def test_every_problem_in_a_file_is_reported_together():
    rows = [
        ["COMP-01", "Case files", "", "fixed", "two yrs", "closure", "delete"],
        ["COMP-02", "Letters", "", "fixed", "P2Y", "closure", "shred"],
    ]
    messages = problems_of(csv_bytes(rows), "two.csv")
    assert len(messages) == 2 and messages[0].startswith("Row 2") and messages[1].startswith("Row 3")


@pytest.mark.django_db
def test_duplicate_codes_within_a_file_name_both_rows():
    messages = problems_of(csv_bytes([COMPLAINTS, APPLICANTS, ["comp-01", *COMPLAINTS[1:]]]), "dup.csv")
    assert messages == ["Row 4, column “code”: The code “comp-01” is also used by row 2."]


@pytest.mark.django_db
def test_a_code_differing_only_in_case_from_an_existing_rule_is_refused(make_rule):
    make_rule(code="COMP-01")
    messages = problems_of(csv_bytes([["comp-01", *COMPLAINTS[1:]]]), "case.csv")
    assert "differs only in letter case" in messages[0]


@pytest.mark.django_db
def test_non_utf8_csv_is_refused_with_the_line():
    data = csv_bytes([COMPLAINTS, [*APPLICANTS[:1], "Applications – unsuccessful", *APPLICANTS[2:]]], encoding="cp1252")
    messages = problems_of(data, "excel.csv")
    assert messages == [
        "The file is not UTF-8 text (line 3 has a character that cannot be read). In Excel, save it as "
        "“CSV UTF-8 (Comma delimited)”, or import the XLSX file instead."
    ]


@pytest.mark.django_db
def test_xlsx_with_a_formula_is_refused_naming_the_cell():
    def add_formula(sheet):
        sheet["E3"] = '=CONCAT("P", 2, "Y")'

    messages = problems_of(xlsx_bytes([COMPLAINTS, APPLICANTS], prepare=add_formula), "formula.xlsx")
    assert messages == ['Cell E3: The cell holds a formula (=CONCAT("P", 2, "Y")). Replace formulas with their values.']


@pytest.mark.django_db
def test_xlsx_with_merged_cells_is_refused_naming_the_range():
    def merge(sheet):
        sheet.merge_cells("C2:C3")

    messages = problems_of(xlsx_bytes([COMPLAINTS, APPLICANTS], prepare=merge), "merged.xlsx")
    assert messages == ["Sheet “Sheet”: Cells C2:C3 are merged. Unmerge them and give each row its own values."]


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    data = csv_bytes([COMPLAINTS] * 50)
    with override_settings(RETENTION_SCHEDULE_IMPORT_MAX_BYTES=1024):
        messages = problems_of(data, "big.csv")
    assert messages[0].startswith("The file is ") and messages[0].endswith(
        "the largest file the importer takes is 1.0\xa0KB."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data,name,expected",
    [
        (b"", "empty.csv", "The file is empty."),
        (b"not a zip", "fake.xlsx", "The file is not an Excel workbook (.xlsx)."),
        (b'{"rules": [', "broken.json", "The JSON cannot be read"),
        (b"[1, 2]", "list.json", "The JSON must be an object with a list of rules"),
        (csv_bytes([], headings=["code"]), "headings.csv", "The file has no “record_class” column"),
        (csv_bytes([COMPLAINTS], headings=[*HEADINGS[:-1], "notes"]), "unknown.csv", "Row 1, cell 7: “notes” is not"),
        (csv_bytes([[*COMPLAINTS, "extra"]]), "wide.csv", "This cell has a value but its column has no heading"),
        (json_bytes([{"code": "A", "record_class": "B", "colour": "red"}]), "key.json", "Rule 1, column “colour”"),
        (json_bytes([{"code": "A", "record_class": 7}]), "type.json", "Rule 1, column “record_class”: The value"),
    ],
    ids=[
        "empty",
        "not-xlsx",
        "broken-json",
        "json-list",
        "no-rules",
        "unknown-heading",
        "headless-cell",
        "json-key",
        "json-type",
    ],  # fmt: skip
)
def test_files_of_the_wrong_shape_are_refused_with_a_clear_message(data, name, expected):
    messages = problems_of(data, name)
    assert any(expected in message for message in messages), messages


@pytest.mark.django_db
def test_a_failure_part_way_through_writing_leaves_nothing_behind(make_rule):
    """All or nothing even when the database refuses a row the plan could not foresee."""
    plan = plan_for(csv_bytes([COMPLAINTS, APPLICANTS, ARCHIVE]), "race.csv")
    # Between the preview and the import someone else creates GOV-01 (the unique code then fails).
    make_rule(code="GOV-01", record_class="Board minutes")
    before = snapshot()
    with pytest.raises(IntegrityError):
        apply_plan(plan)
    assert snapshot() == before
