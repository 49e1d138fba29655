from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.fields import ReadOnlyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PublishingPanel
from wagtail.api import APIField
from wagtail.models import DraftStateMixin, LockableMixin, PreviewableMixin, RevisionMixin
from wagtail.search import index

from .change_notes import ChangeNotes, change_notes_panel
from .in_use import RefuseDeleteWhileInUse
from .periods import parse_period, validate_period


class PeriodType(models.TextChoices):
    FIXED = "fixed", _("A fixed period")
    PERMANENT = "permanent", _("Kept permanently")
    UNTIL_EVENT = "until_event", _("Until an event (no fixed length)")


class DisposalAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")
    REVIEW = "review", _("Review")
    ARCHIVE = "archive", _("Transfer to archive")


# What has happened to the records, for tables ("What happens then: Deleted").
_ACTION_OUTCOMES = {
    DisposalAction.DELETE: _("Deleted"),
    DisposalAction.ANONYMISE: _("Anonymised"),
    DisposalAction.REVIEW: _("Reviewed"),
    DisposalAction.ARCHIVE: _("Transferred to the archive"),
}

# How each action reads at the end of a plain-English summary ("..., then deleted").
_ACTION_PHRASES = {
    DisposalAction.DELETE: _("then deleted"),
    DisposalAction.ANONYMISE: _("then anonymised"),
    DisposalAction.REVIEW: _("then reviewed"),
    DisposalAction.ARCHIVE: _("then transferred to the archive"),
}


