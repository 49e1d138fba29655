"""Writing the retention schedule to files (CSV, XLSX, JSON) and the JSON Schema the JSON follows."""

import copy
import csv
import datetime
import io
import json
import zoneinfo

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook

from retention_schedule.exchange.columns import COLUMN_NAMES, COLUMNS, COLUMNS_BY_NAME
from retention_schedule.exchange.schema import schedule_json_schema
from retention_schedule.exchange.writing import (
    PUBLIC_COLUMNS,
    escape_formula,
    export_rows,
    template_csv,
    template_xlsx,
    write_csv,
    write_json,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

INTERNAL = {"owner", "last_reviewed", "review_interval"}


@pytest.fixture
def rules(make_rule):
    """One rule of every kind, and one with every optional field left blank."""
    return [
        make_rule(
            code="COMP-01",
            record_class="Complaint case files",
            description="The complaint and our investigation.",
            data_categories="Contact details, health information",
            authority="Records management policy 4.2",
            exceptions="Kept longer while legal action continues.",
            owner="Complaints team",
            last_reviewed=datetime.date(2025, 3, 31),
            review_interval="P2Y",
        ),
        make_rule(
            code="BOARD-01",
            record_class="Board minutes",
            business_function="Governance",
            period_type="permanent",
            period="",
            trigger="",
            disposal_action="archive",
        ),
        make_rule(
            code="CCTV-01",
            record_class="CCTV footage",
            business_function="Premises",
            period_type="until_event",
            period="",
            trigger="",
            criteria="Until the incident it shows is resolved.",
            disposal_action="review",
        ),
        make_rule(
            code="BARE-01",
            record_class="Récépissés – Ünïcødé 📄",
            business_function="",
            trigger="réception",
            owner="",
            review_interval="",
        ),
    ]


def validator():
    schema = schedule_json_schema("https://example.org/retention-schedule/?format=schema")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


# Columns -----------------------------------------------------------------------------------------


def test_public_columns_are_all_columns_but_the_internal_ones_in_the_same_order():
    assert [c.name for c in PUBLIC_COLUMNS] == [name for name in COLUMN_NAMES if name not in INTERNAL]
    assert all(COLUMNS_BY_NAME[column.name] is column for column in PUBLIC_COLUMNS)


def test_export_rows_types(rules):
    first, permanent, _until, bare = export_rows(rules)
    assert list(first) == list(COLUMN_NAMES)
    assert first["last_reviewed"] == datetime.date(2025, 3, 31)
    assert (first["period"], first["review_interval"]) == ("P2Y", "P2Y")
    assert permanent["period"] is None and permanent["trigger"] == "" and permanent["last_reviewed"] is None
    assert bare["owner"] == "" and bare["review_interval"] is None and bare["business_function"] == ""
    assert list(export_rows(rules[:1], PUBLIC_COLUMNS)[0]) == [c.name for c in PUBLIC_COLUMNS]


# CSV ---------------------------------------------------------------------------------------------


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_the_column_names_as_headings_and_one_row_a_rule(rules):
    text = write_csv(rules)
    assert not text.startswith("\ufeff")
    assert text.splitlines()[0] == ",".join(COLUMN_NAMES)
    rows = read_csv(text)
    assert [row["code"] for row in rows] == ["COMP-01", "BOARD-01", "CCTV-01", "BARE-01"]
    assert rows[0]["last_reviewed"] == "2025-03-31" and rows[1]["period"] == "" and rows[1]["last_reviewed"] == ""
    assert rows[3]["record_class"] == "Récépissés – Ünïcødé 📄"
    assert text.encode("utf-8").decode("utf-8") == text


def test_public_csv_has_no_internal_columns(rules):
    rows = read_csv(write_csv(rules, PUBLIC_COLUMNS))
    assert set(rows[0]) == {c.name for c in PUBLIC_COLUMNS}
    assert "Complaints team" not in write_csv(rules, PUBLIC_COLUMNS)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("- paper files", "'- paper files"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("Complaint files = 2 years", "Complaint files = 2 years"),
        ("", ""),
    ],
)
def test_csv_escapes_what_a_spreadsheet_would_run(make_rule, value, written):
    assert escape_formula(value) == written
    rule = make_rule(code="INJ-01", description=value)
    assert read_csv(write_csv([rule]))[0]["description"] == written


def test_blank_csv_template_is_the_heading_row_only():
    assert read_csv(template_csv()) == []
    assert template_csv().strip() == ",".join(COLUMN_NAMES)


