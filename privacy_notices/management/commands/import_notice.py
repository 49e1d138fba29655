"""Import an existing privacy policy (Markdown, HTML or plain text) as draft notices for review.

    python manage.py import_notice policy.html --dry-run
    python manage.py import_notice policy.md --dry-run --format json
    python manage.py import_notice policy.txt --audience complainants --parent 3 --user dpo

Each audience section becomes a draft notice, the sections for everyone go to
the hub, and the retention periods, third parties and cookies found become
draft register entries (or links to the entries the register already has).
Nothing is published. A policy that cannot be read, or a plan with a problem,
writes nothing.
"""

import json
import sys
from pathlib import Path
from typing import NoReturn

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy_notices.importing.apply import apply_plan
from privacy_notices.importing.plan import CREATE, ImportPlan, plan_import
from privacy_notices.importing.source import FORMATS, UnreadablePolicy, max_import_bytes, read_policy, too_large_message
from privacy_notices.pages import PrivacyNoticeIndexPage

STDIN = "-"
_ACTIONS = {
    "create": "new draft",
    "link": "already in the register",
    "new_draft": "new draft of the existing notice",
    "add_sections": "new draft with the sections added",
    "keep": "unchanged",
}


class Command(BaseCommand):
    stealth_options = ("stdin",)

    @property
    def help(self):
        return _(
            "Import a privacy policy (Markdown, HTML or plain text) as draft notices, with proposed retention rules, "
            "processors and cookies for the DPO to review. Nothing is published."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The policy file, or - to read standard input."))
        parser.add_argument(
            "--audience",
            metavar="SLUG",
            help=_(
                "Import the whole policy as this audience's notice (an audience slug; created if new). "
                "By default each audience section of the policy becomes its own notice."
            ),
        )
        parser.add_argument(
            "--parent",
            metavar="PAGE",
            help=_("The hub the notices go under: its id or its path, e.g. /privacy/ (default: the site's hub)."),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Show what would be imported; write nothing."))
        parser.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            help=_("text (default): a report for people. json: every finding and the plan, as JSON."),
        )
        parser.add_argument(
            "--input-format",
            choices=FORMATS,
            help=_("The policy's format. By default from the file's extension, else from its contents."),
        )
        parser.add_argument(
            "--encoding", help=_("The file's text encoding, when it is not UTF-8 and does not say (e.g. cp1252).")
        )
        parser.add_argument("--user", metavar="USERNAME", help=_("Record the drafts and the audit log as this user's."))

    def handle(self, *args, file, format="text", dry_run=False, **options):
        user = self._user(options.get("user"))
        hub = self._hub(options.get("parent"))
        name = "" if file == STDIN else Path(file).name
        data = self._read(file, options.get("stdin"))
        try:
            source = read_policy(data, name, format=options.get("input_format"), encoding=options.get("encoding"))
        except UnreadablePolicy as error:
            raise CommandError(
                _("%(file)s cannot be imported: %(reason)s") % {"file": file, "reason": error.message}
            ) from None
        plan = plan_import(source, audience=options.get("audience"), hub=hub, user=user)
        if not plan.can_apply:
            self._fail(plan, format)
        written = not dry_run
        if written:
            try:
                apply_plan(plan, user=user)
            except ValidationError as error:  # the transaction was rolled back: nothing was written
                raise CommandError(
                    _("The import failed and nothing was written: %(error)s") % {"error": "; ".join(error.messages)}
                ) from None
        if format == "json":
            self.stdout.write(json.dumps(plan.as_data() | {"written": written}, ensure_ascii=False, indent=2))
            return
        self._report(plan)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "Imported %(count)d draft notice. Review it in the admin, then submit it for approval.",
                        "Imported %(count)d draft notices. Review them in the admin, then submit them for approval.",
                        len(plan.notices),
                    )
                    % {"count": len(plan.notices)}
                )
            )

    # Input ------------------------------------------------------------------------------------

    def _read(self, file: str, stdin) -> bytes:
        limit = max_import_bytes()
        if file == STDIN:
            stream = stdin or sys.stdin
            data = getattr(stream, "buffer", stream).read(limit + 1)
            return data.encode("utf-8") if isinstance(data, str) else data
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("There is no file %(file)s.") % {"file": file})
        try:
            size = path.stat().st_size
            if size > limit:
                raise CommandError(
                    _("%(file)s cannot be imported: %(reason)s")
                    % {"file": file, "reason": too_large_message(size, limit)}
                )
            with path.open("rb") as handle:
                return handle.read(limit + 1)  # read_policy refuses it if it grew past the limit
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s.") % {"file": file, "error": error.strerror or error}
            ) from None

    def _hub(self, parent):
        if not parent:
            return None
        pages = PrivacyNoticeIndexPage.objects.order_by("path")
        hub = pages.filter(pk=int(parent)).first() if parent.isdigit() else None
        if hub is None and not parent.isdigit():
            wanted = "/" + parent.strip("/") + "/"
            matching = [page for page in pages if page.url == wanted or page.url_path.endswith(wanted)]
            exact = [page for page in matching if page.url == wanted]
            if len(exact or matching) > 1:
                raise CommandError(
                    _("More than one hub is at “%(parent)s” (on different sites): give the hub's page id.")
                    % {"parent": parent}
                )
            hub = (exact or matching or [None])[0]
        if hub is None:
            raise CommandError(
                _("There is no hub of privacy notices “%(parent)s”: give a hub's page id or path.") % {"parent": parent}
            )
        return hub

    def _user(self, username):
        if not username:
            return None
        model = get_user_model()
        try:
            return model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username}) from None

    # Output -----------------------------------------------------------------------------------

    def _fail(self, plan: ImportPlan, format: str) -> NoReturn:
        if format == "json":
            self.stdout.write(json.dumps(plan.as_data() | {"written": False}, ensure_ascii=False, indent=2))
        raise CommandError(
            _("The policy cannot be imported; nothing was written:")
            + "\n"
            + "\n".join(f"  - {p}" for p in plan.problems)
        )

    def _report(self, plan: ImportPlan) -> None:
        data = plan.as_data()
        write = self.stdout.write
        source = data["source"]
        write(
            _("%(name)s: %(format)s, %(characters)d characters%(title)s")
            % {
                "name": source["name"] or _("standard input"),
                "format": source["format"],
                "characters": source["characters"],
                "title": f" (“{source['title']}”)" if source["title"] else "",
            }
        )
        if data["last_updated"]:
            found = data["last_updated"]
            write(
                _("Last updated: %(date)s (characters %(start)d–%(end)d)")
                % {"date": found["date"], "start": found["words"]["start"], "end": found["words"]["end"]}
            )
        hub = data["hub"]
        if hub:
            write(_("Hub “%(title)s”: %(action)s") % {"title": hub["title"], "action": _ACTIONS[hub["action"]]})
            for section in hub["sections"]:
                write(f"    [{section['type']}] {section['heading']}")
        for notice in data["notices"]:
            write(
                _("Notice “%(title)s” for %(audience)s: %(action)s")
                % {"title": notice["title"], "audience": notice["audience"], "action": _ACTIONS[notice["action"]]}
            )
            for section in notice["sections"]:
                entries = (
                    section.get("retention_rules", []) + section.get("processors", []) + section.get("cookies", [])
                )
                listed = f" ({', '.join(entries)})" if entries else ""
                write(f"    [{section['type']}] {section['heading']}{listed}")
        for title, key, label in (
            (_("Retention rules"), "retention_rules", "code"),
            (_("Processors and recipients"), "processors", "slug"),
            (_("Cookies"), "cookies", "slug"),
        ):
            if data[key]:
                write(title + ":")
                for entry in data[key]:
                    write(f"    {entry[label]}: {_ACTIONS[entry['action']]}")
        write(_("Findings:"))
        for finding in data["findings"]:
            write(
                f"    {finding['kind']} @{finding['sentence']['start']}-{finding['sentence']['end']}: "
                f"{finding['words']['text']} | {finding['sentence']['text']}"
            )
        for warning in data["warnings"]:
            write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
        created = [audience for audience in plan.audiences if audience.action == CREATE]
        if created:
            write(_("New audiences: %(slugs)s") % {"slugs": ", ".join(a.audience.slug for a in created)})
