from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionScheduleConfig(AppConfig):
    name = "retention_schedule"
    label = "retention_schedule"
    verbose_name = _("Retention schedule")
    # Set here so host projects with another DEFAULT_AUTO_FIELD get no stray migrations.
    default_auto_field = "django.db.models.BigAutoField"
