"""A notice as JSON-LD, in the W3C Data Privacy Vocabulary (DPV 2.x) and its GDPR extension.

The input is the notice's headless JSON (:func:`privacy_notices.headless.notice_json`),
never the models: the JSON-LD says what the page and the JSON say, register
entries keep the ``@id`` the JSON gave them, and a version's snapshot turns into
JSON-LD the same way as the live notice.

The shape of the graph, and why:

- The notice is a ``dpv:PrivacyNotice``, and also an
  ``eu-gdpr:DirectDataCollectionNotice`` (Art. 13) when the personal data comes
  from the person and an ``eu-gdpr:IndirectDataCollectionNotice`` (Art. 14)
  when it comes from others (both when both). Without a "personal data" section
  the source is unknown, and the notice is only a ``dpv:PrivacyNotice``.
- What the notice describes is one ``dpv:PersonalDataHandling`` linked to the
  notice by ``dpv:hasNotice``, DPV's own direction (a handling *has* a notice),
  written as ``@reverse`` so the document still starts at the notice. We do not
  use ``dpv:hasProcessing``: its range is processing *operations* (collect,
  store...), which a notice does not list. The handling carries the data
  subject, personal data, purposes with their legal bases, processors,
  recipients, storage conditions, rights, the supervisory authority and the
  cookies (``dpv:isImplementedUsingTechnology``).
- The controller is named by the notice and by the handling (one node,
  ``_:controller``). The DPO hangs off the controller, because in DPV
  ``dpv:hasDataProtectionOfficer`` is said of a legal entity.
- The controller, DPO, purposes, recipients without a register entry and
  durations are blank nodes: they have no address of their own, and a made-up
  one would claim an identity across documents that nobody maintains.
- Free text stays text (``dcterms:description``, ``rdfs:comment``,
  ``schema:text``); only coded values (lawful bases, rights, safeguards,
  countries, periods) become vocabulary terms.

The ``@context`` is inline so the document expands offline. A document with
sections or keys missing (an old snapshot) still gives valid JSON-LD: what is
missing is left out, and nothing here raises on odd input.
"""

import re

from retention_schedule.jsonld import CONTEXT as STORAGE_CONTEXT
from retention_schedule.jsonld import (
    FIXED,
    UNTIL_EVENT,
    as_dict,
    as_list,
    duration_node,
    moment,
    prune,
    rule_node,
    text,
)

from .choices import DataRight, DataSource, LawfulBasis, ProcessorRole, SpecialCategoryCondition, TransferSafeguard

CONTEXT = {
    **STORAGE_CONTEXT,
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "legal-gb": "https://w3id.org/dpv/legal/gb#",
    "loc": "https://w3id.org/dpv/loc#",
    "tech": "https://w3id.org/dpv/tech#",
}

# Article 6(1) point and the DPV basis class. Article 6(1)(e) covers both a task in
# the public interest and the exercise of official authority: DPV has a class for each.
LEGAL_BASES = {
    LawfulBasis.CONSENT: ("eu-gdpr:A6-1-a", "dpv:Consent"),
    LawfulBasis.CONTRACT: ("eu-gdpr:A6-1-b", "dpv:Contract"),
    LawfulBasis.LEGAL_OBLIGATION: ("eu-gdpr:A6-1-c", "dpv:LegalObligation"),
    LawfulBasis.VITAL_INTERESTS: ("eu-gdpr:A6-1-d", "dpv:VitalInterest"),
    LawfulBasis.PUBLIC_TASK: ("eu-gdpr:A6-1-e", "dpv:PublicInterest", "dpv:OfficialAuthorityOfController"),
    LawfulBasis.LEGITIMATE_INTERESTS: ("eu-gdpr:A6-1-f", "dpv:LegitimateInterest"),
}

