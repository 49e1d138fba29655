from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionScheduleConfig(AppConfig):
    name = "retention_schedule"
    label = "retention_schedule"
    verbose_name = _("Retention schedule")
    # Set here so host projects with another DEFAULT_AUTO_FIELD get no stray migrations.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import RetentionRule
        from .search_index import remove_from_index_after_delete, update_index_after_save

        post_save.connect(update_index_after_save, sender=RetentionRule, dispatch_uid="retention_rule_index_save")
        post_delete.connect(
            remove_from_index_after_delete, sender=RetentionRule, dispatch_uid="retention_rule_index_delete"
        )
