"""Retention statements: sentences that say how long something is kept.

A sentence is a retention statement when it speaks of keeping, holding,
storing, deleting or destroying something and says for how long: a period
("two years", "12 months", "P2Y"; FIXED), for ever ("permanently"; PERMANENT),
or by reference to a schedule or a need ("in line with our retention policy",
"for as long as necessary"; UNSPECIFIED). Each statement says what is kept
(``data``), what the period counts from (``trigger``) and any exception the
sentence makes ("and longer where ...").

The trigger is the policy's own words after "from", "after", "following" or
"since", cut at the end of the clause: "two years from closure" gives
"closure", "one year after making our decision" gives "making our decision".
A clause is kept whole rather than guessed into a noun: "12 months after the
recruitment exercise has been completed" gives "the recruitment exercise has
been completed", so the reviewer reads what the policy says. "The date of"
before the event is dropped ("from the date of receipt" gives "receipt").
"""

import re

from privacy_notices.retention_checks import period_spans

from .findings import FIXED, PERMANENT, UNSPECIFIED, RetentionStatement
from .outline import ITEM, Block, Outline, Sentence
from .source import HTML

# Verbs of keeping, and of deleting at the end of keeping.
_KEEPING = (
    r"keep|keeps|kept|keeping|retain|retains|retained|retaining|hold|holds|held|holding|store|stores|stored|storing|"
    r"preserve|preserves|preserved|archive|archives|archived"
)
_ENDING = (
    r"delete|deletes|deleted|deleting|destroy|destroys|destroyed|destroying|erase|erases|erased|dispose|disposes|"
    r"disposed|purge|purged"
)
_VERB = re.compile(rf"\b(?:{_KEEPING}|{_ENDING})\b", re.IGNORECASE)
_KEEPING_VERB = re.compile(rf"\b(?:{_KEEPING})\b", re.IGNORECASE)

# Words before a period that make it a length of keeping: "for two years", "within 30 days", "up to 6 months".
_PERIOD_LEAD = frozenset(
    re.findall(
        r"\w+",
        "for after within of to least most than approximately about around roughly further another "
        "additional extra maximum minimum",
    )
)
# Periods that are ages, frequencies or spans of the past, not lengths of keeping.
_NOT_KEEPING_BEFORE = re.compile(r"\b(?:aged?|under|past|last|previous|every|first|next|each)\s+$", re.IGNORECASE)
_NOT_KEEPING_AFTER = re.compile(
    r"^(?:-|\s)*(?:old|of age|or over|or older|and over|a (?:week|day|month|year)|per\b|each\b|ago\b)", re.IGNORECASE
)
_ISO = re.compile(r"^P\d")

_PERMANENT = re.compile(
    r"\b(?:permanently|indefinitely|forever|for ever|in perpetuity|for permanent preservation)\b", re.IGNORECASE
)
# "permanently delete" ends the keeping; it is not keeping for ever.
_PERMANENT_ENDING = re.compile(
    rf"\b(?:{_ENDING}|remove[sd]?|anonymi[sz]e[sd]?)\s+(?:\w+\s+){{0,2}}?$|^\s*(?:{_ENDING}|remove[sd]?|anonymi[sz]e[sd]?)\b",
    re.IGNORECASE,
)

