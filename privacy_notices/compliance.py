"""The law's checklist for a notice: each item UK GDPR Articles 13 and 14 require, present or missing.

``compliance_report()`` reads a resolved notice document (``document.py``), the
same one the public page, the JSON and the versions are built from, so the
report says what the public is actually told: a draft register entry chosen on
a notice does not count, and neither does a section Wagtail would not show.

Each item names the section to fix: the section of the notice that holds it (or
should), the hub's sections where the notice relies on them (rights listed once
for everyone), or the organisation settings (who we are, the DPO, the ICO).

Article 14 items are checked when the notice says information comes from
someone else; Article 13(2)(e) (whether people must provide it) only when it
comes from the person. Items that depend on the lawful basis (legitimate
interests, withdrawing consent, objection, portability) apply only where that
basis is relied on.
"""

import json
from dataclasses import dataclass

from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import DataKind, DataRight, DataSource, LawfulBasis, SpecialCategoryCondition, TransferSafeguard

PRESENT = "present"
MISSING = "missing"
NOT_APPLICABLE = "not_applicable"

# Where an item was found, or is to be fixed.
IN_NOTICE = "notice"
IN_HUB = "hub"
IN_ORGANISATION = "organisation"


@dataclass(frozen=True)
class Item:
    """One thing a notice must tell people."""

    code: str  # stable, for JSON and tests: "controller"
    article_13: str  # "13(1)(a)"; "" where Article 13 has no such item
    article_14: str  # "14(1)(a)"; "" where Article 14 has no such item
    title: object  # lazy text: "Who we are and how to contact us"
    section_type: str  # the block type that holds it, or IN_ORGANISATION
    fix: object  # lazy text: what to do when it is missing


ITEMS = (
    Item(
        "controller",
        "13(1)(a)",
        "14(1)(a)",
        gettext_lazy("Who the controller is and how to contact it"),
        IN_ORGANISATION,
        gettext_lazy(
            "Give the organisation's name and at least one way to contact it in Settings → Organisation and DPO."
        ),
    ),
    Item(
        "dpo",
        "13(1)(b)",
        "14(1)(b)",
        gettext_lazy("How to contact the data protection officer"),
        IN_ORGANISATION,
        gettext_lazy("Give the DPO's email, telephone or postal address in Settings → Organisation and DPO."),
    ),
    Item(
        "purposes",
        "13(1)(c)",
        "14(1)(c)",
        gettext_lazy("Why the information is used, and the lawful basis for each purpose"),
        "purposes",
        gettext_lazy("Add a “Purposes and lawful bases” section listing each purpose with its lawful basis."),
    ),
    Item(
        "legitimate_interests",
        "13(1)(d)",
        "14(2)(b)",
        gettext_lazy("The legitimate interests relied on"),
        "purposes",
        gettext_lazy("Describe the legitimate interests for every purpose whose basis is legitimate interests."),
    ),
    Item(
        "recipients",
        "13(1)(e)",
        "14(1)(e)",
        gettext_lazy("Who receives the information"),
        "sharing",
        gettext_lazy(
            "Add a “Sharing” section: choose processors from the register, name other recipients, or say that "
            "nobody else receives it."
        ),
    ),
    Item(
        "transfers",
        "13(1)(f)",
        "14(1)(f)",
        gettext_lazy("Transfers outside the UK and the safeguard for each"),
        "transfers",
        gettext_lazy(
            "Each processor that holds data outside the UK needs a valid transfer safeguard in the processor "
            "register (the DPO sets it); an “International transfers” section explains them to people."
        ),
    ),
    Item(
        "retention",
        "13(2)(a)",
        "14(2)(a)",
        gettext_lazy("How long the information is kept, or the criteria used to decide"),
        "retention",
        gettext_lazy("Add a “Retention” section and choose the rules that apply from the retention schedule."),
    ),
    Item(
        "rights",
        "13(2)(b)",
        "14(2)(c)",
        gettext_lazy("People's rights: access, rectification, erasure, restriction, objection, portability"),
        "rights",
        gettext_lazy("Add a “Rights” section (or one on the hub) and tick every right that applies."),
    ),
    Item(
        "withdraw_consent",
        "13(2)(c)",
        "14(2)(d)",
        gettext_lazy("The right to withdraw consent at any time"),
        "rights",
        gettext_lazy("Consent is a lawful basis here: tick “Withdrawing consent” in the rights section."),
    ),
    Item(
        "complaint",
        "13(2)(d)",
        "14(2)(e)",
        gettext_lazy("The right to complain to the ICO"),
        "rights",
        gettext_lazy(
            "Tick “Complaining to the supervisory authority” in the rights section, and give the authority's name "
            "and how to reach it in Settings → Organisation and DPO."
        ),
    ),
    Item(
        "requirement",
        "13(2)(e)",
        "",
        gettext_lazy("Whether people must provide the information, and what happens if they do not"),
        "personal_data",
        gettext_lazy("Fill in “must people provide it?” in the “Personal data collected” section."),
    ),
    Item(
        "automated_decisions",
        "13(2)(f)",
        "14(2)(g)",
        gettext_lazy("Automated decision-making and profiling"),
        "automated_decisions",
        gettext_lazy(
            "Add an “Automated decisions” section: it says that none are made, or explains the logic and its "
            "consequences."
        ),
    ),
    Item(
        "data_categories",
        "",
        "14(1)(d)",
        gettext_lazy("The kinds of personal data obtained"),
        "personal_data",
        gettext_lazy("List the kinds of information in the “Personal data collected” section."),
    ),
    Item(
        "source",
        "",
        "14(2)(f)",
        gettext_lazy("Where the information comes from"),
        "personal_data",
        gettext_lazy("Fill in “who else provides it” in the “Personal data collected” section."),
    ),
)

