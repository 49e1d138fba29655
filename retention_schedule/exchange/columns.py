"""The columns of a retention schedule file, shared by the importer, the exports and the JSON Schema.

One list, so the template, the documentation, the exports and the importer
cannot disagree. Column names are the rule's field names; the importer also
accepts each column's label ("Record class") as a heading, in any letter case.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from ..models import DisposalAction, PeriodType


@dataclass(frozen=True)
class Column:
    name: str  # the rule's field, and the heading exports write
    label: str  # the heading a person would write
    help: str
    example: str = ""
    required: bool = False
    kind: str = "text"  # text, choice, period or date
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def accepted_headings(self) -> set[str]:
        return {self.name.lower(), str(self.label).lower()}


COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        _("Code"),
        _("A stable code for the rule: letters, numbers, hyphens and underscores. Rows match existing rules by code."),
        "COMP-01",
        required=True,
    ),
    Column("record_class", _("Record class"), _("What is kept."), "Complaint case files", required=True),
    Column("business_function", _("Business function"), _("Groups rules on the schedule."), "Complaints"),
    Column("description", _("Description"), _("More about the records."), ""),
    Column("data_categories", _("Personal data concerned"), _("The kinds of personal data the records hold."), ""),
    Column(
        "period_type",
        _("Kind of period"),
        _("fixed, permanent or until_event. Left blank, a row with a period is fixed."),
        "fixed",
        kind="choice",
        choices=tuple((value, str(label)) for value, label in PeriodType.choices),
    ),
    Column(
        "period",
        _("Retention period"),
        _("An ISO 8601 duration: P2Y is 2 years, P12M 12 months, P30D 30 days. Blank unless the period is fixed."),
        "P2Y",
        kind="period",
    ),
    Column("trigger", _("Counted from"), _("The event the period counts from."), "the closure of the case"),
    Column("criteria", _("Criteria"), _("Where there is no fixed period, how the time is decided."), ""),
    Column(
        "disposal_action",
        _("At the end"),
        _("delete, anonymise, review or archive (transfer to archive). Left blank, delete."),
        "delete",
        kind="choice",
        choices=tuple((value, str(label)) for value, label in DisposalAction.choices),
    ),
    Column("authority", _("Authority"), _("The law, regulation or policy the period comes from."), ""),
    Column("exceptions", _("Exceptions"), _("When records are kept longer."), ""),
    Column("owner", _("Owner"), _("The team responsible."), "Complaints team"),
    Column("last_reviewed", _("Last reviewed"), _("A date written YYYY-MM-DD."), "2026-03-31", kind="date"),
    Column(
        "review_interval",
        _("Review every"),
        _("How often the rule is reviewed, as an ISO 8601 duration: P1Y is every year."),
        "P1Y",
        kind="period",
    ),
)

COLUMN_NAMES: tuple[str, ...] = tuple(column.name for column in COLUMNS)
COLUMNS_BY_NAME: dict[str, Column] = {column.name: column for column in COLUMNS}

# Keys a published JSON schedule adds to each rule, worked out from the rule rather
# than kept on it: the exports write them, the importer accepts and ignores them.
DERIVED_KEYS: tuple[str, ...] = ("period_text", "summary", "disposal_action_text", "url")

# Text starting with one of these, a spreadsheet would run as a formula (OWASP "CSV
# injection"): CSV exports put an apostrophe before it, and the importer takes it off.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
