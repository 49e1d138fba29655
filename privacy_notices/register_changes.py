"""When the DPO publishes, unpublishes or deletes a register entry, every live notice it changes gets a new version.

The change is found by comparing each notice's latest version with what the
notice says now, entry by stable code, so the summary names exactly what the
public will see differently. Materiality follows rules a DPO would apply: a new
recipient, a new country data goes to, a new or longer retention, or a new
cookie category is material (people are told something new); removals and
corrections are not. The DPO can write the summary and overrule the flag on
the entry itself (``retention_schedule.change_notes``).
"""

import contextvars
import re
from contextlib import contextmanager
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from retention_schedule.change_notes import ChangeMateriality
from retention_schedule.periods import parse_period

from .document import resolve_notice
from .pages import PrivacyNoticePage
from .versions import NoticeVersion, VersionCause, content_hash, record_version


def _entries(document: dict, section_type: str, key: str, code: str) -> dict[str, dict]:
    """Every register entry of one kind a document shows, by its stable code, in order."""
    found = {}
    for section in document.get("sections", []):
        if section.get("type") != section_type:
            continue
        if section_type == "cookies":
            items = [c for group in section.get("cookie_groups", []) for c in group.get("cookies", [])]
        else:
            items = section.get(key, [])
        for item in items:
            if isinstance(item, dict) and item.get(code):  # snapshots of any age: skip what has no code
                found.setdefault(item[code], item)
    return found


def _length_in_days(rule: dict) -> float:
    if rule.get("period_type") != "fixed":
        return float("inf")  # permanent, or until an event: no fixed end
    try:
        return parse_period(rule.get("period") or "").approximate_days()
    except ValidationError:  # an unreadable stored period: compare as unknown, not as longer
        return 0.0


def _countries(processor: dict) -> list[str]:
    return [c.get("name", "") for c in processor.get("countries", [])]


class Change:
    """One difference the public will read, and whether it is material."""

    def __init__(self, text: str, material: bool):
        self.text = text
        self.material = material


def _rule_changes(old: dict, new: dict) -> list[Change]:
    old_rules, new_rules = _entries(old, "retention", "rules", "code"), _entries(new, "retention", "rules", "code")
    changes = []
    for code, rule in new_rules.items():
        before = old_rules.get(code)
        if before is None:
            changes.append(
                Change(
                    _("%(what)s: now listed, %(how)s") % {"what": rule["record_class"], "how": rule["summary"]}, True
                )
            )
        elif before["summary"] != rule["summary"]:
            if (
                before.get("period") != rule.get("period")
                and before.get("trigger") == rule.get("trigger")
                and (rule.get("period_text") and before.get("period_text"))
            ):
                text = _("%(what)s: kept %(new)s from %(trigger)s, was %(old)s") % {
                    "what": rule["record_class"],
                    "new": rule["period_text"],
                    "trigger": rule["trigger"],
                    "old": before["period_text"],
                }
            else:
                text = _("%(what)s: %(new)s, was %(old)s") % {
                    "what": rule["record_class"],
                    "new": rule["summary"],
                    "old": before["summary"],
                }
            changes.append(Change(text, _length_in_days(rule) > _length_in_days(before)))
        elif before != rule:
            changes.append(Change(_("%(what)s: details corrected") % {"what": rule["record_class"]}, False))
    for code, rule in old_rules.items():
        if code not in new_rules:
            changes.append(Change(_("%(what)s: no longer listed") % {"what": rule["record_class"]}, False))
    return changes


