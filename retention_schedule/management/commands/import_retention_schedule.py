"""Import a retention schedule file (CSV, XLSX or JSON) from the command line.

The same import the admin offers: rows match rules by code, every new or
changed rule is saved as a revision and published (or left as a draft with
``--draft``), all in one transaction. A file with any problem writes nothing;
every problem is reported, each naming the row or cell and the column.

    python manage.py import_retention_schedule schedule.xlsx --dry-run
    python manage.py import_retention_schedule schedule.csv --user dpo
    cat schedule.json | python manage.py import_retention_schedule - --format json --report json
"""

import datetime
import json
import sys
from pathlib import Path
from typing import NoReturn

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from retention_schedule.exchange.importing import ImportPlan, apply_plan, plan_import
from retention_schedule.exchange.reading import (
    FORMATS,
    ScheduleFileError,
    detect_format,
    max_import_bytes,
    read_schedule_file,
)

STDIN = "-"
# Long cell values (descriptions, exceptions) are cut in the summary: it says what changed, not the whole text.
_SHOWN_CHARACTERS = 60


class _ProgressStream:
    """Hands tqdm the command's stderr as a plain stream.

    tqdm redraws its bar in place with carriage returns; Django's OutputWrapper would
    end every write with a newline (one line per update) and colour it as an error.
    """

    def __init__(self, wrapper):
        self._wrapper = wrapper

    def write(self, text):
        self._wrapper.write(text, style_func=lambda message: message, ending="")

    def flush(self):
        self._wrapper.flush()

    def isatty(self):
        return self._wrapper.isatty()

    @property
    def encoding(self):
        # tqdm draws its bar with block characters only on a stream that says it takes UTF-8.
        return getattr(self._wrapper, "encoding", None)


def _shown(value) -> str:
    if value is None or value == "":
        return _("(blank)")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = " ".join(str(value).split())  # a multi-line description stays on its line of the summary
    if len(text) > _SHOWN_CHARACTERS:
        text = text[: _SHOWN_CHARACTERS - 1] + "…"
    return f"“{text}”"


