"""Writing an import plan: drafts for people to review, all in one transaction.

Nothing is published. New notices, the hub's new sections and the proposed
register entries are drafts, each with a revision and an audit log entry
(``privacy_notices.import``) that names the policy it came from, so the DPO
sees what is new and where it came from in each entry's history.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from retention_schedule.models import RetentionRule
from retention_schedule.search_index import index_once_at_end

from ..pages import PrivacyNoticeIndexPage, PrivacyNoticePage
from . import IMPORT_LOG_ACTION
from .plan import ADD_SECTIONS, CREATE, NEW_DRAFT, ImportPlan

# How many of the sentences an entry was found in its log entry keeps.
_QUOTES_LOGGED = 3


@dataclass
class ImportResult:
    hub: PrivacyNoticeIndexPage | None = None
    notices: list[PrivacyNoticePage] = field(default_factory=list)
    created_entries: list = field(default_factory=list)
    linked_entries: list = field(default_factory=list)
    audiences: list = field(default_factory=list)


def apply_plan(plan: ImportPlan, *, user=None) -> ImportResult:
    """Write ``plan`` as drafts. All or nothing: one transaction."""
    if not plan.can_apply:
        raise ValueError("A plan with problems cannot be applied.")
    result = ImportResult()
    source = {"source": plan.source.name, "format": plan.source.format}
    # Wagtail re-indexes a page's references on every save (a notice is saved twice: added, then its
    # revision); indexing each page and entry once, at the end, halves the cost of a large import.
    with index_once_at_end(RetentionRule), transaction.atomic(), disable_reference_index_auto_update():
        for planned in plan.audiences:
            if planned.action == CREATE:
                planned.audience.save()
                result.audiences.append(planned.audience)
        # Processors before cookies: a new cookie may name a new processor as its provider.
        for entry in [*plan.rules, *plan.processors, *plan.cookies]:
            if entry.action != CREATE:
                result.linked_entries.append(entry.instance)
                continue
            instance = entry.instance
            instance.save()
            revision = instance.save_revision(user=user, log_action=True, clean=False)
            quotes = [finding.quote.as_data() for finding in entry.findings[:_QUOTES_LOGGED]]
            log(instance, IMPORT_LOG_ACTION, user=user, revision=revision, data=source | {"quotes": quotes})
            result.created_entries.append(instance)
        hub = _write_hub(plan, user, source)
        result.hub = hub
        for notice in plan.notices:
            result.notices.append(_write_notice(notice, hub, user, source))
        for written in [hub, *result.notices, *result.created_entries, *result.audiences]:
            ReferenceIndex.create_or_update_for_object(written)
    return result


def _write_hub(plan: ImportPlan, user, source) -> PrivacyNoticeIndexPage:
    planned = plan.hub
    sections = [section.stream_data() for section in planned.sections]
    if planned.action == CREATE:
        parent = planned.parent
        taken = set(parent.get_children().values_list("slug", flat=True))
        slug, number = "privacy", 2
        while slug in taken:
            slug, number = f"privacy-{number}", number + 1
        hub = PrivacyNoticeIndexPage(title=planned.title, slug=slug, intro=planned.intro, sections=sections, live=False)
        hub.has_unpublished_changes = True
        parent.add_child(instance=hub)
        revision = hub.save_revision(user=user)
        log(hub, "wagtail.create", user=user, revision=revision, content_changed=True)
        log(hub, IMPORT_LOG_ACTION, user=user, revision=revision, data=source)
        return hub
    hub = planned.page.specific
    if planned.action == ADD_SECTIONS:
        draft = hub.get_latest_revision_as_object()
        draft.sections = list(draft.sections.raw_data) + sections
        revision = draft.save_revision(user=user, log_action=True)
        log(hub, IMPORT_LOG_ACTION, user=user, revision=revision, data=source)
    return hub


def _write_notice(notice, hub, user, source) -> PrivacyNoticePage:
    sections = [section.stream_data() for section in notice.sections]
    summary = _("Imported from %(name)s") % {"name": source["source"] or _("a privacy policy")}
    if notice.action == NEW_DRAFT:
        draft = notice.existing.specific.get_latest_revision_as_object()
        draft.sections = sections
        draft.change_summary = summary
        revision = draft.save_revision(user=user, log_action=True)
        log(notice.existing, IMPORT_LOG_ACTION, user=user, revision=revision, data=source)
        return notice.existing.specific
    page = PrivacyNoticePage(
        title=notice.title,
        slug=notice.slug or slugify(notice.title)[:80],
        audience=notice.audience.audience,
        sections=sections,
        imported_last_updated=notice.last_updated,
        live=False,
    )
    page.has_unpublished_changes = True
    hub.add_child(instance=page)
    revision = page.save_revision(user=user)
    log(page, "wagtail.create", user=user, revision=revision, content_changed=True)
    log(page, IMPORT_LOG_ACTION, user=user, revision=revision, data=source)
    return page
