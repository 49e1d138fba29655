"""Cookies a policy mentions: by name, by who sets them, or in general.

- By name: well-known cookies ("_ga", "_hjSessionUser_123", "PHPSESSID") wherever
  they are written, and any name written in code or quotes beside the word
  "cookie" ("the `cc_prefs` cookie", "a cookie called 'seen_notice'").
- By provider: a third party the policy names, in a sentence about cookies
  ("Hotjar uses cookies").
- In general: "our website uses cookies", "some systems require the use of
  cookies"; at most one such mention a section, since a section that speaks of
  cookies usually does so more than once.

The category comes from the cookie's name where it is a well-known one (the
register lints' table of analytics and advertising cookies, and the session
and consent cookies below), else from what the sentence calls it ("analytics
cookies"), else it is left for the reviewer.
"""

import re

from privacy_notices.choices import CookieCategory
from privacy_notices.register_lints import known_tracking_cookie

from .findings import CookieMention, ThirdParty
from .outline import Outline, Sentence
from .third_parties import gazetteer_names

# Cookies that keep a session, a login or a consent choice: strictly necessary. (name pattern, who sets it)
_NECESSARY_COOKIES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"PHPSESSID"), ""),
    (re.compile(r"JSESSIONID"), ""),
    (re.compile(r"ASP\.NET_SessionId"), ""),
    (re.compile(r"ASPSESSIONID\w*"), ""),
    (re.compile(r"csrftoken"), ""),
    (re.compile(r"sessionid"), ""),
    (re.compile(r"__cf_bm|cf_clearance|__cfruid"), "Cloudflare"),
    (re.compile(r"OptanonConsent|OptanonAlertBoxClosed"), "OneTrust"),
    (re.compile(r"CookieConsent"), "Cookiebot"),
    (re.compile(r"cookieconsent_status"), ""),
    (re.compile(r"__stripe_mid|__stripe_sid"), "Stripe"),
    (re.compile(r"wordpress_logged_in_\w*|wordpress_sec_\w*"), ""),
]
# Well-known names with no capital or underscore to tell them by.
_LOWERCASE_NAMES = frozenset(["sessionid", "csrftoken", "hubspotutk", "cookieconsent"])
# Cookie names that are also words or abbreviations people write.
_WORDLIKE = frozenset(["sessionid", "csrftoken", "ide", "nid", "muid", "cookieconsent"])
# A cookie name as written: letters, digits, underscores, dots, dashes, a trailing "*" for a family.
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*[A-Za-z0-9_]\*?|_[A-Za-z0-9]\*?"
_WORD_NAME = re.compile(rf"(?<![\w.\-])(?:{_NAME})(?![\w\-])")
# Names beside the word "cookie": "the `cc_prefs` cookie", "a cookie called 'seen_notice'", "cookie named _ga".
# The name before is looked for in a few words before each "cookie", so a long run of name characters is read once.
_NAME_BEFORE_COOKIE = re.compile(rf"""(?:^|(?<=[\s(]))[“"‘']?(?P<name>{_NAME})[”"’']?\s+$""")
_NAME_AFTER_COOKIE = re.compile(
    rf"""cookies?\s+(?:called|named|known\s+as)\s+[“"‘']?(?P<name>{_NAME})""", re.IGNORECASE
)
_COOKIE_WORD = re.compile(r"\bcookies?\b", re.IGNORECASE)
_NO_COOKIES = re.compile(
    r"\b(?:do|does|will)\s+not\s+(?:use|set|place)\s+(?:any\s+)?cookies\b|\bno\s+cookies\b", re.IGNORECASE
)
_CATEGORY_WORDS = [
    (re.compile(r"\bstrictly\s+necessary|\bessential\s+cookies", re.IGNORECASE), CookieCategory.STRICTLY_NECESSARY),
    (re.compile(r"\bfunctional|\bpreferences?\s+cookies", re.IGNORECASE), CookieCategory.FUNCTIONAL),
    (re.compile(r"\banalytic|\bstatistic|\bperformance\s+cookies", re.IGNORECASE), CookieCategory.ANALYTICS),
    (re.compile(r"\badvertis|\bmarketing|\btargeting", re.IGNORECASE), CookieCategory.MARKETING),
]
_PROVIDER_CATEGORY = {
    "Google Analytics": CookieCategory.ANALYTICS,
    "Hotjar": CookieCategory.ANALYTICS,
    "Microsoft Clarity": CookieCategory.ANALYTICS,
    "Mixpanel": CookieCategory.ANALYTICS,
    "Matomo": CookieCategory.ANALYTICS,
    "Google Ads": CookieCategory.MARKETING,
    "Meta (Facebook)": CookieCategory.MARKETING,
}


