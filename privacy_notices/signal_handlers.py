"""Record a notice version whenever what a live notice says changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, published, unpublished

from retention_schedule.bulk_changes import register_bulk_change_wrapper

from .pages import PrivacyNoticePage
from .register_changes import deferred_register_changes, record_register_change
from .versions import VersionCause, record_version


@receiver(page_published, dispatch_uid="privacy_notices_record_published_notice")
def record_published_notice(sender, instance, revision, **kwargs):
    """Every publish of a notice (editor, scheduler or workflow) records its version."""
    # A first publish scheduled for later also sends this signal, with the page not
    # yet live: its version is recorded when the scheduler makes it live.
    if not isinstance(instance, PrivacyNoticePage) or not instance.live:
        return
    record_version(
        instance,
        cause=VersionCause.NOTICE_PUBLISHED,
        summary=instance.change_summary.strip(),
        material=instance.material_change,
        published_at=instance.last_published_at,
        revision=revision,
        user=publishing_user(revision),
        imported_last_updated=instance.imported_last_updated,
    )


def publishing_user(revision):
    """Who published: the user acting in the admin (the DPO who approved), else the revision's author.

    Wagtail's admin sets the acting user as the log context; the scheduler and
    scripts have none, and then the revision's author is the best record there is.
    """
    from wagtail.log_actions import get_active_log_context

    acting = get_active_log_context().user
    if acting is not None:
        return acting
    return revision.user if revision else None


def _is_register_entry(sender) -> bool:
    from retention_schedule.models import RetentionRule

    from .registers import CookieDeclaration, Processor

    return issubclass(sender, Processor | CookieDeclaration | RetentionRule)


@receiver(published, dispatch_uid="privacy_notices_register_entry_published")
def register_entry_published(sender, instance, revision=None, **kwargs):
    """A published register change flows into every live notice it alters (drafts change nothing)."""
    if _is_register_entry(sender):
        record_register_change(instance, user=revision.user if revision else None, with_notes=True)


@receiver(unpublished, dispatch_uid="privacy_notices_register_entry_unpublished")
def register_entry_unpublished(sender, instance, **kwargs):
    if _is_register_entry(sender):
        record_register_change(instance, removed=True)


@receiver(post_delete, dispatch_uid="privacy_notices_register_entry_deleted")
def register_entry_deleted(sender, instance, **kwargs):
    # Entries live notices show cannot be deleted (retention_schedule.in_use); this
    # catches the rest, e.g. a live cookie that only a category choice showed.
    if _is_register_entry(sender):
        record_register_change(instance, removed=True)


# A schedule import (or any bulk change of the registers) records one version per altered notice.
register_bulk_change_wrapper(deferred_register_changes)


@receiver(post_save, dispatch_uid="privacy_notices_new_hub_gets_roles")
def give_roles_on_new_hub(sender, instance, created, raw=False, **kwargs):
    """A new hub gets the editors' and DPOs' page permissions and the "DPO approval" workflow (see roles.py)."""
    from .pages import PrivacyNoticeIndexPage
    from .roles import assign_to_hub

    if created and not raw and isinstance(instance, PrivacyNoticeIndexPage):
        assign_to_hub(instance.pk)
