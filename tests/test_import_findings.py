"""The importer's finders on small policies written for these tests, in Markdown, HTML and plain text.

Each test checks the values found and that every finding points at the right
place: ``source.text[start:end]`` is the sentence (markup aside) and, exactly,
the words the finding rests on.
"""

import datetime
import html
import re

import pytest

from privacy_notices.importing.cookies_mentioned import find_cookies
from privacy_notices.importing.dates import find_last_updated
from privacy_notices.importing.extract import find_all
from privacy_notices.importing.findings import PERMANENT, PROCESSOR, RECIPIENT, UNSPECIFIED
from privacy_notices.importing.outline import read_outline
from privacy_notices.importing.retention_statements import find_retention
from privacy_notices.importing.source import HTML, MARKDOWN, read_policy
from privacy_notices.importing.third_parties import find_third_parties, own_names_in
from privacy_notices.retention_checks import period_spans, periods_in_text


def outline_of(text: str, name: str):
    return read_outline(read_policy(text, name))


def as_read(source, quote) -> str:
    """The passage a quote points at, with markup removed and white space collapsed, as a person reads it."""
    written = source.text[quote.start : quote.end]
    if source.format == HTML:
        written = html.unescape(re.sub(r"<[^>]*>", " ", written))
        written = re.sub(r"\s+([.,;:])", r"\1", written)
    elif source.format == MARKDOWN:
        written = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", written)
        written = re.sub(r"[`*]", "", written)
    return " ".join(written.split())


def assert_points_at_itself(outline, findings):
    source = outline.source
    for finding in findings:
        assert as_read(source, finding.quote) == finding.quote.text, finding
        assert source.text[finding.words.start : finding.words.end] == finding.words.text, finding
        assert finding.words.text in finding.quote.text
        assert finding.quote.start <= finding.words.start < finding.words.end <= finding.quote.end


# Retention ----------------------------------------------------------------------------------------

RETENTION_MARKDOWN = """\
# Privacy notice | Northfield Housing Trust

## Tenancy records

We keep **tenancy files** for six years after the tenancy ends, or longer where a claim is still open.
Rent statements will be retained for 24 months from the date of issue.
This information is stored securely.
It will be held for P3Y.

## Job applicants

Applications from people we do not appoint are deleted 6 months after the vacancy closes.

## Complaints

We keep complaint files in line with our retention schedule.
We keep a register of complaints indefinitely, and call recordings for 90 days.
"""


def test_retention_in_markdown():
    outline = outline_of(RETENTION_MARKDOWN, "notice.md")
    found = find_retention(outline)
    assert_points_at_itself(outline, found)
    summary = [(f.period_type, f.period.iso if f.period else None, f.words.text, f.trigger, f.data) for f in found]
    assert summary == [
        ("fixed", "P6Y", "six years", "the tenancy ends", "tenancy files"),
        ("fixed", "P24M", "24 months", "issue", "Rent statements"),
        ("fixed", "P3Y", "P3Y", "", "Tenancy records"),  # "It": the section says what
        ("fixed", "P6M", "6 months", "the vacancy closes", "Applications from people we do not appoint"),
        (UNSPECIFIED, None, "in line with our retention schedule", "", "complaint files"),
        (PERMANENT, None, "indefinitely", "", "a register of complaints"),
        ("fixed", "P90D", "90 days", "", "call recordings"),
    ]
    assert found[0].exceptions == "or longer where a claim is still open"
    assert found[0].section == "Tenancy records"
    assert all(finding.as_data()["kind"] == "retention" for finding in found)
    assert found[0].as_data()["period"] == "P6Y"


RETENTION_TEXT = """\
How long we keep your information

  • We keep your enquiry for one year after we close it. At that point we delete it, except for the
    following, which we keep permanently:
    • the decision letter
    • a summary of the case;
  • If you start an online form and do not send it, we store what you typed for 14 days after you started it.
  • We retain payment records only for as long as necessary to meet our legal duties.

Other things

We aim to reply within 20 working days. Our 24-hour answerphone takes messages, and our monthly e-newsletter is free.
We do not keep information about children under 13 years old. This is required by the Data Protection Act 1998.
We review our records every two years. We will permanently delete your account when you ask us to.
"""


def test_retention_in_plain_text():
    outline = outline_of(RETENTION_TEXT, "policy.txt")
    found = find_retention(outline)
    assert_points_at_itself(outline, found)
    assert [(f.period_type, f.period.iso if f.period else None, f.trigger) for f in found] == [
        ("fixed", "P1Y", "we close it"),
        (PERMANENT, None, ""),
        ("fixed", "P14D", "you started it"),
        (UNSPECIFIED, None, ""),
    ]
    # "the following, which we keep permanently:" keeps the list that follows, and only that list.
    assert found[1].data == "the decision letter; a summary of the case"
    assert found[1].words.text == "permanently"
    assert found[2].data == "what you typed"
    assert found[3].data == "payment records"
    assert found[3].words.text == "for as long as necessary"


