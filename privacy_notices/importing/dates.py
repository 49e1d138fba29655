"""When a policy says it was last updated: "last updated on 31 March 2016", "Updated: March 2021".

The date must follow words of updating or reviewing ("last updated", "we last
updated it on", "last reviewed", "date of last update", "updated", "revised",
"effective from") closely, within the same sentence. Dates are read as people
in the UK write them: "14/10/2016" is 14 October (day first), unless the day
cannot be first ("06/23/2015"). A month without a day ("Updated: March 2021")
is read as the 1st of that month.

Dates after today are left out, since a policy cannot have been updated in the
future (such a date is a typo or a planned change, for the reviewer to read
in the policy), and so are dates before 1990, which no web privacy policy
has: they are the dates of laws and other history.
"""

import datetime
import re

from dateutil import parser as date_parser

from .findings import LastUpdated
from .outline import HEADING, Outline, Sentence

_EARLIEST = datetime.date(1990, 1, 1)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"""\b(?:
        (?P<day_month>{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}})
        | (?P<month_day>{_MONTH}\s+{_DAY},?\s+\d{{4}})
        | (?P<month>{_MONTH}\s+\d{{4}})
        | (?P<iso>\d{{4}}-\d{{1,2}}-\d{{1,2}})
        | (?P<numeric>\d{{1,2}}[/.]\d{{1,2}}[/.](?:\d{{4}}|\d{{2}}))
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
# Words that say the policy was updated, with what may stand between them and the date.
_UPDATED = re.compile(
    r"""\b(?:
        last\s+(?:updated|reviewed|revised|modified|amended|changed)
        | date\s+of\s+(?:last\s+)?(?:update|review|revision)
        | last\s+(?:update|review|revision)
        | (?:updated|reviewed|revised|amended)
        | effective\s+(?:date|from|as\s+of)
        | (?:this\s+)?(?:version|policy|notice|statement)\s+(?:is\s+)?dated
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_BETWEEN = re.compile(
    r"^(?:\s|:|-|–|—|,|\bit\b|\bthis\b|\bon\b|\bin\b|\bas\s+of\b|\bat\b|\bdate\b|\bis\b|\bwas\b)*$", re.IGNORECASE
)
_MAX_BETWEEN = 40


def find_last_updated(outline: Outline) -> list[LastUpdated]:
    """Each "last updated" date the policy states, in order (a policy may log several; the latest counts)."""
    found = []
    for sentence in _sentences_and_headings(outline):
        text = sentence.text
        for cue in _UPDATED.finditer(text):
            date = _DATE.search(text, cue.end(), cue.end() + _MAX_BETWEEN + 40)
            if date is None or date.start() - cue.end() > _MAX_BETWEEN:
                continue
            if not _BETWEEN.match(text[cue.end() : date.start()]):
                continue
            value = _parse(date)
            if value is None or not (_EARLIEST <= value <= datetime.date.today()):
                continue
            found.append(
                LastUpdated(
                    quote=sentence.quote,
                    words=sentence.block.quote(sentence.offset + date.start(), sentence.offset + date.end()),
                    section=sentence.section.title,
                    date=value,
                )
            )
            break
    return found


def _sentences_and_headings(outline: Outline):
    """The policy's sentences and, in document order, its headings and title ("Last updated: June 23, 2015")."""
    sentences = list(outline.sentences())
    headed = {}
    for section in outline.all_sections():
        if section.heading is not None:
            headed[section.heading.start] = Sentence(section.heading.quote(), section.heading, 0, section)
    if outline.title is not None:
        headed[outline.title.start] = Sentence(outline.title.quote(), outline.title, 0, outline.preamble)
    for block in outline.blocks:
        if block.kind == HEADING and block.start not in headed:
            headed[block.start] = Sentence(block.quote(), block, 0, outline.preamble)
    everything = sentences + list(headed.values())
    return sorted(everything, key=lambda sentence: sentence.quote.start)


def _parse(match: re.Match) -> datetime.date | None:
    written = match.group().rstrip(".")
    kind = match.lastgroup
    try:
        if kind == "iso":
            return datetime.date.fromisoformat("-".join(part.zfill(2) for part in written.split("-")))
        if kind == "numeric":
            day, month, year = (int(part) for part in re.split(r"[/.]", written))
            if month > 12 and day <= 12:
                day, month = month, day  # "06/23/2015" can only be month first
            if year < 100:
                year += 2000 if year < 70 else 1900
            return datetime.date(year, month, day)
        # A month alone is its first day: parsing fills in the missing day from the default.
        default = datetime.datetime(2000, 1, 1)
        return date_parser.parse(written, dayfirst=True, default=default).date()
    except (ValueError, OverflowError):
        return None
