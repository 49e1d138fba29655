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

The key is the generation and the day (see ``privacy_notices.caching``), the
scheme, host and full path, the request headers a public answer can vary on,
and the language cookie (``LocaleMiddleware`` reads it). An answer that varies
on anything else is not kept. ``Vary: Cookie`` is allowed: it says the view
asked whether the visitor was signed in; requests with a session cookie never
reach the cache, and the language cookie is in the key.

A conditional request that finds nothing kept is passed to the views as an
unconditional one, so its full answer is kept, then answered 304 here when its
validators match: a CDN revalidating after a change fills the cache too.

If the cache cannot be reached, every request goes to the views.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse

from retention_schedule.conditional import SHAREABLE, answer_conditionally, cors_allowed_origins

from .caching import KEY_PREFIX, cache_timeout, current_generation, public_cache

logger = logging.getLogger(__name__)

# The request headers that pick between an address's answers: its form (Accept), CORS (Origin, only
# when the site allows other origins; otherwise every answer is the same), and what a site's own
# middleware may add (compression, language). All are in the key.
KEYED_HEADERS = ("Accept", "Origin", "Accept-Encoding", "Accept-Language")
# What a conditional request sends: removed while the views build the full answer to keep.
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def _answer_key(generation: str, request) -> str | None:
    try:
        address = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    except DisallowedHost:
        return None  # the views answer it (400), as without the cache
    headers = [name for name in KEYED_HEADERS if name != "Origin" or cors_allowed_origins()]
    parts = [address] + [request.headers.get(name, "") for name in headers]
    parts.append(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
    digest = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return f"{KEY_PREFIX}:{generation}:answer:{digest}"


def _keepable(response) -> bool:
    if getattr(response, SHAREABLE, None) is None or response.status_code != 200 or response.streaming:
        return False
    if response.cookies:  # a cookie set for one visitor must not reach the next
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:  # made private after the view (Wagtail)
        return False
    varies_on = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    # "Cookie" is there because the view asked whether the visitor is signed in. Requests with a
    # session cookie never reach the cache, and the language cookie is in the key.
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
    return any(name in request.META for name in CONDITIONAL_HEADERS)


class PublicAnswerCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        cache = public_cache()
        if (
            cache is None
            or request.method not in ("GET", "HEAD")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or getattr(request, "is_dummy", False)  # Wagtail's preview of a page as it would be served
        ):
            return self.get_response(request)
        generation = current_generation(cache)
        key = _answer_key(generation, request) if generation else None
        if key is None:
            return self.get_response(request)
        try:
            answer = self._kept_answer(cache, key, request)
        except Exception:  # noqa: BLE001 - any backend's error: the cache is down, the views answer
            logger.warning("The cache of public answers cannot be read; answering without it.", exc_info=True)
            return self.get_response(request)
        if answer is not None:
            return answer
        # Nothing kept: the views build the full answer (not a 304) so it can be kept.
        conditions = {name: request.META.pop(name) for name in CONDITIONAL_HEADERS if name in request.META}
        request.__dict__.pop("headers", None)  # request.headers is read from META once and kept
        response = self.get_response(request)
        request.META.update(conditions)
        request.__dict__.pop("headers", None)
        if not _keepable(response):
            if response.status_code == 200 and response.has_header("ETag"):
                return answer_conditionally(request, response, dated=False)  # as the view would have
            return response
        try:
            cache.set_many({key: _validators(response), key + ":body": response.content}, cache_timeout())
        except Exception:  # noqa: BLE001
            logger.warning("A public answer could not be cached.", exc_info=True)
        return answer_conditionally(request, response, dated=getattr(response, SHAREABLE)["dated"])

    def _kept_answer(self, cache, key, request):
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
        return None
