"""Answer repeated anonymous requests for the public addresses from Django's cache.

Put it first in ``MIDDLEWARE``, so a cached answer costs no routing, session or
database work::

    MIDDLEWARE = [
        "privacy_notices.middleware.PublicAnswerCacheMiddleware",
        ...
    ]

It keeps only what ``retention_schedule.conditional.finish_public_response``
marks as the same for everyone: a 200 from one of this project's public
addresses, to an anonymous visitor, of a page with no view restriction, not a
preview. Nothing else a site serves is kept. Requests that carry a session
cookie (editors signed in, visitors who entered a page's password) always go
through to the views, so they still see Wagtail's user bar and restricted pages.

The key is the generation (see ``privacy_notices.caching``), the scheme, host
and full path, and the request headers a public answer can vary on. An answer
that varies on anything else is not kept. (``Vary: Cookie`` is allowed: it says the view
asked whether the visitor was signed in, and requests with a session cookie
never reach the cache.)
"""

import hashlib

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import cc_delim_re

from retention_schedule.conditional import SHAREABLE, answer_conditionally

from .caching import KEY_PREFIX, cache_timeout, current_generation, public_cache

# The request headers that pick between an address's answers: its form (Accept), CORS (Origin), and
# what a site's own middleware may add (compression, language). All are in the key.
KEYED_HEADERS = ("Accept", "Origin", "Accept-Encoding", "Accept-Language")


def _answer_key(generation: str, request) -> str | None:
    try:
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    except DisallowedHost:
        return None  # the views answer it (400), as without the cache
    parts = [address] + [request.headers.get(name, "") for name in KEYED_HEADERS]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{KEY_PREFIX}:{generation}:answer:{digest}"


def _keepable(response) -> bool:
    if getattr(response, SHAREABLE, None) is None or response.status_code != 200 or response.streaming:
        return False
    if response.cookies:  # a cookie set for one visitor must not reach the next
        return False
    varies_on = {name.strip().lower() for name in cc_delim_re.split(response.get("Vary", "")) if name.strip()}
    # "Cookie" is there because the view asked whether the visitor is signed in. Requests with a
    # session cookie never reach the cache, and the public views read no other cookie.
    return varies_on <= {name.lower() for name in KEYED_HEADERS} | {"cookie"}


def _validators(response) -> dict:
    """All of an answer but its body: enough to answer a conditional request with 304."""
    return {
        "status": response.status_code,
        "headers": list(response.headers.items()),
        "dated": getattr(response, SHAREABLE)["dated"],
    }


def _rebuilt(validators: dict, content: bytes = b"") -> HttpResponse:
    response = HttpResponse(content, status=validators["status"])
    for name, value in validators["headers"]:
        response[name] = value
    return response


def _is_conditional(request) -> bool:
    return "If-None-Match" in request.headers or "If-Modified-Since" in request.headers


class PublicAnswerCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cache = public_cache()
        if cache is None or request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        key = _answer_key(current_generation(cache), request)
        if key is None:
            return self.get_response(request)
        # The validators and the body are kept apart, so a conditional request (the commonest from a
        # CDN or a browser revalidating) fetches a few hundred bytes, not the whole answer.
        if _is_conditional(request):
            validators = cache.get(key)
            if validators is not None:
                answer = answer_conditionally(request, _rebuilt(validators), dated=validators["dated"])
                if answer.status_code == 304:
                    return answer
        kept = cache.get_many([key, key + ":body"])
        if len(kept) == 2:
            validators, content = kept[key], kept[key + ":body"]
            return answer_conditionally(request, _rebuilt(validators, content), dated=validators["dated"])
        response = self.get_response(request)
        if _keepable(response):
            timeout = cache_timeout()
            cache.set_many({key: _validators(response), key + ":body": response.content}, timeout)
        return response
