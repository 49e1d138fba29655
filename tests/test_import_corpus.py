"""The importer's finders on the real policies the project was built from (the seeds).

For each seed, ``EXPECTED`` lists every finding the policy really states that
the finders are meant to report: retention statements, third parties, cookie
mentions and "last updated" dates. A finding outside the list fails the test
(precision), and so does an entry of the list that nothing was found for
(recall of what the finders claim to read). Statements the finders are known
to miss are listed in ``KNOWN_MISSES``, so the numbers printed by
``test_precision_and_recall`` count them.

The seeds are found at ``$PRIVACY_NOTICES_SEEDS``, else at ``../shared/seeds``
beside the repository; without them this module is skipped.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from privacy_notices.importing.extract import find_all
from privacy_notices.importing.findings import PERMANENT, PROCESSOR, RECIPIENT, UNSPECIFIED
from privacy_notices.importing.outline import read_outline
from privacy_notices.importing.source import MARKDOWN, read_policy

SEEDS = Path(os.environ.get("PRIVACY_NOTICES_SEEDS") or Path(__file__).resolve().parents[1].parent / "shared" / "seeds")

if not SEEDS.is_dir():
    pytest.skip(
        f"The seed policies are not at {SEEDS}: set PRIVACY_NOTICES_SEEDS to the folder that holds them.",
        allow_module_level=True,
    )


@dataclass(frozen=True)
class Expect:
    """One finding a seed states: its kind and the values it must have (``*_has``: a part of the value)."""

    kind: str
    values: tuple[tuple[str, object], ...]

    def matches(self, finding) -> bool:
        if finding.kind != self.kind:
            return False
        data = finding.as_data() | {"words": finding.words.text}
        for key, expected in self.values:
            if key.endswith("_has"):
                if str(expected).lower() not in str(data[key.removesuffix("_has")]).lower():
                    return False
            elif data[key] != expected:
                return False
        return True

    def __str__(self):
        return f"{self.kind} {dict(self.values)}"


def retention(**values):
    return Expect("retention", tuple(values.items()))


def party(name, role, count=1, **values):
    return [Expect("third_party", (("name", name), ("role", role), *values.items()))] * count


def cookie(**values):
    return Expect("cookie", tuple({"name": "", "provider": "", **values}.items()))


def updated(date):
    return Expect("last_updated", (("date", date),))


# Every finding each seed states that the finders report, and how many times.
EXPECTED = {
    # Care Quality Commission, website privacy statement.
    "000": [cookie()],
    # Care Quality Commission, staff guidance on sharing: no retention periods, processors, cookies or dates.
    "001": [],
    # Parliamentary and Health Service Ombudsman, complaints.
    "002": [
        retention(period="P1Y", trigger="making our decision", data_has="your complaint", words="one year"),
        retention(period_type=PERMANENT, data_has="final investigation report", words="permanently"),
        retention(period="P30D", trigger="you started filling in the form", data_has="complaint"),
        retention(period="P30D", trigger="", data_has="recording"),
        *party("Local Government Ombudsman (LGO)", RECIPIENT, words="LGO"),
        updated("2016-10-14"),
    ],
    # A local Healthwatch.
    "003": [
        retention(period_type=UNSPECIFIED, words="at the end of its retention period", data="Personal data"),
        *party("Mailchimp", PROCESSOR, words="MailChimp", service_has="newsletter"),
        *party("Hotjar", PROCESSOR, count=4),
        *party("Healthwatch England", RECIPIENT),
        cookie(),
        cookie(provider="Hotjar", category="analytics"),
    ],
    # Information Commissioner's Office.
    "004": [
        retention(period="P2Y", trigger="", data_has="LiveChat", words="two years"),
        retention(period_type=UNSPECIFIED, data_has="complaint files", words_has="retention policy"),
        retention(period="P2Y", trigger="closure", data="information relating to a complaint", exceptions=""),
        retention(period_type=UNSPECIFIED, data="personal information", words_has="as long as necessary"),
        retention(
            period="P2Y",
            trigger="receipt",
            data="logs and breach reports",
            exceptions="and longer where this information leads to regulatory action being taken",
        ),
        retention(period_type=UNSPECIFIED, data_has="de-personalised", words_has="as long as is necessary"),
        retention(
            period="P12M",
            trigger="the recruitment exercise has been completed",
            data="Personal information about unsuccessful candidates",
        ),
        retention(period_type=UNSPECIFIED, data="the file", trigger_has="employment", words_has="retention schedule"),
        *party("Google Analytics", PROCESSOR, service_has="internet log information"),
        *party("System Associates", PROCESSOR, service_has="search"),
        *party("Adestra", PROCESSOR, service="deliver our monthly e-newsletter"),
        *party("Snap Surveys", PROCESSOR, service_has="online reporting tool"),
        *party("WordPress.com (Automattic)", PROCESSOR, count=2),
        *party("Goss Interactive", PROCESSOR, service_has="LiveChat"),
        *party("Egress", PROCESSOR, count=3),
        cookie(),
        updated("2016-03-31"),
    ],
}

# What the seeds state that the finders do not report, to count recall honestly.
KNOWN_MISSES = {
    "000": [],
    "001": [],
    "002": [],
    "003": [
        "third party: Healthwatch England provides the data system (a processor), said without a cue",
        "third party: the Care Quality Commission, among the bodies 'we work with' in the sharing section",
    ],
    "004": [
        "third party: Snap Surveys, as 'this company is a data processor' (a pronoun)",
        "third party: WordPress, as 'WordPress requires visitors ... name and email address' (no '.com')",
        "third party: the Criminal Records Bureau, from which a 'disclosure' is obtained about applicants",
        "retention: the translation company 'does not retain any information' (kept for no time)",
    ],
}


def _seed(prefix: str) -> Path:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"No seed {prefix}_*.txt in {SEEDS}.")
    return matches[0]


def _findings(prefix: str):
    path = _seed(prefix)
    source = read_policy(path.read_bytes(), path.name)
    outline = read_outline(source)
    return source, outline, find_all(outline)


def _as_read(source, quote) -> str:
    written = source.text[quote.start : quote.end]
    if source.format == MARKDOWN:
        written = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", written)
        written = re.sub(r"[`*]", "", written)
    return " ".join(written.split())


def _describe(finding) -> str:
    values = {key: value for key, value in finding.as_data().items() if key not in ("sentence", "words") and value}
    return f"{values} words={finding.words.text!r}\n    in: {finding.quote.text}"


def _match(expected: list[Expect], found: list):
    """Pair each expected entry with a finding it matches; return the entries and findings left over."""
    unmatched = list(found)
    missing = []
    for entry in expected:
        for finding in unmatched:
            if entry.matches(finding):
                unmatched.remove(finding)
                break
        else:
            missing.append(entry)
    return missing, unmatched


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_findings_are_what_the_policy_states(prefix):
    source, _outline, findings = _findings(prefix)
    found = findings.all()
    missing, extra = _match(EXPECTED[prefix], found)
    message = []
    if extra:
        message.append("Found, but the policy does not state it (a false positive):")
        message.extend(f"  {_describe(finding)}" for finding in extra)
    if missing:
        message.append("Expected, but not found:")
        message.extend(f"  {entry}" for entry in missing)
    assert not message, "\n".join(message)


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_seed_findings_quote_the_policy_exactly(prefix):
    source, _outline, findings = _findings(prefix)
    for finding in findings.all():
        assert _as_read(source, finding.quote) == finding.quote.text, _describe(finding)
        assert source.text[finding.words.start : finding.words.end] == finding.words.text, _describe(finding)
        assert finding.quote.start <= finding.words.start < finding.words.end <= finding.quote.end


def test_seed_latest_updates():
    assert _findings("002")[2].latest_update().date.isoformat() == "2016-10-14"
    assert _findings("004")[2].latest_update().date.isoformat() == "2016-03-31"


def test_seed_own_names_are_never_third_parties():
    for prefix, own in (("004", {"ICO", "Information Commissioner"}), ("003", {"Healthwatch Hertfordshire"})):
        names = {finding.name for finding in _findings(prefix)[2].third_parties}
        assert not names & own


def test_precision_and_recall(capsys):
    """Prints, per seed, precision (found and stated / found) and recall (found / stated, misses included)."""
    lines = []
    for prefix in sorted(EXPECTED):
        _source, _outline, findings = _findings(prefix)
        found = findings.all()
        missing, extra = _match(EXPECTED[prefix], found)
        correct = len(found) - len(extra)
        stated = len(EXPECTED[prefix]) + len(KNOWN_MISSES[prefix])
        precision = correct / len(found) if found else 1.0
        recall = correct / stated if stated else 1.0
        lines.append(
            f"{prefix}: found {len(found)}, correct {correct}, stated {stated} "
            f"(known misses {len(KNOWN_MISSES[prefix])}): precision {precision:.0%}, recall {recall:.0%}"
        )
        assert not extra and not missing, prefix
    with capsys.disabled():
        print("\n" + "\n".join(lines))


# The whole import, as a DPO runs it --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_each_seed_imports_into_reviewable_drafts_in_one_command(prefix, site_root):
    """``import_notice SEED`` on a site with no hub yet: drafts only, every finding shown, nothing live."""
    import io
    import json

    from django.core.management import call_command

    from privacy_notices.pages import PrivacyNoticeIndexPage, PrivacyNoticePage
    from privacy_notices.registers import Processor
    from retention_schedule.models import RetentionRule

    path = _seed(prefix)
    out = io.StringIO()
    call_command("import_notice", str(path), "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["written"] is True and not report["problems"]
    hub = PrivacyNoticeIndexPage.objects.get()
    notices = PrivacyNoticePage.objects.child_of(hub)
    assert notices.count() == len(report["notices"]) >= 1
    assert not hub.live and not notices.filter(live=True).exists()
    assert not RetentionRule.objects.filter(live=True).exists()
    assert not Processor.objects.filter(live=True).exists()
    # Every proposed entry is in the register as a draft, and every notice's findings are in the report.
    assert RetentionRule.objects.count() == len(report["retention_rules"])
    assert Processor.objects.count() == len(report["processors"])
    text = path.read_text(encoding="utf-8")
    for finding in report["findings"]:
        assert text[finding["sentence"]["start"] : finding["sentence"]["end"]]
        assert finding["notice"] == "@hub" or finding["notice"] in {n["audience"] for n in report["notices"]}


@pytest.mark.django_db
def test_the_ico_notice_becomes_a_notice_per_audience_with_its_rules():
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("import_notice", str(_seed("004")), "--dry-run", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    audiences = {notice["audience"] for notice in report["notices"]}
    assert {"site-visitors", "helpline-callers", "complainants", "job-applicants", "breach-reporters"} <= audiences
    assert {"cctv-registrants", "live-chat-users", "people-who-email-us", "people-who-notify-us"} <= audiences
    rules = {(rule["period"], rule["trigger"]) for rule in report["retention_rules"]}
    assert ("P2Y", "closure") in rules and ("P2Y", "receipt") in rules
    assert any(period == "P12M" and "recruitment exercise" in trigger for period, trigger in rules)
    by_audience = {notice["audience"]: notice for notice in report["notices"]}
    assert by_audience["complainants"]["last_updated"] == "2016-03-31"
    hub_headings = [section["heading"] for section in report["hub"]["sections"]]
    assert "Access to personal information" in hub_headings and "How to contact us" in hub_headings
