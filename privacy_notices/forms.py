"""The notice editor's form: each publish says what changed, and a publish with compliance gaps says why."""

import copy
import json

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from retention_schedule.change_notes import start_next_change_blank

from .approval import OVERRIDE_PERMISSION, REASON_FIELD, reason_required_message
from .compliance import compliance_report, hub_sections_for, hub_sections_of, missing_items

# The page fields a notice document is resolved from.
_DOCUMENT_FIELDS = ("title", "slug", "audience", "summary", "sections")


class NoticePageForm(WagtailAdminPageForm):
    # Not a page field: it belongs to one publish, and is kept as a ComplianceOverride (see approval.py).
    compliance_override_reason = forms.CharField(
        label=_("Reason for publishing with gaps"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_(
            "Only when publishing a notice whose compliance report shows missing items: why it is published "
            "anyway. Kept with the version and in the audit log."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start_next_change_blank(self, change_summary="", material_change=True)

    def draft(self):
        """The notice as this form would save it, for the compliance report; never saved itself."""
        page = copy.copy(self.instance)
        for name in _DOCUMENT_FIELDS:
            if name in self.cleaned_data:
                setattr(page, name, self.cleaned_data[name])
        return page

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
        if "action-publish" in self.data and not self.errors:
            self.check_gaps_are_explained(cleaned_data)
        elif self.approving_in_the_dpo_task() and not self.errors:
            self.check_approval_gives_a_reason()
        return cleaned_data

    def draft_report(self) -> dict:
        """The compliance report of the notice as this form would save it."""
        draft = self.draft()
        # A new notice has no place in the tree yet: its hub is the page it is being added under.
        hub_sections = hub_sections_for(draft) if draft.pk else hub_sections_of(getattr(self, "parent_page", None))
        return compliance_report(_resolve(draft), hub_sections)

    def approving_in_the_dpo_task(self) -> bool:
        """Whether this post approves (and so publishes) the notice in the DPO approval task, from the editor."""
        from .approval import DPOApprovalTask

        if not (self.data.get("action-workflow-action") and self.data.get("workflow-action-name") == "approve"):
            return False
        task = self.instance.current_workflow_task if self.instance.pk else None
        return isinstance(task, DPOApprovalTask)

    def check_approval_gives_a_reason(self):
        """Approving from the editor, perhaps with edits: the gaps of what is approved need the screen's reason.

        The approval screen asked for a reason if the notice it showed had gaps;
        edits made in the same step may have added some. The task refuses such an
        approval too (``DPOApprovalTask.on_action``); this says why, in the editor.
        """
        try:
            extra = json.loads(self.data.get("workflow-action-extra-data") or "{}")
        except ValueError:
            extra = {}
        reason = extra.get("override_reason") if isinstance(extra, dict) else ""
        if not isinstance(reason, str):  # a tampered post: no reason at all
            reason = ""
        if missing_items(self.draft_report()) and not reason.strip():
            raise forms.ValidationError(
                _(
                    "This notice is missing items the law requires (see the compliance report). Save your changes, "
                    "then approve it again: the approval screen asks why it is published with gaps."
                )
            )

    def check_gaps_are_explained(self, cleaned_data):
        """Publishing with a required item missing needs a reason from someone allowed to give one."""
        report = self.draft_report()
        if not missing_items(report):
            return
        if not (self.for_user and self.for_user.has_perm(OVERRIDE_PERMISSION)):
            raise forms.ValidationError(
                _(
                    "This notice is missing items the law requires (see the compliance report). Complete them, "
                    "or submit it for approval: only a data protection officer can publish it with gaps."
                )
            )
        if not (cleaned_data.get(REASON_FIELD) or "").strip():
            self.add_error(REASON_FIELD, reason_required_message())


def _resolve(page) -> dict:
    from .document import resolve_notice

    return resolve_notice(page)
