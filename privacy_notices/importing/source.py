"""Reading a privacy policy to import: bytes to text, and which format the text is in.

Everything the importer reports points into the text this module returns
(``PolicySource.text``): a finding's offsets count characters of the decoded
input, byte-order mark excluded, line endings as they were.

Bad input is refused here with one clear message (``UnreadablePolicy``),
before anything else runs: an empty file, a binary file (a PDF or a Word
document saved under another name), text in an encoding the file does not
declare, a file over the size limit.
"""

import codecs
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024

MARKDOWN, HTML, TEXT = "markdown", "html", "text"
FORMATS = (MARKDOWN, HTML, TEXT)

_EXTENSIONS = {"md": MARKDOWN, "markdown": MARKDOWN, "html": HTML, "htm": HTML, "xhtml": HTML}

# Files people may try to import that are not text: the first bytes say what they are.
_BINARY_SIGNATURES = (
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a Word document, spreadsheet or other zip file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Word or Excel document"),
    (b"{\\rtf", "a rich text (RTF) document"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="windows-1252"> or <meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
_DECLARED_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
# Characters a text never holds; more than a few and the "text" is binary data.
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MOST_CONTROLS = 0.01

_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_HTML_BLOCK_TAG = re.compile(r"<(?:p|h[1-6]|div|ul|ol|li|table|section|article|br)\b[^>]*>", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_MARKDOWN_SETEXT = re.compile(r"^\S[^\n]*\r?\n(?:=+|-+)[ \t]*$", re.MULTILINE)
_MARKDOWN_LINK = re.compile(r"\[[^\]\n]+\]\([^)\s]+[^)]*\)")


class UnreadablePolicy(Exception):
    """The input cannot be imported; ``message`` says why and what to do instead."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class PolicySource:
    """A policy as text: what it says, in which format, from which file."""

    text: str
    format: str  # MARKDOWN, HTML or TEXT
    name: str = ""
    encoding: str = "utf-8"


def max_import_bytes() -> int:
    """The largest policy the importer takes (``PRIVACY_NOTICES_IMPORT_MAX_BYTES``, default 5 MB)."""
    return int(getattr(settings, "PRIVACY_NOTICES_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_message(size: int, limit: int) -> str:
    return _(
        "The file is %(size)s; the largest policy the importer takes is %(limit)s "
        "(the PRIVACY_NOTICES_IMPORT_MAX_BYTES setting)."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(limit)}


def read_policy(
    data: bytes | str,
    name: str = "",
    *,
    format: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
) -> PolicySource:
    """Decode ``data`` and tell its format (given, by the file's extension, else by its content).

    Raises ``UnreadablePolicy`` for anything that is not a readable text policy.
    """
    limit = max_import_bytes() if max_bytes is None else max_bytes
    if format and format not in FORMATS:
        raise UnreadablePolicy(
            _("“%(format)s” is not a format the importer reads: give markdown, html or text.") % {"format": format}
        )
    if isinstance(data, str):
        size = len(data.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise UnreadablePolicy(too_large_message(size, limit))
        text, used = data.removeprefix("\ufeff"), "utf-8"
    else:
        if len(data) > limit:
            raise UnreadablePolicy(too_large_message(len(data), limit))
        text, used = _decode(data, encoding)
    if not text.strip():
        raise UnreadablePolicy(_("The file is empty: there is no policy text to import."))
    _refuse_binary_text(text)
    return PolicySource(text=text, format=format or detect_format(text, name), name=name, encoding=used)


def detect_format(text: str, name: str = "") -> str:
    """Markdown, HTML or plain text: by the file's extension where it says, else by what the text holds."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    if _HTML_START.match(text):
        return HTML
    # Markdown may hold HTML (python-markdown passes it through), so its headings decide first.
    if _MARKDOWN_HEADING.search(text):
        return MARKDOWN
    if len(_HTML_BLOCK_TAG.findall(text[:200_000])) >= 3:
        return HTML
    if _MARKDOWN_SETEXT.search(text) or _MARKDOWN_LINK.search(text):
        return MARKDOWN
    return TEXT


def _decode(data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UnreadablePolicy(
                _("“%(encoding)s” is not an encoding Python knows.") % {"encoding": encoding}
            ) from None
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError as error:
            raise UnreadablePolicy(
                _("The file is not valid %(encoding)s (at byte %(position)d).")
                % {"encoding": encoding, "position": error.start}
            ) from None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).removeprefix("\ufeff"), codec
            except UnicodeDecodeError:
                raise UnreadablePolicy(
                    _("The file starts as %(encoding)s text but is not valid %(encoding)s.") % {"encoding": codec}
                ) from None
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise UnreadablePolicy(
                _(
                    "This is %(kind)s, not text. Save the policy as a web page (HTML), Markdown or plain text "
                    "and import that."
                )
                % {"kind": kind}
            )
    if b"\x00" in data[:65536]:
        raise UnreadablePolicy(
            _("The file holds binary data, not text. Import the policy as HTML, Markdown or plain text.")
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as error:
        not_utf8 = error
    declared = _DECLARED_CHARSET.search(data[:4096])
    if declared:
        charset = declared.group(1).decode("ascii", "replace")
        try:
            return data.decode(charset), charset.lower()
        except LookupError:
            raise UnreadablePolicy(
                _("The page declares the encoding “%(encoding)s”, which Python does not know.") % {"encoding": charset}
            ) from None
        except UnicodeDecodeError:
            raise UnreadablePolicy(
                _("The page declares the encoding “%(encoding)s” but is not valid %(encoding)s.")
                % {"encoding": charset}
            ) from None
    raise UnreadablePolicy(
        _(
            "The file is not UTF-8 (at byte %(position)d) and does not say which encoding it uses. "
            "Save it as UTF-8, or give its encoding (for example windows-1252)."
        )
        % {"position": not_utf8.start}
    )


def _refuse_binary_text(text: str) -> None:
    sample = text[:65536]
    controls = sum(
        1 for character in sample if character not in _ALLOWED_CONTROLS and unicodedata.category(character) == "Cc"
    )
    if controls > max(2, len(sample) * _MOST_CONTROLS):
        raise UnreadablePolicy(
            _("The file holds binary data, not text. Import the policy as HTML, Markdown or plain text.")
        )
