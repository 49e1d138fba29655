"""The notice editor's form: each publish says what changed, for the public history."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from retention_schedule.change_notes import start_next_change_blank


class NoticePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start_next_change_blank(self, change_summary="", material_change=True)

    def clean(self):
        cleaned_data = super().clean()
        # Publishing now, or sending it on its way to be published by a workflow's last approval.
        publishing = any(f"action-{action}" in self.data for action in ("publish", "submit", "restart-workflow"))
        unexplained = not (cleaned_data.get("change_summary") or "").strip()
        if publishing and unexplained and self.instance.pk and self.instance.versions.exists():
            self.add_error(
                "change_summary",
                forms.ValidationError(
                    _("Say what changed in a sentence: it is shown to the public in the notice's history.")
                ),
            )
        return cleaned_data
