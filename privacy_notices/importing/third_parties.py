"""Third parties: organisations and services a policy names as receiving personal data.

Two sources of names, both read sentence by sentence:

- a gazetteer of well-known services (Google Analytics, Mailchimp, Hotjar ...),
  each with one canonical name whatever the policy's spelling ("MailChimp");
- proper nouns in the places policies name who they use or share with:
  "a third party provider, Adestra,", "hosted by Snap Surveys", "powered by
  System Associates", "a supplier called MailChimp", "We use Hotjar to ...",
  "Egress is a data processor", "share information with Healthwatch England".

A name is a PROCESSOR when it acts for the organisation (uses, hosting,
"on our behalf", "data processor") and a RECIPIENT when information is shared,
disclosed, sent or passed to it. Once named, an organisation is also reported
in later sentences that say what it does with data ("Hotjar stores this
information on our behalf").

A wrong organisation costs the reviewer more than a missed one (a missed one
is easy to add), so proper-noun guesses need one of the patterns above, and
laws, documents, teams, people's roles and the organisation itself
(``own_names_in``) are never reported. Names are read token by token, without
open-ended regular expressions, so a long policy cannot make matching slow.
"""

import re
from dataclasses import dataclass

from .findings import PROCESSOR, RECIPIENT, ThirdParty
from .outline import Outline, Sentence


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Well-known services: canonical name, spellings matched regardless of capitals, spellings matched as written
# (those that are also ordinary words).
GAZETTEER: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("Google Analytics", ("Google Analytics",), ()),
    ("Google Tag Manager", ("Google Tag Manager",), ()),
    ("Google Ads", ("Google Ads", "Google AdWords", "DoubleClick"), ()),
    ("Google reCAPTCHA", ("reCAPTCHA",), ()),
    ("Google Maps", ("Google Maps",), ()),
    ("Google Forms", ("Google Forms",), ()),
    ("Google Workspace", ("Google Workspace", "G Suite"), ()),
    ("YouTube", ("YouTube",), ()),
    ("Mailchimp", ("Mailchimp", "Mail Chimp"), ()),
    ("Hotjar", ("Hotjar",), ()),
    ("WordPress.com (Automattic)", ("WordPress.com", "Automattic"), ()),
    ("SurveyMonkey", ("SurveyMonkey", "Survey Monkey"), ()),
    ("Microsoft Clarity", ("Microsoft Clarity",), ()),
    ("Microsoft", ("Microsoft", "Office 365", "Microsoft 365"), ()),
    ("Amazon Web Services", ("Amazon Web Services",), ("AWS",)),
    ("Meta (Facebook)", ("Facebook", "Meta Platforms"), ()),
    ("Instagram", ("Instagram",), ()),
    ("WhatsApp", ("WhatsApp",), ()),
    ("LinkedIn", ("LinkedIn",), ()),
    ("Twitter (X)", ("Twitter",), ()),
    ("TikTok", ("TikTok",), ()),
    ("Vimeo", ("Vimeo",), ()),
    ("Cloudflare", ("Cloudflare",), ()),
    ("Zendesk", ("Zendesk",), ()),
    ("Freshdesk", ("Freshdesk",), ()),
    ("Intercom", (), ("Intercom",)),
    ("HubSpot", ("HubSpot",), ()),
    ("Salesforce", ("Salesforce",), ()),
    ("GOV.UK Notify", ("GOV.UK Notify",), ()),
    ("GOV.UK Pay", ("GOV.UK Pay",), ()),
    ("Eventbrite", ("Eventbrite",), ()),
    ("Typeform", ("Typeform",), ()),
    ("Stripe", (), ("Stripe",)),
    ("PayPal", ("PayPal",), ()),
    ("JustGiving", ("JustGiving",), ()),
    ("Zoom", (), ("Zoom",)),
    ("Dropbox", ("Dropbox",), ()),
    ("Campaign Monitor", ("Campaign Monitor",), ()),
    ("Dotdigital", ("Dotdigital", "dotmailer"), ()),
    ("SendGrid", ("SendGrid",), ()),
    ("Mailgun", ("Mailgun",), ()),
    ("Mixpanel", ("Mixpanel",), ()),
    ("Matomo", ("Matomo",), ()),
    ("Sentry", (), ("Sentry",)),
]
_CANONICAL_FOLDED = {spelling.lower(): name for name, folded, _exact in GAZETTEER for spelling in folded}
_CANONICAL_EXACT = {spelling: name for name, _folded, exact in GAZETTEER for spelling in exact}
_GAZETTEER_NAMES = frozenset(name for name, _folded, _exact in GAZETTEER)


