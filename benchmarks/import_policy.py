"""How long importing a 100 kB privacy policy takes, against rendering the same Markdown to HTML.

    .venv/bin/python benchmarks/import_policy.py [--kilobytes 100]

Runs in a fresh database it creates and removes (see benchmarks/README.md),
with the demo content loaded, so the import links some of what it finds to
register entries that already exist, as on a real site. The policy is
generated: about 30 audience sections of some 3 kB, each with what is
collected, why, retention sentences, a named supplier, cookies and who it is
shared with, then the sections for everyone; in Markdown and in HTML.

Steps, all in one run:

a. baseline: python-markdown rendering the Markdown policy to HTML (the least any importer does);
b. reading and outlining it (decoding, headings, sentences and their offsets);
c. finding retention statements, third parties, cookies and dates;
d. planning the import (audiences, sections, register entries, links to existing ones);
e. writing the drafts (``apply_plan``, one transaction);
f. the same, b to e, for the HTML policy.

It measures; it does not judge. It exits 0 however long the steps take, and
says on its last line whether each import (b to e) took under 2 seconds here.
"""

import argparse
import os
import platform
import time

from _database import on_demo_site  # benchmarks/_database.py, beside this script

TARGET_SECONDS = 2
AUDIENCES = [
    "People who make a complaint to us",
    "People who call our helpline",
    "People who email us",
    "People who use our live chat",
    "Visitors to our websites",
    "People who subscribe to our newsletter",
    "Job applicants and former employees",
    "People who register a CCTV camera",
    "People who report a data breach",
]
PERIODS = ["two years", "12 months", "30 days", "six years", "one calendar year", "18 months"]
TRIGGERS = ["from the closure of the case", "after the recruitment exercise", "from receipt", "after our decision"]


NATO = [
    "Alpha",
    "Bravo",
    "Charlie",
    "Delta",
    "Echo",
    "Foxtrot",
    "Golf",
    "Hotel",
    "India",
    "Juliett",
    "Kilo",
    "Lima",
    "Mike",
    "November",
    "Oscar",
    "Papa",
]


def supplier(number: int) -> str:
    """A supplier's name, different for each audience (names, like real ones, without digits)."""
    return f"Northwind {NATO[number % len(NATO)]} {NATO[number // len(NATO) % len(NATO)]} Mailing"


def audience_heading(number: int) -> str:
    if number < len(AUDIENCES):
        return AUDIENCES[number]
    return f"People who take part in our community programme {number}"


def policy_markdown(kilobytes: int) -> str:
    """A policy of about ``kilobytes`` kB: audience sections, then the sections for everyone."""
    parts = ["# Privacy notice", "", "This notice explains how we use the information people give us.", ""]
    number = 0
    while sum(len(part) + 1 for part in parts) < kilobytes * 1000 - 3000:
        period = PERIODS[number % len(PERIODS)]
        trigger = TRIGGERS[number % len(TRIGGERS)]
        parts += [
            f"## {audience_heading(number)}",
            "",
            "When you contact us we record your name, your contact details and what you tell us, on our case "
            "management system. We use it to answer you and to check the quality of our service.",
            "",
            "### The information we collect",
            "",
            *[
                f"  * {item};"
                for item in (
                    "your name, address, email address and telephone number",
                    "what you tell us about the care you or someone close to you received",
                    "the names of staff and services involved, where you give them",
                    "any documents you send us, such as letters, photographs or records",
                    "notes of our conversations with you and with the service",
                    "information about your health, where it is part of what happened",
                )
            ],
            "",
            "### How we use it",
            "",
            "We use the information to look into what you tell us, to decide whether we need to act, and to "
            "keep you informed. We may use it, without your name, to report on the quality of care in the area "
            "and to train our staff. We rely on our public task under the law that sets us up, and, for health "
            "information, on the substantial public interest in the regulation of care. If you do not give us "
            "the information we need, we may not be able to look into your concerns.",
            "",
            f"We use a third party provider, {supplier(number)}, to send our letters and emails on our behalf.",
            "",
            "### How long we keep it",
            "",
            f"We keep the records of your enquiry for {period} {trigger}, and then delete them.",
            "",
            "Final reports are kept permanently, as part of the public record.",
            "",
            "Where a matter leads to legal proceedings, we keep the records until the proceedings end, then apply "
            "the period above. We review the records we keep every year and delete what we no longer need.",
            "",
            "### Cookies",
            "",
            "Our forms set a session cookie called `csrftoken` to keep them secure, and Google Analytics sets "
            "the _ga cookie to count visits.",
            "",
            "### Who we share it with",
            "",
            f"We may share details of your case with the {NATO[number % len(NATO)]} Care Board when we need "
            "its advice.",
            "",
            *[
                "  * the organisation you told us about, where we need to ask it questions;",
                "  * our auditors, who check our accounts and our casework;",
                "  * the police, where the law requires it.",
                "",
            ],
            "We do not sell your information, and we do not send it outside the United Kingdom. Everyone who "
            "works for us, or on our behalf, must keep it confidential, and our systems are checked every year "
            "by an independent assessor.",
            "",
        ]
        number += 1
    parts += [
        "## Your rights",
        "",
        "You can ask for a copy of your information, ask us to correct it or delete it, and object to our use "
        "of it. You can complain to the Information Commissioner's Office.",
        "",
        "## Changes to this notice",
        "",
        "We keep this notice under review. It was last updated on 31 March 2025.",
        "",
    ]
    return "\n".join(parts)


