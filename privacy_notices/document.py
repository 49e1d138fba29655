"""The one resolved notice document.

Every consumer of a notice (the public page, and later the JSON API, version
snapshots, diffs and compliance checks) reads the same plain, JSON-ready data
built here from a page and the *live* register entries it links to. Nothing
else walks the models, so the page, the API and the history cannot disagree.

Resolving costs a bounded number of queries however many entries a notice
links: chooser ids are read from the StreamField's raw JSON (no per-block
lookups) and each register is fetched once, filtered on ``live`` so a draft
entry chosen on a live notice never shows its draft text.
"""

from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, Q, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from retention_schedule.models import RetentionRule

from .choices import (
    CookieCategory,
    DataKind,
    DataRight,
    DataSource,
    LawfulBasis,
    SpecialCategoryCondition,
    label_for,
)
from .organisation import OrganisationSettings
from .registers import CookieDeclaration, Processor, cookie_category_rank
from .versions import site_date

DOCUMENT_TYPE = "PrivacyNotice"


def _items(raw_list) -> list:
    """Values of a raw ListBlock, in either storage format Wagtail has used."""
    values = []
    for item in raw_list or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            values.append(item["value"])
        else:
            values.append(item)
    return values


def _ids(raw_list) -> list[int]:
    return [int(pk) for pk in _items(raw_list) if pk not in (None, "")]


class _RichText:
    """Rich text waiting to be expanded; all of a document's are expanded in one pass."""

    __slots__ = ("html",)

    def __init__(self, html):
        self.html = html or ""

    def __bool__(self):
        return bool(self.html.strip())


def _rich_text(html) -> _RichText:
    return _RichText(html)


# Keeps the fields apart while they are expanded together; an HTML comment, so
# Wagtail's link rewriting passes it through untouched.
_SEPARATOR = "<!--privacy-notices:rich-text-field-->"


def _expand_rich_text(document):
    """Replace every pending rich text in ``document`` by its expanded HTML.

    Wagtail looks up the pages and documents that rich text links to in one
    query per link type per call, so one call for the whole document keeps the
    cost fixed however many sections link to pages.
    """
    pending = []

    def collect(node):
        if isinstance(node, dict):
            for child in node.values():
                collect(child)
        elif isinstance(node, list):
            for child in node:
                collect(child)
        elif isinstance(node, _RichText):
            pending.append(node)

    collect(document)
    sources = [item.html for item in pending if item.html]
    expanded = expand_db_html(_SEPARATOR.join(sources)).split(_SEPARATOR) if sources else []
    if len(expanded) != len(sources):  # the separator itself was in the content: expand one by one
        expanded = [expand_db_html(html) for html in sources]
    results = iter(expanded)
    html_of = {id(item): (next(results) if item.html else "") for item in pending}

    def replace(node):
        if isinstance(node, dict):
            return {key: replace(child) for key, child in node.items()}
        if isinstance(node, list):
            return [replace(child) for child in node]
        if isinstance(node, _RichText):
            return html_of[id(node)]
        return node

    return replace(document)


@dataclass
class RegisterReferences:
    """The register entries a notice's sections point at, read from raw stream data."""

    processors: list[int] = field(default_factory=list)
    rules: list[int] = field(default_factory=list)
    cookies: list[int] = field(default_factory=list)
    cookie_categories: list[str] = field(default_factory=list)


def register_references(raw_sections) -> RegisterReferences:
    refs = RegisterReferences()
    for section in raw_sections:
        value = section.get("value") or {}
        if not isinstance(value, dict):  # an old storage format of a block: shows no entries
            continue
        if section["type"] == "sharing":
            refs.processors += _ids(value.get("processors"))
        elif section["type"] == "retention":
            refs.rules += _ids(value.get("rules"))
        elif section["type"] == "cookies":
            refs.cookies += _ids(value.get("cookies"))
            refs.cookie_categories += list(value.get("categories") or [])
    return refs


@dataclass
class LiveEntries:
    """The live register entries a notice shows, fetched once per register."""

    processors: dict[int, dict]
    rules: dict[int, dict]
    cookies: list[tuple[int, str, dict]]  # (pk, category, public data)
    processor_order: list[int] = field(default_factory=list)

    def processors_in_order(self) -> list[dict]:
        seen = dict.fromkeys(pk for pk in self.processor_order if pk in self.processors)
        return [self.processors[pk] for pk in seen]

    @classmethod
    def fetch(cls, refs: RegisterReferences) -> "LiveEntries":
        processors = {}
        if refs.processors:
            processors = {p.pk: p.as_public_data() for p in Processor.objects.filter(live=True, pk__in=refs.processors)}
        rules = {}
        if refs.rules:
            rules = {r.pk: r.as_public_data() for r in RetentionRule.objects.filter(live=True, pk__in=refs.rules)}
        cookies = []
        if refs.cookies or refs.cookie_categories:
            queryset = (
                CookieDeclaration.objects.filter(live=True)
                .filter(Q(pk__in=refs.cookies) | Q(category__in=refs.cookie_categories))
                .select_related("provider")
                .order_by(cookie_category_rank(), "name")
            )
            cookies = [(c.pk, c.category, c.as_public_data()) for c in queryset]
        return cls(processors=processors, rules=rules, cookies=cookies, processor_order=refs.processors)