def _alternation(spellings) -> str:
    return "|".join(re.escape(spelling) for spelling in sorted(spellings, key=len, reverse=True))


_GAZETTEER_FOLDED = re.compile(rf"(?<![\w.])(?:{_alternation(_CANONICAL_FOLDED)})(?![\w])", re.IGNORECASE)
# "Microsoft Word", "Google Chrome": software people run, not services that receive data.
_SOFTWARE_AFTER = re.compile(r"\s+(?:Word|Excel|PowerPoint|Windows|Edge|Internet\s+Explorer|Chrome|Android)\b")
_GAZETTEER_EXACT = re.compile(rf"(?<![\w.])(?:{_alternation(_CANONICAL_EXACT)})(?![\w])")

# Where a policy names who acts for it; the name follows.
_PROCESSOR_CUES = re.compile(
    r"""
    \bthird[-\s]party\s+(?:service|provider|supplier|company|processor|platform|tool|system|organisation|organization|contractor)s?
        \s*,?\s+(?:(?:called|named|known\s+as)\s+)?
    | \b(?:service|provider|supplier|company|processor|platform|contractor|partner)s?\s+(?:called|named|known\s+as)\s+
    | \b(?P<done>hosted|powered|provided|run|operated|managed|supplied|delivered|administered|processed|maintained
        |supported)\s+(?:for\s+us\s+)?(?:by|at|on)\s+
    | \b[Ww]e\s+(?:also\s+)?(?:use|used|employ|engage|contract)\s+
    """,
    re.VERBOSE,
)
_DONE_TO_DO = {
    "hosted": "host",
    "powered": "power",
    "provided": "provide",
    "run": "run",
    "operated": "operate",
    "managed": "manage",
    "supplied": "supply",
    "delivered": "deliver",
    "administered": "administer",
    "processed": "process",
    "maintained": "maintain",
    "supported": "support",
}
# "We use NAME" names a service only when a purpose follows: "We use Hotjar to ...".
_PURPOSE_AFTER = re.compile(r"(?:\s+(?:to|for|as|which|that|so|in\s+order)\b|\s*[,(])")
# Where information goes: "share ... with", "disclose ... to", "send ... to".
_RECIPIENT_VERB = re.compile(
    r"\b(?:share|shares|shared|sharing|disclose|discloses|disclosed|disclosing|pass|passes|passed|passing|send|sends|"
    r"sent|sending|transfer|transfers|transferred|transferring|provide|provides|providing|give|gives|given|giving|"
    r"forward|forwards|forwarded)\b",
    re.IGNORECASE,
)
_RECIPIENT_PREPOSITION = re.compile(r"\b(?:with|to)\s+")
_LIST_JOIN = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
_MAX_LISTED = 12
# What follows a name in a postal address: "Kings Court, London Road, Stevenage, SG1 2NG".
_ADDRESS_AHEAD = re.compile(
    r"[^.;]*?(?:\b(?:Road|Street|Lane|Avenue|Drive|Square|House|Floor|Building|Close|Crescent|Gardens|Way)\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b)"
)
_CLAUSE_BREAK = re.compile(r"[;:]|\.(?:\s|$)|\b(?:if|unless|because|but|so\s+that|where|when)\b")
# "NAME is a data processor", "NAME acts as our processor".
_PROCESSOR_AFTER_NAME = re.compile(r"\s+(?:is|are|acts\s+as|act\s+as)\s+(?:a|an|our|the)\s+(?:data\s+)?processors?\b")
# "provided by", "passed on our behalf": the verb says who acts, not who receives.
_DONE_BY = re.compile(r"\s+(?:by|on\s+our\s+behalf)\b")
_NEXT_WORD = re.compile(r"\s+([a-z]+)")
_POINTER = re.compile(r"(?:'s|’s)?\s+(?:privacy|cookie|website|purpose)", re.IGNORECASE)
_ON_OUR_BEHALF = re.compile(r"\bon\s+our\s+behalf\b", re.IGNORECASE)
# A verb the subject does: "processes", "stores", "hosts".
_ACTS = re.compile(r"\s+(?:also\s+)?[a-z]+s\b")
# What a named organisation does with data, for its mentions after the first.
_DATA_CUE = re.compile(
    r"\b(?:collect\w*|process\w*|stor(?:e|es|ed|ing)|hold\w*|host\w*|handl\w*|receiv\w*|shar(?:e|es|ed|ing)|"
    r"disclos\w*|track\w*|cookies?|on\s+our\s+behalf|personal\s+(?:data|information)|email\s+address\w*|"
    r"IP\s+address\w*)\b",
    re.IGNORECASE,
)
_NO_PERSONAL_DATA = re.compile(
    r"\b(?:no|without)\s+(?:\w+\s+){0,2}?(?:personal(?:ly)?|identifiable)\b"
    r"|\b(?:do|does|did|will|shall|would)\s+not\s+(?:\w+\s+)?(?:share|disclose|pass|send|sell|transfer|give|allow)\b"
    r"|\b(?:never|nor\s+(?:should|will|do|does|can|may)\s+(?:we|they|you))\s+(?:share|disclose|pass|send|sell|transfer|give)\b",
    re.IGNORECASE,
)
# A well-known service in a sentence about using it: "sent using Mailchimp", "we use a third party service".
_SERVICE_CUE = re.compile(
    r"\b(?:us(?:e|es|ed|ing)|via|through|sen[dt]\w*|powered|provided|hosted|third[-\s]part(?:y|ies)|"
    r"supplier|provider|processor)\b",
    re.IGNORECASE,
)
_SERVICE = re.compile(r"^\s*,?\s+(?:to|in\s+order\s+to)\s+([a-z][^,;:()]{2,160})")

