"""How fast the public notices are served, against an ordinary Wagtail page of the same size, under load.

    .venv/bin/python benchmarks/serve_notices.py [--seconds 10]

Builds a large site in a fresh database it creates and removes (a temporary
SQLite file, or, when DATABASE_URL is set, a new PostgreSQL database beside the
one it names): the demo content, then registers of 1,000 processors, 2,000
retention rules and 300 cookies, 50 live notices, and one notice with 1,000
published versions. It serves the site with gunicorn (2 workers, the production
settings, a private redis-server as the shared cache when one is installed or
REDIS_URL names one) and loads each address with wrk, side by side in one run:

a. baseline: an ordinary Wagtail page (demo.ContentPage) with a body of about as many bytes as b;
b. a notice linking 20 processors, 30 retention rules and 40 cookies, as HTML;
c. the same notice as JSON;
d. the same notice asked again with its ETag (If-None-Match), answered 304;
e. the hub's public registers: @processors and @cookies;
f. the 1,000-version notice's @history, and that notice as it was on a date (?at=);
g. a static copy of b's HTML served by nginx: the most this machine can serve.

It measures; it does not judge. It exits 0 however slow the answers are, and
says which targets (ratios to the baseline in this run) are met; its last line
gives the notice/baseline ratio.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import secrets
import shutil
import signal
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _database import REPO_DIR, bench_rule_fields, on_demo_site  # benchmarks/_database.py, beside this script
from _serving import (
    ensure_load_generator,
    fetch,
    find_program,
    gunicorn,
    log_tail,
    nginx_static,
    private_redis,
    run_wrk,
)

PROCESSORS = 1000
RULES = 2000
COOKIES = 300
NOTICES = 50
VERSIONS = 1000
# What the measured notice (b) links.
MEASURED_LINKS = {"processors": 20, "rules": 30, "cookies": 40}
# What each other notice links.
OTHER_LINKS = {"processors": 4, "rules": 6, "cookies": 5}

WORKERS = 2
THREADS = 2
CONNECTIONS = 8

HTML = "text/html"
JSON = "application/json"

ROLES = ["processor", "sub_processor", "independent_controller", "joint_controller", "recipient"]
SERVICES = ["Case management", "Secure email", "Payroll", "Website hosting", "Telephony", "Document storage"]
# (countries, safeguard): most stay in the UK; some leave it, with what protects the transfer.
PLACES = [(["GB"], ""), (["GB"], ""), (["GB", "IE"], "uk_adequacy"), (["US"], "uk_us_data_bridge"), (["IN"], "idta")]
COOKIE_CATEGORIES = ["strictly_necessary", "functional", "analytics", "marketing"]
LIFETIMES = ["session", "PT30M", "P1D", "P30D", "P1Y", "P2Y"]

TARGETS = {"b": 1.0, "c": 1.0, "d": 5.0, "e1": 0.8, "e2": 0.8, "f1": 0.8, "f2": 0.8}


@dataclass
class Row:
    key: str
    what: str
    url: str
    content_type: str | None = HTML  # None: answered 304
    headers: dict = field(default_factory=dict)
    load: object = None
    problem: str = ""


@dataclass
class BenchSite:
    """What the data set built: the addresses to load and how long each part took."""

    hub_url: str = ""
    notice_url: str = ""
    history_url: str = ""
    at_day: str = ""
    counts: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)


def _item(value):
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def _section(block_type, **value):
    for key in ("categories", "purposes", "processors", "rules", "cookies"):
        if key in value and not (block_type == "cookies" and key == "categories"):
            value[key] = [_item(v) for v in value[key]]
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def notice_sections(number: int, processors, rules, cookies) -> list:
    """A full notice's raw sections: what is collected and why, and the register entries it chooses."""
    return [
        _section(
            "personal_data",
            heading="The information we collect",
            intro=f"<p>We collect what we need to deal with case kind {number}.</p>",
            categories=[
                {"name": "Your name and contact details", "details": "", "kind": "ordinary"},
                {"name": "What happened", "details": "The events you tell us about.", "kind": "ordinary"},
                {"name": "Health information", "details": "Only when you give it to us.", "kind": "special"},
            ],
            source="both",
            source_details="Care services and other regulators may tell us about you.",
            requirement="You do not have to give it to us, but we may not be able to help you without it.",
        ),
        _section(
            "purposes",
            heading="Why we use it and our lawful basis",
            purposes=[
                {"purpose": "Dealing with what you tell us", "details": "", "lawful_basis": "public_task"},
                {
                    "purpose": "Improving our services",
                    "details": "We look at trends, never at one person.",
                    "lawful_basis": "legitimate_interests",
                    "legitimate_interests": "Running an effective regulator.",
                },
                {
                    "purpose": "Protecting people at risk",
                    "details": "",
                    "lawful_basis": "public_task",
                    "special_category_condition": "g",
                },
            ],
        ),
        _section(
            "sharing",
            heading="Who we share it with",
            processors=processors,
            other_recipients=[{"name": "The police", "details": "Where a crime may have been committed."}],
        ),
        _section("retention", heading="How long we keep it", rules=rules),
        _section("transfers", heading="Sending information outside the UK"),
        _section("cookies", heading="Cookies", categories=[], cookies=cookies),
        _section("automated_decisions", heading="Automated decisions", uses_automated_decisions=False),
        _section(
            "rights",
            heading="Your rights",
            rights=["access", "rectification", "erasure", "restriction", "objection", "complain"],
        ),
    ]


