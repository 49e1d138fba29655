"""Keeping what the public addresses answer in Django's cache, and forgetting it when what they show changes.

A notice changes a few times a year and is read all the time, so two things are
kept in the cache named by ``PRIVACY_NOTICES_CACHE``:

- each notice's and hub's resolved document, by page and published revision
  (:func:`cached_document`), so the HTML, JSON and JSON-LD of one version
  resolve it once;
- each public answer as sent (``privacy_notices.middleware``), so the next
  anonymous request for the same address and form costs no database query, and
  a conditional request is answered 304 from the cache.

Every key holds the current *generation*, one value in the cache. Anything that
can change a public answer (a page saved, published, moved or deleted, a
register entry, an audience, the organisation's settings, a view restriction, a
site, a document or image) starts a new generation, so every key made before it
is never read again and the cache's own expiry clears them. Register changes
are rare, so forgetting everything is simpler and safer than working out which
answers a change reaches (a cookie shows through its category, a processor's
name in cookie tables...). Purging a CDN, where forgetting everything is
expensive, is done precisely: see ``privacy_notices.purging``.

The generation changes twice: at once, so the changing request and a test see
the change, and again when the transaction commits, so an answer another
process built from the old rows while the transaction was open is not kept.
Saving a draft writes only Wagtail's revision bookkeeping on the live row and
changes nothing (``public_changes.REVISION_BOOKKEEPING``); ``migrate`` (each
deploy) starts a new generation. Keys also carry the day, for answers that
name today's date. If the cache cannot be reached, nothing is cached and the
views answer; a change that cannot start a new generation is logged.

Settings (all optional):

``PRIVACY_NOTICES_CACHE``
    the alias in ``CACHES`` to use (default ``"default"``); ``None`` turns both
    caches off. With several processes or hosts it must be shared by all of
    them (Redis or Memcached): a per-process cache (``LocMemCache``) does not see
    another process's new generation and serves old answers until they expire.
``PRIVACY_NOTICES_CACHE_TIMEOUT``
    seconds an entry is kept (default 3600): the longest an answer can outlive a
    change made without Django's signals (say, SQL run by hand).
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone, translation

KEY_PREFIX = "privacy-notices"
GENERATION_KEY = f"{KEY_PREFIX}:generation"
DEFAULT_TIMEOUT = 3600

logger = logging.getLogger(__name__)


def public_cache():
    """The cache for public answers, or None when ``PRIVACY_NOTICES_CACHE`` turns caching off."""
    alias = getattr(settings, "PRIVACY_NOTICES_CACHE", "default")
    return caches[alias] if alias else None


def cache_timeout() -> int:
    return int(getattr(settings, "PRIVACY_NOTICES_CACHE_TIMEOUT", DEFAULT_TIMEOUT))


def current_generation(cache) -> str | None:
    """The part of every key made now: the generation, and the day (some answers name today's date).

    A new generation if the cache has lost it; None if the cache cannot say (then nothing is cached).
    """
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:  # noqa: BLE001 - any backend's error: the cache is down, the views answer
        logger.warning("The cache of public answers cannot be read; answering without it.", exc_info=True)
        return None
    if not generation:
        return None
    return f"{generation}:{timezone.localdate().isoformat()}"


def start_new_generation(**kwargs):
    """Every key made before now is never read again. (Also a receiver of ``post_migrate``: each deploy.)"""
    cache = public_cache()
    if cache is None:
        return
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001 - any backend's error
        # Nothing is read from a cache that is down, so nothing old is served now. If it comes back
        # with its old entries (a network split, not a restart), they last PRIVACY_NOTICES_CACHE_TIMEOUT.
        logger.error("The cache of public answers could not be told of a change.", exc_info=True)


def forget_public_answers():
    """Forget every cached answer and document: now, and again when the current transaction commits."""
    start_new_generation()
    # Outside a transaction Django runs this at once, which costs one more cache write and nothing else.
    transaction.on_commit(start_new_generation, robust=True)


def _request_part(request) -> str:
    if request is None:
        return "-"
    return f"{request.scheme}://{request.get_host()}"


def cached_document(kind: str, page, request, build):
    """``build()``, or what it returned before for the same published revision of ``page``.

    Only a live page's published content is kept: a preview (a draft shown to
    its editor) is always built afresh. The request's site is part of the key,
    because a document holds the site's addresses and organisation details.
    """
    cache = public_cache()
    preview = getattr(request, "is_preview", False)
    if cache is None or preview or not page.pk or not page.live or not page.live_revision_id:
        return build()
    generation = current_generation(cache)
    if generation is None:
        return build()
    key = ":".join(
        [
            KEY_PREFIX,
            generation,
            "document",
            kind,
            str(page.pk),
            str(page.live_revision_id),
            translation.get_language() or "-",
            _request_part(request),
        ]
    )
    try:
        document = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is down: build it
        return build()
    if document is None:
        document = build()
        try:
            cache.set(key, document, cache_timeout())
        except Exception:  # noqa: BLE001
            logger.warning("A resolved document could not be cached.", exc_info=True)
    return document


def check_cache_is_shared(app_configs=None, **kwargs):
    """Warn when the answers' cache is per process on a site that is not in DEBUG (so probably several processes)."""
    from django.core.checks import Warning

    alias = getattr(settings, "PRIVACY_NOTICES_CACHE", "default")
    if not alias or settings.DEBUG:
        return []
    backend = settings.CACHES.get(alias, {}).get("BACKEND", "")
    if not backend.endswith("LocMemCache"):
        return []
    return [
        Warning(
            f"The cache privacy notices keep their public answers in ({alias!r}) belongs to one process.",
            hint=(
                "With several gunicorn workers or hosts, a change made through one is not seen by the others "
                "until PRIVACY_NOTICES_CACHE_TIMEOUT passes. Use a shared cache (Django's RedisCache: set "
                "REDIS_URL with the demo's production settings), or set PRIVACY_NOTICES_CACHE = None."
            ),
            id="privacy_notices.W001",
        )
    ]
