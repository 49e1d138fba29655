"""Admin views to import an existing privacy policy as draft notices, for the DPO to review.

Two steps, as for the retention schedule (``retention_schedule.admin_import``):
the upload (or pasted text) shows a preview of everything the import would
write and every sentence it read that from; confirming writes exactly that,
as drafts. The policy waits in the default file storage between the two steps
(a shared storage works across several app servers), and the confirmation
carries the plan's fingerprint: if the site changed in between (an entry added
that the plan would now link to, a notice edited), the person sees the fresh
preview instead of an import they did not check.

Everything shown from the policy goes through the templates' autoescaping:
none of it is ever marked safe, so a hostile policy shows as text.
"""

import re
from bisect import bisect_left, bisect_right

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Site

from retention_schedule.admin_import import keep_upload

from .choices import DataRight
from .importing import classify
from .importing.apply import apply_plan
from .importing.findings import FIXED, PERMANENT, PROCESSOR
from .importing.plan import ADD_SECTIONS, CREATE, HUB_OWNER, KEEP, LINK, NEW_DRAFT, ImportPlan, default_hub, plan_import
from .importing.source import HTML, MARKDOWN, TEXT, UnreadablePolicy, max_import_bytes, read_policy, too_large_message
from .pages import PrivacyNoticeIndexPage
from .registers import Audience

UPLOAD_FOLDER = "privacy_notice_imports"
# The stored file says how the policy came: uploaded bytes are decoded again as they were the first
# time (the encoding they declare), pasted text was already text.
UPLOADED, PASTED = "upload", "paste"
_TOKEN = re.compile(rf"^[0-9a-f]{{32}}\.(?:{UPLOADED}|{PASTED})$")
# A policy left waiting is removed when the next one arrives (retention_schedule.admin_import.keep_upload).

# Adding the entries an import proposes; the pages need the page permission on where they go as well.
REGISTER_PERMISSIONS = (
    # An import may propose audiences as well as register entries.
    "privacy_notices.add_audience",
    "privacy_notices.add_processor",
    "retention_schedule.add_retentionrule",
    "privacy_notices.add_cookiedeclaration",
)

FORMAT_LABELS = {MARKDOWN: gettext_lazy("Markdown"), HTML: gettext_lazy("HTML"), TEXT: gettext_lazy("Plain text")}
FINDING_LABELS = {
    "retention": gettext_lazy("How long something is kept"),
    "third_party": gettext_lazy("An organisation we share with"),
    "cookie": gettext_lazy("Cookies"),
    "last_updated": gettext_lazy("Last updated"),
}
SECTION_LABELS = {
    classify.RETENTION: gettext_lazy("How long we keep it (retention rules)"),
    classify.SHARING: gettext_lazy("Who we share it with (processors and recipients)"),
    classify.COOKIES: gettext_lazy("Cookies"),
    classify.RIGHTS: gettext_lazy("Your rights"),
    classify.TEXT: gettext_lazy("Text"),
}

ENTRY_ACTIONS = {
    CREATE: gettext_lazy("New draft"),
    LINK: gettext_lazy("Already in the register: linked"),
}
NOTICE_ACTIONS = {
    CREATE: gettext_lazy("New draft notice"),
    NEW_DRAFT: gettext_lazy("New draft of the existing notice"),
}
HUB_ACTIONS = {
    CREATE: gettext_lazy("New hub, as a draft"),
    ADD_SECTIONS: gettext_lazy("New sections, in a draft of the hub"),
    KEEP: gettext_lazy("Unchanged"),
}


# Who may import ------------------------------------------------------------------------------


def _default_root():
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page if site else None


def can_import_into(user, hub) -> bool:
    """May ``user`` import into ``hub`` (or, with no hub yet, make one under the default site's root)?"""
    if not user.is_active or not user.has_perms(REGISTER_PERMISSIONS):
        return False
    parent = hub if hub is not None else _default_root()
    return parent is not None and parent.permissions_for_user(user).can_add_subpage()


def hubs_for(user) -> tuple[list, int]:
    """The hubs ``user`` may import into, and how many hubs the site has."""
    hubs = list(PrivacyNoticeIndexPage.objects.order_by("path"))
    return [hub for hub in hubs if can_import_into(user, hub)], len(hubs)


def can_import(user) -> bool:
    """May ``user`` import a policy anywhere: into a hub, or into a new one if the site has none?"""
    if not user.is_active or not user.has_perms(REGISTER_PERMISSIONS):
        return False
    if user.is_superuser:
        # May add pages anywhere; the menu asks on every admin page, so spare it the query for the hubs.
        return True
    allowed, total = hubs_for(user)
    return bool(allowed) if total else can_import_into(user, None)


