"""The resolved notice document: its content, what it leaves out, and what it costs."""

import json

import pytest

from privacy_notices.document import resolve_hub, resolve_notice
from privacy_notices.models import CookieDeclaration, PrivacyNoticePage, Processor
from retention_schedule.models import RetentionRule
from tests.conftest import section

pytestmark = pytest.mark.django_db


def test_document_holds_every_section_with_its_live_register_entries(
    make_notice, make_processor, make_rule, make_cookie
):
    google = make_processor(
        name="Google", service="Analytics", countries=["GB", "US"], transfer_safeguard="uk_us_data_bridge"
    )
    egress = make_processor(name="Egress", service="Secure email", countries=["GB"])
    rule = make_rule(record_class="Complaint case files", period="P2Y", trigger="the closure of the case")
    ga = make_cookie(name="_ga", category="analytics", provider=google, lifetime="P2Y")
    csrf = make_cookie(name="csrftoken", category="strictly_necessary", lifetime="P1Y")
    make_cookie(name="_hjSession_*", category="analytics", lifetime="PT30M")  # in no chosen category
    notice = make_notice(
        [
            section(
                "purposes",
                heading="Why we use it",
                purposes=[{"purpose": "Handle your complaint", "lawful_basis": "public_task"}],
            ),
            section("sharing", heading="Who sees it", processors=[egress.pk, google.pk]),
            section("retention", heading="How long", rules=[rule.pk]),
            section("transfers", heading="Outside the UK"),
            section("cookies", heading="Cookies", categories=["strictly_necessary"], cookies=[ga.pk]),
            section("rights", heading="Your rights", rights=["access", "complain"]),
            section("automated_decisions", heading="Automated decisions"),
            section("text", heading="More", body='<p>See <a href="https://example.org/">this</a>.</p>'),
        ]
    )

    document = resolve_notice(PrivacyNoticePage.objects.get(pk=notice.pk))

    assert document["title"] == notice.title
    assert document["audience"]["slug"] == "complainants"
    assert document["last_updated"] == notice.last_published_at.date().isoformat()
    assert document["organisation"]["controller"]["name"] == "Northmoor Care Standards Authority"
    assert document["organisation"]["supervisory_authority"]["name"] == "Information Commissioner's Office"
    by_type = {s["type"]: s for s in document["sections"]}
    assert [s["heading"] for s in document["sections"]][:3] == ["Why we use it", "Who sees it", "How long"]
    assert by_type["purposes"]["purposes"][0]["lawful_basis_text"] == "Public task: Article 6(1)(e)"
    assert [p["name"] for p in by_type["sharing"]["processors"]] == ["Egress", "Google"]
    assert by_type["retention"]["rules"][0]["summary"] == "2 years from the closure of the case, then deleted"
    assert [p["name"] for p in by_type["transfers"]["processors"]] == ["Google"]
    groups = by_type["cookies"]["cookie_groups"]
    assert [(g["category"], [c["name"] for c in g["cookies"]]) for g in groups] == [
        ("strictly_necessary", ["csrftoken"]),
        ("analytics", ["_ga"]),
    ]
    assert groups[1]["cookies"][0]["provider"] == "Google"
    assert groups[1]["cookies"][0]["lifetime_text"] == "2 years"
    assert [r["right"] for r in by_type["rights"]["rights"]] == ["access", "complain"]
    assert "automated means" in by_type["automated_decisions"]["details"]
    assert 'href="https://example.org/"' in by_type["text"]["body"]
    assert csrf.pk  # chosen by category, not by id
    # Plain data: the document survives a JSON round trip unchanged.
    assert json.loads(json.dumps(document)) == document


def test_internal_register_fields_never_reach_the_document(make_notice, make_processor):
    processor = make_processor(contract_reference="CON-SECRET-42", internal_notes="Renegotiate: they overcharge")
    document = resolve_notice(make_notice([section("sharing", heading="Who", processors=[processor.pk])]))
    text = json.dumps(document)
    assert "CON-SECRET-42" not in text
    assert "overcharge" not in text
    assert "contract_signed" not in text


def test_draft_register_entries_never_show(make_notice, make_processor, make_rule, make_cookie):
    never_published = make_processor(name="Draft Processor Ltd", draft=True)
    draft_rule = make_rule(record_class="Draft record class", draft=True)
    draft_cookie = make_cookie(name="draft_cookie", category="analytics", draft=True)
    published = make_processor(name="Published Ltd", service="Printing")
    # A draft edit of a published entry: saved as a revision, not published.
    published.service = "DRAFT SERVICE TEXT"
    published.save_revision()
    notice = make_notice(
        [
            section("sharing", heading="Who", processors=[never_published.pk, published.pk]),
            section("retention", heading="How long", rules=[draft_rule.pk]),
            section("cookies", heading="Cookies", categories=["analytics"], cookies=[draft_cookie.pk]),
        ]
    )
    text = json.dumps(resolve_notice(PrivacyNoticePage.objects.get(pk=notice.pk)))
    assert "Published Ltd" in text and "Printing" in text
    for hidden in ("Draft Processor Ltd", "Draft record class", "draft_cookie", "DRAFT SERVICE TEXT"):
        assert hidden not in text


