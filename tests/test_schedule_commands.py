"""The import_retention_schedule and export_retention_schedule management commands, on real files.

Each test writes a file to a temporary directory and runs the command as
manage.py would (``call_command``); a file with problems must raise
``CommandError`` naming where each problem is and leave the database as it was.
"""

import csv
import datetime
import io
import json
import os
import pty
import select

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from openpyxl import Workbook, load_workbook
from wagtail.models import Revision

from privacy_notices.versions import NoticeVersion
from retention_schedule.models import RetentionRule

from .conftest import section

pytestmark = pytest.mark.django_db

HEADINGS = ["code", "record_class", "business_function", "period_type", "period", "trigger", "disposal_action"]
COMPLAINTS = ["COMP-01", "Complaint case files", "Complaints", "fixed", "P2Y", "the closure of the case", "delete"]
ARCHIVE = ["GOV-01", "Board minutes", "Governance", "permanent", "", "", "archive"]


def write_csv(path, rows, headings=HEADINGS, encoding="utf-8"):
    with path.open("w", newline="", encoding=encoding) as file:
        writer = csv.writer(file)
        writer.writerow(headings)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, headings=HEADINGS, prepare=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    if prepare:
        prepare(sheet)
    workbook.save(path)
    return path


def run_import(*args, **options):
    """Run the import; return (stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_retention_schedule", *map(str, args), stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def run_export(*args, **options):
    stdout = io.StringIO()
    call_command("export_retention_schedule", *map(str, args), stdout=stdout, **options)
    return stdout.getvalue()


def database_state():
    """Everything an import could write: the rules' rows and every revision."""
    rules = sorted(RetentionRule.objects.values_list("code", "live", "period", "disposal_action", "record_class"))
    return rules, Revision.objects.count()


@pytest.fixture
def existing(make_rule):
    """A published rule a file can change, and one a file leaves out."""
    return (
        make_rule(code="COMP-01", record_class="Complaint case files", business_function="Complaints", period="P1Y"),
        make_rule(code="HR-01", record_class="Unsuccessful applications", business_function="Recruitment"),
    )


# Importing each format ---------------------------------------------------------------------------


def test_importing_a_csv_file_creates_changes_and_publishes_rules(tmp_path, existing):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS, ARCHIVE])

    out, _err = run_import(path)

    assert "1 to create (published)" in out
    assert "1 to change" in out
    assert "COMP-01" in out and "period: “P1Y” → “P2Y”" in out
    assert "0 unchanged" in out
    assert "1 in the schedule but not in the file (left alone)" in out and "HR-01" in out
    assert "Imported 2 rules" in out
    complaints = RetentionRule.objects.get(code="COMP-01")
    assert complaints.live and complaints.period == "P2Y" and not complaints.has_unpublished_changes
    archive = RetentionRule.objects.get(code="GOV-01")
    assert archive.live and archive.period_type == "permanent" and archive.disposal_action == "archive"
    assert RetentionRule.objects.get(code="HR-01").live  # not in the file: left alone, never deleted


def test_importing_an_xlsx_file(tmp_path):
    def dates_and_labels(sheet):
        sheet["H1"] = "Last reviewed"  # a heading written as its label, in a person's spreadsheet
        sheet["H2"] = "2026-03-31"

    path = write_xlsx(tmp_path / "schedule.xlsx", [COMPLAINTS, ARCHIVE], prepare=dates_and_labels)

    out, _err = run_import(path)

    assert "schedule.xlsx (XLSX, 2 rules)" in out
    assert "2 to create" in out
    rule = RetentionRule.objects.get(code="COMP-01")
    assert rule.live and rule.period == "P2Y" and rule.last_reviewed.isoformat() == "2026-03-31"


def test_importing_a_json_file(tmp_path, existing):
    path = tmp_path / "schedule.json"
    rules = [dict(zip(HEADINGS, row, strict=True)) for row in (COMPLAINTS, ARCHIVE)]
    path.write_text(json.dumps({"title": "Retention schedule", "rules": rules}), encoding="utf-8")

    out, _err = run_import(path)

    assert "schedule.json (JSON, 2 rules)" in out
    assert RetentionRule.objects.get(code="COMP-01").period == "P2Y"
    assert RetentionRule.objects.get(code="GOV-01").live


def test_standard_input_is_read_with_a_format(tmp_path):
    data = write_csv(tmp_path / "schedule.csv", [COMPLAINTS]).read_bytes()

    run_import("-", format="csv", stdin=io.BytesIO(data))

    assert RetentionRule.objects.get(code="COMP-01").live
    with pytest.raises(CommandError, match="--format"):
        run_import("-", stdin=io.BytesIO(data))


