"""Which form of a resource a client asked for: ``?format=`` or the Accept header.

Every public address of this package (the notices, their history, the
registers, the retention schedule) is one address with several forms, Plone
style: HTML for people, JSON, JSON-LD and CSV for machines. This module picks
the form; a view says which forms it has.

The rules, the same everywhere:

- ``?format=<name>`` wins; a name the address does not have is refused (406).
- Otherwise the Accept header, by q-value then by the order written. A
  browser names ``text/html`` first, so people get the page.
- No Accept header, or one that allows anything (``*/*``, ``text/*``), gets
  HTML: that is what a link or ``curl`` without options expects.
- An Accept header that names only forms the address does not have
  (``Accept: application/xml``) is refused with 406, listing what it has.
"""

import json

from django.http import HttpResponse
from django.utils.translation import gettext

HTML = "html"
JSON = "json"
JSONLD = "jsonld"
CSV = "csv"

# ?format= name -> the media type it is served as. A view offers a subset of these.
MEDIA_TYPES = {
    HTML: "text/html",
    JSON: "application/json",
    JSONLD: "application/ld+json",
    CSV: "text/csv",
}

# Media types a client may write for a form, beyond the form's own.
_ALIASES = {
    "application/xhtml+xml": HTML,
}

# Longer than any real Accept header; a longer one is read only this far.
_MAX_ACCEPT = 2000


def _accept_items(accept: str):
    """(media type, q-value, position) for each item of an Accept header, dropping q=0 and unreadable q-values."""
    for position, item in enumerate(accept[:_MAX_ACCEPT].split(",")):
        media_type, *params = item.split(";")
        quality = 1.0
        for param in params:
            key, _sep, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if 0 < quality <= 1:  # also drops "nan"
            yield media_type.strip().lower(), quality, position


def negotiate(accept: str, offered: dict[str, str]) -> str | None:
    """The form (a key of ``offered``) an Accept header prefers; None if it allows none of them.

    ``offered`` maps form names to media types, HTML among them. An empty
    header gets HTML.
    """
    if not accept.strip():
        return HTML if HTML in offered else next(iter(offered))
    by_media_type = {media_type: name for name, media_type in offered.items()}
    offers = []
    for media_type, quality, position in _accept_items(accept):
        name = by_media_type.get(media_type) or _ALIASES.get(media_type)
        if name is None and media_type == "*/*":
            name = HTML if HTML in offered else next(iter(offered))
        elif name is None and media_type.endswith("/*"):
            # A range such as application/* or text/*: the first form of that type (HTML for text/*).
            kind = media_type[:-1]
            name = next((form for form, offered_type in offered.items() if offered_type.startswith(kind)), None)
        if name in offered:
            offers.append((-quality, position, name))
    return min(offers)[2] if offers else None


def requested_format(request, offered: dict[str, str]) -> str | None:
    """The form asked for: ``?format=`` first, then the Accept header. None for a form ``offered`` lacks."""
    asked = request.GET.get("format", "").strip().lower()
    if asked:
        return asked if asked in offered else None
    return negotiate(request.headers.get("Accept", ""), offered)


def wants_json(request) -> bool:
    """Whether an error for this request should be JSON: the client asked for JSON or JSON-LD."""
    asked = request.GET.get("format", "").strip().lower()
    if asked in (JSON, JSONLD):
        return True
    if asked in MEDIA_TYPES:
        return False
    # No ?format=, or one we do not have (?format=pdf): the Accept header says what the client
    # prefers to read, JSON or a page (anything else, */* included, gets a page).
    readable = {MEDIA_TYPES[JSON]: True, MEDIA_TYPES[JSONLD]: True, MEDIA_TYPES[HTML]: False, "*/*": False}
    ranked = sorted(
        (-quality, position, readable[media_type])
        for media_type, quality, position in _accept_items(request.headers.get("Accept", ""))
        if media_type in readable
    )
    return bool(ranked) and ranked[0][2]


def error_response(request, status: int, message: str, **extra) -> HttpResponse:
    """An error as JSON (``{"status": ..., "error": ...}``) when JSON was asked for, else as plain text.

    For errors the HTML page has no template for; pages with a template of
    their own use it for people and this for machines.
    """
    if wants_json(request):
        body = json.dumps({"status": status, "error": message, **extra}, ensure_ascii=False, indent=2)
        return HttpResponse(body + "\n", status=status, content_type="application/json")
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def not_acceptable(request, offered: dict[str, str]) -> HttpResponse:
    """406: the form asked for is not one this address has; says which it has, and how to ask."""
    return error_response(request, 406, not_acceptable_message(request, offered), formats=dict(offered))


def not_acceptable_message(request, offered: dict[str, str]) -> str:
    """Why a 406: the form asked for, and the forms (and media types) the address has."""
    asked = request.GET.get("format", "").strip()[:40]
    names = ", ".join(offered)
    types = ", ".join(offered.values())
    if asked:
        message = gettext(
            "This address has no “%(format)s” form. Ask for one of these with ?format=: %(names)s "
            "(or send an Accept header naming one of %(types)s)."
        ) % {"format": asked, "names": names, "types": types}
    else:
        message = gettext(
            "This address cannot answer in any of the types your Accept header names. "
            "It has: %(types)s (or ask with ?format=: %(names)s)."
        ) % {"types": types, "names": names}
    return message
