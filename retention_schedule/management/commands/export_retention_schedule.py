"""Export the published retention schedule to a CSV, XLSX or JSON file.

Only live rules, as the public schedule shows them (a draft never leaves the
admin), in the schedule page's order. Every column by default, so the file is a
complete copy the importer reads back unchanged; ``--public`` leaves out the
DPO's working columns (owner, last reviewed, review interval).

    python manage.py export_retention_schedule --output schedule.xlsx
    python manage.py export_retention_schedule --format json --public > schedule.json
"""

import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retention_schedule.exchange.writing import COLUMNS, PUBLIC_COLUMNS, write_csv, write_json, write_xlsx
from retention_schedule.models import published_rules

STDOUT = "-"
FORMATS = ("csv", "xlsx", "json")


def export_bytes(rules: list, format: str, *, public: bool = False) -> bytes:
    """The rules as the bytes of a file in ``format`` (csv, xlsx or json)."""
    columns = PUBLIC_COLUMNS if public else COLUMNS
    if format == "xlsx":
        return write_xlsx(rules, columns=columns)
    if format == "json":
        published = [rule.last_published_at for rule in rules if rule.last_published_at]
        document = write_json(rules, columns=columns, last_updated=max(published, default=None), public=public)
        if document.get("$schema") is None:
            # No schema address is known outside a request: say nothing rather than null.
            document.pop("$schema", None)
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    # UTF-8 without a byte order mark, with the CSV module's \r\n line ends kept as they are.
    return write_csv(rules, columns=columns).encode("utf-8")


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so it is in the active language (argparse cannot take a lazy string).
        return _(
            "Export the published retention schedule as CSV, XLSX or JSON: every column (a copy the importer "
            "reads back unchanged), or with --public only what the public schedule shows."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help=_("The file's format. By default, from the --output file name's extension, else csv."),
        )
        parser.add_argument(
            "--output",
            "-o",
            default=STDOUT,
            metavar="FILE",
            help=_("Where to write the file; - (the default) for standard output."),
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help=_("Leave out the internal columns (owner, last reviewed, review interval), as the public page does."),
        )

    def handle(self, *args, format=None, output=STDOUT, public=False, **options):
        verbosity = int(options.get("verbosity", 1))
        format = format or self._format_from_name(output)
        if output == STDOUT and format == "xlsx" and self.stdout.isatty():
            raise CommandError(
                _("An XLSX file is binary and would garble the terminal: give --output FILE, or redirect the output.")
            )
        rules = published_rules()
        data = export_bytes(rules, format, public=public)
        if output == STDOUT:
            self._write_stdout(data, format)
            return
        self._write_file(Path(output), data)
        if verbosity:
            message = ngettext(
                "Wrote %(count)d rule to %(file)s.", "Wrote %(count)d rules to %(file)s.", len(rules)
            ) % {"count": len(rules), "file": output}
            self.stdout.write(self.style.SUCCESS(message))

    def _format_from_name(self, output: str) -> str:
        extension = Path(output).suffix.lower().lstrip(".") if output != STDOUT else ""
        return extension if extension in FORMATS else "csv"

    def _write_stdout(self, data: bytes, format: str):
        # Bytes go to the stream under the text wrapper, so CSV's \r\n and XLSX's bytes pass untouched.
        stream = getattr(self.stdout, "buffer", None)
        if stream is not None:
            self.stdout.flush()
            stream.write(data)
            stream.flush()
        elif format == "xlsx":
            raise CommandError(_("Standard output here takes text only: give --output FILE for an XLSX file."))
        else:
            self.stdout.write(data.decode("utf-8"), ending="")

    def _write_file(self, path: Path, data: bytes):
        # Written beside the target and moved into place, so a failed export never leaves half a file
        # where the last good one was.
        directory = path.parent
        try:
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                # mkstemp creates the file readable by its owner only; a schedule file is an ordinary document.
                os.chmod(temporary, 0o666 & ~_umask())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise CommandError(
                _("%(file)s cannot be written: %(error)s.") % {"file": path, "error": error.strerror or error}
            ) from None


def _umask() -> int:
    # The process's umask can only be read by setting it; set it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return mask
