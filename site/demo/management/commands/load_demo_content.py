"""Load the demo content: a fictional UK public body, its registers and notices.

The content lives as data in ``fixtures/demo/*.toml`` and is built here in Python
(not Django fixtures of pages, which break under a swapped page model):

- ``organisation.toml``: the organisation settings of the default site;
- ``audiences.toml``, ``processors.toml``, ``cookies.toml``, ``retention.toml``:
  the audiences and the DPO's registers, looked up by their stable slug or code;
- ``schedule.toml``: the retention schedule page at ``/retention-schedule/``;
- ``hub.toml``: the hub at ``/privacy/``;
- ``notices/*.toml``: one notice per audience, at ``/privacy/<audience>/``.

Rich text fields (a section's ``intro``, a text section's ``body``, the
automated decisions ``details``, a page's ``intro``) are written in Markdown.
Sections name register entries by slug (``processors``, ``cookies``) or by
rule code (``rules``); the loader turns those into primary keys.

Running the command again is safe: what is missing is created, what differs
from the files is updated, and a new revision is published only for what
actually changed. Nothing is deleted. Everything is validated as the admin
would validate it, and a failure anywhere writes nothing.
"""

import json
import tomllib
import uuid
from collections import Counter
from pathlib import Path

import markdown
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Site

from privacy_notices.models import (
    Audience,
    CookieDeclaration,
    OrganisationSettings,
    PrivacyNoticeIndexPage,
    PrivacyNoticePage,
    Processor,
)
from retention_schedule.models import RetentionRule, RetentionSchedulePage

DEFAULT_SOURCE = Path(getattr(settings, "REPO_DIR", Path(__file__).resolve().parents[4])) / "fixtures" / "demo"

HUB_SLUG = "privacy"
SCHEDULE_SLUG = "retention-schedule"

# StreamField block ids are derived from the content's place in the files, so a
# fresh load always produces the same ids and a re-run compares like with like.
BLOCK_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/wagtail-privacy-notices/demo")

# What each file may set on each model: anything else is a typo and is refused.
ORGANISATION_FIELDS = (
    "controller_name",
    "controller_address",
    "controller_email",
    "controller_phone",
    "registration_number",
    "dpo_name",
    "dpo_email",
    "dpo_phone",
    "dpo_address",
    "authority_name",
    "authority_url",
    "authority_phone",
    "authority_address",
)
AUDIENCE_FIELDS = ("slug", "name", "description", "data_subject")
PROCESSOR_FIELDS = (
    "slug",
    "name",
    "service",
    "role",
    "purposes",
    "data_categories",
    "countries",
    "transfer_safeguard",
    "safeguard_details",
    "privacy_notice_url",
    "contract_signed",
    "contract_review_due",
    "contract_reference",
    "internal_notes",
)
COOKIE_FIELDS = ("slug", "name", "provider", "purpose", "category", "lifetime", "party")
RULE_FIELDS = (
    "code",
    "record_class",
    "business_function",
    "description",
    "data_categories",
    "period_type",
    "period",
    "trigger",
    "criteria",
    "disposal_action",
    "authority",
    "exceptions",
    "owner",
    "last_reviewed",
)

# Section fields that name register entries: (model, the field that names them).
SECTION_REFERENCES = {
    "processors": (Processor, "slug"),
    "rules": (RetentionRule, "code"),
    "cookies": (CookieDeclaration, "slug"),
}


def markdown_to_rich_text(text: str) -> str:
    """Markdown to the HTML Wagtail stores for rich text (``<b>``/``<i>``, no newlines between blocks)."""
    if not (text or "").strip():
        return ""
    html = markdown.markdown(text.strip())
    for tag, wagtail_tag in (("strong", "b"), ("em", "i")):
        html = html.replace(f"<{tag}>", f"<{wagtail_tag}>").replace(f"</{tag}>", f"</{wagtail_tag}>")
    return html.replace(">\n<", "><")


def in_menus(page_model) -> dict:
    """Show the page in menus, where the base page model has that field.

    ``show_in_menus`` belongs to Wagtail's default page model; a project that swaps
    its base page model (WAGTAIL_PAGE_MODEL) may not have it.
    """
    fields = {field.name for field in page_model._meta.get_fields()}
    return {"show_in_menus": True} if "show_in_menus" in fields else {}


