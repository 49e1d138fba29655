"""Read a retention schedule file (CSV, XLSX or JSON) into rows of raw values.

Reading only checks the file's shape: that it is the format it claims, within
the size limit, with known headings and nothing a spreadsheet would compute
or hide (formulas, merged cells). What each value means is checked when the
import is planned (``importing.py``), so every problem in a file is reported
together, each naming the row and the column where a person can find it.
"""

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .columns import COLUMNS, COLUMNS_BY_NAME, DERIVED_KEYS, FORMULA_STARTS

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# A spreadsheet is a zip of XML files; a small file can unpack to gigabytes.
# Refuse one whose contents would unpack to more than this many times its size
# limit before openpyxl reads it (openpyxl itself parses XML with defusedxml).
_XLSX_UNPACKED_FACTOR = 20

_DOCUMENT_KEYS = frozenset({"$schema", "title", "url", "last_updated", "rules"})


FORMATS = ("csv", "xlsx", "json")


def max_import_bytes() -> int:
    """The largest file the importer accepts (``RETENTION_SCHEDULE_IMPORT_MAX_BYTES``, default 5 MB)."""
    return int(getattr(settings, "RETENTION_SCHEDULE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Problem:
    """Something wrong in a file, with where to find it."""

    message: str
    where: str = ""  # "Row 4", "Rule 3", "Cell D7", or "" for the whole file
    column: str = ""

    def __str__(self) -> str:
        if self.where and self.column:
            return _("%(where)s, column “%(column)s”: %(message)s") % {
                "where": self.where,
                "column": self.column,
                "message": self.message,
            }
        if self.where:
            return f"{self.where}: {self.message}"
        if self.column:
            return _("Column “%(column)s”: %(message)s") % {"column": self.column, "message": self.message}
        return self.message


class ScheduleFileError(Exception):
    """The file cannot be imported. ``problems`` lists every reason found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass
class Row:
    where: str  # how a person finds the row: "Row 4" (spreadsheet rows count the heading) or "Rule 3"
    values: dict = field(default_factory=dict)  # column name -> str, datetime.date or None


@dataclass
class ScheduleFile:
    format: str
    columns: list[str]  # the columns the file has, in file order
    rows: list[Row]


def too_large(size: int, limit: int) -> Problem:
    """The problem with a file over the size limit (checked before reading it, where possible)."""
    return Problem(
        _("The file is %(size)s; the largest file the importer takes is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


def detect_format(data: bytes, filename: str = "") -> str:
    """The format of a file, by its name's extension, else by its first bytes."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in FORMATS:
        return extension
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "json"
    return "csv"


def read_schedule_file(data: bytes, filename: str = "", *, format: str | None = None, max_bytes: int | None = None):
    """Read ``data`` into a ``ScheduleFile``, or raise ``ScheduleFileError`` naming every problem."""
    limit = max_import_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        raise ScheduleFileError([too_large(len(data), limit)])
    format = (format or detect_format(data, filename)).lower()
    if format not in FORMATS:
        raise ScheduleFileError([Problem(_("Files must be CSV, XLSX or JSON, not “%(format)s”.") % {"format": format})])
    if not data.strip():
        raise ScheduleFileError([Problem(_("The file is empty."))])
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json}[format]
    if format == "xlsx":
        return reader(data, limit)
    return reader(data)


# Headings ---------------------------------------------------------------------------


def _columns_from_headings(headings, where_heading) -> tuple[list[str | None], list[Problem]]:
    """Map a file's headings to column names (None for a blank heading), with any problems found."""
    by_heading = {heading: column.name for column in COLUMNS for heading in column.accepted_headings()}
    names: list[str | None] = []
    problems = []
    seen: dict[str, str] = {}
    for index, heading in enumerate(headings):
        text = _cell_text(heading).strip()
        if not text:
            names.append(None)
            continue
        name = by_heading.get(text.lower())
        if name is None:
            problems.append(
                Problem(
                    _("“%(heading)s” is not a column the schedule knows. The columns are: %(columns)s.")
                    % {"heading": text, "columns": ", ".join(column.name for column in COLUMNS)},
                    where=where_heading(index),
                )
            )
        elif name in seen:
            problems.append(
                Problem(
                    _("The column “%(name)s” appears twice (also as “%(other)s”).")
                    % {"name": name, "other": seen[name]},
                    where=where_heading(index),
                )
            )
        else:
            seen[name] = text
        names.append(name)
    problems.extend(_missing_required(seen))
    return names, problems


def _missing_required(present) -> list[Problem]:
    return [
        Problem(_("The file has no “%(name)s” column, which every schedule needs.") % {"name": column.name})
        for column in COLUMNS
        if column.required and column.name not in present
    ]


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code such as 101 typed into a spreadsheet comes back as 101.0
    return str(value)


def _unguard(text: str) -> str:
    """Undo ``writing.escape_formula``: one apostrophe off text whose apostrophes stand before a formula character."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _rows_from_table(table, where_row, where_cell, *, unguard=False) -> tuple[list[str], list[Row], list[Problem]]:
    """Turn a table (a list of lists, heading first) into rows of values keyed by column name."""
    names, problems = _columns_from_headings(table[0] if table else [], lambda i: where_cell(1, i))
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if all(_cell_text(cell).strip() == "" for cell in cells):
            continue  # blank lines between sections of a spreadsheet are not rules
        values = {}
        for index, cell in enumerate(cells):
            name = names[index] if index < len(names) else None
            if name is None:
                if _cell_text(cell).strip():
                    problems.append(
                        Problem(
                            _("This cell has a value but its column has no heading."),
                            where=where_cell(number, index),
                        )
                    )
                continue
            if isinstance(cell, datetime.datetime):
                values[name] = cell.date()
            elif isinstance(cell, datetime.date):
                values[name] = cell
            else:
                text = _cell_text(cell)
                # Only CSV needs the guard: a spreadsheet's cells say themselves whether they hold text.
                values[name] = (_unguard(text) if unguard else text).strip()
        rows.append(Row(where_row(number), values))
    if not rows and not problems:
        problems.append(Problem(_("The file has headings but no rules.")))
    columns = [name for name in names if name]
    return columns, rows, problems


# CSV --------------------------------------------------------------------------------


def _read_csv(data: bytes) -> ScheduleFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ScheduleFileError(
            [
                Problem(
                    _(
                        "The file is not UTF-8 text (line %(line)d has a character that cannot be read). "
                        "In Excel, save it as “CSV UTF-8 (Comma delimited)”, or import the XLSX file instead."
                    )
                    % {"line": line}
                )
            ]
        ) from None
    if "\x00" in text:
        raise ScheduleFileError([Problem(_("The file holds binary data, not CSV text."))])
    first_line = text.splitlines()[0] if text.splitlines() else ""
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))
    except csv.Error as error:
        raise ScheduleFileError([Problem(_("The CSV cannot be read: %(error)s.") % {"error": error})]) from None
    columns, rows, problems = _rows_from_table(
        table,
        lambda number: _("Row %(number)d") % {"number": number},
        lambda number, index: _("Row %(number)d, cell %(cell)d") % {"number": number, "cell": index + 1},
        unguard=True,
    )
    heading_count = len(table[0]) if table else 0
    for number, cells in enumerate(table[1:], start=2):
        if len(cells) > heading_count and any(cell.strip() for cell in cells[heading_count:]):
            problems.append(
                Problem(
                    _("This row has %(cells)d cells but the heading row has %(headings)d.")
                    % {"cells": len(cells), "headings": heading_count},
                    where=_("Row %(number)d") % {"number": number},
                )
            )
    if problems:
        raise ScheduleFileError(problems)
    return ScheduleFile("csv", columns, rows)


# XLSX -------------------------------------------------------------------------------


def _read_xlsx(data: bytes, limit: int) -> ScheduleFile:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    not_a_spreadsheet = ScheduleFileError(
        [Problem(_("The file is not an Excel workbook (.xlsx). Save it from your spreadsheet as “Excel Workbook”."))]
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise not_a_spreadsheet from None
    if unpacked > limit * _XLSX_UNPACKED_FACTOR:
        raise ScheduleFileError(
            [Problem(_("The workbook unpacks to %(size)s, too large to import.") % {"size": filesizeformat(unpacked)})]
        )
    try:
        # Not read_only: read-only sheets cannot report merged cells. data_only=False keeps
        # formulas as formulas, so we can refuse them instead of importing stale cached values.
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except Exception:  # openpyxl raises many kinds of error for a damaged or foreign file
        raise not_a_spreadsheet from None
    sheet = workbook.worksheets[0]
    problems = []
    for merged in sheet.merged_cells.ranges:
        problems.append(
            Problem(
                _("Cells %(range)s are merged. Unmerge them and give each row its own values.")
                % {"range": merged.coord},
                where=_("Sheet “%(sheet)s”") % {"sheet": sheet.title},
            )
        )
    table = []
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            if cell.data_type == "f" or type(cell.value).__name__ in ("ArrayFormula", "DataTableFormula"):
                problems.append(
                    Problem(
                        _("The cell holds a formula (%(formula)s). Replace formulas with their values.")
                        % {"formula": str(getattr(cell.value, "text", cell.value))[:60]},
                        where=_("Cell %(cell)s") % {"cell": cell.coordinate},
                    )
                )
                cells.append("")
            else:
                cells.append(cell.value)
        table.append(cells)
    while table and all(_cell_text(cell).strip() == "" for cell in table[-1]):
        table.pop()
    columns, rows, table_problems = _rows_from_table(
        table,
        lambda number: _("Row %(number)d") % {"number": number},
        lambda number, index: _("Cell %(cell)s") % {"cell": f"{get_column_letter(index + 1)}{number}"},
    )
    problems.extend(table_problems)
    if problems:
        raise ScheduleFileError(problems)
    return ScheduleFile("xlsx", columns, rows)


# JSON -------------------------------------------------------------------------------


def _read_json(data: bytes) -> ScheduleFile:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ScheduleFileError([Problem(_("The file is not UTF-8 text."))]) from None
    except json.JSONDecodeError as error:
        raise ScheduleFileError(
            [
                Problem(
                    _("The JSON cannot be read: %(error)s at line %(line)d, column %(column)d.")
                    % {"error": error.msg, "line": error.lineno, "column": error.colno}
                )
            ]
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise ScheduleFileError(
            [Problem(_("The JSON must be an object with a list of rules under “rules”, as the exports write."))]
        )
    problems = [
        Problem(_("“%(key)s” is not part of a schedule document.") % {"key": key})
        for key in document
        if key not in _DOCUMENT_KEYS
    ]
    rows, present = [], set()
    for number, item in enumerate(document["rules"], start=1):
        where = _("Rule %(number)d") % {"number": number}
        if not isinstance(item, dict):
            problems.append(Problem(_("Each rule must be a JSON object."), where=where))
            continue
        values = {}
        for key, value in item.items():
            if key in DERIVED_KEYS:
                continue
            if key not in COLUMNS_BY_NAME:
                problems.append(Problem(_("This is not a field of a rule."), where=where, column=key))
            elif value is not None and not isinstance(value, str):
                problems.append(Problem(_("The value must be text or null."), where=where, column=key))
            else:
                values[key] = (value or "").strip()
                present.add(key)
        rows.append(Row(where, values))
    if not rows and not problems:
        problems.append(Problem(_("The file has no rules.")))
    problems.extend(_missing_required(present) if rows else [])
    if problems:
        raise ScheduleFileError(problems)
    return ScheduleFile("json", [column.name for column in COLUMNS if column.name in present], rows)
