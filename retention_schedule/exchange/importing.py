"""Plan and carry out the import of a schedule file.

``plan_import`` works out, without writing anything, what the file would do:
which rules it creates, which it changes (field by field), which it leaves
alone, and every problem in it. ``apply_plan`` then writes a plan that has no
problems, all in one transaction: a rule fails, nothing is written.

Rows match existing rules by code. Each imported rule is saved as a new
revision, as an edit in the admin would be, and published unless the import
was asked to leave drafts; so the rule's history, the audit log and the notices
showing the rule all see the import as they see any other change.
"""

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils.translation import gettext as _

from ..bulk_changes import bulk_change
from ..change_notes import ChangeMateriality
from ..in_use import live_uses
from ..models import RetentionRule
from ..periods import parse_period
from ..search_index import index_once_at_end
from .columns import COLUMNS_BY_NAME
from .reading import Problem, Row, ScheduleFile

_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

# Fields no file sets (revisions, publishing state, locks): not checked when planning, which
# would look up each rule's revisions one query at a time and tell a person nothing.
_NOT_FROM_FILES = [field.name for field in RetentionRule._meta.concrete_fields if field.name not in COLUMNS_BY_NAME]


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: object
    new: object


@dataclass
class PlannedRule:
    row: Row
    rule: RetentionRule  # unsaved, with the file's values applied
    changes: list[FieldChange] = field(default_factory=list)
    publishes_draft: bool = False  # an unpublished rule the file leaves as it is, published by the import
    replaces_draft: bool = False  # the rule has unpublished changes the import's revision will supersede
    live_uses: list = field(default_factory=list)  # live documents (notices) showing the rule

    @property
    def code(self) -> str:
        return self.rule.code


@dataclass
class ImportPlan:
    source_name: str
    format: str
    columns: list[str]
    publish: bool = True  # publish what is written, or leave it as drafts for review
    created: list[PlannedRule] = field(default_factory=list)
    changed: list[PlannedRule] = field(default_factory=list)
    unchanged: list[PlannedRule] = field(default_factory=list)
    not_in_file: list[RetentionRule] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.created) + len(self.changed) + len(self.unchanged)

    @property
    def can_apply(self) -> bool:
        return not self.problems

    @property
    def to_write(self) -> list[PlannedRule]:
        return self.created + self.changed

    def fingerprint(self) -> str:
        """A digest of what the plan would write: a confirmation must match the preview it confirms."""
        digest = hashlib.sha256()
        for kind, planned_rules in (("created", self.created), ("changed", self.changed)):
            for planned in planned_rules:
                digest.update(f"{kind}\x1f{planned.code}\x1f{planned.publishes_draft}\x1e".encode())
                for change in planned.changes:
                    digest.update(f"{change.column}\x1f{change.old!r}\x1f{change.new!r}\x1e".encode())
        for problem in self.problems:
            digest.update(str(problem).encode())
        return digest.hexdigest()

    def as_data(self) -> dict:
        """The plan as JSON-ready data, for scripts (``--format json``)."""

        def rule_data(planned):
            return {
                "where": planned.row.where,
                "code": planned.code,
                "record_class": planned.rule.record_class,
                "changes": [
                    {"column": change.column, "old": _plain(change.old), "new": _plain(change.new)}
                    for change in planned.changes
                ],
                "publishes_draft": planned.publishes_draft,
                "replaces_draft": planned.replaces_draft,
                "shown_by": [use.title for use in planned.live_uses],
            }

        return {
            "source": self.source_name,
            "format": self.format,
            "columns": self.columns,
            "created": [rule_data(planned) for planned in self.created],
            "changed": [rule_data(planned) for planned in self.changed],
            "unchanged": [planned.code for planned in self.unchanged],
            "not_in_file": [rule.code for rule in self.not_in_file],
            "problems": [
                {"where": problem.where, "column": problem.column, "message": problem.message, "text": str(problem)}
                for problem in self.problems
            ],
        }


def _plain(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


# Reading one value ------------------------------------------------------------------


def _model_value(column_name: str, value):
    """The value a rule stores for a cell, or raise ValidationError saying what to write."""
    column = COLUMNS_BY_NAME[column_name]
    if column.kind == "date":
        if value in (None, ""):
            return None
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
        match = _UK_DATE.match(text)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return datetime.date(year, month, day)
            except ValueError:
                pass
        raise ValidationError(
            _("“%(value)s” is not a date. Write it as YYYY-MM-DD (2026-03-31) or DD/MM/YYYY (31/03/2026).")
            % {"value": text}
        )
    text = "" if value is None else str(value).strip()
    if isinstance(value, datetime.date):
        raise ValidationError(_("This column holds text, not a date."))
    if column.kind == "choice":
        if not text:
            return ""
        for choice, label in column.choices:
            if text.lower() in (choice, label.lower()):
                return choice
        raise ValidationError(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choice for choice, _label in column.choices)}
        )
    if column.kind == "period":
        if not text:
            return ""
        parse_period(text)  # raises a ValidationError that shows how to write a period
        return text.upper()
    model_field = RetentionRule._meta.get_field(column_name)
    if model_field.max_length and len(text) > model_field.max_length:
        raise ValidationError(
            _("This is %(length)d characters long; the most this column takes is %(max)d.")
            % {"length": len(text), "max": model_field.max_length}
        )
    return text