def test_draft_leaves_new_rules_unpublished_and_live_rules_as_they_were(tmp_path, existing):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS, ARCHIVE])

    out, _err = run_import(path, "--draft")

    assert "(saved as drafts)" in out and "as drafts" in out
    assert not RetentionRule.objects.get(code="GOV-01").live
    complaints = RetentionRule.objects.get(code="COMP-01")
    # The public still reads the published period until the DPO publishes the draft.
    assert complaints.live and complaints.period == "P1Y" and complaints.has_unpublished_changes
    assert complaints.latest_revision.as_object().period == "P2Y"


def test_revisions_are_recorded_as_the_given_user(tmp_path, django_user_model):
    dpo = django_user_model.objects.create_user(username="dpo", password="x")
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS])

    run_import(path, "--user", "dpo")

    assert RetentionRule.objects.get(code="COMP-01").latest_revision.user == dpo
    with pytest.raises(CommandError, match="no user “nobody”"):
        run_import(path, "--user", "nobody")


def test_the_summary_names_the_notices_that_show_a_changed_rule(tmp_path, existing, make_notice):
    notice = make_notice([section("retention", rules=[existing[0].pk])])
    versions = NoticeVersion.objects.filter(notice=notice).count()
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS])

    out, _err = run_import(path)

    assert f"shown on “{notice.title}”" in out
    assert NoticeVersion.objects.filter(notice=notice).count() == versions + 1


# Dry runs and reports ----------------------------------------------------------------------------


def test_a_dry_run_says_what_would_change_and_writes_nothing(tmp_path, existing):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS, ARCHIVE])
    before = database_state()

    out, _err = run_import(path, "--dry-run")

    assert "1 to create" in out and "1 to change" in out and "period: “P1Y” → “P2Y”" in out
    assert "Dry run: nothing was written." in out
    assert database_state() == before


def test_the_json_report_names_what_is_created_and_changed(tmp_path, existing):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS, ARCHIVE])
    before = database_state()

    out, _err = run_import(path, "--dry-run", "--report", "json")

    report = json.loads(out)  # nothing but the JSON on standard output
    assert [rule["code"] for rule in report["created"]] == ["GOV-01"]
    assert [rule["code"] for rule in report["changed"]] == ["COMP-01"]
    assert report["changed"][0]["changes"] == [{"column": "period", "old": "P1Y", "new": "P2Y"}]
    assert report["changed"][0]["where"] == "Row 2"
    assert report["not_in_file"] == ["HR-01"]
    assert report["problems"] == []
    assert database_state() == before


def test_the_json_report_of_an_applied_import_is_the_plan(tmp_path):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS])

    out, _err = run_import(path, "--report", "json")

    assert [rule["code"] for rule in json.loads(out)["created"]] == ["COMP-01"]
    assert RetentionRule.objects.get(code="COMP-01").live


def test_a_file_already_imported_changes_nothing(tmp_path, existing):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS])
    run_import(path)
    before = database_state()

    out, _err = run_import(path)

    assert "1 unchanged" in out and "Nothing to import" in out
    assert database_state() == before


# Files that cannot be imported -------------------------------------------------------------------


def _formula(sheet):
    sheet["E2"] = "=1+1"


def _merged(sheet):
    sheet.merge_cells("A3:B3")


BAD_FILES = {
    "a period in words": (
        lambda path: write_csv(path / "s.csv", [COMPLAINTS, ["GOV-02", "Minutes", "", "", "two yrs", "x", "delete"]]),
        ["Row 3, column “period”", "“two yrs” is not a retention period"],
    ),
    "an unknown disposal action": (
        lambda path: write_csv(path / "s.csv", [COMPLAINTS, ["GOV-02", "Minutes", "", "", "P1Y", "x", "shred"]]),
        ["Row 3, column “disposal_action”", "“shred” is not one of"],
    ),
    "a blank code": (
        lambda path: write_csv(path / "s.csv", [COMPLAINTS, ["", "Minutes", "", "", "P1Y", "x", "delete"]]),
        ["Row 3, column “code”", "Every rule needs a code"],
    ),
    "a code used twice": (
        lambda path: write_csv(path / "s.csv", [COMPLAINTS, ["comp-01", "Other", "", "", "P1Y", "x", "delete"]]),
        ["Row 3, column “code”", "also used by row 2"],
    ),
    "a CSV saved as Windows-1252": (
        lambda path: write_csv(
            path / "s.csv",
            [COMPLAINTS, ["GOV-02", "Minutes \u2013 board", "", "", "P1Y", "x", "delete"]],
            encoding="cp1252",  # the en dash becomes the byte \x96, which is not UTF-8
        ),
        ["not UTF-8", "line 3"],
    ),
    "an XLSX cell with a formula": (
        lambda path: write_xlsx(path / "s.xlsx", [COMPLAINTS], prepare=_formula),
        ["Cell E2", "formula"],
    ),
    "XLSX merged cells": (
        lambda path: write_xlsx(path / "s.xlsx", [COMPLAINTS, ARCHIVE], prepare=_merged),
        ["Cells A3:B3 are merged"],
    ),
    "a CSV named .xlsx": (
        lambda path: (
            path.joinpath("s.xlsx").write_bytes(write_csv(path / "s.csv", [COMPLAINTS]).read_bytes())
            and path / "s.xlsx"
        ),
        ["not an Excel workbook"],
    ),
    "an unknown column": (
        lambda path: write_csv(path / "s.csv", [[*COMPLAINTS, "x"]], headings=[*HEADINGS, "colour"]),
        ["Row 1, cell 8", "“colour” is not a column"],
    ),
}


