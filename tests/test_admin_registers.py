"""The DPO's registers through the real Wagtail admin: list, search, filter,
create, edit, publish, and refusal of bad input.

Every test posts to Wagtail's own snippet views with a logged-in superuser, as
a DPO would use them. Register entries have drafts: saving a draft leaves the
row (the published version) alone and stores the change in a revision.
"""

import html

import pytest
from django.urls import reverse

from privacy_notices.models import Audience, CookieDeclaration, Processor
from retention_schedule.models import RetentionRule

pytestmark = pytest.mark.django_db


# Helpers ------------------------------------------------------------------------------


def url(model, view, *args):
    name = f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:{view}"
    return reverse(name, args=args)


def text(response):
    """The response body with HTML entities decoded, to search for messages in."""
    return html.unescape(response.content.decode())


def submit(client, target, data, *, publish=True):
    data = dict(data)
    if publish:
        data["action-publish"] = "action-publish"
    return client.post(target, data)


def refused(response, field, message):
    """Assert the form came back with ``message`` on ``field`` and the page says so."""
    assert response.status_code == 200, "an invalid form is shown again, not saved"
    form = response.context["form"]
    assert field in form.errors, f"expected an error on {field}, got {form.errors!r}"
    assert any(message in error for error in form.errors[field]), form.errors[field]
    body = text(response)
    assert message in body
    assert "could not be" in body  # Wagtail's "... could not be created/saved due to errors."