def find_cookies(outline: Outline, third_parties: list[ThirdParty]) -> list[CookieMention]:
    """The cookies a policy mentions, in order; ``third_parties`` are the findings of ``find_third_parties``."""
    names_by_sentence: dict[int, set[str]] = {}
    for party in third_parties:
        names_by_sentence.setdefault(party.quote.start, set()).add(party.name)
    found: list[CookieMention] = []
    sections_with_general: set[int] = set()
    for sentence in outline.sentences():
        mentions = _named(outline, sentence)
        if _COOKIE_WORD.search(sentence.text) and not _NO_COOKIES.search(sentence.text):
            mentions += _providers(sentence, names_by_sentence.get(sentence.quote.start, set()), mentions)
            if not mentions and id(sentence.section) not in sections_with_general:
                sections_with_general.add(id(sentence.section))
                mentions.append(_general(sentence))
        found.extend(mentions)
    return found


def _named(outline: Outline, sentence: Sentence) -> list[CookieMention]:
    text = sentence.text
    mentions: dict[str, CookieMention] = {}
    for match in _WORD_NAME.finditer(text):
        known = _known(match.group())
        if known is not None:
            provider, category = known
            # A name that is also a word ("sessionid", "IDE") counts only where the text speaks of cookies.
            name = match.group()
            about_cookies = _COOKIE_WORD.search(text) or _COOKIE_WORD.search(sentence.section.title)
            if name.lower() not in _WORDLIKE or about_cookies or _in_code(outline, sentence, match.start()):
                mentions.setdefault(name, _mention(sentence, match.start(), match.end(), name, provider, category))
    for cookie in _COOKIE_WORD.finditer(text):
        window_start = max(0, cookie.start() - 60)
        match = _NAME_BEFORE_COOKIE.search(text, window_start, cookie.start()) or _NAME_AFTER_COOKIE.match(
            text, cookie.start()
        )
        if match is None:
            continue
        name, start, end = match.group("name"), match.start("name"), match.end("name")
        if name in mentions or name.lower() in ("the", "a", "this", "these", "those", "our", "session", "third"):
            continue
        known = _known(name)
        written_as_name = "_" in name or _in_code(outline, sentence, start) or _quoted(text, start, end)
        if known is None and not written_as_name:
            continue
        provider, category = known or ("", _category_in(text))
        mentions[name] = _mention(sentence, start, end, name, provider, category)
    return sorted(mentions.values(), key=lambda mention: mention.words.start)


def _providers(sentence, names_here, named) -> list[CookieMention]:
    """Third parties in a sentence about cookies: "Hotjar uses cookies"."""
    text = sentence.text
    already = {mention.provider for mention in named}
    mentions = []
    seen = set()
    for name in gazetteer_names(text):
        if name.canonical in already or name.canonical in seen:
            continue
        seen.add(name.canonical)
        category = _PROVIDER_CATEGORY.get(name.canonical) or _category_in(text)
        mentions.append(_mention(sentence, name.start, name.end, "", name.canonical, category))
    for party in sorted(names_here - seen - already):
        position = _position_of(text, party)
        if position is None:
            continue
        seen.add(party)
        start, end = position
        mentions.append(_mention(sentence, start, end, "", party, _PROVIDER_CATEGORY.get(party) or _category_in(text)))
    return mentions


def _general(sentence: Sentence) -> CookieMention:
    match = _COOKIE_WORD.search(sentence.text)
    return _mention(sentence, match.start(), match.end(), "", "", _category_in(sentence.text))


def _mention(sentence: Sentence, start: int, end: int, name: str, provider: str, category: str) -> CookieMention:
    return CookieMention(
        quote=sentence.quote,
        words=sentence.block.quote(sentence.offset + start, sentence.offset + end),
        section=sentence.section.title,
        name=name,
        provider=provider,
        category=str(category) if category else "",
    )


def _known(name: str) -> tuple[str, str] | None:
    """Who sets a well-known cookie and its category, or ``None``."""
    # Most words of a policy are not cookie names: only those that could be one are looked up.
    if not ("_" in name or name.lower() in _LOWERCASE_NAMES or any(c.isupper() for c in name[1:])):
        return None
    for pattern, provider in _NECESSARY_COOKIES:
        if pattern.fullmatch(name.rstrip("*")):
            return provider, CookieCategory.STRICTLY_NECESSARY
    return known_tracking_cookie(name)


def _category_in(text: str) -> str:
    for pattern, category in _CATEGORY_WORDS:
        if pattern.search(text):
            return category
    return ""


def _position_of(text: str, party: str) -> tuple[int, int] | None:
    """Where a third party's name, or its first word, is written in the sentence."""
    for candidate in (party, party.split(" (")[0], party.split()[0]):
        index = text.find(candidate)
        if index >= 0:
            return index, index + len(candidate)
    return None


def _in_code(outline: Outline, sentence: Sentence, start: int) -> bool:
    """Whether the input writes the name as code: `name` in Markdown, <code>name</code> in HTML."""
    position = sentence.block.positions[sentence.offset + start]
    before = outline.source.text[max(0, position - 6) : position]
    return before.endswith("`") or before.lower().endswith("<code>")


def _quoted(text: str, start: int, end: int) -> bool:
    return start > 0 and end < len(text) and text[start - 1] in "“\"‘'" and text[end] in "”\"’'"
