"""The DPO's registers: processors and recipients, the cookies the site sets, and audiences."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from rest_framework.fields import ReadOnlyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PublishingPanel
from wagtail.api import APIField
from wagtail.models import DraftStateMixin, LockableMixin, PreviewableMixin, RevisionMixin
from wagtail.search import index

from retention_schedule.change_notes import ChangeNotes, change_notes_panel
from retention_schedule.in_use import RefuseDeleteWhileInUse
from retention_schedule.periods import parse_period

from .choices import CookieCategory, CookieParty, DataSubjectTerm, ProcessorRole, TransferSafeguard, label_for


def slug_panel():
    # Required even on drafts: the code is unique, so two blank drafts would clash.
    return FieldPanel("slug", required_on_save=True)


# The UK is where the controller is: data held only here is not a transfer.
HOME_COUNTRY = "GB"


class Audience(index.Indexed, models.Model):
    """A group of people a notice speaks to: site visitors, complainants, job applicants..."""

    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. “People who make a complaint”."))
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in the notice's address."))
    description = models.TextField(_("description"), blank=True)
    data_subject = models.CharField(
        _("kind of data subject"),
        max_length=40,
        choices=DataSubjectTerm.choices,
        default=DataSubjectTerm.DATA_SUBJECT,
        help_text=_("The W3C Data Privacy Vocabulary term machine-readable notices use for these people."),
    )

    panels = ["name", "slug", "description", "data_subject"]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]
    api_fields = ["name", "slug", "description", "data_subject"]

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def as_public_data(self) -> dict:
        return {
            "name": self.name,
            "slug": self.slug,
            "description": self.description,
            "data_subject": self.data_subject,
        }


class RegisterEntry(
    RefuseDeleteWhileInUse,
    ChangeNotes,
    DraftStateMixin,
    LockableMixin,
    RevisionMixin,
    PreviewableMixin,
    index.Indexed,
    models.Model,
):
    """What every register entry shares: drafts, revisions, locking, previews, a stable slug, delete protection."""

    slug = models.SlugField(
        _("code"),
        max_length=100,
        unique=True,
        help_text=_("A stable identifier used in links and exports. Do not change it once published."),
    )

    preview_template = None

    class Meta:
        abstract = True

    def get_preview_template(self, request, mode_name):
        return self.preview_template

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        context["entry"] = self.as_public_data()
        return context


class Processor(RegisterEntry):
    """An organisation that receives personal data: a processor, another controller or a recipient."""

    name = models.CharField(_("name"), max_length=200, help_text=_("The organisation, e.g. “Google”."))
    service = models.CharField(
        _("service"), max_length=200, blank=True, help_text=_("What they provide, e.g. “Website analytics”.")
    )
    role = models.CharField(_("role"), max_length=30, choices=ProcessorRole.choices, default=ProcessorRole.PROCESSOR)
    purposes = models.TextField(_("why they receive data"), blank=True)
    data_categories = models.TextField(_("personal data they receive"), blank=True)
    countries = CountryField(
        _("where the data is held"),
        multiple=True,
        blank=True,
        help_text=_("Every country where the data is stored or can be accessed."),
    )
    transfer_safeguard = models.CharField(
        _("transfer safeguard"),
        max_length=30,
        choices=TransferSafeguard.choices,
        blank=True,
        help_text=_("What protects the data where it leaves the UK."),
    )
    safeguard_details = models.TextField(_("safeguard details"), blank=True)
    privacy_notice_url = models.URLField(_("their privacy notice"), blank=True)
    contract_signed = models.DateField(_("contract signed"), null=True, blank=True)
    contract_review_due = models.DateField(_("contract review due"), null=True, blank=True)
    # Internal fields: never public, never in a notice document or API.
    contract_reference = models.CharField(_("contract reference (internal)"), max_length=100, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True, help_text=_("Never shown to the public."))

    preview_template = "privacy_notices/previews/processor.html"

    panels = [
        MultiFieldPanel(
            [FieldRowPanel(["name", slug_panel()]), "service", "role", "purposes", "data_categories"],
            heading=_("Who and why"),
        ),
        MultiFieldPanel(
            ["countries", "transfer_safeguard", "safeguard_details", "privacy_notice_url"],
            heading=_("Where the data goes"),
        ),
        MultiFieldPanel(
            [FieldRowPanel(["contract_signed", "contract_review_due"]), "contract_reference", "internal_notes"],
            heading=_("Contract (internal)"),
        ),
        change_notes_panel(),
        PublishingPanel(),
    ]

    # Public surface of the API v2 (privacy_notices.api): as_public_data(), never the contract or notes.
    api_fields = [
        "slug",
        "name",
        "service",
        "role",
        APIField("role_text", serializer=ReadOnlyField(source="as_public_data.role_text")),
        "purposes",
        "data_categories",
        APIField("countries", serializer=ReadOnlyField(source="as_public_data.countries")),
        APIField("third_countries", serializer=ReadOnlyField(source="as_public_data.third_countries")),
        "transfer_safeguard",
        APIField("transfer_safeguard_text", serializer=ReadOnlyField(source="as_public_data.transfer_safeguard_text")),
        "safeguard_details",
        "privacy_notice_url",
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("service"),
        index.SearchField("slug"),
        index.AutocompleteField("name"),
        index.AutocompleteField("slug"),
        index.FilterField("role"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("processor or recipient")
        verbose_name_plural = _("processors and recipients")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}: {self.service}" if self.service else self.name

    def countries_text(self) -> str:
        return ", ".join(str(country.name) for country in self.countries)

    def transfer_safeguard_text(self) -> str:
        # An empty safeguard reads "None needed: data stays in the UK", which is
        # false where data leaves the UK (rows written without clean(), e.g. imports).
        if not self.transfer_safeguard and self.third_countries():
            return gettext("Not stated")
        return label_for(TransferSafeguard, self.transfer_safeguard)

    def third_countries(self) -> list:
        return [country for country in self.countries if country.code != HOME_COUNTRY]

    def clean(self):
        super().clean()
        if self.third_countries() and not self.transfer_safeguard:
            raise ValidationError(
                {
                    "transfer_safeguard": _(
                        "Data is held outside the UK (%(countries)s): say which safeguard protects the transfer."
                    )
                    % {"countries": ", ".join(str(c.name) for c in self.third_countries())}
                }
            )

    def as_public_data(self) -> dict:
        return {
            "slug": self.slug,
            "name": self.name,
            "service": self.service,
            "role": self.role,
            "role_text": label_for(ProcessorRole, self.role),
            "purposes": self.purposes,
            "data_categories": self.data_categories,
            "countries": [{"code": c.code, "name": str(c.name)} for c in self.countries],
            "third_countries": [{"code": c.code, "name": str(c.name)} for c in self.third_countries()],
            "transfer_safeguard": self.transfer_safeguard,
            "transfer_safeguard_text": self.transfer_safeguard_text(),
            "safeguard_details": self.safeguard_details,
            "privacy_notice_url": self.privacy_notice_url,
        }


def cookie_category_rank() -> models.Case:
    """A cookie's category as a number to order by: the ICO's order (strictly necessary first).

    A category no longer in the code comes last on every database (a Case without a
    default gives NULL, which SQLite sorts first and PostgreSQL last).
    """
    return models.Case(
        *[models.When(category=c, then=models.Value(i)) for i, c in enumerate(CookieCategory.values)],
        default=models.Value(len(CookieCategory.values)),
        output_field=models.IntegerField(),
    )


SESSION = "session"


def validate_cookie_lifetime(value: str) -> None:
    if value.strip().lower() == SESSION:
        return
    try:
        parse_period(value, allow_time=True)
    except ValidationError:
        raise ValidationError(
            _(
                "“%(value)s” is not a cookie lifetime. Write “session” for a cookie that goes when the browser "
                "closes, or an ISO 8601 duration such as P2Y (2 years), P1D (1 day) or PT30M (30 minutes)."
            ),
            code="invalid_lifetime",
            params={"value": value},
        ) from None


class CookieDeclaration(RegisterEntry):
    """A cookie (or a family of cookies, by pattern) that the site sets or lets others set."""

    name = models.CharField(
        _("name or pattern"), max_length=200, help_text=_("The cookie's name, or a pattern such as _ga_*.")
    )
    provider = models.ForeignKey(
        Processor,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cookies",
        help_text=_("The service that sets or reads it. Leave empty for the site's own cookies."),
    )
    purpose = models.TextField(_("purpose"))
    category = models.CharField(_("category"), max_length=30, choices=CookieCategory.choices)
    lifetime = models.CharField(
        _("expires"),
        max_length=30,
        default=SESSION,
        validators=[validate_cookie_lifetime],
        help_text=_("“session” if it goes when the browser closes, else an ISO 8601 duration: P2Y, P1D, PT30M."),
    )
    party = models.CharField(_("set by"), max_length=10, choices=CookieParty.choices, default=CookieParty.FIRST)

    preview_template = "privacy_notices/previews/cookie.html"

    panels = [
        FieldRowPanel(["name", slug_panel()]),
        "provider",
        "purpose",
        FieldRowPanel(["category", "party"]),
        "lifetime",
        change_notes_panel(),
        PublishingPanel(),
    ]

    # Public surface of the API v2 (privacy_notices.api): as_public_data(), so a draft provider is never named.
    api_fields = [
        "slug",
        "name",
        APIField("provider", serializer=ReadOnlyField(source="as_public_data.provider")),
        APIField("provider_slug", serializer=ReadOnlyField(source="as_public_data.provider_slug")),
        "purpose",
        "category",
        APIField("category_text", serializer=ReadOnlyField(source="as_public_data.category_text")),
        "lifetime",
        APIField("lifetime_text", serializer=ReadOnlyField(source="as_public_data.lifetime_text")),
        "party",
        APIField("party_text", serializer=ReadOnlyField(source="as_public_data.party_text")),
    ]

    search_fields = [
        index.SearchField("name"),
        index.SearchField("purpose"),
        index.AutocompleteField("name"),
        index.FilterField("category"),
        index.FilterField("live"),
    ]

    class Meta:
        verbose_name = _("cookie declaration")
        verbose_name_plural = _("cookie declarations")
        ordering = ["category", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.lifetime = self.lifetime.strip()
        if self.lifetime.lower() == SESSION:
            self.lifetime = SESSION
        else:
            self.lifetime = self.lifetime.upper()

    def lifetime_text(self) -> str:
        if self.lifetime == SESSION:
            return gettext("When you close your browser")
        try:
            return parse_period(self.lifetime, allow_time=True).describe()
        except ValidationError:  # a row written without validation: show what is stored
            return self.lifetime

    def as_public_data(self) -> dict:
        """Public fields; the provider must be live or it is shown as unnamed (never its draft)."""
        provider = self.provider if self.provider_id and self.provider.live else None
        return {
            "slug": self.slug,
            "name": self.name,
            "provider": provider.name if provider else (gettext("Us") if self.party == CookieParty.FIRST else ""),
            "provider_slug": provider.slug if provider else None,
            "purpose": self.purpose,
            "category": self.category,
            "category_text": label_for(CookieCategory, self.category),
            "lifetime": self.lifetime,
            "lifetime_text": self.lifetime_text(),
            "party": self.party,
            "party_text": label_for(CookieParty, self.party),
        }