def rule_data(**overrides):
    data = {
        # What the edit form's "About this change" panel sends by default.
        "change_summary": "",
        "change_materiality": "automatic",
        "code": "COMP-01",
        "record_class": "Complaint case files",
        "business_function": "Complaints",
        "description": "Everything about a complaint.",
        "data_categories": "Names, contact details, the complaint.",
        "period_type": "fixed",
        "period": "P2Y",
        "trigger": "the closure of the case",
        "criteria": "",
        "disposal_action": "delete",
        "authority": "Our records management policy.",
        "exceptions": "",
        "owner": "Complaints team",
        "last_reviewed": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return data


def processor_data(**overrides):
    data = {
        # What the edit form's "About this change" panel sends by default.
        "change_summary": "",
        "change_materiality": "automatic",
        "name": "Egress",
        "slug": "egress",
        "service": "Secure email",
        "role": "processor",
        "purposes": "Sending case papers securely.",
        "data_categories": "Names, email addresses, case papers.",
        "countries": ["GB"],
        "transfer_safeguard": "",
        "safeguard_details": "",
        "privacy_notice_url": "https://www.egress.com/privacy-policy",
        "contract_signed": "",
        "contract_review_due": "",
        "contract_reference": "C-2024-17",
        "internal_notes": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return data


def cookie_data(**overrides):
    data = {
        # What the edit form's "About this change" panel sends by default.
        "change_summary": "",
        "change_materiality": "automatic",
        "name": "_ga",
        "slug": "ga",
        "provider": "",
        "purpose": "Tells visits apart so we can count them.",
        "category": "analytics",
        "party": "first",
        "lifetime": "P2Y",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return data


def audience_data(**overrides):
    data = {
        "name": "Job applicants",
        "slug": "job-applicants",
        "description": "People who apply to work for us.",
        "data_subject": "dpv:JobApplicant",
    }
    data.update(overrides)
    return data


@pytest.fixture
def dpo(client, django_user_model):
    """The client, logged in as a superuser: the DPO who keeps the registers."""
    user = django_user_model.objects.create_superuser("dpo", "dpo@example.com", "pw")
    client.force_login(user)
    return client


# Listing, search and filters ----------------------------------------------------------


class TestListings:
    def test_processor_listing_shows_columns_search_and_filter(self, dpo, make_processor):
        make_processor(
            name="Google",
            service="Website analytics",
            role="independent_controller",
            countries=["US", "GB"],
            transfer_safeguard="uk_us_data_bridge",
        )
        make_processor(name="Egress", service="Secure email", role="processor")

        response = dpo.get(url(Processor, "list"))
        assert response.status_code == 200
        body = text(response)
        for column in ("Name", "Service", "Role", "Data held in", "Status"):
            assert column in body
        assert "Google" in body and "Egress" in body
        assert "United States of America" in body

        response = dpo.get(url(Processor, "list"), {"q": "analytics"})
        assert response.status_code == 200
        assert [str(p) for p in response.context["object_list"]] == ["Google: Website analytics"]

        response = dpo.get(url(Processor, "list"), {"role": "processor"})
        assert [p.name for p in response.context["object_list"]] == ["Egress"]

    def test_retention_rule_listing_shows_columns_search_and_filter(self, dpo, make_rule):
        make_rule(code="COMP-01", record_class="Complaint case files")
        make_rule(
            code="HR-09",
            record_class="Unsuccessful job applications",
            business_function="Recruitment",
            period="P6M",
            trigger="the end of the recruitment campaign",
        )
        make_rule(
            code="BOARD-01",
            record_class="Board minutes",
            business_function="Governance",
            period_type="permanent",
            period="",
            trigger="",
            disposal_action="archive",
        )

        response = dpo.get(url(RetentionRule, "list"))
        assert response.status_code == 200
        body = text(response)
        for column in ("Record class", "Code", "Kept for", "Business function"):
            assert column in body
        assert "2 years from the closure of the case, then deleted" in body
        assert "Kept permanently" in body

        response = dpo.get(url(RetentionRule, "list"), {"q": "applications"})
        assert [r.code for r in response.context["object_list"]] == ["HR-09"]

        response = dpo.get(url(RetentionRule, "list"), {"period_type": "permanent"})
        assert [r.code for r in response.context["object_list"]] == ["BOARD-01"]

        response = dpo.get(url(RetentionRule, "list"), {"period_type": "fixed"})
        codes = sorted(r.code for r in response.context["object_list"])
        assert codes == ["COMP-01", "HR-09"]

    def test_cookie_listing_shows_columns_search_and_filter(self, dpo, make_cookie, make_processor):
        google = make_processor(name="Google", service="Analytics")
        make_cookie(
            name="_ga",
            category="analytics",
            provider=google,
            party="third",
            purpose="Counts visits.",
            lifetime="P2Y",
        )
        make_cookie(name="sessionid", category="strictly_necessary")

        response = dpo.get(url(CookieDeclaration, "list"))
        assert response.status_code == 200
        body = text(response)
        for column in ("Name or pattern", "Category", "Provider", "Expires", "Set by"):
            assert column in body
        assert "Google: Analytics" in body

        response = dpo.get(url(CookieDeclaration, "list"), {"q": "visits"})
        assert [c.name for c in response.context["object_list"]] == ["_ga"]

        response = dpo.get(url(CookieDeclaration, "list"), {"category": "analytics"})
        assert [c.name for c in response.context["object_list"]] == ["_ga"]

    def test_audience_listing_search_and_filter(self, dpo, audience):
        Audience.objects.create(name="Job applicants", slug="job-applicants", data_subject="dpv:JobApplicant")
        response = dpo.get(url(Audience, "list"))
        assert response.status_code == 200
        assert "People who complain" in text(response)

        response = dpo.get(url(Audience, "list"), {"q": "applicants"})
        assert [a.slug for a in response.context["object_list"]] == ["job-applicants"]

        response = dpo.get(url(Audience, "list"), {"data_subject": "dpv:Citizen"})
        assert [a.slug for a in response.context["object_list"]] == ["complainants"]


# Create, draft, publish ---------------------------------------------------------------

# (model, form data builder, field edited, edited value)
REGISTERS = [
    pytest.param(RetentionRule, rule_data, "record_class", "Complaint files", id="rule"),
    pytest.param(Processor, processor_data, "service", "Encrypted email", id="processor"),
    pytest.param(CookieDeclaration, cookie_data, "purpose", "Counts unique visitors.", id="cookie"),
]


@pytest.mark.parametrize(("model", "data", "field", "new_value"), REGISTERS)
class TestPublishingStack:
    def test_the_add_form_loads(self, dpo, model, data, field, new_value):
        response = dpo.get(url(model, "add"))
        assert response.status_code == 200
        assert "action-publish" in response.content.decode()

    def test_create_and_publish(self, dpo, model, data, field, new_value):
        response = submit(dpo, url(model, "add"), data())
        assert response.status_code == 302, response.context and response.context["form"].errors
        entry = model.objects.get()
        assert entry.live
        assert not entry.has_unpublished_changes
        assert entry.revisions.count() == 1
        assert entry.live_revision == entry.latest_revision
        assert entry.first_published_at is not None

    def test_create_as_draft(self, dpo, model, data, field, new_value):
        response = submit(dpo, url(model, "add"), data(), publish=False)
        assert response.status_code == 302
        entry = model.objects.get()
        assert not entry.live
        assert entry.live_revision is None
        assert entry.latest_revision is not None

    def test_edit_as_draft_keeps_the_published_text(self, dpo, model, data, field, new_value):
        submit(dpo, url(model, "add"), data())
        entry = model.objects.get()
        published_value = getattr(entry, field)

        response = submit(dpo, url(model, "edit", entry.pk), data(**{field: new_value}), publish=False)
        assert response.status_code == 302

        entry.refresh_from_db()
        assert getattr(entry, field) == published_value, "the row is the live version"
        assert entry.live
        assert entry.has_unpublished_changes
        assert entry.revisions.count() == 2
        assert getattr(entry.latest_revision.as_object(), field) == new_value
        assert getattr(entry.live_revision.as_object(), field) == published_value

    def test_publish_an_edit(self, dpo, model, data, field, new_value):
        submit(dpo, url(model, "add"), data())
        entry = model.objects.get()
        submit(dpo, url(model, "edit", entry.pk), data(**{field: new_value}), publish=False)

        response = submit(dpo, url(model, "edit", entry.pk), data(**{field: new_value}))
        assert response.status_code == 302

        entry.refresh_from_db()
        assert getattr(entry, field) == new_value
        assert entry.live
        assert not entry.has_unpublished_changes
        assert entry.live_revision == entry.latest_revision
        assert entry.revisions.count() == 3


def test_a_processor_abroad_with_a_safeguard_is_accepted(dpo):
    response = submit(
        dpo,
        url(Processor, "add"),
        processor_data(
            name="Mailchimp",
            slug="mailchimp",
            countries=["US", "GB"],
            transfer_safeguard="uk_us_data_bridge",
        ),
    )
    assert response.status_code == 302
    processor = Processor.objects.get()
    assert [c.code for c in processor.third_countries()] == ["US"]
    assert processor.transfer_safeguard == "uk_us_data_bridge"


def test_a_cookie_lifetime_is_normalised(dpo, make_processor):
    google = make_processor(name="Google", countries=["GB"])
    response = submit(
        dpo,
        url(CookieDeclaration, "add"),
        cookie_data(lifetime=" pt30m ", provider=str(google.pk), party="third"),
    )
    assert response.status_code == 302
    cookie = CookieDeclaration.objects.get()
    assert cookie.lifetime == "PT30M"
    assert cookie.provider == google
    assert cookie.live_revision.as_object().lifetime == "PT30M"


def test_a_lowercase_retention_period_is_normalised(dpo):
    response = submit(dpo, url(RetentionRule, "add"), rule_data(period=" p18m "))
    assert response.status_code == 302
    assert RetentionRule.objects.get().period == "P18M"


@pytest.mark.parametrize(
    ("model", "data", "shown"),
    [
        pytest.param(RetentionRule, rule_data, "Complaint case files", id="rule"),
        pytest.param(Processor, processor_data, "Egress", id="processor"),
        pytest.param(CookieDeclaration, cookie_data, "_ga", id="cookie"),
    ],
)
def test_preview_renders_unsaved_input(dpo, model, data, shown):
    preview_url = url(model, "preview_on_add")

    response = dpo.post(preview_url, data())
    assert response.json() == {"is_valid": True, "is_available": True}
    response = dpo.get(preview_url)

    assert response.status_code == 200
    assert shown in text(response)
    assert model.objects.count() == 0, "previewing saves nothing"


def test_preview_of_bad_input_is_not_offered(dpo):
    response = dpo.post(url(RetentionRule, "preview_on_add"), rule_data(period="2 years"))
    assert response.json()["is_valid"] is False


@pytest.mark.parametrize(
    ("model", "maker", "query"),
    [
        pytest.param(RetentionRule, "make_rule", "Complaint", id="rule"),
        pytest.param(Processor, "make_processor", "Egr", id="processor"),
        pytest.param(CookieDeclaration, "make_cookie", "session", id="cookie"),
    ],
)
def test_history_usage_and_chooser(dpo, request, model, maker, query):
    """The views an editor reaches from an entry, and the chooser a notice's sections use."""
    entry = request.getfixturevalue(maker)()
    assert dpo.get(url(model, "history", entry.pk)).status_code == 200
    assert dpo.get(url(model, "usage", entry.pk)).status_code == 200

    meta = model._meta
    chooser = reverse(f"wagtailsnippetchoosers_{meta.app_label}_{meta.model_name}:choose_results")
    response = dpo.get(chooser, {"q": query})
    assert response.status_code == 200
    assert str(entry) in text(response)
    response = dpo.get(chooser, {"q": "nothing-like-it"})
    assert str(entry) not in text(response)


# Bad input: refused with a message, nothing written -----------------------------------

BAD_RULES = [
    pytest.param({"period": "2 years"}, "period", "“2 years” is not a retention period", id="words"),
    pytest.param({"period": "P1.5Y"}, "period", "“P1.5Y” is not a retention period", id="fraction"),
    pytest.param(
        {"period": "PT3H"},
        "period",
        "A retention period is in years, months, weeks or days",
        id="hours",
    ),
    pytest.param({"period": "P0D"}, "period", "must be longer than zero", id="zero-period"),
    pytest.param({"period": ""}, "period", "Give the retention period", id="fixed-no-period"),
    pytest.param(
        {"trigger": "  "},
        "trigger",
        "Say what the period counts from",
        id="fixed-no-trigger",
    ),
    pytest.param(
        {"period_type": "until_event", "period": "", "criteria": ""},
        "criteria",
        "Describe the criteria",
        id="until-event-no-criteria",
    ),
    pytest.param(
        {"period_type": "permanent", "period": "P10Y", "disposal_action": "archive"},
        "period",
        "Leave the period empty",
        id="permanent-with-period",
    ),
    pytest.param(
        {"period_type": "permanent", "period": "", "trigger": "", "disposal_action": "delete"},
        "disposal_action",
        "Records kept permanently are not deleted or anonymised",
        id="permanent-then-deleted",
    ),
    pytest.param(
        {"period_type": "until_event", "period": "P1Y", "criteria": "Until resolved."},
        "period",
        "Leave the period empty",
        id="until-event-with-period",
    ),
    pytest.param({"record_class": ""}, "record_class", "This field is required", id="no-class"),
    pytest.param({"code": ""}, "code", "This field is required", id="no-code"),
    pytest.param({"code": "COMP 01"}, "code", "Enter a valid “slug”", id="code-with-space"),
    pytest.param(
        {"period_type": "forever"},
        "period_type",
        "Select a valid choice",
        id="unknown-kind-of-period",
    ),
]


class TestRetentionRuleRefusals:
    @pytest.mark.parametrize(("changes", "field", "message"), BAD_RULES)
    def test_create_refused(self, dpo, changes, field, message):
        response = submit(dpo, url(RetentionRule, "add"), rule_data(**changes))
        refused(response, field, message)
        assert RetentionRule.objects.count() == 0

    @pytest.mark.parametrize(("changes", "field", "message"), BAD_RULES)
    def test_edit_refused(self, dpo, make_rule, changes, field, message):
        rule = make_rule(code="COMP-01", record_class="Complaint case files")
        revisions = rule.revisions.count()

        response = submit(dpo, url(RetentionRule, "edit", rule.pk), rule_data(**changes))
        refused(response, field, message)

        rule.refresh_from_db()
        assert (rule.code, rule.record_class, rule.period, rule.period_type) == (
            "COMP-01",
            "Complaint case files",
            "P2Y",
            "fixed",
        )
        assert rule.revisions.count() == revisions
        assert not rule.has_unpublished_changes

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            pytest.param(
                {"period": "2 years"},
                "period",
                "is not a retention period",
                id="words",
            ),
            pytest.param(
                {"period": "PT3H"},
                "period",
                "A retention period is in years",
                id="hours",
            ),
            pytest.param(
                {"period_type": "permanent", "period": "P10Y", "disposal_action": "review"},
                "period",
                "Leave the period empty",
                id="permanent-with-period",
            ),
        ],
    )
    def test_a_draft_is_refused_too(self, dpo, changes, field, message):
        """A draft may be incomplete, but never wrong."""
        response = submit(dpo, url(RetentionRule, "add"), rule_data(**changes), publish=False)
        refused(response, field, message)
        assert RetentionRule.objects.count() == 0

    def test_duplicate_code_refused(self, dpo, make_rule):
        make_rule(code="COMP-01")
        response = submit(
            dpo,
            url(RetentionRule, "add"),
            rule_data(code="COMP-01", record_class="Other"),
        )
        refused(response, "code", "Retention rule with this Code already exists")
        assert RetentionRule.objects.count() == 1


def test_a_draft_rule_needs_its_code(dpo):
    response = submit(dpo, url(RetentionRule, "add"), rule_data(code=""), publish=False)
    refused(response, "code", "This field is required")
    assert RetentionRule.objects.count() == 0


class TestProcessorRefusals:
    def test_data_held_in_the_us_needs_a_safeguard(self, dpo):
        response = submit(dpo, url(Processor, "add"), processor_data(countries=["GB", "US"]))
        refused(
            response,
            "transfer_safeguard",
            "Data is held outside the UK (United States of America): say which safeguard protects the transfer.",
        )
        assert Processor.objects.count() == 0

    def test_editing_in_a_transfer_without_safeguard_is_refused(self, dpo, make_processor):
        processor = make_processor(name="Egress", slug="egress", countries=["GB"])
        revisions = processor.revisions.count()

        response = submit(
            dpo,
            url(Processor, "edit", processor.pk),
            processor_data(countries=["GB", "US"]),
        )
        refused(response, "transfer_safeguard", "Data is held outside the UK")

        processor.refresh_from_db()
        assert [c.code for c in processor.countries] == ["GB"]
        assert processor.revisions.count() == revisions

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            pytest.param({"name": ""}, "name", "This field is required", id="no-name"),
            pytest.param({"slug": ""}, "slug", "This field is required", id="no-code"),
            pytest.param({"slug": "not a slug"}, "slug", "Enter a valid “slug”", id="bad-code"),
            pytest.param({"role": "friend"}, "role", "Select a valid choice", id="bad-role"),
            pytest.param({"countries": ["XX"]}, "countries", "Select a valid choice", id="country"),
            pytest.param(
                {"privacy_notice_url": "not a url"},
                "privacy_notice_url",
                "Enter a valid URL",
                id="bad-url",
            ),
        ],
    )
    def test_bad_fields_refused(self, dpo, changes, field, message):
        response = submit(dpo, url(Processor, "add"), processor_data(**changes))
        refused(response, field, message)
        assert Processor.objects.count() == 0

    def test_duplicate_code_refused(self, dpo, make_processor):
        make_processor(slug="egress")
        response = submit(dpo, url(Processor, "add"), processor_data(slug="egress"))
        refused(response, "slug", "Processor or recipient with this Code already exists")
        assert Processor.objects.count() == 1