RETENTION_HTML = """\
<html><body>
<h1>Privacy policy</h1>
<h2>Keeping your data</h2>
<ul>
<li>Council tax records: kept for <em>six years</em> after the account closes.</li>
<li>CCTV footage is deleted or securely destroyed after 31 days.</li>
<li>Planning files are retained permanently.</li>
</ul>
<p>Personal data is destroyed at the end of its retention period.</p>
<p>You have 28 days to appeal &amp; we hold meetings every 3 months.</p>
</body></html>
"""


def test_retention_in_html():
    outline = outline_of(RETENTION_HTML, "policy.html")
    found = find_retention(outline)
    assert_points_at_itself(outline, found)
    assert [(f.period_type, f.words.text, f.data, f.trigger) for f in found] == [
        ("fixed", "six years", "Council tax records", "the account closes"),
        ("fixed", "31 days", "CCTV footage", ""),
        (PERMANENT, "permanently", "Planning files", ""),
        (UNSPECIFIED, "at the end of its retention period", "Personal data", ""),
    ]
    # The words are exactly where the input writes them, inside the <em>.
    source = outline.source
    assert source.text[found[0].words.start - 4 : found[0].words.start] == "<em>"


def test_period_spans_give_offsets_and_periods_in_text_is_unchanged():
    text = "We keep it for 1 year and 6 months, then P30D."
    spans = period_spans(text)
    assert [(text[start:end], period.iso) for start, end, period in spans] == [
        ("1 year and 6 months", "P1Y6M"),
        ("P30D", "P30D"),
    ]
    assert [(words, period.iso) for words, period in periods_in_text(text)] == [
        ("1 year and 6 months", "P1Y6M"),
        ("P30D", "P30D"),
    ]


# Third parties --------------------------------------------------------------------------------------

THIRD_PARTIES_HTML = """\
<!DOCTYPE html>
<html><body>
<h1>Privacy notice | Brookside Advice Service</h1>
<p>Brookside Advice Service ("we") is the data controller. The Pensions Advisory Board (PAB) funds some of our work.</p>
<h2>Who we work with</h2>
<p>We use a third party provider, Quillmail, to send our quarterly bulletin.</p>
<p>Our booking form is hosted by Formstack Europe Ltd.
We use <a href="https://mailchimp.com">MailChimp</a> to send reminders.</p>
<p>We may share your case notes with the Pensions Advisory Board (PAB) if you agree.
To do this, we send your file to PAB.</p>
<p>We share information with the Department for Work and Pensions (DWP), HM Revenue and Customs (HMRC) and your MP.</p>
<p>We may disclose details to the Police. We do not share your data with Facebook.</p>
<p>Cloudvault is a data processor for us. Cloudvault stores the files on our behalf.</p>
<p>What can I share with Citizens Advice?</p>
<p>We follow the Data Protection Act 2018, the UK GDPR and our Information Charter, and report to Parliament.</p>
<p>Brookside Advice Service staff read every message. For more, see Quillmail’s privacy notice.</p>
</body></html>
"""


def test_third_parties_in_html():
    outline = outline_of(THIRD_PARTIES_HTML, "notice.html")
    found = find_third_parties(outline)
    assert_points_at_itself(outline, found)
    assert [(f.name, f.role, f.words.text) for f in found] == [
        ("Quillmail", PROCESSOR, "Quillmail"),
        ("Formstack Europe Ltd", PROCESSOR, "Formstack Europe Ltd"),
        ("Mailchimp", PROCESSOR, "MailChimp"),
        ("Pensions Advisory Board (PAB)", RECIPIENT, "Pensions Advisory Board (PAB)"),
        ("Pensions Advisory Board (PAB)", RECIPIENT, "PAB"),
        ("Department for Work and Pensions (DWP)", RECIPIENT, "Department for Work and Pensions (DWP)"),
        ("HM Revenue and Customs (HMRC)", RECIPIENT, "HM Revenue and Customs (HMRC)"),
        ("Cloudvault", PROCESSOR, "Cloudvault"),
        ("Cloudvault", PROCESSOR, "Cloudvault"),
    ]
    services = {f.name: f.service for f in found if f.service}
    assert services == {
        "Quillmail": "send our quarterly bulletin",
        "Formstack Europe Ltd": "host our booking form",
        "Mailchimp": "send reminders",
    }


