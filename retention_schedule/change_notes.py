"""What a register entry's next publish changes, in the words of the person publishing it.

Publishing a register entry changes every live document that shows it (in this
project, the privacy notices). Those documents record a new version with a
summary and a materiality flag worked out from the change; these two fields let
the DPO write the summary and overrule the flag.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import MultiFieldPanel


class ChangeMateriality(models.TextChoices):
    AUTOMATIC = "automatic", _("Decide by the rules")
    MATERIAL = "material", _("Material: people are told something new")
    NOT_MATERIAL = "not_material", _("Not material: a correction that changes nothing for people")


def start_next_change_blank(form, **blank_values) -> None:
    """Give a fresh edit of a published object blank "about this change" fields.

    The fields describe the *next* publish. Once published they belong to what
    that publish recorded, so an edit with no unsaved draft starts from
    ``blank_values`` instead of repeating them.
    """
    obj = form.instance
    if obj.pk and getattr(obj, "live", False) and not getattr(obj, "has_unpublished_changes", False):
        form.initial.update(blank_values)


class ChangeNotesForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start_next_change_blank(self, change_summary="", change_materiality=ChangeMateriality.AUTOMATIC)


class ChangeNotes(models.Model):
    change_summary = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_(
            "Optional. Shown in the public history of every notice that shows this entry. "
            "Leave blank to have it written from the change."
        ),
    )
    change_materiality = models.CharField(
        _("does this change matter to people?"),
        max_length=20,
        choices=ChangeMateriality.choices,
        default=ChangeMateriality.AUTOMATIC,
        help_text=_(
            "By the rules, a new recipient, a longer retention or a new cookie category is material "
            "and moves the notices' “Last updated”; corrections are not."
        ),
    )

    base_form_class = ChangeNotesForm

    class Meta:
        abstract = True


def change_notes_panel():
    return MultiFieldPanel(["change_summary", "change_materiality"], heading=_("About this change"))