class TestCookieRefusals:
    @pytest.mark.parametrize("lifetime", ["forever", "2 years", "P1.5Y", ""])
    def test_invalid_lifetime_refused(self, dpo, lifetime):
        response = submit(dpo, url(CookieDeclaration, "add"), cookie_data(lifetime=lifetime))
        message = "This field is required" if not lifetime else "is not a"
        refused(response, "lifetime", message)
        assert CookieDeclaration.objects.count() == 0

    def test_invalid_lifetime_refused_on_edit(self, dpo, make_cookie):
        cookie = make_cookie(name="_ga", slug="ga", lifetime="P2Y")
        revisions = cookie.revisions.count()
        response = submit(
            dpo,
            url(CookieDeclaration, "edit", cookie.pk),
            cookie_data(lifetime="forever"),
        )
        refused(response, "lifetime", "“forever” is not a")
        cookie.refresh_from_db()
        assert cookie.lifetime == "P2Y"
        assert cookie.revisions.count() == revisions

    def test_the_lifetime_message_fits_a_cookie(self, dpo):
        response = submit(dpo, url(CookieDeclaration, "add"), cookie_data(lifetime="forever"))
        (message,) = response.context["form"].errors["lifetime"]
        assert "session" in message
        assert "retention period" not in message

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            pytest.param({"purpose": ""}, "purpose", "This field is required", id="why"),
            pytest.param({"category": ""}, "category", "This field is required", id="category"),
            pytest.param({"provider": "999999"}, "provider", "Select a valid choice", id="who"),
        ],
    )
    def test_missing_fields_refused(self, dpo, changes, field, message):
        response = submit(dpo, url(CookieDeclaration, "add"), cookie_data(**changes))
        refused(response, field, message)
        assert CookieDeclaration.objects.count() == 0


