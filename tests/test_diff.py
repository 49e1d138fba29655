"""What changed between two versions of a notice: the plain data (privacy_notices.diff) and the @diff page."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest

from privacy_notices.diff import diff_documents, diff_lines, section_lines
from privacy_notices.models import NoticeVersion, PrivacyNoticePage
from privacy_notices.versions import VersionCause, record_version
from tests.conftest import section
from tests.test_history import get_ok, soup_of, text_of, words
from tests.test_versions import publish_edit

LONDON = ZoneInfo("Europe/London")


def rule_data(record_class="Complaint case files", summary="2 years from the closure of the case, then deleted"):
    return {"record_class": record_class, "summary": summary, "period_text": summary.split(" from")[0]}


def retention(rules, heading="How long we keep it", id="ret"):
    return {"type": "retention", "id": id, "heading": heading, "intro": "", "rules": rules}


def text(body, heading="Changes to this notice", id="txt"):
    return {"type": "text", "id": id, "heading": heading, "body": body}


def document(*sections, title="Complainants' privacy notice", summary="How we use your information."):
    return {"type": "PrivacyNotice", "title": title, "summary": summary, "sections": list(sections)}


def by_heading(diff):
    return {entry["heading"]: entry for entry in diff["sections"]}


def ops(lines):
    return [(line["op"], line["text"]) for line in lines]


class TestDiffData:
    def test_identical_documents_have_no_changes(self):
        doc = document(retention([rule_data()]), text("<p>We review it yearly.</p>"))
        diff = diff_documents(doc, json.loads(json.dumps(doc)))
        assert diff["changed"] is False
        assert [entry["status"] for entry in diff["sections"]] == ["unchanged", "unchanged"]
        assert diff["fields"] == [] and diff["contact"] == []

    def test_an_added_section(self):
        old = document(retention([rule_data()]))
        new = document(retention([rule_data()]), text("<p>We review it yearly.</p><ul><li>In March</li></ul>"))
        entry = by_heading(diff_documents(old, new))["Changes to this notice"]
        assert entry["status"] == "added"
        assert ops(entry["lines"]) == [
            ("insert", "Changes to this notice"),
            ("insert", "We review it yearly."),
            ("insert", "• In March"),
        ]

    def test_a_removed_section_shows_where_it_was(self):
        first, second, third = (
            text("<p>A</p>", "First", "1"),
            text("<p>B</p>", "Second", "2"),
            text("<p>C</p>", "Third", "3"),
        )
        diff = diff_documents(document(first, second, third), document(first, third))
        assert [(e["heading"], e["status"]) for e in diff["sections"]] == [
            ("First", "unchanged"),
            ("Second", "removed"),
            ("Third", "unchanged"),
        ]
        assert ops(diff["sections"][1]["lines"]) == [("delete", "Second"), ("delete", "B")]

    def test_a_changed_retention_period_marks_the_changed_words(self):
        old = document(retention([rule_data(summary="1 year from the closure of the case, then deleted")]))
        new = document(retention([rule_data(summary="2 years from the closure of the case, then deleted")]))
        entry = diff_documents(old, new)["sections"][0]
        assert entry["status"] == "changed"
        assert ops(entry["lines"]) == [
            ("delete", "Complaint case files: 1 year from the closure of the case, then deleted"),
            ("insert", "Complaint case files: 2 years from the closure of the case, then deleted"),
        ]
        removed, added = entry["lines"][0]["segments"], entry["lines"][1]["segments"]
        assert [s["text"] for s in removed if s["op"] == "delete"] == ["1 year"]
        assert [s["text"] for s in added if s["op"] == "insert"] == ["2 years"]
        assert "".join(s["text"] for s in added) == entry["lines"][1]["text"]

    def test_a_change_of_spacing_alone_is_no_change(self):
        diff = diff_documents(document(summary="One.  Two."), document(summary="One. Two.\n"))
        assert diff["fields"] == [] and diff["changed"] is False

    def test_a_changed_title_and_summary(self):
        diff = diff_documents(document(title="Old title"), document(title="New title", summary="Shorter."))
        fields = {field["field"]: field for field in diff["fields"]}
        assert (fields["title"]["old"], fields["title"]["new"]) == ("Old title", "New title")
        assert ops(fields["title"]["lines"]) == [("delete", "Old title"), ("insert", "New title")]
        assert fields["summary"]["new"] == "Shorter."
        assert diff["changed"] is True

    def test_sections_match_by_id_when_the_heading_is_reworded(self):
        old = document(text("<p>Same</p>", heading="Changes", id="a"))
        new = document(text("<p>Same</p>", heading="Changes to this notice", id="a"))
        (entry,) = diff_documents(old, new)["sections"]
        assert (entry["status"], entry["old_heading"], entry["heading"]) == (
            "changed",
            "Changes",
            "Changes to this notice",
        )
        # The heading is the only change: the unchanged body is not repeated.
        assert ops(entry["lines"]) == [("delete", "Changes"), ("insert", "Changes to this notice")]

    def test_sections_without_ids_match_by_type_and_heading(self):
        old = document(text("<p>Old words</p>", id=None), retention([], id=None))
        new = document(retention([], id=None), text("<p>New words</p>", id=None))
        statuses = {entry["type"]: entry["status"] for entry in diff_documents(old, new)["sections"]}
        assert statuses == {"retention": "unchanged", "text": "changed"}

    def test_a_section_recreated_with_a_new_id_still_matches_by_heading(self):
        old = document(text("<p>A</p>", id="old-id"))
        new = document(text("<p>A</p>", id="new-id"))
        assert [e["status"] for e in diff_documents(old, new)["sections"]] == ["unchanged"]

    def test_long_runs_of_unchanged_lines_are_folded(self):
        before = [f"Line {n}" for n in range(20)]
        after = before[:10] + ["Line ten, reworded"] + before[11:]
        lines = diff_lines(before, after)
        assert [line["op"] for line in lines] == [
            "skip",
            "equal",
            "equal",
            "delete",
            "insert",
            "equal",
            "equal",
            "skip",
        ]
        assert (lines[0]["count"], lines[-1]["count"]) == (8, 7)

    def test_every_section_type_reads_as_plain_lines(self):
        sections = [
            {
                "type": "personal_data",
                "heading": "What we collect",
                "categories": [{"name": "Health", "kind": "special", "kind_text": "Special category data"}],
                "source_text": "From you",
            },
            {
                "type": "purposes",
                "heading": "Why",
                "purposes": [{"purpose": "To investigate", "lawful_basis_text": "Public task"}],
            },
            {
                "type": "sharing",
                "heading": "Who",
                "processors": [
                    {
                        "name": "Egress",
                        "service": "Secure email",
                        "role_text": "Processor",
                        "countries": [{"name": "United Kingdom"}],
                        "transfer_safeguard_text": "Not needed",
                    }
                ],
                "other_recipients": [{"name": "The Ombudsman", "details": "If you ask."}],
            },
            {
                "type": "cookies",
                "heading": "Cookies",
                "cookie_groups": [
                    {
                        "category_text": "Strictly necessary",
                        "cookies": [{"name": "sessionid", "lifetime_text": "2 weeks", "purpose": "Signs you in."}],
                    }
                ],
            },
            {"type": "rights", "heading": "Rights", "rights": [{"text": "Your right of access"}]},
            {"type": "transfers", "heading": "Abroad", "processors": []},
        ]
        lines = [section_lines(s) for s in sections]
        assert lines[0] == ["What we collect", "Health (Special category data)", "Where we get it from: From you"]
        assert lines[1] == ["Why", "To investigate: our lawful basis is Public task"]
        assert lines[2] == [
            "Who",
            "Egress (Secure email): Processor; held in United Kingdom; safeguard: Not needed",
            "The Ombudsman: If you ask.",
        ]
        assert lines[3] == ["Cookies", "sessionid (Strictly necessary; expires: 2 weeks): Signs you in."]
        assert lines[4] == ["Rights", "Your right of access"]
        assert lines[5][1].startswith("None of the organisations")

    def test_old_or_unknown_snapshot_shapes_never_fail(self):
        odd = {"type": "something_removed", "heading": "Old block", "value": {"words": "<p>Kept <b>text</b></p>"}}
        diff = diff_documents({"sections": [odd, "not a section"]}, {"title": "T", "sections": None})
        assert [(e["heading"], e["status"]) for e in diff["sections"]] == [("Old block", "removed")]
        assert ops(diff["sections"][0]["lines"]) == [("delete", "Old block"), ("delete", "Kept text")]
        assert diff_documents({}, {})["changed"] is False

    def test_the_result_is_plain_json(self):
        old = document(retention([rule_data()]), title="A")
        new = document(text("<p>x</p>"), title="B")
        diff = diff_documents(old, new)
        assert json.loads(json.dumps(diff)) == diff


# The page ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def changed_notice(make_notice, make_rule):
    """Version 1: a retention rule of 1 year and a section about cookies. Latest: 2 years, no cookies, a new section."""
    rule = make_rule(record_class="Complaint case files", period="P1Y", trigger="the closure of the case")
    retention_section = section("retention", heading="How long we keep it", rules=[rule.pk])
    cookies_section = section("text", heading="Cookies", body="<p>We set one cookie.</p>")
    notice = make_notice([retention_section, cookies_section], slug="complainants", title="Complaints notice")
    rule.period = "P2Y"
    rule.save_revision().publish()
    new_section = section("text", heading="Changes to this notice", body="<p>We review this notice every year.</p>")
    notice = publish_edit(
        notice,
        change="We keep case files for 2 years, and no longer set cookies.",
        title="Privacy notice for complainants",
        sections=json.dumps([retention_section, new_section]),
    )
    return notice


def latest_number(notice):
    return NoticeVersion.objects.filter(notice=notice).latest("number").number


@pytest.mark.django_db
class TestDiffPage:
    def test_shows_the_changed_retention_period_with_ins_del_and_words(self, client, changed_notice):
        latest = latest_number(changed_notice)
        soup = soup_of(get_ok(client, f"/privacy/complainants/@diff/1/{latest}"))
        section = next(s for s in soup.select(".pn-diff-section") if "How long we keep it" in s.h3.get_text())
        assert "Changed" in section.h3.get_text()
        removed = section.select_one(".pn-diff__line--delete")
        added = section.select_one(".pn-diff__line--insert")
        assert words(removed) == "Removed: Complaint case files: 1 year from the closure of the case, then deleted"
        assert words(added) == "Added: Complaint case files: 2 years from the closure of the case, then deleted"
        assert removed.find("del").strong.get_text() == "1 year"
        assert added.find("ins").strong.get_text() == "2 years"

    def test_shows_an_added_and_a_removed_section(self, client, changed_notice):
        latest = latest_number(changed_notice)
        soup = soup_of(get_ok(client, f"/privacy/complainants/@diff/1/{latest}"))
        sections = {words(s.h3): s for s in soup.select(".pn-diff-section")}
        added = sections["Changes to this notice New section"]
        assert [words(li) for li in added.select("li")] == [
            "Added: Changes to this notice",
            "Added: We review this notice every year.",
        ]
        assert all(li.find("ins") for li in added.select("li"))
        removed = sections["Cookies Section removed"]
        assert [words(li) for li in removed.select("li")] == ["Removed: Cookies", "Removed: We set one cookie."]
        assert all(li.find("del") for li in removed.select("li"))

    def test_shows_a_changed_title(self, client, changed_notice):
        latest = latest_number(changed_notice)
        soup = soup_of(get_ok(client, f"/privacy/complainants/@diff/1/{latest}"))
        title = next(s for s in soup.select(".pn-diff-section") if s.h3.get_text().strip().startswith("Title"))
        assert words(title.find(class_="pn-diff__line--delete")) == "Removed: Complaints notice"
        assert words(title.find(class_="pn-diff__line--insert")) == "Added: Privacy notice for complainants"
        assert title.find("del") and title.find("ins")

    def test_labels_say_added_and_removed_in_words(self, client, changed_notice):
        soup = soup_of(get_ok(client, f"/privacy/complainants/@diff/1/{latest_number(changed_notice)}"))
        for line in soup.select(".pn-diff__line--insert"):
            assert line.find(class_="pn-diff__label").get_text() == "Added:" and line.find("ins")
        for line in soup.select(".pn-diff__line--delete"):
            assert line.find(class_="pn-diff__label").get_text() == "Removed:" and line.find("del")
        assert "Text we added is marked Added:" in words(soup.select_one(".pn-diff-key"))

    def test_lists_the_change_summaries_of_the_versions_between(self, client, changed_notice):
        latest = latest_number(changed_notice)
        text = text_of(get_ok(client, f"/privacy/complainants/@diff/1/{latest}"))
        assert "We keep case files for 2 years, and no longer set cookies." in text
        assert "First published" not in text  # version 1 is where the comparison starts
        assert f"What changed from version 1 to version {latest}" in text

    def test_two_versions_that_say_the_same_thing(self, client, make_notice):
        notice = make_notice(slug="same")
        record_version(notice, cause=VersionCause.NOTICE_PUBLISHED, summary="Republished", material=False)
        response = get_ok(client, "/privacy/same/@diff/1/2")
        assert "The two versions say the same thing" in text_of(response)
        assert response["X-Robots-Tag"] == "noindex"

    def test_the_changes_between_several_versions(self, client, make_notice):
        notice = make_notice(publish_it=False, slug="several")
        PrivacyNoticePage.objects.filter(pk=notice.pk).update(live=True)
        for day in range(1, 5):
            record_version(
                notice,
                cause=VersionCause.NOTICE_PUBLISHED,
                summary=f"Change on day {day}",
                published_at=datetime.datetime(2026, 1, day, 9, tzinfo=LONDON),
            )
        soup = soup_of(get_ok(client, "/privacy/several/@diff/2/4"))
        assert [words(p) for p in soup.select(".pn-changes li > p:not(.pn-changes__title)")] == [
            "Change on day 3",
            "Change on day 4",
        ]
        assert [words(p) for p in soup.select(".pn-changes__title")] == [
            "Version 3, 3 January 2026 Material change",
            "Version 4, 4 January 2026 Material change",
        ]

    @pytest.mark.parametrize("address", ["@diff/1/9", "@diff/9/10", "@diff/0/1", "@diff/1/99999999999999999999999"])
    def test_unknown_versions_are_404(self, client, changed_notice, address):
        response = client.get("/privacy/complainants/" + address)
        assert response.status_code == 404
        assert "This notice has no version" in text_of(response)

    @pytest.mark.parametrize("address", ["@diff/2/1", "@diff/1/1"])
    def test_versions_in_the_wrong_order_are_400(self, client, changed_notice, address):
        response = client.get("/privacy/complainants/" + address)
        assert response.status_code == 400
        assert "Versions in the wrong order" in text_of(response)

    def test_the_wrong_order_suggests_the_right_one(self, client, changed_notice):
        text = text_of(client.get("/privacy/complainants/@diff/2/1"))
        assert "/privacy/complainants/@diff/1/2 shows what changed from version 1 to version 2" in text
