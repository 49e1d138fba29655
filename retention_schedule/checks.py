"""Findings about the retention schedule: what the DPO should look at, and why.

``schedule_findings()`` runs every check over the rules and returns plain,
frozen ``Finding`` objects: what is wrong in words a DPO understands, and what
to do about it. The admin shows them above the schedule's listing; a
compliance report can read the same list (``Finding.as_data()`` is JSON-ready).

The checks read the *stored* rows, not what a form would accept: rows written
by an import, by a migration or by old data never passed the model's
``clean()``, and those are the ones worth catching.

Other apps add findings about their own content through
``register_finding_source()``, as ``privacy_notices`` does for notices that
state a retention period in their own words. This keeps ``retention_schedule``
independent of the apps that use it (the same pattern as ``in_use``).

Every check costs a fixed number of queries however many rules there are.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .in_use import has_finders, live_uses
from .models import PeriodType, RetentionRule
from .periods import parse_period


class Severity(models.TextChoices):
    """How urgent a finding is. Problems come first wherever findings are listed."""

    PROBLEM = "problem", gettext_lazy("Needs action")
    ADVICE = "advice", gettext_lazy("Worth checking")


class Kind:
    """The codes of the findings this module makes (sources registered by other apps add their own)."""

    NO_PERIOD_OR_CRITERIA = "no_period_or_criteria"
    UNREADABLE_PERIOD = "unreadable_period"
    REVIEW_OVERDUE = "review_overdue"
    NEVER_REVIEWED = "never_reviewed"
    NO_REVIEW_INTERVAL = "no_review_interval"
    DUPLICATE_CODE = "duplicate_code"
    DUPLICATE_RECORD_CLASS = "duplicate_record_class"
    NOT_IN_ANY_NOTICE = "not_in_any_notice"


@dataclass(frozen=True)
class Finding:
    """One thing about the schedule that needs the DPO's attention.

    ``rule_pk`` and ``rule_code`` say which rule it is about; a finding about
    something else (a notice's own wording) leaves them empty and names the page
    (``page_pk``, ``page_title``) and the ``section`` concerned instead.
    """

    kind: str
    label: str  # a few words, for a table column: "Review overdue"
    message: str  # what is wrong, in plain English
    action: str  # what to do about it
    severity: str = Severity.PROBLEM
    rule_pk: int | None = None
    rule_code: str = ""
    page_pk: int | None = None
    page_title: str = ""
    section: str = ""

    @property
    def is_about_rule(self) -> bool:
        return self.rule_pk is not None

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    def as_data(self) -> dict:
        """The finding as plain, JSON-ready data."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


# A source receives the rules being checked and today's date, and returns findings.
FindingSource = Callable[[list[RetentionRule], datetime.date], Iterable[Finding]]
_sources: list[FindingSource] = []


def register_finding_source(source: FindingSource) -> FindingSource:
    """Add a function whose findings ``schedule_findings()`` reports with its own.

    The function is called as ``source(rules, today)`` with the rules being
    checked (a list) and returns ``Finding`` objects. It must cost a fixed
    number of queries however many rules it is given. Registering twice is
    harmless.
    """
    if source not in _sources:
        _sources.append(source)
    return source


def _rule_finding(rule, kind, label, message, action, severity=Severity.PROBLEM) -> Finding:
    return Finding(
        kind=kind,
        label=str(label),
        message=str(message),
        action=str(action),
        severity=severity,
        rule_pk=rule.pk,
        rule_code=rule.code,
    )


def _named(rule) -> str:
    return _("“%(record_class)s” (%(code)s)") % {"record_class": rule.record_class, "code": rule.code}


def _blank(value) -> bool:
    return not (value or "").strip()


def _same_words(value) -> str:
    """The key under which two texts count as the same: case and spacing ignored."""
    return " ".join((value or "").split()).casefold()


# The checks: each takes the rules and today's date and returns findings. -------------------


def check_periods(rules, today) -> list[Finding]:
    """Rules that do not say how long records are kept, or say it in a form nothing can read."""
    findings = []
    for rule in rules:
        if rule.period_type != PeriodType.PERMANENT and _blank(rule.period) and _blank(rule.criteria):
            findings.append(
                _rule_finding(
                    rule,
                    Kind.NO_PERIOD_OR_CRITERIA,
                    _("No period or criteria"),
                    _(
                        "This rule does not say how long the records are kept: it has neither a retention "
                        "period nor criteria for deciding."
                    ),
                    _(
                        "Open the rule and give a period (for example P2Y for 2 years), or describe the "
                        "criteria used to decide how long the records are kept."
                    ),
                )
            )
        elif rule.period_type == PeriodType.FIXED and not _blank(rule.period):
            try:
                parse_period(rule.period)
            except ValidationError:
                findings.append(
                    _rule_finding(
                        rule,
                        Kind.UNREADABLE_PERIOD,
                        _("Period cannot be read"),
                        _(
                            "The retention period “%(period)s” is not written as a period the schedule can "
                            "read, so no disposal date can be worked out from it."
                        )
                        % {"period": rule.period},
                        _("Open the rule and write the period as an ISO 8601 duration, such as P2Y for 2 years."),
                    )
                )
    return findings


def check_reviews(rules, today) -> list[Finding]:
    """Live rules past their review date, never reviewed, or with no review interval."""
    findings = []
    for rule in rules:
        if not rule.live:  # a draft is reviewed when it is published
            continue
        if not rule.last_reviewed:
            findings.append(
                _rule_finding(
                    rule,
                    Kind.NEVER_REVIEWED,
                    _("Never reviewed"),
                    _("There is no record of this rule ever being reviewed."),
                    _("Review the rule, then enter the date of the review in “Last reviewed”."),
                    Severity.ADVICE,
                )
            )
            continue
        due = rule.next_review_date()
        if due is None:
            findings.append(
                _rule_finding(
                    rule,
                    Kind.NO_REVIEW_INTERVAL,
                    _("No review interval"),
                    _("The rule does not say how often it is reviewed, so nobody is told when it is due."),
                    _("Enter how often it is reviewed in “Review every”, for example P1Y for every year."),
                    Severity.ADVICE,
                )
            )
        elif due < today:
            findings.append(
                _rule_finding(
                    rule,
                    Kind.REVIEW_OVERDUE,
                    _("Review overdue"),
                    _("This rule was due for review on %(due)s. It was last reviewed on %(last)s.")
                    % {"due": date_format(due), "last": date_format(rule.last_reviewed)},
                    _(
                        "Check that the period, its authority and the exceptions are still right, then "
                        "update “Last reviewed” and publish the rule."
                    ),
                )
            )
    return findings


def check_duplicates(rules, today) -> list[Finding]:
    """Codes that differ only in capitals or spaces, and record classes listed twice in one business function."""
    findings = []
    by_code = defaultdict(list)
    by_record_class = defaultdict(list)
    for rule in rules:
        by_code[_same_words(rule.code)].append(rule)
        by_record_class[(_same_words(rule.business_function), _same_words(rule.record_class))].append(rule)
    for group in by_code.values():
        for rule in group if len(group) > 1 else ():
            others = get_text_list([_named(other) for other in group if other is not rule], _("and"))
            findings.append(
                _rule_finding(
                    rule,
                    Kind.DUPLICATE_CODE,
                    _("Duplicate code"),
                    _(
                        "Its code “%(code)s” differs from the code of %(others)s only in capitals or spaces. "
                        "People, links and exports can mistake one rule for the other."
                    )
                    % {"code": rule.code, "others": others},
                    _("Give one of the rules a different code. Change the one that is not yet published, if any."),
                )
            )
    for group in by_record_class.values():
        for rule in group if len(group) > 1 else ():
            others = get_text_list([other.code for other in group if other is not rule], _("and"))
            if rule.business_function.strip():
                message = _(
                    "“%(record_class)s” is also in the schedule as %(others)s, in the same business function "
                    "(%(function)s). The schedule should give each kind of record one rule."
                ) % {"record_class": rule.record_class, "others": others, "function": rule.business_function}
            else:
                message = _(
                    "“%(record_class)s” is also in the schedule as %(others)s. The schedule should give each kind "
                    "of record one rule."
                ) % {"record_class": rule.record_class, "others": others}
            findings.append(
                _rule_finding(
                    rule,
                    Kind.DUPLICATE_RECORD_CLASS,
                    _("Record class listed twice"),
                    message,
                    _(
                        "Merge the rules into one, or name the record classes so that the difference between "
                        "them is clear."
                    ),
                )
            )
    return findings


def check_use(rules, today) -> list[Finding]:
    """Live rules that no published notice (or other document) shows.

    Only where some app reports what it shows: the schedule used on its own has no notices to be missing from.
    """
    if not has_finders():
        return []
    live_rules = [rule for rule in rules if rule.live]
    shown = live_uses(live_rules)
    return [
        _rule_finding(
            rule,
            Kind.NOT_IN_ANY_NOTICE,
            _("Not in any notice"),
            _("No published privacy notice tells people about this rule."),
            _(
                "If the records hold personal data, add the rule to the retention section of the notice for "
                "the people concerned. Records without personal data need no notice."
            ),
            Severity.ADVICE,
        )
        for rule in live_rules
        if rule.pk not in shown
    ]


RULE_CHECKS: list[FindingSource] = [check_periods, check_reviews, check_duplicates, check_use]


# Running them ---------------------------------------------------------------------------


def schedule_findings(rules=None, today: datetime.date | None = None) -> list[Finding]:
    """Every finding about the retention schedule, problems first.

    ``rules``: the rules to check (any iterable of ``RetentionRule``); by
    default every rule, drafts included. Duplicates are looked for among these
    rules only. ``today``: the date reviews are due against; by default today
    where the site is (``TIME_ZONE``).

    Findings from registered sources (about notices, for instance) follow the
    findings about rules.
    """
    if rules is None:
        rules = RetentionRule.objects.all()
    rules = list(rules)
    if today is None:
        today = timezone.localdate()
    findings = []
    for check in [*RULE_CHECKS, *_sources]:
        findings.extend(check(rules, today))
    # Problems first; otherwise in the order the checks found them (rules in schedule order).
    return sorted(findings, key=lambda finding: finding.severity != Severity.PROBLEM)


def findings_by_rule(findings: Iterable[Finding]) -> dict[int, list[Finding]]:
    """Group findings by the pk of the rule they are about; findings about no rule are left out."""
    grouped: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.is_about_rule:
            grouped.setdefault(finding.rule_pk, []).append(finding)
    return grouped
