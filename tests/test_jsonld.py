"""The JSON-LD forms of the notices and of the retention schedule, read as RDF.

Each test fetches the JSON-LD at its real address and expands it with a JSON-LD
processor (PyLD) whose document loader refuses every fetch: if the context were
remote, expansion would fail. Assertions are on the resulting triples, so they
hold whatever the JSON-LD's shape or prefixes.
"""

import json

import pytest
from pyld import jsonld

from privacy_notices.jsonld import notice_jsonld
from retention_schedule.jsonld import schedule_jsonld, xsd_duration
from retention_schedule.models import RetentionSchedulePage
from tests.conftest import section

pytestmark = pytest.mark.django_db

LD = "application/ld+json"
DPV = "https://w3id.org/dpv#"
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
LOC = "https://w3id.org/dpv/loc#"
TECH = "https://w3id.org/dpv/tech#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _no_fetch(url, options=None):
    raise AssertionError(f"The JSON-LD made the processor fetch {url}: its @context must be inline.")


class Graph:
    """The triples of a JSON-LD document: IRIs and blank nodes as strings, literals as (value, datatype)."""

    def __init__(self, document):
        options = {"documentLoader": _no_fetch}
        assert jsonld.expand(document, options), "the document expands to nothing"
        self.nquads = jsonld.to_rdf(document, {**options, "format": "application/n-quads"})
        self.triples = {
            (self._term(quad["subject"]), self._term(quad["predicate"]), self._term(quad["object"]))
            for quad in jsonld.parse_nquads(self.nquads)["@default"]
        }

    @staticmethod
    def _term(node):
        if node["type"] == "literal":
            return (node["value"], node.get("datatype"))
        return node["value"]

    def objects(self, subject, predicate) -> set:
        return {o for s, p, o in self.triples if s == subject and p == predicate}

    def subjects(self, predicate, obj) -> set:
        return {s for s, p, o in self.triples if p == predicate and o == obj}

    def one(self, subject, predicate):
        (value,) = self.objects(subject, predicate)
        return value

    def types(self, subject) -> set:
        return self.objects(subject, RDF_TYPE)

    def texts(self, subject, predicate) -> set:
        return {o[0] for o in self.objects(subject, predicate) if isinstance(o, tuple)}

    def handling(self, notice) -> str:
        (handling,) = self.subjects(DPV + "hasNotice", notice)
        assert DPV + "PersonalDataHandling" in self.types(handling)
        return handling

    def durations(self, storage) -> list:
        """(types, value) of each duration of a storage condition."""
        return [
            (self.types(d), next(iter(self.objects(d, RDF_VALUE)), None))
            for d in self.objects(storage, DPV + "hasDuration")
        ]


def get_jsonld(client, url) -> dict:
    """The JSON-LD at ``url``: the same body by ``?format=jsonld`` and by ``Accept``, served as application/ld+json."""
    by_accept = client.get(url, HTTP_ACCEPT=LD)
    by_format = client.get(url, {"format": "jsonld"})
    for response in (by_accept, by_format):
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        assert response["Content-Type"].split(";")[0] == LD
    assert by_accept.content == by_format.content
    return json.loads(by_format.content)


@pytest.fixture
def schedule_page(site_root):
    page = RetentionSchedulePage(title="Retention schedule", slug="retention-schedule", live=False)
    site_root.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def entries(make_processor, make_rule, make_cookie):
    microsoft = make_processor(
        name="Microsoft",
        slug="microsoft-365",
        service="Email and documents",
        countries=["GB", "US"],
        transfer_safeguard="uk_addendum",
        safeguard_details="The UK Addendum in Microsoft's Data Protection Addendum.",
    )
    shield = make_processor(
        name="Old Survey Co",
        slug="old-survey-co",
        role="independent_controller",
        countries=["GB", "US"],
        transfer_safeguard="privacy_shield",
    )
    return {
        "microsoft": microsoft,
        "shield": shield,
        "draft_processor": make_processor(name="Draft Processor Ltd", slug="draft-processor", draft=True),
        "files": make_rule(code="COMP-03", record_class="Complaint investigation files", period="P2Y"),
        "reports": make_rule(
            code="COMP-04",
            record_class="Final investigation reports",
            period_type="permanent",
            period="",
            trigger="",
            disposal_action="archive",
        ),
        "forms": make_rule(code="COMP-01", record_class="Unsent complaint forms", period="P6W"),
        "draft_rule": make_rule(code="DRAFT-01", record_class="Draft record class", draft=True),
        "ga": make_cookie(name="_ga", slug="ga", category="analytics", provider=microsoft, lifetime="P2Y"),
        "session": make_cookie(name="sessionid", slug="sessionid", lifetime="session"),
    }


