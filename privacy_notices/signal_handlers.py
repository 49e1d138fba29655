"""Record a notice version whenever what a live notice says changes."""

from django.dispatch import receiver
from wagtail.signals import page_published

from .pages import PrivacyNoticePage
from .versions import VersionCause, record_version


@receiver(page_published, dispatch_uid="privacy_notices_record_published_notice")
def record_published_notice(sender, instance, revision, **kwargs):
    """Every publish of a notice (editor, scheduler or workflow) records its version."""
    if not isinstance(instance, PrivacyNoticePage):
        return
    record_version(
        instance,
        cause=VersionCause.NOTICE_PUBLISHED,
        summary=instance.change_summary.strip(),
        material=instance.material_change,
        published_at=instance.last_published_at,
        revision=revision,
        user=revision.user if revision else None,
    )