RIGHTS = {
    DataRight.ACCESS: "eu-gdpr:A15",
    DataRight.RECTIFICATION: "eu-gdpr:A16",
    DataRight.ERASURE: "eu-gdpr:A17",
    DataRight.RESTRICTION: "eu-gdpr:A18",
    DataRight.PORTABILITY: "eu-gdpr:A20",
    DataRight.OBJECTION: "eu-gdpr:A21",
    DataRight.AUTOMATED_DECISIONS: "eu-gdpr:A22",
    DataRight.WITHDRAW_CONSENT: "eu-gdpr:A7-3",
    DataRight.COMPLAIN: "eu-gdpr:A77",
}

# The DPV GDPR terms are EU GDPR articles; UK GDPR keeps the numbering, not always the wording.
# - UK adequacy regulations, the UK-US data bridge among them, are UK GDPR Art. 45: eu-gdpr:A45-3.
# - The IDTA and the UK Addendum are clauses the ICO issues (UK GDPR Art. 46(2)(d) as amended);
#   eu-gdpr:A46-2-c (standard contractual clauses) is the nearest EU term, not an exact one.
# - An Art. 49 derogation is what a transfer relies on where there is no safeguard, so it is
#   described but not typed as one; nor is it given an article, as the register does not say
#   which of 49(1)(a) to (g) applies, and naming one would be a claim nobody made.
# - Privacy Shield is stated (its label says it is invalid) but given no type: it is no safeguard.
SAFEGUARD_ARTICLES = {
    TransferSafeguard.UK_ADEQUACY: "eu-gdpr:A45-3",
    TransferSafeguard.UK_US_DATA_BRIDGE: "eu-gdpr:A45-3",
    TransferSafeguard.BINDING_CORPORATE_RULES: "eu-gdpr:A46-2-b",
    TransferSafeguard.IDTA: "eu-gdpr:A46-2-c",
    TransferSafeguard.UK_ADDENDUM: "eu-gdpr:A46-2-c",
}

DATA_PROCESSOR_ROLES = {ProcessorRole.PROCESSOR, ProcessorRole.SUB_PROCESSOR}

NOTICE_TYPES_BY_SOURCE = {
    DataSource.FROM_PERSON: ("eu-gdpr:DirectDataCollectionNotice",),
    DataSource.FROM_OTHERS: ("eu-gdpr:IndirectDataCollectionNotice",),
    DataSource.BOTH: ("eu-gdpr:DirectDataCollectionNotice", "eu-gdpr:IndirectDataCollectionNotice"),
}

# The ICO, the UK's supervisory authority, has a DPV term.
UK_AUTHORITY = "legal-gb:DPA-GB"
CONTROLLER = "_:controller"
AUTHORITY = "_:authority"

# Where each section keeps its main text, for the section's part of the notice.
SECTION_TEXT_KEYS = ("intro", "body", "details")

_DPV_TERM_RE = re.compile(r"^dpv:[A-Za-z][A-Za-z0-9]*$")
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def _iri(value) -> dict | None:
    return {"@id": value} if text(value) else None


def _web_address(value) -> str | None:
    value = text(value)
    return value if value and value.startswith(("https://", "http://")) else None


def _sections(notice: dict, section_type: str) -> list[dict]:
    return [s for s in as_list(notice.get("sections")) if isinstance(s, dict) and s.get("type") == section_type]


def _entries(notice: dict, section_types: tuple[str, ...], key: str) -> list[dict]:
    """The register entries under ``key`` in every section of these types, once each (by ``@id``), in order."""
    seen, entries = set(), []
    for section_type in section_types:
        for section in _sections(notice, section_type):
            for entry in as_list(section.get(key)):
                if not isinstance(entry, dict):
                    continue
                identity = text(entry.get("@id")) or id(entry)
                if identity not in seen:
                    seen.add(identity)
                    entries.append(entry)
    return entries


