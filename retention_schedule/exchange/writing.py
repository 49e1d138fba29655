"""Writing retention rules to schedule files: CSV, XLSX and JSON, and blank templates to fill in.

Every writer takes the rules and the columns to write (``COLUMNS`` for the
DPO's own copy, ``PUBLIC_COLUMNS`` for anything the public may read) and
writes one row per rule with the column names as headings, so that a file
written here reads back unchanged through ``retention_schedule.exchange``'s
importer.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence

from django.utils import timezone
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .columns import COLUMNS, FORMULA_STARTS, Column

# The DPO's working fields: who looks after a rule and when it is next due for review say
# nothing to the public about their records, and "overdue for review" is internal business
# until the DPO chooses to publish it. Public exports (and the public JSON) leave them out.
INTERNAL_COLUMN_NAMES = frozenset({"owner", "last_reviewed", "review_interval"})
PUBLIC_COLUMNS: tuple[Column, ...] = tuple(column for column in COLUMNS if column.name not in INTERNAL_COLUMN_NAMES)

# The keys the public JSON adds to each rule: written from the rule, never read back.

# A spreadsheet program runs a cell that starts with one of these as a formula (a tab or
# carriage return lets the formula hide behind white space). See ``escape_formula``.

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Not translated: a file reads the same wherever it was written, like the column names.
SHEET_TITLE = "Retention schedule"
GUIDE_SHEET_TITLE = "Guide"

_DATE_FORMAT = "yyyy-mm-dd"
_MIN_WIDTH, _MAX_WIDTH = 10, 60


def export_rows(rules: Iterable, columns: Sequence[Column] = COLUMNS) -> list[dict]:
    """One dict per rule, keyed by column name, in column order.

    Text and choices are strings ("" when blank); periods (``period``,
    ``review_interval``) are strings or None; dates are ``datetime.date`` or None.
    """
    return [{column.name: _value(rule, column) for column in columns} for rule in rules]


def _value(rule, column: Column):
    value = getattr(rule, column.name)
    if column.kind == "date":
        return value or None
    if column.kind == "period":
        return str(value) if value else None
    return "" if value is None else str(value)


def escape_formula(value: str) -> str:
    """Guard a CSV cell against formula injection: prefix an apostrophe to text a spreadsheet would run.

    A value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    is written as ``'`` followed by the value, so Excel, LibreOffice and Google
    Sheets show it as text instead of evaluating it (OWASP "CSV injection").
    Text that already starts with apostrophes before one of those characters
    gets one more. The importer takes one leading apostrophe off such text, so
    every value survives a round trip: ``- Paper files``, ``=1+1`` and ``'=1+1``.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return escape_formula(str(value))


def write_csv(rules: Iterable, columns: Sequence[Column] = COLUMNS) -> str:
    """The rules as CSV text: a heading row of column names, then one row per rule.

    Encode it as UTF-8 without a byte order mark (Excel users get the XLSX
    file instead). Dates are written YYYY-MM-DD, blanks as empty cells, and
    text a spreadsheet would run as a formula is escaped (see ``escape_formula``).
    """
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([column.name for column in columns])
    for row in export_rows(rules, columns):
        writer.writerow([_csv_cell(row[column.name]) for column in columns])
    return output.getvalue()


def template_csv(columns: Sequence[Column] = COLUMNS) -> str:
    """A blank CSV schedule: the heading row only, for a DPO to fill in."""
    return write_csv([], columns)


# XLSX --------------------------------------------------------------------------------------------