# Keeping without a stated period: by a schedule or a policy, or for as long as it is needed.
_UNSPECIFIED = re.compile(
    r"""\b(?:
        in\s+(?:line|accordance)\s+with\s+(?:the\s+(?:requirements|terms)\s+of\s+)?(?:our|the|its|their)\s+
            (?:[\w&-]+\s+){0,3}?(?:retention|disposal|records\s+management)(?:\s+and\s+(?:disposal|destruction))?\s+
            (?:schedules?|polic(?:y|ies)|periods?|guidelines|rules)
        | for\s+(?:only\s+)?as\s+long\s+as\s+(?:is\s+|it\s+is\s+|they\s+are\s+|we\s+)?(?:reasonably\s+)?
            (?:necessary|needed|required|need\s+it)
        | (?:for\s+)?no\s+longer\s+than\s+(?:is\s+)?(?:necessary|needed|required)
        | (?:at|after|until)\s+the\s+end\s+of\s+(?:its|the|their|our)\s+(?:applicable\s+|relevant\s+)?retention\s+period
        | until\s+(?:it\s+is\s+|they\s+are\s+)?no\s+longer\s+(?:needed|required|necessary)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_RETENTION_WORD = re.compile(r"\bretention\b", re.IGNORECASE)

# What the period counts from: "from closure", "after making our decision", "within 30 days of receipt".
_TRIGGER = re.compile(r"^\s*(?:from|after|following|since)\s+", re.IGNORECASE)
_TRIGGER_OF = re.compile(r"^\s*of\s+", re.IGNORECASE)
_TRIGGER_END = re.compile(r"[,;:()]|\.(?:\s|$)|\s(?:and|or|but|unless|except|whichever|at which|which|then|when)\b")
_TRIGGER_LEAD = re.compile(r"^(?:the\s+(?:date|day|time|point)\s+(?:of|on which|when|that)\s+)", re.IGNORECASE)
# "Once their employment has ended, we will retain the file ...": the opening clause is the trigger.
_OPENING_TRIGGER = re.compile(r"^(?:Once|After|Following)\s+([^,;]{3,120}),")

_EXCEPTION = re.compile(
    r"(?:^|[\s,;(])((?:and|or|but)\s+(?:longer|more|beyond)\b.*|unless\b.*|except\s+(?:where|when|if|in)\b.*)$",
    re.IGNORECASE,
)

# Auxiliaries before a passive verb ("will be retained", "is deleted or securely destroyed").
_PASSIVE_BEFORE = re.compile(r"\b(?:be|been|being|is|are|was|were)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_CHAINED_BEFORE = re.compile(rf"\b(?:{_KEEPING}|{_ENDING})\s+(?:or|and)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_MODALS_AT_END = re.compile(
    r"(?:\s+(?:will|shall|may|might|can|could|would|should|must|has|have|had|then|also|only|normally|usually|not|"
    r"generally|ordinarily|always))+\s*$",
    re.IGNORECASE,
)
_SUBJECT_OPENERS = re.compile(
    r"^(?:if|when|once|after|where|unless|because|as|although|at that point|in addition|however|similarly|"
    r"for example|otherwise|then)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"(?:which|who|whom|whose)\b", re.IGNORECASE)
_JOINED = re.compile(r"(?:and|but|or|while)\s+", re.IGNORECASE)
_AUXILIARY = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|shall|should|do|does|did)\b", re.I
)
_CLAUSE_LEAD = re.compile(r"^(?:this|it)\s+means\s+that\s+|^that\s+", re.IGNORECASE)
_OBJECT_TAIL = re.compile(
    r"(?:\s+(?:for|only|until|after|within|up\s+to|at\s+least|a\s+period\s+of|a\s+minimum\s+of|a\s+maximum\s+of|of|"
    r"no\s+longer\s+than|securely|safely|then|and|,))+\s*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(
    r"^(?:it|this|that|these|those|they|them|which|such|the\s+same)"
    r"(?:\s+(?:information|data|details|records?|files?|personal\s+(?:data|information)))?$",
    re.IGNORECASE,
)
_FOLLOWING = re.compile(r"\bthe\s+following\b", re.IGNORECASE)
_ITEM_END = re.compile(r"(?:[\s;,.]|\band\b|\bor\b)+$")


# How far around a statement's words its verb, subject, trigger and exceptions are looked for: enough for any
# sentence people write, and it keeps a pathological "sentence" of 100 kB with thousands of periods linear.
_WINDOW = 300


def _before(text: str, index: int) -> str:
    return text[max(0, index - _WINDOW) : index]


def _after(text: str, index: int) -> str:
    return text[index : index + _WINDOW]


def find_retention(outline: Outline) -> list[RetentionStatement]:
    """The retention statements of a policy, in order: one for each period, or "permanently", a sentence states."""
    found: list[RetentionStatement] = []
    for sentence in outline.sentences():
        found.extend(_statements(outline, sentence))
    return found


def _statements(outline: Outline, sentence: Sentence) -> list[RetentionStatement]:
    text = sentence.text
    if not _VERB.search(text) and not _RETENTION_WORD.search(text):
        return []
    spans = []  # (start, end, period type, period)
    for start, end, period in period_spans(text):
        if _is_keeping_period(text, start, end) and _verb_near(text, start, end):
            spans.append((start, end, FIXED, period))
    keeps = bool(_KEEPING_VERB.search(text))
    for match in _PERMANENT.finditer(text):
        ending = _PERMANENT_ENDING.search(_before(text, match.start())) or _PERMANENT_ENDING.match(
            _after(text, match.end())
        )
        if keeps and not ending:
            spans.append((match.start(), match.end(), PERMANENT, None))
    if not spans and _VERB.search(text):
        match = _UNSPECIFIED.search(text)
        if match:
            spans.append((match.start(), match.end(), UNSPECIFIED, None))
    spans.sort(key=lambda span: span[0])
    statements = []
    previous_end = 0
    for start, end, period_type, period in spans:
        statements.append(_statement(outline, sentence, start, end, period_type, period, previous_end))
        previous_end = end
    return statements


def _is_keeping_period(text: str, start: int, end: int) -> bool:
    if _ISO.match(text[start:end]):
        return True
    before = _before(text, start)
    if _NOT_KEEPING_BEFORE.search(before) or _NOT_KEEPING_AFTER.match(_after(text, end)):
        return False
    previous = before.split()[-1].lower().strip(",:(") if before.split() else ""
    # "deleted 6 months after the vacancy closes" has the verb straight before the period.
    if previous in _PERIOD_LEAD or _VERB.fullmatch(previous):
        return True
    # "a 30-day period"; "the retention period is six years".
    if previous in ("a", "an", "the") and re.match(r"^\s*period\b", _after(text, end), re.IGNORECASE):
        return True
    return previous in ("is", "are", "be", ":") and bool(_RETENTION_WORD.search(before))


def _verb_near(text: str, start: int, end: int) -> bool:
    """A verb of keeping in the period's clause: before it ("kept for two years") or after ("For two years we keep")."""
    before = text[max(0, start - 150) : start]
    if ";" in before:
        before = before.rsplit(";", 1)[1]
    if _VERB.search(before) or _RETENTION_WORD.search(before):
        return True
    after = re.split(r"[;.]", text[end : end + 60], maxsplit=1)[0]
    return bool(_VERB.search(after))


def _statement(outline, sentence, start, end, period_type, period, previous_end=0) -> RetentionStatement:
    text = sentence.text
    block = sentence.block
    trigger = _trigger(text, start, end)
    return RetentionStatement(
        quote=sentence.quote,
        words=block.quote(sentence.offset + start, sentence.offset + end),
        section=sentence.section.title,
        period_type=period_type,
        period=period,
        trigger=trigger,
        data=_data(outline, sentence, start, end, previous_end),
        exceptions=_exceptions(text, end),
    )


def _trigger(text: str, start: int, end: int) -> str:
    after = _after(text, end)
    lead = _TRIGGER.match(after)
    if not lead and _before(text, start).rstrip().lower().endswith("within"):
        lead = _TRIGGER_OF.match(after)
    if lead:
        rest = after[lead.end() :]
        cut = _TRIGGER_END.search(rest)
        trigger = rest[: cut.start()] if cut else rest
        return _TRIGGER_LEAD.sub("", " ".join(trigger.split()).rstrip("."))
    opening = _OPENING_TRIGGER.match(text)
    if opening and opening.end() <= start:
        return " ".join(opening.group(1).split())
    return ""


def _exceptions(text: str, end: int) -> str:
    match = _EXCEPTION.search(_after(text, end))
    return " ".join(match.group(1).split()).rstrip(".") if match else ""


def _data(outline: Outline, sentence: Sentence, start: int, end: int, previous_end: int = 0) -> str:
    """What is kept: the subject of a passive verb, the object of an active one; the list after "the following:".

    ``previous_end`` is where the sentence's statement before this one ends: "We keep complaints indefinitely,
    and call recordings for 90 days" keeps call recordings, not complaints, for 90 days.
    """
    text = sentence.text
    verb = _verb_for(text, start)
    data = ""
    if verb is None:
        # "Our retention period is 12 months for job applications."
        kept_for = re.match(r"\s+for\s+([^,;.]+)", _after(text, end))
        data = kept_for.group(1) if kept_for else ""
    else:
        if _PASSIVE_BEFORE.search(_before(text, verb.start())) or _is_bare_participle(text, verb):
            data = _subject(_before(text, verb.start()))
        elif verb.end() <= start:
            kept = text[max(verb.end(), previous_end) : start]
            data = _OBJECT_TAIL.sub("", re.sub(r"^[\s,;]*(?:(?:and|or|but|while)\s+)?", "", kept)).strip(" ,")
        else:
            data = re.split(r"[,;.]|\s(?:and|for|until|in)\s", _after(text, verb.end()), maxsplit=1)[0].strip()
    data = " ".join(data.split())
    if not data or _PRONOUN.match(data):
        ending = _before(text, len(text)).rstrip()
        if ending.endswith(":") and _FOLLOWING.search(ending):
            items = _listed_after(outline, sentence.block)
            if items:
                return "; ".join(_ITEM_END.sub("", item.text) for item in items)
        return sentence.section.title
    return data


def _listed_after(outline: Outline, block: Block) -> list[Block]:
    """The list items "the following:" introduces: those after the block, nested deeper than it when it is an item."""
    items = outline.following_items(block)
    if block.kind != ITEM:
        return items
    depth = _depth(outline.source, block)
    nested = []
    for item in items:
        if _depth(outline.source, item) <= depth:
            break
        nested.append(item)
    return nested


def _depth(source, block: Block) -> int:
    """How deeply a block is nested: its open lists in HTML, the column its text starts at in text and Markdown."""
    if source.format == HTML:
        before = source.text[: block.start].lower()
        return before.count("<ul") + before.count("<ol") - before.count("</ul") - before.count("</ol")
    line_start = source.text.rfind("\n", 0, block.positions[0]) + 1
    return block.positions[0] - line_start


def _verb_for(text: str, start: int):
    """The verb of keeping a statement's words belong to: the nearest before them, else the first after."""
    before = list(_VERB.finditer(text, max(0, start - _WINDOW), start))
    if before:
        verb = before[-1]
        # "deleted or securely destroyed": the chain starts at its first verb.
        while True:
            window_start = max(0, verb.start() - 60)
            chained = _CHAINED_BEFORE.search(text, window_start, verb.start())
            if not chained:
                break
            verb = _VERB.match(text, chained.start())
        return verb
    return _VERB.search(text, start, start + _WINDOW)


def _is_bare_participle(text: str, verb) -> bool:
    """ "information kept for two years": a participle after a noun, with no one doing the keeping."""
    word = verb.group().lower()
    if not (word.endswith("ed") or word in ("kept", "held")):
        return False
    before = _before(text, verb.start()).split()
    return bool(before) and before[-1].lower() not in ("we", "they", "you", "i", "has", "have", "had", "will", "it")


def _subject(before: str) -> str:
    before = _MODALS_AT_END.sub("", re.sub(r"\b(?:be|been|being|is|are|was|were)\s+(?:\w+ly\s+)?$", "", before))
    before = before.strip()
    segments = re.split(r";|:|,\s", before)
    kept: list[str] = []
    for segment in segments:
        segment = segment.strip()
        if _SUBJECT_OPENERS.match(segment):
            kept = []
        elif _RELATIVE.match(segment):
            continue  # "Records, which we hold on paper, are kept ...": the records are kept
        elif _JOINED.match(segment) and _AUXILIARY.search(" ".join(kept)):
            # "Tickets are sold by X, and booking records are kept ...": a new clause, a new subject.
            kept = [_JOINED.sub("", segment)]
        else:
            kept.append(segment)
    subject = ", ".join(part for part in kept if part)
    return _CLAUSE_LEAD.sub("", subject).strip()