ITEMS_BY_CODE = {item.code: item for item in ITEMS}

# Rights every notice lists; the others depend on the lawful bases relied on.
ALWAYS_REQUIRED_RIGHTS = (DataRight.ACCESS, DataRight.RECTIFICATION, DataRight.RESTRICTION)
# Article 17(3)(b): erasure does not apply to processing needed for a legal obligation or a public task.
NO_ERASURE_BASES = {LawfulBasis.LEGAL_OBLIGATION, LawfulBasis.PUBLIC_TASK}
# Article 21: objection applies to processing for a public task or legitimate interests.
OBJECTION_BASES = {LawfulBasis.PUBLIC_TASK, LawfulBasis.LEGITIMATE_INTERESTS}
# Article 20: portability applies to processing based on consent or a contract.
PORTABILITY_BASES = {LawfulBasis.CONSENT, LawfulBasis.CONTRACT}
# Safeguards a transfer cannot rely on: none stated, or one struck down.
INVALID_SAFEGUARDS = {TransferSafeguard.NOT_NEEDED.value, TransferSafeguard.PRIVACY_SHIELD.value}


def _of_type(sections, section_type) -> list[dict]:
    return [section for section in sections if section.get("type") == section_type]


def _text(value) -> bool:
    return bool(str(value or "").strip())


def _place(section, found_in=IN_NOTICE) -> dict:
    return {"in": found_in, "section_id": section.get("id"), "heading": section.get("heading") or ""}


class _Notice:
    """The facts about one resolved document that the checks need, read once."""

    def __init__(self, document: dict, hub_sections=None):
        self.sections = document.get("sections") or []
        self._hub_sections = hub_sections
        self.organisation = document.get("organisation") or {}
        self.purposes = [p for s in _of_type(self.sections, "purposes") for p in s.get("purposes") or []]
        self.bases = {p.get("lawful_basis") for p in self.purposes}
        explicit = SpecialCategoryCondition.EXPLICIT_CONSENT.value
        self.explicit_consent = any(p.get("special_category_condition") == explicit for p in self.purposes)
        personal_data = _of_type(self.sections, "personal_data")
        self.data_kinds = {c.get("kind") for s in personal_data for c in s.get("categories") or []}
        sources = {s.get("source") or DataSource.FROM_PERSON for s in personal_data}
        # No personal data section: assume it comes from the person (Article 13, the usual case).
        self.from_person = not sources or bool(sources & {DataSource.FROM_PERSON, DataSource.BOTH})
        self.from_others = bool(sources & {DataSource.FROM_OTHERS, DataSource.BOTH})
        self.processors = [p for s in _of_type(self.sections, "sharing") for p in s.get("processors") or []]

    def first(self, section_type):
        sections = _of_type(self.sections, section_type)
        return _place(sections[0]) if sections else None

    def rights_sections(self) -> tuple[list[dict], str]:
        """The notice's rights sections, or the hub's where the notice lists none of its own."""
        own = _of_type(self.sections, "rights")
        if own:
            return own, IN_NOTICE
        return _of_type(self.hub_sections(), "rights"), IN_HUB

    def hub_sections(self) -> list[dict]:
        # Read only when needed: most notices list their own rights, and then the hub costs nothing.
        if callable(self._hub_sections):
            self._hub_sections = self._hub_sections()
        return self._hub_sections or []

    def rights(self) -> tuple[set[str], dict | None]:
        sections, found_in = self.rights_sections()
        listed = {r.get("right") for s in sections for r in s.get("rights") or []}
        return listed, (_place(sections[0], found_in) if sections else None)


