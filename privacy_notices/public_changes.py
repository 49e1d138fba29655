"""What counts as a change to the public answers: forget the cached ones, purge the CDN's.

Connected in ``PrivacyNoticesConfig.ready()``. Django's cache is forgotten as a
whole on any change that could alter a public answer (``caching``); a CDN is
purged of the addresses the change reaches (``purging``).
"""

import contextvars

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move, published, unpublished

from retention_schedule.bulk_changes import register_bulk_change_wrapper

from . import purging
from .caching import forget_public_answers, start_new_generation
from .signal_handlers import _is_register_entry


def _shown_publicly():
    """The models whose rows public answers show (read when first needed: the apps are loaded by then)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site

    from retention_schedule.models import RetentionRule
    from retention_schedule.page_model import base_page_model

    from .organisation import OrganisationSettings
    from .registers import Audience, CookieDeclaration, Processor
    from .versions import NoticeVersion

    return (
        base_page_model(),  # every page type, whether or not the host swapped Wagtail's page model
        PageViewRestriction,
        Site,
        RetentionRule,
        Processor,
        CookieDeclaration,
        Audience,
        NoticeVersion,
        OrganisationSettings,
        get_document_model(),
        get_image_model(),
    )


_models = None

# The fields Wagtail writes on the live row when a draft is saved, or a page locked for a workflow:
# none of them shows publicly, and autosave writes them every few seconds while an editor types.
REVISION_BOOKKEEPING = {
    "latest_revision",
    "latest_revision_created_at",
    "draft_title",
    "has_unpublished_changes",
    "wagtail_admin_comments",
    "locked",
    "locked_at",
    "locked_by",
}


def _is_shown_publicly(sender) -> bool:
    global _models
    if _models is None:
        _models = _shown_publicly()
    return issubclass(sender, _models)


@receiver(post_save, dispatch_uid="privacy_notices_public_row_saved")
@receiver(post_delete, dispatch_uid="privacy_notices_public_row_deleted")
def public_row_changed(sender, instance, raw=False, update_fields=None, **kwargs):
    if update_fields and set(update_fields) <= REVISION_BOOKKEEPING:
        return  # a draft saved (autosave too): the public still sees the published row
    if not raw and _is_shown_publicly(sender):
        if not _in_bulk_change.get():  # a bulk change forgets once, at its end
            forget_public_answers()
        _purge_for(instance, kwargs.get("created", False))


def _purge_for(instance, created: bool):
    from wagtail.models import PageViewRestriction

    from .organisation import OrganisationSettings
    from .registers import Audience
    from .versions import NoticeVersion

    if isinstance(instance, NoticeVersion) and created:
        purging.purge_new_version(instance.notice_id, instance.number)
    elif isinstance(instance, PageViewRestriction) and purging.frontend_cache_configured():
        purging.purge_page_tree(instance.page)
    elif isinstance(instance, Audience) and purging.frontend_cache_configured():
        purging.purge_pages(*instance.notices.live().values_list("pk", flat=True))
    elif isinstance(instance, OrganisationSettings):
        purging.purge_everything()


@receiver(post_page_move, dispatch_uid="privacy_notices_public_page_moved")
def page_moved(sender, **kwargs):
    # Moving updates the descendants' paths with a bulk UPDATE, which sends no post_save.
    forget_public_answers()


@receiver(pre_page_move, dispatch_uid="privacy_notices_purge_moved_page")
def page_about_to_move(sender, instance, **kwargs):
    # Its old addresses, and its descendants', must be worked out while it still has them.
    purging.purge_addresses_of(instance, with_descendants=True)


@receiver(page_published, dispatch_uid="privacy_notices_purge_published_page")
@receiver(page_unpublished, dispatch_uid="privacy_notices_purge_unpublished_page")
def page_published_or_unpublished(sender, instance, **kwargs):
    from retention_schedule.pages import RetentionSchedulePage

    from .pages import PrivacyNoticeIndexPage, PrivacyNoticePage

    if isinstance(instance, PrivacyNoticePage | PrivacyNoticeIndexPage | RetentionSchedulePage):
        purging.purge_pages(instance.pk)


@receiver(pre_save, dispatch_uid="privacy_notices_purge_renamed_page")
def page_about_to_be_renamed(sender, instance, raw=False, update_fields=None, **kwargs):
    """A live page whose address changes (a new slug published): its old addresses, and those under it, go too."""
    from retention_schedule.page_model import base_page_model

    if raw or not instance.pk or not purging.frontend_cache_configured():
        return
    if update_fields is not None and not {"slug", "url_path"} & set(update_fields):
        return
    page_model = base_page_model()
    if not isinstance(instance, page_model):
        return
    before = page_model.objects.filter(pk=instance.pk, live=True).exclude(url_path=instance.url_path).first()
    if before is not None:
        purging.purge_addresses_of(before, with_descendants=True)


@receiver(pre_delete, dispatch_uid="privacy_notices_purge_deleted_page")
def page_about_to_be_deleted(sender, instance, **kwargs):
    from retention_schedule.pages import RetentionSchedulePage

    from .pages import PrivacyNoticeIndexPage, PrivacyNoticePage

    # Its addresses must be worked out while it still has them.
    if isinstance(instance, PrivacyNoticePage | PrivacyNoticeIndexPage | RetentionSchedulePage):
        purging.purge_addresses_of(instance)


@receiver(published, dispatch_uid="privacy_notices_purge_published_entry")
@receiver(unpublished, dispatch_uid="privacy_notices_purge_unpublished_entry")
@receiver(post_delete, dispatch_uid="privacy_notices_purge_deleted_entry")
def register_entry_changed(sender, instance, **kwargs):
    from retention_schedule.models import RetentionRule

    from .registers import CookieDeclaration, Processor

    if _is_register_entry(sender):
        endpoint = {Processor: "processors", CookieDeclaration: "cookies", RetentionRule: "retention-rules"}
        entries = [(name, instance.pk) for model, name in endpoint.items() if isinstance(instance, model)]
        purging.purge_registers([instance.code] if isinstance(instance, RetentionRule) else [], entries)


@receiver(setting_changed, dispatch_uid="privacy_notices_setting_changed")
def setting_changed_forget(setting, **kwargs):
    # A test's override_settings (CORS origins, max-age...) changes the headers answers carry. Not a
    # database change, so nothing waits for a commit.
    if setting.startswith(("PRIVACY_NOTICES", "WAGTAIL", "CACHES")):
        start_new_generation()


# True inside a bulk change of the registers (see below).
_in_bulk_change = contextvars.ContextVar("privacy_notices_in_bulk_change", default=False)


class _ForgetAfterBulkChange:
    """Around a bulk change (a schedule import): forget once at the end, not once per rule.

    The end is also what catches rows written with ``bulk_create``, which sends no post_save.
    """

    def __enter__(self):
        self.token = _in_bulk_change.set(True)
        return self

    def __exit__(self, *exc):
        _in_bulk_change.reset(self.token)
        forget_public_answers()
        purging.purge_registers()
        return False


register_bulk_change_wrapper(_ForgetAfterBulkChange)

# Each deploy runs migrate: answers built by the old code (templates, document shapes) are not reused.
post_migrate.connect(start_new_generation, dispatch_uid="privacy_notices_forget_after_migrate")