@pytest.mark.parametrize("case", BAD_FILES.keys())
def test_a_file_with_problems_is_refused_whole(tmp_path, existing, case):
    make_file, expected = BAD_FILES[case]
    path = make_file(tmp_path)
    before = database_state()

    with pytest.raises(CommandError) as refused:
        run_import(path)

    message = str(refused.value)
    assert "cannot be imported" in message and "nothing was written" in message
    for fragment in expected:
        assert fragment in message
    # Even the good rows (COMP-01 changes its period) were not written.
    assert database_state() == before


def test_every_problem_is_reported_on_its_own_line(tmp_path, existing):
    path = write_csv(
        tmp_path / "s.csv",
        [["COMP-01", "Complaints", "", "", "two yrs", "x", "shred"], ["", "Minutes", "", "", "P1Y", "x", "delete"]],
    )

    with pytest.raises(CommandError) as refused:
        run_import(path)

    lines = str(refused.value).splitlines()
    assert "(3 problems)" in lines[0]
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "Row 2, column “period”",
        "Row 2, column “disposal_action”",
        "Row 3, column “code”",
    ]


def test_problems_are_in_the_json_report_too(tmp_path, existing):
    path = write_csv(tmp_path / "s.csv", [["COMP-01", "Complaints", "", "", "two yrs", "x", "delete"]])
    stdout = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_retention_schedule", str(path), "--report", "json", stdout=stdout)

    problems = json.loads(stdout.getvalue())["problems"]
    assert [(problem["where"], problem["column"]) for problem in problems] == [("Row 2", "period")]


@override_settings(RETENTION_SCHEDULE_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, existing):
    path = write_csv(tmp_path / "s.csv", [COMPLAINTS, ARCHIVE, COMPLAINTS])
    assert path.stat().st_size > 100
    before = database_state()

    with pytest.raises(CommandError, match="the largest file the importer takes is 100"):
        run_import(path)
    with pytest.raises(CommandError, match="larger than 100"):
        run_import("-", format="csv", stdin=io.BytesIO(path.read_bytes()))

    assert database_state() == before


def test_a_missing_or_unreadable_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run_import(tmp_path / "missing.csv")
    with pytest.raises(CommandError, match="is not a file"):
        run_import(tmp_path)
    assert not RetentionRule.objects.exists()


# Progress ----------------------------------------------------------------------------------------


def test_the_progress_bar_is_shown_when_asked_for(tmp_path):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS, ARCHIVE])

    _out, err = run_import(path, "--progress")

    assert "Importing" in err and "2/2" in err
    assert "\r" in err  # redrawn in place, not a line per rule


def test_no_progress_bar_when_standard_error_is_not_a_terminal_or_with_no_progress(tmp_path):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS])
    _out, err = run_import(path)
    assert err == ""

    path = write_csv(tmp_path / "schedule.csv", [ARCHIVE])
    _out, err = run_import(path, "--no-progress")
    assert err == ""


def test_the_progress_bar_is_shown_on_a_terminal(tmp_path):
    path = write_csv(tmp_path / "schedule.csv", [COMPLAINTS, ARCHIVE])
    controller, terminal = pty.openpty()
    try:
        with open(terminal, "w", encoding="utf-8", closefd=False) as stderr:
            call_command("import_retention_schedule", str(path), stdout=io.StringIO(), stderr=stderr)
        shown = b""
        while select.select([controller], [], [], 0.5)[0]:
            chunk = os.read(controller, 65536)
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
        os.close(terminal)
    assert b"Importing" in shown and b"2/2" in shown


# Exporting ---------------------------------------------------------------------------------------


