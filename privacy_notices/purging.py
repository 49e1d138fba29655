"""Purging a CDN or Varnish of exactly the public addresses a change affects.

Wagtail's frontend cache (``wagtail.contrib.frontend_cache``, configured with
``WAGTAILFRONTENDCACHE``) purges a page's own address when it is published. A
privacy notice is also shown at other addresses and changes without being
published, so this module adds, after the transaction commits:

- a notice published, unpublished or given a new version (an editor's publish,
  or a register change that altered what it says): the notice in every form,
  its history, its API v2 answer, and its hub, whose list shows its date;
- a hub published or unpublished: the hub in every form and its registers;
- a processor, cookie or retention rule published, unpublished or deleted: the
  register pages (``@processors``, ``@cookies``) of every hub, the retention
  schedule pages and the rule's own address; the notices it altered have a new
  version, so they are purged by the first rule;
- an audience saved: its notices; the organisation's settings saved: everything.

Each page type lists its addresses in ``get_cached_paths()``. With no frontend
cache configured nothing is worked out or sent. Addresses with a query of their
own (``?at=``, the calculator's ``?trigger=``, API listings with filters) are
not purged: the ``max-age`` they are sent with (``PRIVACY_NOTICES_CACHE_MAX_AGE``)
bounds how long a CDN keeps them.
"""

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse


def frontend_cache_configured() -> bool:
    return any(getattr(settings, name, None) for name in ("WAGTAILFRONTENDCACHE", "WAGTAILFRONTENDCACHE_LOCATION"))


class _Batch:
    """What one transaction changed, purged when it commits (``transaction.on_commit`` calls it).

    One per transaction: a rolled-back transaction takes its batch with it, and a
    schedule import publishing 200 rules purges the registers once.
    """

    def __init__(self):
        self.pages, self.rules, self.urls = set(), set(), set()
        self.registers = self.everything = False

    def __call__(self):
        purge(self)


def _batch() -> _Batch:
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Batch):
                return callback
    batch = _Batch()
    # Outside a transaction Django calls it at once, before anything is added: defer that to the caller.
    if connection.in_atomic_block:
        transaction.on_commit(batch)
    return batch


def _added(batch: _Batch):
    if not transaction.get_connection().in_atomic_block:
        batch()


def purge_pages(*page_ids):
    """Purge these pages (and, for notices, their hubs) once the transaction commits."""
    if frontend_cache_configured():
        batch = _batch()
        batch.pages.update(page_id for page_id in page_ids if page_id)
        _added(batch)


def purge_registers(rule_codes=()):
    """Purge every hub's register pages and the retention schedule (and these rules' addresses)."""
    if frontend_cache_configured():
        batch = _batch()
        batch.registers = True
        batch.rules.update(rule_codes)
        _added(batch)


def purge_everything():
    if frontend_cache_configured():
        batch = _batch()
        batch.everything = True
        _added(batch)


def purge_addresses_of(page):
    """Work out a page's addresses now (it is about to be deleted) and purge them on commit."""
    if frontend_cache_configured():
        from wagtail.contrib.frontend_cache.utils import PurgeBatch

        urls = PurgeBatch()
        _add_page(urls, page.specific_deferred)
        batch = _batch()
        batch.urls.update(urls.urls)
        _added(batch)


def _api_detail_url(page) -> str | None:
    try:
        path = reverse("privacy_notices_api:pages:detail", args=[page.pk])
    except NoReverseMatch:
        return None
    site = page.get_site()
    return site.root_url + path if site else None


def _add_page(batch, page):
    batch.add_page(page)
    api_url = _api_detail_url(page)
    if api_url:
        batch.add_url(api_url)


def purge(state: _Batch):
    """Send the purges a transaction's changes need."""
    from wagtail.contrib.frontend_cache.utils import PurgeBatch

    from retention_schedule.page_model import base_page_model
    from retention_schedule.pages import RetentionSchedulePage

    from .pages import PrivacyNoticeIndexPage, PrivacyNoticePage

    Page = base_page_model()  # noqa: N806 (a model class)
    batch = PurgeBatch(state.urls)
    if state.everything:
        pages = Page.objects.live().type(PrivacyNoticeIndexPage, PrivacyNoticePage, RetentionSchedulePage)
    else:
        pages = Page.objects.filter(pk__in=state.pages)
        if state.registers:
            pages = pages | Page.objects.live().type(PrivacyNoticeIndexPage, RetentionSchedulePage)
    pages = list(pages.specific())
    # A notice's hub lists its "last updated" date: purge it too (one query for all of them).
    steplen = Page.steplen
    hub_paths = {page.path[:-steplen] for page in pages if isinstance(page, PrivacyNoticePage)}
    pages += [hub for hub in Page.objects.filter(path__in=hub_paths).specific() if hub not in pages]
    for page in pages:
        _add_page(batch, page)
        if state.rules and isinstance(page, RetentionSchedulePage):
            base = page.get_full_url()
            if base:
                batch.add_urls(f"{base}{code}/" for code in state.rules)
    batch.purge()
