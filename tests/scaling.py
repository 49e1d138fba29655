"""Ten times the demo content, built the way editors and the DPO build content.

:func:`grow_demo_content` takes the site ``load_demo_content`` made and makes it
``factor`` times larger:

- every live processor, cookie declaration and retention rule is copied
  ``factor - 1`` times (new slug or code, the same fields, so the copies are as
  varied as the demo: every role, category, country, business function and kind
  of period), each copy saved and published through a revision as the admin's
  Publish button does, all inside one ``deferred_register_changes()`` as a bulk
  import is (each live notice compared once, not once per entry); a copied
  cookie's provider is the copy of its provider;
- every audience is copied ``factor - 1`` times, each with a live notice under the
  hub saying what the demo notice for the original audience says;
- the measured notice (the demo's site visitors, the one with every kind of
  register section) shows every live cookie of its categories, so the copied
  cookies give it a version (a register change) and ten times the cookies; it is
  then published again and again until it has ``factor`` times its versions, the
  last publish linking ``factor`` times the entries: each processor and rule it
  lists, followed by every copy of it.

Every notice publish records its version (``privacy_notices.signal_handlers``),
so the versions are real ones, never made in bulk.
"""

import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.test import override_settings

from privacy_notices.models import (
    Audience,
    CookieDeclaration,
    NoticeVersion,
    PrivacyNoticeIndexPage,
    PrivacyNoticePage,
    Processor,
)
from privacy_notices.register_changes import deferred_register_changes
from retention_schedule.models import RetentionRule
from tests.conftest import publish

FACTOR = 10
#: The demo notice the per-notice addresses are measured on: it has every kind of register section.
MEASURED_NOTICE = "site-visitors"

# Fields a copy never takes from its original: its identity and its publishing and locking state.
_STATE_FIELDS = {
    "id",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "live_revision",
    "latest_revision",
    "go_live_at",
    "expire_at",
    "expired",
    "locked",
    "locked_at",
    "locked_by",
}
# Section fields that list register entries by primary key (as ListBlock items).
_ENTRY_LISTS = ("processors", "rules")


@dataclass(frozen=True)
class Sizes:
    """How much there is: what the growth multiplies."""

    processors: int
    cookies: int
    rules: int
    audiences: int
    live_notices: int
    versions: int  # of the measured notice
    linked: int  # processors and rules the measured notice lists
    shown_cookies: int  # live cookies in the categories the measured notice's cookies section shows

    @classmethod
    def now(cls) -> "Sizes":
        notice = measured_notice()
        sections = notice.sections.get_prep_value()
        linked = sum(len(block["value"].get(name, [])) for block in sections for name in _ENTRY_LISTS)
        categories = {c for block in sections if block["type"] == "cookies" for c in block["value"]["categories"]}
        return cls(
            processors=Processor.objects.filter(live=True).count(),
            cookies=CookieDeclaration.objects.filter(live=True).count(),
            rules=RetentionRule.objects.filter(live=True).count(),
            audiences=Audience.objects.count(),
            live_notices=PrivacyNoticePage.objects.live().count(),
            versions=NoticeVersion.objects.filter(notice=notice).count(),
            linked=linked,
            shown_cookies=CookieDeclaration.objects.filter(live=True, category__in=categories).count(),
        )

    def times(self, factor: int) -> "Sizes":
        return Sizes(**{name: value * factor for name, value in vars(self).items()})


def measured_notice() -> PrivacyNoticePage:
    return PrivacyNoticePage.objects.get(slug=MEASURED_NOTICE)


def _copy_fields(entry) -> dict:
    return {
        field.attname: getattr(entry, field.attname)
        for field in type(entry)._meta.concrete_fields
        if field.name not in _STATE_FIELDS
    }