# XLSX --------------------------------------------------------------------------------------------


def open_xlsx(data):
    return load_workbook(io.BytesIO(data))


def test_xlsx_sheet_headings_dates_and_widths(rules):
    workbook = open_xlsx(write_xlsx(rules))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Retention schedule"
    assert [cell.value for cell in sheet[1]] == list(COLUMN_NAMES)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1 + len(rules)
    reviewed = sheet.cell(row=2, column=COLUMN_NAMES.index("last_reviewed") + 1)
    assert reviewed.is_date and reviewed.value.date() == datetime.date(2025, 3, 31)
    assert reviewed.number_format == "yyyy-mm-dd"
    assert sheet.cell(row=3, column=COLUMN_NAMES.index("period") + 1).value is None
    assert sheet.cell(row=5, column=COLUMN_NAMES.index("record_class") + 1).value == "Récépissés – Ünïcødé 📄"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNO"]
    assert all(10 <= width <= 60 for width in widths)


def test_xlsx_writes_formulas_and_numbers_as_text(make_rule):
    rule = make_rule(code="00123", description="=1+1", data_categories="@SUM(A1)", trigger="0042")
    sheet = open_xlsx(write_xlsx([rule])).worksheets[0]
    row = {name: sheet.cell(row=2, column=index + 1) for index, name in enumerate(COLUMN_NAMES)}
    for name, value in (("description", "=1+1"), ("data_categories", "@SUM(A1)"), ("code", "00123")):
        assert row[name].data_type == "s", name
        assert row[name].value == value
    # No apostrophe in a spreadsheet: the cell's type already says "text".
    assert row["trigger"].value == "0042"


def test_xlsx_drops_characters_a_spreadsheet_cannot_hold(make_rule):
    rule = make_rule(code="CTRL-01", description="page\x0cbreak")
    sheet = open_xlsx(write_xlsx([rule])).worksheets[0]
    assert sheet.cell(row=2, column=COLUMN_NAMES.index("description") + 1).value == "pagebreak"