def _contact(party: dict) -> dict | None:
    return prune(
        {
            "schema:email": text(party.get("email")),
            "schema:telephone": text(party.get("telephone")),
            "schema:address": text(party.get("address")),
            "schema:url": _iri(_web_address(party.get("url"))),
        }
    )


def controller_node(organisation: dict) -> dict | None:
    """The controller (Art. 13(1)(a)), with its DPO (Art. 13(1)(b)); None when the settings name neither."""
    controller = as_dict(organisation.get("controller"))
    dpo = as_dict(organisation.get("dpo"))
    node = prune(
        {
            "dpv:hasName": text(controller.get("name")),
            "dpv:hasContact": _contact(controller),
            "dcterms:identifier": text(controller.get("registration_number")),
            "dpv:hasDataProtectionOfficer": prune(
                {"dpv:hasName": text(dpo.get("name")), "dpv:hasContact": _contact(dpo)}
            ),
        }
    )
    return {"@id": CONTROLLER, **node} if node else None


def authority_node(organisation: dict) -> dict | None:
    """Where to complain (Art. 13(2)(d)): the ICO is ``legal-gb:DPA-GB``; another authority is described."""
    authority = as_dict(organisation.get("supervisory_authority"))
    name = text(authority.get("name"))
    url = _web_address(authority.get("url")) or ""
    is_ico = "ico.org.uk" in url or "information commissioner" in (name or "").casefold()
    node = prune({"dpv:hasName": name, "dpv:hasContact": _contact(authority)})
    if not node and not is_ico:
        return None
    return {"@id": UK_AUTHORITY if is_ico else AUTHORITY, **node}


def notice_types(notice: dict) -> list[str]:
    types = ["dpv:PrivacyNotice"]
    for section in _sections(notice, "personal_data"):
        for notice_type in NOTICE_TYPES_BY_SOURCE.get(section.get("source"), ()):
            if notice_type not in types:
                types.append(notice_type)
    return types


def purpose_node(purpose: dict) -> dict:
    """A purpose with its legal bases (Art. 13(1)(c) and (d)): the Art. 6 point, the DPV class, any Art. 9 condition.

    The legitimate interests and a criminal offence data condition are free text,
    so they are legal-basis nodes described in words.
    """
    bases = [{"@id": term} for term in LEGAL_BASES.get(purpose.get("lawful_basis"), ())]
    condition = purpose.get("special_category_condition")
    if condition in SpecialCategoryCondition.values:
        bases.append({"@id": f"eu-gdpr:A9-2-{condition}"})
    interests = text(purpose.get("legitimate_interests"))
    if interests:
        bases.append({"@type": "dpv:LegitimateInterest", "dcterms:description": interests})
    criminal = text(purpose.get("criminal_offence_condition"))
    if criminal:
        bases.append({"dcterms:description": criminal})
    if not bases and text(purpose.get("lawful_basis_text")):  # a basis the code no longer knows: keep its words
        bases.append({"dcterms:description": purpose["lawful_basis_text"]})
    return prune(
        {
            "dcterms:title": text(purpose.get("purpose")),
            "dcterms:description": text(purpose.get("details")),
            "dpv:hasLegalBasis": bases,
        }
    )


def safeguard_node(processor: dict) -> dict | None:
    """The transfer safeguard (Art. 13(1)(f)) as a ``dpv:SafeguardForDataTransfer``; see ``SAFEGUARD_ARTICLES``."""
    code = processor.get("transfer_safeguard")
    details = text(processor.get("safeguard_details"))
    if not text(code) and not details:
        return None
    types = []
    if code in SAFEGUARD_ARTICLES:
        types = ["dpv:SafeguardForDataTransfer"]
        if SAFEGUARD_ARTICLES[code]:
            types.append(SAFEGUARD_ARTICLES[code])
    return prune(
        {
            "@type": types,
            "dcterms:identifier": text(code),
            "dcterms:title": text(processor.get("transfer_safeguard_text")),
            "dcterms:description": details,
        }
    )