def _xlsx_text(value: str) -> str:
    # openpyxl refuses control characters that XML 1.0 cannot carry; a pasted
    # form feed in a description must not stop the whole export.
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _write_cell(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = _DATE_FORMAT
    elif value is None:
        cell.value = None
    else:
        cell.value = _xlsx_text(str(value))
        # openpyxl stores a str starting with "=" as a formula, and "00123" could be read
        # back as a number: every text value is written as text, typed as such.
        cell.data_type = "s"
    return cell


def _add_sheet(workbook: Workbook, title: str, headings: Sequence[str], rows: Iterable[Sequence], *, first=False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    widths = [len(str(heading)) for heading in headings]
    bold = Font(bold=True)
    for index, heading in enumerate(headings, start=1):
        _write_cell(sheet, 1, index, str(heading)).font = bold
    top = Alignment(vertical="top", wrap_text=True)
    for row_number, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            _write_cell(sheet, row_number, index, value).alignment = top
            if value is not None:
                longest_line = max(len(line) for line in str(value).splitlines() or [""])
                widths[index - 1] = max(widths[index - 1], longest_line)
    sheet.freeze_panes = "A2"  # the headings stay in view while scrolling
    for index, width in enumerate(widths, start=1):
        # Wide enough for a heading or a date, no wider than a screen's worth: long text wraps.
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    return sheet


def _workbook_bytes(workbook: Workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def write_xlsx(rules: Iterable, columns: Sequence[Column] = COLUMNS) -> bytes:
    """The rules as an Excel workbook: one sheet, "Retention schedule", with a bold, frozen heading row.

    Headings are the column names; dates are real date cells shown
    YYYY-MM-DD; every other value is a text cell (never a formula or a number).
    """
    workbook = Workbook()
    names = [column.name for column in columns]
    rows = ([row[name] for name in names] for row in export_rows(rules, columns))
    sheet = _add_sheet(workbook, SHEET_TITLE, names, rows, first=True)
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    return _workbook_bytes(workbook)


def _allowed_values(column: Column) -> str:
    if column.kind == "choice":
        return "\n".join(f"{value}: {label}" for value, label in column.choices)
    if column.kind == "period":
        return gettext("An ISO 8601 duration in years, months, weeks or days (P2Y, P18M, P6W, P30D)")
    if column.kind == "date":
        return gettext("A date written YYYY-MM-DD")
    return gettext("Any text")


def template_xlsx(columns: Sequence[Column] = COLUMNS) -> bytes:
    """A blank Excel schedule for a DPO to fill in, with a second sheet, "Guide", explaining each column.

    The first sheet has the heading row only: an example row there would be
    imported as a rule by mistake, so the examples live in the guide.
    """
    workbook = Workbook()
    _add_sheet(workbook, SHEET_TITLE, [column.name for column in columns], [], first=True)
    yes, no = gettext("Yes"), gettext("No")
    guide_rows = (
        (
            column.name,
            str(column.label),
            yes if column.required else no,
            str(column.help),
            _allowed_values(column),
            column.example or None,
        )
        for column in columns
    )
    headings = (
        gettext("Column"),
        gettext("Heading also accepted"),
        gettext("Required"),
        gettext("What to write"),
        gettext("Allowed values"),
        gettext("Example"),
    )
    _add_sheet(workbook, GUIDE_SHEET_TITLE, headings, guide_rows)
    return _workbook_bytes(workbook)


# JSON --------------------------------------------------------------------------------------------


def _timestamp(value) -> str | None:
    """A moment as "YYYY-MM-DDTHH:MM:SS+00:00", in UTC and to the second."""
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):  # a date: the start of that day
        value = datetime.datetime.combine(value, datetime.time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value.astimezone(datetime.UTC).replace(microsecond=0).isoformat()


def rule_url(schedule_url: str | None, code: str) -> str | None:
    """A rule's own public address: the schedule's address, then its code and a slash."""
    if not schedule_url:
        return None
    return f"{schedule_url.rstrip('/')}/{code}/"


def write_json(
    rules: Iterable,
    *,
    columns: Sequence[Column] | None = None,
    schema_url: str | None = None,
    title: str | None = None,
    url: str | None = None,
    last_updated: datetime.datetime | None = None,
    public: bool = False,
) -> dict:
    """The rules as a JSON-ready document, valid against ``schema.schedule_json_schema()``.

    ``{"$schema", "title", "url", "last_updated", "rules"}``: each rule has the
    column keys (dates "YYYY-MM-DD" or null, periods a string or null, other
    text "" when blank). ``public=True`` writes ``PUBLIC_COLUMNS`` unless told
    otherwise, refuses internal columns, and adds the read-only keys the public
    page shows: ``period_text``, ``summary``, ``disposal_action_text`` (as in
    ``RetentionRule.as_public_data()``) and ``url``, the rule's own address
    (built from ``url``, the schedule's address).
    """
    if columns is None:
        columns = PUBLIC_COLUMNS if public else COLUMNS
    if public and any(column.name in INTERNAL_COLUMN_NAMES for column in columns):
        raise ValueError(f"A public export cannot include the internal columns {sorted(INTERNAL_COLUMN_NAMES)}.")
    rules = list(rules)
    written = []
    for rule, row in zip(rules, export_rows(rules, columns), strict=True):
        data = {name: value.isoformat() if isinstance(value, datetime.date) else value for name, value in row.items()}
        if public:
            shown = rule.as_public_data()
            data.update({key: shown[key] for key in ("period_text", "summary", "disposal_action_text")})
            data["url"] = rule_url(url, rule.code)
        written.append(data)
    return {
        "$schema": schema_url,
        "title": gettext("Retention schedule") if title is None else str(title),
        "url": url,
        "last_updated": _timestamp(last_updated),
        "rules": written,
    }
