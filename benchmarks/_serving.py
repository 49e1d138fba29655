"""Serving and loading a site for a benchmark: gunicorn, redis-server, nginx and wrk (not a benchmark itself).

Every server runs in its own process group, bound to a free port on 127.0.0.1
(or a Unix socket) and writing its logs into the run's temporary directory;
leaving a ``with`` block stops the whole group, also on an error or Ctrl-C.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

APT_INSTALL = "apt-get install wrk nginx-light"


def find_program(name: str) -> str | None:
    """The program's path: on PATH, or in the sbin directories a non-root PATH often leaves out (nginx)."""
    found = shutil.which(name)
    if found:
        return found
    for directory in ("/usr/sbin", "/usr/local/sbin", "/sbin"):
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def ensure_load_generator() -> tuple[str, str | None]:
    """wrk's path (installed with apt-get when missing and allowed) and nginx's path, or None if it is missing.

    Without wrk nothing can be measured: exits 1 with the command that installs it.
    """
    if find_program("wrk") is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            print(f"wrk is not installed: installing Debian's wrk and nginx-light ({APT_INSTALL}).", flush=True)
            environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            subprocess.run(["apt-get", "update", "-qq"], env=environment, check=False)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk", "nginx-light"], env=environment, check=False)
        if find_program("wrk") is None:
            raise SystemExit(f"wrk, the load generator, is not installed. Install it with: sudo {APT_INSTALL}")
    return find_program("wrk"), find_program("nginx")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@contextlib.contextmanager
def process_group(command: list[str], log: Path, **popen):
    """Run ``command`` in a new process group writing to ``log``; stop the whole group on leaving."""
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True, **popen
        )
    try:
        yield process
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen, grace: float = 10):
    """SIGTERM to the process group (the master stops its workers), then SIGKILL if it has not gone."""
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            # The master has gone; make sure no worker outlived it.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            break
        except subprocess.TimeoutExpired:
            continue


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def fetch(url: str, headers: dict | None = None, timeout: float = 60) -> Answer:
    """One GET with urllib, any status (a 304 or 404 is an answer, not an exception)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (our own server)
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def wait_until_answering(url: str, process: subprocess.Popen, log: Path, what: str, timeout: float = 90):
    """Poll ``url`` until the server answers anything over HTTP; fail with its log if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited (status {process.returncode}) before answering. Its log:\n{log_tail(log)}")
        try:
            fetch(url, timeout=5)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise SystemExit(f"{what} did not answer {url} within {timeout:.0f} s. Its log:\n{log_tail(log)}")


@contextlib.contextmanager
def gunicorn(site_dir: Path, environment: dict, work_dir: Path, workers: int = 2):
    """gunicorn serving ``privacy_site.wsgi`` from ``site_dir``; yields its base URL (http://127.0.0.1:<port>)."""
    try:
        import gunicorn as _  # noqa: F401
    except ImportError:
        raise SystemExit("gunicorn is not installed in this environment: pip install -e '.[dev]'") from None
    port = free_port()
    log = work_dir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--chdir",
        str(site_dir),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "privacy_site.wsgi",
    ]
    with process_group(command, log, env=environment) as process:
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(base + "/", process, log, "gunicorn")
        yield base, log


@contextlib.contextmanager
def private_redis(work_dir: Path):
    """A redis-server of this run's own on a Unix socket, nothing saved to disk; yields its REDIS_URL."""
    server = find_program("redis-server")
    socket_path = work_dir / "redis.sock"
    log = work_dir / "redis.log"
    command = [
        server,
        "--port",
        "0",
        "--unixsocket",
        str(socket_path),
        "--unixsocketperm",
        "700",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(work_dir),
    ]
    with process_group(command, log) as process:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise SystemExit(f"redis-server exited before answering. Its log:\n{log_tail(log)}")
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as client:
                client.settimeout(2)
                client.connect(str(socket_path))
                client.sendall(b"PING\r\n")
                if client.recv(16).startswith(b"+PONG"):
                    break
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not answer within 30 s. Its log:\n{log_tail(log)}")
            time.sleep(0.1)
        yield f"unix://{socket_path}"


NGINX_CONF = """\
daemon off;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    types {{ text/html html; }}
    default_type text/html;
    charset utf-8;
    access_log {work}/nginx-access.log;
    client_body_temp_path {work}/nginx-body;
    proxy_temp_path {work}/nginx-proxy;
    fastcgi_temp_path {work}/nginx-fastcgi;
    uwsgi_temp_path {work}/nginx-uwsgi;
    scgi_temp_path {work}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ index index.html; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_static(nginx: str, work_dir: Path, name: str, content: bytes):
    """nginx serving ``content`` as a static file; yields its URL."""
    root = work_dir / "static-copy"
    root.mkdir()
    (root / name).write_bytes(content)
    # Run as root, nginx's workers drop to an unprivileged user: they must be able to read the copy.
    for path in (work_dir, root):
        path.chmod(0o755)
    (root / name).chmod(0o644)
    port = free_port()
    conf = work_dir / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work_dir, port=port, root=root))
    log = work_dir / "nginx-error.log"
    command = [nginx, "-p", str(work_dir), "-c", str(conf), "-e", str(log)]
    with process_group(command, work_dir / "nginx.out") as process:
        url = f"http://127.0.0.1:{port}/{name}"
        wait_until_answering(url, process, log, "nginx")
        yield url


@dataclass
class Load:
    """What wrk measured for one address."""

    requests_per_second: float = 0.0
    p50_ms: float | None = None
    p99_ms: float | None = None
    requests: int = 0
    bad_responses: int = 0
    socket_errors: dict = field(default_factory=dict)
    output: str = ""
    problem: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.problem or self.bad_responses)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> Load:
    load = Load(output=output)
    if found := re.search(r"Requests/sec:\s+([\d.]+)", output):
        load.requests_per_second = float(found.group(1))
    else:
        load.problem = "wrk printed no Requests/sec"
    for percentile in ("50", "99"):
        if found := re.search(rf"^\s*{percentile}(?:\.000)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE):
            setattr(load, f"p{percentile}_ms", float(found.group(1)) * _UNITS_MS[found.group(2)])
    if found := re.search(r"(\d+) requests in", output):
        load.requests = int(found.group(1))
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        load.bad_responses = int(found.group(1))
    if found := re.search(r"Socket errors:\s+(.*)", output):
        load.socket_errors = {kind: int(count) for kind, count in re.findall(r"(\w+) (\d+)", found.group(1))}
    return load


def run_wrk(
    wrk: str, url: str, seconds: int, *, threads: int = 2, connections: int = 8, headers: dict | None = None
) -> Load:
    """``wrk -t2 -c8 -d<seconds>s --latency`` against ``url``: requests per second and latency percentiles."""
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)
    load = parse_wrk(finished.stdout)
    if finished.returncode != 0 and not load.problem:
        load.problem = f"wrk exited {finished.returncode}: {finished.stderr.strip()}"
    return load