def test_public_xlsx_has_no_internal_columns(rules):
    sheet = open_xlsx(write_xlsx(rules, PUBLIC_COLUMNS)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [c.name for c in PUBLIC_COLUMNS]
    values = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert "Complaints team" not in values


def test_xlsx_template_has_headings_only_and_a_guide():
    workbook = open_xlsx(template_xlsx())
    schedule, guide = workbook.worksheets
    assert schedule.title == "Retention schedule" and guide.title == "Guide"
    assert schedule.max_row == 1  # no example row: it would be imported as a rule
    assert [cell.value for cell in schedule[1]] == list(COLUMN_NAMES)
    assert schedule.freeze_panes == "A2"
    rows = list(guide.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == list(COLUMN_NAMES)
    by_name = {row[0]: row for row in rows}
    assert by_name["code"][2] == "Yes" and by_name["description"][2] == "No"
    assert by_name["record_class"][3] == str(COLUMNS_BY_NAME["record_class"].help)
    for value, _label in COLUMNS_BY_NAME["disposal_action"].choices:
        assert value in by_name["disposal_action"][4]
    assert "ISO 8601" in by_name["period"][4] and "YYYY-MM-DD" in by_name["last_reviewed"][4]
    assert by_name["period"][5] == "P2Y"


# JSON --------------------------------------------------------------------------------------------


def test_admin_json_has_every_column(rules):
    document = write_json(rules, title="Schedule", url="https://example.org/retention-schedule/")
    assert list(document) == ["$schema", "title", "url", "last_updated", "rules"]
    first = document["rules"][0]
    assert list(first) == list(COLUMN_NAMES)
    assert first["last_reviewed"] == "2025-03-31" and first["owner"] == "Complaints team"
    assert document["rules"][1]["period"] is None and document["rules"][1]["last_reviewed"] is None
    assert "summary" not in first and "url" not in first


def test_public_json_adds_what_the_page_shows_and_nothing_internal(rules):
    document = write_json(rules, url="https://example.org/retention-schedule/", public=True)
    for rule, data in zip(rules, document["rules"], strict=True):
        assert INTERNAL.isdisjoint(data)
        shown = rule.as_public_data()
        for key in ("period_text", "summary", "disposal_action_text"):
            assert data[key] == shown[key]
        assert data["url"] == f"https://example.org/retention-schedule/{rule.code}/"
    assert document["rules"][1]["period_text"] is None
    assert document["rules"][1]["summary"] == "Kept permanently"


def test_public_json_refuses_internal_columns(rules):
    with pytest.raises(ValueError, match="internal"):
        write_json(rules, columns=COLUMNS, public=True)


def test_json_last_updated_is_utc_to_the_second():
    london = zoneinfo.ZoneInfo("Europe/London")
    moment = datetime.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=london)
    assert write_json([], last_updated=moment)["last_updated"] == "2026-07-01T08:30:15+00:00"
    assert write_json([])["last_updated"] is None
    assert write_json([], title="Our schedule")["title"] == "Our schedule"


# JSON Schema -------------------------------------------------------------------------------------


def test_the_schema_follows_the_columns():
    schema = schedule_json_schema("https://example.org/schema")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://example.org/schema"
    rule = schema["$defs"]["rule"]
    assert set(COLUMN_NAMES) <= set(rule["properties"])
    assert rule["required"] == ["code", "record_class"]
    assert rule["additionalProperties"] is False and schema["additionalProperties"] is False
    assert rule["properties"]["disposal_action"]["enum"] == ["delete", "anonymise", "review", "archive"]
    assert rule["properties"]["period_type"]["enum"] == ["fixed", "permanent", "until_event"]
    assert rule["properties"]["last_reviewed"]["format"] == "date"
    for key in ("period_text", "summary", "disposal_action_text", "url"):
        assert rule["properties"][key]["readOnly"] is True
    assert "$id" not in schedule_json_schema()


def test_every_json_export_is_valid_against_the_schema(rules):
    check = validator()
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    documents = [
        write_json(rules),
        write_json(rules, public=True, url="https://example.org/rs/", last_updated=moment, schema_url="https://x/s"),
        write_json(rules, columns=PUBLIC_COLUMNS),
        write_json([], public=True),
    ]
    for document in documents:
        errors = [error.message for error in check.iter_errors(document)]
        assert errors == []


@pytest.mark.parametrize(
    ("where", "change"),
    [
        ("rule", {"period": "2 years"}),
        ("rule", {"period": "PT3H"}),
        ("rule", {"period": "P"}),
        ("rule", {"period": "P1.5Y"}),
        ("rule", {"review_interval": "yearly"}),
        ("rule", {"disposal_action": "shred"}),
        ("rule", {"period_type": "forever"}),
        ("rule", {"last_reviewed": "31/03/2025"}),
        ("rule", {"last_reviewed": "2025-02-30"}),  # the right shape, not a date: format checking catches it
        ("rule", {"colour": "blue"}),
        ("rule", {"code": "has spaces"}),
        ("rule", {"record_class": ""}),
        ("rule", {"description": None}),
        ("document", {"extra": True}),
        ("document", {"last_updated": "yesterday"}),
        ("document", {"rules": "none"}),
    ],
)
def test_the_schema_refuses_what_is_not_a_schedule(rules, where, change):
    document = copy.deepcopy(write_json(rules))
    (document["rules"][0] if where == "rule" else document).update(change)
    assert not validator().is_valid(document)


@pytest.mark.parametrize("missing", ["code", "record_class"])
def test_the_schema_requires_code_and_record_class(rules, missing):
    document = write_json(rules)
    del document["rules"][0][missing]
    assert not validator().is_valid(document)


# The contract with the importer ------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value or ""


@pytest.mark.parametrize("form", ["csv", "xlsx", "json", "public json"])
def test_every_export_reads_back_unchanged(rules, make_rule, form):
    from retention_schedule.exchange.reading import read_schedule_file

    awkward = make_rule(
        code="-INJ-01",
        description="=1+1",
        data_categories="- names\n- addresses",
        authority="@law",
        exceptions="+ while legal action continues",
        owner='=HYPERLINK("https://evil.example")',
    )
    rules = [*rules, awkward]
    columns = PUBLIC_COLUMNS if form == "public json" else COLUMNS
    data = {
        "csv": lambda: write_csv(rules).encode("utf-8"),
        "xlsx": lambda: write_xlsx(rules),
        "json": lambda: json.dumps(write_json(rules)).encode("utf-8"),
        "public json": lambda: json.dumps(write_json(rules, public=True, url="https://x.example/rs/")).encode(),
    }[form]()
    schedule_file = read_schedule_file(data, format=form.split()[-1])
    assert schedule_file.columns == [column.name for column in columns]
    read = [{name: _plain(value) for name, value in row.values.items()} for row in schedule_file.rows]
    assert read == [{name: _plain(value) for name, value in row.items()} for row in export_rows(rules, columns)]
