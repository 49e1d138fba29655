"""What changed between two versions of a notice, as plain data.

Both sides are resolved notice documents (usually two ``NoticeVersion``
snapshots). Sections are matched by their block id where both have one, then
by type and heading; each section is turned into readable lines of plain text
("Complaint case files: 2 years from the closure of the case, then deleted")
and the lines compared with :mod:`difflib`. The result holds only strings,
numbers, lists and dicts, so the HTML page renders it and a JSON API can
return it as it is.

Documents are read defensively: a snapshot written by an older version of this
code may lack keys or hold a section type that no longer exists, and comparing
it must still work.
"""

import difflib
import html
import re
from collections import defaultdict
from itertools import groupby

from django.utils.html import strip_tags
from django.utils.translation import gettext as _

# Unchanged lines kept either side of a change inside a changed section; longer
# runs of unchanged lines are folded into a "skip" line.
CONTEXT_LINES = 2
# How alike two lines must be for the words that differ to be marked inside them.
_SIMILAR = 0.4

EQUAL, INSERT, DELETE, SKIP = "equal", "insert", "delete", "skip"
ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"

_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/p|/li|/h[1-6]|/div|/blockquote|/tr)\s*>", re.I)
_LIST_ITEM = re.compile(r"<\s*li\b[^>]*>", re.I)
_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def html_lines(value) -> list[str]:
    """Rich text as its lines of plain text: one per paragraph, list item or heading."""
    if not value or not isinstance(value, str):
        return []
    text = _LIST_ITEM.sub("\n• ", _BLOCK_END.sub("\n", value))
    text = html.unescape(strip_tags(text))
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _text_lines(value) -> list[str]:
    """Plain multi-line text (details, purposes) as its non-blank lines."""
    if not value or not isinstance(value, str):
        return []
    return [" ".join(line.split()) for line in value.splitlines() if line.strip()]


def _labelled(label, value) -> list[str]:
    """``label: line`` for each line of a plain-text value."""
    return [f"{label}: {line}" for line in _text_lines(value)]


def _names(items) -> str:
    return ", ".join(str(item.get("name", "")) for item in items or [] if isinstance(item, dict) and item.get("name"))


def _dicts(value) -> list[dict]:
    return [item for item in value or [] if isinstance(item, dict)] if isinstance(value, list) else []