def _copy_register(model, key: str, copies: int, **overrides) -> dict[int, list[int]]:
    """Publish ``copies`` copies of each live entry of ``model``; {original pk: [copy pks]}."""
    made = {}
    for original in model.objects.filter(live=True).order_by("pk"):
        made[original.pk] = []
        for n in range(1, copies + 1):
            fields = {**_copy_fields(original), key: f"{getattr(original, key)}-x{n}"}
            for name, override in overrides.items():
                fields[name] = override(original, n)
            made[original.pk].append(publish(model(**fields)).pk)
    return made


def _copy_audiences_and_notices(copies: int) -> None:
    hub = PrivacyNoticeIndexPage.objects.get()
    originals = list(PrivacyNoticePage.objects.live().child_of(hub).select_related("audience").order_by("path"))
    for notice in originals:
        audience = notice.audience
        for n in range(1, copies + 1):
            copy_of = Audience.objects.create(
                name=f"{audience.name} ({n + 1})",
                slug=f"{audience.slug}-x{n}",
                description=audience.description,
                data_subject=audience.data_subject,
            )
            page = PrivacyNoticePage(
                title=f"{notice.title} ({n + 1})",
                slug=copy_of.slug,
                audience=copy_of,
                summary=notice.summary,
                sections=json.dumps(notice.sections.get_prep_value()),
                live=False,
            )
            hub.add_child(instance=page)
            page.save_revision().publish()


def _publish_notice(change_summary: str, *, material: bool, sections=None, summary=None) -> None:
    notice = measured_notice()
    notice.change_summary = change_summary
    notice.material_change = material
    if summary is not None:
        notice.summary = summary
    if sections is not None:
        notice.sections = json.dumps(sections)
    notice.save_revision().publish()


def _linking_copies(sections: list[dict], copies_of: dict[str, dict[int, list[int]]]) -> list[dict]:
    """The sections with every processor and rule they list followed by all its copies."""
    for block in sections:
        for name, copies in copies_of.items():
            items = block["value"].get(name)
            if not items:
                continue
            pks = [item["value"] if isinstance(item, dict) else item for item in items]
            block["value"][name] = [
                {"type": "item", "value": pk, "id": str(uuid.uuid4())}
                for original in pks
                for pk in (original, *copies.get(original, ()))
            ]
    return sections


def grow_demo_content(factor: int = FACTOR) -> None:
    """Make the demo content ``factor`` times larger (see the module's docstring).

    The search index is not updated for what is added: no public view reads it (the schedule's
    ``?q=`` is matched in Python), and indexing would be most of the time this takes.
    """
    configured = getattr(settings, "WAGTAILSEARCH_BACKENDS", None) or {
        "default": {"BACKEND": "wagtail.search.backends.database"}
    }
    search_backends = {name: {**conf, "AUTO_UPDATE": False} for name, conf in configured.items()}
    with override_settings(WAGTAILSEARCH_BACKENDS=search_backends):
        _grow(factor)


def _grow(factor: int) -> None:
    copies = factor - 1
    notice = measured_notice()
    target_versions = NoticeVersion.objects.filter(notice=notice).count() * factor
    # As a bulk change (a schedule import) is: every live notice compared once, at the end, not once
    # per entry. The measured notice shows every cookie of its categories, so it gets a version.
    with deferred_register_changes():
        processors = _copy_register(Processor, "slug", copies, name=lambda original, n: f"{original.name} ({n + 1})")
        _copy_register(
            CookieDeclaration,
            "slug",
            copies,
            provider_id=lambda original, n: processors[original.provider_id][n - 1] if original.provider_id else None,
        )
        rules = _copy_register(RetentionRule, "code", copies)
    _copy_audiences_and_notices(copies)

    # The measured notice's versions: minor corrections, then one publish linking every copy.
    summary = notice.summary
    for n in range(target_versions - NoticeVersion.objects.filter(notice=notice).count() - 1):
        _publish_notice(f"Correction {n + 1}.", material=False, summary=f"{summary} (Correction {n + 1}.)")
    sections = _linking_copies(notice.sections.get_prep_value(), {"processors": processors, "rules": rules})
    _publish_notice("We now use many more services.", material=True, sections=sections, summary=summary)