def _fill_blank_choices(values: dict) -> None:
    """Blank choice cells get the value a person leaving them blank means."""
    if values.get("period_type") == "":
        if values.get("period"):
            values["period_type"] = "fixed"
        elif values.get("criteria"):
            values["period_type"] = "until_event"
        else:
            values["period_type"] = "fixed"  # the model's checks then ask for the period
    if values.get("disposal_action") == "":
        values["disposal_action"] = "delete"


def _copy(rule: RetentionRule) -> RetentionRule:
    copy = RetentionRule(**{f.attname: getattr(rule, f.attname) for f in RetentionRule._meta.concrete_fields})
    copy._state.adding = False
    copy._state.db = rule._state.db
    return copy


# Planning ---------------------------------------------------------------------------


def plan_import(schedule_file: ScheduleFile, source_name: str = "", *, publish: bool = True) -> ImportPlan:
    """Work out what importing ``schedule_file`` would do. Writes nothing; queries a fixed number of times."""
    plan = ImportPlan(
        source_name=source_name, format=schedule_file.format, columns=list(schedule_file.columns), publish=publish
    )
    existing = {rule.code: rule for rule in RetentionRule.objects.all()}
    existing_by_folded = {code.casefold(): code for code in existing}
    seen: dict[str, Row] = {}
    matched = set()
    for row in schedule_file.rows:
        row_problems = []
        values = {}
        for name, raw in row.values.items():
            try:
                values[name] = _model_value(name, raw)
            except ValidationError as error:
                row_problems.extend(Problem(message, row.where, name) for message in error.messages)
        code = values.get("code", "")
        if not code:
            row_problems.append(Problem(_("Every rule needs a code."), row.where, "code"))
        else:
            try:
                validate_slug(code)
            except ValidationError:
                row_problems.append(
                    Problem(
                        _("“%(code)s” is not a code: use letters, numbers, hyphens and underscores.") % {"code": code},
                        row.where,
                        "code",
                    )
                )
            folded = code.casefold()
            if folded in seen:
                row_problems.append(
                    Problem(
                        _("The code “%(code)s” is also used by %(other)s.")
                        % {"code": code, "other": seen[folded].where.lower()},
                        row.where,
                        "code",
                    )
                )
            else:
                seen[folded] = row
            if code not in existing and folded in existing_by_folded:
                row_problems.append(
                    Problem(
                        _("The schedule has a rule “%(existing)s”, which differs only in letter case. Use that code.")
                        % {"existing": existing_by_folded[folded]},
                        row.where,
                        "code",
                    )
                )
        if row_problems:
            plan.problems.extend(row_problems)
            continue
        current = existing.get(code)
        matched.add(code)
        planned = _plan_rule(row, values, current, publish)
        # The model's own checks (a fixed period needs a trigger, and so on), named by column.
        try:
            planned.rule.full_clean(exclude=_NOT_FROM_FILES, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                column = name if name in COLUMNS_BY_NAME else ""
                plan.problems.extend(Problem(message, row.where, column) for message in messages)
            continue
        if current is None:
            plan.created.append(planned)
        elif planned.changes or planned.publishes_draft:
            plan.changed.append(planned)
        else:
            plan.unchanged.append(planned)
    plan.not_in_file = [rule for code, rule in existing.items() if code not in matched]
    uses = live_uses([planned.rule for planned in plan.changed])
    for planned in plan.changed:
        planned.live_uses = uses.get(planned.rule.pk, [])
    return plan


def _plan_rule(row: Row, values: dict, current: RetentionRule | None, publish: bool) -> PlannedRule:
    if current is None:
        rule = RetentionRule()
        _fill_blank_choices(values)
        for name, value in values.items():
            setattr(rule, name, value)
        return PlannedRule(row, rule)
    rule = _copy(current)
    _fill_blank_choices(values)
    changes = []
    for name, value in values.items():
        old = getattr(current, name)
        if (old or None) != (value or None):
            changes.append(FieldChange(name, old, value))
            setattr(rule, name, value)
    return PlannedRule(
        row,
        rule,
        changes,
        publishes_draft=publish and not current.live,
        replaces_draft=current.live and current.has_unpublished_changes,
    )


# Writing ----------------------------------------------------------------------------


def apply_plan(plan: ImportPlan, *, user=None, progress: Callable[[int], None] | None = None):
    """Write the plan's new and changed rules, each as a revision, published unless the plan leaves drafts.

    All or nothing: one transaction, so a failure part-way leaves the schedule
    as it was. ``progress`` is called with 1 after each rule written.
    Returns the rules written.
    """
    if not plan.can_apply:
        raise ValueError("A plan with problems cannot be applied.")
    written = []
    with index_once_at_end(RetentionRule), transaction.atomic(), bulk_change():
        for planned in plan.to_write:
            rule = planned.rule
            # The "about this change" notes describe one publish; an import starts them blank,
            # so notices showing the rule describe the change from the change itself.
            rule.change_summary = ""
            rule.change_materiality = ChangeMateriality.AUTOMATIC
            if rule.pk is None:
                rule.live = False
            if not rule.live:
                # As an edit in the admin does: a rule not yet live keeps its latest content in its row.
                rule.save()
            # When publishing, the publish's own audit log entry names the revision; an "edited"
            # entry besides it would say the same thing twice (and cost a write per rule).
            revision = rule.save_revision(user=user, log_action=not plan.publish, clean=False)
            if plan.publish:
                revision.publish(user=user, skip_permission_checks=True)
            written.append(rule)
            if progress:
                progress(1)
    return written
