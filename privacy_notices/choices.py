"""The legal vocabularies a notice is written in: UK GDPR articles, PECR cookie categories, DPV terms."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def label_for(choices, value) -> str:
    """The label of a stored choice, or the stored value itself if the choice no longer exists.

    Stored content outlives code: a choice renamed or removed must not turn
    every page that still holds it into an error.
    """
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1)."""

    CONSENT = "consent", _("Consent: Article 6(1)(a)")
    CONTRACT = "contract", _("Contract: Article 6(1)(b)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation: Article 6(1)(c)")
    VITAL_INTERESTS = "vital_interests", _("Vital interests: Article 6(1)(d)")
    PUBLIC_TASK = "public_task", _("Public task: Article 6(1)(e)")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests: Article 6(1)(f)")


class SpecialCategoryCondition(models.TextChoices):
    """UK GDPR Article 9(2)."""

    EXPLICIT_CONSENT = "a", _("Explicit consent: Article 9(2)(a)")
    EMPLOYMENT = "b", _("Employment, social security and social protection: Article 9(2)(b)")
    VITAL_INTERESTS = "c", _("Vital interests: Article 9(2)(c)")
    NOT_FOR_PROFIT = "d", _("Not-for-profit bodies: Article 9(2)(d)")
    MADE_PUBLIC = "e", _("Made public by the person: Article 9(2)(e)")
    LEGAL_CLAIMS = "f", _("Legal claims or judicial acts: Article 9(2)(f)")
    SUBSTANTIAL_PUBLIC_INTEREST = "g", _("Reasons of substantial public interest: Article 9(2)(g)")
    HEALTH_OR_SOCIAL_CARE = "h", _("Health or social care: Article 9(2)(h)")
    PUBLIC_HEALTH = "i", _("Public health: Article 9(2)(i)")
    ARCHIVING_RESEARCH = "j", _("Archiving, research and statistics: Article 9(2)(j)")


class DataRight(models.TextChoices):
    """Rights a notice tells people about (Articles 7(3), 15 to 22 and 77)."""

    ACCESS = "access", _("Access: a copy of your information (Article 15)")
    RECTIFICATION = "rectification", _("Rectification: correcting it (Article 16)")
    ERASURE = "erasure", _("Erasure: having it deleted (Article 17)")
    RESTRICTION = "restriction", _("Restriction: limiting how it is used (Article 18)")
    PORTABILITY = "portability", _("Portability: receiving it to reuse elsewhere (Article 20)")
    OBJECTION = "objection", _("Objection: objecting to its use (Article 21)")
    AUTOMATED_DECISIONS = (
        "automated_decisions",
        _("Not to be subject to decisions made solely by automated means (Article 22)"),
    )
    WITHDRAW_CONSENT = "withdraw_consent", _("Withdrawing consent at any time (Article 7(3))")
    COMPLAIN = "complain", _("Complaining to the supervisory authority (Article 77)")


class DataSource(models.TextChoices):
    FROM_PERSON = "person", _("From the person themselves")
    FROM_OTHERS = "others", _("From someone else")
    BOTH = "both", _("Both from the person and from others")


class DataKind(models.TextChoices):
    ORDINARY = "ordinary", _("Personal data")
    SPECIAL = "special", _("Special category data (Article 9)")
    CRIMINAL = "criminal", _("Criminal offence data (Article 10)")


class CookieCategory(models.TextChoices):
    """Categories used by the ICO's cookie guidance."""

    STRICTLY_NECESSARY = "strictly_necessary", _("Strictly necessary")
    FUNCTIONAL = "functional", _("Functional")
    ANALYTICS = "analytics", _("Analytics")
    MARKETING = "marketing", _("Marketing")


class CookieParty(models.TextChoices):
    FIRST = "first", _("First party")
    THIRD = "third", _("Third party")


class ProcessorRole(models.TextChoices):
    PROCESSOR = "processor", _("Processor acting on our behalf")
    SUB_PROCESSOR = "sub_processor", _("Sub-processor")
    INDEPENDENT_CONTROLLER = "independent_controller", _("Independent controller")
    JOINT_CONTROLLER = "joint_controller", _("Joint controller")
    RECIPIENT = "recipient", _("Recipient we share with")


class TransferSafeguard(models.TextChoices):
    """Safeguards for transfers outside the UK (UK GDPR Articles 45 to 49)."""

    NOT_NEEDED = "", _("None needed: data stays in the UK")
    UK_ADEQUACY = "uk_adequacy", _("UK adequacy regulations")
    UK_US_DATA_BRIDGE = "uk_us_data_bridge", _("UK-US data bridge (certified organisation)")
    IDTA = "idta", _("International Data Transfer Agreement (IDTA)")
    UK_ADDENDUM = "uk_addendum", _("UK Addendum to the EU standard contractual clauses")
    BINDING_CORPORATE_RULES = "bcr", _("Binding corporate rules")
    DEROGATION = "art49", _("Article 49 derogation")
    # Invalidated by the CJEU on 16 July 2020 (Schrems II). Kept so that a register
    # that still relies on it can be recorded truthfully and flagged.
    PRIVACY_SHIELD = "privacy_shield", _("EU-US Privacy Shield (invalid since 16 July 2020)")


class DataSubjectTerm(models.TextChoices):
    """W3C Data Privacy Vocabulary data-subject terms."""

    DATA_SUBJECT = "dpv:DataSubject", _("Any person (dpv:DataSubject)")
    VISITOR = "dpv:Visitor", _("Visitor (dpv:Visitor)")
    USER = "dpv:User", _("User of a service (dpv:User)")
    CITIZEN = "dpv:Citizen", _("Member of the public (dpv:Citizen)")
    CUSTOMER = "dpv:Customer", _("Customer (dpv:Customer)")
    SUBSCRIBER = "dpv:Subscriber", _("Subscriber (dpv:Subscriber)")
    JOB_APPLICANT = "dpv:JobApplicant", _("Job applicant (dpv:JobApplicant)")
    EMPLOYEE = "dpv:Employee", _("Employee (dpv:Employee)")
    PATIENT = "dpv:Patient", _("Patient (dpv:Patient)")
