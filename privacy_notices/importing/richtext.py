"""A passage of an imported policy as Wagtail rich text, whatever format the policy was written in.

Markdown is rendered by python-markdown, plain text is read into paragraphs
and lists here, HTML is taken as written; every one of them then goes
through ``sanitise_html``, so the rich text of an imported page is written
by one piece of code, which lets nothing of the input's markup through.
"""

import functools
import html
import re
import threading

import markdown
from bs4 import BeautifulSoup, Tag

from .sanitise import REMOVED_TAGS, UNREAD_STRINGS, sanitise_html
from .source import HTML, MARKDOWN, PolicySource

_MARKDOWN_EXTENSIONS = [
    # Lists as the author numbered them, and no list swallowing the paragraph above it.
    "sane_lists",
    # Tables and definition lists come out as paragraphs, but their text must not come out as pipes and colons.
    "tables",
    "def_list",
    "fenced_code",
]
# A link reference definition ("[ico]: https://ico.org.uk"): written once, often at the end of the document,
# and used by sections far from it.
_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)

# A list item in plain text: a bullet character, or a number or letter ("1.", "2)", "a)", "(b)", "(3)").
# A bullet character that is only ever a bullet may touch its text ("•Name"); a dash or star must be followed
# by a space, or "-5°C" and "*Terms apply" would be list items.
_BULLET = re.compile(r"^[ \t]*(?:[•·▪◦‣○■□●][ \t]*|[*–-][ \t]+)")
_NUMBER = re.compile(r"^[ \t]*(?:\d{1,3}[.)]|\(\d{1,3}\)|\(?[a-z]\))[ \t]+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

_APART = object()  # where a block ends: its text stands apart from what follows
# Elements whose text stands apart from the text around it.
_BLOCK_TAGS = re.compile(
    r"^(?:address|article|aside|blockquote|body|br|caption|dd|details|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|html|li|main|ol|p|pre|section|summary|table|td|th|tr|ul)$"
)


def rich_text_for(source: PolicySource, start: int, end: int, *, top_level: int) -> str:
    """``source.text[start:end]`` (a section's own text) as sanitised Wagtail rich text.

    Headings inside the passage at ``top_level`` (or higher) become ``h3``, deeper ones ``h4``. An HTML passage
    may start or end in the middle of elements (after a ``</h2>``, before the next ``<h2>`` inside an unclosed
    ``<section>``): the parser closes and ignores what the cut leaves open or stray.
    """
    passage = source.text[start:end]
    levels = {level: "h3" if level <= top_level else "h4" for level in range(1, 7)}
    if source.format == HTML:
        return sanitise_html(passage, heading_levels=levels)
    rendered = _markdown_html(passage, source.text) if source.format == MARKDOWN else plain_text_html(passage)
    # Addresses written out in Markdown and plain text are links to a reader: they become links here too.
    return sanitise_html(rendered, heading_levels=levels, linkify=True)


def plain_text(rich_html: str) -> str:
    """The words of ``rich_html`` as a reader sees them: no markup, blocks apart, white space collapsed."""
    soup = BeautifulSoup(rich_html or "", "html.parser")
    pieces = []
    # A stack, not recursion, and no changes to the tree (inserting into a long list of siblings is quadratic).
    stack: list = [soup]
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if node.name in REMOVED_TAGS:
                continue
            if _BLOCK_TAGS.match(node.name):
                pieces.append(" ")
                stack.append(_APART)
            stack.extend(reversed(node.contents))
        elif node is _APART:
            pieces.append(" ")
        elif not isinstance(node, UNREAD_STRINGS):
            pieces.append(str(node))
    return " ".join("".join(pieces).split())


def plain_text_html(text: str) -> str:
    """Plain text as HTML: paragraphs at blank lines, bulleted and numbered lines as lists, all of it escaped.

    A line break inside a paragraph is where the author's editor wrapped it, so it becomes a space. A list
    item carries on over the lines after it that are indented or start in lower case; nested bullets are
    read as one flat list.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[tuple[str, list[str]]] = []  # ("p" | "ul" | "ol", the lines of the paragraph or item)
    for chunk in _BLANK_LINE.split(text):
        current = None
        for line in chunk.split("\n"):
            if not line.strip():
                continue
            marker = _BULLET.match(line) or _NUMBER.match(line)
            if marker:
                current = ("ol" if _NUMBER.match(line) else "ul", [line[marker.end() :]])
                blocks.append(current)
            elif current and (current[0] == "p" or line[:1] in " \t" or line.lstrip()[:1].islower()):
                current[1].append(line)
            else:
                current = ("p", [line])
                blocks.append(current)
    out = []
    open_list = None
    for kind, lines in blocks:
        content = html.escape(" ".join(line.strip() for line in lines), quote=False)
        if kind != open_list and open_list:
            out.append(f"</{open_list}>")
            open_list = None
        if kind == "p":
            out.append(f"<p>{content}</p>")
            continue
        if open_list is None:
            out.append(f"<{kind}>")
            open_list = kind
        out.append(f"<li>{content}</li>")
    if open_list:
        out.append(f"</{open_list}>")
    return "".join(out)


@functools.lru_cache(maxsize=8)
def _reference_definitions(document: str) -> tuple[str, ...]:
    # Read once per document, not once per section: a long policy has hundreds of sections.
    return tuple(match.group(0) for match in _REFERENCE_DEFINITION.finditer(document))


_converters = threading.local()


def _converter() -> markdown.Markdown:
    # Building a Markdown instance (its extensions) costs more than converting a section: reuse one per thread.
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, output_format="html")
    return converter.reset()


def _markdown_html(passage: str, document: str) -> str:
    # Reference definitions from the rest of the document, so "[the ICO][ico]" in this section still links.
    definitions = [definition.strip() for definition in _reference_definitions(document) if definition not in passage]
    if definitions:
        passage = passage + "\n\n" + "\n".join(definitions) + "\n"
    return _converter().convert(passage)
