"""Retention sections that say how long in their own words instead of linking the schedule.

A notice's retention section should take its periods from the retention
schedule, so that the notice and the schedule cannot disagree. This finding
source (registered with ``retention_schedule.checks`` at start-up) reads the
retention sections of live notices, as published, and reports a section whose
text mentions a period ("2 years", "six months", "P30D") that none of its linked
live rules keeps records for, or whose text speaks of retention while it links
no rule at all.
"""

import html
import re

from django.utils.html import strip_tags
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from retention_schedule.checks import Finding, Severity
from retention_schedule.models import RetentionRule
from retention_schedule.periods import Period

from .document import register_references
from .pages import PrivacyNoticePage

PERIOD_IN_TEXT = "retention_period_in_free_text"
TEXT_WITHOUT_RULE = "retention_text_without_rule"

_UNITS = {"year": "years", "month": "months", "week": "weeks", "day": "days"}
# Numbers as people write them in notices: digits, or words up to ninety-nine.
_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBER_WORDS = (
    {word: n for n, word in enumerate(_ONES, 1)}
    | {word: n for n, word in enumerate(_TEENS, 10)}
    | {word: 10 * n for n, word in enumerate(_TENS, 2)}
)
_TENS_AND_ONES = rf"(?:{'|'.join(_TENS)})(?:[-\s](?:{'|'.join(_ONES)}))?"
# Longest words first, so "seventeen" is not read as "seven".
_NUMBER = rf"\d+|{_TENS_AND_ONES}|{'|'.join(sorted(_ONES + _TEENS, key=len, reverse=True))}"
# "2 years", "six months", "a 30-day period", "one calendar year", "twenty-four months".
_SPOKEN_PERIOD = re.compile(
    # Not after a digit and a point: "1.5 years" is not "5 years".
    rf"(?<![\d.])\b(?P<number>{_NUMBER})(?:\s+|-)(?:(?:full|whole|calendar)\s+)?(?P<unit>year|month|week|day)s?\b",
    re.IGNORECASE,
)
# "P2Y", "P1Y6M": written the way the schedule writes them. Capitals only, so words are not read as periods.
_ISO_PERIOD = re.compile(r"\bP(?=\d)(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?\b")
# "1 year and 6 months", "2 years, 3 months": one period said in parts, largest unit first.
_JOINER = re.compile(r"^\s*(?:,|and|,\s*and)?\s*$", re.IGNORECASE)
_UNIT_ORDER = ("years", "months", "weeks", "days")


def _number(text: str) -> int:
    text = text.lower()
    if text.isdigit():
        return int(text)
    return sum(_NUMBER_WORDS.get(part, 0) for part in re.split(r"[-\s]+", text))


def _units(period: Period) -> list[int]:
    return [i for i, unit in enumerate(_UNIT_ORDER) if getattr(period, unit)]


def _add(a: Period, b: Period) -> Period:
    return Period(**{unit: getattr(a, unit) + getattr(b, unit) for unit in _UNIT_ORDER})


def period_spans(text: str) -> list[tuple[int, int, Period]]:
    """The periods a text mentions, as (start, end, period) with offsets into ``text``, in order.

    Parts joined by "and" or a comma, largest unit first, count as one period:
    "1 year and 6 months" is 18 months, while "30 days, 6 months or 2 years"
    is three periods.
    """
    found: list[tuple[int, int, Period]] = []
    for match in _SPOKEN_PERIOD.finditer(text):
        if amount := _number(match["number"]):
            found.append((match.start(), match.end(), Period(**{_UNITS[match["unit"].lower()]: amount})))
    for match in _ISO_PERIOD.finditer(text):
        period = Period(**{unit: int(n) for unit, n in match.groupdict().items() if n})
        if period.approximate_days():
            found.append((match.start(), match.end(), period))
    found.sort(key=lambda item: item[0])
    merged: list[tuple[int, int, Period]] = []
    for start, end, period in found:
        if merged and _JOINER.match(text[merged[-1][1] : start]) and max(_units(merged[-1][2])) < min(_units(period)):
            merged[-1] = (merged[-1][0], end, _add(merged[-1][2], period))
        else:
            merged.append((start, end, period))
    return merged