class PolicyImportMenuItem(MenuItem):
    """Shown only to the people the import views let in."""

    def is_shown(self, request):
        return can_import(request.user)


def import_url() -> str:
    return reverse("privacy_notices_import:import")


# Forms -----------------------------------------------------------------------------------------


class HubChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, hub):
        # Hubs are often all called "How we use your information": their address tells them apart.
        return f"{hub.title} ({hub.url_path})"


class PolicyImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Policy file"),
        required=False,
        # The importer says what is wrong with an empty file, in its own words.
        allow_empty_file=True,
        help_text=gettext_lazy("A web page (HTML), Markdown or plain text file."),
    )
    text = forms.CharField(
        label=gettext_lazy("Or paste the policy's text"),
        required=False,
        # Offsets in the preview count the characters as pasted: nothing is trimmed.
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy("Markdown, HTML or plain text. Give a file or pasted text, not both."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("The policy's format"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect it")),
            (MARKDOWN, FORMAT_LABELS[MARKDOWN]),
            (HTML, FORMAT_LABELS[HTML]),
            (TEXT, FORMAT_LABELS[TEXT]),
        ],
        help_text=gettext_lazy("By default from the file's extension, else from what the text holds."),
    )
    encoding = forms.CharField(
        label=gettext_lazy("Text encoding"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "Only for a file that is not UTF-8 and does not say which encoding it uses, e.g. windows-1252."
        ),
    )
    audience = forms.ModelChoiceField(
        label=gettext_lazy("Audience"),
        queryset=Audience.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("Find the audiences in the policy"),
        help_text=gettext_lazy(
            "Choose an audience to import the whole policy as that audience's notice. Leave blank to make a "
            "notice for each audience the policy has a section for."
        ),
    )
    hub = HubChoiceField(
        label=gettext_lazy("Hub"),
        queryset=PrivacyNoticeIndexPage.objects.none(),
        help_text=gettext_lazy("The hub of privacy notices the drafts go under."),
    )

    def __init__(self, *args, hubs=(), hub_count=0, **kwargs):
        super().__init__(*args, **kwargs)
        # Only a site with several hubs has a choice to make.
        if hub_count > 1:
            self.fields["hub"].queryset = PrivacyNoticeIndexPage.objects.filter(
                pk__in=[hub.pk for hub in hubs]
            ).order_by("path")
            if hubs:
                self.fields["hub"].initial = hubs[0].pk
        else:
            del self.fields["hub"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = max_import_bytes()
        if upload is not None and upload.size > limit:
            raise ValidationError(too_large_message(upload.size, limit))
        return upload

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if "file" in self.errors:
            return cleaned
        if upload is not None and text.strip():
            raise ValidationError(
                _("Give either a file or pasted text, not both: remove one so it is clear which is the policy.")
            )
        if upload is None and not text.strip():
            raise ValidationError(_("Choose the policy's file, or paste its text."))
        return cleaned


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=_TOKEN, widget=forms.HiddenInput)
    fingerprint = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    source_name = forms.CharField(widget=forms.HiddenInput, max_length=255, required=False)
    format = forms.ChoiceField(choices=[(MARKDOWN, MARKDOWN), (HTML, HTML), (TEXT, TEXT)], widget=forms.HiddenInput)
    encoding = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    audience = forms.SlugField(widget=forms.HiddenInput, max_length=100, required=False)
    hub = forms.IntegerField(widget=forms.HiddenInput, required=False)


# Views -----------------------------------------------------------------------------------------


class PolicyImportView(WagtailAdminTemplateMixin, TemplateView):
    """The form (GET); its POST reads and plans the policy and shows the preview, writing only the stored text."""

    template_name = "privacy_notices/admin/import_policy.html"
    preview_template_name = "privacy_notices/admin/import_policy_preview.html"
    page_title = gettext_lazy("Import a privacy policy")
    header_icon = "upload"
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        # A refusal is a 403: Wagtail would turn PermissionDenied into a redirect to the dashboard, which
        # reads, to a script or an assistive tool, as if the import page had moved.
        try:
            if not request.user.is_active or not request.user.has_perms(REGISTER_PERMISSIONS):
                raise PermissionDenied
            self.hubs, self.hub_count = hubs_for(request.user)
            if not (self.hubs if self.hub_count else can_import_into(request.user, None)):
                raise PermissionDenied
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return permission_denied(request, refusal)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def make_form(self, data=None, files=None):
        return PolicyImportForm(data, files, hubs=self.hubs, hub_count=self.hub_count)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.make_form())
        context["size_limit"] = filesizeformat(max_import_bytes())
        context["import_url"] = import_url()
        return context

    def render_form(self, form, *, problem=None):
        return self.render_to_response(self.get_context_data(form=form, problem=problem))

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form)
        hub = form.cleaned_data.get("hub") or (self.hubs[0] if self.hubs else None)
        if not can_import_into(request.user, hub):
            raise PermissionDenied
        upload = form.cleaned_data["file"]
        audience = form.cleaned_data["audience"]
        encoding = form.cleaned_data["encoding"].strip() or None
        if upload is not None:
            kind, name, data = UPLOADED, upload.name or "", upload.read()
        else:
            kind, name, data = PASTED, "", form.cleaned_data["text"]
        try:
            source = read_policy(data, name, format=form.cleaned_data["format"] or None, encoding=encoding)
        except UnreadablePolicy as error:
            form.add_error("file" if kind == UPLOADED else "text", error.message)
            return self.render_form(form)
        stored = data if isinstance(data, bytes) else data.encode("utf-8")
        plan = plan_import(source, audience=audience.slug if audience else None, hub=hub, user=request.user)
        token = _keep_policy(stored, kind) if plan.can_apply else None
        confirm = {
            "token": token,
            "fingerprint": plan.fingerprint(),
            "source_name": name[:255],
            "format": source.format,
            "encoding": encoding or "",
            "audience": audience.slug if audience else "",
            "hub": hub.pk if hub else None,
        }
        return self.render_preview(plan, confirm, size=len(stored))

    def render_preview(self, plan: ImportPlan, confirm: dict, *, size: int, changed_since: bool = False):
        self.template_name = self.preview_template_name
        confirm_form = ConfirmForm(initial=confirm) if confirm["token"] and plan.can_apply else None
        return self.render_to_response(
            self.get_context_data(
                plan=plan,
                preview=describe_plan(plan, size=size, user=self.request.user),
                confirm_form=confirm_form,
                confirm_url=reverse("privacy_notices_import:confirm"),
                changed_since=changed_since,
            )
        )


