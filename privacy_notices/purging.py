"""Purging a CDN or Varnish of the public addresses a change affects.

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
- a view restriction added or removed: the pages under it;
- a page moved, given a new slug or deleted: its old addresses and its descendants', worked out first;
- an audience saved: its notices; the organisation's settings saved: everything.

Before any purge is sent, the Django cache starts a new generation (see
``caching``), so a CDN refetching at once is not given an answer a process built
from the old rows while the transaction was open. A CDN that cannot be reached
is logged (``on_commit(..., robust=True)``), never an error after the commit.

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
        self.entries = set()  # (API endpoint, pk) of register entries changed
        self.previous_versions = set()  # (notice pk, number): that version's page no longer says it is the latest
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
        # robust: a CDN that cannot be reached is logged, never an error for the editor after the commit.
        transaction.on_commit(batch, robust=True)
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


def purge_new_version(notice_id, number):
    """A notice has a new version: purge it, its hub, and the page of the version that was the latest."""
    if frontend_cache_configured():
        batch = _batch()
        batch.pages.add(notice_id)
        if number and number > 1:
            batch.previous_versions.add((notice_id, number - 1))
        _added(batch)


def purge_registers(rule_codes=(), entries=()):
    """Purge every hub's register pages, the retention schedule, these rules' addresses and entries' API answers.

    ``entries`` are (API endpoint name, pk) pairs, e.g. ``("processors", 12)``.
    """
    if frontend_cache_configured():
        batch = _batch()
        batch.registers = True
        batch.rules.update(rule_codes)
        batch.entries.update(entries)
        _added(batch)


def purge_everything():
    if frontend_cache_configured():
        batch = _batch()
        batch.everything = True
        _added(batch)


def purge_addresses_of(page, *, with_descendants: bool = False):
    """Work out a page's addresses now (it is about to be deleted or moved) and purge them on commit."""
    if frontend_cache_configured():
        from wagtail.contrib.frontend_cache.utils import PurgeBatch

        urls = PurgeBatch()
        pages = [page]
        if with_descendants:
            pages = page.get_descendants(inclusive=True).type(*_public_page_types()).specific()
        for each in pages:
            _add_page(urls, each.specific_deferred)
        batch = _batch()
        batch.urls.update(urls.urls)
        _added(batch)


def purge_page_tree(page):
    """Purge a page and every public page under it once the transaction commits (a view restriction changed)."""
    if frontend_cache_configured():
        batch = _batch()
        tree = page.get_descendants(inclusive=True).type(*_public_page_types())
        batch.pages.update(tree.values_list("pk", flat=True))
        _added(batch)


def _public_page_types():
    from retention_schedule.pages import RetentionSchedulePage

    from .pages import PrivacyNoticeIndexPage, PrivacyNoticePage

    return PrivacyNoticeIndexPage, PrivacyNoticePage, RetentionSchedulePage


def _add_page(batch, page):
    batch.add_page(page)
    site = page.get_site()
    api_url = _api_url(site.root_url, "pages:detail", page.pk) if site else None
    if api_url:
        batch.add_url(api_url)


def _api_url(root_url: str, name: str, *args) -> str | None:
    try:
        return root_url + reverse(f"privacy_notices_api:{name}", args=args)
    except NoReverseMatch:
        return None


def purge(state: _Batch):
    """Send the purges a transaction's changes need."""
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Site

    from .caching import start_new_generation

    # The Django cache's new generation first: a CDN refetching at once after the purge must not be
    # given an answer another process built while the transaction was open.
    start_new_generation()
    from retention_schedule.page_model import base_page_model
    from retention_schedule.pages import RetentionSchedulePage

    from .pages import PrivacyNoticePage

    Page = base_page_model()  # noqa: N806 (a model class)
    batch = PurgeBatch(state.urls)
    page_types = _public_page_types()
    if state.everything:
        pages = Page.objects.live().type(*page_types)
    else:
        pages = Page.objects.filter(pk__in=state.pages | {pk for pk, _number in state.previous_versions})
        if state.registers:
            pages = pages | Page.objects.live().type(*page_types).not_type(PrivacyNoticePage)
    pages = list(pages.specific())
    # A notice's hub lists its "last updated" date: purge it too (one query for all of them).
    steplen = Page.steplen
    hub_paths = {page.path[:-steplen] for page in pages if isinstance(page, PrivacyNoticePage)}
    pages += [hub for hub in Page.objects.filter(path__in=hub_paths).specific() if hub not in pages]
    by_pk = {page.pk: page for page in pages}
    for page in pages:
        _add_page(batch, page)
        if state.rules and isinstance(page, RetentionSchedulePage):
            base = page.get_full_url()
            if base:
                batch.add_urls(f"{base}{code}/" for code in state.rules)
    for notice_id, number in state.previous_versions:
        base = by_pk[notice_id].get_full_url() if notice_id in by_pk else None
        if base:
            batch.add_urls(f"{base}@history/{number}/{form}" for form in ("", "?format=json", "?format=jsonld"))
    if state.registers or state.everything:
        site = Site.objects.filter(is_default_site=True).first()
        root = site.root_url if site else ""
        for endpoint in ("processors", "cookies", "retention-rules", "audiences"):
            batch.add_url(_api_url(root, f"{endpoint}:listing"))
        for endpoint, pk in state.entries:
            batch.add_url(_api_url(root, f"{endpoint}:detail", pk))
        batch.urls.discard(None)
    batch.purge()
