"""The notices as JSON: the same resolved documents the pages render, with linked-data identifiers.

Each function here takes data the HTML views already built (a resolved notice
document, a version snapshot, a diff) and adds what a machine needs: an
absolute ``@id`` for the thing and for every register entry it embeds, an
``@type``, and links to the other forms and to the history. Nothing here
reads the notice's models, so the JSON can never say something the page
does not.

Register entries are identified by their stable codes, never by database ids:
a processor is ``<hub>@processors#<slug>``, a cookie ``<hub>@cookies#<slug>``,
a retention rule ``<schedule>/<code>/`` (its own page on the public schedule).
"""

import copy
from dataclasses import dataclass
from urllib.parse import urlencode

from retention_schedule.negotiation import JSONLD

# The addresses of the hub's public registers, after the hub's own address.
PROCESSORS = "@processors"
COOKIES = "@cookies"

NOTICE_TYPE = "PrivacyNotice"
HUB_TYPE = "PrivacyNoticeIndex"
HISTORY_TYPE = "NoticeHistory"
DIFF_TYPE = "NoticeDiff"

# Keys of a resolved document that the JSON replaces with "@type" and "@id".
_REPLACED_KEYS = ("type", "url")


def absolute(request, url: str | None) -> str | None:
    """``url`` as an absolute address, as the client reached the site."""
    if not url:
        return None
    if request is None or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


def with_format(url: str | None, form: str) -> str | None:
    return f"{url}?{urlencode({'format': form})}" if url else None


def hub_url_of_notice(notice_url: str | None) -> str | None:
    """The hub's address from a notice's: notices are always the hub's children (``/privacy/visitors/``)."""
    if not notice_url:
        return None
    parent = notice_url.rstrip("/").rsplit("/", 1)[0]
    return parent + "/"


@dataclass(frozen=True)
class RegisterAddresses:
    """Where the public registers are, absolute; None for a register the site does not publish."""

    processors: str | None = None
    cookies: str | None = None
    schedule: str | None = None

    @classmethod
    def find(cls, request, hub_url: str | None) -> "RegisterAddresses":
        """The registers beside the hub at ``hub_url``, and the site's first live retention schedule page.

        Costs one query (the schedule page); the HTML pages link to the same registers,
        so JSON and HTML cost the same.
        """
        from retention_schedule.models import RetentionSchedulePage

        hub = absolute(request, hub_url)
        # Live, public or not: a rule's identifier is its address, whoever may read it.
        schedule_page = RetentionSchedulePage.objects.live().order_by("path").first()
        schedule = absolute(request, schedule_page.get_url(request=request)) if schedule_page else None
        return cls(
            processors=f"{hub}{PROCESSORS}" if hub else None,
            cookies=f"{hub}{COOKIES}" if hub else None,
            schedule=schedule,
        )

    def processor_id(self, slug) -> str | None:
        return f"{self.processors}#{slug}" if self.processors and slug else None

    def cookie_id(self, slug) -> str | None:
        return f"{self.cookies}#{slug}" if self.cookies and slug else None

    def rule_id(self, code) -> str | None:
        return f"{self.schedule}{code}/" if self.schedule and code else None

    def as_links(self) -> dict:
        return {"processors": self.processors, "cookies": self.cookies, "retention_schedule": self.schedule}


def _identify_entries(section: dict, registers: RegisterAddresses) -> dict:
    """The section with an ``@id`` on each register entry it embeds (first in each entry)."""
    for key, id_of, code_key in (
        ("processors", registers.processor_id, "slug"),
        ("rules", registers.rule_id, "code"),
    ):
        if isinstance(section.get(key), list):
            section[key] = [{"@id": id_of(entry.get(code_key)), **entry} for entry in section[key]]
    for group in section.get("cookie_groups") or []:
        group["cookies"] = [{"@id": registers.cookie_id(c.get("slug")), **c} for c in group.get("cookies") or []]
    return section


