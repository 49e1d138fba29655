"""Lints of the processor and cookie registers: entries the DPO should look at, and why.

``processor_findings()`` and ``cookie_findings()`` return, for each entry that
has something wrong with it, frozen ``RegisterFinding`` objects: what is wrong
in words a DPO understands and what to do about it. The register listings show
them in a column with a filter; ``register_finding_counts()`` adds the
retention schedule's own checks for a summary of all three registers.

Like the schedule's checks, the lints read the *stored* rows, not what a form
would accept: rows written by an import, a migration or an older version of the
code never passed ``clean()``, and those are the ones worth catching. For a
live entry the row is its published version; unpublished changes wait in
revisions and are checked once published.

Each function costs a fixed number of queries however many entries there are.
"""

import datetime
import fnmatch
import re
from dataclasses import asdict, dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from retention_schedule.checks import Severity, findings_by_rule, schedule_findings

from .choices import CookieCategory, TransferSafeguard
from .document import register_references
from .pages import PrivacyNoticePage
from .registers import CookieDeclaration, Processor


class Kind:
    """The codes of the findings this module makes."""

    NO_TRANSFER_SAFEGUARD = "no_transfer_safeguard"
    PRIVACY_SHIELD = "privacy_shield"
    CONTRACT_REVIEW_OVERDUE = "contract_review_overdue"
    NOT_IN_ANY_NOTICE = "not_in_any_notice"
    TRACKING_COOKIE_STRICTLY_NECESSARY = "tracking_cookie_strictly_necessary"