@pytest.fixture
def notice(make_notice, schedule_page, entries):
    return make_notice(
        [
            section(
                "personal_data",
                heading="What we collect",
                source="both",
                source_details="The care service you complained about.",
                requirement="You do not have to give us your name.",
                categories=[{"name": "Contact details", "kind": "ordinary"}],
            ),
            section(
                "purposes",
                heading="Why",
                purposes=[
                    {
                        "purpose": "Investigating complaints",
                        "lawful_basis": "public_task",
                        "special_category_condition": "g",
                    },
                    {
                        "purpose": "Improving our service",
                        "lawful_basis": "legitimate_interests",
                        "legitimate_interests": "Learning from complaints.",
                    },
                ],
            ),
            section(
                "sharing",
                heading="Who sees it",
                processors=[entries["microsoft"].pk, entries["shield"].pk, entries["draft_processor"].pk],
                other_recipients=[{"name": "Your MP", "details": "If you complained through your MP."}],
            ),
            section("transfers", heading="Outside the UK"),
            section(
                "retention",
                heading="How long",
                rules=[entries["files"].pk, entries["reports"].pk, entries["forms"].pk, entries["draft_rule"].pk],
            ),
            section("cookies", heading="Cookies", cookies=[entries["ga"].pk, entries["session"].pk]),
            section("rights", heading="Your rights", rights=["access", "erasure", "withdraw_consent", "complain"]),
            section("text", heading="More", body="<p>Ask us anything.</p>"),
        ],
        slug="complainants",
    )


@pytest.fixture
def graph(client, notice):
    return Graph(get_jsonld(client, notice.url))


NOTICE = "http://testserver/privacy/complainants/"
SCHEDULE = "http://testserver/retention-schedule/"
MICROSOFT = "http://testserver/privacy/@processors#microsoft-365"


def test_the_notice_is_a_dpv_privacy_notice_of_both_kinds(graph):
    assert graph.types(NOTICE) == {
        DPV + "PrivacyNotice",
        GDPR + "DirectDataCollectionNotice",
        GDPR + "IndirectDataCollectionNotice",
    }
    assert graph.texts(NOTICE, "http://purl.org/dc/terms/title") == {"Complainants' privacy notice"}
    assert graph.one(NOTICE, "https://schema.org/version") == ("1", XSD + "integer")
    (modified,) = graph.objects(NOTICE, "http://purl.org/dc/terms/modified")
    assert modified[1] == XSD + "date"


def test_controller_dpo_and_authority(graph):
    controller = graph.one(NOTICE, DPV + "hasDataController")
    handling = graph.handling(NOTICE)
    assert graph.one(handling, DPV + "hasDataController") == controller
    assert graph.texts(controller, DPV + "hasName") == {"Northmoor Care Standards Authority"}
    contact = graph.one(controller, DPV + "hasContact")
    assert graph.texts(contact, "https://schema.org/email") == {"enquiries@northmoor.example"}
    dpo = graph.one(controller, DPV + "hasDataProtectionOfficer")
    assert graph.texts(dpo, DPV + "hasName") == {"Data Protection Officer"}
    # The ICO, by the settings' defaults, is DPV's term for the UK's authority.
    assert graph.objects(handling, DPV + "hasAuthority") == {"https://w3id.org/dpv/legal/gb#DPA-GB"}


