"""How long importing and exporting a 2,000-rule retention schedule takes, against a plain bulk insert.

    .venv/bin/python benchmarks/import_schedule.py [--rules 2000]

Runs in a fresh database it creates and removes: a temporary SQLite file, or,
when DATABASE_URL is set, a new PostgreSQL database beside the one it names
(as the test runner does). It loads the demo content first, so that live
notices show rules, as on a real site: the file changes three of those rules,
and the import then records new notice versions as it would in production.

Steps, all in one run:

a. baseline: Django's ``bulk_create`` of the file's rules as plain rows (then deleted);
b. reading and planning the CSV file;
c. importing it: ``apply_plan``, a revision per rule, published;
d. planning the same file again (every rule unchanged);
e. exporting the live rules to CSV, XLSX and JSON.

It measures; it does not judge. It exits 0 however long the steps take, and
says on its last line whether the import finished within 10 seconds here.
"""

import argparse
import os
import platform
import time

from _database import bench_rule_fields, on_demo_site  # benchmarks/_database.py, beside this script

TARGET_SECONDS = 10


def schedule_rules(count: int):
    """The file's rules: the demo's live rules, three of them (shown on live notices) longer, then new ones."""
    from retention_schedule.in_use import live_uses
    from retention_schedule.models import RetentionRule, published_rules

    demo = published_rules()
    uses = live_uses(demo)
    lengthened = 0
    for rule in demo:
        if lengthened < 3 and rule.pk in uses and rule.period_type == "fixed":
            rule.period = "P25Y"
            lengthened += 1
    new = [RetentionRule(**bench_rule_fields(number)) for number in range(1, max(count - len(demo), 0) + 1)]
    return demo + new


class Timings:
    def __init__(self):
        self.rows: list[tuple[str, float]] = []
        self.summary = ""
        self.import_seconds = 0.0

    def measure(self, step: str, work):
        started = time.perf_counter()
        result = work()
        self.rows.append((step, time.perf_counter() - started))
        return result

    def seconds(self, step: str) -> float:
        return dict(self.rows)[step]


def run(count: int) -> Timings:
    from django.db import transaction

    from privacy_notices.versions import NoticeVersion
    from retention_schedule.bulk_changes import bulk_change
    from retention_schedule.exchange.importing import apply_plan, plan_import
    from retention_schedule.exchange.reading import read_schedule_file
    from retention_schedule.exchange.writing import write_csv
    from retention_schedule.management.commands.export_retention_schedule import export_bytes
    from retention_schedule.models import RetentionRule, published_rules

    rules = schedule_rules(count)
    data = write_csv(rules).encode("utf-8")
    timings = Timings()

    # a. The same values as plain rows, in one transaction as the import uses: no revisions, no publishing.
    fields = [field.name for field in RetentionRule._meta.concrete_fields if field.name != "id"]

    def bulk_insert():
        copies = [
            RetentionRule(**{**{name: getattr(rule, name) for name in fields}, "code": f"B-{rule.code}"})
            for rule in rules
        ]
        with transaction.atomic():
            RetentionRule.objects.bulk_create(copies)

    timings.measure("a. baseline: bulk_create", bulk_insert)
    # As one bulk change: otherwise every deleted rule has each live notice compared on its own.
    with transaction.atomic(), bulk_change():
        RetentionRule.objects.filter(code__startswith="B-").delete()

    read_step = f"b. read + plan {len(rules)}-rule CSV"
    plan = timings.measure(read_step, lambda: plan_import(read_schedule_file(data, "schedule.csv"), "schedule.csv"))
    if not plan.can_apply:
        raise SystemExit("The generated file has problems:\n" + "\n".join(str(p) for p in plan.problems))
    versions_before = NoticeVersion.objects.count()
    apply_step = "c. import (apply_plan, published)"
    timings.measure(apply_step, lambda: apply_plan(plan))
    notice_versions = NoticeVersion.objects.count() - versions_before
    notices_shown = {use.title for planned in plan.changed for use in planned.live_uses}

    again = timings.measure(
        "d. re-plan the same file", lambda: plan_import(read_schedule_file(data, "schedule.csv"), "schedule.csv")
    )
    assert not again.to_write, "a file just imported should change nothing"

    for format in ("csv", "xlsx", "json"):
        timings.measure(f"e. export {format.upper()}", lambda format=format: export_bytes(published_rules(), format))

    timings.summary = (
        f"The file: {len(plan.created)} rules created, {len(plan.changed)} changed "
        f"(shown on {len(notices_shown)} live notices: {notice_versions} new notice versions recorded), "
        f"{len(plan.unchanged)} unchanged; "
        f"re-planned: {len(again.unchanged)} unchanged."
    )
    timings.import_seconds = timings.seconds(read_step) + timings.seconds(apply_step)
    return timings


def report(timings: Timings, count: int):
    import django
    import wagtail
    from django.db import connection

    baseline = timings.seconds("a. baseline: bulk_create")
    width = max(len(step) for step, _ in timings.rows)
    print(f"{'step':<{width}}  {'seconds':>8}  {'x baseline':>10}")
    for step, seconds in timings.rows:
        print(f"{step:<{width}}  {seconds:>8.3f}  {seconds / baseline:>10.1f}")
    print()
    print(timings.summary)
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, Django {django.__version__}, "
        f"Wagtail {wagtail.__version__}, {connection.vendor} database."
    )
    verdict = "yes" if timings.import_seconds < TARGET_SECONDS else "NO"
    print(
        f"Importing {count:,} rules (read + plan + apply) took {timings.import_seconds:.2f} s: "
        f"under {TARGET_SECONDS} seconds on this machine: {verdict}."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", type=int, default=2000, help="how many rules the file holds (default 2000)")
    count = parser.parse_args().rules
    timings, setup = on_demo_site(lambda: run(count))
    report(timings, count)
    print(setup)


if __name__ == "__main__":
    main()
