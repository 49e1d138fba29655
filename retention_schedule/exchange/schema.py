"""The JSON Schema (draft 2020-12) of a retention schedule as JSON, generated from the columns.

It describes what ``writing.write_json`` writes, public or not: the schedule's
title, address and last-updated time, and its rules, each with the column
keys and, in the public form, read-only keys derived from them.
"""

from django.utils.translation import gettext

from ..models import RetentionRule
from .columns import COLUMNS, Column

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# An ISO 8601 duration of whole years, months, weeks and days (P2Y, P1Y6M, P30D), at least
# one of them: the form ``periods.parse_period`` accepts for records (no hours, no fractions).
PERIOD_PATTERN = r"^P(?=\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?$"
# "format" is only an annotation unless a validator is asked to check it: the patterns hold everywhere.
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$"
# Django's validate_slug, which the rule's code field uses.
CODE_PATTERN = r"^[-a-zA-Z0-9_]+$"


def _column_schema(column: Column) -> dict:
    schema = {"title": str(column.label), "description": str(column.help)}
    if column.kind == "choice":
        schema.update(type="string", enum=[value for value, _label in column.choices])
    elif column.kind == "period":
        schema.update(type=["string", "null"], pattern=PERIOD_PATTERN)
    elif column.kind == "date":
        schema.update(type=["string", "null"], format="date", pattern=DATE_PATTERN)
    else:
        schema["type"] = "string"
        max_length = RetentionRule._meta.get_field(column.name).max_length
        if max_length:
            schema["maxLength"] = max_length
        if column.required:
            schema["minLength"] = 1
    if column.name == "code":
        schema["pattern"] = CODE_PATTERN
    if column.example:
        schema["examples"] = [column.example]
    return schema


def _derived_schemas() -> dict:
    # Written for people and for links, from the rule's own fields: an importer ignores them.
    return {
        "period_text": {
            "type": ["string", "null"],
            "readOnly": True,
            "description": gettext("The period in words, e.g. “2 years”; null when there is no fixed period."),
        },
        "summary": {
            "type": "string",
            "readOnly": True,
            "description": gettext("The rule in words, e.g. “2 years from the closure of the case, then deleted”."),
        },
        "disposal_action_text": {
            "type": "string",
            "readOnly": True,
            "description": gettext("What happens to the records at the end, in words."),
        },
        "url": {
            "type": ["string", "null"],
            "format": "uri",
            "readOnly": True,
            "description": gettext("The rule's own page, with its disposal-date calculator."),
        },
    }


def schedule_json_schema(schema_url: str | None = None) -> dict:
    """The JSON Schema of a schedule document; ``schema_url``, if given, is its ``$id``."""
    rule_properties = {column.name: _column_schema(column) for column in COLUMNS}
    rule_properties.update(_derived_schemas())
    schema = {"$schema": DRAFT}
    if schema_url:
        schema["$id"] = schema_url
    schema.update(
        {
            "title": gettext("Retention schedule"),
            "description": gettext(
                "How long each kind of record is kept, and what happens to it then. Each rule is one record class."
            ),
            "type": "object",
            "required": ["rules"],
            "additionalProperties": False,
            "properties": {
                "$schema": {"type": ["string", "null"], "format": "uri"},
                "title": {"type": "string"},
                "url": {
                    "type": ["string", "null"],
                    "format": "uri",
                    "description": gettext("The schedule's public page."),
                },
                "last_updated": {
                    "type": ["string", "null"],
                    "format": "date-time",
                    "pattern": TIMESTAMP_PATTERN,
                    "description": gettext("When a rule in the schedule was last published."),
                },
                "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}},
            },
            "$defs": {
                "rule": {
                    "title": gettext("Retention rule"),
                    "type": "object",
                    "required": [column.name for column in COLUMNS if column.required],
                    "additionalProperties": False,
                    "properties": rule_properties,
                }
            },
        }
    )
    return schema