def periods_in_text(text: str) -> list[tuple[str, Period]]:
    """The periods a text mentions, as (the words used, the period), in order (see ``period_spans``)."""
    return [(" ".join(text[start:end].split()), period) for start, end, period in period_spans(text)]


def _same_length(a: Period, b: Period) -> bool:
    # "24 months" is the schedule's P2Y, and "12 months" its P1Y: compare lengths, not wording.
    return round(a.approximate_days(), 3) == round(b.approximate_days(), 3)


def _plain_text(rich_text: str) -> str:
    return " ".join(html.unescape(strip_tags(rich_text or "")).split())


def _quoted(words: list[str]) -> str:
    return get_text_list([_("“%(words)s”") % {"words": w} for w in words], _("and"))


def free_text_retention_findings(rules, today) -> list[Finding]:
    """Findings about the retention sections of live notices, as they were last published.

    ``rules`` are the rules being checked; a section's linked rules missing from
    them are fetched in one query. Only live rules count as linked: a draft rule
    chosen on a notice never shows on it.
    """
    known = {rule.pk: rule for rule in rules}
    # A live page's own row is its latest published content; drafts live in revisions.
    notices = list(PrivacyNoticePage.objects.live().order_by("title").only("pk", "title", "sections"))
    sections = []
    for notice in notices:
        for raw in notice.sections.raw_data:
            value = raw.get("value")
            if raw.get("type") == "retention" and isinstance(value, dict):
                sections.append((notice, value, register_references([raw]).rules))
    missing = {pk for _notice, _value, linked in sections for pk in linked} - known.keys()
    if missing:
        known.update((rule.pk, rule) for rule in RetentionRule.objects.filter(pk__in=missing))

    findings = []
    for notice, value, linked in sections:
        heading = (value.get("heading") or "").strip() or _("Retention")
        text = _plain_text(value.get("intro"))
        mentioned = periods_in_text(" ".join([heading, text]))
        linked_rules = [known[pk] for pk in dict.fromkeys(linked) if pk in known and known[pk].live]
        place = {"notice": notice.title, "section": heading}
        if not linked_rules:
            if not text:
                continue
            message = _(
                "The section “%(section)s” of “%(notice)s” says how long information is kept in its own words "
                "and shows no rule from the retention schedule."
            )
            if mentioned:
                message += " " + _("It mentions %(periods)s.") % {"periods": _quoted([w for w, _p in mentioned])}
            findings.append(
                Finding(
                    kind=TEXT_WITHOUT_RULE,
                    label=_("Retention not from the schedule"),
                    message=message % place,
                    action=_(
                        "Choose the rules that apply in the section's “from the retention schedule” list (only "
                        "published rules show on a notice), and keep the text to what the rules do not say."
                    ),
                    severity=Severity.PROBLEM,
                    page_pk=notice.pk,
                    page_title=notice.title,
                    section=heading,
                )
            )
            continue
        periods = [rule.parsed_period for rule in linked_rules if rule.parsed_period]
        uncovered = [words for words, period in mentioned if not any(_same_length(period, p) for p in periods)]
        if uncovered:
            findings.append(
                Finding(
                    kind=PERIOD_IN_TEXT,
                    label=_("Period not from the schedule"),
                    message=_(
                        "The section “%(section)s” of “%(notice)s” mentions %(periods)s, but none of the rules "
                        "it links keeps records for that long. The notice may be telling people something the "
                        "schedule does not say."
                    )
                    % {**place, "periods": _quoted(uncovered)},
                    action=_(
                        "Link the rule that sets this period, or correct the text so that it agrees with the "
                        "rules the section links (they are shown with their periods on the notice)."
                    ),
                    severity=Severity.PROBLEM,
                    page_pk=notice.pk,
                    page_title=notice.title,
                    section=heading,
                )
            )
    return findings
