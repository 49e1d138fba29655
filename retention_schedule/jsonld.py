"""The retention schedule as JSON-LD, in the W3C Data Privacy Vocabulary (DPV 2.x).

Each rule is a storage condition (``dpv:StorageDuration``) identified by its
own public page, ``<schedule>/<code>/``, so a notice that cites a rule and the
schedule that lists it speak of the same thing. Its period is a
``dpv:hasDuration``: a ``dpv:TemporalDuration`` whose ``rdf:value`` is an
``xsd:duration`` for a fixed period, ``dpv:UntilEventDuration`` for one that
runs until an event, ``dpv:EndlessDuration`` for records kept permanently.

The ``@context`` is inline, never a remote URL: a consumer (and the tests)
must be able to expand the document offline, and a vocabulary server being
down must not make the schedule unreadable.

This app stands alone: nothing here may import ``privacy_notices``. That app
reuses :func:`rule_node` and :func:`duration_node` for the rules and cookie
lifetimes a notice shows.
"""

import re

from django.core.exceptions import ValidationError

from .exchange.writing import rule_url
from .periods import parse_period

DPV = "https://w3id.org/dpv#"

CONTEXT = {
    "dpv": DPV,
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# The rule's period_type -> the DPV duration class it is.
FIXED, UNTIL_EVENT, PERMANENT = "fixed", "until_event", "permanent"
DURATION_TYPES = {
    FIXED: "dpv:TemporalDuration",
    UNTIL_EVENT: "dpv:UntilEventDuration",
    PERMANENT: "dpv:EndlessDuration",
}
DELETE = "delete"

_DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def text(value) -> str | None:
    """A non-blank string, else None: old snapshots hold nulls, numbers or nothing where text is now."""
    if isinstance(value, str) and value.strip():
        return value
    return None


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def typed(value, datatype: str) -> dict | None:
    """A typed literal (``{"@value": ..., "@type": ...}``), or None when there is no value."""
    value = text(value)
    return {"@value": value, "@type": datatype} if value else None


def moment(value) -> dict | None:
    """A date or a date and time as the right XSD literal (the JSON writes both as ISO 8601 strings)."""
    value = text(value)
    if not value:
        return None
    return typed(value, "xsd:dateTime" if _DATE_TIME_RE.match(value) else "xsd:date")


def xsd_duration(period) -> str | None:
    """An ISO 8601 period as a valid ``xsd:duration`` lexical form, or None if it is not a period.

    XML Schema's duration has no weeks (``P6W`` is ISO 8601 but not
    ``xsd:duration``), so weeks are written as days: ``P6W`` -> ``P42D``.
    The value is otherwise unchanged: ``P1Y6M`` is not turned into ``P18M``.
    """
    if not text(period):
        return None
    try:
        parsed = parse_period(period, allow_time=True)
    except ValidationError:
        return None
    days = parsed.days + 7 * parsed.weeks
    date_part = "".join(f"{n}{unit}" for n, unit in ((parsed.years, "Y"), (parsed.months, "M"), (days, "D")) if n)
    time_part = "".join(
        f"{n}{unit}" for n, unit in ((parsed.hours, "H"), (parsed.minutes, "M"), (parsed.seconds, "S")) if n
    )
    return "P" + date_part + (f"T{time_part}" if time_part else "") if date_part or time_part else None


def duration_node(period_type, period=None, description=None) -> dict:
    """The ``dpv:hasDuration`` of a storage condition.

    A fixed period that cannot be read (an old or hand-edited value) keeps
    its type and description but gets no ``rdf:value``: a wrong literal would
    be worse than none. An unknown period type is described, not typed.
    """
    node = {"@type": DURATION_TYPES.get(period_type)} if period_type in DURATION_TYPES else {}
    if period_type == FIXED:
        node["rdf:value"] = typed(xsd_duration(period), "xsd:duration")
    node["dcterms:description"] = text(description)
    return prune(node)


def rule_node(rule: dict, rule_id: str | None = None) -> dict:
    """A retention rule (its public data, as the schedule's JSON or a notice's JSON holds it) as a storage condition.

    The rule is the ``dpv:StorageDuration`` itself; rules that end in deletion
    are also a ``dpv:StorageDeletion``. ``rule_id`` defaults to the rule's own
    ``@id`` or ``url``. Free text (the trigger, criteria, exceptions and the
    authority for the period) stays text: the summary describes the
    duration, the rest are comments on the rule.
    """
    rule = as_dict(rule)
    types = ["dpv:StorageDuration"]
    if rule.get("disposal_action") == DELETE:
        types.append("dpv:StorageDeletion")
    node = {
        "@id": text(rule_id) or text(rule.get("@id")) or text(rule.get("url")),
        "@type": types,
        "dcterms:identifier": text(rule.get("code")),
        "dcterms:title": text(rule.get("record_class")),
        "dcterms:description": text(rule.get("description")),
        "schema:category": text(rule.get("business_function")),
        "dpv:hasPersonalData": prune({"dcterms:description": text(rule.get("data_categories"))}),
        "dpv:hasDuration": duration_node(rule.get("period_type"), rule.get("period"), rule.get("summary")),
        "rdfs:comment": [text(rule.get(key)) for key in ("criteria", "exceptions", "authority")],
    }
    return prune(node)


def prune(node):
    """The node without empty values (None, "", [], {}), recursively, so a sparse input gives a tidy document."""
    if isinstance(node, dict):
        pruned = {key: prune(value) for key, value in node.items()}
        return {key: value for key, value in pruned.items() if value not in (None, "", [], {})}
    if isinstance(node, list):
        return [item for item in (prune(value) for value in node) if item not in (None, "", [], {})]
    return node


def schedule_jsonld(schedule: dict) -> dict:
    """The schedule's public JSON (``write_json(..., public=True)``) as JSON-LD.

    The schedule is a ``schema:Dataset`` at its own address; each rule is one of its
    parts (``schema:hasPart``), identified by its page ``<schedule url><code>/``.
    Never raises on a sparse or odd input: what is missing is left out.
    """
    schedule = as_dict(schedule)
    url = text(schedule.get("url"))
    rules = []
    for rule in as_list(schedule.get("rules")):
        if not isinstance(rule, dict):
            continue
        code = text(rule.get("code"))
        rules.append(rule_node(rule, rule_url(url, code) if code else None))
    document = {
        "@context": dict(CONTEXT),
        "@id": url,
        # A dataset, as schema.org means it: structured information, here published for machines to read.
        "@type": "schema:Dataset",
        "dcterms:title": text(schedule.get("title")),
        "dcterms:modified": moment(schedule.get("last_updated")),
        "schema:hasPart": rules,
    }
    return prune(document)