# The public reads a notice addressed to "you"; the admin's labels speak of "the person".
_SOURCE_FOR_THE_PUBLIC = {
    DataSource.FROM_PERSON: _lazy("From you"),
    DataSource.FROM_OTHERS: _lazy("From other people and organisations"),
    DataSource.BOTH: _lazy("From you, and from other people and organisations"),
}


def _personal_data(value, entries):
    source = value.get("source") or DataSource.FROM_PERSON
    return {
        "intro": _rich_text(value.get("intro")),
        "categories": [
            {
                "name": c.get("name", ""),
                "details": c.get("details", ""),
                "kind": c.get("kind") or DataKind.ORDINARY,
                "kind_text": label_for(DataKind, c.get("kind") or DataKind.ORDINARY),
            }
            for c in _items(value.get("categories"))
        ],
        "source": source,
        "source_text": str(_SOURCE_FOR_THE_PUBLIC.get(source, source)),
        "source_details": value.get("source_details", ""),
        "requirement": value.get("requirement", ""),
    }


def _purposes(value, entries):
    purposes = []
    for p in _items(value.get("purposes")):
        condition = p.get("special_category_condition") or ""
        purposes.append(
            {
                "purpose": p.get("purpose", ""),
                "details": p.get("details", ""),
                "lawful_basis": p.get("lawful_basis", ""),
                "lawful_basis_text": label_for(LawfulBasis, p.get("lawful_basis")),
                "legitimate_interests": p.get("legitimate_interests", ""),
                "special_category_condition": condition,
                "special_category_condition_text": label_for(SpecialCategoryCondition, condition),
                "criminal_offence_condition": p.get("criminal_offence_condition", ""),
            }
        )
    return {"intro": _rich_text(value.get("intro")), "purposes": purposes}


def _sharing(value, entries):
    return {
        "intro": _rich_text(value.get("intro")),
        "processors": [entries.processors[pk] for pk in _ids(value.get("processors")) if pk in entries.processors],
        "other_recipients": [
            {"name": r.get("name", ""), "details": r.get("details", "")} for r in _items(value.get("other_recipients"))
        ],
    }


def _retention(value, entries):
    return {
        "intro": _rich_text(value.get("intro")),
        "rules": [entries.rules[pk] for pk in _ids(value.get("rules")) if pk in entries.rules],
    }


def _transfers(value, entries):
    # Every processor this notice shares with whose data leaves the UK, once each,
    # in the order the sharing sections list them.
    return {
        "intro": _rich_text(value.get("intro")),
        "processors": [p for p in entries.processors_in_order() if p["third_countries"]],
    }


def _cookies(value, entries):
    chosen = set(_ids(value.get("cookies")))
    categories = set(value.get("categories") or [])
    cookies = [data for pk, category, data in entries.cookies if pk in chosen or category in categories]
    groups = []
    for category in CookieCategory:
        in_group = [c for c in cookies if c["category"] == category]
        if in_group:
            groups.append({"category": category.value, "category_text": str(category.label), "cookies": in_group})
    return {"intro": _rich_text(value.get("intro")), "cookie_groups": groups}


def _automated_decisions(value, entries):
    uses = bool(value.get("uses_automated_decisions"))
    details = _rich_text(value.get("details"))
    if not uses and not details:
        statement = _("We do not make decisions about you by automated means alone, and we do not profile you.")
        details = str(format_html("<p>{}</p>", statement))
    return {"uses_automated_decisions": uses, "details": details}


def _rights(value, entries):
    chosen = set(value.get("rights") or [])
    return {
        "intro": _rich_text(value.get("intro")),
        "rights": [{"right": r.value, "text": str(r.label)} for r in DataRight if r.value in chosen],
    }


def _text(value, entries):
    return {"body": _rich_text(value.get("body"))}


SECTION_RESOLVERS = {
    "personal_data": _personal_data,
    "purposes": _purposes,
    "sharing": _sharing,
    "retention": _retention,
    "transfers": _transfers,
    "cookies": _cookies,
    "automated_decisions": _automated_decisions,
    "rights": _rights,
    "text": _text,
}


