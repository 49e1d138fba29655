# Django finds an app's models here; each lives in a module named for what it is.
from .approval import ComplianceOverride, DPOApprovalTask
from .organisation import OrganisationSettings
from .pages import PrivacyNoticeIndexPage, PrivacyNoticePage
from .registers import Audience, CookieDeclaration, Processor
from .versions import NoticeVersion

__all__ = [
    "Audience",
    "ComplianceOverride",
    "DPOApprovalTask",
    "CookieDeclaration",
    "OrganisationSettings",
    "PrivacyNoticeIndexPage",
    "PrivacyNoticePage",
    "Processor",
    "NoticeVersion",
]