def test_unpublished_entry_disappears_from_the_document(make_notice, make_rule):
    rule = make_rule(record_class="Call recordings")
    notice = make_notice([section("retention", heading="How long", rules=[rule.pk])])
    assert "Call recordings" in json.dumps(resolve_notice(notice))
    rule.unpublish()
    assert "Call recordings" not in json.dumps(resolve_notice(PrivacyNoticePage.objects.get(pk=notice.pk)))


def test_a_cookie_whose_provider_is_a_draft_does_not_name_the_draft(make_notice, make_processor, make_cookie):
    provider = make_processor(name="Secret New Vendor", draft=True)
    make_cookie(name="_vendor", category="analytics", provider=provider, party="third")
    notice = make_notice([section("cookies", heading="Cookies", categories=["analytics"])])
    text = json.dumps(resolve_notice(notice))
    assert "_vendor" in text
    assert "Secret New Vendor" not in text


def test_hub_lists_live_notices_by_audience(hub, make_notice, audience):
    live = make_notice(title="Complainants")
    make_notice(title="Unpublished notice", publish_it=False)
    document = resolve_hub(hub)
    assert [n["title"] for n in document["notices"]] == ["Complainants"]
    assert document["notices"][0]["url"] == live.url
    assert document["notices"][0]["last_updated"] == live.last_published_at.date().isoformat()


def _link_many(count, make_processor, make_rule, make_cookie):
    """Register entries in bulk (live rows, as published entries are)."""
    processors = Processor.objects.bulk_create(
        [
            Processor(
                name=f"Processor {i}", slug=f"bulk-p-{count}-{i}", countries=["GB", "US"], transfer_safeguard="idta"
            )
            for i in range(count)
        ]
    )
    rules = RetentionRule.objects.bulk_create(
        [
            RetentionRule(code=f"BULK-{count}-{i}", record_class=f"Records {i}", period="P1Y", trigger="receipt")
            for i in range(count)
        ]
    )
    cookies = CookieDeclaration.objects.bulk_create(
        [
            CookieDeclaration(
                name=f"c{i}",
                slug=f"bulk-c-{count}-{i}",
                purpose="x",
                category="analytics",
                lifetime="P1Y",
                provider=processors[i],
                party="third",
            )
            for i in range(count)
        ]
    )
    return [
        section("sharing", heading="Who", processors=[p.pk for p in processors]),
        section("retention", heading="How long", rules=[r.pk for r in rules]),
        section("transfers", heading="Abroad"),
        section("cookies", heading="Cookies", cookies=[c.pk for c in cookies]),
    ]


# Page's audience, the site and its settings, then one query per register.
NOTICE_QUERY_BOUND = 7


def test_query_count_is_the_same_for_1_and_200_linked_entries(
    make_notice, make_processor, make_rule, make_cookie, django_assert_max_num_queries, django_assert_num_queries
):
    few = make_notice(_link_many(1, make_processor, make_rule, make_cookie), slug="few")
    many = make_notice(_link_many(200, make_processor, make_rule, make_cookie), slug="many")

    resolve_notice(PrivacyNoticePage.objects.get(pk=few.pk))  # warm the site-root cache, as any served page has
    few_page = PrivacyNoticePage.objects.get(pk=few.pk)
    with django_assert_max_num_queries(NOTICE_QUERY_BOUND) as few_queries:
        few_document = resolve_notice(few_page)
    many_page = PrivacyNoticePage.objects.get(pk=many.pk)
    with django_assert_num_queries(len(few_queries.captured_queries)):
        many_document = resolve_notice(many_page)

    by_type = {s["type"]: s for s in many_document["sections"]}
    assert len(by_type["sharing"]["processors"]) == 200
    assert len(by_type["retention"]["rules"]) == 200
    assert len(by_type["cookies"]["cookie_groups"][0]["cookies"]) == 200
    assert len(by_type["transfers"]["processors"]) == 200
    assert len({s["type"]: s for s in few_document["sections"]}["sharing"]["processors"]) == 1


def test_last_updated_is_the_date_in_the_sites_time_zone(make_notice):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from privacy_notices.versions import VersionCause, record_version

    notice = make_notice(publish_it=False)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    record_version(
        notice, cause=VersionCause.NOTICE_PUBLISHED, published_at=datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))
    )
    assert resolve_notice(PrivacyNoticePage.objects.get(pk=notice.pk))["last_updated"] == "2026-07-01"


def test_transfers_follow_the_order_the_sharing_section_chose(make_notice, make_processor):
    zeta = make_processor(name="Zeta", countries=["US"], transfer_safeguard="idta")
    alpha = make_processor(name="Alpha", countries=["IN"], transfer_safeguard="idta")
    notice = make_notice(
        [section("sharing", heading="Who", processors=[zeta.pk, alpha.pk]), section("transfers", heading="Abroad")]
    )
    transfers = {s["type"]: s for s in resolve_notice(notice)["sections"]}["transfers"]
    assert [p["name"] for p in transfers["processors"]] == ["Zeta", "Alpha"]


def test_where_data_comes_from_is_said_to_the_reader(make_notice):
    notice = make_notice(
        [
            section(
                "personal_data",
                heading="What we collect",
                categories=[{"name": "Your complaint", "kind": "ordinary"}],
                source="both",
                source_details="The care service you complained about.",
            )
        ]
    )
    personal_data = resolve_notice(notice)["sections"][0]
    assert personal_data["source_text"] == "From you, and from other people and organisations"
    assert personal_data["categories"][0]["kind_text"] == "Personal data"