def _personal_data(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    for category in _dicts(section.get("categories")):
        name = category.get("name", "")
        kind = category.get("kind_text") if category.get("kind") not in (None, "", "ordinary") else ""
        lines.append(f"{name} ({kind})" if kind else name)
        lines += _labelled(name, category.get("details"))
    if section.get("source_text"):
        lines.append(_("Where we get it from: %(source)s") % {"source": section["source_text"]})
    lines += _labelled(_("Where we get it from"), section.get("source_details"))
    lines += _labelled(_("Do you have to give it to us?"), section.get("requirement"))
    return lines


def _purposes(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    for purpose in _dicts(section.get("purposes")):
        name = purpose.get("purpose", "")
        basis = purpose.get("lawful_basis_text") or purpose.get("lawful_basis")
        lines.append(
            _("%(purpose)s: our lawful basis is %(basis)s") % {"purpose": name, "basis": basis} if basis else name
        )
        lines += _labelled(name, purpose.get("details"))
        lines += _labelled(
            _("%(purpose)s: our legitimate interests") % {"purpose": name}, purpose.get("legitimate_interests")
        )
        condition = purpose.get("special_category_condition_text") or purpose.get("special_category_condition")
        lines += _labelled(_("%(purpose)s: condition for special category data") % {"purpose": name}, condition)
        lines += _labelled(
            _("%(purpose)s: condition for criminal offence data") % {"purpose": name},
            purpose.get("criminal_offence_condition"),
        )
    return lines


def _processor_line(processor) -> str:
    name = processor.get("name", "")
    if processor.get("service"):
        name = f"{name} ({processor['service']})"
    parts = [processor.get("role_text") or processor.get("role") or ""]
    countries = _names(processor.get("countries"))
    if countries:
        parts.append(_("held in %(countries)s") % {"countries": countries})
    if processor.get("transfer_safeguard_text"):
        parts.append(_("safeguard: %(safeguard)s") % {"safeguard": processor["transfer_safeguard_text"]})
    parts = [part for part in parts if part]
    return f"{name}: {'; '.join(parts)}" if parts else name


def _sharing(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    for processor in _dicts(section.get("processors")):
        lines.append(_processor_line(processor))
        name = processor.get("name", "")
        lines += _labelled(_("%(name)s: what they do") % {"name": name}, processor.get("purposes"))
        lines += _labelled(_("%(name)s: information they receive") % {"name": name}, processor.get("data_categories"))
    for recipient in _dicts(section.get("other_recipients")):
        details = _text_lines(recipient.get("details"))
        name = recipient.get("name", "")
        lines.append(f"{name}: {' '.join(details)}" if details else name)
    return lines


def _retention(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    for rule in _dicts(section.get("rules")):
        record_class = rule.get("record_class", "")
        lines.append(f"{record_class}: {rule.get('summary') or rule.get('period_text') or ''}".rstrip(": "))
        lines += _labelled(_("%(records)s: we may keep it longer") % {"records": record_class}, rule.get("exceptions"))
    return lines


def _transfers(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    processors = _dicts(section.get("processors"))
    for processor in processors:
        countries = _names(processor.get("third_countries"))
        safeguard = processor.get("transfer_safeguard_text") or ""
        lines.append(
            _("%(name)s: held in %(countries)s; %(safeguard)s")
            % {"name": processor.get("name", ""), "countries": countries, "safeguard": safeguard}
        )
        lines += _labelled(processor.get("name", ""), processor.get("safeguard_details"))
    if not processors:
        lines.append(_("None of the organisations named in this notice hold your information outside the UK."))
    return lines


def _cookies(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    for group in _dicts(section.get("cookie_groups")):
        for cookie in _dicts(group.get("cookies")):
            facts = [
                cookie.get("category_text") or group.get("category_text") or "",
                _("set by %(provider)s") % {"provider": cookie["provider"]} if cookie.get("provider") else "",
                _("expires: %(lifetime)s") % {"lifetime": cookie["lifetime_text"]}
                if cookie.get("lifetime_text")
                else "",
                cookie.get("party_text") or "",
            ]
            purpose = " ".join(_text_lines(cookie.get("purpose")))
            line = f"{cookie.get('name', '')} ({'; '.join(fact for fact in facts if fact)})"
            lines.append(f"{line}: {purpose}" if purpose else line)
    return lines


def _automated_decisions(section) -> list[str]:
    return html_lines(section.get("details"))


def _rights(section) -> list[str]:
    lines = html_lines(section.get("intro"))
    lines += [str(right.get("text", "")) for right in _dicts(section.get("rights"))]
    return lines


def _text(section) -> list[str]:
    return html_lines(section.get("body"))


def _anything(section) -> list[str]:
    """A section type this code does not know (from an older snapshot): every string in it."""
    lines = []

    def walk(node):
        if isinstance(node, dict):
            for key, child in node.items():
                if key not in ("type", "id", "heading", "slug", "code"):
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, str):
            lines.extend(html_lines(node) if "<" in node else _text_lines(node))

    walk(section)
    return lines


SECTION_LINES = {
    "personal_data": _personal_data,
    "purposes": _purposes,
    "sharing": _sharing,
    "retention": _retention,
    "transfers": _transfers,
    "cookies": _cookies,
    "automated_decisions": _automated_decisions,
    "rights": _rights,
    "text": _text,
}


def body_lines(section: dict) -> list[str]:
    """What a section of a resolved document says, as readable lines of plain text (without its heading)."""
    return [line for line in SECTION_LINES.get(section.get("type"), _anything)(section) if line]


def section_lines(section: dict) -> list[str]:
    """A section of a resolved document as readable lines of plain text, its heading first."""
    heading = " ".join((section.get("heading") or "").split())
    return ([heading] if heading else []) + body_lines(section)


def contact_lines(organisation) -> list[str]:
    """The "Who we are and how to contact us" part of a notice, from its organisation data."""
    organisation = organisation if isinstance(organisation, dict) else {}
    controller = organisation.get("controller") or {}
    dpo = organisation.get("dpo") or {}
    authority = organisation.get("supervisory_authority") or {}
    lines = []
    for prefix, part in ((_("Controller"), controller), (_("Data protection officer"), dpo)):
        if not isinstance(part, dict):
            continue
        for key, label in (
            ("name", _("name")),
            ("address", _("post")),
            ("email", _("email")),
            ("telephone", _("telephone")),
            ("registration_number", _("registration number")),
        ):
            value = " ".join(_text_lines(part.get(key)))
            if value:
                lines.append(f"{prefix} {label}: {value}")
    if isinstance(authority, dict) and authority.get("name"):
        lines.append(_("Supervisory authority: %(name)s") % {"name": authority["name"]})
    return lines


def _words(text):
    return _WORDS.findall(text)


def _segments(old: str, new: str) -> tuple[list[dict], list[dict]]:
    """The words of two similar lines, each marked equal, or deleted (old) / inserted (new)."""
    old_words, new_words = _words(old), _words(new)
    old_segments, new_segments = [], []

    def add(segments, op, words):
        text = "".join(words)
        if not text:
            return
        if segments and segments[-1]["op"] == op:
            segments[-1]["text"] += text
        else:
            segments.append({"op": op, "text": text})

    opcodes = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        # A space alone between two changes belongs to the change: "1 year" -> "2 years" is one change.
        between_changes = 0 < index < len(opcodes) - 1 and not "".join(old_words[i1:i2]).strip()
        if tag == "equal" and not between_changes:
            add(old_segments, EQUAL, old_words[i1:i2])
            add(new_segments, EQUAL, new_words[j1:j2])
        else:
            add(old_segments, DELETE, old_words[i1:i2])
            add(new_segments, INSERT, new_words[j1:j2])
    return old_segments, new_segments


def _line(op, text, segments=None) -> dict:
    return {"op": op, "text": text, "segments": segments or [{"op": op, "text": text}]}


def _fold(lines: list[dict], context: int) -> list[dict]:
    """Fold runs of unchanged lines further than ``context`` from a change into one ``skip`` line."""
    folded = []
    runs = [(op == EQUAL, list(group)) for op, group in groupby(lines, key=lambda line: line["op"])]
    for index, (unchanged, run) in enumerate(runs):
        if not unchanged:
            folded += run
            continue
        keep_before = context if index > 0 else 0  # after a change
        keep_after = context if index < len(runs) - 1 else 0  # before a change
        hidden = len(run) - keep_before - keep_after
        if hidden < 2:  # folding a single line saves nothing
            folded += run
            continue
        folded += run[:keep_before]
        folded.append({"op": SKIP, "text": "", "segments": [], "count": hidden})
        folded += run[len(run) - keep_after :]
    return folded


def diff_lines(old: list[str], new: list[str], context: int | None = CONTEXT_LINES) -> list[dict]:
    """Two lists of lines compared: each line ``equal``, ``delete`` or ``insert`` (with changed words marked).

    With ``context`` set, unchanged lines further than that from a change are folded into
    ``skip`` lines (``count`` says how many).
    """
    lines = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [_line(EQUAL, text) for text in old[i1:i2]]
            continue
        removed, added = old[i1:i2], new[j1:j2]
        removed_lines = [_line(DELETE, text) for text in removed]
        added_lines = [_line(INSERT, text) for text in added]
        # Lines replaced one for one: mark the words that changed inside each pair.
        for index, (before, after) in enumerate(zip(removed, added, strict=False)):
            if difflib.SequenceMatcher(None, before, after, autojunk=False).ratio() >= _SIMILAR:
                old_segments, new_segments = _segments(before, after)
                removed_lines[index]["segments"] = old_segments
                added_lines[index]["segments"] = new_segments
        lines += removed_lines + added_lines
    if context is None:
        return lines
    return _fold(lines, context)


def _field(old, new) -> dict | None:
    old, new = old or "", new or ""
    old_lines, new_lines = _text_lines(old), _text_lines(new)
    if old_lines == new_lines:  # the same words (a change of spacing alone is no change)
        return None
    return {"old": old, "new": new, "lines": diff_lines(old_lines, new_lines, context=None)}


def _key(section) -> tuple:
    return (section.get("type"), (section.get("heading") or "").strip().casefold())


def match_sections(old_sections: list[dict], new_sections: list[dict]) -> dict[int, int]:
    """Old section index -> new section index, matched by block id, then by type and heading."""
    matches = {}
    new_by_id = {section.get("id"): index for index, section in enumerate(new_sections) if section.get("id")}
    for old_index, section in enumerate(old_sections):
        new_index = new_by_id.get(section.get("id")) if section.get("id") else None
        if new_index is not None:
            matches[old_index] = new_index
    taken = set(matches.values())
    unmatched_new = defaultdict(list)
    for new_index, section in enumerate(new_sections):
        if new_index not in taken:
            unmatched_new[_key(section)].append(new_index)
    for old_index, section in enumerate(old_sections):
        if old_index not in matches and unmatched_new[_key(section)]:
            matches[old_index] = unmatched_new[_key(section)].pop(0)
    return matches


def _section_entry(status, old, new, lines) -> dict:
    section = new if new is not None else old
    return {
        "status": status,
        "type": section.get("type", ""),
        "id": section.get("id"),
        "heading": section.get("heading") or "",
        "old_heading": (old.get("heading") or "") if old is not None else None,
        "lines": lines,
    }


def diff_sections(old_sections: list[dict], new_sections: list[dict]) -> list[dict]:
    """Every section of either side, in reading order: added, removed, changed or unchanged.

    A removed section is placed after the section that came before it in the old
    version, so it shows where it used to be.
    """
    old_sections = _dicts(old_sections)
    new_sections = _dicts(new_sections)
    matches = match_sections(old_sections, new_sections)
    old_for_new = {new_index: old_index for old_index, new_index in matches.items()}
    removed_after = defaultdict(list)  # new index the removed section follows (-1: the start)
    previous = -1
    for old_index, section in enumerate(old_sections):
        if old_index in matches:
            previous = matches[old_index]
        else:
            removed_after[previous].append(section)

    entries = []

    def add_removed(after):
        for section in removed_after[after]:
            lines = [_line(DELETE, text) for text in section_lines(section)]
            entries.append(_section_entry(REMOVED, section, None, lines))

    add_removed(-1)
    for new_index, section in enumerate(new_sections):
        if new_index in old_for_new:
            old = old_sections[old_for_new[new_index]]
            # The heading is the title of the entry; it is one of the lines only when it changed.
            heading = _field(old.get("heading"), section.get("heading"))
            before, after = body_lines(old), body_lines(section)
            status = UNCHANGED if before == after and not heading else CHANGED
            lines = (heading["lines"] if heading else []) + (diff_lines(before, after) if before != after else [])
            entries.append(_section_entry(status, old, section, lines))
        else:
            lines = [_line(INSERT, text) for text in section_lines(section)]
            entries.append(_section_entry(ADDED, None, section, lines))
        add_removed(new_index)
    return entries


def diff_documents(old: dict, new: dict) -> dict:
    """What changed from resolved document ``old`` to ``new``, as plain, JSON-ready data.

    ``fields``: the title, summary and audience where they changed (``old``, ``new``
    and their ``lines``); ``sections``: every section with its ``status`` and, for
    added, removed and changed ones, its ``lines`` (``op`` ``equal``, ``insert``,
    ``delete`` or ``skip``; ``segments`` mark the changed words); ``contact``: the
    lines of the contact details where they changed; ``changed``: whether anything did.
    """
    old, new = old or {}, new or {}
    fields = []
    for name, label, old_value, new_value in (
        ("title", _("Title"), old.get("title"), new.get("title")),
        ("summary", _("Summary"), old.get("summary"), new.get("summary")),
        (
            "audience",
            _("Who this notice is for"),
            (old.get("audience") or {}).get("name"),
            (new.get("audience") or {}).get("name"),
        ),
    ):
        change = _field(old_value, new_value)
        if change:
            fields.append({"field": name, "label": label, **change})
    sections = diff_sections(old.get("sections"), new.get("sections"))
    old_contact, new_contact = contact_lines(old.get("organisation")), contact_lines(new.get("organisation"))
    contact = diff_lines(old_contact, new_contact) if old_contact != new_contact else []
    return {
        "fields": fields,
        "sections": sections,
        "contact": contact,
        "changed": bool(fields or contact or any(section["status"] != UNCHANGED for section in sections)),
    }
