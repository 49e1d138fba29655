"""What the browser tests share: where the browser and axe-core are, running axe, and saving artifacts.

The browser is Debian's chromium (`apt-get install chromium`), driven by
Playwright's Python API; Playwright downloads nothing. axe-core comes from the
npm registry (`package.json`; `make test` runs `npm ci`) and is injected into
each page under test. Where either is missing the tests are skipped with a
message saying how to install it; with CI=true they fail instead, so CI can
never pass without having looked.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from ..live_demo import ROOT

IN_CI = os.environ.get("CI") == "true"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots and printed PDFs: kept after the run for people to look at (CI keeps this folder).
ARTIFACTS = Path(os.environ.get("PRIVACY_TEST_ARTIFACTS", ROOT / "test-artifacts" / "browser"))

# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe-core tags them.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Screen sizes the public pages are checked and photographed at.
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}

INSTALL_CHROMIUM = (
    "Chromium is not installed, so the browser tests cannot run. Install Debian's chromium "
    "(sudo apt-get install chromium) or set PRIVACY_TEST_CHROMIUM to a Chromium or Chrome binary, then run make test."
)
INSTALL_PLAYWRIGHT = "Playwright is not installed: make test installs it (.venv/bin/pip install -e '.[dev]')."
INSTALL_AXE = (
    f"axe-core is not installed ({AXE_SCRIPT.relative_to(ROOT)} is missing): make test installs it with npm "
    "(npm ci; Debian: sudo apt-get install npm)."
)


def missing(message: str):
    """Skip, saying how to install what is missing; fail instead under CI, where everything must be there."""
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture says how to install it, or fails under CI

    def expect(*args, **kwargs):
        missing(INSTALL_PLAYWRIGHT)


def chromium_path() -> str | None:
    configured = os.environ.get("PRIVACY_TEST_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_arguments() -> list[str]:
    # Root (CI containers) cannot use chromium's sandbox. Nothing may call out to Google's services:
    # this machine's network is closed and a browser test should not depend on one.
    arguments = ["--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        arguments.append("--no-sandbox")
    return arguments


def axe_source() -> str:
    if not AXE_SCRIPT.exists():
        missing(INSTALL_AXE)
    return AXE_SCRIPT.read_text()


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page for the WCAG 2.2 A and AA rules; its violations, each with the elements at fault."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:10]:
            summary = [line.strip() for line in node["failureSummary"].splitlines()[1:] if line.strip()]
            lines.append(f"    {' '.join(node['target'])}: {'; '.join(summary)}")
            lines.append(f"        {node['html'][:200]}")
    return "\n".join(lines)


def artifact_path(*parts: str) -> Path:
    path = ARTIFACTS.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def file_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"