def top_up_registers(now) -> dict:
    """The registers brought up to 1,000 processors, 2,000 rules and 300 cookies: live rows, bulk-created.

    Live entries are all serving reads; a revision per entry would only lengthen the set-up.
    """
    from privacy_notices.registers import CookieDeclaration, Processor
    from retention_schedule.models import RetentionRule

    published = {"live": True, "first_published_at": now, "last_published_at": now}
    processors = [
        Processor(
            slug=f"bench-processor-{n:04d}",
            name=f"Supplier {n:04d} Ltd",
            service=SERVICES[n % len(SERVICES)],
            role=ROLES[n % len(ROLES)],
            purposes=f"Providing the {SERVICES[n % len(SERVICES)].lower()} we use for case kind {n}.",
            data_categories="Names, contact details and the case.",
            countries=PLACES[n % len(PLACES)][0],
            transfer_safeguard=PLACES[n % len(PLACES)][1],
            privacy_notice_url=f"https://supplier-{n:04d}.example/privacy",
            contract_signed=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 365),
            contract_reference=f"CON-{n:05d}",
            internal_notes="Internal: never shown to the public.",
            **published,
        )
        for n in range(1, PROCESSORS - Processor.objects.count() + 1)
    ]
    Processor.objects.bulk_create(processors, batch_size=500)
    providers = list(Processor.objects.filter(slug__startswith="bench-processor-")[:50])
    cookies = [
        CookieDeclaration(
            slug=f"bench-cookie-{n:03d}",
            name=f"_bench_{n:03d}",
            provider=providers[n % len(providers)] if n % 3 else None,
            purpose=f"Remembers choice {n} between pages.",
            category=COOKIE_CATEGORIES[n % len(COOKIE_CATEGORIES)],
            lifetime=LIFETIMES[n % len(LIFETIMES)],
            party="third" if n % 3 else "first",
            **published,
        )
        for n in range(1, COOKIES - CookieDeclaration.objects.count() + 1)
    ]
    CookieDeclaration.objects.bulk_create(cookies, batch_size=500)
    rules = [
        RetentionRule(**bench_rule_fields(n), **published) for n in range(1, RULES - RetentionRule.objects.count() + 1)
    ]
    RetentionRule.objects.bulk_create(rules, batch_size=500)
    return {
        "processors": Processor.objects.filter(live=True).count(),
        "rules": RetentionRule.objects.filter(live=True).count(),
        "cookies": CookieDeclaration.objects.filter(live=True).count(),
    }