def _result(status, place=None, detail="") -> tuple[str, dict | None, str]:
    return status, place, detail


def _controller(notice):
    controller = notice.organisation.get("controller") or {}
    contact = any(_text(controller.get(key)) for key in ("address", "email", "telephone"))
    place = {"in": IN_ORGANISATION, "section_id": None, "heading": ""}
    if _text(controller.get("name")) and contact:
        return _result(PRESENT, place)
    return _result(MISSING, place, _("The organisation's name or contact details are not set."))


def _dpo(notice):
    dpo = notice.organisation.get("dpo") or {}
    place = {"in": IN_ORGANISATION, "section_id": None, "heading": ""}
    if any(_text(dpo.get(key)) for key in ("email", "telephone", "address")):
        return _result(PRESENT, place)
    return _result(MISSING, place, _("No contact details for the DPO are set."))


def _purposes(notice):
    place = notice.first("purposes")
    if not notice.purposes:
        return _result(MISSING, place, _("No purposes are listed."))
    without_basis = [p.get("purpose") or "?" for p in notice.purposes if not p.get("lawful_basis")]
    if without_basis:
        return _result(MISSING, place, _("No lawful basis for: %(purposes)s.") % {"purposes": _names(without_basis)})
    # Article 9 and 10 data needs a condition as well as a basis (DPA 2018 Schedule 1 for criminal offence data).
    if DataKind.SPECIAL in notice.data_kinds and not any(p.get("special_category_condition") for p in notice.purposes):
        return _result(
            MISSING, place, _("Special category data is collected, but no purpose gives its Article 9(2) condition.")
        )
    if DataKind.CRIMINAL in notice.data_kinds and not any(
        _text(p.get("criminal_offence_condition")) for p in notice.purposes
    ):
        return _result(
            MISSING,
            place,
            _("Criminal offence data is collected, but no purpose gives its Schedule 1 DPA 2018 condition."),
        )
    return _result(PRESENT, place)


def _legitimate_interests(notice):
    relying = [p for p in notice.purposes if p.get("lawful_basis") == LawfulBasis.LEGITIMATE_INTERESTS]
    place = notice.first("purposes")
    if not relying:
        return _result(NOT_APPLICABLE, place)
    unexplained = [p.get("purpose") or "?" for p in relying if not _text(p.get("legitimate_interests"))]
    if unexplained:
        return _result(
            MISSING, place, _("The interests are not described for: %(purposes)s.") % {"purposes": _names(unexplained)}
        )
    return _result(PRESENT, place)


def _recipients(notice):
    for section in _of_type(notice.sections, "sharing"):
        if section.get("processors") or section.get("other_recipients") or section.get("intro"):
            return _result(PRESENT, _place(section))
    return _result(MISSING, notice.first("sharing"), _("No recipients are named, and no section says there are none."))


def _transfers(notice):
    abroad = [p for p in notice.processors if p.get("third_countries")]
    place = notice.first("transfers") or notice.first("sharing")
    if not abroad:
        return _result(PRESENT if notice.first("transfers") else NOT_APPLICABLE, place)
    unsafe = sorted({p.get("name") or "?" for p in abroad if not _valid_safeguard(p)})
    if unsafe:
        return _result(
            MISSING,
            place,
            _("No valid safeguard is recorded for the transfers to: %(names)s.") % {"names": _names(unsafe)},
        )
    return _result(PRESENT, place)


def _valid_safeguard(processor) -> bool:
    safeguard = processor.get("transfer_safeguard")
    if safeguard in INVALID_SAFEGUARDS:
        return False
    # The UK-US data bridge covers certified organisations in the United States, and nowhere else.
    if safeguard == TransferSafeguard.UK_US_DATA_BRIDGE:
        return all(country.get("code") == "US" for country in processor.get("third_countries") or [])
    return True


def _retention(notice):
    for section in _of_type(notice.sections, "retention"):
        if section.get("rules") or section.get("intro"):
            return _result(PRESENT, _place(section))
    return _result(MISSING, notice.first("retention"), _("Nothing says how long the information is kept."))