# Proper names, token by token: "Snap Surveys", "Local Government Ombudsman", "WordPress.com", "GOV.UK Notify".
_TOKEN = re.compile(r"[A-Z][A-Za-z0-9&'’+-]*(?:\.[A-Za-z]{2,}(?![A-Za-z]))*")
_NAME_JOIN = re.compile(r"(?:\s+|\s+(?:of|for|&)(?:\s+the)?\s+)(?=[A-Z])")
_WORD_CHARACTER = re.compile(r"\w")
_ARTICLE = re.compile(r"(?:the|The)\s+")
_ABBREVIATION = re.compile(r"\s*\(([A-Z][A-Za-z]{1,9})\)")
_MAX_TOKENS = 6
# Capitalised words that start sentences and headings rather than names.
_COMMON = _words(
    """a an all any as at by each every for from however if in it its my no not of on once only or other our please
    some such that the their these they this those to we when where which with you your i also information data
    personal privacy cookie cookies website websites email emails newsletter service services"""
)
# Names that are laws, documents, frameworks, internal teams or roles, not organisations.
_NOT_ORGANISATION_WORDS = _words(
    """act acts regulation regulations bill directive gdpr order code charter report reports policy policies promise
    shield framework scheme statement notice notices agreement agreements protocol protocols guidance convention law
    laws rules standard standards page form forms team department directorate unit officer officers manager
    managers mp mps parliament request requests word excel powerpoint windows chrome android"""
)
_NOT_ORGANISATIONS = frozenset(
    ["government", "dpa", "gdpr", "uk gdpr", "eu gdpr", "foi", "foia", "eir", "pecr", "dpo", "sar"]
)
# Words that end the name of a team or a role, but may start an organisation's ("Department of Health").
_LEADING_ONLY = _words("department directorate unit office")
# One word that names a kind of body, not one body: "disclose your details to the Police".
_GENERIC_BODIES = _words(
    """police courts court council government regulator regulators ombudsman commissioner employer employers
    insurers auditors bank banks solicitors trust company organisation organization charity supplier provider
    processor partner contractor school university hospital practice"""
)
_ADDRESS_WORDS = _words("road street lane avenue drive square place house floor building close crescent gardens")
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\b")
_KINDS_OF_BODY = _words(
    """groups organisations organizations bodies authorities councils boards committees trusts providers
    commissioners regulators agencies companies suppliers partners"""
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")

# The organisation's own names: "X is the data controller", "X's Data Protection Officer", "the X website".
_OWN_AFTER_NAME = re.compile(
    r"(?:\s+is\s+(?:the\s+|a\s+)?(?:data\s+)?controller\b|(?:'s|’s)\s+(?:own\s+)?(?:data\s+protection\s+officer|dpo|"
    r"helpline|powers|functions|role|staff|employees|efficiency|collection|data\s+protection\s+policy)\b|"
    r"\s+(?:website|site|account|helpline|staff|employees)\b)",
    re.IGNORECASE,
)
_OWN_THING = re.compile(r"\s+(?:website|site|account|helpline|staff|employees)\b", re.IGNORECASE)
_OWN_BEFORE_NAME = re.compile(r"\b(?:the|our|your)\s+$", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s*:\s+|\s*\|\s*")
_TITLE_WORDS = re.compile(r"\b(?:privacy|cookie|cookies|policy|notice|statement|information|data|protection)\b", re.I)


@dataclass
class _Name:
    text: str  # as written in the sentence
    start: int  # in the sentence's text
    end: int
    canonical: str  # as the finding names it


def own_names_in(outline: Outline) -> set[str]:
    """The organisation's own names as the policy writes them: in its title, and where it says it is the controller.

    A name and its abbreviation go together ("Information Commissioner’s Office (ICO)"), and an organisation's
    initials are its name too ("Care Quality Commission" is also "CQC").
    """
    own: set[str] = set()
    if outline.title is not None:
        for part in _TITLE_SEPARATORS.split(outline.title.text):
            part = part.strip()
            name = _read_name(part, 0)
            if name and name.end == len(part) and not _TITLE_WORDS.search(part) and _is_organisation(name.text):
                own.add(name.text)
    abbreviations = _abbreviations(outline)
    for sentence in outline.sentences():
        text = sentence.text
        for token in _TOKEN.finditer(text):
            if token.start() and (text[token.start() - 1].isalnum() or text[token.start() - 1] in "'’."):
                continue
            if re.search(r"[A-Z][\w'’.&-]*\s+$", text[max(0, token.start() - 40) : token.start()]):
                continue  # inside a name: "Healthwatch Hertfordshire" is read from its first word
            name = _read_name(text, token.start())
            if name is None:
                continue
            if not _OWN_AFTER_NAME.match(text, name.end):
                continue
            # "the ICO website" is the organisation's; "Snap Surveys staff" need not be.
            thing = _OWN_THING.match(text, name.end)
            if thing and not _OWN_BEFORE_NAME.search(text[max(0, name.start - 12) : name.start]):
                continue
            own.add(_strip_possessive(name.text))
    for name in list(own):
        own |= _related_names(name, abbreviations)
    return {name for name in own if name}


def _related_names(name: str, abbreviations: dict[str, str]) -> set[str]:
    related = set()
    for abbreviation, full in abbreviations.items():
        if _fold(name) in (_fold(abbreviation), _fold(full)):
            related |= {abbreviation, full}
    words = [word for word in re.split(r"\s+", name) if word[:1].isupper()]
    if len(words) >= 2:
        related.add("".join(word[0] for word in words))
    for full in [name, *related]:
        # "Information Commissioner’s Office" is also "the Information Commissioner".
        base = re.sub(r"(?:'s|’s)\s+Office$", "", full)
        if base != full:
            related.add(base)
    return related


def find_third_parties(outline: Outline, own_names=()) -> list[ThirdParty]:
    """Organisations and services the policy names as receiving personal data: one finding per name per sentence.

    ``own_names`` are the organisation's names known elsewhere (its settings); the names the policy gives
    itself (``own_names_in``) are added to them. Neither is ever reported.
    """
    own = {_fold(name) for name in [*own_names, *own_names_in(outline)]}
    abbreviations = _abbreviations(outline)
    sentences = list(outline.sentences())
    found: list[ThirdParty] = []
    known: dict[str, str] = {}  # canonical name -> role of its first finding
    spellings: dict[str, str] = {}  # how a named organisation is written -> its canonical name
    for sentence in sentences:
        found.extend(_explicit(sentence, own, abbreviations, known, spellings))
    # Later mentions of named organisations: a second pass, so a mention before the naming sentence counts too.
    reported = {(finding.quote.start, finding.name) for finding in found}
    for sentence in sentences:
        for finding in _mentions(sentence, own, abbreviations, known, spellings):
            if (finding.quote.start, finding.name) not in reported:
                reported.add((finding.quote.start, finding.name))
                found.append(finding)
    found.sort(key=lambda finding: (finding.quote.start, finding.words.start))
    return found


def _explicit(sentence, own, abbreviations, known, spellings) -> list[ThirdParty]:
    """Names in a sentence that a pattern or the gazetteer marks as receiving data."""
    text = sentence.text
    if text.rstrip().endswith("?"):
        # "What information can I share with ...?" asks; it does not say anyone receives anything.
        return []
    no_personal_data = bool(_NO_PERSONAL_DATA.search(text))
    candidates: list[tuple[_Name, str, str]] = []  # (name, role, service)
    gazetteer = gazetteer_names(text)
    for match in _PROCESSOR_CUES.finditer(text):
        name = _name_at(text, match.end(), gazetteer, abbreviations)
        if name is None:
            continue
        we_use = match.group().lstrip().lower().startswith("we")
        if we_use and name.canonical not in _GAZETTEER_NAMES and not _PURPOSE_AFTER.match(text, name.end):
            continue
        done = match.group("done")
        service = _service_done(text, match.start(), done) if done else _service_after(text[name.end : name.end + 200])
        candidates.append((name, PROCESSOR, service))
    if not no_personal_data:
        for verb in _RECIPIENT_VERB.finditer(text):
            if _DONE_BY.match(text, verb.end()):
                continue
            for name in _recipients_after(text, verb.end(), gazetteer, abbreviations, own):
                candidates.append((name, RECIPIENT, ""))
    on_our_behalf = _ON_OUR_BEHALF.search(text)
    for name in _names_starting(text, gazetteer, abbreviations):
        # "Egress is a data processor"; "Acme Payroll Ltd processes salaries on our behalf".
        if _PROCESSOR_AFTER_NAME.match(text, name.end) or (on_our_behalf and _ACTS.match(text, name.end)):
            candidates.append((name, PROCESSOR, ""))
    if (_DATA_CUE.search(text) or _SERVICE_CUE.search(text)) and not no_personal_data:
        candidates.extend((name, PROCESSOR, "") for name in gazetteer if not _is_pointer(text, name))
    findings: dict[str, ThirdParty] = {}
    for name, role, service in candidates:
        if _fold(name.canonical) in own or _fold(name.text) in own or not _is_organisation(name.canonical):
            continue
        if _is_modifier(text, name):
            continue
        current = findings.get(name.canonical)
        if current is None or (not current.service and service) or (current.role != role and role == PROCESSOR):
            findings[name.canonical] = _finding(sentence, name, role, service or (current.service if current else ""))
        known.setdefault(name.canonical, role)
        spellings.setdefault(name.text, name.canonical)
        spellings.setdefault(name.canonical, name.canonical)
    return list(findings.values())


def _mentions(sentence, own, abbreviations, known, spellings) -> list[ThirdParty]:
    """Later mentions of organisations already named, in sentences that say what they do with data."""
    text = sentence.text
    if not spellings or not _DATA_CUE.search(text) or _NO_PERSONAL_DATA.search(text) or text.rstrip().endswith("?"):
        return []
    findings = []
    names = {name.canonical: name for name in gazetteer_names(text)}
    # Each word that starts with a capital may start a spelling: look the few lengths spellings have up in
    # the dictionary, so a policy naming many organisations is still read in one pass.
    lengths = sorted({len(spelling) for spelling in spellings}, reverse=True)
    for token in _TOKEN.finditer(text):
        start = token.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in "._"):
            continue
        for length in lengths:
            canonical = spellings.get(text[start : start + length])
            if canonical is None or canonical in names or _WORD_CHARACTER.match(text, start + length):
                continue
            name = _Name(text[start : start + length], start, start + length, canonical)
            if not _is_pointer(text, name) and not _is_modifier(text, name):
                names[canonical] = name
    for canonical, name in names.items():
        if canonical not in known or _fold(canonical) in own or _is_pointer(text, name):
            continue
        role = RECIPIENT if known[canonical] == RECIPIENT else PROCESSOR
        findings.append(_finding(sentence, name, role, ""))
    return findings


def _finding(sentence: Sentence, name: _Name, role: str, service: str) -> ThirdParty:
    return ThirdParty(
        quote=sentence.quote,
        words=sentence.block.quote(sentence.offset + name.start, sentence.offset + name.end),
        section=sentence.section.title,
        name=name.canonical,
        role=role,
        service=" ".join(service.split()),
    )


# Reading names --------------------------------------------------------------------------------


def gazetteer_names(text: str) -> list[_Name]:
    """The well-known services a text names, in order, each with its canonical name."""
    names = []
    for match in _GAZETTEER_FOLDED.finditer(text):
        if _SOFTWARE_AFTER.match(text, match.end()):
            continue
        names.append(_Name(match.group(), match.start(), match.end(), _CANONICAL_FOLDED[match.group().lower()]))
    for match in _GAZETTEER_EXACT.finditer(text):
        names.append(_Name(match.group(), match.start(), match.end(), _CANONICAL_EXACT[match.group()]))
    return sorted(names, key=lambda name: name.start)


def _name_at(text: str, index: int, gazetteer: list[_Name], abbreviations: dict[str, str]) -> _Name | None:
    """The name that starts at ``index`` (after an optional "the"): a service from the gazetteer, else a proper name."""
    article = _ARTICLE.match(text, index)
    start = article.end() if article else index
    for name in gazetteer:
        if name.start == start:
            return name
    for short, full in abbreviations.items():
        # A defined name read whole, "and" and all: "Department for Work and Pensions (DWP)".
        if " and " in full and text.startswith(full, start):
            end = start + len(full)
            bracket = _ABBREVIATION.match(text, end)
            end = bracket.end() if bracket else end
            return _Name(text[start:end], start, end, f"{full} ({short})")
    name = _read_name(text, start)
    if name is None:
        return None
    for gazetteer_name in gazetteer:
        if name.start <= gazetteer_name.start < name.end:
            return gazetteer_name
    return _with_canonical(name, abbreviations)


def _read_name(text: str, start: int, *, drop_common: bool = True) -> _Name | None:
    """Capitalised words from ``start`` ("Local Government Ombudsman"), with an abbreviation in brackets after them."""
    tokens = []
    index = start
    while len(tokens) < _MAX_TOKENS:
        token = _TOKEN.match(text, index)
        if token is None:
            break
        tokens.append(token)
        join = _NAME_JOIN.match(text, token.end())
        if join is None:
            break
        index = join.end()
    if not tokens:
        return None
    # A sentence's first word, "The", "We", is not part of a name.
    while drop_common and tokens and tokens[0].group().lower() in _COMMON:
        tokens.pop(0)
    if not tokens:
        return None
    first, last = tokens[0], tokens[-1]
    end = last.end()
    written = text[first.start() : end]
    stripped = _strip_possessive(written)
    end -= len(written) - len(stripped)
    abbreviation = _ABBREVIATION.match(text, end)
    if abbreviation and stripped == written:
        end = abbreviation.end()
    return _Name(text[first.start() : end], first.start(), end, text[first.start() : end])


def _names_starting(text: str, gazetteer: list[_Name], abbreviations: dict[str, str]) -> list[_Name]:
    """The name a sentence opens with, or that opens its clause after "and" ("The ICO and Egress have ...")."""
    names = []
    for match in re.finditer(r"^(?:The\s+)?|\band\s+(?:the\s+)?", text):
        name = _name_at(text, match.end(), gazetteer, abbreviations)
        if name is not None and name.start == match.end():
            names.append(name)
    return names


def _with_canonical(name: _Name, abbreviations: dict[str, str]) -> _Name:
    text = name.text
    abbreviation = _ABBREVIATION.search(text)
    if abbreviation and abbreviation.end() == len(text):
        return _Name(text, name.start, name.end, text)
    if text in abbreviations:
        return _Name(text, name.start, name.end, f"{abbreviations[text]} ({text})")
    for short, full in abbreviations.items():
        if full == text:
            return _Name(text, name.start, name.end, f"{full} ({short})")
    return name


def _abbreviations(outline: Outline) -> dict[str, str]:
    """Abbreviations the policy defines, to their full names: "Local Government Ombudsman (LGO)"."""
    found: dict[str, str] = {}
    for sentence in outline.sentences():
        text = sentence.text
        for match in re.finditer(r"\(([A-Z][A-Za-z]{1,9})\)", text):
            short = match.group(1)
            capitals = [character for character in short if character.isupper()]
            words = text[max(0, match.start() - 200) : match.start()].split()[-(len(capitals) * 2 + 2) :]
            # The shortest run of words before the brackets whose capitals spell the abbreviation.
            for size in range(1, len(words) + 1):
                candidate = words[-size:]
                # "HM Revenue and Customs (HMRC)": a word in capitals gives all its letters.
                initials = "".join(word if word.isupper() else word[0] for word in candidate if word[:1].isupper())
                if initials == "".join(capitals) and candidate[0][:1].isupper():
                    found.setdefault(short, " ".join(candidate))
                    break
                if len(initials) > len(capitals):
                    break
    return found


def _recipients_after(text: str, index: int, gazetteer, abbreviations, own) -> list[_Name]:
    """Names after "with" or "to" in the clause a verb of sharing starts."""
    window = text[index : index + 120]
    clause_break = _CLAUSE_BREAK.search(window)
    if clause_break:
        window = window[: clause_break.start()]
    names = []
    for preposition in _RECIPIENT_PREPOSITION.finditer(window):
        name = _name_at(text, index + preposition.end(), gazetteer, abbreviations)
        if name is not None:
            names.append(name)
        # "to the Home Office, the Cabinet Office and HM Courts & Tribunals Service": each of a list, up to a
        # name that is not an organisation's ("to Healthwatch Hertfordshire, Kings Court, London Road").
        while name is not None and len(names) < _MAX_LISTED and _is_organisation(name.canonical):
            if _fold(name.canonical) in own or _fold(name.text) in own:
                break
            if _ADDRESS_AHEAD.match(text, name.end, name.end + 120):
                break
            joint = _LIST_JOIN.match(text, name.end)
            name = _name_at(text, joint.end(), gazetteer, abbreviations) if joint else None
            if name is not None:
                names.append(name)
    return names


def _service_after(after: str) -> str:
    match = _SERVICE.match(after)
    if not match:
        return ""
    return re.split(r"\s+(?:which|who|but|so\s+that)\b|\.(?:\s|$)", match.group(1), maxsplit=1)[0].strip(" .")


_THING_BOUNDARY = re.compile(
    r",\s|\b(?:using|use|uses|provide|provides|with|via|through|that|which|who|where)\s+", re.IGNORECASE
)


def _service_done(text: str, cue_start: int, done: str) -> str:
    """ "an online reporting tool hosted by" gives "host an online reporting tool"."""
    window_start = max(0, cue_start - 200)
    before = re.sub(r"[\s,]*(?:\b(?:is|are|was|were|be|been|being)\b[\s,]*)?$", "", text[window_start:cue_start])
    parts = _THING_BOUNDARY.split(before)
    thing = parts[-1].strip() if parts else ""
    if not thing or len(thing) > 100:
        return ""
    first, _space, rest = thing.partition(" ")
    at_sentence_start = window_start == 0 and before.lstrip().startswith(thing)
    if first in ("Our", "The", "These", "This", "Its", "Their", "A", "An") or (
        at_sentence_start and first[1:].islower()
    ):
        thing = f"{first.lower()} {rest}".strip()
    return f"{_DONE_TO_DO[done.lower()]} {thing}"


# Telling organisations from other names ----------------------------------------------------------


def _fold(name: str) -> str:
    name = name.replace("’", "'").strip().lower()
    name = re.sub(r"^the\s+", "", name)
    return re.sub(r"'s$", "", name)


def _strip_possessive(name: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", name)


def _is_organisation(name: str) -> bool:
    folded = _fold(name)
    if not folded or folded in _NOT_ORGANISATIONS or len(folded) < 2:
        return False
    words = [word for word in re.split(r"[\s()]+", folded) if word]
    if len(words) == 1 and words[0] in _GENERIC_BODIES:
        return False
    # An address: "Kings Court, London Road, ... SG1 2NG".
    if words[-1] in _ADDRESS_WORDS or _POSTCODE.match(name):
        return False
    # "Department for Work and Pensions" is an organisation; "Information Governance Department" a team.
    if any(word in _NOT_ORGANISATION_WORDS for word in words[1:] if word not in _LEADING_ONLY) or (
        words[0] in _NOT_ORGANISATION_WORDS and words[0] not in _LEADING_ONLY
    ):
        return False
    if all(word in _COMMON for word in words if word):
        return False
    # "PPGs", "CCGs", "Patient Participation Groups": kinds of body, not one organisation.
    if re.fullmatch(r"[A-Z]{2,}s", name.strip()) or words[-1] in _KINDS_OF_BODY:
        return False
    return not _YEAR.search(name)


def _is_modifier(text: str, name: _Name) -> bool:
    """ "the NHS organisation you complained about": a name used as an adjective names no one."""
    after = _NEXT_WORD.match(text, name.end)
    if not after:
        return False
    return after.group(1) in _NOUNS_AFTER_MODIFIER


# Nouns that, straight after a name, make the name describe something else ("the NHS organisation", "Hotjar cookies"
# is still Hotjar's, so cookies are not among them).
_NOUNS_AFTER_MODIFIER = _words(
    """organisation organisations organization organizations trust trusts body bodies service services account
    accounts website websites site sites page pages form forms team teams network number numbers staff employees
    people members office offices provider providers record records system systems area areas"""
)


def _is_pointer(text: str, name: _Name) -> bool:
    """ "please see Adestra’s privacy notice": a pointer to the organisation's own policy says nothing about us."""
    return bool(_POINTER.match(text, name.end))
