"""Every curl example in the README works on the demo site, served by a real server.

The demo is set up as ``make demo`` sets it up (its own SQLite database,
``migrate``, ``load_demo_content``, the dev settings) in a temporary
directory, and served by ``runserver`` on a free port. Each ``curl`` line of
the README's "Reading it headlessly" section is then run by bash exactly as
written, but for the port; a trailing ``# NNN`` says the status it should
get (200 otherwise).
"""

import re
import shutil
import subprocess

import pytest

from .live_demo import ROOT, serve_demo

README = (ROOT / "README.md").read_text()
DEMO_HOST = "http://127.0.0.1:8000"

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed (apt-get install curl)")


def headless_section() -> str:
    start = README.index("## Reading it headlessly")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def curl_examples() -> list[str]:
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", headless_section(), flags=re.S):
        lines += [line for line in block.splitlines() if line.startswith("curl ")]
    return lines


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    with serve_demo(tmp_path_factory.mktemp("demo-var")) as url:
        yield url


def test_the_readme_has_a_curl_example_for_each_headless_address():
    examples = "\n".join(curl_examples())
    for address in (
        "/privacy/complainants/",
        "@history",
        "@history/1",
        "@diff/1/2",
        "at=",
        "application/ld+json",
        "/retention-schedule/?format=jsonld",
        "/privacy/@processors",
        "/privacy/@cookies",
        "/api/v2/pages/",
        "/api/openapi.json",
        "--etag-compare",
        "format=xml",
    ):
        assert address in examples, address


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One directory for all the examples, as a reader's shell has: --etag-compare reads what --etag-save wrote."""
    return tmp_path_factory.mktemp("curl")


@pytest.mark.parametrize("example", curl_examples())
def test_each_curl_example_works_on_the_demo(demo_server, workdir, example):
    command, _hash, comment = example.partition("  #")
    expected = re.match(r"\s*(\d{3})\b", comment)
    status = int(expected.group(1)) if expected else 200
    command = command.replace(DEMO_HOST, demo_server) + " -w '\\n%{http_code}'"
    result = subprocess.run(["bash", "-c", command], cwd=workdir, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, (example, result.stderr)
    assert result.stdout.rsplit("\n", 1)[-1] == str(status), (example, result.stdout[-500:])
    if status == 200 and "-o " not in example:
        assert result.stdout.strip(), example
