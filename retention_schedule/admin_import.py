"""Admin views to import the schedule from a file, export it, and download a template to fill in.

Importing takes two steps, so nothing is written until a person has seen what
will happen: the upload shows a preview (what will be created, changed and
left alone, and every problem, by row and column); confirming imports exactly
what was previewed. The uploaded file waits in the default file storage
between the two steps (a shared storage works across several app servers),
and the confirmation carries a fingerprint of the preview: if the schedule
changed in between, the person sees the new preview instead of an import
they did not check.
"""

import datetime
import json
import re
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .exchange.columns import COLUMNS
from .exchange.importing import apply_plan, plan_import
from .exchange.reading import ScheduleFileError, max_import_bytes, read_schedule_file, too_large
from .exchange.writing import XLSX_CONTENT_TYPE, template_csv, template_xlsx, write_csv, write_json, write_xlsx
from .models import published_rules

UPLOAD_FOLDER = "retention_schedule_imports"
_TOKEN = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx|json)$")
# An upload left waiting this long was abandoned; it is removed when the next one arrives.
_ABANDONED_AFTER = datetime.timedelta(days=1)

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_CONTENT_TYPE,
    "json": "application/json",
}


def listing_url() -> str:
    return reverse("wagtailsnippets_retention_schedule_retentionrule:list")


def can_import(user, publish: bool) -> bool:
    needed = ["retention_schedule.add_retentionrule", "retention_schedule.change_retentionrule"]
    if publish:
        needed.append("retention_schedule.publish_retentionrule")
    return user.has_perms(needed)


def can_read_schedule(user) -> bool:
    return any(user.has_perm(f"retention_schedule.{action}_retentionrule") for action in ("view", "change", "add"))


def _attachment(content, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Schedule file"),
        help_text=gettext_lazy("A CSV (UTF-8), Excel workbook (.xlsx) or JSON file with one rule per row."),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish the imported rules"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Untick to save them as drafts to review and publish one by one."),
    )


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=_TOKEN, widget=forms.HiddenInput)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    publish = forms.BooleanField(required=False, widget=forms.HiddenInput)
    source_name = forms.CharField(widget=forms.HiddenInput, max_length=255, required=False)


class ImportView(WagtailAdminTemplateMixin, TemplateView):
    """Upload a file (POST) to see its preview; GET shows the form, the columns and the templates."""

    template_name = "retention_schedule/admin/import.html"
    page_title = gettext_lazy("Import the retention schedule")
    header_icon = "upload"
    http_method_names = ["get", "post", "head"]

    def dispatch(self, request, *args, **kwargs):
        if not can_import(request.user, publish=False):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": listing_url(), "label": _("Retention schedule")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["columns"] = COLUMNS
        context["size_limit"] = filesizeformat(max_import_bytes())
        context["template_csv_url"] = reverse("retention_schedule_admin:template", args=["csv"])
        context["template_xlsx_url"] = reverse("retention_schedule_admin:template", args=["xlsx"])
        context["listing_url"] = listing_url()
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        publish = form.cleaned_data["publish"]
        if publish and not can_import(request.user, publish=True):
            form.add_error("publish", _("You can import drafts, but publishing rules needs a DPO's permission."))
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        limit = max_import_bytes()
        if upload.size > limit:
            form.add_error("file", too_large(upload.size, limit).message)
            return self.render_to_response(self.get_context_data(form=form))
        data = upload.read()
        try:
            schedule_file = read_schedule_file(data, upload.name, max_bytes=limit)
        except ScheduleFileError as error:
            return self.render_to_response(self.get_context_data(form=form, file_problems=error.problems))
        plan = plan_import(schedule_file, upload.name, publish=publish)
        token = None
        if plan.can_apply:
            token = keep_upload(data, schedule_file.format)
        return render_preview(self, plan, token)