def processor_node(processor: dict) -> dict:
    """A register entry: its ``@id``, name, service, third countries (``loc:XX``) and safeguard."""
    countries = [as_dict(c).get("code") for c in as_list(processor.get("third_countries"))]
    return prune(
        {
            "@id": text(processor.get("@id")),
            "dpv:hasName": text(processor.get("name")),
            "dcterms:description": text(processor.get("service")),
            "rdfs:comment": text(processor.get("role_text")),
            "dpv:hasPurpose": prune({"dcterms:description": text(processor.get("purposes"))}),
            "dpv:hasPersonalData": prune({"dcterms:description": text(processor.get("data_categories"))}),
            "dpv:hasThirdCountry": [{"@id": f"loc:{code}"} for code in countries if _COUNTRY_RE.match(code or "")],
            "dpv:hasOrganisationalMeasure": safeguard_node(processor),
            "dpv:hasNotice": _iri(_web_address(processor.get("privacy_notice_url"))),
        }
    )


def cookie_node(cookie: dict, processors_register: str | None, has_controller: bool) -> dict:
    """A cookie: ``tech:Cookie`` with its name, purpose, category, provider and lifetime as a storage condition."""
    lifetime = text(cookie.get("lifetime"))
    if lifetime and lifetime.strip().lower() == "session":
        duration = duration_node(UNTIL_EVENT, description=cookie.get("lifetime_text"))
    else:
        duration = duration_node(FIXED, lifetime, cookie.get("lifetime_text"))
    provider_slug = text(cookie.get("provider_slug"))
    if provider_slug and processors_register:
        provider = {"@id": f"{processors_register}#{provider_slug}", "dpv:hasName": text(cookie.get("provider"))}
    elif cookie.get("party") == "first" and has_controller:
        provider = {"@id": CONTROLLER}  # "Us"
    else:
        provider = {"dpv:hasName": text(cookie.get("provider"))}
    return prune(
        {
            "@id": text(cookie.get("@id")),
            "@type": "tech:Cookie",
            "dpv:hasName": text(cookie.get("name")),
            "dpv:hasPurpose": prune({"dcterms:description": text(cookie.get("purpose"))}),
            "schema:category": text(cookie.get("category")),
            "schema:provider": prune(provider),
            "rdfs:comment": text(cookie.get("party_text")),
            "dpv:hasStorageCondition": prune({"@type": "dpv:StorageDuration", "dpv:hasDuration": duration}),
        }
    )


def _cookies(notice: dict) -> list[dict]:
    seen, cookies = set(), []
    for section in _sections(notice, "cookies"):
        for group in as_list(section.get("cookie_groups")):
            for cookie in as_list(as_dict(group).get("cookies")):
                if isinstance(cookie, dict) and (text(cookie.get("@id")) or id(cookie)) not in seen:
                    seen.add(text(cookie.get("@id")) or id(cookie))
                    cookies.append(cookie)
    return cookies