class PolicyImportConfirmView(PolicyImportView):
    """Write what the preview showed as drafts; or, if the site or the stored policy changed since, show the
    fresh preview instead."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The import could not be confirmed. Upload the policy again."))
            return redirect("privacy_notices_import:import")
        confirm = form.cleaned_data
        hub = None
        if confirm["hub"] is not None:
            hub = PrivacyNoticeIndexPage.objects.filter(pk=confirm["hub"]).first()
            if hub is None:
                messages.error(request, _("The hub chosen for the import no longer exists. Choose another."))
                return redirect("privacy_notices_import:import")
        else:
            # Previewed on a site with no hub: one made since is where the plan now puts the notices.
            hub = default_hub()
        if not can_import_into(request.user, hub):
            raise PermissionDenied
        path = f"{UPLOAD_FOLDER}/{confirm['token']}"
        try:
            with default_storage.open(path, "rb") as stored:
                data = stored.read()
        except FileNotFoundError:
            messages.error(request, _("That policy has already been imported or has expired. Upload it again."))
            return redirect("privacy_notices_import:import")
        try:
            source = _read_stored(data, confirm)
        except UnreadablePolicy as error:  # e.g. the size limit was lowered in between
            default_storage.delete(path)
            return self.render_form(self.make_form(), problem=error.message)
        plan = plan_import(source, audience=confirm["audience"] or None, hub=hub, user=request.user)
        if plan.fingerprint() != confirm["fingerprint"] or not plan.can_apply:
            if not plan.can_apply:
                # The fresh preview has no confirm button: the stored text has no further use.
                default_storage.delete(path)
            fresh = {**confirm, "fingerprint": plan.fingerprint()}
            return self.render_preview(plan, fresh, size=len(data), changed_since=True)
        try:
            result = apply_plan(plan, user=request.user)
        except ValidationError as error:  # the transaction was rolled back: nothing was written
            messages.error(
                request,
                _("The import failed and nothing was written: %(error)s") % {"error": "; ".join(error.messages)},
            )
            return self.render_preview(plan, confirm, size=len(data))
        default_storage.delete(path)
        self.report(result)
        return redirect("wagtailadmin_explore", result.hub.pk)

    def report(self, result) -> None:
        titles = ", ".join(f"“{notice.title}”" for notice in result.notices)
        notices = ngettext(
            "Imported %(count)d draft notice (%(titles)s).",
            "Imported %(count)d draft notices (%(titles)s).",
            len(result.notices),
        ) % {"count": len(result.notices), "titles": titles}
        entries = ngettext(
            "%(count)d register entry was proposed as a draft.",
            "%(count)d register entries were proposed as drafts.",
            len(result.created_entries),
        ) % {"count": len(result.created_entries)}
        review = ngettext(
            "Review it, then submit it for approval.",
            "Review them, then submit them for approval.",
            len(result.notices),
        )
        message = f"{notices} {entries} {review}"
        buttons = [
            messages.button(
                reverse("wagtailadmin_pages:edit", args=[notice.pk]), _("Edit “%(title)s”") % {"title": notice.title}
            )
            for notice in result.notices
        ]
        messages.success(self.request, message, buttons=buttons)


def _read_stored(data: bytes, confirm: dict):
    if confirm["token"].endswith(f".{PASTED}"):
        return read_policy(data.decode("utf-8"), "", format=confirm["format"])
    return read_policy(data, confirm["source_name"], format=confirm["format"], encoding=confirm["encoding"] or None)


def _keep_policy(data: bytes, kind: str) -> str:
    return keep_upload(data, kind, folder=UPLOAD_FOLDER)


# The preview -----------------------------------------------------------------------------------


class _Sentences:
    """Where a finding's words are in its sentence, so the preview can mark them.

    A sentence and its words are both quoted as read (markup removed, white
    space collapsed), with their offsets in the input; the block they are read
    from maps each character back to its offset, which places the words exactly
    even when the same words occur twice in the sentence.
    """

    def __init__(self, outline):
        self.blocks = [block for block in outline.blocks if block.positions]
        self.starts = [block.positions[0] for block in self.blocks]

    def split(self, finding) -> tuple[str, str, str]:
        sentence, words = finding.quote.text, finding.words.text
        span = self.span(finding)
        if span is None and words:
            at = sentence.find(words)
            span = (at, at + len(words)) if at >= 0 else None
        if span is None:
            return sentence, "", ""
        start, end = span
        return sentence[:start], sentence[start:end], sentence[end:]

    def span(self, finding):
        quote, words = finding.quote, finding.words
        if not words.text:
            return None
        index = bisect_right(self.starts, quote.start) - 1
        if index < 0:
            return None
        positions = self.blocks[index].positions
        first = bisect_left(positions, quote.start)
        if first >= len(positions) or positions[first] != quote.start:
            return None
        start = bisect_left(positions, words.start) - first
        end = bisect_left(positions, words.end) - first
        if 0 <= start < end <= len(quote.text) and quote.text[start:end] == words.text:
            return start, end
        return None


def _what_it_says(finding) -> str:
    if finding.kind == "retention":
        if finding.period_type == PERMANENT:
            return _("Kept permanently")
        if finding.period_type == FIXED and finding.period:
            if finding.trigger:
                return _("%(period)s from %(trigger)s") % {
                    "period": finding.period.describe(),
                    "trigger": finding.trigger,
                }
            return finding.period.describe()
        return _("Kept, for no stated period")
    if finding.kind == "third_party":
        role = _("processor") if finding.role == PROCESSOR else _("recipient")
        return f"{finding.name} ({role})"
    if finding.kind == "cookie":
        return finding.name or finding.provider or _("Cookies in general")
    if finding.kind == "last_updated":
        return date_format(finding.date) if finding.date else ""
    return ""


def _entry_label(entry) -> str:
    instance = entry.instance
    if hasattr(instance, "record_class"):
        return f"{instance.record_class}: {instance.summary()}"
    if hasattr(instance, "service"):
        role = _("processor") if instance.role == PROCESSOR else _("recipient")
        service = f", {instance.service}" if instance.service else ""
        return f"{instance.name} ({role}{service})"
    label = instance.name
    if instance.category:
        label = f"{label} ({instance.get_category_display()})"
    if instance.provider is not None:
        label = _("%(cookie)s, set by %(provider)s") % {"cookie": label, "provider": instance.provider.name}
    return label


def _right_label(value: str) -> str:
    try:
        return str(DataRight(value).label)
    except ValueError:
        return value


def describe_plan(plan: ImportPlan, *, size: int, user) -> dict:
    """What the preview shows, in the order a DPO checks it; policy text stays plain strings for autoescaping."""
    finder = AdminURLFinder(user)
    hub_title = plan.hub.title if plan.hub else ""
    targets = {HUB_OWNER: _("The hub “%(title)s”, for everyone") % {"title": hub_title}}
    targets |= {notice.owner: notice.title for notice in plan.notices}
    sentences = _Sentences(plan.outline)

    def entry(planned):
        return {
            "action": planned.action,
            "action_label": ENTRY_ACTIONS[planned.action],
            "key": planned.key,
            "label": _entry_label(planned),
            "edit_url": finder.get_edit_url(planned.instance) if planned.action == LINK else None,
            "notices": [targets.get(owner, owner) for owner in planned.owners],
            "findings": len(planned.findings),
        }

    def section(planned):
        shown = [entry(found) for found in [*planned.rules, *planned.processors, *planned.cookies]]
        return {
            "type": planned.type,
            "type_label": SECTION_LABELS.get(planned.type, planned.type),
            "heading": planned.heading,
            "start": planned.start,
            "end": planned.end,
            "entries": shown,
            "rights": [_right_label(right) for right in planned.rights],
        }

    def finding_row(finding):
        before, words, after = sentences.split(finding)
        return {
            "kind": finding.kind,
            "kind_label": FINDING_LABELS.get(finding.kind, finding.kind),
            "says": _what_it_says(finding),
            "before": before,
            "words": words,
            "after": after,
            "start": finding.quote.start,
            "end": finding.quote.end,
            "words_start": finding.words.start,
            "words_end": finding.words.end,
            "section": finding.section,
            "goes_to": targets.get(plan.owner_of(finding), ""),
        }

    created = []
    if plan.hub is not None:
        planned_hub, page = plan.hub, plan.hub.page
        notes = []
        if planned_hub.parent is not None:
            notes.append(_("Under “%(parent)s”.") % {"parent": planned_hub.parent.title})
        if planned_hub.intro.strip():
            notes.append(_("The text before the policy's first heading becomes its introduction."))
        created.append(
            {
                "kind": "hub",
                "action": planned_hub.action,
                "action_label": HUB_ACTIONS[planned_hub.action],
                "heading": _("Hub: “%(title)s”") % {"title": planned_hub.title},
                "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]) if page else None,
                "edit_label": _("Edit the hub"),
                "notes": notes,
                "caption": _("Sections for everyone the hub gets"),
                "sections": [section(planned) for planned in planned_hub.sections],
            }
        )
    for notice in plan.notices:
        audience, existing = notice.audience.audience, notice.existing
        notes = [
            (
                _("For %(audience)s (%(slug)s), a new audience.")
                if notice.audience.action == CREATE
                else _("For %(audience)s (%(slug)s).")
            )
            % {"audience": audience.name, "slug": audience.slug}
        ]
        if notice.last_updated:
            notes.append(
                _("Its first published version will be dated %(date)s, as the policy was.")
                % {"date": date_format(notice.last_updated)}
            )
        created.append(
            {
                "kind": "notice",
                "action": notice.action,
                "action_label": NOTICE_ACTIONS[notice.action],
                "heading": _("Notice: “%(title)s”") % {"title": notice.title},
                "edit_url": reverse("wagtailadmin_pages:edit", args=[existing.pk]) if existing else None,
                "edit_label": _("Edit the existing notice"),
                "notes": notes,
                "caption": _("Sections of “%(title)s”") % {"title": notice.title},
                "sections": [section(planned) for planned in notice.sections],
            }
        )
    latest = plan.findings.latest_update()
    last_updated = finding_row(latest) | {"date": latest.date} if latest else None
    return {
        "source": {
            "name": plan.source.name,
            "format": FORMAT_LABELS.get(plan.source.format, plan.source.format),
            "size": filesizeformat(size),
            "characters": len(plan.source.text),
            "encoding": plan.source.encoding,
            "title": plan.outline.title.text if plan.outline.title else "",
        },
        "last_updated": last_updated,
        "created": created,
        "registers": [
            {"name": "rules", "title": _("Retention rules"), "entries": [entry(found) for found in plan.rules]},
            {
                "name": "processors",
                "title": _("Processors and recipients"),
                "entries": [entry(found) for found in plan.processors],
            },
            {"name": "cookies", "title": _("Cookies"), "entries": [entry(found) for found in plan.cookies]},
        ],
        "findings": [finding_row(finding) for finding in plan.findings.all()],
    }
