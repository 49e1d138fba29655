"""What a policy's headings are about: an audience, something for everyone, or a topic of a notice.

A policy written for several audiences has a section per audience ("People
who make a complaint to us", "Job applicants, current and former employees",
"Visitors to our websites"); each becomes a notice. Sections that apply to
everyone (your rights, complaints about us, contacting us, changes to the
policy) go to the hub. Inside a notice, a section's topic decides which typed
block it becomes (retention, sharing, cookies, rights) or whether it stays as
text.
"""

import re
from dataclasses import dataclass

from django.utils.text import slugify

from ..choices import DataSubjectTerm

# Topics of a notice's sections (block types of NoticeSectionsBlock).
RETENTION, SHARING, COOKIES, RIGHTS, TEXT = "retention", "sharing", "cookies", "rights", "text"
# What a hub section is for.
COMPLAINTS, CONTACT, CHANGES = "complaints", "contact", "changes"


@dataclass(frozen=True)
class AudienceKind:
    """A kind of audience the importer recognises, with the slug and name it proposes for it."""

    slug: str
    name: str
    data_subject: str
    pattern: re.Pattern


def _words(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


# In order: the first that matches a heading wins ("Job applicants, current and former employees" is
# read as job applicants). The slugs are the ones the demo site and the README use.
AUDIENCE_KINDS = (
    AudienceKind(
        "complainants",
        "People who make a complaint",
        DataSubjectTerm.CITIZEN,
        _words(r"\bcomplain(?:ant|ants|s|t)?\b(?!.*\b(?:or|and)\s+quer)|\bmake a complaint\b"),
    ),
    AudienceKind(
        "job-applicants",
        "People who apply to work for us",
        DataSubjectTerm.JOB_APPLICANT,
        _words(r"\bjob applicants?\b|\bapplicants?\b|\bapply(?:ing)? (?:to work|for (?:a )?jobs?)\b|\bcandidates\b"),
    ),
    AudienceKind(
        "staff",
        "Our staff and former staff",
        DataSubjectTerm.EMPLOYEE,
        _words(r"\b(?:our|current|former) (?:staff|employees|workforce)\b|\bemployees\b|\bvolunteers\b"),
    ),
    AudienceKind(
        "newsletter-subscribers",
        "People who subscribe to our newsletters",
        DataSubjectTerm.SUBSCRIBER,
        _words(r"\bnewsletters?\b|\bsubscri(?:be|bers|bing|ption)\b|\bmailing list\b"),
    ),
    AudienceKind(
        "cctv-registrants",
        "People who register a CCTV camera",
        DataSubjectTerm.CITIZEN,
        _words(r"\bcctv\b"),
    ),
    AudienceKind(
        "helpline-callers",
        "People who call our helpline",
        DataSubjectTerm.CITIZEN,
        _words(r"\bhelpline\b|\bcall(?:s|ers)? (?:us|our)\b|\bphone us\b|\btelephone us\b"),
    ),
    AudienceKind(
        "live-chat-users",
        "People who use our live chat",
        DataSubjectTerm.USER,
        _words(r"\blive ?chat\b|\bwebchat\b"),
    ),
    AudienceKind(
        "people-who-email-us",
        "People who email us",
        DataSubjectTerm.CITIZEN,
        _words(r"\b(?:who )?e-?mail us\b"),
    ),
    AudienceKind(
        "breach-reporters",
        "People who report a data breach",
        DataSubjectTerm.CITIZEN,
        _words(r"\bbreach(?:es)?\b"),
    ),
    AudienceKind(
        "people-who-notify-us",
        "People who notify or register with us",
        DataSubjectTerm.CITIZEN,
        _words(r"\bnotif(?:y|ication|ications)\b|\bregister(?:s|ing)? (?:with|under)\b"),
    ),
    AudienceKind(
        "site-visitors",
        "People who use our website",
        DataSubjectTerm.VISITOR,
        _words(r"\bweb ?sites?\b|\bour site\b|\bonline\b.*\bvisitors\b|\bvisitors to\b"),
    ),
    AudienceKind(
        "office-visitors",
        "People who visit our offices",
        DataSubjectTerm.VISITOR,
        _words(r"\bvisit(?:ors|ing)? (?:to )?our (?:offices?|premises|buildings?)\b"),
    ),
    AudienceKind(
        "service-users",
        "People who use our services",
        DataSubjectTerm.USER,
        _words(r"\buse (?:our|\w+) services\b|\bservice users\b"),
    ),
    AudienceKind(
        "people-who-share-experiences",
        "People who share their experiences with us",
        DataSubjectTerm.CITIZEN,
        _words(r"\bshare (?:their|your) experiences?\b|\bfeedback\b"),
    ),
)

# A heading that names a group of people: "People who ...", "Information about our staff ...".
_AUDIENCE_HEADING = _words(
    r"^(?:information (?:about|on|for) )?(?:people|persons|individuals|those|anyone|visitors|users|"
    r"customers|clients|suppliers|contractors|members|service providers|job applicants|applicants|"
    r"candidates|complainants|subscribers|callers|employees|our staff|staff|volunteers|patients|residents|"
    r"tenants|students|parents|pupils)\b"
)
_ABOUT_PREFIX = _words(r"^information (?:about|on|for) ")

# Sections for everyone, in the order they are tested.
_HUB_TOPICS = (
    (
        RIGHTS,
        _words(
            r"\byour (?:information |data protection )?rights\b|\baccess to (?:your )?personal information\b|"
            r"\b(?:have )?access to your information\b|\bsubject access\b|\bcorrect(?:ing)? (?:it|your)\b|"
            r"\bhow (?:can|do) (?:i|you) (?:see|get|access)\b"
        ),
    ),
    (COMPLAINTS, _words(r"^complaints?\b(?! (?:from|by) )|\bhow to complain\b|\bconcerns? about how\b")),
    (
        CONTACT,
        _words(
            r"\bcontact(?:ing)? us\b|\bhow to contact\b|\bget in touch\b|\bcontact details\b|"
            r"\bdata protection officer\b"
        ),
    ),
    (CHANGES, _words(r"\bchanges? to (?:this|our)\b|\bupdates? to (?:this|our)\b|\breview of this\b")),
)

# Topics of a section inside a notice.
_NOTICE_TOPICS = (
    (COOKIES, _words(r"\bcookies?\b")),
    (
        RETENTION,
        _words(
            r"\bhow long\b|\bretention\b|\bretain(?:ed|ing)?\b|\bkeep(?:ing)? (?:your|it|the)\b|"
            r"\bdisposal\b"
        ),
    ),
    (
        SHARING,
        _words(
            r"\bshar(?:e|es|ing)\b|\bdisclos(?:e|ure|ing)\b|\brecipients?\b|\bwho (?:we|will we) "
            r"(?:give|pass|send)\b|\bthird part(?:y|ies)\b"
        ),
    ),
    (RIGHTS, _HUB_TOPICS[0][1]),
)


def audience_kind(heading: str) -> AudienceKind | None:
    """The audience a section heading names, or None when it names no group of people."""
    if not heading or hub_topic(heading):
        return None
    if not _AUDIENCE_HEADING.search(heading.strip()):
        return None
    return known_audience_kind(heading) or generic_audience_kind(heading)


def known_audience_kind(text: str) -> AudienceKind | None:
    """The first known kind of audience whose words are in ``text``."""
    for kind in AUDIENCE_KINDS:
        if kind.pattern.search(text):
            return kind
    return None


def generic_audience_kind(heading: str) -> AudienceKind:
    """An audience named after the heading itself: "People who foster children" → people-who-foster-children."""
    name = _ABOUT_PREFIX.sub("", " ".join(heading.split())).strip(" .:;")
    name = name[:1].upper() + name[1:]
    return AudienceKind(slugify(name)[:80].strip("-") or "audience", name[:200], DataSubjectTerm.DATA_SUBJECT, None)


def hub_topic(heading: str) -> str | None:
    """What a section for everyone is about (RIGHTS, COMPLAINTS, CONTACT, CHANGES), or None."""
    for topic, pattern in _HUB_TOPICS:
        if pattern.search(heading or ""):
            return topic
    return None


def notice_topic(heading: str) -> str:
    """The block type a notice's section becomes: RETENTION, SHARING, COOKIES, RIGHTS or TEXT."""
    for topic, pattern in _NOTICE_TOPICS:
        if pattern.search(heading or ""):
            return topic
    return TEXT


def guess_audience(text: str) -> AudienceKind | None:
    """For a policy not divided by audience: the known audience its text speaks of most, if any."""
    counts = {kind.slug: (len(kind.pattern.findall(text)), kind) for kind in AUDIENCE_KINDS}
    best = max(counts.values(), key=lambda pair: pair[0])
    return best[1] if best[0] >= 3 else None
