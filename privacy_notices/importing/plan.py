"""Planning an import: what a policy will become, before anything is written.

``plan_import()`` reads the policy, finds its audiences, retention statements,
third parties, cookies and last-updated date, and decides what each becomes:

- a draft notice per audience section (a new draft of the audience's notice
  where it already has one), its sections as typed blocks where their topic is
  recognised (retention, sharing, cookies, rights), as text otherwise;
- the sections for everyone (rights, complaints, contact, changes) as new
  sections of the hub, in a draft of it;
- draft retention rules, processors and cookies for the DPO to review, or a
  link to the register entry that already says the same thing.

The plan is what the preview shows and what ``apply.apply_plan()`` writes; its
``as_data()`` is the JSON that ``import_notice --format json`` prints.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from retention_schedule.models import DisposalAction, PeriodType, RetentionRule

from ..choices import DataRight
from ..organisation import OrganisationSettings
from ..pages import PrivacyNoticeIndexPage, PrivacyNoticePage
from ..registers import Audience, CookieDeclaration, Processor
from . import classify
from .extract import find_all
from .findings import FIXED, PERMANENT, PROCESSOR, UNSPECIFIED, CookieMention, Finding, Findings
from .outline import HEADING, Outline, Section, read_outline
from .richtext import rich_text_for
from .source import PolicySource
from .third_parties import own_names_in

CREATE, LINK, NEW_DRAFT, ADD_SECTIONS, KEEP = "create", "link", "new_draft", "add_sections", "keep"
# Where the sections for everyone go: not a slug, so no audience can be mistaken for it.
HUB_OWNER = "@hub"

_RIGHT_WORDS = (
    (DataRight.ACCESS, r"\baccess\b|\bcopy of\b|\bsubject access\b"),
    (DataRight.RECTIFICATION, r"\bcorrect|\brectif|\bamend|\binaccurate\b|\bwrong\b"),
    (DataRight.ERASURE, r"\bdelet|\berase|\berasure\b"),
    (DataRight.RESTRICTION, r"\brestrict"),
    (DataRight.PORTABILITY, r"\bportab"),
    (DataRight.OBJECTION, r"\bobject(?:ion|ing)?\b|\bstop (?:us )?using\b"),
    (DataRight.AUTOMATED_DECISIONS, r"\bautomated\b"),
    (DataRight.WITHDRAW_CONSENT, r"\bwithdraw"),
    (DataRight.COMPLAIN, r"\binformation commissioner|\bico\b|\bsupervisory authority\b"),
)
_SIGNIFICANT = re.compile(r"[a-z0-9]{3,}")
_STOP_WORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "from",
        "with",
        "our",
        "your",
        "you",
        "are",
        "was",
        "were",
        "this",
        "that",
        "which",
        "will",
        "have",
        "has",
        "about",
    ]
)


def _words(text: str) -> set[str]:
    return {word for word in _SIGNIFICANT.findall((text or "").lower()) if word not in _STOP_WORDS}


def _overlap(a: str, b: str) -> float:
    left, right = _words(a), _words(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def _first_upper(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


@dataclass
class PlannedEntry:
    """A register entry the import creates as a draft, or links because the register already has it."""

    action: str  # CREATE or LINK
    instance: object  # the existing entry (LINK) or the unsaved new one (CREATE)
    findings: list[Finding] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)  # the notices (audience slugs) that show it

    @property
    def key(self) -> str:
        return getattr(self.instance, "code", None) or self.instance.slug


@dataclass
class PlannedSection:
    """One section of a notice or the hub: a block of its StreamField."""

    type: str  # a block type: retention, sharing, cookies, rights or text
    heading: str
    rich_text: str
    start: int  # where its text is in the policy
    end: int
    rules: list[PlannedEntry] = field(default_factory=list)
    processors: list[PlannedEntry] = field(default_factory=list)
    cookies: list[PlannedEntry] = field(default_factory=list)
    rights: list[str] = field(default_factory=list)

    def stream_data(self) -> dict:
        """The block as StreamField raw data (chosen entries by primary key: call after they are saved)."""
        value = {"heading": self.heading[:200]}
        if self.type == classify.TEXT:
            value["body"] = self.rich_text
        else:
            value["intro"] = self.rich_text
        if self.type == classify.RETENTION:
            value["rules"] = [entry.instance.pk for entry in self.rules]
        elif self.type == classify.SHARING:
            value["processors"] = [entry.instance.pk for entry in self.processors]
            value["other_recipients"] = []
        elif self.type == classify.COOKIES:
            value["categories"] = []
            value["cookies"] = [entry.instance.pk for entry in self.cookies]
        elif self.type == classify.RIGHTS:
            value["rights"] = self.rights
        return {"type": self.type, "value": value}

    def as_data(self) -> dict:
        data = {"type": self.type, "heading": self.heading, "source": {"start": self.start, "end": self.end}}
        if self.type == classify.RETENTION:
            data["retention_rules"] = [entry.key for entry in self.rules]
        if self.type == classify.SHARING:
            data["processors"] = [entry.key for entry in self.processors]
        if self.type == classify.COOKIES:
            data["cookies"] = [entry.key for entry in self.cookies]
        if self.type == classify.RIGHTS:
            data["rights"] = list(self.rights)
        return data


@dataclass
class PlannedAudience:
    action: str  # CREATE or LINK
    audience: Audience

    def as_data(self) -> dict:
        return {
            "action": self.action,
            "slug": self.audience.slug,
            "name": self.audience.name,
            "data_subject": self.audience.data_subject,
            "id": self.audience.pk,
        }


@dataclass
class PlannedNotice:
    action: str  # CREATE, or NEW_DRAFT of the audience's existing notice
    title: str
    slug: str
    audience: PlannedAudience
    heading: Section | None  # the audience's section in the policy, if it has one
    sections: list[PlannedSection] = field(default_factory=list)
    existing: PrivacyNoticePage | None = None
    last_updated: object = None  # datetime.date kept as the date of the first version

    @property
    def owner(self) -> str:
        return self.audience.audience.slug

    def as_data(self) -> dict:
        heading = self.heading.heading.quote().as_data() if self.heading and self.heading.heading else None
        return {
            "action": self.action,
            "title": self.title,
            "slug": self.slug,
            "id": self.existing.pk if self.existing else None,
            # The draft it starts from: if someone saves the notice after the preview, the plan differs.
            "revision": self.existing.latest_revision_id if self.existing else None,
            "audience": self.audience.audience.slug,
            "heading": heading,
            "last_updated": self.last_updated.isoformat() if self.last_updated else None,
            "sections": [section.as_data() for section in self.sections],
        }


@dataclass
class PlannedHub:
    action: str  # CREATE, ADD_SECTIONS (a draft of the existing hub) or KEEP
    title: str
    page: PrivacyNoticeIndexPage | None = None  # the existing hub
    parent: object = None  # where a new hub goes
    intro: str = ""  # a new hub's introduction
    sections: list[PlannedSection] = field(default_factory=list)

    def as_data(self) -> dict:
        return {
            "action": self.action,
            "title": self.title,
            "id": self.page.pk if self.page else None,
            "revision": self.page.latest_revision_id if self.page else None,
            "parent_id": self.parent.pk if self.parent else None,
            "sections": [section.as_data() for section in self.sections],
        }


@dataclass
class ImportPlan:
    source: PolicySource
    outline: Outline
    findings: Findings
    hub: PlannedHub | None = None
    notices: list[PlannedNotice] = field(default_factory=list)
    audiences: list[PlannedAudience] = field(default_factory=list)
    rules: list[PlannedEntry] = field(default_factory=list)
    processors: list[PlannedEntry] = field(default_factory=list)
    cookies: list[PlannedEntry] = field(default_factory=list)
    finding_owners: dict = field(default_factory=dict)  # id(finding) -> owner
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return not self.problems

    def owner_of(self, finding: Finding) -> str:
        return self.finding_owners.get(id(finding), HUB_OWNER)

    def as_data(self) -> dict:
        """The plan and every finding as plain data: the JSON shape the README documents."""
        findings = self.findings.all()
        number = {id(finding): index for index, finding in enumerate(findings)}
        latest = self.findings.latest_update()

        def entries(planned, fields):
            return [
                {"action": entry.action, "id": entry.instance.pk}
                | {name: _plain(getattr(entry.instance, attribute)) for name, attribute in fields}
                | {"notices": entry.owners, "findings": [number[id(found)] for found in entry.findings]}
                for entry in planned
            ]

        return {
            "source": {
                "name": self.source.name,
                "format": self.source.format,
                "encoding": self.source.encoding,
                "characters": len(self.source.text),
                "title": self.outline.title.text if self.outline.title else "",
            },
            "last_updated": latest.as_data() if latest else None,
            "hub": self.hub.as_data() if self.hub else None,
            "notices": [notice.as_data() for notice in self.notices],
            "audiences": [audience.as_data() for audience in self.audiences],
            "retention_rules": entries(
                self.rules,
                [
                    ("code", "code"),
                    ("record_class", "record_class"),
                    ("period_type", "period_type"),
                    ("period", "period"),
                    ("trigger", "trigger"),
                    ("exceptions", "exceptions"),
                ],
            ),
            "processors": entries(
                self.processors, [("slug", "slug"), ("name", "name"), ("role", "role"), ("service", "service")]
            ),
            "cookies": entries(
                self.cookies, [("slug", "slug"), ("name", "name"), ("category", "category"), ("provider", "provider")]
            ),
            "findings": [
                {"id": index} | finding.as_data() | {"notice": self.owner_of(finding)}
                for index, finding in enumerate(findings)
            ],
            "warnings": list(self.warnings),
            "problems": list(self.problems),
        }

    def fingerprint(self) -> str:
        """A digest of the plan: if the site changed between preview and confirmation, it differs."""
        canonical = json.dumps(self.as_data(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value):
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, Processor):
        return value.slug
    return str(value)


# Planning ------------------------------------------------------------------------------------


def plan_import(source: PolicySource, *, audience: str | None = None, hub=None, user=None) -> ImportPlan:
    """What importing ``source`` would write; nothing is written.

    ``audience``: a slug; the whole policy becomes that audience's notice (the
    sections for everyone still go to the hub). ``hub``: the hub the notices go
    under (default: the default site's first hub; a new hub if there is none).
    ``user``: who imports; a page they may not edit is a problem of the plan.
    """
    outline = read_outline(source)
    own_names = own_names_in(outline) | _organisation_names()
    findings = find_all(outline, own_names=own_names)
    plan = ImportPlan(source=source, outline=outline, findings=findings)
    _Planner(plan, forced_audience=audience, hub=hub).run()
    if user is not None:
        _refuse_pages_the_user_cannot_edit(plan, user)
    return plan


def _refuse_pages_the_user_cannot_edit(plan: ImportPlan, user) -> None:
    pages = [notice.existing for notice in plan.notices if notice.action == NEW_DRAFT]
    if plan.hub and plan.hub.action == ADD_SECTIONS:
        pages.append(plan.hub.page)
    for page in pages:
        if not page.permissions_for_user(user).can_edit():
            plan.problems.append(
                _("You may not edit “%(title)s”, which the import would change.") % {"title": page.title}
            )


def default_hub() -> PrivacyNoticeIndexPage | None:
    """Where an import goes unless told: the default site's first hub."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return None
    return PrivacyNoticeIndexPage.objects.descendant_of(site.root_page).order_by("path").first()


def _organisation_names() -> set[str]:
    return {name for name in OrganisationSettings.objects.values_list("controller_name", flat=True) if name}


class _Planner:
    def __init__(self, plan: ImportPlan, *, forced_audience: str | None, hub):
        self.plan = plan
        self.outline = plan.outline
        self.forced_audience = forced_audience
        self.given_hub = hub
        self.notices: dict[str, PlannedNotice] = {}
        self.hub_sections: list[Section] = []
        self.notice_sections: dict[str, list[Section]] = {}
        self.owner_spans: list[tuple[int, int, str]] = []
        self.codes_taken: set[str] = set()
        self.planned_slugs: set[str] = set()
        self.register: list[Processor] = []
        self.slugs_taken: dict[type, set[str]] = {Processor: set(), CookieDeclaration: set()}

    def run(self) -> None:
        self.plan_hub()
        self.assign_sections()
        self.plan_notices()
        self.assign_findings()
        self.plan_rules()
        self.plan_processors()
        self.plan_cookies()
        self.place_entries()
        self.plan_hub_sections()
        self.note_findings_without_entries()

    # Where each part of the policy goes -------------------------------------------------------

    def plan_hub(self) -> None:
        hub = self.given_hub or default_hub()
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if hub is not None:
            self.plan.hub = PlannedHub(KEEP, hub.title, page=hub)
            return
        if site is None:
            self.plan.problems.append(_("The site has no default site to put a hub of notices under."))
            return
        self.plan.hub = PlannedHub(CREATE, _("How we use your information"), parent=site.root_page)

    def assign_sections(self) -> None:
        """Each top-level section to the hub or to an audience, in document order."""
        owner = HUB_OWNER
        audiences_found = False
        forced = None
        if self.forced_audience:
            forced = self.audience_for_slug(self.forced_audience)
            if forced is None:
                return
        for section in self.outline.sections:
            topic = classify.hub_topic(section.title)
            kind = None if topic else classify.audience_kind(section.title)
            if forced:
                owner = HUB_OWNER if topic else forced
            elif topic:
                owner = HUB_OWNER
            elif kind:
                owner = self.audience_for(kind, section)
                audiences_found = True
            self.add_to(owner, section)
        if not forced and not audiences_found:
            self.single_audience()
        preamble = self.outline.preamble
        target = next(iter(self.notices)) if (forced or not audiences_found) and self.notices else HUB_OWNER
        if preamble.blocks:
            self.add_to(target, preamble, first=True)
        # Where each part of the policy went, for the findings in it.
        for owner, sections in [(HUB_OWNER, self.hub_sections), *self.notice_sections.items()]:
            for section in sections:
                self.owner_spans.append((section.start, section.end, owner))
        if not any(part.blocks for part in self.outline.all_sections()):
            self.plan.problems.append(_("The policy has headings but no text under them: there is nothing to import."))

    def single_audience(self) -> None:
        """A policy not divided by audience: one notice, for the audience its text speaks of most."""
        kind = classify.guess_audience(" ".join(block.text for block in self.outline.blocks))
        if kind is None:
            kind = classify.AudienceKind(
                "everyone", _("Everyone whose information we hold"), classify.DataSubjectTerm.DATA_SUBJECT, None
            )
        owner = self.audience_for(kind, None)
        headings = [block for block in self.outline.blocks if block.kind == HEADING]
        moved = [section for section in self.hub_sections if not classify.hub_topic(section.title)]
        for section in moved:
            self.hub_sections.remove(section)
            self.add_to(owner, section)
        if not headings:
            self.plan.warnings.append(
                _(
                    "The policy has no headings, so it is imported as one section of one notice. "
                    "Split it into sections in the editor."
                )
            )
        else:
            self.plan.warnings.append(
                _("No section of the policy names an audience, so it is imported as one notice, for “%(name)s”.")
                % {"name": self.notices[owner].audience.audience.name}
            )

    def add_to(self, owner: str, section: Section, *, first: bool = False) -> None:
        sections = self.hub_sections if owner == HUB_OWNER else self.notice_sections.setdefault(owner, [])
        if first:
            sections.insert(0, section)
        else:
            sections.append(section)

    def audience_for_slug(self, slug: str) -> str | None:
        """The notice for the audience ``--audience`` names (the one with that slug, or a new one)."""
        existing = Audience.objects.filter(slug=slug).first()
        if existing is not None:
            kind = classify.AudienceKind(slug, existing.name, existing.data_subject, None)
            return self.audience_for(kind, None, audience=existing)
        if slugify(slug) != slug or len(slug) > Audience._meta.get_field("slug").max_length:
            self.plan.problems.append(
                _("“%(slug)s” is not a valid audience slug: use up to 100 lowercase letters, numbers and hyphens.")
                % {"slug": slug}
            )
            return None
        kind = classify.known_audience_kind(slug.replace("-", " "))
        if kind is None or kind.slug != slug:
            name = _first_upper(slug.replace("-", " "))
            kind = classify.AudienceKind(slug, name, classify.DataSubjectTerm.DATA_SUBJECT, None)
        return self.audience_for(kind, None)

    def audience_for(self, kind: classify.AudienceKind, section: Section | None, *, audience=None) -> str:
        """The notice for ``kind``'s audience, planned once per audience; returns its key (the audience's slug).

        Two kinds the site files under one audience ("cameras in a care service" and "a CCTV camera")
        share one notice.
        """
        audience = audience or self.existing_audience(kind)
        key = audience.slug if audience else kind.slug
        if key in self.notices:
            return key
        planned = PlannedAudience(LINK, audience) if audience else None
        if planned is None:
            audience = Audience(slug=kind.slug, name=kind.name[:200], data_subject=kind.data_subject)
            planned = PlannedAudience(CREATE, audience)
        self.plan.audiences.append(planned)
        title = section.title if section and section.heading else (audience.name or kind.name)
        notice = PlannedNotice(CREATE, title[:255], audience.slug, planned, section)
        self.notices[key] = notice
        return key

    @staticmethod
    def existing_audience(kind: classify.AudienceKind) -> Audience | None:
        audience = Audience.objects.filter(slug=kind.slug).first()
        if audience is None:
            audience = Audience.objects.filter(name__iexact=kind.name).first()
        if audience is None and kind.pattern is not None:
            # The site may call the same people something else ("People who use our website").
            for candidate in Audience.objects.order_by("pk"):
                if classify.known_audience_kind(candidate.name) == kind:
                    return candidate
        return audience

    def plan_notices(self) -> None:
        hub = self.plan.hub
        latest = self.plan.findings.latest_update()
        for owner, notice in self.notices.items():
            sections = self.notice_sections.get(owner, [])
            for section in sections:
                self.planned_sections(section, notice.sections, notice_level=True, top=section is notice.heading)
            if hub and hub.page is not None:
                existing = (
                    PrivacyNoticePage.objects.child_of(hub.page)
                    .filter(audience__slug=notice.audience.audience.slug)
                    .first()
                    if notice.audience.audience.pk
                    else None
                )
                if existing is not None:
                    self.revise(notice, existing)
                else:
                    notice.slug = self.free_slug(hub.page, notice.slug, self.planned_slugs)
            self.planned_slugs.add(notice.slug)
            if notice.action == CREATE and latest:
                notice.last_updated = latest.date
        self.plan.notices = list(self.notices.values())
        revised = [notice.title for notice in self.plan.notices if notice.action == NEW_DRAFT]
        if revised:
            self.plan.warnings.append(
                _(
                    "The new drafts of %(notices)s replace their sections with the imported ones. What the public "
                    "reads does not change until the draft is approved, and the approval screen shows every change."
                )
                % {"notices": ", ".join(f"“{title}”" for title in revised)}
            )
        if latest and revised:
            self.plan.warnings.append(
                _(
                    "The policy was last updated on %(date)s. Notices that already have published versions keep "
                    "their own dates; only new notices take this one."
                )
                % {"date": latest.date.isoformat()}
            )

    def revise(self, notice: PlannedNotice, existing: PrivacyNoticePage) -> None:
        notice.action, notice.existing, notice.slug = NEW_DRAFT, existing, existing.slug
        notice.title = existing.title
        if existing.locked:
            self.plan.problems.append(
                _("The notice “%(title)s” is locked: unlock it before importing into it.") % {"title": existing.title}
            )
        elif existing.has_unpublished_changes:
            self.plan.problems.append(
                _(
                    "The notice “%(title)s” has draft changes that are not published. Publish or discard them "
                    "first, so the import does not replace someone's work."
                )
                % {"title": existing.title}
            )
        elif existing.workflow_in_progress:
            self.plan.problems.append(
                _("The notice “%(title)s” is awaiting approval: finish that first.") % {"title": existing.title}
            )

    @staticmethod
    def free_slug(hub, slug: str, planned: set[str]) -> str:
        taken = set(hub.get_children().values_list("slug", flat=True)) | planned
        candidate, number = slug, 2
        while candidate in taken:
            candidate, number = f"{slug}-{number}", number + 1
        return candidate

    def planned_sections(self, section: Section, into: list, *, notice_level: bool, top: bool) -> None:
        """The section and its sub-sections as blocks, in order; sections with no text of their own are skipped."""
        heading_level = section.heading.level if section.heading else 1
        if section.blocks:
            if top or section.heading is None:
                heading = (
                    _("Overview") if top else (self.outline.title.text if self.outline.title else _("Introduction"))
                )
                topic = classify.TEXT
            else:
                heading = section.title
                topic = classify.notice_topic(heading) if notice_level else self.hub_block(section.title)
            html = rich_text_for(self.outline.source, section.body_start, section.body_end, top_level=heading_level + 1)
            if html.strip():
                planned = PlannedSection(topic, heading, html, section.start, section.body_end)
                if topic == classify.RIGHTS:
                    planned.rights = _rights_in(" ".join(block.text for block in section.blocks))
                into.append(planned)
        for child in section.children:
            self.planned_sections(child, into, notice_level=notice_level, top=False)

    @staticmethod
    def hub_block(heading: str) -> str:
        return classify.RIGHTS if classify.hub_topic(heading) == classify.RIGHTS else classify.TEXT

    def plan_hub_sections(self) -> None:
        hub = self.plan.hub
        if hub is None:
            return
        planned: list[PlannedSection] = []
        preamble = self.outline.preamble
        for section in self.hub_sections:
            if section is preamble and hub.action == CREATE:
                hub.intro = rich_text_for(self.outline.source, preamble.start, preamble.end, top_level=2)
                continue
            self.planned_sections(section, planned, notice_level=False, top=False)
        hub.sections = planned
        if hub.action == KEEP and planned:
            hub.action = ADD_SECTIONS
            page = hub.page
            if page.locked:
                self.plan.problems.append(_("The hub “%(title)s” is locked.") % {"title": page.title})
            elif page.has_unpublished_changes:
                self.plan.problems.append(
                    _(
                        "The hub “%(title)s” has draft changes that are not published. Publish or discard them "
                        "first, so the import does not replace someone's work."
                    )
                    % {"title": page.title}
                )

    # Findings and the entries they propose ----------------------------------------------------

    def assign_findings(self) -> None:
        # The innermost section: spans are added outermost first, so the last that contains the offset.
        spans = sorted(self.owner_spans, key=lambda span: (span[0], -span[1]))
        for finding in self.plan.findings.all():
            owner = HUB_OWNER
            for start, end, candidate in spans:
                if start <= finding.quote.start < end:
                    owner = candidate
            self.plan.finding_owners[id(finding)] = owner

    def plan_rules(self) -> None:
        existing = list(RetentionRule.objects.order_by("pk"))
        self.codes_taken = set(RetentionRule.objects.values_list("code", flat=True))
        unspecified = []
        for statement in self.plan.findings.retention:
            owner = self.plan.owner_of(statement)
            if statement.period_type == UNSPECIFIED:
                unspecified.append(statement)
                continue
            entry = self.same_rule(statement, [planned.instance for planned in self.plan.rules], planned=True)
            if entry is None:
                rule = self.same_rule(statement, existing)
                entry = PlannedEntry(LINK, rule) if rule else PlannedEntry(CREATE, self.new_rule(statement, owner))
                self.plan.rules.append(entry)
            entry.findings.append(statement)
            if owner != HUB_OWNER and owner not in entry.owners:
                entry.owners.append(owner)
            if entry.action == CREATE and statement.period_type == FIXED and not statement.trigger:
                self.plan.warnings.append(
                    _(
                        "“%(sentence)s” gives no event the period counts from: the DPO should add one to the "
                        "proposed rule %(code)s."
                    )
                    % {"sentence": statement.quote.text, "code": entry.instance.code}
                )
        if unspecified:
            self.plan.warnings.append(
                ngettext(
                    "%(count)d sentence says information is kept without saying for how long: link the rule "
                    "from the retention schedule that applies.",
                    "%(count)d sentences say information is kept without saying for how long: link the rules "
                    "from the retention schedule that apply.",
                    len(unspecified),
                )
                % {"count": len(unspecified)}
            )

    def same_rule(self, statement, rules, *, planned: bool = False):
        """A rule that already says what the statement says: the same kind and length of period, about the
        same records or from the same event."""
        for rule in rules:
            entry = rule
            if planned:
                entry = next(p for p in self.plan.rules if p.instance is rule)
                rule = entry.instance
            if statement.period_type == PERMANENT:
                if rule.period_type != PeriodType.PERMANENT:
                    continue
                if _overlap(statement.data, rule.record_class + " " + rule.data_categories) >= 0.5:
                    return entry
                continue
            if rule.period_type != PeriodType.FIXED or not rule.parsed_period:
                continue
            if round(rule.parsed_period.approximate_days(), 3) != round(statement.period.approximate_days(), 3):
                continue
            same_event = statement.trigger and _overlap(statement.trigger, rule.trigger) >= 0.5
            same_records = _overlap(statement.data, f"{rule.record_class} {rule.data_categories}") >= 0.5
            if same_event and same_records or (same_records and not statement.trigger):
                return entry
            if same_event and planned:
                return entry
        return None

    def new_rule(self, statement, owner: str) -> RetentionRule:
        prefix = (owner if owner != HUB_OWNER else "general").upper()[:30].strip("-")
        number = 1
        while f"{prefix}-{number:02d}" in self.codes_taken:
            number += 1
        code = f"{prefix}-{number:02d}"
        self.codes_taken.add(code)
        data = _first_upper(statement.data or statement.section or _("Records"))
        permanent = statement.period_type == PERMANENT
        words = statement.quote.text.lower()
        action = DisposalAction.ARCHIVE if permanent else DisposalAction.DELETE
        if not permanent and "anonymis" in words:
            action = DisposalAction.ANONYMISE
        notice = self.notices.get(owner)
        return RetentionRule(
            code=code,
            record_class=data[:200],
            business_function=(notice.audience.audience.name if notice else "")[:100],
            data_categories="",
            period_type=PeriodType.PERMANENT if permanent else PeriodType.FIXED,
            period="" if permanent else statement.period.iso,
            trigger=statement.trigger[:200],
            disposal_action=action,
            exceptions=_first_upper(statement.exceptions) if statement.exceptions else "",
            live=False,
        )

    def plan_processors(self) -> None:
        by_name: dict[str, PlannedEntry] = {}
        self.register = list(Processor.objects.order_by("pk"))
        self.slugs_taken[Processor] = {processor.slug for processor in self.register}
        for party in self.plan.findings.third_parties:
            owner = self.plan.owner_of(party)
            key = party.name.lower()
            entry = by_name.get(key)
            if entry is None:
                existing = _existing_processor(party.name, self.register)
                entry = PlannedEntry(LINK, existing) if existing else PlannedEntry(CREATE, self.new_processor(party))
                by_name[key] = entry
                self.plan.processors.append(entry)
            elif entry.action == CREATE and party.role == PROCESSOR:
                entry.instance.role = PROCESSOR  # said anywhere to act on our behalf: a processor
            if entry.action == CREATE and not entry.instance.service and party.service:
                entry.instance.service = _first_upper(party.service)[:200]
            entry.findings.append(party)
            if owner != HUB_OWNER and owner not in entry.owners:
                entry.owners.append(owner)

    def new_processor(self, party) -> Processor:
        return Processor(
            slug=self.free_entry_slug(Processor, party.name),
            name=party.name[:200],
            service=_first_upper(party.service)[:200] if party.service else "",
            role=party.role,
            live=False,
        )

    def free_entry_slug(self, model, name: str) -> str:
        base = slugify(name)[:90].strip("-") or model._meta.model_name
        taken = self.slugs_taken[model]
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        return candidate

    def plan_cookies(self) -> None:
        self.slugs_taken[CookieDeclaration] = set(CookieDeclaration.objects.values_list("slug", flat=True))
        by_name: dict[str, PlannedEntry] = {}
        general: list[CookieMention] = []
        unnamed_providers: set[str] = set()
        for mention in self.plan.findings.cookies:
            owner = self.plan.owner_of(mention)
            found: list[PlannedEntry] = []
            if mention.name:
                entry = by_name.get(mention.name.lower())
                if entry is None:
                    existing = CookieDeclaration.objects.filter(name__iexact=mention.name).first()
                    entry = PlannedEntry(LINK, existing) if existing else PlannedEntry(CREATE, self.new_cookie(mention))
                    by_name[mention.name.lower()] = entry
                    self.plan.cookies.append(entry)
                found.append(entry)
            elif mention.provider:
                provider = self.planned_processor(mention.provider)
                if provider is not None and provider.action == LINK:
                    for cookie in CookieDeclaration.objects.filter(provider=provider.instance).order_by("name"):
                        entry = by_name.get(cookie.name.lower())
                        if entry is None:
                            entry = by_name[cookie.name.lower()] = PlannedEntry(LINK, cookie)
                            self.plan.cookies.append(entry)
                        found.append(entry)
                if not found:
                    unnamed_providers.add(mention.provider)
            else:
                general.append(mention)
            for entry in found:
                entry.findings.append(mention)
                if owner != HUB_OWNER and owner not in entry.owners:
                    entry.owners.append(owner)
        for provider in sorted(unnamed_providers):
            self.plan.warnings.append(
                _("The policy says %(provider)s sets cookies but not which: declare them in the cookie register.")
                % {"provider": provider}
            )
        if general:
            self.plan.warnings.append(
                _(
                    "The policy mentions cookies without naming them: declare the site's cookies in the cookie "
                    "register and choose them in the notice's cookies section."
                )
            )

    def planned_processor(self, name: str) -> PlannedEntry | None:
        for entry in self.plan.processors:
            if entry.instance.name.lower() == name.lower():
                return entry
        existing = _existing_processor(name, self.register)
        return PlannedEntry(LINK, existing) if existing else None

    def new_cookie(self, mention: CookieMention) -> CookieDeclaration:
        provider = self.planned_processor(mention.provider) if mention.provider else None
        return CookieDeclaration(
            slug=self.free_entry_slug(CookieDeclaration, f"cookie {mention.name}"),
            name=mention.name[:200],
            provider=provider.instance if provider else None,
            purpose="",
            category=mention.category,
            live=False,
        )

    def place_entries(self) -> None:
        """Each notice shows the entries found in its sections: in its section on that topic, or a new one."""
        for notice in self.plan.notices:
            added = []
            for topic, planned, attribute, heading in (
                (classify.RETENTION, self.plan.rules, "rules", _("How long we keep it")),
                (classify.SHARING, self.plan.processors, "processors", _("Who we share it with")),
                (classify.COOKIES, self.plan.cookies, "cookies", _("Cookies")),
            ):
                entries = [entry for entry in planned if notice.owner in entry.owners]
                if not entries:
                    continue
                section = next((section for section in notice.sections if section.type == topic), None)
                if section is None:
                    # Where the first sentence it rests on is: new sections follow the policy's order.
                    start = min(finding.quote.start for entry in entries for finding in entry.findings)
                    section = PlannedSection(topic, heading, "", start, start)
                    added.append(section)
                setattr(section, attribute, entries)
            notice.sections += sorted(added, key=lambda section: section.start)

    def note_findings_without_entries(self) -> None:
        if self.plan.hub is None:
            return
        hub_only = [
            entry for entry in [*self.plan.rules, *self.plan.processors] if not entry.owners and entry.action == CREATE
        ]
        if hub_only:
            self.plan.warnings.append(
                ngettext(
                    "%(count)d proposed register entry comes from a section for everyone: no notice shows it yet.",
                    "%(count)d proposed register entries come from sections for everyone: no notice shows them yet.",
                    len(hub_only),
                )
                % {"count": len(hub_only)}
            )


def _existing_processor(name: str, register: list[Processor]) -> Processor | None:
    """The register's entry for a named organisation or service: by name, by "name service", by service, or by
    slug. ``register`` is every processor, read once per plan, so a long policy costs no query per name."""
    wanted = " ".join(name.lower().split())
    slug = slugify(name)
    for matches in (
        lambda processor: processor.name.lower() == wanted,
        lambda processor: (
            f"{processor.name} {processor.service}".lower() == wanted
            or (processor.service and processor.service.lower() == wanted)
        ),
        lambda processor: processor.slug == slug,
    ):
        found = next((processor for processor in register if matches(processor)), None)
        if found:
            return found
    return None


def _rights_in(text: str) -> list[str]:
    found = [right.value for right, pattern in _RIGHT_WORDS if re.search(pattern, text, re.IGNORECASE)]
    if not found:
        return [right.value for right in DataRight if right != DataRight.PORTABILITY]
    return found