def resolve_sections(raw_sections, entries: LiveEntries) -> list[dict]:
    sections = []
    for raw in raw_sections:
        resolver = SECTION_RESOLVERS.get(raw["type"])
        if resolver is None:  # a block type removed from the code: skip, never fail the page
            continue
        value = raw.get("value") or {}
        if not isinstance(value, dict):  # an old storage format of a block: skip, never fail the page
            continue
        section = {"type": raw["type"], "id": raw.get("id"), "heading": value.get("heading", "")}
        section.update(resolver(value, entries))
        sections.append(section)
    return sections


def organisation_data(page, request=None) -> dict:
    """The organisation settings of the page's site (or the default site; blank if there is none).

    Snapshots and exports resolve notices without a request, and a page may sit
    outside any site's tree, so neither may be an error.
    """
    if request is not None:
        return OrganisationSettings.for_request(request).as_public_data()
    site = (page.get_site() if page.pk else None) or Site.objects.filter(is_default_site=True).first()
    settings = OrganisationSettings.for_site(site) if site else OrganisationSettings()
    return settings.as_public_data()


def _date(value):
    """The calendar date where the site is (TIME_ZONE), not in UTC: 00:30 in London in June is that day."""
    return site_date(value).isoformat() if value else None


def _moment(value):
    return value.isoformat() if value else None


def _latest(*moments):
    return max((moment for moment in moments if moment), default=None)


def resolve_notice(page, request=None) -> dict:
    """Build the resolved, JSON-ready document for a notice page as it stands.

    ``page`` may be a published page or an unsaved preview; only live register
    entries are included either way.
    """
    from .versions import NoticeVersion

    raw_sections = list(page.sections.raw_data)
    entries = LiveEntries.fetch(register_references(raw_sections))
    versions = {}
    if page.pk:
        versions = NoticeVersion.objects.filter(notice_id=page.pk).aggregate(
            number=Max("number"),
            last_material=Max("published_at", filter=Q(material=True)),
            latest=Max("published_at"),
        )
    document = {
        "type": DOCUMENT_TYPE,
        "title": page.title,
        "slug": page.slug,
        "url": page.get_url(request=request) if page.pk else None,
        "audience": page.audience.as_public_data() if page.audience_id else None,
        "summary": page.summary,
        "version": versions.get("number"),
        "first_published": _date(page.first_published_at),
        # "Last updated" is the latest material change; before any version, the last publish.
        "last_updated": _date(versions.get("last_material") or page.last_published_at),
        # When what the notice says last changed at all (HTTP's Last-Modified); a version records the same key.
        "published_at": _moment(_latest(versions.get("latest"), page.last_published_at)),
        "organisation": organisation_data(page, request),
        "sections": resolve_sections(raw_sections, entries),
    }
    return _expand_rich_text(document)


def resolve_hub(page, request=None) -> dict:
    """The hub's document: its organisation-wide sections and every live notice by audience."""
    from .pages import PrivacyNoticePage
    from .versions import NoticeVersion

    # The same rule as NoticeVersionQuerySet.last_material_change, for every notice in one query.
    last_material = (
        NoticeVersion.objects.filter(notice=OuterRef("pk"), material=True)
        .values("notice")
        .annotate(latest=Max("published_at"))
        .values("latest")
    )
    notices = (
        PrivacyNoticePage.objects.child_of(page)
        .live()
        .public()
        .defer_streamfields()
        .select_related("audience")
        .annotate(last_material_change=Subquery(last_material[:1]))
        .order_by("audience__name", "title")
    )
    notices = list(notices)
    raw_sections = list(page.sections.raw_data)
    changed = [page.last_published_at]
    for notice in notices:
        changed += [notice.last_published_at, notice.last_material_change]
    document = {
        "type": "PrivacyNoticeIndex",
        "title": page.title,
        "url": page.get_url(request=request) if page.pk else None,
        "intro": _rich_text(page.intro),
        "organisation": organisation_data(page, request),
        "notices": [
            {
                "title": notice.title,
                "url": notice.get_url(request=request),
                "audience": notice.audience.as_public_data(),
                "summary": notice.summary,
                "last_updated": _date(notice.last_material_change or notice.last_published_at),
            }
            for notice in notices
        ],
        # When the hub or a notice it lists was last published (HTTP's Last-Modified).
        "published_at": _moment(_latest(*changed)),
        # Hub sections never choose register entries.
        "sections": resolve_sections(raw_sections, LiveEntries(processors={}, rules={}, cookies=[])),
    }
    return _expand_rich_text(document)
