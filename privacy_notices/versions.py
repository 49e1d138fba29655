"""Published versions of a notice: an immutable public record of what it said, and when.

A ``NoticeVersion`` is recorded whenever what a live notice says changes: the
notice itself is published (by an editor, by the scheduler, or at the end of a
workflow), or a register entry it shows is published, unpublished or deleted.
Each holds the resolved notice document exactly as the public read it, so the
history stays true however the notice and the registers change later.

Versions are never edited or deleted: the model, its querysets and the admin
all refuse.
"""

import datetime
import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Publication metadata that changes with every version; excluded from the content
# hash so that "did what the notice says change?" compares content only.
# The address (url, slug) is where the notice is, not what it says.
_VOLATILE_KEYS = ("version", "last_updated", "first_published", "published_at", "url", "slug")


class ImmutableVersion(PermissionDenied):
    """Raised on any attempt to change or delete a recorded version."""

    def __init__(self):
        super().__init__(gettext("Published versions of a notice are a permanent record: they cannot be changed."))


class VersionCause(models.TextChoices):
    NOTICE_PUBLISHED = "notice_published", _("The notice was published")
    REGISTER_CHANGED = "register_changed", _("A register entry it shows changed")
    RECORDED_EXISTING = "recorded_existing", _("Recorded for a notice published before versions were kept")


class NoticeVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableVersion()

    def delete(self):
        raise ImmutableVersion()

    def bulk_create(self, objs, *args, update_conflicts=False, ignore_conflicts=False, **kwargs):
        # An "upsert" would overwrite an existing version.
        if update_conflicts or ignore_conflicts:
            raise ImmutableVersion()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, **kwargs):
        raise ImmutableVersion()

    def last_material_change(self):
        """When the latest material change was published (the "Last updated" people see), or None."""
        return self.filter(material=True).aggregate(latest=models.Max("published_at"))["latest"]

    def in_force_on(self, day: datetime.date):
        """The version in force on ``day``: the last published by the end of that day where the site is."""
        # Midnight at the start of the next day in the site's zone (TIME_ZONE), whatever
        # zone is active: daylight saving moves the UTC instant, never the calendar day.
        end_of_day = timezone.make_aware(
            datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min),
            timezone.get_default_timezone(),
        )
        return self.filter(published_at__lt=end_of_day).order_by("-published_at", "-number").first()


class NoticeVersion(models.Model):
    notice = models.ForeignKey(
        "privacy_notices.PrivacyNoticePage",
        verbose_name=_("notice"),
        # A notice with a public history is unpublished, never deleted.
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    material = models.BooleanField(
        _("material change"), help_text=_("A change that alters what people are told; moves “Last updated”.")
    )
    summary = models.TextField(_("what changed"))
    document = models.JSONField(_("the notice as published"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    cause = models.CharField(_("cause"), max_length=30, choices=VersionCause.choices)
    # Plain ids, not foreign keys: a version must outlive the revision and user
    # records it came from, and deleting those must never touch it.
    revision_id = models.BigIntegerField(_("revision"), null=True, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=255, blank=True)

    objects = NoticeVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice version")
        verbose_name_plural = _("notice versions")
        ordering = ["notice", "number"]
        constraints = [models.UniqueConstraint(fields=["notice", "number"], name="one_number_per_notice_version")]
        indexes = [models.Index(fields=["notice", "published_at"], name="notice_version_published")]

    def __str__(self):
        return gettext("Version %(number)s of %(notice)s") % {"number": self.number, "notice": self.notice_id}

    def save(self, *args, **kwargs):
        # Only ever an INSERT: a new instance given an existing pk would otherwise update that row.
        if not self._state.adding or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise ImmutableVersion()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableVersion()


def content_hash(document: dict) -> str:
    """A SHA-256 of what the notice says, ignoring publication metadata."""
    content = {key: value for key, value in document.items() if key not in _VOLATILE_KEYS}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def site_date(moment: datetime.datetime) -> datetime.date:
    """The calendar day of ``moment`` where the site is (TIME_ZONE), whatever zone an admin user has."""
    return timezone.localdate(moment, timezone.get_default_timezone())


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` where the site is (TIME_ZONE)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def record_version(
    notice,
    *,
    cause: str,
    summary: str = "",
    material: bool = True,
    published_at: datetime.datetime | None = None,
    revision=None,
    user=None,
    only_if_changed: bool = False,
    document: dict | None = None,
    imported_last_updated: datetime.date | None = None,
):
    """Record what ``notice`` says now as its next version, and return it.

    The first version is always "First published" and material. With
    ``only_if_changed`` nothing is recorded (and None returned) when the
    document's content is the same as the latest version's. ``document`` is the
    notice already resolved, when the caller has it.

    ``imported_last_updated`` is the date an imported policy said it was last
    updated: a first version is dated then (the start of that day where the site
    is), so "Last updated" and the version in force on a date stay true to what
    people were told before the notice moved here. Later versions ignore it.
    """
    from .document import resolve_notice
    from .pages import PrivacyNoticePage

    published_at = published_at or timezone.now()
    with transaction.atomic():
        # Serialise numbering per notice: concurrent publishes queue on the page row.
        PrivacyNoticePage.objects.select_for_update().filter(pk=notice.pk).values_list("pk").first()
        latest = NoticeVersion.objects.filter(notice=notice).order_by("-number").first()
        document = dict(document) if document is not None else resolve_notice(notice)
        digest = content_hash(document)
        if only_if_changed and latest and latest.content_hash == digest:
            return None
        if latest is None:
            summary, material = gettext("First published"), True
            if imported_last_updated and site_date(published_at) > imported_last_updated:
                published_at = start_of_day(imported_last_updated)
                summary = gettext("First published here, as imported from the policy last updated on %(date)s") % {
                    "date": imported_last_updated.isoformat()
                }
        number = latest.number + 1 if latest else 1
        previous_material = NoticeVersion.objects.filter(notice=notice).last_material_change()
        last_updated = published_at if material else (previous_material or published_at)
        document.update(
            {
                "version": number,
                "published_at": published_at.isoformat(),
                "last_updated": site_date(last_updated).isoformat(),
            }
        )
        return NoticeVersion.objects.create(
            notice=notice,
            number=number,
            published_at=published_at,
            material=material,
            summary=summary or gettext("Updated"),
            document=document,
            content_hash=digest,
            cause=cause,
            revision_id=revision.pk if revision else None,
            recorded_by=(user.get_full_name() or user.get_username()) if user else "",
        )