def add_notice(hub, number: int, links: dict, **fields):
    """A notice for an audience of its own, linking ``links`` bench entries, published through Wagtail."""
    from privacy_notices.pages import PrivacyNoticePage
    from privacy_notices.registers import Audience, CookieDeclaration, Processor
    from retention_schedule.models import RetentionRule

    def chosen(model, prefix_field, prefix, count):
        # A different window of the register for each notice.
        ids = list(model.objects.filter(**{f"{prefix_field}__startswith": prefix}).order_by("pk").values_list("pk"))
        start = (number * 37) % max(len(ids) - count, 1)
        return [pk for (pk,) in ids[start : start + count]]

    audience = Audience.objects.create(
        name=f"People in case group {number}", slug=f"bench-audience-{number:02d}", data_subject="dpv:Citizen"
    )
    sections = notice_sections(
        number,
        chosen(Processor, "slug", "bench-processor-", links["processors"]),
        chosen(RetentionRule, "code", "BENCH-", links["rules"]),
        chosen(CookieDeclaration, "slug", "bench-cookie-", links["cookies"]),
    )
    page = PrivacyNoticePage(
        title=fields.pop("title", f"How we use your information: case group {number}"),
        slug=fields.pop("slug", f"bench-notice-{number:02d}"),
        audience=audience,
        summary=f"How we use the information of people in case group {number}.",
        sections=json.dumps(sections),
        live=False,
        **fields,
    )
    hub.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def record_versions(notice, count: int, first_day: datetime.date) -> str:
    """Give ``notice`` ``count`` versions in all, one a day from ``first_day``; returns a day in the middle."""
    from django.db import transaction

    from privacy_notices.document import resolve_notice
    from privacy_notices.versions import NoticeVersion, VersionCause, record_version, start_of_day

    document = resolve_notice(notice)
    first = start_of_day(first_day)
    recorded = NoticeVersion.objects.filter(notice=notice).count()
    with transaction.atomic():
        for number in range(recorded + 1, count + 1):
            material = number % 10 == 0
            record_version(
                notice,
                cause=VersionCause.NOTICE_PUBLISHED,
                summary=f"Change {number}: " + ("a new purpose." if material else "wording corrected."),
                material=material,
                published_at=first + datetime.timedelta(days=number - 1, hours=10),
                document={**document, "summary": f"{notice.summary} (Wording of change {number}.)"},
            )
    return (first_day + datetime.timedelta(days=count // 2)).isoformat()


def build_site() -> BenchSite:
    from django.utils import timezone

    from privacy_notices.pages import PrivacyNoticeIndexPage, PrivacyNoticePage

    site = BenchSite()
    started = time.perf_counter()
    site.counts = top_up_registers(timezone.now())
    registers = time.perf_counter()
    site.timings.append(("registers (bulk_create)", registers - started))

    hub = PrivacyNoticeIndexPage.objects.live().get(slug="privacy")
    site.hub_url = hub.url
    measured = add_notice(hub, 0, MEASURED_LINKS, title="How we use your information when you contact us")
    site.notice_url = measured.url
    # A first publish dated 1,000 days ago (the importer's "last updated" date), then a version a day since.
    first_day = timezone.localdate() - datetime.timedelta(days=VERSIONS)
    history = add_notice(hub, 1, OTHER_LINKS, slug="bench-history", imported_last_updated=first_day)
    number = 2
    while PrivacyNoticePage.objects.live().count() < NOTICES:
        add_notice(hub, number, OTHER_LINKS)
        number += 1
    notices = time.perf_counter()
    site.counts["notices"] = PrivacyNoticePage.objects.live().count()
    site.timings.append((f"{number} notices published", notices - registers))

    site.history_url = history.url
    site.at_day = record_versions(history, VERSIONS, first_day)
    site.timings.append((f"{VERSIONS - 1} versions recorded", time.perf_counter() - notices))
    return site


def baseline_body(size: int) -> str:
    """Rich text of about ``size`` bytes: headings, paragraphs and lists, as an ordinary page has."""
    parts, length, number = [], 0, 0
    sentence = "We inspect and regulate care services so that people receive safe, effective and compassionate care. "
    while length < size:
        number += 1
        part = (
            f'<h2 data-block-key="h{number}">Part {number} of our work</h2>'
            f'<p data-block-key="p{number}">{sentence * 3}</p>'
            f'<ul><li data-block-key="l{number}a">Registering services, case {number}</li>'
            f'<li data-block-key="l{number}b">Inspecting them and <b>publishing</b> what we find</li></ul>'
        )
        parts.append(part)
        length += len(part.encode())
    return "".join(parts)


def add_baseline_page(base_url: str, size: int) -> tuple[str, int]:
    """A live ContentPage whose HTML answer is about ``size`` bytes; returns its URL and its answer's size."""
    from wagtail.models import Site as WagtailSite

    from demo.models import ContentPage

    page = ContentPage(title="About our work", slug="about-our-work", body="", live=False)
    WagtailSite.objects.get(is_default_site=True).root_page.add_child(instance=page)
    page.save_revision().publish()
    shell = len(fetch(base_url + page.url).body)
    page.refresh_from_db()
    page.body = baseline_body(max(size - shell, 0))
    page.save_revision().publish()
    return page.url, len(fetch(base_url + page.url).body)


def server_environment(var_dir: str, redis_url: str | None) -> dict:
    """The production settings against the benchmark's own database."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    else:
        parts = urlsplit(os.environ["DATABASE_URL"])
        database_url = urlunsplit(parts._replace(path="/" + settings_dict["NAME"]))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "privacy_site.settings.production",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PRIVACY_VAR_DIR": var_dir,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")])),
    }
    environment.pop("REDIS_URL", None)
    if redis_url:
        environment["REDIS_URL"] = redis_url
    return environment


def check_answer(row: Row):
    """The row's address answers as it should (200 and its content type, or 304) before it is loaded."""
    answer = fetch(row.url, row.headers)
    if row.content_type is None:
        if answer.status != 304:
            row.problem = f"answered {answer.status}, not 304"
    elif answer.status != 200:
        row.problem = f"answered {answer.status}, not 200"
    elif not answer.content_type.startswith(row.content_type):
        row.problem = f"answered {answer.content_type or 'no content type'}, not {row.content_type}"
    return answer


def redis_client_installed() -> bool:
    """Django's RedisCache needs the redis package (pip install -e '.[dev]' installs it)."""
    try:
        import redis  # noqa: F401
    except ImportError:
        return False
    return True


def shared_cache(stack: contextlib.ExitStack, work_dir: Path, notes: list) -> tuple[str | None, str]:
    """The REDIS_URL gunicorn's workers share, and where it comes from: the environment's, a private one, or none."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], "Redis (REDIS_URL from the environment)"
    if find_program("redis-server") and redis_client_installed():
        url = stack.enter_context(private_redis(work_dir))
        return url, "Redis (a private redis-server started for this run, on a Unix socket)"
    notes.append(
        "No REDIS_URL, and no redis-server (or no redis client package) to start one: each gunicorn worker keeps "
        "its own cache (apt-get install redis-server, or set REDIS_URL, for one shared cache as in production)."
    )
    return None, "none shared (each gunicorn worker keeps its own local-memory cache)"


def rows_to_load(base: str, site: BenchSite, notice: bytes, etag: str | None, baseline_url: str, baseline_size: int):
    links = ", ".join(f"{count} {kind.replace('rules', 'retention rules')}" for kind, count in MEASURED_LINKS.items())
    rows = [
        Row("a", f"baseline: ContentPage, {baseline_size / 1000:.0f} kB", base + baseline_url, HTML),
        Row("b", f"notice HTML, {len(notice) / 1000:.0f} kB ({links})", base + site.notice_url, HTML),
        Row("c", "notice as JSON (?format=json)", base + site.notice_url + "?format=json", JSON),
        Row("d", "notice, If-None-Match: its ETag (304)", base + site.notice_url, None, {"If-None-Match": etag or ""}),
        Row("e1", f"{site.hub_url}@processors/ ({site.counts['processors']:,})", base + site.hub_url + "@processors/"),
        Row("e2", f"{site.hub_url}@cookies/ ({site.counts['cookies']:,})", base + site.hub_url + "@cookies/"),
        Row("f1", f"@history/ of the {VERSIONS:,}-version notice", base + site.history_url + "@history/"),
        Row(
            "f2",
            f"that notice ?at={site.at_day} (version {VERSIONS // 2 + 1})",
            base + site.history_url + f"?at={site.at_day}",
        ),
    ]
    if not etag:
        rows[3].problem = "the notice's answer has no ETag"
    return rows


def run(seconds: int, wrk: str, nginx: str | None) -> dict:
    from django.conf import settings
    from django.db import connection

    result = {"setup": [], "rows": [], "notes": [], "wrk": wrk}
    started = time.perf_counter()
    site = build_site()
    result["setup"] += site.timings
    result["counts"] = site.counts
    connection.close()  # nothing held open on the database while gunicorn serves it

    work_dir = Path(tempfile.mkdtemp(prefix="privacy-serve-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, work_dir, ignore_errors=True)
        serving = time.perf_counter()
        redis_url, result["cache"] = shared_cache(stack, work_dir, result["notes"])
        environment = server_environment(os.environ["PRIVACY_VAR_DIR"], redis_url)
        base, log = stack.enter_context(gunicorn(REPO_DIR / "site", environment, work_dir, WORKERS))

        # The baseline is made as large as the notice's answer, then the notice is fetched again: its ETag
        # and the static copy are of the answer served now.
        first = fetch(base + site.notice_url)
        if first.status != 200:
            raise SystemExit(f"The notice {site.notice_url} answered {first.status}. gunicorn's log:\n{log_tail(log)}")
        baseline_url, baseline_size = add_baseline_page(base, len(first.body))
        connection.close()
        notice = fetch(base + site.notice_url)
        result["sizes"] = {"notice": len(notice.body), "baseline": baseline_size}
        rows = rows_to_load(base, site, notice.body, notice.headers.get("etag"), baseline_url, baseline_size)
        # The same site served again with the plugin's caches off (benchmarks/_uncached_settings.py): what the
        # views cost by themselves. Informational rows, no targets.
        uncached_dir = work_dir / "uncached"
        uncached_dir.mkdir()
        uncached_environment = {
            **environment,
            "DJANGO_SETTINGS_MODULE": "_uncached_settings",
            "PYTHONPATH": os.pathsep.join([str(REPO_DIR / "benchmarks"), environment["PYTHONPATH"]]),
        }
        uncached_server = gunicorn(REPO_DIR / "site", uncached_environment, uncached_dir, WORKERS)
        plain, _plain_log = stack.enter_context(uncached_server)
        # Its own ETag: its answer carries its own port in the addresses it links to.
        etag = fetch(plain + site.notice_url).headers.get("etag") or ""
        rows += [
            Row("b'", "notice HTML, the cache off", plain + site.notice_url, HTML),
            Row("d'", "notice 304, the cache off", plain + site.notice_url, None, {"If-None-Match": etag}),
            Row("e1'", f"{site.hub_url}@processors/, the cache off", plain + site.hub_url + "@processors/"),
        ]
        if nginx:
            static = stack.enter_context(nginx_static(nginx, work_dir, "notice.html", notice.body))
            rows.append(Row("g", "static copy of b, served by nginx", static))
        else:
            result["notes"].append(
                "nginx is not installed: row g, the static copy, is skipped (apt-get install nginx-light)."
            )
        result["setup"].append(("baseline page and servers", time.perf_counter() - serving))
        result["setup_total"] = time.perf_counter() - started

        for row in rows:
            if row.problem or check_answer(row).status >= 500:
                continue
            # Warm each address in both workers (templates, connections, caches) before it is measured.
            for _ in range(2 * WORKERS):
                fetch(row.url, row.headers)
        # How busy the machine is with other work while this run's servers sit idle, before and after loading.
        result["busy"] = [busy_elsewhere()]
        for row in rows:
            if row.problem:
                continue
            print(f"  loading {row.key}. {row.what} for {seconds} s ...", flush=True)
            row.load = run_wrk(wrk, row.url, seconds, threads=THREADS, connections=CONNECTIONS, headers=row.headers)
            if row.load.failed:
                row.problem = row.load.problem or f"{row.load.bad_responses:,} answers not 2xx or 3xx"
        result["busy"].append(busy_elsewhere())
        result["rows"] = rows
        result["server_log"] = log_tail(log, 10) if any(row.problem for row in rows) else ""
        result["middleware"] = [name for name in settings.MIDDLEWARE if name.startswith("privacy_notices.")]
        result["database"] = database_description()
    return result


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def program_version(command: list[str]) -> str:
    import subprocess

    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return "?"
    text = (finished.stdout + finished.stderr).strip().splitlines()
    return text[0] if text else "?"


def busy_elsewhere(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU time spent working over ``seconds`` (from /proc/stat), as a percentage."""

    def sample():
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return sum(fields), idle

    try:
        total, idle = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    elapsed = total_after - total
    return 100 * (1 - (idle_after - idle) / elapsed) if elapsed else None


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return ""


def fmt(value, spec):
    return "—" if value is None else format(value, spec)


def print_markdown_table(table: list[tuple], right_aligned: set[int]):
    widths = [max(len(cells[i]) for cells in table) for i in range(len(table[0]))]

    def line(cells):
        padded = [
            c.rjust(w) if i in right_aligned else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    print(line(table[0]))
    print("| " + " | ".join("-" * (w - 1) + (":" if i in right_aligned else "-") for i, w in enumerate(widths)) + " |")
    for cells in table[1:]:
        print(line(cells))


def report(result: dict, seconds: int, setup_line: str):
    import django
    import gunicorn
    import wagtail

    rows = result["rows"]
    baseline = rows[0].load.requests_per_second if rows[0].load and not rows[0].problem else None
    table = [("row", "what", "req/s", "p50 ms", "p99 ms", "ratio to baseline", "target", "met?")]
    met = []
    for row in rows:
        load = row.load
        rps = load.requests_per_second if load and not row.problem else None
        ratio = rps / baseline if rps is not None and baseline else None
        target = TARGETS.get(row.key)
        if row.problem:
            verdict = f"FAILED: {row.problem}"
        elif target is None:
            verdict = ""
        else:
            verdict = "yes" if ratio is not None and ratio >= target else "NO"
        if target is not None:
            met.append((row.key, verdict == "yes"))
        table.append(
            (
                row.key,
                row.what,
                fmt(rps, ",.0f"),
                fmt(load.p50_ms if load and not row.problem else None, ".1f"),
                fmt(load.p99_ms if load and not row.problem else None, ".1f"),
                fmt(ratio, ".2f") + ("x" if ratio is not None else "") if row.key != "a" else "1.00x (baseline)",
                f">= {target:.1f}x" if target is not None else ("physical limit" if row.key == "g" else ""),
                verdict,
            )
        )
    print()
    print_markdown_table(table, right_aligned={2, 3, 4, 5})
    print()

    counts = result["counts"]
    print(
        f"The site: {counts['notices']} live notices, {counts['processors']:,} processors, {counts['rules']:,} "
        f"retention rules, {counts['cookies']:,} cookies, one notice with {VERSIONS:,} versions. "
        f"Notice page {result['sizes']['notice']:,} bytes, baseline page {result['sizes']['baseline']:,} bytes."
    )
    for row in rows:
        if row.load and row.load.socket_errors and any(row.load.socket_errors.values()):
            errors = ", ".join(f"{kind} {count}" for kind, count in row.load.socket_errors.items() if count)
            print(f"Row {row.key}: wrk socket errors: {errors}.")
    print(
        "Rows marked ' are the same addresses served by a second gunicorn with the plugin's caches off "
        "(PRIVACY_NOTICES_CACHE = None): what the views cost by themselves, with no target."
    )
    for note in result["notes"]:
        print(note)
    if result.get("server_log"):
        print("gunicorn's log ends:\n" + result["server_log"])
    model = cpu_model()
    middleware = ", ".join(result["middleware"]) or "none of privacy_notices' middleware"
    print(
        f"Machine: {os.cpu_count()} CPUs{f' ({model})' if model else ''}, Python {platform.python_version()}, "
        f"Django {django.__version__}, Wagtail {wagtail.__version__}, {result['database']} database, "
        f"cache: {result['cache']}."
    )
    print(
        f"Served by gunicorn {gunicorn.__version__} ({WORKERS} sync workers, production settings; {middleware}); "
        f"loaded by {program_version([result['wrk'], '--version']).split(' Copyright')[0]} "
        f"(-t{THREADS} -c{CONNECTIONS}, {seconds} s a row) on the same machine."
    )
    if None not in result["busy"]:
        before, after = result["busy"]
        warning = (
            ": other work was competing for the CPUs, so the numbers are noisier" if max(before, after) > 20 else ""
        )
        print(
            f"CPU busy with other work while the servers sat idle: {before:.0f}% before loading, "
            f"{after:.0f}% after{warning}."
        )
    print(setup_line)
    setup = ", ".join(f"{what} {secs:.1f} s" for what, secs in result["setup"])
    print(f"Set-up of the data set and servers, not measured above: {setup} ({result['setup_total']:.1f} s in all).")
    reached = [key for key, ok in met if ok]
    missed = [key for key, ok in met if not ok]
    print(f"Targets met: {', '.join(reached) or 'none'}; not met: {', '.join(missed) or 'none'}.")
    notice = next(row for row in rows if row.key == "b")
    if baseline and notice.load and not notice.problem:
        ratio = notice.load.requests_per_second / baseline
        verdict = "met" if ratio >= TARGETS["b"] else "NOT met"
        print(
            f"notice/baseline: {ratio:.2f}x (target >= {TARGETS['b']:.1f}x): {verdict}; "
            f"{len(reached)} of {len(met)} targets met on this machine."
        )
    else:
        print(f"notice/baseline: not measured (target >= {TARGETS['b']:.1f}x): a row failed.")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="how long wrk loads each address (default 10)")
    seconds = parser.parse_args().seconds
    if seconds < 1:
        parser.error("--seconds must be at least 1")
    wrk, nginx = ensure_load_generator()
    # Ctrl-C, or a SIGTERM from whatever runs the benchmark, unwinds the run: servers stopped, database removed.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        result, setup = on_demo_site(lambda: run(seconds, wrk, nginx))
    except KeyboardInterrupt:
        raise SystemExit("Interrupted: the servers are stopped and the database removed.") from None
    report(result, seconds, setup)


if __name__ == "__main__":
    main()
