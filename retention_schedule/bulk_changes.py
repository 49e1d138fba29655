"""Let apps that react to each register change treat a bulk change (an import) as one change.

Publishing a rule tells every app listening (in this project, privacy_notices
records a new version of each live notice the rule alters). An import that
publishes 200 rules should not give a notice 200 versions, nor compare every
notice 200 times. Apps register a context manager factory here; ``bulk_change()``
enters them all around the bulk work, so each can collect what happened and
act once at the end. This module knows nothing of the apps that register,
which keeps ``retention_schedule`` independent of ``privacy_notices``.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, contextmanager

_wrappers: list[Callable[[], AbstractContextManager]] = []


def register_bulk_change_wrapper(factory: Callable[[], AbstractContextManager]):
    """Register a factory of context managers to enter around every bulk change of the registers."""
    if factory not in _wrappers:
        _wrappers.append(factory)
    return factory


@contextmanager
def bulk_change():
    """Run the block as one change of the registers, for every app that registered a wrapper."""
    with ExitStack() as stack:
        for factory in _wrappers:
            stack.enter_context(factory())
        yield