def test_own_names_come_from_the_title_and_the_controller_sentence():
    outline = outline_of(THIRD_PARTIES_HTML, "notice.html")
    assert {"Brookside Advice Service", "BAS"} <= own_names_in(outline)
    # A name the organisation gives itself elsewhere (its settings) is never reported either.
    found = find_third_parties(outline, own_names=["Quillmail"])
    assert "Quillmail" not in {f.name for f in found}


THIRD_PARTIES_MARKDOWN = """\
# Privacy statement | Riverside Trust

## Newsletters

We use a third-party supplier called Sendwell to deliver our newsletter. Our surveys are run by SurveyMonkey.
Our website search is powered by Findly. We use Hotjar to understand how people use our pages.
Hotjar stores this information on our behalf. Follow us on Twitter.
The information we give to the Regional Health Forum contains no personally identifiable data.
"""


def test_third_parties_in_markdown():
    outline = outline_of(THIRD_PARTIES_MARKDOWN, "statement.md")
    found = find_third_parties(outline)
    assert_points_at_itself(outline, found)
    assert [(f.name, f.role, f.service) for f in found] == [
        ("Sendwell", PROCESSOR, "deliver our newsletter"),
        ("SurveyMonkey", PROCESSOR, "run our surveys"),
        ("Findly", PROCESSOR, "power our website search"),
        ("Hotjar", PROCESSOR, "understand how people use our pages"),
        ("Hotjar", PROCESSOR, ""),
    ]
    assert all(f.section == "Newsletters" for f in found)


THIRD_PARTIES_TEXT = """\
Sharing your information

We pass your details to Northgate Lettings Ltd, Kings Court, London Road, Stevenage, SG1 2NG.
Your complaint may be sent to the Housing Ombudsman Service.
We use Microsoft Word to write letters.
"""


def test_third_parties_in_plain_text():
    outline = outline_of(THIRD_PARTIES_TEXT, "policy.txt")
    found = find_third_parties(outline)
    assert_points_at_itself(outline, found)
    # An address after a name is not a list of organisations; a word processor is not a service.
    assert [(f.name, f.role) for f in found] == [
        ("Northgate Lettings Ltd", RECIPIENT),
        ("Housing Ombudsman Service", RECIPIENT),
    ]


# Cookies -----------------------------------------------------------------------------------------------

COOKIES_MARKDOWN = """\
# Cookies on our site

## How we use cookies

Our website uses cookies. Some of them are analytics cookies.
We set the `_ga` and `_gid` cookies, and a `fb_seen` cookie to remember that you closed the banner.
We use a cookie called "prefs_v2" to remember your settings. PHPSESSID keeps you signed in.
We use Hotjar to see how pages are used. Hotjar uses cookies to collect this.

## Forms

Our forms do not use cookies.
The sessionid of a form is a random number.
"""


def test_cookies_in_markdown():
    outline = outline_of(COOKIES_MARKDOWN, "cookies.md")
    parties = find_third_parties(outline)
    found = find_cookies(outline, parties)
    assert_points_at_itself(outline, found)
    assert [(f.name, f.provider, f.category, f.words.text) for f in found] == [
        ("", "", "", "cookies"),  # one general mention for the section, not one per sentence
        ("_ga", "Google Analytics", "analytics", "_ga"),
        ("_gid", "Google Analytics", "analytics", "_gid"),
        ("fb_seen", "", "", "fb_seen"),
        ("prefs_v2", "", "", "prefs_v2"),
        ("PHPSESSID", "", "strictly_necessary", "PHPSESSID"),
        ("", "Hotjar", "analytics", "Hotjar"),
    ]


COOKIES_HTML = """\
<html><body><h1>Cookie policy</h1>
<p>This site sets <code>ASP.NET_SessionId</code>, which is strictly necessary, and <code>_hjSessionUser_123</code>.</p>
<p>We use <strong>Google Analytics</strong> cookies to count visits, including __utma.</p>
<p>Advertising cookies such as _fbp are only set with your consent.</p>
</body></html>
"""


def test_cookies_in_html():
    outline = outline_of(COOKIES_HTML, "cookies.html")
    found = find_cookies(outline, find_third_parties(outline))
    assert_points_at_itself(outline, found)
    assert [(f.name, f.provider, f.category) for f in found] == [
        ("ASP.NET_SessionId", "", "strictly_necessary"),
        ("_hjSessionUser_123", "Hotjar", "analytics"),
        # The sentence names a Google Analytics cookie: no second mention of Google Analytics for it.
        ("__utma", "Google Analytics", "analytics"),
        ("_fbp", "Meta (Facebook)", "marketing"),
    ]


def test_cookies_in_plain_text():
    text = "Cookies\n\nWe use strictly necessary cookies only. We do not use analytics cookies.\n"
    outline = outline_of(text, "cookies.txt")
    found = find_cookies(outline, [])
    assert_points_at_itself(outline, found)
    assert [(f.name, f.provider, f.category) for f in found] == [("", "", "strictly_necessary")]