@dataclass(frozen=True)
class RegisterFinding:
    """One thing about a processor or a cookie declaration that needs the DPO's attention."""

    kind: str
    label: str  # a few words, for a table column: "Relies on Privacy Shield"
    message: str  # what is wrong, in plain English
    action: str  # what to do about it
    severity: str = Severity.PROBLEM
    entry_pk: int | None = None
    entry_slug: str = ""

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    def as_data(self) -> dict:
        """The finding as plain, JSON-ready data."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data


def _finding(entry, kind, label, message, action, severity=Severity.PROBLEM) -> RegisterFinding:
    return RegisterFinding(
        kind=kind,
        label=str(label),
        message=str(message),
        action=str(action),
        severity=severity,
        entry_pk=entry.pk,
        entry_slug=entry.slug,
    )


def _problems_first(findings: dict[int, list[RegisterFinding]]) -> dict[int, list[RegisterFinding]]:
    return {
        pk: sorted(found, key=lambda finding: finding.severity != Severity.PROBLEM)
        for pk, found in findings.items()
        if found
    }


# Processors ------------------------------------------------------------------------------


def _transfer_findings(processor) -> list[RegisterFinding]:
    if processor.transfer_safeguard == TransferSafeguard.PRIVACY_SHIELD:
        return [
            _finding(
                processor,
                Kind.PRIVACY_SHIELD,
                _("Relies on Privacy Shield"),
                _(
                    "The transfer relies on the EU-US Privacy Shield, which the Court of Justice struck down on "
                    "16 July 2020 (Schrems II). It has protected no transfer since, and a notice that names it "
                    "tells people something untrue."
                ),
                _(
                    "Choose the safeguard now relied on, such as the UK-US data bridge for a certified US "
                    "organisation, or the IDTA. If no safeguard is in place, the transfer must stop until one is."
                ),
            )
        ]
    third_countries = processor.third_countries()
    if third_countries and not processor.transfer_safeguard:
        return [
            _finding(
                processor,
                Kind.NO_TRANSFER_SAFEGUARD,
                _("No transfer safeguard"),
                _(
                    "Data is held in %(countries)s, outside the UK, but the entry names no safeguard for the "
                    "transfer. A notice must tell people how their data is protected abroad (UK GDPR Article "
                    "13(1)(f))."
                )
                % {"countries": get_text_list([str(country.name) for country in third_countries], _("and"))},
                _(
                    "Choose the safeguard the transfer relies on: UK adequacy regulations, the UK-US data bridge, "
                    "the IDTA, the UK Addendum, binding corporate rules or an Article 49 derogation. If the data "
                    "no longer leaves the UK, correct the countries."
                ),
            )
        ]
    return []


def _contract_findings(processor, today) -> list[RegisterFinding]:
    # Every row, drafts included: the review date is about a real contract, which exists
    # whether or not its register entry is published.
    due = processor.contract_review_due
    if due is None or due >= today:
        return []
    return [
        _finding(
            processor,
            Kind.CONTRACT_REVIEW_OVERDUE,
            _("Contract review overdue"),
            _("The contract with %(name)s was due for review on %(due)s.")
            % {"name": processor.name, "due": date_format(due)},
            _(
                "Review the contract (what they do with the data, where they hold it, the security they "
                "promise), then enter the next review date in “Contract review due” and publish the entry."
            ),
        )
    ]


def _processors_shown() -> set[int]:
    """The pks of processors that live notices, as published, name directly or through a cookie."""
    # A live page's own row is its latest published content; drafts live in revisions.
    notices = PrivacyNoticePage.objects.live().only("pk", "sections")
    shown: set[int] = set()
    cookie_pks: set[int] = set()
    categories: set[str] = set()
    for notice in notices:
        refs = register_references(notice.sections.raw_data)
        shown.update(refs.processors)
        cookie_pks.update(refs.cookies)
        categories.update(refs.cookie_categories)
    if cookie_pks or categories:
        # A notice shows only live cookies (document.LiveEntries), so only their providers count.
        shown.update(
            CookieDeclaration.objects.filter(live=True, provider__isnull=False)
            .filter(Q(pk__in=cookie_pks) | Q(category__in=categories))
            .values_list("provider_id", flat=True)
        )
    return shown


def _use_findings(processors) -> dict[int, list[RegisterFinding]]:
    # A draft entry never shows on a notice, so only live ones can be missing from them.
    live = [processor for processor in processors if processor.live]
    if not live:
        return {}
    shown = _processors_shown()
    return {
        processor.pk: [
            _finding(
                processor,
                Kind.NOT_IN_ANY_NOTICE,
                _("Not in any notice"),
                _(
                    "No published privacy notice names %(name)s: none chooses them in a section on sharing, or "
                    "lists a cookie they provide. Drafts of notices, and unpublished changes to live ones, do "
                    "not count."
                )
                % {"name": processor.name},
                _(
                    "If they receive personal data from us, choose them in the sharing section of the notice for "
                    "the people concerned and publish it. If we no longer use them, unpublish this entry."
                ),
                Severity.ADVICE,
            )
        ]
        for processor in live
        if processor.pk not in shown
    }


def processor_findings(processors=None, today: datetime.date | None = None) -> dict[int, list[RegisterFinding]]:
    """What is wrong with each processor, keyed by the processor's pk; entries without findings are left out.

    ``processors``: the entries to check (any iterable of ``Processor``); by
    default every processor, drafts included. ``today``: the date contract
    reviews are due against; by default today where the site is (``TIME_ZONE``).
    Each entry's findings come problems first.
    """
    processors = list(Processor.objects.all() if processors is None else processors)
    if today is None:
        today = timezone.localdate()
    found: dict[int, list[RegisterFinding]] = {}
    for processor in processors:
        found[processor.pk] = _transfer_findings(processor) + _contract_findings(processor, today)
    for pk, findings in _use_findings(processors).items():
        found[pk] += findings
    return _problems_first(found)


# Cookies ---------------------------------------------------------------------------------


# Names of well-known analytics and advertising cookies, as the services that set them
# document them: (name or pattern, who sets it, the category it belongs in).
ANALYTICS, MARKETING = CookieCategory.ANALYTICS, CookieCategory.MARKETING
KNOWN_TRACKING_COOKIES: list[tuple[str, str, str]] = [
    ("_ga", "Google Analytics", ANALYTICS),
    ("_ga_*", "Google Analytics", ANALYTICS),
    ("_gid", "Google Analytics", ANALYTICS),
    ("_gat*", "Google Analytics", ANALYTICS),
    ("__utm*", "Google Analytics", ANALYTICS),
    ("_dc_gtm_*", "Google Analytics", ANALYTICS),
    ("_hj*", "Hotjar", ANALYTICS),
    ("_clck", "Microsoft Clarity", ANALYTICS),
    ("_clsk", "Microsoft Clarity", ANALYTICS),
    ("hubspotutk", "HubSpot", ANALYTICS),
    ("__hs*", "HubSpot", ANALYTICS),
    ("ajs_*", "Segment", ANALYTICS),
    ("mp_*", "Mixpanel", ANALYTICS),
    ("_gcl_*", "Google Ads", MARKETING),
    ("_gac_*", "Google Ads", MARKETING),
    ("IDE", "Google Ads (DoubleClick)", MARKETING),
    ("NID", "Google", MARKETING),
    ("_fbp", "Meta (Facebook)", MARKETING),
    ("_fbc", "Meta (Facebook)", MARKETING),
    ("_uet*", "Microsoft Advertising", MARKETING),
    ("MUID", "Microsoft Advertising", MARKETING),
    ("_ttp", "TikTok", MARKETING),
    ("_pin_unauth", "Pinterest", MARKETING),
]

# A declaration may list several names, or write a family as a pattern: "_ga, _gid", "_ga_*".
_NAME_SEPARATORS = re.compile(r"[\s,;/|]+")

# "Visits" and the like, after words that measure or count them.
_AUDIENCE = r"(?:visits?|visitors?|views?|people|users?|traffic|audiences?|usage|use)"
_TRACKING_WORDS = re.compile(
    rf"""\b(?:
        analytic(?:s|al)?
        | statistic(?:s|al)?
        | (?:measur|count)(?:e|es|ed|ing|ement|s)?\s+(?:\w+\s+){{0,3}}?{_AUDIENCE}
        | advert\w* | ads
        | (?:re)?marketing | retargeting
        | tracking | track(?:s|ed)?\s+(?:you|visitors?|users?|people)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# The cookie that remembers whether someone accepted analytics cookies is strictly necessary
# itself; its purpose names analytics without the cookie being one.
_REMEMBERS_CONSENT = re.compile(
    r"\b(?:remember|store|record|save|keep)(?:s|ed|ing)?\b[^.]{0,80}?"
    r"\b(?:consent|choices?|preferences?|whether (?:you|they) (?:accept|agree|reject|refuse))",
    re.IGNORECASE,
)


def known_tracking_cookie(name: str) -> tuple[str, str] | None:
    """Who sets a well-known analytics or advertising cookie of this name, and its category; else ``None``.

    ``name`` is a declaration's name as stored: one name, several, or a pattern
    (``_ga_*``, ``_ga_<container-id>``). Capitals do not matter.
    """
    for token in _NAME_SEPARATORS.split(name.strip().lower()):
        if not token:
            continue
        # "_ga*" covers "_ga" itself as well as "_ga_..."
        for candidate in {token, token.rstrip("*")}:
            for pattern, service, category in KNOWN_TRACKING_COOKIES:
                if candidate and fnmatch.fnmatchcase(candidate, pattern.lower()):
                    return service, category
    return None


def tracking_words(text: str) -> list[str]:
    """The words in ``text`` that speak of analytics, statistics, measuring visits, advertising or tracking."""
    return list(dict.fromkeys(" ".join(match.group().split()) for match in _TRACKING_WORDS.finditer(text or "")))


def _quoted(words) -> str:
    return get_text_list([_("“%(words)s”") % {"words": w} for w in words], _("and"))


def _providers_of(cookies) -> dict[int, Processor]:
    """The providers of ``cookies``, in one query for those not already fetched with them."""
    providers = {}
    missing = set()
    for cookie in cookies:
        if cookie.provider_id is None:
            continue
        if CookieDeclaration.provider.is_cached(cookie):
            providers[cookie.provider_id] = cookie.provider
        else:
            missing.add(cookie.provider_id)
    missing -= providers.keys()
    if missing:
        providers.update((p.pk, p) for p in Processor.objects.filter(pk__in=missing).only("pk", "name", "service"))
    return providers


def _necessary_cookie_findings(cookie, provider) -> list[RegisterFinding]:
    if cookie.category != CookieCategory.STRICTLY_NECESSARY:
        return []
    known = known_tracking_cookie(cookie.name)
    if known:
        service, category = known
        analytics = category == CookieCategory.ANALYTICS
        return [
            _finding(
                cookie,
                Kind.TRACKING_COOKIE_STRICTLY_NECESSARY,
                _("Analytics cookie marked strictly necessary")
                if analytics
                else _("Marketing cookie marked strictly necessary"),
                _(
                    "“%(name)s” is declared strictly necessary, but it is the name of a %(service)s cookie used "
                    "for %(use)s. Only cookies essential to a service the person asked for are exempt from "
                    "consent (PECR regulation 6); %(use)s cookies are not, so the site must ask before setting it."
                )
                % {"name": cookie.name, "service": service, "use": _("analytics") if analytics else _("advertising")},
                _("Change its category to %(category)s and check that the site sets it only after the person agrees.")
                % {"category": CookieCategory(category).label},
            )
        ]
    # Words are a weaker sign than a name: a finding to check, not a problem.
    purpose = "" if _REMEMBERS_CONSENT.search(cookie.purpose or "") else cookie.purpose
    provider_text = " ".join([provider.name, provider.service]) if provider else ""
    if words := tracking_words(purpose):
        where = _("its purpose mentions %(words)s") % {"words": _quoted(words)}
    elif words := tracking_words(provider_text):
        where = _("its provider, %(provider)s, is described with %(words)s") % {
            "provider": provider,
            "words": _quoted(words),
        }
    else:
        return []
    return [
        _finding(
            cookie,
            Kind.TRACKING_COOKIE_STRICTLY_NECESSARY,
            _("May not be strictly necessary"),
            _(
                "“%(name)s” is declared strictly necessary, but %(where)s. Cookies for analytics, statistics, "
                "advertising or tracking are never strictly necessary: under PECR regulation 6 the site must ask "
                "for consent before setting them."
            )
            % {"name": cookie.name, "where": where},
            _(
                "If the cookie is used for analytics or marketing, change its category and check that the site "
                "sets it only after the person agrees. If it really is essential to a service the person asked "
                "for, reword its purpose to say why."
            ),
            Severity.ADVICE,
        )
    ]


def cookie_findings(cookies=None, today: datetime.date | None = None) -> dict[int, list[RegisterFinding]]:
    """What is wrong with each cookie declaration, keyed by its pk; entries without findings are left out.

    ``cookies``: the declarations to check (any iterable of
    ``CookieDeclaration``); by default every one, drafts included. ``today`` is
    accepted for symmetry with ``processor_findings()``: no cookie lint depends
    on the date yet.
    """
    if cookies is None:
        cookies = CookieDeclaration.objects.select_related("provider")
    cookies = list(cookies)
    providers = _providers_of(cookie for cookie in cookies if cookie.category == CookieCategory.STRICTLY_NECESSARY)
    return _problems_first(
        {cookie.pk: _necessary_cookie_findings(cookie, providers.get(cookie.provider_id)) for cookie in cookies}
    )


# All the registers -----------------------------------------------------------------------


def register_finding_counts(today: datetime.date | None = None, rule_findings=None) -> dict[str, int]:
    """How many entries of each register have findings: processors, cookies and retention rules.

    ``rule_findings`` are the schedule's findings when the caller has already run its checks.
    """
    if today is None:
        today = timezone.localdate()
    if rule_findings is None:
        rule_findings = schedule_findings(today=today)
    return {
        "processors": len(processor_findings(today=today)),
        "cookies": len(cookie_findings(today=today)),
        "retention_rules": len(findings_by_rule(rule_findings)),
    }
