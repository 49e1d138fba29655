"""What the importer finds in a policy: each finding quotes its sentence and says where it is.

The finders (``retention_statements``, ``third_parties``, ``cookies_mentioned``,
``dates``) each read the outline's sentences and return findings of one kind.
A finding's ``quote`` is the sentence as a person reads it, with its offsets
in the input; ``words`` is the part of the sentence the finding rests on
("two years", "MailChimp"), also with its offsets.
"""

import datetime
from dataclasses import dataclass, field

from retention_schedule.periods import Period

from .outline import Quote

FIXED, PERMANENT, UNSPECIFIED = "fixed", "permanent", "unspecified"
PROCESSOR, RECIPIENT = "processor", "recipient"


@dataclass
class Finding:
    quote: Quote  # the sentence
    words: Quote  # the words in it the finding rests on
    section: str  # the heading of the section it is in ("" before the first heading)

    kind = ""

    def as_data(self) -> dict:
        return {
            "kind": self.kind,
            "sentence": self.quote.as_data(),
            "words": self.words.as_data(),
            "section": self.section,
        }


@dataclass
class RetentionStatement(Finding):
    """How long something is kept: "information relating to a complaint will be retained for two years from closure"."""

    period_type: str = FIXED  # FIXED, PERMANENT or UNSPECIFIED
    period: Period | None = None  # for FIXED
    trigger: str = ""  # what the period counts from, in the policy's words ("closure", "receipt")
    data: str = ""  # what is kept, in the policy's words
    exceptions: str = ""  # "and longer where this information leads to regulatory action being taken"

    kind = "retention"

    def as_data(self) -> dict:
        return super().as_data() | {
            "period_type": self.period_type,
            "period": self.period.iso if self.period else None,
            "period_text": self.period.describe() if self.period else "",
            "trigger": self.trigger,
            "data": self.data,
            "exceptions": self.exceptions,
        }


@dataclass
class ThirdParty(Finding):
    """An organisation or service named as receiving personal data."""

    name: str = ""  # as the policy names it ("Google Analytics", "the Local Government Ombudsman (LGO)")
    role: str = PROCESSOR  # PROCESSOR (acts on our behalf) or RECIPIENT (we share with them)
    service: str = ""  # what they do for us, where the policy says ("deliver our monthly e-newsletter")

    kind = "third_party"

    def as_data(self) -> dict:
        return super().as_data() | {"name": self.name, "role": self.role, "service": self.service}


@dataclass
class CookieMention(Finding):
    """Cookies the policy mentions: by name ("_ga"), by who sets them ("Hotjar uses cookies"), or in general."""

    name: str = ""  # the cookie's name or pattern, where given
    provider: str = ""  # who sets it, where said
    category: str = ""  # a CookieCategory value where the name or wording tells, else ""

    kind = "cookie"

    def as_data(self) -> dict:
        return super().as_data() | {"name": self.name, "provider": self.provider, "category": self.category}


@dataclass
class LastUpdated(Finding):
    """When the policy says it was last updated."""

    date: datetime.date | None = None

    kind = "last_updated"

    def as_data(self) -> dict:
        return super().as_data() | {"date": self.date.isoformat() if self.date else None}


@dataclass
class Findings:
    retention: list[RetentionStatement] = field(default_factory=list)
    third_parties: list[ThirdParty] = field(default_factory=list)
    cookies: list[CookieMention] = field(default_factory=list)
    last_updated: list[LastUpdated] = field(default_factory=list)

    def all(self) -> list[Finding]:
        found = [*self.retention, *self.third_parties, *self.cookies, *self.last_updated]
        return sorted(found, key=lambda finding: (finding.quote.start, finding.words.start))

    def latest_update(self) -> LastUpdated | None:
        """The most recent "last updated" date the policy states (a policy may log several)."""
        dated = [finding for finding in self.last_updated if finding.date]
        return max(dated, key=lambda finding: finding.date) if dated else None