def notice_json(
    document: dict,
    request,
    *,
    notice_url: str | None,
    registers: RegisterAddresses,
    history_url: str | None,
    address: str | None = None,
) -> dict:
    """A resolved notice document (live or a version's snapshot) as the notice's JSON.

    ``notice_url`` is the notice's current address; ``address`` the address this
    JSON answers at (a version's own address; the notice's by default).
    """
    document = copy.deepcopy(document)
    notice = absolute(request, notice_url)
    own = absolute(request, address) or notice
    data = {"@id": own, "@type": NOTICE_TYPE}
    data.update({key: value for key, value in document.items() if key not in _REPLACED_KEYS})
    data["sections"] = [_identify_entries(section, registers) for section in document.get("sections") or []]
    version = document.get("version")
    history = absolute(request, history_url)
    data["links"] = {
        "notice": notice,
        "html": own,
        "json_ld": with_format(own, JSONLD),
        "history": history,
        "this_version": f"{history}/{version}" if history and version else None,
        **registers.as_links(),
    }
    return data


def hub_json(document: dict, request, *, registers: RegisterAddresses) -> dict:
    """The hub: the organisation-wide sections and every live notice, each with its address."""
    document = copy.deepcopy(document)
    own = absolute(request, document.get("url"))
    data = {"@id": own, "@type": HUB_TYPE}
    data.update({key: value for key, value in document.items() if key not in _REPLACED_KEYS + ("notices",)})
    data["notices"] = [
        {"@id": absolute(request, notice.get("url")), **{k: v for k, v in notice.items() if k != "url"}}
        for notice in document.get("notices") or []
    ]
    data["links"] = {"html": own, **registers.as_links()}
    return data


def version_entry(request, version: dict) -> dict:
    """One line of the history: a version's number, date, materiality and summary, with its addresses."""
    return {
        "@id": absolute(request, version.get("url")),
        "number": version["number"],
        "published_at": version["published_at"].isoformat(),
        "material": version["material"],
        "summary": version["summary"],
        **({"diff": absolute(request, version["diff_url"])} if "diff_url" in version else {}),
    }


def history_json(request, *, notice_title, notice_url, history_url, versions, page_obj, paginator) -> dict:
    """A page of a notice's history, newest first, with links to the pages either side."""
    history = absolute(request, history_url)

    def page_address(number):
        return history if number == 1 else f"{history}?{urlencode({'page': number})}"

    return {
        "@id": page_address(page_obj.number),
        "@type": HISTORY_TYPE,
        "notice": {"@id": absolute(request, notice_url), "title": notice_title},
        "count": paginator.count,
        "page": page_obj.number,
        "pages": paginator.num_pages,
        "next": page_address(page_obj.next_page_number()) if page_obj.has_next() else None,
        "previous": page_address(page_obj.previous_page_number()) if page_obj.has_previous() else None,
        "versions": [version_entry(request, version) for version in versions],
    }


def in_force_json(request, banner: dict) -> dict:
    """When a version was in force, from the banner the HTML page shows over it."""
    return {
        "number": banner["number"],
        "current": banner["current"],
        "published_at": banner["published_at"].isoformat(),
        "from": banner["since"].isoformat(),
        "until": banner["until"].isoformat() if banner["until"] else None,
        "as_of": banner["as_of"].isoformat() if banner["as_of"] else None,
        "material": banner["material"],
        "summary": banner["summary"],
        "latest_version": banner["latest_number"],
        "diff_from_previous": absolute(request, banner["diff_previous_url"]),
        "diff_to_latest": absolute(request, banner["diff_current_url"]),
    }


def diff_json(request, *, address, notice_title, notice_url, history_url, old, new, changes, diff) -> dict:
    """What changed between two versions, as the diff page shows it: section by section, line by line."""
    return {
        "@id": absolute(request, address),
        "@type": DIFF_TYPE,
        "notice": {"@id": absolute(request, notice_url), "title": notice_title},
        "history": absolute(request, history_url),
        "from": version_entry(request, old),
        "to": version_entry(request, new),
        "changes": [version_entry(request, version) for version in changes],
        **diff,
    }
