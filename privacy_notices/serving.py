"""What the notices' public views share: the forms each address has, and building the machine-readable answers."""

import datetime

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from retention_schedule.negotiation import CSV, HTML, JSON, JSONLD, MEDIA_TYPES

from .headless import RegisterAddresses, hub_json, hub_url_of_notice, notice_json, with_format


def _forms(*names) -> dict[str, str]:
    return {name: MEDIA_TYPES[name] for name in names}


# The forms of each public address (see retention_schedule.negotiation for how one is chosen).
HUB_FORMATS = _forms(HTML, JSON)
NOTICE_FORMATS = _forms(HTML, JSON, JSONLD)
HISTORY_FORMATS = _forms(HTML, JSON)
VERSION_FORMATS = _forms(HTML, JSON, JSONLD)
DIFF_FORMATS = _forms(HTML, JSON)
REGISTER_FORMATS = _forms(HTML, JSON, CSV)

_LABELS = {JSON: _("JSON"), JSONLD: _("JSON-LD (W3C Data Privacy Vocabulary)"), CSV: _("CSV")}


def json_response(data, status: int = 200, content_type: str = "application/json") -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False, "indent": 2}
    )


def alternate_links(request, url: str | None, formats: dict[str, str]) -> list[dict]:
    """``<link rel="alternate">`` targets for an address's machine-readable forms."""
    if not url:
        return []
    return [
        {"format": name, "type": media_type, "href": with_format(url, name), "label": str(_LABELS[name])}
        for name, media_type in formats.items()
        if name != HTML
    ]


def is_public(page) -> bool:
    """False when a Wagtail view restriction covers the page: its answers must not sit in shared caches.

    One query: the ancestors' paths are read off the page's own tree path
    (``Page.get_view_restrictions()`` costs two).
    """
    from wagtail.models import PageViewRestriction

    step = page.steplen
    paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
    return not PageViewRestriction.objects.filter(page__path__in=paths).exists()


def parse_moment(value) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def notice_data(page, request, document: dict, *, address=None) -> dict:
    """A notice document (live, or a version's snapshot) as the notice's JSON: one builder for every caller."""
    from .compliance import compliance_report, hub_sections_for
    from .history import history_address

    notice_url = page.get_url(request=request)
    data = notice_json(
        document,
        request,
        notice_url=notice_url,
        registers=RegisterAddresses.find(request, hub_url_of_notice(notice_url)),
        history_url=history_address(page, request),
        address=address,
    )
    # The Article 13/14 checklist for what this document tells people (the hub's rights count where the
    # notice lists none). Derived, so it is not part of the document, its snapshots or its content hash.
    data["compliance"] = compliance_report(document, lambda: hub_sections_for(page, request))
    return data


def hub_data(page, request, hub: dict) -> dict:
    """The hub's resolved document as the hub's JSON."""
    return hub_json(hub, request, registers=RegisterAddresses.find(request, page.get_url(request=request)))


def notice_response(page, request, document: dict, form: str, *, address=None, extra=None):
    """A notice document (live, or a version's snapshot) as JSON or JSON-LD."""
    data = notice_data(page, request, document, address=address)
    if extra:
        data.update(extra)
    if form == JSONLD:
        from .jsonld import notice_jsonld

        return json_response(notice_jsonld(data), content_type=MEDIA_TYPES[JSONLD])
    return json_response(data)