def test_data_subject_purposes_and_legal_bases(graph):
    handling = graph.handling(NOTICE)
    assert graph.objects(handling, DPV + "hasDataSubject") == {DPV + "Citizen"}
    bases = {
        graph.texts(purpose, "http://purl.org/dc/terms/title").pop(): graph.objects(purpose, DPV + "hasLegalBasis")
        for purpose in graph.objects(handling, DPV + "hasPurpose")
    }
    public_task = bases["Investigating complaints"]
    assert {GDPR + "A6-1-e", DPV + "PublicInterest", GDPR + "A9-2-g"} <= public_task
    interests = bases["Improving our service"]
    assert {GDPR + "A6-1-f", DPV + "LegitimateInterest"} <= interests
    described = [b for b in interests if b.startswith("_:")]
    assert [graph.texts(b, "http://purl.org/dc/terms/description") for b in described] == [
        {"Learning from complaints."}
    ]
    (category,) = graph.objects(handling, DPV + "hasPersonalData")
    assert graph.texts(category, "http://purl.org/dc/terms/title") == {"Contact details"}
    assert graph.texts(handling, "http://purl.org/dc/terms/source") == {"The care service you complained about."}


def test_processors_recipients_third_countries_and_safeguards(graph):
    handling = graph.handling(NOTICE)
    assert graph.objects(handling, DPV + "hasDataProcessor") == {MICROSOFT}
    assert graph.texts(MICROSOFT, DPV + "hasName") == {"Microsoft"}
    assert graph.objects(MICROSOFT, DPV + "hasThirdCountry") == {LOC + "US"}
    safeguard = graph.one(MICROSOFT, DPV + "hasOrganisationalMeasure")
    assert graph.types(safeguard) == {DPV + "SafeguardForDataTransfer", GDPR + "A46-2-c"}

    recipients = graph.objects(handling, DPV + "hasRecipient")
    shield = "http://testserver/privacy/@processors#old-survey-co"
    assert shield in recipients  # an independent controller is a recipient, not our processor
    assert {r for r in recipients if r.startswith("_:") and graph.texts(r, DPV + "hasName") == {"Your MP"}}
    # Privacy Shield is stated, but it is no valid safeguard: nothing claims it is one.
    shield_safeguard = graph.one(shield, DPV + "hasOrganisationalMeasure")
    assert graph.types(shield_safeguard) == set()
    assert "invalid" in graph.texts(shield_safeguard, "http://purl.org/dc/terms/title").pop()


def test_storage_durations_from_the_schedule(graph):
    handling = graph.handling(NOTICE)
    assert graph.objects(handling, DPV + "hasStorageCondition") == {
        SCHEDULE + "COMP-03/",
        SCHEDULE + "COMP-04/",
        SCHEDULE + "COMP-01/",
    }
    assert DPV + "StorageDuration" in graph.types(SCHEDULE + "COMP-03/")
    assert graph.durations(SCHEDULE + "COMP-03/") == [({DPV + "TemporalDuration"}, ("P2Y", XSD + "duration"))]
    assert graph.durations(SCHEDULE + "COMP-04/") == [({DPV + "EndlessDuration"}, None)]
    # XML Schema durations have no weeks: six weeks is written as 42 days.
    assert graph.durations(SCHEDULE + "COMP-01/") == [({DPV + "TemporalDuration"}, ("P42D", XSD + "duration"))]


def test_rights_and_cookies(graph):
    handling = graph.handling(NOTICE)
    assert graph.objects(handling, DPV + "hasRight") == {GDPR + "A15", GDPR + "A17", GDPR + "A7-3", GDPR + "A77"}
    cookies = graph.objects(handling, DPV + "isImplementedUsingTechnology")
    ga, session = "http://testserver/privacy/@cookies#ga", "http://testserver/privacy/@cookies#sessionid"
    assert cookies == {ga, session}
    assert all(graph.types(cookie) == {TECH + "Cookie"} for cookie in cookies)
    assert graph.texts(ga, DPV + "hasName") == {"_ga"}
    assert graph.texts(ga, "https://schema.org/category") == {"analytics"}
    assert graph.objects(ga, "https://schema.org/provider") == {MICROSOFT}
    assert graph.durations(graph.one(ga, DPV + "hasStorageCondition")) == [
        ({DPV + "TemporalDuration"}, ("P2Y", XSD + "duration"))
    ]
    assert graph.durations(graph.one(session, DPV + "hasStorageCondition")) == [({DPV + "UntilEventDuration"}, None)]