def run(kilobytes: int):
    import markdown

    text = policy_markdown(kilobytes)
    html = markdown.markdown(text)
    rows = []

    def measure(step, work):
        started = time.perf_counter()
        result = work()
        rows.append((step, time.perf_counter() - started))
        return result

    measure("a. baseline: Markdown to HTML", lambda: markdown.markdown(text))
    totals = {}
    summary = []
    for label, data, name in (("Markdown", text, "policy.md"), ("HTML", html, "policy.html")):
        before = len(rows)
        findings, plan = import_once("b-e" if label == "Markdown" else "f", label, data, name, measure)
        # plan_import outlines and finds again itself, so one import is read + plan + write.
        totals[label] = sum(
            seconds for step, seconds in rows[before:] if ": outline" not in step and ": find" not in step
        )
        summary.append(
            f"{label}: {len(data) / 1000:.0f} kB, {len(findings.all())} findings, {len(plan.notices)} notices, "
            f"{len(plan.rules)} retention rules, {len(plan.processors)} processors, {len(plan.cookies)} cookies."
        )
    return rows, totals, summary


def import_once(prefix, label, data, name, measure):
    """Import the policy once, timing each step, then undo it so the next import starts from the same site."""
    from django.db import transaction
    from wagtail.models import Site

    from privacy_notices.importing.apply import apply_plan
    from privacy_notices.importing.extract import find_all
    from privacy_notices.importing.outline import read_outline
    from privacy_notices.importing.plan import plan_import
    from privacy_notices.importing.source import read_policy
    from privacy_notices.pages import PrivacyNoticeIndexPage

    with transaction.atomic():
        # A hub of its own: every audience gets a new draft notice, while the register entries the demo
        # already has are linked as on a real site (the demo hub has a notice with a change waiting).
        hub = PrivacyNoticeIndexPage(title="Imported notices", slug="imported", live=False)
        Site.objects.get(is_default_site=True).root_page.add_child(instance=hub)
        source = measure(f"{prefix}. {label}: read", lambda: read_policy(data.encode(), name))
        outline = measure(f"{prefix}. {label}: outline", lambda: read_outline(source))
        findings = measure(f"{prefix}. {label}: find", lambda: find_all(outline))
        plan = measure(f"{prefix}. {label}: plan (outlines and finds again)", lambda: plan_import(source, hub=hub))
        if not plan.can_apply:
            raise SystemExit("The generated policy cannot be imported:\n" + "\n".join(plan.problems))
        measure(f"{prefix}. {label}: write drafts", lambda: apply_plan(plan))
        transaction.set_rollback(True)
    return findings, plan


def report(rows, totals, summary):
    import django
    import wagtail
    from django.db import connection

    baseline = rows[0][1]
    width = max(len(step) for step, _ in rows)
    print(f"{'step':<{width}}  {'seconds':>8}  {'x baseline':>10}")
    for step, seconds in rows:
        print(f"{step:<{width}}  {seconds:>8.3f}  {seconds / baseline:>10.1f}")
    print()
    for line in summary:
        print(line)
    print(
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, Django {django.__version__}, "
        f"Wagtail {wagtail.__version__}, {connection.vendor} database."
    )
    verdicts = ", ".join(
        f"{label} {seconds:.2f} s ({'yes' if seconds < TARGET_SECONDS else 'NO'})" for label, seconds in totals.items()
    )
    print(f"Importing the policy (read + plan + write) under {TARGET_SECONDS} seconds on this machine: {verdicts}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kilobytes", type=int, default=100, help="the policy's size in kB (default 100)")
    kilobytes = parser.parse_args().kilobytes
    result, setup = on_demo_site(lambda: run(kilobytes))
    report(*result)
    print(setup)


if __name__ == "__main__":
    main()