@pytest.fixture
def schedule(make_rule):
    """Rules of every kind, awkward values included, and a draft that must never be exported."""
    make_rule(
        code="COMP-01",
        record_class="Complaint case files",
        business_function="Complaints",
        description="The complaint, and our investigation.\nSecond line.",
        data_categories="Contact details, health information",
        authority="Records management policy 4.2",
        exceptions="- Kept longer while legal action continues.",  # a spreadsheet would run this as a formula
        owner="Complaints team",
        last_reviewed=datetime.date(2025, 3, 31),
        review_interval="P2Y",
    )
    make_rule(
        code="GOV-01",
        record_class="Board minutes",
        business_function="Governance",
        period_type="permanent",
        period="",
        trigger="",
        disposal_action="archive",
    )
    make_rule(
        code="CCTV-01",
        record_class="CCTV footage",
        business_function="Premises",
        period_type="until_event",
        period="",
        trigger="",
        criteria="Until the incident it shows is resolved.",
        disposal_action="review",
    )
    make_rule(code="BARE-01", record_class="Récépissés – Ünïcødé 📄", business_function="", trigger="réception")
    make_rule(code="DRAFT-01", record_class="Not yet agreed", draft=True)


def xlsx_values(path):
    sheet = load_workbook(path).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("format", ["csv", "json"])
def test_an_export_imports_unchanged_and_exports_byte_for_byte_again(tmp_path, schedule, format):
    first = tmp_path / f"first.{format}"
    run_export("--output", first)
    before = database_state()

    out, _err = run_import(first)

    assert "0 to create" in out and "0 to change" in out and "4 unchanged" in out
    assert "DRAFT-01" in out  # in the schedule, not in the export: left alone
    assert database_state() == before
    second = tmp_path / f"second.{format}"
    run_export("--output", second)
    assert second.read_bytes() == first.read_bytes()


def test_an_xlsx_export_imports_unchanged_and_exports_the_same_values_again(tmp_path, schedule):
    first = tmp_path / "first.xlsx"
    run_export("--output", first)
    before = database_state()

    out, _err = run_import(first, "--report", "json")

    report = json.loads(out)
    assert report["created"] == [] and report["changed"] == [] and len(report["unchanged"]) == 4
    assert database_state() == before
    second = tmp_path / "second.xlsx"
    run_export("--output", second)
    # The workbook's own metadata holds the time it was written: compare what the cells say.
    assert xlsx_values(second) == xlsx_values(first)


def test_the_export_writes_live_rules_with_every_column_in_the_schedule_order(tmp_path, schedule):
    path = tmp_path / "schedule.csv"
    out = run_export("--output", path)

    assert "Wrote 4 rules" in out
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    # By business function, those without one last, as on the public page; drafts never.
    assert [row["code"] for row in rows] == ["COMP-01", "GOV-01", "CCTV-01", "BARE-01"]
    assert rows[0]["owner"] == "Complaints team" and rows[0]["last_reviewed"] == "2025-03-31"
    assert rows[0]["exceptions"] == "'- Kept longer while legal action continues."


def test_the_public_export_leaves_out_the_internal_columns(tmp_path, schedule):
    path = tmp_path / "schedule.json"
    run_export("--output", path, "--public")

    document = json.loads(path.read_text(encoding="utf-8"))
    assert "$schema" not in document  # no schema address is known outside a request
    assert [rule["code"] for rule in document["rules"]] == ["COMP-01", "GOV-01", "CCTV-01", "BARE-01"]
    first = document["rules"][0]
    assert not {"owner", "last_reviewed", "review_interval"} & first.keys()
    assert first["summary"] == "2 years from the closure of the case, then deleted"

    csv_text = run_export("--format", "csv", "--public")
    assert csv_text.splitlines()[0].split(",")[-1] == "exceptions"


def test_the_format_follows_the_output_file_name(tmp_path, schedule):
    path = tmp_path / "schedule.XLSX"
    run_export("-o", path)
    assert xlsx_values(path)[0][0] == "code"

    text = run_export()  # to standard output, CSV by default
    assert text.startswith("code,record_class,")


def test_xlsx_goes_to_standard_output_only_when_it_is_not_a_terminal(schedule):
    piped = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    call_command("export_retention_schedule", "--format", "xlsx", stdout=piped)
    piped.flush()
    assert load_workbook(io.BytesIO(piped.buffer.getvalue())).worksheets[0]["A2"].value == "COMP-01"

    controller, terminal = pty.openpty()
    try:
        with open(terminal, "w", encoding="utf-8", closefd=False) as stdout, pytest.raises(CommandError, match="XLSX"):
            call_command("export_retention_schedule", "--format", "xlsx", stdout=stdout)
    finally:
        os.close(controller)
        os.close(terminal)


def test_an_export_to_a_directory_that_does_not_exist_is_refused(tmp_path, schedule):
    with pytest.raises(CommandError, match="cannot be written"):
        run_export("--output", tmp_path / "missing" / "schedule.csv")