# Dates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "words", "date"),
    [
        ("This notice was last updated on 31 March 2016.", "31 March 2016", datetime.date(2016, 3, 31)),
        ("We review it and we last updated it on 14 October 2016.", "14 October 2016", datetime.date(2016, 10, 14)),
        ("Last updated: June 23, 2015.", "June 23, 2015", datetime.date(2015, 6, 23)),
        ("This page was updated 14/10/2016 by the team.", "14/10/2016", datetime.date(2016, 10, 14)),
        ("Updated 06/23/2015 for the new form.", "06/23/2015", datetime.date(2015, 6, 23)),
        ("Last reviewed 1st May 2020 by our DPO.", "1st May 2020", datetime.date(2020, 5, 1)),
        ("Date of last update: 2019-05-01.", "2019-05-01", datetime.date(2019, 5, 1)),
        ("Updated: March 2021.", "March 2021", datetime.date(2021, 3, 1)),
    ],
)
def test_last_updated_formats(sentence, words, date):
    outline = outline_of(f"# Privacy notice\n\n## Changes\n\nWe may change this notice. {sentence}\n", "notice.md")
    found = find_last_updated(outline)
    assert_points_at_itself(outline, found)
    assert [(f.words.text, f.date, f.section) for f in found] == [(words, date, "Changes")]


def test_last_updated_leaves_out_the_future_the_distant_past_and_other_dates():
    next_year = datetime.date.today().year + 1
    text = (
        "<html><body><h1>Privacy</h1>"
        f"<p>Last updated on 1 January {next_year}.</p>"
        "<p>Updated 1 May 1985.</p>"
        "<p>The page was archived on 2016-11-07. The Data Protection Act 1998 applies.</p>"
        "<p>Last&nbsp;updated: <b>2 February 2022</b>.</p>"
        "</body></html>"
    )
    outline = outline_of(text, "policy.html")
    found = find_last_updated(outline)
    assert_points_at_itself(outline, found)
    assert [f.date for f in found] == [datetime.date(2022, 2, 2)]


def test_last_updated_on_a_heading_line_of_plain_text():
    text = "Privacy policy\n\nWe collect your name.\n\nLast updated: June 23, 2015\n\nWe keep it safe.\n"
    outline = outline_of(text, "policy.txt")
    found = find_last_updated(outline)
    assert_points_at_itself(outline, found)
    assert [f.date for f in found] == [datetime.date(2015, 6, 23)]


# Everything at once ------------------------------------------------------------------------------------------


def test_find_all_collects_every_kind_and_names_cookie_providers_from_third_parties():
    text = """\
# Privacy notice | Lakeside Museum

## Visitors

We use Hotjar to improve our pages. Hotjar uses cookies.
Tickets are sold through Ticketline Ltd, which is a data processor for us, and booking records are kept
for 2 years after your visit.

## Changes

This notice was last updated on 3 April 2023.
"""
    outline = outline_of(text, "notice.md")
    findings = find_all(outline, own_names=["Lakeside Museum"])
    assert [f.name for f in findings.third_parties] == ["Hotjar", "Hotjar"]
    assert [(c.provider, c.category) for c in findings.cookies] == [("Hotjar", "analytics")]
    assert [(r.period.iso, r.trigger, r.data) for r in findings.retention] == [("P2Y", "your visit", "booking records")]
    assert findings.latest_update().date == datetime.date(2023, 4, 3)
    everything = findings.all()
    assert [f.kind for f in everything] == ["third_party", "third_party", "cookie", "retention", "last_updated"]
    assert everything == sorted(everything, key=lambda f: (f.quote.start, f.words.start))
    assert_points_at_itself(outline, everything)
    assert everything[3].as_data()["period"] == "P2Y"


# Speed ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "We use " + "A" * 100_000,
        "We share data with " + "Aa " * 30_000,
        "cookie " + "_a" * 50_000,
        "We keep " + "for two years " * 7_000,
        "We keep it permanently and " * 4_000,
        "(" * 50_000 + "hosted by " + "Abc (" * 10_000,
        "We use WordPress" + ".com" * 25_000,
        "Last updated " * 8_000,
        "".join(f"Our site is hosted by Abc{i} Xyz. Abc{i} Xyz stores personal data.\n" for i in range(1_500)),
    ],
    ids=["capitals", "words", "underscores", "periods", "permanent", "brackets", "dots", "updated", "names"],
)
def test_a_100_kb_policy_is_read_however_it_is_written(text):
    # Inputs that made earlier regexes backtrack for minutes. No timing is asserted (benchmarks/import_policy.py
    # measures speed); a regression shows as this test hanging.
    outline = outline_of(text, "policy.md")
    find_all(outline)
