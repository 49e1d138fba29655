"""The demo site served by a real server, as `make demo` serves it, for tests that talk to it over HTTP.

Each server gets its own directory (its own SQLite database, media and sent
mail), is set up with the same management commands `make demo` runs, and
listens on a free port. The tests use no database of their own: what they
see is what a visitor to the demo would see.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, attempts: int = 150):
    """Poll check() every 0.2 s (30 s in all) until it is true; a connection refused counts as not yet."""
    for _attempt in range(attempts):
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {attempts // 5} seconds")


def demo_environment(var_dir: Path, port: int | None = None, debug: bool = True) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}  # the demo's own SQLite
    env.update({"PRIVACY_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "privacy_site.settings.dev"})
    env["DJANGO_DEBUG"] = "true" if debug else "false"
    if port:
        # Links in the notification emails and the printed logins use the address served.
        env["WAGTAILADMIN_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT / "site", env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def server_errors(var_dir: Path) -> list[str]:
    """The requests the server answered with a 5xx, from its log."""
    log = var_dir / "server.log"
    return [line for line in log.read_text().splitlines() if re.search(r'" 5\d\d \d', line)] if log.exists() else []


@contextmanager
def serve_demo(var_dir: Path, *, logins: bool = False, debug: bool = True, preparation: str = ""):
    """Set up the demo in var_dir as `make demo` does and serve it; yields its base address.

    debug=False serves it as production would (DEBUG off: the site's own 404 page; static files through
    `runserver --insecure`). preparation is Python run by `manage.py shell` after the demo content loads.
    """
    port = free_port()
    env = demo_environment(var_dir, port, debug)
    manage(env, "migrate", "--no-input")
    if logins:
        manage(env, "create_demo_logins")
    manage(env, "load_demo_content")
    if preparation:
        manage(env, "shell", "-c", preparation)
    log = open(var_dir / "server.log", "w")  # noqa: SIM115 - kept open for the server's lifetime
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT / "site",
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def answers():
            if server.poll() is not None:
                raise RuntimeError(f"the demo server stopped: {(var_dir / 'server.log').read_text()[-2000:]}")
            return urllib.request.urlopen(url + "/privacy/", timeout=2).status == 200

        wait_until(answers, "the demo server")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
