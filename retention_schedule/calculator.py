"""The disposal-date calculator: when are records with a given trigger date due for disposal?"""

import datetime

from django.utils.translation import gettext as _


class BadTriggerDate(ValueError):
    """The trigger date given cannot be read; the message says how to write one."""


def parse_trigger_date(text: str) -> datetime.date:
    """Read a trigger date written as YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        raise BadTriggerDate(
            _("“%(value)s” is not a date. Write the year, month and day, for example 2024-10-14.") % {"value": text}
        ) from None


def calculate(rule, trigger_date: datetime.date) -> dict:
    """The calculation as plain, JSON-ready data."""
    try:
        disposal = rule.disposal_date(trigger_date)
    except (OverflowError, ValueError):  # e.g. a trigger in 9999: the sum passes the calendar's end
        raise BadTriggerDate(_("That date is too far in the future to calculate from.")) from None
    if disposal is not None:
        explanation = _("Records whose trigger (%(trigger)s) was on %(start)s are due on %(end)s: %(action)s.") % {
            "trigger": rule.trigger,
            "start": trigger_date.isoformat(),
            "end": disposal.isoformat(),
            "action": rule.as_public_data()["disposal_action_text"].lower(),
        }
    elif rule.period_type == "permanent":
        explanation = _("These records are kept permanently: they have no disposal date.")
    else:
        explanation = _("These records have no fixed period: %(criteria)s") % {"criteria": rule.criteria}
    return {
        "code": rule.code,
        "record_class": rule.record_class,
        "period": rule.period or None,
        "period_type": rule.period_type,
        "trigger": rule.trigger,
        "trigger_date": trigger_date.isoformat(),
        "disposal_date": disposal.isoformat() if disposal else None,
        "disposal_action": rule.disposal_action,
        "explanation": explanation,
    }
