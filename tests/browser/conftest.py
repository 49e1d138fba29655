"""Fixtures for the browser tests: chromium through Playwright, and the demo served live (see support.py)."""

import pytest

from ..live_demo import serve_demo, server_errors
from .support import INSTALL_CHROMIUM, INSTALL_PLAYWRIGHT, chromium_arguments, chromium_path, missing


@pytest.fixture(scope="module")
def browser():
    """One chromium for a module's tests. Module scope: Playwright's event loop ends with the module, before
    later modules use Django's database from the same thread."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing(INSTALL_PLAYWRIGHT)
    executable = chromium_path()
    if executable is None:
        missing(INSTALL_CHROMIUM)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=chromium_arguments())
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("browser-demo")


@pytest.fixture(scope="module")
def demo(browser, demo_dir, request):
    """The demo site, set up as `make demo` does (with its logins) and served as production would serve it
    (DEBUG off) by runserver; its base address.

    One per test module, so what one module changes in the admin no other module sees; a module's
    DEMO_PREPARATION (Python for `manage.py shell`) runs after the demo content loads. It asks for the
    browser first, so a machine without chromium skips before setting up a site. Any answer the server
    gave with a 5xx fails the module's last test, even one the browser did not show.
    """
    preparation = getattr(request.module, "DEMO_PREPARATION", "")
    with serve_demo(demo_dir, logins=True, debug=False, preparation=preparation) as url:
        yield url
    errors = server_errors(demo_dir)
    if errors:
        pytest.fail("the demo server answered with an error:\n" + "\n".join(errors[:20]), pytrace=False)


@pytest.fixture(scope="module")
def passwords(demo, demo_dir) -> dict:
    """The demo logins' passwords, as `create_demo_logins` keeps them: {"editor": "...", "dpo": "..."}."""
    lines = (demo_dir / "demo-logins.txt").read_text().splitlines()
    return dict(line.split(" ", 1) for line in lines if line.strip() and not line.startswith("#"))