class TestAudiences:
    def test_create(self, dpo):
        response = dpo.post(url(Audience, "add"), audience_data())
        assert response.status_code == 302
        audience = Audience.objects.get()
        assert (audience.name, audience.slug, audience.data_subject) == (
            "Job applicants",
            "job-applicants",
            "dpv:JobApplicant",
        )

    def test_edit(self, dpo, audience):
        response = dpo.post(
            url(Audience, "edit", audience.pk),
            audience_data(name="People who make a complaint", slug="complainants"),
        )
        assert response.status_code == 302
        audience.refresh_from_db()
        assert audience.name == "People who make a complaint"

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            pytest.param({"name": ""}, "name", "This field is required", id="no-name"),
            pytest.param({"slug": ""}, "slug", "This field is required", id="no-slug"),
            pytest.param(
                {"data_subject": "dpv:Robot"},
                "data_subject",
                "Select a valid choice",
                id="bad-term",
            ),
        ],
    )
    def test_bad_input_refused(self, dpo, changes, field, message):
        response = dpo.post(url(Audience, "add"), audience_data(**changes))
        refused(response, field, message)
        assert Audience.objects.count() == 0

    def test_duplicate_slug_refused(self, dpo, audience):
        response = dpo.post(url(Audience, "add"), audience_data(slug="complainants"))
        refused(response, "slug", "Audience with this Slug already exists")
        assert Audience.objects.count() == 1

    def test_bad_edit_changes_nothing(self, dpo, audience):
        response = dpo.post(url(Audience, "edit", audience.pk), audience_data(name="", slug="x"))
        refused(response, "name", "This field is required")
        audience.refresh_from_db()
        assert (audience.name, audience.slug) == ("People who complain", "complainants")