def test_draft_register_entries_never_appear(graph):
    for hidden in ("draft-processor", "Draft Processor Ltd", "DRAFT-01", "Draft record class"):
        assert hidden not in graph.nquads


def test_a_version_expands_too(client, notice):
    document = get_jsonld(client, notice.url + "@history/1")
    version = NOTICE + "@history/1"
    graph = Graph(document)
    assert DPV + "PrivacyNotice" in graph.types(version)
    assert graph.objects(version, "http://purl.org/dc/terms/isVersionOf") == {NOTICE}
    (valid_from,) = graph.objects(version, "https://schema.org/validFrom")
    assert valid_from[1] == XSD + "date"
    handling = graph.handling(version)
    assert graph.objects(handling, DPV + "hasDataProcessor") == {MICROSOFT}


def test_a_notice_with_no_sections_is_still_valid_jsonld(client, make_notice):
    notice = make_notice(slug="bare")
    graph = Graph(get_jsonld(client, notice.url))
    assert graph.types("http://testserver/privacy/bare/") == {DPV + "PrivacyNotice"}  # source unknown


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"sections": None, "organisation": None, "audience": None, "links": None, "version": "x"},
        {
            "@id": "http://testserver/privacy/old/",
            "audience": {"data_subject": "not a term"},
            "sections": [
                "an old block",
                {"type": "personal_data", "source": "elsewhere", "categories": [None]},
                {"type": "purposes", "purposes": [{"lawful_basis": "gone", "lawful_basis_text": "A basis we dropped"}]},
                {"type": "sharing", "processors": [{"third_countries": [{"code": None}], "transfer_safeguard": "x"}]},
                {"type": "retention", "rules": [{"code": "R", "period_type": "fixed", "period": "two years"}]},
                {"type": "cookies", "cookie_groups": [{"cookies": [{"lifetime": None}]}, None]},
                {"type": "rights", "rights": [{"right": "to be forgotten"}]},
            ],
            "in_force": {"from": "2024-01-01", "until": None},
        },
    ],
)
def test_old_or_sparse_documents_never_raise(document):
    Graph(notice_jsonld(document))


def test_weeks_become_days_in_xsd_durations():
    assert [xsd_duration(p) for p in ("P2Y", "P1Y6M", "P6W", "P1W3D", "PT30M", "P0D", "soon", None)] == [
        "P2Y",
        "P1Y6M",
        "P42D",
        "P10D",
        "PT30M",
        None,
        None,
        None,
    ]


def test_the_schedule_expands_and_each_rule_is_its_page(client, schedule_page, entries):
    document = get_jsonld(client, schedule_page.url)
    graph = Graph(document)
    rules = graph.objects(SCHEDULE, "https://schema.org/hasPart")
    assert rules == {SCHEDULE + "COMP-01/", SCHEDULE + "COMP-03/", SCHEDULE + "COMP-04/"}  # never the draft
    for rule in rules:
        assert DPV + "StorageDuration" in graph.types(rule)
        assert client.get(rule).status_code == 200  # the identifier is the rule's own page
    assert graph.texts(SCHEDULE + "COMP-03/", "http://purl.org/dc/terms/title") == {"Complaint investigation files"}
    assert graph.durations(SCHEDULE + "COMP-03/") == [({DPV + "TemporalDuration"}, ("P2Y", XSD + "duration"))]
    assert graph.durations(SCHEDULE + "COMP-04/") == [({DPV + "EndlessDuration"}, None)]
    # The schedule module stands alone: its context is its own, inline.
    assert isinstance(document["@context"], dict)


def test_a_sparse_schedule_never_raises():
    Graph(schedule_jsonld({"rules": [None, {"code": None}, {"period_type": "until_event"}]}))
    Graph(schedule_jsonld({}))
