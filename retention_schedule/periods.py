"""Retention periods as ISO 8601 durations.

A retention period counts whole calendar units: years, months, weeks and days
(``P2Y``, ``P12M``, ``P30D``, ``P1Y6M``). Hours, minutes and seconds are refused
for records (nobody keeps a case file for "PT3H") but allowed where a caller
asks, for lifetimes such as a cookie's ``PT30M``. Fractions are always refused.
The standard library has no ISO 8601 duration type and the general parsers
accept the parts we must refuse, so this small grammar is all a schedule needs.
"""

import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

_PERIOD_RE = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_TIME_UNITS = ("hours", "minutes", "seconds")


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: int = 0

    @property
    def iso(self) -> str:
        date_parts = [(self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D")]
        time_parts = [(self.hours, "H"), (self.minutes, "M"), (self.seconds, "S")]
        text = "".join(f"{n}{unit}" for n, unit in date_parts if n)
        time_text = "".join(f"{n}{unit}" for n, unit in time_parts if n)
        if time_text:
            text += "T" + time_text
        return "P" + (text or "0D")

    def after(self, start: datetime.date) -> datetime.date:
        """The date this period after ``start``, counting calendar years and months.

        A month or year that lands past the end of a month ends on its last day:
        31 January + 1 month is the last day of February; 29 February + 1 year is
        28 February. Years and months count first, then weeks and days.
        """
        if self.hours or self.minutes or self.seconds:
            raise ValueError("A period counted on dates has no hours, minutes or seconds.")
        return start + relativedelta(years=self.years, months=self.months, weeks=self.weeks, days=self.days)

    def approximate_days(self) -> float:
        """The length in days on an average calendar, for comparing periods (which is longer?)."""
        days = self.years * 365.2425 + self.months * 30.436875 + self.weeks * 7 + self.days
        return days + (self.hours * 3600 + self.minutes * 60 + self.seconds) / 86400

    def describe(self) -> str:
        """The period in plain English, e.g. "1 year and 6 months"."""
        words = []
        if self.years:
            words.append(ngettext("%(n)d year", "%(n)d years", self.years) % {"n": self.years})
        if self.months:
            words.append(ngettext("%(n)d month", "%(n)d months", self.months) % {"n": self.months})
        if self.weeks:
            words.append(ngettext("%(n)d week", "%(n)d weeks", self.weeks) % {"n": self.weeks})
        if self.days:
            words.append(ngettext("%(n)d day", "%(n)d days", self.days) % {"n": self.days})
        if self.hours:
            words.append(ngettext("%(n)d hour", "%(n)d hours", self.hours) % {"n": self.hours})
        if self.minutes:
            words.append(ngettext("%(n)d minute", "%(n)d minutes", self.minutes) % {"n": self.minutes})
        if self.seconds:
            words.append(ngettext("%(n)d second", "%(n)d seconds", self.seconds) % {"n": self.seconds})
        return str(get_text_list(words, _("and"))) if words else str(_("no time"))

    def __str__(self) -> str:
        return self.iso


def parse_period(text: str, *, allow_time: bool = False) -> Period:
    """Parse an ISO 8601 duration of years, months, weeks and days.

    With ``allow_time`` hours, minutes and seconds are accepted too.
    Raises ``ValidationError`` with a message saying what to write instead.
    """
    value = (text or "").strip().upper()
    match = _PERIOD_RE.match(value)
    if match and not allow_time and any(match.group(unit) for unit in _TIME_UNITS):
        raise ValidationError(
            _("“%(value)s” counts hours, minutes or seconds. A retention period is in years, months, weeks or days."),
            code="time_in_period",
            params={"value": text},
        )
    if not match or value == "P":
        raise ValidationError(
            _(
                "“%(value)s” is not a retention period. Write an ISO 8601 duration "
                "in years, months, weeks or days, such as P2Y (2 years), P12M "
                "(12 months) or P30D (30 days)."
            ),
            code="invalid_period",
            params={"value": text},
        )
    period = Period(**{unit: int(n) for unit, n in match.groupdict().items() if n})
    if period.iso == "P0D":
        raise ValidationError(
            _("A retention period must be longer than zero. For records that are not kept, say so in the criteria."),
            code="zero_period",
        )
    return period


def validate_period(text: str) -> None:
    """Model field validator for ISO 8601 retention periods."""
    parse_period(text)
