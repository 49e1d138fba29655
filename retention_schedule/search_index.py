"""Keep the search index of retention rules up to date: after each save, or once after an import.

Wagtail's search updates the index after every save. Importing a schedule saves
each rule three times (row, revision, publish), and the database backends
recompute index-wide statistics on each update, so a 2,000-rule import spent
most of its time re-indexing. Rules therefore opt out of the automatic update
(``search_auto_update = False``) and this module does the same job, except
inside ``index_once_at_end()``, which collects the saved rules and indexes
them together when the block finishes.
"""

import contextvars
from contextlib import contextmanager

from modelsearch import index
from modelsearch.backends import get_search_backends
from modelsearch.tasks import insert_or_update_object_task

# The pks saved inside an ``index_once_at_end()`` block in this thread, or None outside one.
_pending: contextvars.ContextVar[set | None] = contextvars.ContextVar("retention_rules_pending_index", default=None)


def update_index_after_save(sender, instance, raw=False, **kwargs):
    if raw:  # loading fixtures: as Wagtail's own handler, leave the index alone
        return
    pending = _pending.get()
    if pending is not None:
        pending.add(instance.pk)
        return
    insert_or_update_object_task.enqueue(instance._meta.app_label, instance._meta.model_name, str(instance.pk))


def remove_from_index_after_delete(sender, instance, **kwargs):
    index.remove_object(instance)


@contextmanager
def index_once_at_end(model):
    """Index every ``model`` object saved inside the block once, when the block succeeds."""
    pending: set = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        objects = list(model._default_manager.filter(pk__in=pending))
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(model, objects)
