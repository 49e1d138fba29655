"""Record version 1 for live notices published before versions were kept."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from privacy_notices.pages import PrivacyNoticePage
from privacy_notices.versions import VersionCause, record_version


class Command(BaseCommand):
    help = "Record a first version for every live privacy notice that has none (safe to run again)."

    def handle(self, *args, **options):
        recorded = 0
        for notice in PrivacyNoticePage.objects.live().filter(versions__isnull=True).order_by("pk"):
            record_version(
                notice,
                cause=VersionCause.RECORDED_EXISTING,
                published_at=notice.last_published_at,
            )
            recorded += 1
            self.stdout.write(f"  {notice.title}: version 1", self.style.SUCCESS)
        self.stdout.write(
            self.style.SUCCESS(_("Recorded a first version for %(count)d notices.") % {"count": recorded})
        )