def render_preview(view, plan, token, *, changed_since=False):
    view.template_name = "retention_schedule/admin/import_preview.html"
    confirm = None
    if token:
        confirm = ConfirmForm(
            initial={
                "token": token,
                "fingerprint": plan.fingerprint(),
                "publish": plan.publish,
                "source_name": plan.source_name[:255],
            }
        )
    shown_by = sorted({use.title for planned in plan.changed for use in planned.live_uses})
    return view.render_to_response(
        view.get_context_data(
            plan=plan,
            confirm_form=confirm,
            confirm_url=reverse("retention_schedule_admin:import_confirm"),
            changed_since=changed_since,
            notices_affected=shown_by,
            replaced_drafts=[planned for planned in plan.changed if planned.replaces_draft],
        )
    )


def keep_upload(data: bytes, extension: str, folder: str = UPLOAD_FOLDER) -> str:
    """Keep an upload between preview and confirmation, in the default storage; returns its token (file name).

    Uploads left more than a day (a preview never confirmed) are removed first.
    """
    remove_abandoned_uploads(folder)
    name = f"{uuid.uuid4().hex}.{extension}"
    default_storage.save(f"{folder}/{name}", ContentFile(data))
    return name


def remove_abandoned_uploads(folder: str = UPLOAD_FOLDER) -> None:
    try:
        _folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - _ABANDONED_AFTER
    for name in files:
        path = f"{folder}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


class ImportConfirmView(ImportView):
    """Import what the preview showed, or show a fresh preview if the schedule has changed since."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The import could not be confirmed. Upload the file again."))
            return redirect("retention_schedule_admin:import")
        publish = form.cleaned_data["publish"]
        if not can_import(request.user, publish=publish):
            raise PermissionDenied
        path = f"{UPLOAD_FOLDER}/{form.cleaned_data['token']}"
        try:
            with default_storage.open(path, "rb") as stored:
                data = stored.read()
        except FileNotFoundError:
            messages.error(request, _("That upload has already been imported or has expired. Upload the file again."))
            return redirect("retention_schedule_admin:import")
        source_name = form.cleaned_data["source_name"]
        try:
            schedule_file = read_schedule_file(data, form.cleaned_data["token"])
        except ScheduleFileError as error:  # e.g. the size limit was lowered in between
            default_storage.delete(path)
            return self.render_to_response(self.get_context_data(form=ImportForm(), file_problems=error.problems))
        plan = plan_import(schedule_file, source_name, publish=publish)
        if plan.fingerprint() != form.cleaned_data["fingerprint"] or not plan.can_apply:
            token = form.cleaned_data["token"] if plan.can_apply else None
            return render_preview(self, plan, token, changed_since=True)
        written = apply_plan(plan, user=request.user)
        default_storage.delete(path)
        if publish:
            message = _("Imported %(count)d rules from %(name)s and published them.")
        else:
            message = _("Imported %(count)d rules from %(name)s as drafts.")
        messages.success(request, message % {"count": len(written), "name": source_name or _("the file")})
        return redirect(listing_url())


class TemplateDownloadView(View):
    """A blank schedule file, with the headings, for a DPO to fill in."""

    def get(self, request, fmt):
        if not can_read_schedule(request.user):
            raise PermissionDenied
        if fmt == "csv":
            return _attachment(template_csv(), "csv", "retention-schedule-template")
        if fmt == "xlsx":
            return _attachment(template_xlsx(), "xlsx", "retention-schedule-template")
        raise Http404


class ExportView(View):
    """The published schedule, every column, in a file that re-imports unchanged."""

    def get(self, request, fmt):
        if not can_read_schedule(request.user):
            raise PermissionDenied
        rules = published_rules()
        name = f"retention-schedule-{timezone.localdate().isoformat()}"
        if fmt == "csv":
            return _attachment(write_csv(rules), "csv", name)
        if fmt == "xlsx":
            return _attachment(write_xlsx(rules), "xlsx", name)
        if fmt == "json":
            document = write_json(rules, title=_("Retention schedule"), schema_url=_schema_url(request))
            return _attachment(json.dumps(document, ensure_ascii=False, indent=2), "json", name)
        raise Http404


def _schema_url(request) -> str | None:
    """Where the live schedule page publishes the JSON Schema, if the site has one."""
    from .pages import RetentionSchedulePage

    page = RetentionSchedulePage.objects.live().first()
    return page.specific.schema_address(request) if page and page.get_url(request) else None
