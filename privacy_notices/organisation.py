"""Who the controller is, how to reach its DPO, and where to complain."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="group")
class OrganisationSettings(BaseSiteSetting):
    controller_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    controller_address = models.TextField(_("postal address"), blank=True)
    controller_email = models.EmailField(_("email"), blank=True)
    controller_phone = models.CharField(_("telephone"), max_length=50, blank=True)
    registration_number = models.CharField(
        _("ICO registration number"), max_length=50, blank=True, help_text=_("Your data protection fee registration.")
    )
    dpo_name = models.CharField(_("data protection officer"), max_length=200, blank=True)
    dpo_email = models.EmailField(_("DPO email"), blank=True)
    dpo_phone = models.CharField(_("DPO telephone"), max_length=50, blank=True)
    dpo_address = models.TextField(_("DPO postal address"), blank=True)
    authority_name = models.CharField(
        _("supervisory authority"), max_length=200, default="Information Commissioner's Office"
    )
    authority_url = models.URLField(_("how to complain to it"), default="https://ico.org.uk/make-a-complaint/")
    authority_phone = models.CharField(_("its telephone"), max_length=50, default="0303 123 1113", blank=True)
    authority_address = models.TextField(
        _("its postal address"),
        blank=True,
        default="Information Commissioner's Office\nWycliffe House\nWater Lane\nWilmslow\nCheshire\nSK9 5AF",
    )

    panels = [
        MultiFieldPanel(
            ["controller_name", "controller_address", "controller_email", "controller_phone", "registration_number"],
            heading=_("The controller"),
        ),
        MultiFieldPanel(["dpo_name", "dpo_email", "dpo_phone", "dpo_address"], heading=_("Data protection officer")),
        MultiFieldPanel(
            ["authority_name", "authority_url", "authority_phone", "authority_address"],
            heading=_("Supervisory authority"),
        ),
    ]

    class Meta:
        verbose_name = _("organisation and DPO")

    def as_public_data(self) -> dict:
        return {
            "controller": {
                "name": self.controller_name,
                "address": self.controller_address,
                "email": self.controller_email,
                "telephone": self.controller_phone,
                "registration_number": self.registration_number,
            },
            "dpo": {
                "name": self.dpo_name,
                "email": self.dpo_email,
                "telephone": self.dpo_phone,
                "address": self.dpo_address,
            },
            "supervisory_authority": {
                "name": self.authority_name,
                "url": self.authority_url,
                "telephone": self.authority_phone,
                "address": self.authority_address,
            },
        }
