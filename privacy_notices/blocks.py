"""The typed sections a privacy notice is built from (UK GDPR Articles 13 and 14)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

from .choices import CookieCategory, DataKind, DataRight, DataSource, LawfulBasis, SpecialCategoryCondition

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


def heading_block(default):
    return blocks.CharBlock(label=_("heading"), default=default, max_length=200)


def intro_block():
    return blocks.RichTextBlock(label=_("introduction"), required=False, features=RICH_TEXT_FEATURES)


class DataCategoryBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("kind of information"), help_text=_("e.g. “Your name and contact details”."))
    details = blocks.TextBlock(label=_("details"), required=False)
    kind = blocks.ChoiceBlock(label=_("kind"), choices=DataKind.choices, default=DataKind.ORDINARY)


class PersonalDataBlock(blocks.StructBlock):
    """What we collect and where it comes from: Art. 14(1)(d), 14(2)(f) and 13(2)(e)."""

    heading = heading_block(_("The information we collect"))
    intro = intro_block()
    categories = blocks.ListBlock(DataCategoryBlock(), label=_("kinds of information"), min_num=1)
    source = blocks.ChoiceBlock(
        label=_("where it comes from"), choices=DataSource.choices, default=DataSource.FROM_PERSON
    )
    source_details = blocks.TextBlock(
        label=_("who else provides it"),
        required=False,
        help_text=_("Where it comes from someone else: who, and whether it is publicly available."),
    )
    requirement = blocks.TextBlock(
        label=_("must people provide it?"),
        required=False,
        help_text=_("Whether providing it is a legal or contractual requirement, and what happens if they do not."),
    )

    class Meta:
        icon = "form"
        label = _("Personal data collected")

    def clean(self, value):
        value = super().clean(value)
        if value["source"] != DataSource.FROM_PERSON and not (value["source_details"] or "").strip():
            raise StructBlockValidationError(
                {"source_details": ValidationError(_("Say who provides this information (Article 14(2)(f))."))}
            )
        return value


class PurposeBlock(blocks.StructBlock):
    purpose = blocks.CharBlock(label=_("purpose"), help_text=_("What we use the information for."))
    details = blocks.TextBlock(label=_("details"), required=False)
    lawful_basis = blocks.ChoiceBlock(label=_("lawful basis"), choices=LawfulBasis.choices)
    legitimate_interests = blocks.TextBlock(
        label=_("the legitimate interests"),
        required=False,
        help_text=_("Required when the basis is legitimate interests."),
    )
    special_category_condition = blocks.ChoiceBlock(
        label=_("special category condition"),
        choices=SpecialCategoryCondition.choices,
        required=False,
        help_text=_("Where special category data is used: the Article 9(2) condition."),
    )
    criminal_offence_condition = blocks.CharBlock(
        label=_("criminal offence data condition"),
        required=False,
        help_text=_("Where criminal offence data is used: the Schedule 1 DPA 2018 condition."),
    )

    def clean(self, value):
        value = super().clean(value)
        if (
            value["lawful_basis"] == LawfulBasis.LEGITIMATE_INTERESTS
            and not (value["legitimate_interests"] or "").strip()
        ):
            raise StructBlockValidationError(
                {
                    "legitimate_interests": ValidationError(
                        _("Describe the legitimate interests relied on (Article 13(1)(d)).")
                    )
                }
            )
        return value


class PurposesBlock(blocks.StructBlock):
    """Why we use it and the lawful basis for each purpose: Art. 13(1)(c) and (d)."""

    heading = heading_block(_("Why we use it and our lawful basis"))
    intro = intro_block()
    purposes = blocks.ListBlock(PurposeBlock(), label=_("purposes"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Purposes and lawful bases")


class OtherRecipientBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("who"))
    details = blocks.TextBlock(label=_("why and what"), required=False)


class SharingBlock(blocks.StructBlock):
    """Who receives the information: Art. 13(1)(e)."""

    heading = heading_block(_("Who we share it with"))
    intro = intro_block()
    # The optional lists start empty (default=[]): an empty item would be "required" and stop a new section
    # from saving until the editor deleted it. The editor adds items with the list's + button.
    processors = blocks.ListBlock(
        SnippetChooserBlock("privacy_notices.Processor"),
        label=_("from the processor register"),
        required=False,
        default=[],
    )
    other_recipients = blocks.ListBlock(OtherRecipientBlock(), label=_("other recipients"), required=False, default=[])

    class Meta:
        icon = "group"
        label = _("Sharing")


class RetentionBlock(blocks.StructBlock):
    """How long it is kept: Art. 13(2)(a), from the retention schedule."""

    heading = heading_block(_("How long we keep it"))
    intro = intro_block()
    rules = blocks.ListBlock(
        SnippetChooserBlock("retention_schedule.RetentionRule"),
        label=_("from the retention schedule"),
        required=False,
        default=[],
    )

    class Meta:
        icon = "time"
        label = _("Retention")


class TransfersBlock(blocks.StructBlock):
    """Transfers outside the UK: Art. 13(1)(f). The table comes from the processors shared with."""

    heading = heading_block(_("Sending information outside the UK"))
    intro = intro_block()

    class Meta:
        icon = "site"
        label = _("International transfers")


class CookiesBlock(blocks.StructBlock):
    """Cookies: PECR regulation 6. Chosen one by one, by whole category, or both."""

    heading = heading_block(_("Cookies"))
    intro = intro_block()
    categories = blocks.MultipleChoiceBlock(
        label=_("every cookie in these categories"), choices=CookieCategory.choices, required=False
    )
    cookies = blocks.ListBlock(
        SnippetChooserBlock("privacy_notices.CookieDeclaration"),
        label=_("and these cookies"),
        required=False,
        default=[],
    )

    class Meta:
        icon = "tasks"
        label = _("Cookies")


class AutomatedDecisionsBlock(blocks.StructBlock):
    """Automated decision-making and profiling: Art. 13(2)(f)."""

    heading = heading_block(_("Automated decisions"))
    uses_automated_decisions = blocks.BooleanBlock(
        label=_("we make decisions about people by automated means alone"), required=False
    )
    details = blocks.RichTextBlock(
        label=_("the logic and its consequences"),
        required=False,
        features=RICH_TEXT_FEATURES,
        help_text=_("If none are made, a sentence saying so is shown."),
    )

    class Meta:
        icon = "cogs"
        label = _("Automated decisions")

    def clean(self, value):
        value = super().clean(value)
        if value["uses_automated_decisions"] and not value["details"].source.strip():
            raise StructBlockValidationError(
                {"details": ValidationError(_("Explain the logic involved and its consequences for people."))}
            )
        return value


class RightsBlock(blocks.StructBlock):
    """People's rights: Art. 13(2)(b), (c) and (d)."""

    heading = heading_block(_("Your rights"))
    intro = intro_block()
    rights = blocks.MultipleChoiceBlock(
        label=_("rights to list"),
        choices=DataRight.choices,
        default=[r.value for r in DataRight if r != DataRight.PORTABILITY],
    )

    class Meta:
        icon = "user"
        label = _("Rights")


class TextSectionBlock(blocks.StructBlock):
    heading = heading_block(_("More information"))
    body = blocks.RichTextBlock(label=_("text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        label = _("Text")


class NoticeSectionsBlock(blocks.StreamBlock):
    personal_data = PersonalDataBlock()
    purposes = PurposesBlock()
    sharing = SharingBlock()
    retention = RetentionBlock()
    transfers = TransfersBlock()
    cookies = CookiesBlock()
    automated_decisions = AutomatedDecisionsBlock()
    rights = RightsBlock()
    text = TextSectionBlock()


class HubSectionsBlock(blocks.StreamBlock):
    """Organisation-wide sections on the hub: rights, complaints, contact, changes."""

    rights = RightsBlock()
    text = TextSectionBlock()