def block_id(*parts) -> str:
    return str(uuid.uuid5(BLOCK_ID_NAMESPACE, "/".join(str(part) for part in parts)))


def describe_validation_error(error: ValidationError, path: str = "") -> list[str]:
    """Flatten a (possibly nested block) validation error into "where: what" lines."""
    prefix = f"{path}: " if path else ""
    lines = []
    block_errors = getattr(error, "block_errors", None) or {}
    for key, child in block_errors.items():
        where = f"item {key + 1}" if isinstance(key, int) else str(key)
        lines += describe_validation_error(child, f"{path} {where}".strip())
    non_block_errors = getattr(error, "non_block_errors", None)
    if non_block_errors:
        lines += [prefix + message for e in non_block_errors.as_data() for message in e.messages]
    if block_errors or non_block_errors:
        return lines
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            where = f"{path} {field}".strip() if field != "__all__" else path
            lines += [f"{where}: {message}" if where else message for message in errors]
        return lines
    return [prefix + message for message in error.messages]


class Tally(Counter):
    """Created / updated / unchanged counts per kind of content."""

    def describe(self) -> str:
        parts = [f"{self[outcome]} {outcome}" for outcome in ("created", "updated", "unchanged") if self[outcome]]
        return ", ".join(parts) or "nothing"


