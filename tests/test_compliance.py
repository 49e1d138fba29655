"""The compliance report: each Article 13 and 14 item found when it is there and reported when it is not.

Every report here is computed from a real notice page, resolved the way the
public page is (``notice_report``), so the checks read what people are told:
a draft register entry does not count, and the organisation's settings and
the hub's rights count where the notice relies on them.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy_notices.compliance import (
    ITEMS,
    MISSING,
    NOT_APPLICABLE,
    PRESENT,
    describe_gaps,
    notice_report,
    reports_for_notices,
)
from privacy_notices.models import PrivacyNoticePage

from .conftest import section

PUBLIC_TASK_RIGHTS = ["access", "rectification", "erasure", "restriction", "objection", "complain"]


def personal_data(source="person", source_details="", requirement="You must give it to complain.", categories=True):
    return section(
        "personal_data",
        heading="The information we collect",
        intro="",
        categories=[{"name": "Contact details", "details": "", "kind": "ordinary"}] if categories else [],
        source=source,
        source_details=source_details,
        requirement=requirement,
    )


def purposes(*items):
    items = items or ({"purpose": "Handling your complaint", "lawful_basis": "public_task"},)
    return section(
        "purposes",
        heading="Why we use it",
        intro="",
        purposes=[
            {
                "purpose": "",
                "details": "",
                "lawful_basis": "",
                "legitimate_interests": "",
                "special_category_condition": "",
                "criminal_offence_condition": "",
                **item,
            }
            for item in items
        ],
    )


def sharing(*processors, others=(), intro=""):
    return section(
        "sharing",
        heading="Who we share it with",
        intro=intro,
        processors=[p.pk for p in processors],
        other_recipients=[{"name": name, "details": ""} for name in others],
    )


def retention(*rules, intro=""):
    return section("retention", heading="How long we keep it", intro=intro, rules=[r.pk for r in rules])


def rights(listed=PUBLIC_TASK_RIGHTS):
    return section("rights", heading="Your rights", intro="", rights=list(listed))


def automated():
    return section("automated_decisions", heading="Automated decisions", uses_automated_decisions=False, details="")


@pytest.fixture
def complete_sections(make_processor, make_rule):
    """Every section a notice relying on a public task needs, from the person."""

    def build(**replace):
        parts = {
            "personal_data": personal_data(),
            "purposes": purposes(),
            "sharing": sharing(make_processor(name="Egress", countries=["GB"])),
            "retention": retention(make_rule()),
            "automated": automated(),
            "rights": rights(),
        }
        parts.update(replace)
        return [value for value in parts.values() if value is not None]

    return build


def statuses(report) -> dict:
    return {item["code"]: item["status"] for item in report["items"]}


def item(report, code) -> dict:
    return next(i for i in report["items"] if i["code"] == code)


def report_for(make_notice, sections, **fields):
    return notice_report(make_notice(sections, **fields))


def test_a_complete_notice_has_every_item(make_notice, complete_sections):
    report = report_for(make_notice, complete_sections())
    assert report["complete"], describe_gaps(report)
    assert report["articles"] == ["13"]
    assert report["missing"] == []
    assert statuses(report) == {
        "controller": PRESENT,
        "dpo": PRESENT,
        "purposes": PRESENT,
        "legitimate_interests": NOT_APPLICABLE,
        "recipients": PRESENT,
        "transfers": NOT_APPLICABLE,
        "retention": PRESENT,
        "rights": PRESENT,
        "withdraw_consent": NOT_APPLICABLE,
        "complaint": PRESENT,
        "requirement": PRESENT,
        "automated_decisions": PRESENT,
        "data_categories": NOT_APPLICABLE,
        "source": NOT_APPLICABLE,
    }
    assert item(report, "purposes")["articles"] == ["13(1)(c)"]
    assert item(report, "purposes")["found_in"]["heading"] == "Why we use it"


def test_an_empty_notice_misses_every_section_item_and_names_the_section_to_add(make_notice):
    report = report_for(make_notice, [])
    assert not report["complete"]
    assert set(report["missing"]) == {
        "purposes",
        "recipients",
        "retention",
        "rights",
        "complaint",
        "requirement",
        "automated_decisions",
    }
    for code in report["missing"]:
        missing = item(report, code)
        assert missing["fix"], code
        assert missing["section_type"] in {
            "purposes",
            "sharing",
            "retention",
            "rights",
            "personal_data",
            "automated_decisions",
        }


@pytest.mark.parametrize(
    ("field", "item_code"),
    [("controller_name", "controller"), ("controller_email", "controller"), ("dpo_email", "dpo")],
)
def test_the_organisation_settings_give_who_we_are_and_the_dpo(
    make_notice, complete_sections, organisation, field, item_code
):
    setattr(organisation, field, "")
    organisation.save()
    report = report_for(make_notice, complete_sections())
    assert report["missing"] == [item_code]
    assert item(report, item_code)["found_in"]["in"] == "organisation"
    assert "Settings" in item(report, item_code)["fix"]


def test_the_dpo_may_be_reached_by_telephone_or_post_instead(make_notice, complete_sections, organisation):
    organisation.dpo_email = ""
    organisation.dpo_phone = "0300 000 0000"
    organisation.save()
    assert report_for(make_notice, complete_sections())["complete"]


def test_a_purpose_without_a_lawful_basis_is_missing(make_notice, complete_sections):
    sections = complete_sections(purposes=purposes({"purpose": "Research", "lawful_basis": ""}))
    report = report_for(make_notice, sections)
    assert report["missing"] == ["purposes"]
    assert "Research" in item(report, "purposes")["detail"]


def test_legitimate_interests_must_be_described(make_notice, complete_sections):
    undescribed = purposes({"purpose": "Improving our service", "lawful_basis": "legitimate_interests"})
    assert report_for(make_notice, complete_sections(purposes=undescribed))["missing"] == ["legitimate_interests"]
    described = purposes(
        {
            "purpose": "Improving our service",
            "lawful_basis": "legitimate_interests",
            "legitimate_interests": "Knowing which pages help people.",
        }
    )
    report = report_for(make_notice, complete_sections(purposes=described))
    assert item(report, "legitimate_interests")["status"] == PRESENT
    assert item(report, "legitimate_interests")["articles"] == ["13(1)(d)"]


def test_recipients_from_the_register_other_recipients_or_a_statement_that_there_are_none(
    make_notice, complete_sections
):
    assert report_for(make_notice, complete_sections(sharing=None))["missing"] == ["recipients"]
    assert report_for(make_notice, complete_sections(sharing=sharing()))["missing"] == ["recipients"]
    assert report_for(make_notice, complete_sections(sharing=sharing(others=["The police"])))["complete"]
    none = sharing(intro="<p>Nobody outside our staff sees it.</p>")
    assert report_for(make_notice, complete_sections(sharing=none))["complete"]


def test_a_draft_processor_is_not_a_recipient_people_are_told_about(make_notice, complete_sections, make_processor):
    draft = make_processor(name="Draft Co", draft=True)
    assert report_for(make_notice, complete_sections(sharing=sharing(draft)))["missing"] == ["recipients"]


@pytest.mark.parametrize(
    ("safeguard", "status"),
    [("idta", PRESENT), ("uk_us_data_bridge", PRESENT), ("", MISSING), ("privacy_shield", MISSING)],
)
def test_a_transfer_outside_the_uk_needs_a_valid_safeguard(
    make_notice, complete_sections, make_processor, safeguard, status
):
    abroad = make_processor(name="Mailchimp", countries=["US"], transfer_safeguard="idta")
    # Written without clean(), as an import or old data would be: the admin's form refuses a missing safeguard.
    type(abroad).objects.filter(pk=abroad.pk).update(transfer_safeguard=safeguard)
    report = report_for(make_notice, complete_sections(sharing=sharing(abroad)))
    assert item(report, "transfers")["status"] == status
    if status == MISSING:
        assert "Mailchimp" in item(report, "transfers")["detail"]


def test_retention_from_the_schedule_or_criteria_in_words(make_notice, complete_sections):
    assert report_for(make_notice, complete_sections(retention=None))["missing"] == ["retention"]
    assert report_for(make_notice, complete_sections(retention=retention()))["missing"] == ["retention"]
    criteria = retention(intro="<p>Until the investigation and any appeal are over.</p>")
    assert report_for(make_notice, complete_sections(retention=criteria))["complete"]


def test_a_draft_rule_does_not_say_how_long(make_notice, complete_sections, make_rule):
    draft = make_rule(code="DRAFT-01", draft=True)
    assert report_for(make_notice, complete_sections(retention=retention(draft)))["missing"] == ["retention"]


def test_the_rights_that_apply_depend_on_the_lawful_basis(make_notice, complete_sections):
    without_objection = rights([r for r in PUBLIC_TASK_RIGHTS if r != "objection"])
    report = report_for(make_notice, complete_sections(rights=without_objection))
    assert report["missing"] == ["rights"]
    assert "Objection" in item(report, "rights")["detail"]

    # Consent: portability and withdrawing consent apply; objection does not.
    consent = purposes({"purpose": "Sending the newsletter", "lawful_basis": "consent"})
    base = ["access", "rectification", "erasure", "restriction", "complain"]
    report = report_for(make_notice, complete_sections(purposes=consent, rights=rights(base)))
    assert set(report["missing"]) == {"rights", "withdraw_consent"}
    assert "Portability" in item(report, "rights")["detail"]
    complete = rights([*base, "portability", "withdraw_consent"])
    report = report_for(make_notice, complete_sections(purposes=consent, rights=complete))
    assert report["complete"], describe_gaps(report)
    assert item(report, "withdraw_consent")["status"] == PRESENT


def test_explicit_consent_for_special_category_data_needs_the_right_to_withdraw(make_notice, complete_sections):
    explicit = purposes(
        {"purpose": "Health research", "lawful_basis": "public_task", "special_category_condition": "a"}
    )
    report = report_for(make_notice, complete_sections(purposes=explicit))
    assert report["missing"] == ["rights", "withdraw_consent"]
    assert "Portability" in item(report, "rights")["detail"]  # Article 20(1)(a) covers explicit consent too


def test_erasure_does_not_apply_to_a_public_task_or_a_legal_obligation(make_notice, complete_sections):
    """Article 17(3)(b): a notice relying only on those bases need not offer erasure."""
    without_erasure = rights([r for r in PUBLIC_TASK_RIGHTS if r != "erasure"])
    assert report_for(make_notice, complete_sections(rights=without_erasure))["complete"]
    interests = purposes(
        {"purpose": "Improving our service", "lawful_basis": "legitimate_interests", "legitimate_interests": "Ours."}
    )
    report = report_for(make_notice, complete_sections(purposes=interests, rights=without_erasure))
    assert report["missing"] == ["rights"]
    assert "Erasure" in item(report, "rights")["detail"]


@pytest.mark.parametrize(
    ("kind", "condition", "words"),
    [
        ("special", {"special_category_condition": "g"}, "Article 9(2)"),
        ("criminal", {"criminal_offence_condition": "Schedule 1, paragraph 6"}, "Schedule 1"),
    ],
)
def test_special_category_and_criminal_offence_data_need_their_condition(
    make_notice, complete_sections, kind, condition, words
):
    data = personal_data()
    data["value"]["categories"][0]["kind"] = kind
    report = report_for(make_notice, complete_sections(personal_data=data))
    assert report["missing"] == ["purposes"]
    assert words in item(report, "purposes")["detail"]
    with_condition = purposes({"purpose": "Handling your complaint", "lawful_basis": "public_task", **condition})
    assert report_for(make_notice, complete_sections(personal_data=data, purposes=with_condition))["complete"]


def test_the_uk_us_data_bridge_covers_the_united_states_only(make_notice, complete_sections, make_processor):
    in_india = make_processor(name="Outsourcer", countries=["IN"], transfer_safeguard="uk_us_data_bridge")
    report = report_for(make_notice, complete_sections(sharing=sharing(in_india)))
    assert report["missing"] == ["transfers"]
    in_the_us = make_processor(name="Certified Inc", countries=["US"], transfer_safeguard="uk_us_data_bridge")
    assert report_for(make_notice, complete_sections(sharing=sharing(in_the_us)))["complete"]


def test_the_right_to_complain_and_the_authority_to_complain_to(make_notice, complete_sections, organisation):
    no_complaint = rights([r for r in PUBLIC_TASK_RIGHTS if r != "complain"])
    assert report_for(make_notice, complete_sections(rights=no_complaint))["missing"] == ["complaint"]
    organisation.authority_name = ""
    organisation.save()
    report = report_for(make_notice, complete_sections())
    assert report["missing"] == ["complaint"]
    assert item(report, "complaint")["found_in"]["in"] == "organisation"


def test_rights_listed_on_the_hub_count_for_a_notice_with_none_of_its_own(make_notice, complete_sections, hub):
    assert set(report_for(make_notice, complete_sections(rights=None))["missing"]) == {"rights", "complaint"}
    hub.sections = [("rights", {"heading": "Your rights", "rights": PUBLIC_TASK_RIGHTS})]
    hub.save_revision().publish()
    report = report_for(make_notice, complete_sections(rights=None))
    assert report["complete"], describe_gaps(report)
    assert item(report, "rights")["found_in"] == {
        "in": "hub",
        "section_id": item(report, "rights")["found_in"]["section_id"],
        "heading": "Your rights",
    }


def test_whether_people_must_provide_it_is_an_article_13_item_only(make_notice, complete_sections):
    assert report_for(make_notice, complete_sections(personal_data=personal_data(requirement="")))["missing"] == [
        "requirement"
    ]
    from_others = personal_data(source="others", source_details="Care services send it to us.", requirement="")
    report = report_for(make_notice, complete_sections(personal_data=from_others))
    assert report["articles"] == ["14"]
    assert item(report, "requirement")["status"] == NOT_APPLICABLE
    assert report["complete"], describe_gaps(report)
    assert item(report, "purposes")["articles"] == ["14(1)(c)"]


def test_automated_decisions_must_be_addressed(make_notice, complete_sections):
    assert report_for(make_notice, complete_sections(automated=None))["missing"] == ["automated_decisions"]


def test_article_14_items_when_information_comes_from_others(make_notice, complete_sections):
    both = personal_data(source="both", source_details="")
    report = report_for(make_notice, complete_sections(personal_data=both))
    assert report["articles"] == ["13", "14"]
    assert report["missing"] == ["source"]
    assert item(report, "purposes")["articles"] == ["13(1)(c)", "14(1)(c)"]
    assert item(report, "data_categories")["status"] == PRESENT

    no_categories = personal_data(source="others", source_details="Councils.", categories=False)
    report = report_for(make_notice, complete_sections(personal_data=no_categories))
    assert report["missing"] == ["data_categories"]
    assert item(report, "data_categories")["articles"] == ["14(1)(d)"]


def test_every_item_has_an_article_a_title_and_a_way_to_fix_it():
    codes = [i.code for i in ITEMS]
    assert len(codes) == len(set(codes)) == 14
    for checklist_item in ITEMS:
        assert checklist_item.article_13 or checklist_item.article_14
        assert str(checklist_item.title) and str(checklist_item.fix)


def test_the_reports_for_many_notices_cost_a_fixed_number_of_queries(
    make_notice, complete_sections, make_processor, make_rule
):
    def count(n):
        for _ in range(n):
            make_notice(
                complete_sections(sharing=sharing(make_processor(), make_processor()), retention=retention(make_rule()))
            )
        pages = list(PrivacyNoticePage.objects.all())
        reports_for_notices(pages)  # warm per-process caches (site root paths), as a running site has
        with CaptureQueriesContext(connection) as queries:
            reports = reports_for_notices(pages)
        assert len(reports) == len(pages)
        for page in pages:  # the same report as one notice's, one at a time
            assert reports[page.pk] == notice_report(page)
        return len(queries)

    assert count(2) == count(20)


def test_the_report_for_many_notices_reads_each_drafts_latest_revision(make_notice, complete_sections):
    notice = make_notice(complete_sections())
    page = PrivacyNoticePage.objects.get(pk=notice.pk)
    page.sections = []
    page.save_revision()
    page.refresh_from_db()
    assert not reports_for_notices([page])[page.pk]["complete"]
    assert notice_report(PrivacyNoticePage.objects.get(pk=notice.pk))["complete"]  # the live page is unchanged


def test_the_notice_json_carries_its_compliance_report(client, make_notice, complete_sections):
    notice = make_notice(complete_sections(automated=None))
    data = client.get(notice.url, HTTP_ACCEPT="application/json").json()
    assert data["compliance"]["complete"] is False
    assert data["compliance"]["missing"] == ["automated_decisions"]
    assert data["compliance"] == notice_report(notice)


def test_the_reports_for_many_drafts_cost_a_fixed_number_of_queries(make_notice, complete_sections, make_processor):
    def count(n):
        for _ in range(n):
            make_notice(complete_sections(sharing=sharing(make_processor())), publish_it=False)
        pages = list(PrivacyNoticePage.objects.all())
        reports_for_notices(pages)  # warm per-process caches (site root paths), as a running site has
        with CaptureQueriesContext(connection) as queries:
            reports = reports_for_notices(pages)
        for page in pages:  # the same report as one draft's, one at a time
            assert reports[page.pk] == notice_report(page.get_latest_revision_as_object())
        return len(queries)

    assert count(2) == count(20)