class Command(BaseCommand):
    # call_command(..., stdin=stream) reads "-" from that stream instead of sys.stdin, as loaddata does.
    stealth_options = ("stdin",)

    @property
    def help(self):
        # Looked up when the parser is built, so it is in the active language (argparse cannot take a lazy string).
        return _(
            "Import a retention schedule from a CSV, XLSX or JSON file. Rows match rules by code; new and changed "
            "rules are published (or saved as drafts with --draft). A file with any problem writes nothing."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The schedule file, or - to read standard input (then give --format)."))
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("The file's format. By default, from the file name's extension, else from its contents."),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Check the file and say what it would change; write nothing.")
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help=_("Save new and changed rules as drafts for review instead of publishing them."),
        )
        parser.add_argument(
            "--report",
            choices=("text", "json"),
            default="text",
            help=_("text (default): a summary for people. json: the import plan as JSON on standard output."),
        )
        progress = parser.add_mutually_exclusive_group()
        # Default: a bar only when standard error is a terminal, so logs and cron mail stay clean.
        progress.add_argument(
            "--progress",
            dest="progress",
            action="store_const",
            const=True,
            default=None,
            help=_("Show a progress bar on standard error even when it is not a terminal."),
        )
        progress.add_argument(
            "--no-progress", dest="progress", action="store_const", const=False, help=_("Never show a progress bar.")
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help=_("Record the revisions and the audit log as this user's (default: no user)."),
        )

    def handle(self, *args, file, format=None, dry_run=False, draft=False, report="text", progress=None, **options):
        self.verbosity = int(options.get("verbosity", 1))
        user = self._user(options.get("user"))
        source_name = _("standard input") if file == STDIN else file
        data = self._read_bytes(file, format, options.get("stdin"))
        try:
            schedule_file = read_schedule_file(data, "" if file == STDIN else file, format=format, max_bytes=self.limit)
        except ScheduleFileError as error:
            # A file that cannot be read has no plan; report it in the plan's shape so scripts read one kind of JSON.
            plan = ImportPlan(
                source_name=source_name,
                format=format or detect_format(data, "" if file == STDIN else file),
                columns=[],
                problems=error.problems,
            )
            self._fail(plan, report)
        plan = plan_import(schedule_file, source_name, publish=not draft)
        if not plan.can_apply:
            self._fail(plan, report)

        if report == "json":
            self.stdout.write(json.dumps(plan.as_data(), ensure_ascii=False, indent=2))
        elif self.verbosity:
            self._write_summary(plan)

        if dry_run:
            if report != "json" and self.verbosity:
                self.stdout.write(_("Dry run: nothing was written."))
            return
        if not plan.to_write:
            if report != "json" and self.verbosity:
                self.stdout.write(_("Nothing to import: the schedule already has every rule in the file as it is."))
            return
        written = self._apply(plan, user, progress)
        if report != "json" and self.verbosity:
            if plan.publish:
                message = ngettext(
                    "Imported %(count)d rule from %(source)s and published it.",
                    "Imported %(count)d rules from %(source)s and published them.",
                    len(written),
                )
            else:
                message = ngettext(
                    "Imported %(count)d rule from %(source)s as a draft: publish it in the admin.",
                    "Imported %(count)d rules from %(source)s as drafts: publish them in the admin.",
                    len(written),
                )
            self.stdout.write(self.style.SUCCESS(message % {"count": len(written), "source": source_name}))

    # Input ----------------------------------------------------------------------------------------

    @property
    def limit(self) -> int:
        return max_import_bytes()

    def _read_bytes(self, file: str, format: str | None, stdin) -> bytes:
        """The file's bytes, refusing one over the size limit before reading it all into memory."""
        limit = self.limit
        too_large = _(
            "%(source)s is larger than %(limit)s, the largest file the importer takes (the setting %(setting)s)."
        )
        if file == STDIN:
            if not format:
                raise CommandError(_("Reading standard input needs --format csv, xlsx or json."))
            stream = stdin or sys.stdin
            data = getattr(stream, "buffer", stream).read(limit + 1)
            if isinstance(data, str):  # a text stream handed in by a caller, e.g. call_command(stdin=StringIO(...))
                data = data.encode("utf-8")
            if len(data) > limit:
                raise CommandError(
                    too_large
                    % {
                        "source": _("Standard input"),
                        "limit": filesizeformat(limit),
                        "setting": "RETENTION_SCHEDULE_IMPORT_MAX_BYTES",
                    }
                )
            return data
        path = Path(file)
        try:
            if not path.exists():
                raise CommandError(_("There is no file %(file)s.") % {"file": file})
            if not path.is_file():
                raise CommandError(_("%(file)s is not a file.") % {"file": file})
            size = path.stat().st_size
            if size > limit:
                raise CommandError(
                    _(
                        "%(file)s is %(size)s; the largest file the importer takes is %(limit)s "
                        "(the setting %(setting)s)."
                    )
                    % {
                        "file": file,
                        "size": filesizeformat(size),
                        "limit": filesizeformat(limit),
                        "setting": "RETENTION_SCHEDULE_IMPORT_MAX_BYTES",
                    }
                )
            with path.open("rb") as handle:
                # The file may have grown since stat(): read no more than the limit allows.
                data = handle.read(limit + 1)
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be read: %(error)s.") % {"file": file, "error": error.strerror or error}
            ) from None
        if len(data) > limit:
            raise CommandError(
                too_large
                % {"source": file, "limit": filesizeformat(limit), "setting": "RETENTION_SCHEDULE_IMPORT_MAX_BYTES"}
            )
        return data

    def _user(self, username):
        if not username:
            return None
        model = get_user_model()
        try:
            return model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist:
            raise CommandError(_("There is no user “%(username)s”.") % {"username": username}) from None

    # Output ---------------------------------------------------------------------------------------

    def _fail(self, plan: ImportPlan, report: str) -> NoReturn:
        if report == "json":
            self.stdout.write(json.dumps(plan.as_data(), ensure_ascii=False, indent=2))
        count = len(plan.problems)
        heading = ngettext(
            "%(source)s cannot be imported (%(count)d problem); nothing was written:",
            "%(source)s cannot be imported (%(count)d problems); nothing was written:",
            count,
        ) % {"source": plan.source_name, "count": count}
        # One problem a line: manage.py prints the error on standard error, where a person reads it.
        raise CommandError("\n".join([heading, *(f"  {problem}" for problem in plan.problems)]))

    def _write_summary(self, plan: ImportPlan):
        write = self.stdout.write
        rows = ngettext("%(count)d rule", "%(count)d rules", plan.row_count) % {"count": plan.row_count}
        write(
            _("%(source)s (%(format)s, %(rows)s):")
            % {"source": plan.source_name, "format": plan.format.upper(), "rows": rows}
        )
        created = ngettext("%(count)d to create", "%(count)d to create", len(plan.created)) % {
            "count": len(plan.created)
        }
        if plan.created:
            created += " " + (_("(published)") if plan.publish else _("(saved as drafts)"))
        write("  " + created)
        if self.verbosity > 1:
            for planned in plan.created:
                write(f"    + {planned.code}  {planned.rule.record_class}")
        write(
            "  "
            + ngettext("%(count)d to change", "%(count)d to change", len(plan.changed)) % {"count": len(plan.changed)}
        )
        for planned in plan.changed:
            write(f"    ~ {planned.code}  {planned.rule.record_class}  ({planned.row.where})")
            for change in planned.changes:
                write(f"        {change.column}: {_shown(change.old)} → {_shown(change.new)}")
            if planned.publishes_draft:
                write("        " + _("not yet published: the import publishes it"))
            if planned.replaces_draft:
                write("        " + _("has unpublished changes, which the import's revision replaces"))
            if planned.live_uses:
                titles = ", ".join(f"“{use.title}”" for use in planned.live_uses)
                write("        " + _("shown on %(titles)s") % {"titles": titles})
        write(
            "  "
            + ngettext("%(count)d unchanged", "%(count)d unchanged", len(plan.unchanged))
            % {"count": len(plan.unchanged)}
        )
        if self.verbosity > 1 and plan.unchanged:
            write("    " + ", ".join(planned.code for planned in plan.unchanged))
        write(
            "  "
            + ngettext(
                "%(count)d in the schedule but not in the file (left alone)",
                "%(count)d in the schedule but not in the file (left alone)",
                len(plan.not_in_file),
            )
            % {"count": len(plan.not_in_file)}
        )
        if plan.not_in_file:
            write("    " + ", ".join(rule.code for rule in plan.not_in_file))

    # Writing --------------------------------------------------------------------------------------

    def _apply(self, plan: ImportPlan, user, progress):
        bar = tqdm(
            total=len(plan.to_write),
            desc=_("Importing"),
            unit=_("rule"),
            file=_ProgressStream(self.stderr),
            # None: on for a terminal only; True/False from --progress/--no-progress.
            disable=None if progress is None else not progress,
            leave=self.verbosity > 0,
        )
        try:
            with bar:
                return apply_plan(plan, user=user, progress=bar.update)
        except IntegrityError:
            # A rule with one of the file's codes was created since the plan was made (the
            # transaction is rolled back): the plan no longer describes the schedule.
            raise CommandError(
                _("The schedule changed while the file was being imported; nothing was written. Run the import again.")
            ) from None