class RetentionRule(
    RefuseDeleteWhileInUse,
    ChangeNotes,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    models.Model,
):
    """One record class in the retention schedule: how long it is kept and what happens then."""

    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[validate_slug],
        help_text=_("A stable code for this rule, used in links and exports, e.g. COMP-01. Do not reuse codes."),
    )
    record_class = models.CharField(
        _("record class"), max_length=200, help_text=_("What is kept, e.g. “Complaint case files”.")
    )
    business_function = models.CharField(
        _("business function"),
        max_length=100,
        blank=True,
        help_text=_("Groups rules on the schedule, e.g. Complaints."),
    )
    description = models.TextField(_("description"), blank=True)
    data_categories = models.TextField(
        _("personal data concerned"), blank=True, help_text=_("The kinds of personal data these records hold.")
    )
    period_type = models.CharField(
        _("kind of period"), max_length=20, choices=PeriodType.choices, default=PeriodType.FIXED
    )
    period = models.CharField(
        _("retention period"),
        max_length=20,
        blank=True,
        validators=[validate_period],
        help_text=_("An ISO 8601 duration: P2Y is 2 years, P12M 12 months, P30D 30 days, P1Y6M 18 months."),
    )
    trigger = models.CharField(
        _("counted from"),
        max_length=200,
        blank=True,
        help_text=_("The event the period counts from, e.g. “the closure of the case” or “receipt”."),
    )
    criteria = models.TextField(
        _("criteria"),
        blank=True,
        help_text=_("Where there is no fixed period, the criteria used to decide how long records are kept."),
    )
    disposal_action = models.CharField(
        _("at the end"), max_length=20, choices=DisposalAction.choices, default=DisposalAction.DELETE
    )
    authority = models.TextField(
        _("authority"), blank=True, help_text=_("The law, regulation or policy the period comes from.")
    )
    exceptions = models.TextField(
        _("exceptions"), blank=True, help_text=_("When records are kept longer, e.g. while legal action continues.")
    )
    owner = models.CharField(_("owner"), max_length=200, blank=True, help_text=_("The team responsible."))
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    review_interval = models.CharField(
        _("review every"),
        max_length=20,
        blank=True,
        default="P1Y",
        validators=[validate_period],
        help_text=_("How often the rule is reviewed, as an ISO 8601 duration: P1Y is every year."),
    )

    panels = [
        MultiFieldPanel(
            [
                # Required even on drafts: the code is unique, so two blank drafts would clash.
                FieldRowPanel([FieldPanel("code", required_on_save=True), "business_function"]),
                "record_class",
                "description",
                "data_categories",
            ],
            heading=_("Records"),
        ),
        MultiFieldPanel(
            [
                "period_type",
                FieldRowPanel(["period", "trigger"]),
                "criteria",
                "disposal_action",
                "exceptions",
            ],
            heading=_("How long they are kept"),
        ),
        MultiFieldPanel(
            ["authority", FieldRowPanel(["owner", "last_reviewed", "review_interval"])], heading=_("Governance")
        ),
        change_notes_panel(),
        PublishingPanel(),
    ]

    # Public surface of the API v2: as_public_data(), never the owner, the reviews or the change notes.
    api_fields = [
        "code",
        "record_class",
        "business_function",
        "description",
        "data_categories",
        "period_type",
        APIField("period", serializer=ReadOnlyField(source="as_public_data.period")),
        APIField("period_text", serializer=ReadOnlyField(source="as_public_data.period_text")),
        "trigger",
        "criteria",
        "disposal_action",
        APIField("disposal_action_text", serializer=ReadOnlyField(source="as_public_data.disposal_action_text")),
        "exceptions",
        "authority",
        APIField("summary", serializer=ReadOnlyField(source="as_public_data.summary")),
    ]

    # search_index.py keeps the index up to date, so that an import can index once at the end.
    search_auto_update = False
    search_fields = [
        index.SearchField("record_class"),
        index.SearchField("code"),
        index.AutocompleteField("code"),
        index.SearchField("description"),
        index.SearchField("data_categories"),
        index.AutocompleteField("record_class"),
        index.FilterField("business_function"),
        index.FilterField("period_type"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["business_function", "record_class"]

    def __str__(self):
        return f"{self.record_class} ({self.code})"

    def clean(self):
        super().clean()
        errors = {}
        self.period = (self.period or "").strip().upper()
        if self.period_type == PeriodType.FIXED:
            if not self.period:
                errors["period"] = _("Give the retention period, e.g. P2Y for 2 years.")
            if not self.trigger.strip():
                errors["trigger"] = _("Say what the period counts from, e.g. “the closure of the case”.")
        elif self.period:
            errors["period"] = _("Leave the period empty: this rule has no fixed period.")
        if self.period_type == PeriodType.PERMANENT and self.disposal_action in (
            DisposalAction.DELETE,
            DisposalAction.ANONYMISE,
        ):
            errors["disposal_action"] = _(
                "Records kept permanently are not deleted or anonymised: choose “Transfer to archive” or “Review”."
            )
        if self.period_type == PeriodType.UNTIL_EVENT and not self.criteria.strip():
            errors["criteria"] = _("Describe the criteria used to decide how long these records are kept.")
        if errors:
            raise ValidationError(errors)

    # Reading the rule -----------------------------------------------------------------

    @property
    def parsed_period(self):
        """The period as a ``Period``, or None when the rule has no fixed period (or an unreadable one)."""
        if self.period_type != PeriodType.FIXED or not self.period:
            return None
        try:
            return parse_period(self.period)
        except ValidationError:  # a row written without validation: never fail a public page
            return None

    def disposal_date(self, trigger_date):
        """When records whose trigger event fell on ``trigger_date`` reach the end of their period.

        None when the rule has no fixed period (kept permanently, or until an event).
        """
        period = self.parsed_period
        return period.after(trigger_date) if period else None

    def next_review_date(self):
        """When the rule is next due for review: the last review plus the review interval.

        None when either is missing (the schedule checks report that separately).
        """
        if not self.last_reviewed or not self.review_interval:
            return None
        try:
            return parse_period(self.review_interval).after(self.last_reviewed)
        except (ValidationError, OverflowError, ValueError):
            return None

    def period_text(self) -> str:
        period = self.parsed_period
        return period.describe() if period else self.period

    def summary(self) -> str:
        """The rule in plain English, e.g. "2 years from the closure of the case, then deleted"."""
        action = _ACTION_PHRASES.get(self.disposal_action, self.disposal_action)
        if self.period_type == PeriodType.PERMANENT:
            return gettext("Kept permanently")
        if self.period_type == PeriodType.UNTIL_EVENT:
            until = self.trigger or self.criteria
            return gettext("Until %(event)s, %(action)s") % {"event": until, "action": action}
        return gettext("%(period)s from %(trigger)s, %(action)s") % {
            "period": self.period_text(),
            "trigger": self.trigger,
            "action": action,
        }

    def as_public_data(self) -> dict:
        """The rule's public fields as plain, JSON-ready data."""
        return {
            "code": self.code,
            "record_class": self.record_class,
            "business_function": self.business_function,
            "description": self.description,
            "data_categories": self.data_categories,
            "period_type": self.period_type,
            "period": self.period or None,
            "period_text": self.period_text() or None,
            "trigger": self.trigger,
            "criteria": self.criteria,
            "disposal_action": self.disposal_action,
            "disposal_action_text": str(_ACTION_OUTCOMES.get(self.disposal_action, self.disposal_action)),
            "exceptions": self.exceptions,
            "authority": self.authority,
            "summary": self.summary(),
        }

    def get_preview_template(self, request, mode_name):
        return "retention_schedule/previews/retention_rule.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["rule"] = self.as_public_data()
        return context


def published_rules() -> list:
    """The published rules in the public schedule's order: by business function, those without one last.

    One order for the page, the feeds and every export; the code breaks ties, so that two
    exports of the same schedule are the same file.
    """
    return list(RetentionRule.objects.filter(live=True).order_by(*schedule_order()))


def schedule_order() -> list:
    """The schedule's order for ``order_by``: by business function, those without one last; the code breaks ties."""
    without_function_last = models.Case(
        models.When(business_function="", then=models.Value(1)), default=models.Value(0)
    )
    return [without_function_last, "business_function", "record_class", "code"]


# The page lives in its own module; Django finds models through this one.
from .pages import RetentionSchedulePage  # noqa: E402, F401
