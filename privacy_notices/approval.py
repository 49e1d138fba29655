"""The DPO's approval: the workflow task, and the reasons recorded for publishing a notice with gaps.

Editors submit notices to the "DPO approval" workflow (made by a migration,
see ``roles.py``). Its one task, ``DPOApprovalTask``, is a Wagtail group
approval task for the "Data protection officers" group whose approval screen
shows the compliance report of the draft and what it changes from the live
notice. Approving always goes through that screen, so the DPO cannot approve
without seeing it.

A notice whose report has gaps is published only with a reason from someone
allowed to override the checks (``privacy_notices.override_compliance``, which
the DPO group has): given on the approval screen, or in the editor's "About
this change" panel when a DPO publishes directly. The reason is kept as a
``ComplianceOverride`` for the revision published, shown in the notice's
versions, and written to Wagtail's audit log.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.forms import TaskStateCommentForm
from wagtail.log_actions import log
from wagtail.models import AbstractGroupApprovalTask, TaskState

from .compliance import describe_gaps, missing_items, notice_report

OVERRIDE_PERMISSION = "privacy_notices.override_compliance"
OVERRIDE_LOG_ACTION = "privacy_notices.compliance_override"
REASON_FIELD = "compliance_override_reason"


def is_notice(obj) -> bool:
    from .pages import PrivacyNoticePage

    return isinstance(obj, PrivacyNoticePage)


def latest_content(page):
    """The notice as its latest revision has it: what approving or publishing would make live."""
    page = page.specific
    return page.get_latest_revision_as_object() if page.latest_revision_id else page


def reason_required_message() -> str:
    return gettext(
        "This notice is missing items the law requires (see the compliance report). To publish it anyway, "
        "record why in “Reason for publishing with gaps”."
    )


class ComplianceOverride(models.Model):
    """Why a notice was published although its compliance report had gaps, who said so, and when."""

    notice = models.ForeignKey(
        "privacy_notices.PrivacyNoticePage",
        verbose_name=_("notice"),
        # Only a notice never published can be deleted (see wagtail_hooks); its overrides go with it.
        on_delete=models.CASCADE,
        related_name="compliance_overrides",
    )
    # A plain id, as on NoticeVersion: the record outlives the revision it was given for.
    revision_id = models.BigIntegerField(_("revision"), db_index=True)
    reason = models.TextField(_("reason"))
    gaps = models.JSONField(_("missing items"), help_text=_("The report's missing items when the reason was given."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.CharField(_("given by (name)"), max_length=255)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    via = models.CharField(
        _("given when"),
        max_length=20,
        choices=[("approval", _("Approving in the DPO approval workflow")), ("publish", _("Publishing directly"))],
    )

    class Meta:
        verbose_name = _("reason for publishing with gaps")
        verbose_name_plural = _("reasons for publishing with gaps")
        ordering = ["-recorded_at"]

    def __str__(self):
        return self.reason

    def gaps_text(self) -> str:
        return "; ".join(f"{'/'.join(gap.get('articles', []))} {gap.get('title', '')}".strip() for gap in self.gaps)


def record_override(page, *, revision, report: dict, reason: str, user, via: str) -> ComplianceOverride:
    """Keep the reason for publishing ``revision`` of ``page`` with gaps, and log it in Wagtail's audit log."""
    gaps = [
        {"code": item["code"], "articles": item["articles"], "title": item["title"], "detail": item["detail"]}
        for item in missing_items(report)
    ]
    override = ComplianceOverride.objects.create(
        notice_id=page.pk,
        revision_id=revision.pk,
        reason=reason,
        gaps=gaps,
        user=user,
        recorded_by=(user.get_full_name() or user.get_username()) if user else "",
        via=via,
    )
    log(
        instance=page,
        action=OVERRIDE_LOG_ACTION,
        user=user,
        revision=revision,
        data={"reason": reason, "gaps": gaps, "via": via},
    )
    return override


class DPOApprovalForm(forms.Form):
    """The approval screen's form: a comment, and the reason the law's gaps are accepted, when there are any."""

    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea({"rows": 2}))
    override_reason = forms.CharField(
        label=_("Reason for publishing with gaps"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Needed only when the report shows missing items. Kept with the version and in the audit log."),
    )
    # Which task state this screen is about (the template fills it in), so the form can read the report.
    # Not named "task_state": the cleaned data is passed to Task.on_action() as keyword arguments, and
    # on_action() takes a positional "task_state" already.
    reviewed_task_state = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned_data = super().clean()
        task_state = TaskState.objects.filter(pk=cleaned_data.get("reviewed_task_state")).first()
        if task_state is None:
            # Without it the report cannot be checked here; refuse rather than leave it to on_action().
            raise forms.ValidationError(
                gettext("This approval screen is out of date. Close it and open it again from the notice.")
            )
        page = task_state.workflow_state.content_object
        if page is not None and is_notice(page.specific):
            report = notice_report(latest_content(page))
            if missing_items(report) and not (cleaned_data.get("override_reason") or "").strip():
                self.add_error("override_reason", reason_required_message())
        return cleaned_data


class DPOApprovalTask(AbstractGroupApprovalTask):
    """Approval by the data protection officers, on a screen that shows the compliance report and the diff."""

    class Meta:
        verbose_name = _("DPO approval task")
        verbose_name_plural = _("DPO approval tasks")

    def get_actions(self, obj, user):
        if not (user.is_superuser or self._user_in_groups(user)):
            return []
        # Both open the approval screen: nobody approves without seeing the report and the diff.
        return [
            ("reject", gettext("Request changes"), True),
            ("approve", gettext("Approve and publish"), True),
        ]

    def get_form_for_action(self, action):
        # Requesting changes needs only the comment; approving may need the reason too.
        return DPOApprovalForm if action == "approve" else TaskStateCommentForm

    def get_template_for_action(self, action):
        return "privacy_notices/admin/dpo_approval_modal.html"

    @classmethod
    def get_description(cls):
        return gettext(
            "Members of the chosen groups approve, seeing the notice's compliance report and what it changes."
        )

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        reason = kwargs.pop("override_reason", "")
        # The editor's approve posts this as JSON, so it may be anything: only a text is a reason.
        reason = reason.strip() if isinstance(reason, str) else ""
        kwargs.pop("reviewed_task_state", None)
        if action_name == "approve":
            page = task_state.workflow_state.content_object.specific
            if is_notice(page):
                content = latest_content(page)
                report = notice_report(content)
                if missing_items(report):
                    if not reason:
                        # Only reachable by posting round the approval screen (its form asks for the reason).
                        raise PermissionDenied(reason_required_message())
                    record_override(
                        page,
                        revision=page.get_latest_revision(),
                        report=report,
                        reason=reason,
                        user=user,
                        via="approval",
                    )
        return super().on_action(task_state, user, action_name, **kwargs)


__all__ = ["ComplianceOverride", "DPOApprovalTask", "describe_gaps", "record_override"]