def _rights(notice):
    listed, place = notice.rights()
    if place is None:
        return _result(MISSING, None, _("Neither the notice nor the hub has a rights section."))
    required = list(ALWAYS_REQUIRED_RIGHTS)
    if notice.bases - NO_ERASURE_BASES - {""}:
        required.insert(2, DataRight.ERASURE)
    if notice.bases & OBJECTION_BASES:
        required.append(DataRight.OBJECTION)
    # Article 20(1)(a): consent, including the explicit consent of Article 9(2)(a), or a contract.
    if notice.bases & PORTABILITY_BASES or notice.explicit_consent:
        required.append(DataRight.PORTABILITY)
    absent = [str(right.label) for right in required if right.value not in listed]
    if absent:
        return _result(MISSING, place, _("Not listed: %(rights)s.") % {"rights": _names(absent)})
    return _result(PRESENT, place)


def _withdraw_consent(notice):
    explicit = SpecialCategoryCondition.EXPLICIT_CONSENT.value
    relies_on_consent = LawfulBasis.CONSENT in notice.bases or any(
        p.get("special_category_condition") == explicit for p in notice.purposes
    )
    listed, place = notice.rights()
    if not relies_on_consent:
        return _result(NOT_APPLICABLE, place)
    if DataRight.WITHDRAW_CONSENT.value in listed:
        return _result(PRESENT, place)
    return _result(MISSING, place, _("Consent is relied on, but withdrawing it is not listed as a right."))


def _complaint(notice):
    listed, place = notice.rights()
    authority = notice.organisation.get("supervisory_authority") or {}
    reachable = _text(authority.get("name")) and any(
        _text(authority.get(key)) for key in ("url", "telephone", "address")
    )
    if DataRight.COMPLAIN.value not in listed:
        return _result(MISSING, place, _("The right to complain to the ICO is not listed."))
    if not reachable:
        place = {"in": IN_ORGANISATION, "section_id": None, "heading": ""}
        return _result(MISSING, place, _("The supervisory authority's name or contact details are not set."))
    return _result(PRESENT, place)


def _requirement(notice):
    place = notice.first("personal_data")
    if not notice.from_person:
        return _result(NOT_APPLICABLE, place)
    for section in _of_type(notice.sections, "personal_data"):
        if _text(section.get("requirement")):
            return _result(PRESENT, _place(section))
    return _result(MISSING, place, _("Nothing says whether people must provide the information."))


def _automated_decisions(notice):
    place = notice.first("automated_decisions")
    if place is None:
        return _result(MISSING, None, _("Nothing says whether decisions are made by automated means."))
    return _result(PRESENT, place)


def _data_categories(notice):
    place = notice.first("personal_data")
    if not notice.from_others:
        return _result(NOT_APPLICABLE, place)
    for section in _of_type(notice.sections, "personal_data"):
        if section.get("categories"):
            return _result(PRESENT, _place(section))
    return _result(MISSING, place, _("The kinds of information obtained are not listed."))


def _source(notice):
    sections = [
        s for s in _of_type(notice.sections, "personal_data") if (s.get("source") or "") != DataSource.FROM_PERSON
    ]
    if not sections:
        return _result(NOT_APPLICABLE, notice.first("personal_data"))
    unexplained = [s for s in sections if not _text(s.get("source_details"))]
    if unexplained:
        return _result(MISSING, _place(unexplained[0]), _("The section does not say who provides the information."))
    return _result(PRESENT, _place(sections[0]))


_CHECKS = {
    "controller": _controller,
    "dpo": _dpo,
    "purposes": _purposes,
    "legitimate_interests": _legitimate_interests,
    "recipients": _recipients,
    "transfers": _transfers,
    "retention": _retention,
    "rights": _rights,
    "withdraw_consent": _withdraw_consent,
    "complaint": _complaint,
    "requirement": _requirement,
    "automated_decisions": _automated_decisions,
    "data_categories": _data_categories,
    "source": _source,
}


def _names(names) -> str:
    return get_text_list([f"“{name}”" for name in names], _("and"))


def _articles(item: Item, notice: _Notice) -> list[str]:
    articles = []
    if item.article_13 and notice.from_person:
        articles.append(item.article_13)
    if item.article_14 and notice.from_others:
        articles.append(item.article_14)
    return articles or [item.article_13 or item.article_14]


def compliance_report(document: dict, hub_sections=None) -> dict:
    """The checklist for a resolved notice ``document``, as plain, JSON-ready data.

    ``hub_sections`` are the resolved sections of the notice's hub, or a function
    that returns them (called only if needed): its rights section counts for a
    notice that has none of its own.
    """
    notice = _Notice(document, hub_sections)
    items = []
    for item in ITEMS:
        status, place, detail = _CHECKS[item.code](notice)
        items.append(
            {
                "code": item.code,
                "articles": _articles(item, notice),
                "title": str(item.title),
                "status": status,
                "detail": detail,
                "found_in": place,
                "section_type": item.section_type,
                "fix": str(item.fix) if status == MISSING else "",
            }
        )
    articles = (["13"] if notice.from_person else []) + (["14"] if notice.from_others else [])
    missing = [item["code"] for item in items if item["status"] == MISSING]
    return {"complete": not missing, "articles": articles, "missing": missing, "items": items}


