"""Several processes share one Redis cache, and a change made in another process reaches them all at once.

The demo is served as the README's production topology serves it: gunicorn
with two workers, the production settings, and a real Redis server (Debian's
``redis-server``, started here on a private socket). A DPO's change is then made
by a separate process (``manage.py shell``), and every worker must answer with
it on the next request, although each had the old answer cached.
"""

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from .live_demo import ROOT, free_port, manage, wait_until

NOTICE = "/privacy/site-visitors/"

if shutil.which("redis-server") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI needs redis-server: apt-get install redis-server")
    pytest.skip("redis-server is not installed (apt-get install redis-server)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo served by gunicorn (two workers) with Redis as the cache; yields (base URL, environment)."""
    var_dir = tmp_path_factory.mktemp("shared-cache")
    socket_path = str(var_dir / "redis.sock")
    redis = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", socket_path, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "privacy_site.settings.production",
            "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
            "DJANGO_SECRET_KEY": "tests-only-not-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "REDIS_URL": f"unix://{var_dir / 'redis.sock'}",
            "PRIVACY_VAR_DIR": str(var_dir),
        }
    )
    server = None
    try:
        wait_until((var_dir / "redis.sock").exists, "redis-server")
        manage(env, "migrate", "--no-input")
        manage(env, "load_demo_content")
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}", "privacy_site.wsgi"],
            cwd=ROOT / "site",
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: urllib.request.urlopen(base + NOTICE, timeout=2).status == 200, "gunicorn")
        yield base, env
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        redis.terminate()
        redis.wait(timeout=10)


def read_many(url, times=12) -> set[str]:
    """The bodies of several reads (gunicorn hands them to either worker)."""
    bodies = set()
    for _ in range(times):
        with urllib.request.urlopen(url, timeout=10) as response:
            bodies.add(response.read().decode())
    return bodies


def test_a_change_made_by_another_process_reaches_every_worker(site):
    base, env = site
    before = read_many(base + NOTICE)
    assert len(before) == 1 and "Google" in before.pop()
    assert all("Alphabet Analytics" not in body for body in read_many(base + "/privacy/@processors/"))
    change = (
        "from privacy_notices.registers import Processor\n"
        "entry = Processor.objects.get(slug='google-analytics')\n"
        "entry.name = 'Alphabet Analytics'\n"
        "entry.save_revision().publish()\n"
    )
    manage(env, "shell", "-c", change)
    for address in (NOTICE, NOTICE + "?format=json", "/privacy/@processors/"):
        after = read_many(base + address)
        assert all("Alphabet Analytics" in body for body in after), address


def test_the_workers_answer_conditional_requests_304_from_the_shared_cache(site):
    base, _env = site
    etag = urllib.request.urlopen(base + "/privacy/", timeout=10).headers["ETag"]
    for _ in range(6):
        request = urllib.request.Request(base + "/privacy/", headers={"If-None-Match": etag})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 304