def _processor_changes(old: dict, new: dict) -> list[Change]:
    old_processors = _entries(old, "sharing", "processors", "slug")
    new_processors = _entries(new, "sharing", "processors", "slug")
    changes = []
    for slug, processor in new_processors.items():
        before = old_processors.get(slug)
        name = processor["name"]
        if before is None:
            who = f"{name} ({processor['service']})" if processor.get("service") else name
            changes.append(Change(_("We now share information with %(who)s") % {"who": who}, True))
            continue
        if before == processor:
            continue
        found = []
        received = {"who": name}
        if _new_items(before, processor, "data_categories") or _new_items(before, processor, "purposes"):
            found.append(Change(_("%(who)s: now receives more information, or for more purposes") % received, True))
        if _countries(before) != _countries(processor):
            places = {"who": name, "new": _place_list(processor), "old": _place_list(before)}
            more_places = set(_countries(processor)) - set(_countries(before))
            found.append(Change(_("%(who)s: data now held in %(new)s, was %(old)s") % places, bool(more_places)))
        if before["transfer_safeguard_text"] != processor["transfer_safeguard_text"]:
            safeguards = {
                "who": name,
                "new": processor["transfer_safeguard_text"],
                "old": before["transfer_safeguard_text"],
            }
            found.append(Change(_("%(who)s: transfers now protected by %(new)s, was %(old)s") % safeguards, True))
        changes.extend(found or [Change(_("%(who)s: details corrected") % {"who": name}, False)])
    for slug, processor in old_processors.items():
        if slug not in new_processors:
            changes.append(Change(_("We no longer share information with %(who)s") % {"who": processor["name"]}, False))
    return changes


def _new_items(before: dict, after: dict, field: str) -> set[str]:
    """Items (lines, or comma- or semicolon-separated) in ``after[field]`` unlike any that were there before.

    An item close to an old one (a typo fixed, a word changed) is a correction, not something new.
    """

    def items(text):
        return {item.strip().lower().rstrip(".") for item in re.split(r"[\n,;]+", text or "") if item.strip()}

    old = items(before.get(field))
    return {
        item
        for item in items(after.get(field))
        if not any(SequenceMatcher(None, item, earlier).ratio() >= 0.8 for earlier in old)
    }


def _place_list(processor: dict) -> str:
    return str(get_text_list(_countries(processor), _("and"))) or _("nowhere stated")


def _cookie_changes(old: dict, new: dict) -> list[Change]:
    old_cookies, new_cookies = _entries(old, "cookies", "", "slug"), _entries(new, "cookies", "", "slug")
    old_categories = {c["category"] for c in old_cookies.values()}
    changes = []
    for slug, cookie in new_cookies.items():
        before = old_cookies.get(slug)
        new_category = cookie["category"] not in old_categories
        if before is None:
            text = _("New %(category)s cookie: %(name)s") % {
                "category": cookie["category_text"].lower(),
                "name": cookie["name"],
            }
            changes.append(Change(text, new_category))
        elif before["category"] != cookie["category"]:
            text = _("%(name)s cookie: now %(new)s, was %(old)s") % {
                "name": cookie["name"],
                "new": cookie["category_text"].lower(),
                "old": before["category_text"].lower(),
            }
            changes.append(Change(text, new_category))
        elif before["lifetime"] != cookie["lifetime"]:
            text = _("%(name)s cookie: now lasts %(new)s, was %(old)s") % {
                "name": cookie["name"],
                "new": cookie["lifetime_text"],
                "old": before["lifetime_text"],
            }
            changes.append(Change(text, False))
        elif before != cookie:
            changes.append(Change(_("%(name)s cookie: details corrected") % {"name": cookie["name"]}, False))
    for slug, cookie in old_cookies.items():
        if slug not in new_cookies:
            changes.append(Change(_("Cookie no longer used: %(name)s") % {"name": cookie["name"]}, False))
    return changes


def describe_changes(old: dict, new: dict) -> tuple[str, bool]:
    """A public summary of what changed between two notice documents, and whether it is material."""
    changes = _rule_changes(old, new) + _processor_changes(old, new) + _cookie_changes(old, new)
    if not changes:
        return _("Details from our registers updated"), False
    return "; ".join(change.text for change in changes) + ".", any(change.material for change in changes)


def _mentions(value, entry) -> bool:
    """Whether the entry's code appears anywhere in a document: in its own section, or as a cookie's provider."""
    code = getattr(entry, "code", None) or getattr(entry, "slug", None)
    if isinstance(value, dict):
        return any(_mentions(item, entry) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, entry) for item in value)
    return value == code