def missing_items(report: dict) -> list[dict]:
    return [item for item in report["items"] if item["status"] == MISSING]


def describe_gaps(report: dict) -> str:
    """The missing items in one line: "13(1)(b) How to contact the DPO; 13(2)(a) How long…"."""
    return "; ".join(f"{'/'.join(item['articles'])} {item['title']}" for item in missing_items(report))


def hub_sections_of(hub) -> list[dict]:
    """A hub's resolved sections. Hub sections choose no register entries, so none are fetched."""
    from .document import LiveEntries, resolve_sections

    if hub is None:
        return []
    if not hasattr(hub, "sections"):  # a plain Page, e.g. the parent a notice is being created under
        hub = hub.specific
        if not hasattr(hub, "sections"):
            return []
    return resolve_sections(list(hub.sections.raw_data), LiveEntries(processors={}, rules={}, cookies=[]))


def hub_sections_for(page, request=None) -> list[dict]:
    """The resolved sections of the hub a notice sits under; none for an unsaved notice.

    A public request routed through the hub already has it (``ROUTED_HUB``);
    otherwise it costs one query.
    """
    from .pages import ROUTED_HUB, PrivacyNoticeIndexPage

    if not page.path or len(page.path) <= page.steplen:
        return []
    hub_path = page.path[: -page.steplen]
    routed = getattr(request, ROUTED_HUB, None)
    if routed is not None and routed.path == hub_path:
        return hub_sections_of(routed)
    return hub_sections_of(PrivacyNoticeIndexPage.objects.filter(path=hub_path).only("pk", "sections").first())


def notice_report(page, document: dict | None = None) -> dict:
    """The report for ``page`` as it stands (a live page, or a draft from its latest revision)."""
    from .document import resolve_notice

    if document is None:
        document = resolve_notice(page)
    return compliance_report(document, lambda: hub_sections_for(page))


def _revision_sections(content: dict) -> list[dict]:
    """The raw sections a page revision stored: Wagtail keeps a StreamField there as a JSON string."""
    sections = content.get("sections") or []
    if isinstance(sections, str):
        sections = json.loads(sections) if sections.strip() else []
    return list(sections)


def reports_for_notices(pages) -> dict[int, dict]:
    """Reports for many notices at once, each for its latest content (a draft where there is one).

    A fixed number of queries however many notices: the latest revisions, the
    register entries they all choose, the hubs and the organisation settings
    are each read once.
    """
    from wagtail.models import Revision

    from .document import LiveEntries, RegisterReferences, organisation_data, register_references, resolve_sections

    pages = list(pages)
    revision_ids = [
        page.latest_revision_id for page in pages if page.has_unpublished_changes and page.latest_revision_id
    ]
    # Only the sections are read from a draft's revision: as_object() would cost queries for each one.
    drafts = dict(Revision.objects.filter(pk__in=revision_ids).values_list("pk", "content"))
    raw = {}
    for page in pages:
        content = drafts.get(page.latest_revision_id) if page.has_unpublished_changes else None
        raw[page.pk] = _revision_sections(content) if content is not None else list(page.sections.raw_data)
    refs = RegisterReferences()
    for sections in raw.values():
        found = register_references(sections)
        refs.processors += found.processors
        refs.rules += found.rules
        refs.cookies += found.cookies
        refs.cookie_categories += found.cookie_categories
    entries = LiveEntries.fetch(refs)

    from .pages import PrivacyNoticeIndexPage

    hub_paths = {page.path[: -page.steplen] for page in pages}
    hubs = {hub.path: hub for hub in PrivacyNoticeIndexPage.objects.filter(path__in=hub_paths).only("path", "sections")}
    hub_sections = {path: hub_sections_of(hub) for path, hub in hubs.items()}
    organisations = {}

    reports = {}
    for page in pages:
        site_key = page.path[: page.steplen * 2]
        if site_key not in organisations:
            organisations[site_key] = organisation_data(page)
        entries.processor_order = register_references(raw[page.pk]).processors
        document = {"organisation": organisations[site_key], "sections": resolve_sections(raw[page.pk], entries)}
        reports[page.pk] = compliance_report(document, hub_sections.get(page.path[: -page.steplen], []))
    return reports
