from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyNoticesConfig(AppConfig):
    name = "privacy_notices"
    label = "privacy_notices"
    verbose_name = _("Privacy notices")
    # Set here so host projects with another DEFAULT_AUTO_FIELD get no stray migrations.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core import checks as django_checks

        from retention_schedule import checks, in_use

        from . import caching, public_changes, retention_checks, signal_handlers, usage  # noqa: F401 (connects the receivers)

        in_use.register_finder(usage.live_notices_showing)
        checks.register_finding_source(retention_checks.free_text_retention_findings)
        django_checks.register(caching.check_cache_is_shared, django_checks.Tags.caches)