def _shows(document: dict, entry) -> bool:
    """Whether ``document`` shows ``entry`` (by its stable code)."""
    code = getattr(entry, "code", None) or getattr(entry, "slug", None)
    kinds = (("retention", "rules", "code"), ("sharing", "processors", "slug"), ("cookies", "", "slug"))
    return any(code in _entries(document, kind, key, field) for kind, key, field in kinds)


# Inside ``deferred_register_changes()``: the entries changed so far and who changed them.
_deferred: contextvars.ContextVar[dict | None] = contextvars.ContextVar("deferred_register_changes", default=None)


@contextmanager
def deferred_register_changes():
    """Treat every register change inside the block as one: each altered notice gets one version, at the end.

    Used around bulk changes such as a schedule import (``retention_schedule.bulk_changes``),
    so a notice showing 30 imported rules records one version, not 30, and each
    live notice is compared once. Summaries are written from the documents. The
    versions are recorded when the block ends, inside any transaction around it.
    """
    if _deferred.get() is not None:  # nested: the outermost block records
        yield
        return
    pending = {"entries": [], "removed": [], "user": None}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending["entries"]:
        _record_changes(pending["entries"], pending["user"], with_notes=False, removed=all(pending["removed"]))


def record_register_change(entry, user=None, *, with_notes: bool = False, removed: bool = False) -> list[NoticeVersion]:
    """Record a new version of every live notice whose content the change to ``entry`` altered.

    With ``with_notes`` (a publish), the DPO's summary and materiality from the
    entry apply to the notices that show the entry; every other change is
    described from the documents. All notices are recorded, or none. Inside
    ``deferred_register_changes()`` the change is only noted, and recorded when
    the block ends.

    ``removed`` (an unpublish or a delete) says the entry can only disappear
    from notices, so only the notices whose latest version shows it are compared.
    """
    pending = _deferred.get()
    if pending is not None:
        pending["entries"].append(entry)
        pending["removed"].append(removed)
        pending["user"] = pending["user"] or user
        return []
    return _record_changes([entry], user, with_notes=with_notes, removed=removed)


def _record_changes(entries: list, user, *, with_notes: bool, removed: bool = False) -> list[NoticeVersion]:
    recorded = []
    # The DPO's notes belong to one entry's publish; a bulk change is described from the documents.
    noted_entry = entries[0] if with_notes and len(entries) == 1 else None
    with transaction.atomic():
        notices = list(PrivacyNoticePage.objects.live().order_by("pk"))
        # Every live notice is compared, not only those choosing the entry: a processor's
        # name also shows in the cookie tables of notices that list its cookies, and a
        # cookie can be shown through its category. Live notices are tens, not thousands.
        newest = NoticeVersion.objects.filter(notice=OuterRef("notice")).order_by("-number").values("number")[:1]
        latest_versions = {
            version.notice_id: version
            for version in NoticeVersion.objects.filter(notice__in=notices, number=Subquery(newest))
        }
        for notice in notices:
            latest = latest_versions.get(notice.pk)
            if latest is None:  # never versioned (see record_notice_versions): nothing to compare with
                continue
            if removed and not any(_mentions(latest.document, entry) for entry in entries):
                continue  # an entry taken away changes only the notices that showed it
            document = resolve_notice(notice)
            if content_hash(document) == latest.content_hash:
                continue
            summary, material = describe_changes(latest.document, document)
            if noted_entry is not None and (_shows(latest.document, noted_entry) or _shows(document, noted_entry)):
                override = getattr(noted_entry, "change_materiality", ChangeMateriality.AUTOMATIC)
                if override != ChangeMateriality.AUTOMATIC:
                    material = override == ChangeMateriality.MATERIAL
                summary = (getattr(noted_entry, "change_summary", "") or "").strip() or summary
            version = record_version(
                notice,
                cause=VersionCause.REGISTER_CHANGED,
                summary=summary,
                material=material,
                user=user,
                only_if_changed=True,
                document=document,
            )
            if version:
                recorded.append(version)
    return recorded
