"""Refuse to delete a register entry that published content still shows.

Register entries (retention rules here; processors and cookies in other apps)
are chosen inside StreamField sections, which database foreign keys cannot
protect. Apps that show entries publicly register a *finder*: a function that
takes entries and returns the live documents showing each. Deletion through
the admin, bulk actions or the ORM is then refused while any finder reports a
use.

This module knows nothing of the apps that register finders, which keeps
``retention_schedule`` independent of ``privacy_notices``.

The refusal happens in ``delete()`` (of the model and of its querysets), before
Django opens its delete transaction, as Django's own ``ProtectedError`` does: a
caller that catches it can go on using its transaction.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models.deletion import ProtectedError
from django.utils.text import get_text_list
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Use:
    """A live document that shows a register entry."""

    title: str
    url: str = ""


# A finder receives a list of entries of one model and returns {entry pk: [Use, ...]}.
Finder = Callable[[list], dict[int, list[Use]]]
_finders: list[Finder] = []


def register_finder(finder: Finder) -> Finder:
    """Register a function reporting which live documents show given entries."""
    if finder not in _finders:
        _finders.append(finder)
    return finder


def has_finders() -> bool:
    """Whether any app reports which documents show entries (without one, nothing can be "in use")."""
    return bool(_finders)


def live_uses(entries: Iterable) -> dict[int, list[Use]]:
    """Map each entry's pk to the live documents that show it (entries unused are absent)."""
    entries = list(entries)
    found: dict[int, list[Use]] = {}
    if not entries:
        return found
    for finder in _finders:
        for pk, uses in finder(entries).items():
            found.setdefault(pk, []).extend(uses)
    return found


def refusal_message(entry, uses: list[Use]) -> str:
    titles = get_text_list([_("“%(title)s”") % {"title": use.title} for use in uses], _("and"))
    return _(
        "“%(entry)s” cannot be deleted because it is shown on %(titles)s. "
        "Remove it from those notices and publish them first."
    ) % {"entry": entry, "titles": titles}


class EntryInUse(ProtectedError):
    """Raised when deleting an entry that live content still shows."""

    def __init__(self, entry, uses: list[Use]):
        super().__init__(refusal_message(entry, uses), [entry])
        self.entry = entry
        self.uses = uses


def refuse_if_in_use(entries) -> None:
    """Raise ``EntryInUse`` for the first of ``entries`` that live content shows."""
    entries = list(entries)
    uses = live_uses(entries)
    for entry in entries:
        if entry.pk in uses:
            raise EntryInUse(entry, uses[entry.pk])


class InUseGuardedQuerySet(models.QuerySet):
    def delete(self):
        refuse_if_in_use(self)
        return super().delete()


class RefuseDeleteWhileInUse(models.Model):
    """Model mixin: ``delete()``, single or on a queryset, refuses entries that live content shows."""

    objects = InUseGuardedQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        refuse_if_in_use([self])
        return super().delete(*args, **kwargs)
