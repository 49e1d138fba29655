"""Filters the public templates use to present a resolved notice document.

The document keeps dates as ISO strings so that a stored snapshot can be
rendered again later; these filters turn them into readable text at render
time without the templates reaching back into the models.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.text import slugify

register = template.Library()

# Ids the page layout uses itself; a section must never take one of them.
RESERVED_ANCHORS = frozenset({"main-content", "contents", "contact", "notices"})


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@register.filter(is_safe=True)
def long_date(value):
    """An ISO date (or a date or datetime) as ``<time datetime="2026-11-22">22 November 2026</time>``.

    Anything that is not a date renders as nothing rather than failing the page.
    """
    day = _as_date(value)
    if day is None:
        return ""
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), format_date(day, "j F Y"))


@register.filter
def with_anchors(sections):
    """The sections, each with a unique ``anchor`` for its heading's id.

    The block's id keeps a link to a section working when its heading is
    reworded; a section without one (older snapshots) falls back to a slug of
    its heading.
    """
    seen = set(RESERVED_ANCHORS)
    anchored = []
    for number, section in enumerate(sections or [], start=1):
        if section.get("id"):
            base = f"section-{section['id']}"
        else:
            base = slugify(section.get("heading") or "") or f"section-{number}"
        anchor, suffix = base, 2
        while anchor in seen:
            anchor, suffix = f"{base}-{suffix}", suffix + 1
        seen.add(anchor)
        anchored.append({**section, "anchor": anchor})
    return anchored


@register.filter
def has_right(section, right):
    """Whether a rights section lists ``right`` (e.g. "complain")."""
    return any(item.get("right") == right for item in (section or {}).get("rights", []))


@register.filter
def join_names(items):
    """A list of ``{"name": ...}`` dicts (countries, recipients) as "France, Ireland"."""
    return ", ".join(str(item.get("name", "")) for item in items or [] if item.get("name"))


@register.filter
def as_list(value):
    """One value as a one-item list, so a preview can reuse a notice's table include."""
    return [value] if value else []


@register.filter
def has_contact(organisation):
    """Whether the organisation settings say anything about the controller or the DPO."""
    organisation = organisation or {}
    parts = (organisation.get("controller") or {}, organisation.get("dpo") or {})
    return any(value for part in parts for value in part.values())


@register.simple_tag(takes_context=True)
def notice_history_url(context, page):
    """The address of a live notice's history (``/privacy/complainants/@history``); "" for a draft or preview."""
    if page is None or not getattr(page, "pk", None) or not getattr(page, "live", False):
        return ""
    from privacy_notices.history import history_address

    return history_address(page, context.get("request")) or ""


@register.filter
def unchanged_sections(sections):
    """The sections of a diff (privacy_notices.diff) that did not change."""
    return [section for section in sections or [] if section.get("status") == "unchanged"]


@register.simple_tag
def dpo_review(page) -> dict:
    """The approval screen's compliance report and diff for ``page`` (``admin_compliance.approval_review``)."""
    from ..admin_compliance import approval_review
    from ..approval import is_notice

    if page is None or not is_notice(page.specific):
        return {"is_notice": False}
    return approval_review(page)