def handling_node(notice: dict, *, has_controller: bool, authority: dict | None) -> dict:
    """The processing the notice describes, as one ``dpv:PersonalDataHandling``."""
    audience = as_dict(notice.get("audience"))
    subject = text(audience.get("data_subject"))
    personal_data = _sections(notice, "personal_data")
    processors = _entries(notice, ("sharing", "transfers"), "processors")
    rights = []
    for section in _sections(notice, "rights"):
        for right in as_list(section.get("rights")):
            term = RIGHTS.get(as_dict(right).get("right"))
            if term and {"@id": term} not in rights:
                rights.append({"@id": term})
    links = as_dict(notice.get("links"))
    return prune(
        {
            "@type": "dpv:PersonalDataHandling",
            "dpv:hasDataController": {"@id": CONTROLLER} if has_controller else None,
            "dpv:hasDataSubject": {"@id": subject} if subject and _DPV_TERM_RE.match(subject) else None,
            "dpv:hasPersonalData": [
                prune(
                    {
                        "dcterms:title": text(category.get("name")),
                        "dcterms:description": text(category.get("details")),
                        "schema:category": text(category.get("kind")),
                    }
                )
                for section in personal_data
                for category in as_list(section.get("categories"))
                if isinstance(category, dict)
            ],
            # Art. 14(2)(f), the source, and Art. 13(2)(e), whether the data must be given: free text.
            "dcterms:source": [text(s.get("source_details")) for s in personal_data],
            "rdfs:comment": [text(s.get("requirement")) for s in personal_data],
            "dpv:hasPurpose": [
                purpose_node(p)
                for section in _sections(notice, "purposes")
                for p in as_list(section.get("purposes"))
                if isinstance(p, dict)
            ],
            "dpv:hasDataProcessor": [processor_node(p) for p in processors if p.get("role") in DATA_PROCESSOR_ROLES],
            "dpv:hasRecipient": [processor_node(p) for p in processors if p.get("role") not in DATA_PROCESSOR_ROLES]
            + [
                prune({"dpv:hasName": text(r.get("name")), "dcterms:description": text(r.get("details"))})
                for section in _sections(notice, "sharing")
                for r in as_list(section.get("other_recipients"))
                if isinstance(r, dict)
            ],
            "dpv:hasStorageCondition": [rule_node(rule) for rule in _entries(notice, ("retention",), "rules")],
            "dpv:hasRight": rights,
            "dpv:hasAuthority": authority,
            "dpv:isImplementedUsingTechnology": [
                cookie_node(c, text(links.get("processors")), has_controller) for c in _cookies(notice)
            ],
        }
    )


def _section_part(section: dict) -> dict:
    """A section's heading and main text, so the JSON-LD keeps the words the page shows."""
    return prune(
        {
            "dcterms:identifier": text(section.get("id")),
            "schema:name": text(section.get("heading")),
            "schema:text": next((text(section.get(key)) for key in SECTION_TEXT_KEYS if text(section.get(key))), None),
        }
    )


def notice_jsonld(notice: dict) -> dict:
    """The notice's headless JSON (a live notice or a version's) as a JSON-LD document with an inline context."""
    notice = as_dict(notice)
    organisation = as_dict(notice.get("organisation"))
    audience = as_dict(notice.get("audience"))
    links = as_dict(notice.get("links"))
    in_force = as_dict(notice.get("in_force"))
    controller = controller_node(organisation)
    version = notice.get("version")
    document = {
        "@context": dict(CONTEXT),
        "@id": text(notice.get("@id")),
        "@type": notice_types(notice),
        "dcterms:title": text(notice.get("title")),
        "dcterms:description": text(notice.get("summary")),
        "schema:version": version if isinstance(version, int) and not isinstance(version, bool) else None,
        "dcterms:issued": moment(notice.get("first_published")),
        # The date the page shows as "last updated": the latest material change.
        "dcterms:modified": moment(notice.get("last_updated")),
        "dcterms:audience": prune(
            {"rdfs:label": text(audience.get("name")), "dcterms:description": text(audience.get("description"))}
        ),
        "dpv:hasDataController": controller,
        "@reverse": {
            "dpv:hasNotice": handling_node(
                notice, has_controller=controller is not None, authority=authority_node(organisation)
            )
        },
        "schema:hasPart": [_section_part(s) for s in as_list(notice.get("sections")) if isinstance(s, dict)],
    }
    if in_force:
        # A version: when it was in force, and the notice it is a version of.
        document["dcterms:isVersionOf"] = _iri(text(links.get("notice")))
        document["schema:validFrom"] = moment(in_force.get("from"))
        document["schema:validThrough"] = moment(in_force.get("until"))
    else:
        document["dcterms:hasVersion"] = _iri(text(links.get("this_version")))
    return prune(document)