class DemoContentLoader:
    """Reads the demo TOML files and brings the database into line with them."""

    def __init__(self, source: Path, log=None):
        self.source = source
        self.log = log or (lambda message: None)
        self.tallies: dict[str, Tally] = {}

    # Files ------------------------------------------------------------------------

    def read(self, relative: str) -> dict:
        path = self.source / relative
        try:
            with path.open("rb") as file:
                return tomllib.load(file)
        except FileNotFoundError:
            raise CommandError(f"{path}: file not found.") from None
        except tomllib.TOMLDecodeError as error:
            raise CommandError(f"{relative}: not valid TOML: {error}") from None

    def entries(self, relative: str, table: str) -> list[dict]:
        data = self.read(relative)
        entries = data.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise CommandError(f"{relative}: expected a list of [[{table}]] tables.")
        return entries

    @staticmethod
    def check_keys(data: dict, allowed, where: str) -> None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            raise CommandError(
                f"{where}: unknown field(s) {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}."
            )

    @staticmethod
    def with_defaults(model, allowed, data: dict) -> dict:
        """Every allowed field, at its model default unless the file sets it: a field taken out
        of a file is reset, so the database always says what the files say."""
        values = {name: model._meta.get_field(name).get_default() for name in allowed}
        values.update(data)
        return values

    def count(self, kind: str, outcome: str, label: str) -> None:
        self.tallies.setdefault(kind, Tally())[outcome] += 1
        if outcome != "unchanged":
            self.log(f"{outcome} {kind[:-1] if kind.endswith('s') else kind}: {label}")

    # Comparing ----------------------------------------------------------------------

    @staticmethod
    def snapshot(obj, names) -> dict:
        """The fields' values in a comparable form (stream data as parsed JSON, so key order is ignored)."""
        values = {}
        for name in names:
            field = obj._meta.get_field(name)
            value = field.value_to_string(obj)
            values[name] = json.loads(value) if isinstance(field, StreamField) else value
        return values

    @staticmethod
    def full_clean(obj, where: str) -> None:
        try:
            obj.full_clean()
        except ValidationError as error:
            raise CommandError(f"{where}: " + "; ".join(describe_validation_error(error))) from None

    # Loading --------------------------------------------------------------------------

    def load(self) -> None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            raise CommandError("There is no default site. Run migrate first.")
        self.load_organisation(site)
        self.load_audiences()
        self.load_register("processors.toml", "processor", Processor, "slug", PROCESSOR_FIELDS, "processors")
        self.load_register("cookies.toml", "cookie", CookieDeclaration, "slug", COOKIE_FIELDS, "cookies")
        self.load_register("retention.toml", "rule", RetentionRule, "code", RULE_FIELDS, "retention rules")
        root = site.root_page
        self.load_schedule_page(root)
        hub = self.load_hub(root)
        for path in sorted((self.source / "notices").glob("*.toml")):
            self.load_notice(hub, path.relative_to(self.source).as_posix())

    def load_organisation(self, site) -> None:
        relative = "organisation.toml"
        data = self.read(relative)
        self.check_keys(data, ORGANISATION_FIELDS, relative)
        values = self.with_defaults(OrganisationSettings, ORGANISATION_FIELDS, data)
        created = not OrganisationSettings.objects.filter(site=site).exists()
        organisation = OrganisationSettings.for_site(site)
        before = self.snapshot(organisation, values)
        for name, value in values.items():
            setattr(organisation, name, value)
        self.full_clean(organisation, relative)
        label = site.site_name or site.hostname
        if self.snapshot(organisation, values) == before:
            self.count("organisation settings", "created" if created else "unchanged", label)
            return
        organisation.save()
        self.count("organisation settings", "created" if created else "updated", label)

    def load_audiences(self) -> None:
        relative = "audiences.toml"
        for data in self.entries(relative, "audience"):
            slug = data.get("slug")
            where = f"{relative}, audience {slug!r}"
            if not slug:
                raise CommandError(f"{relative}: every audience needs a slug.")
            self.check_keys(data, AUDIENCE_FIELDS, where)
            values = self.with_defaults(Audience, AUDIENCE_FIELDS, data)
            audience = Audience.objects.filter(slug=slug).first()
            created = audience is None
            audience = audience or Audience()
            before = None if created else self.snapshot(audience, values)
            for name, value in values.items():
                setattr(audience, name, value)
            self.full_clean(audience, where)
            if not created and self.snapshot(audience, values) == before:
                self.count("audiences", "unchanged", slug)
                continue
            audience.save()
            self.count("audiences", "created" if created else "updated", slug)

    def register_values(self, model, data: dict, where: str) -> dict:
        """TOML values as model values: a cookie's provider is named by processor slug."""
        values = dict(data)
        if model is CookieDeclaration and values.get("provider"):
            slug = values["provider"]
            values["provider"] = Processor.objects.filter(slug=slug).first()
            if values["provider"] is None:
                raise CommandError(f"{where}: provider {slug!r} is not in the processor register.")
        return values

    def load_register(self, relative, table, model, key, allowed, kind) -> None:
        """Create or update register entries, publishing a revision only when an entry changed."""
        for data in self.entries(relative, table):
            code = data.get(key)
            where = f"{relative}, {table} {code!r}"
            if not code:
                raise CommandError(f"{relative}: every {table} needs a {key}.")
            self.check_keys(data, allowed, where)
            values = self.with_defaults(model, allowed, self.register_values(model, data, where))
            entry = model.objects.filter(**{key: code}).first()
            created = entry is None
            entry = entry or model()
            before = None if created else self.snapshot(entry, values)
            for name, value in values.items():
                setattr(entry, name, value)
            self.full_clean(entry, where)
            if not created and entry.live and self.snapshot(entry, values) == before:
                self.count(kind, "unchanged", code)
                continue
            # As the admin's Publish button does: save, then publish a revision.
            entry.save()
            entry.save_revision().publish()
            self.count(kind, "created" if created else "updated", code)

    # Pages ------------------------------------------------------------------------------

    def stream_data(self, stream_block, sections, where: str, id_seed: str) -> list[dict]:
        """Raw StreamField data from TOML sections, validated block by block as the admin would."""
        if not isinstance(sections, list):
            raise CommandError(f"{where}: expected a list of [[sections]] tables.")
        raw = []
        for index, section in enumerate(sections, 1):
            data = dict(section)
            block_type = data.pop("type", None)
            here = f"{where}, section {index} ({block_type or 'no type'})"
            block = stream_block.child_blocks.get(block_type)
            if block is None:
                raise CommandError(f"{here}: unknown section type. Use one of {', '.join(stream_block.child_blocks)}.")
            value = self.struct_data(block, data, here, (id_seed, index))
            try:
                cleaned = block.clean(block.to_python(value))
            except ValidationError as error:
                raise CommandError(f"{here}: " + "; ".join(describe_validation_error(error))) from None
            raw.append({"type": block_type, "value": block.get_prep_value(cleaned), "id": block_id(id_seed, index)})
        return raw

    def struct_data(self, block, data: dict, where: str, id_parts) -> dict:
        self.check_keys(data, block.child_blocks, where)
        # A list left out is empty (a ListBlock's own default is one blank item).
        value = {name: [] for name, child in block.child_blocks.items() if isinstance(child, blocks.ListBlock)}
        for name, item in data.items():
            child = block.child_blocks[name]
            if name in SECTION_REFERENCES:
                item = self.references(name, item, where)
            if isinstance(child, blocks.RichTextBlock):
                item = markdown_to_rich_text(item)
            if isinstance(child, blocks.ListBlock):
                if not isinstance(item, list):
                    raise CommandError(f"{where}: {name} must be a list.")
                if isinstance(child.child_block, blocks.StructBlock):
                    item = [
                        self.struct_data(child.child_block, dict(v), f"{where} {name} item {i}", (*id_parts, name, i))
                        for i, v in enumerate(item, 1)
                    ]
                item = [{"type": "item", "value": v, "id": block_id(*id_parts, name, i)} for i, v in enumerate(item, 1)]
            value[name] = item
        return value

    def references(self, name: str, codes, where: str) -> list[int]:
        model, key = SECTION_REFERENCES[name]
        if not isinstance(codes, list):
            raise CommandError(f"{where}: {name} must be a list of codes.")
        found = dict(model.objects.filter(**{f"{key}__in": codes}).values_list(key, "pk"))
        missing = [code for code in codes if code not in found]
        if missing:
            raise CommandError(
                f"{where}: {name} {', '.join(map(repr, missing))} not found in the {model._meta.verbose_name_plural}."
            )
        return [found[code] for code in codes]

    def sync_page(self, parent, model, slug: str, values: dict, where: str, kind: str):
        """Create or update one page under ``parent``, publishing a revision only when it changed."""
        existing = parent.get_children().filter(slug=slug).first()
        if existing is None:
            page = model(slug=slug, **values)
            try:
                parent.add_child(instance=page)
                page.save_revision().publish()
            except ValidationError as error:
                raise CommandError(f"{where}: " + "; ".join(describe_validation_error(error))) from None
            self.count(kind, "created", page.get_url() or page.url_path)
            return page
        page = existing.specific
        if not isinstance(page, model):
            raise CommandError(
                f"{where}: the page at slug {slug!r} under {parent.title!r} is a "
                f"{page._meta.verbose_name}, not a {model._meta.verbose_name}. Move or delete it first."
            )
        before = self.snapshot(page, values)
        for name, value in values.items():
            setattr(page, name, value)
        if page.live and self.snapshot(page, values) == before:
            self.count(kind, "unchanged", page.get_url() or page.url_path)
            return page
        try:
            page.save_revision().publish()
        except ValidationError as error:
            raise CommandError(f"{where}: " + "; ".join(describe_validation_error(error))) from None
        self.count(kind, "updated", page.get_url() or page.url_path)
        return page

    def load_schedule_page(self, root):
        relative = "schedule.toml"
        data = self.read(relative)
        self.check_keys(data, ("title", "intro"), relative)
        values = {"title": data.get("title", ""), "intro": markdown_to_rich_text(data.get("intro", ""))}
        values.update(in_menus(RetentionSchedulePage))
        return self.sync_page(root, RetentionSchedulePage, SCHEDULE_SLUG, values, relative, "pages")

    def load_hub(self, root):
        relative = "hub.toml"
        data = self.read(relative)
        self.check_keys(data, ("title", "intro", "sections"), relative)
        stream_block = PrivacyNoticeIndexPage._meta.get_field("sections").stream_block
        values = {
            "title": data.get("title", ""),
            "intro": markdown_to_rich_text(data.get("intro", "")),
            "sections": self.stream_data(stream_block, data.get("sections", []), relative, "hub"),
            **in_menus(PrivacyNoticeIndexPage),
        }
        return self.sync_page(root, PrivacyNoticeIndexPage, HUB_SLUG, values, relative, "pages")

    def load_notice(self, hub, relative: str):
        data = self.read(relative)
        self.check_keys(data, ("title", "audience", "summary", "sections", "first_version", "pending_change"), relative)
        slug = data.get("audience")
        audience = Audience.objects.filter(slug=slug).first() if slug else None
        if audience is None:
            raise CommandError(f"{relative}: audience {slug!r} is not in audiences.toml.")
        stream_block = PrivacyNoticePage._meta.get_field("sections").stream_block
        values = {
            "title": data.get("title", ""),
            "audience": audience,
            "summary": data.get("summary", ""),
            "sections": self.stream_data(stream_block, data.get("sections", []), relative, f"notice/{slug}"),
        }
        created = not hub.get_children().filter(slug=slug).exists()
        first = data.get("first_version")
        if first is not None and created:
            # A history to show: the notice is first published as it was, then changed to what
            # the file says, as an editor would (only when it is created, so loading again adds nothing).
            self.check_keys(first, ("summary", "change", "material"), f"{relative} [first_version]")
            self.sync_page(
                hub, PrivacyNoticePage, slug, {**values, "summary": first.get("summary", "")}, relative, "notices"
            )
            values = {
                **values,
                "change_summary": first.get("change", ""),
                "material_change": bool(first.get("material", True)),
            }
        # The notice's address is /privacy/<audience slug>/.
        page = self.sync_page(hub, PrivacyNoticePage, slug, values, relative, "notices")
        pending = data.get("pending_change")
        if pending is not None and created:
            self.submit_pending_change(page, pending, f"{relative} [pending_change]")
        return page

    def submit_pending_change(self, page, pending: dict, where: str) -> None:
        """A draft change waiting in the DPO's approval queue, submitted by the demo editor.

        Only when the notice is created, so loading again neither adds another nor
        undoes what the DPO did with it.
        """
        from django.contrib.auth import get_user_model

        self.check_keys(pending, ("change", "material", "add_processors", "submitted_by"), where)
        processors = []
        for processor_slug in pending.get("add_processors", []):
            processor = Processor.objects.filter(slug=processor_slug).first()
            if processor is None:
                raise CommandError(f"{where}: processor {processor_slug!r} is not in processors.toml.")
            processors.append(processor)
        page = PrivacyNoticePage.objects.get(pk=page.pk)
        sections = list(page.sections.raw_data)
        sharing = next((section for section in sections if section["type"] == "sharing"), None)
        if sharing is None:
            raise CommandError(f"{where}: the notice has no sharing section to add processors to.")
        chosen = sharing["value"].setdefault("processors", [])
        chosen += [{"type": "item", "value": processor.pk, "id": str(uuid.uuid4())} for processor in processors]
        page.sections = sections
        page.change_summary = pending.get("change", "")
        page.material_change = bool(pending.get("material", True))
        User = get_user_model()
        # The demo editor, when create_demo_logins has run first (make demo runs it first).
        user = User._default_manager.filter(**{User.USERNAME_FIELD: pending.get("submitted_by", "")}).first()
        page.save_revision(user=user)
        workflow = page.get_workflow()
        if workflow is None:
            raise CommandError(f"{where}: the notice has no approval workflow. Run migrate first.")
        workflow.start(page, user)
        self.count("changes awaiting the DPO", "created", page.get_url() or page.url_path)


class Command(BaseCommand):
    help = (
        "Load the demo content (a fictional UK public body, its registers and privacy notices) "
        "from fixtures/demo. Safe to run again: only what changed is updated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            default=DEFAULT_SOURCE,
            help="The folder of TOML files to load (default: %(default)s).",
        )

    def handle(self, *args, source: Path, verbosity: int = 1, **options):
        if not source.is_dir():
            raise CommandError(f"{source}: no such folder.")
        loader = DemoContentLoader(source, log=self.stdout.write if verbosity >= 2 else None)
        # All or nothing: a bad entry anywhere leaves the database as it was.
        with transaction.atomic():
            loader.load()
        totals = Tally()
        for tally in loader.tallies.values():
            totals.update(tally)
        lines = [f"Demo content loaded from {source}: {totals.describe()}."]
        lines += [f"  {kind}: {tally.describe()}" for kind, tally in loader.tallies.items()]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
