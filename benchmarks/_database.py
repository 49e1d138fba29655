"""A fresh database for one benchmark run (shared by the scripts; not a benchmark itself)."""

import os
import sys
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
# As manage.py does: the demo project's package lives in site/, the apps at the top.
sys.path[:0] = [str(REPO_DIR / "site"), str(REPO_DIR)]


# The made-up retention rules the benchmarks add to the demo's, varied so filters and groups have work to do.
FUNCTIONS = ["Complaints", "Recruitment", "Finance", "Governance", "Inspections", "Premises", "Communications", ""]
PERIODS = ["P30D", "P6M", "P1Y", "P2Y", "P3Y", "P6Y", "P7Y", "P15Y"]
TRIGGERS = ["the closure of the case", "the end of the financial year", "receipt", "the end of employment"]
ACTIONS = ["delete", "anonymise", "review", "archive"]


def bench_rule_fields(number: int) -> dict:
    """The fields of made-up retention rule ``number`` (code BENCH-00001 and on)."""
    return {
        "code": f"BENCH-{number:05d}",
        "record_class": f"Case files of kind {number}",
        "business_function": FUNCTIONS[number % len(FUNCTIONS)],
        "description": f"Letters, forms and notes kept for case kind {number}, on paper and in the case system.",
        "data_categories": "Contact details, the case, sometimes health information.",
        "period_type": "fixed",
        "period": PERIODS[number % len(PERIODS)],
        "trigger": TRIGGERS[number % len(TRIGGERS)],
        "disposal_action": ACTIONS[number % len(ACTIONS)],
        "authority": "Records management policy, section 4",
        "owner": "Records team",
        "review_interval": "P1Y",
    }


def set_up_database(var_dir: Path):
    """Settings pointing at a new, empty database, migrated. Returns a function that removes it."""
    os.environ["PRIVACY_VAR_DIR"] = str(var_dir)  # read by the settings: the SQLite file goes here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_site.settings.dev")
    import django
    from django.conf import settings

    django.setup()
    # DEBUG keeps every query in memory, which would slow the steps and grow with the work done.
    settings.DEBUG = False
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return lambda: None
    # Never write into the database DATABASE_URL names: make a new one beside it, as the test runner does.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"privacy_bench_{os.getpid()}"
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return lambda: connection.creation.destroy_test_db(original_name, verbosity=0)


def on_demo_site(work):
    """Run ``work()`` on a fresh, migrated database with the demo content loaded, then remove the database.

    Returns what ``work`` returned and a line saying how long the set-up (not measured) took.
    """
    import io
    import shutil
    import tempfile
    import time

    var_dir = Path(tempfile.mkdtemp(prefix="privacy-bench-"))
    try:
        started = time.perf_counter()
        tear_down = set_up_database(var_dir)
        try:
            from django.core.management import call_command

            migrated = time.perf_counter()
            call_command("load_demo_content", verbosity=0, stdout=io.StringIO())
            loaded = time.perf_counter()
            result = work()
        finally:
            tear_down()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    setup = f"Set-up, not measured above: migrating {migrated - started:.1f} s, demo content {loaded - migrated:.1f} s."
    return result, setup
