"""Which live notices show a register entry (for delete protection, and later for versions)."""

from retention_schedule.in_use import Use
from retention_schedule.models import RetentionRule

from .document import register_references
from .pages import PrivacyNoticePage
from .registers import CookieDeclaration, Processor


def live_notices_showing(entries: list) -> dict[int, list[Use]]:
    """Map each entry's pk to the live notices that show it. Unknown models map to nothing."""
    model = entries[0]._meta.concrete_model
    if model not in (Processor, RetentionRule, CookieDeclaration):
        return {}
    wanted = {entry.pk: entry for entry in entries}
    found: dict[int, list[Use]] = {}
    # One query: live notices are few (tens), and their raw sections say what they show.
    for notice in PrivacyNoticePage.objects.live().order_by("title"):
        refs = register_references(notice.sections.raw_data)
        if model is Processor:
            shown = set(refs.processors)
        elif model is RetentionRule:
            shown = set(refs.rules)
        else:
            shown = set(refs.cookies) | {pk for pk, e in wanted.items() if e.category in refs.cookie_categories}
        for pk in shown & wanted.keys():
            found.setdefault(pk, []).append(Use(title=notice.title, url=notice.url or ""))
    return found
