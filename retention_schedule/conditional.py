"""HTTP for the public addresses: validators, conditional requests, caching and CORS.

Every public response of this package goes through :func:`finish_public_response`:

- ``ETag`` (a hash of the body, so it changes whenever a byte does) and
  ``Last-Modified`` (when what the address shows was last published);
- ``304 Not Modified`` for a conditional GET or HEAD whose validators match
  (``If-None-Match`` first, else ``If-Modified-Since``, as RFC 9110 says);
- ``Cache-Control: public, max-age=N`` for content anyone may read, ``private``
  for a page behind a Wagtail view restriction;
- ``Vary: Accept``, because one address has several forms;
- ``Access-Control-Allow-Origin`` for the origins a site allows (none by default).

Settings (all optional):

``PRIVACY_NOTICES_CACHE_MAX_AGE``
    seconds a browser or shared cache may reuse a response without asking
    again (default 300). ``0`` makes every reuse a conditional request.
``PRIVACY_NOTICES_CORS_ALLOWED_ORIGINS``
    origins whose scripts may read the public addresses, e.g.
    ``["https://intranet.example.gov.uk"]``, or ``["*"]`` for any. Default: none,
    so browsers keep other sites' scripts out, as for any page.
"""

import hashlib
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, quote_etag

DEFAULT_MAX_AGE = 300


def cache_max_age() -> int:
    return int(getattr(settings, "PRIVACY_NOTICES_CACHE_MAX_AGE", DEFAULT_MAX_AGE))


def cors_allowed_origins() -> list[str]:
    return list(getattr(settings, "PRIVACY_NOTICES_CORS_ALLOWED_ORIGINS", []))


def body_etag(content: bytes) -> str:
    """A strong ETag for a body: any change to the bytes changes it."""
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


def _render(response):
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()


def _allow_origin(request, response) -> None:
    allowed = cors_allowed_origins()
    if not allowed:
        return
    origin = request.headers.get("Origin")
    if "*" in allowed:
        response["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in allowed:
        response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
    else:
        patch_vary_headers(response, ["Origin"])
        return
    # Let scripts read the validators. (A browser's own cache revalidates with them freely; a script
    # that sends If-None-Match itself triggers a CORS preflight, which these addresses do not answer.)
    response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Link"


def finish_public_response(request, response, *, last_modified=None, public: bool = True, dated: bool = False):
    """Add validators, caching and CORS headers to ``response``; a 304 instead when the client's copy is current.

    ``last_modified`` is an aware datetime: when what this address shows was
    last published. ``dated`` says it moves with every change of what is shown
    (a version or a diff: permanent records); only then does ``If-Modified-Since``
    alone earn a 304. Elsewhere a change can come without a date (an entry
    unpublished, the organisation's settings edited), so only the ETag, which
    changes with every byte, decides; RFC 9110 lets a server ignore the date.
    ``public`` is False for content behind a view restriction. Responses other
    than 200 get ``Vary`` and CORS only: an error is not something to keep.
    """
    _render(response)
    patch_vary_headers(response, ["Accept"])
    _allow_origin(request, response)
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
        return response
    etag = body_etag(response.content)
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(int(last_modified.timestamp()))
    # A preview shows a draft to its editor, and a signed-in editor's page carries Wagtail's
    # user bar with links into the admin: neither is for a shared cache.
    user = getattr(request, "user", None)
    if public and not getattr(request, "is_preview", False) and not getattr(user, "is_authenticated", False):
        patch_cache_control(response, public=True, max_age=cache_max_age())
        # The same for everyone: privacy_notices.middleware may keep it and answer the next request with it.
        setattr(response, SHAREABLE, {"dated": dated})
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return answer_conditionally(request, response, dated=dated)


# Set on a response anyone may be given (see finish_public_response); its value says how to answer
# a conditional request for it later.
SHAREABLE = "privacy_notices_shareable"


def answer_conditionally(request, response, *, dated: bool):
    """``response``, or a 304 when the request's validators match the response's ``ETag`` (and date, if ``dated``)."""
    timestamp = None
    if dated and response.has_header("Last-Modified"):
        timestamp = int(parsedate_to_datetime(response["Last-Modified"]).timestamp())
    conditional = get_conditional_response(
        request, etag=response.get("ETag"), last_modified=timestamp, response=response
    )
    if conditional is not response:
        # Django's 304 keeps the validators and Cache-Control; CORS and Vary must stay too.
        for header in ("Vary", "Access-Control-Allow-Origin", "Access-Control-Expose-Headers"):
            if header in response:
                conditional[header] = response[header]
    return conditional
