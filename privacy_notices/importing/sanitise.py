"""Imported HTML made safe: Wagtail rich text in its database format, in the few elements the notices allow.

A policy to import comes from anywhere: a CMS export, a Word document saved as
a web page, a page saved from a browser, Markdown with raw HTML in it. What
comes out goes into ``RichTextBlock``s (``RICH_TEXT_FEATURES``), is edited in
Draftail and is shown on a public page. So none of the input's markup is kept
as written: the input is parsed, what it says is read into paragraphs,
headings and list items of styled text, and new markup is written from those,
every character of text escaped. Whatever the input holds, the output holds
only ``p h3 h4 b i ul ol li br`` and ``<a href>`` with an http(s), mailto or
tel address: there is no path by which a tag or attribute of the input is
copied to it.

The structure written is one Draftail reads back as it is (no inline element
around a block, no link inside a link, lists nested only inside a list item),
so opening an imported section in the editor and saving it loses nothing.

External links are stored as Wagtail stores them: ``<a href="https://…">``,
with no ``linktype`` (Wagtail's link rewriter reads an ``http:``/``https:``
href as an external link and a ``mailto:`` one as an e-mail link).
"""

import html
import re
from itertools import groupby
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import PreformattedString, Script, Stylesheet, TemplateString

# Comments, CDATA, processing instructions, doctypes and declarations, and the text of a <script>, <style> or
# <template> wherever the parser leaves it: never read as text.
UNREAD_STRINGS = (PreformattedString, Script, Stylesheet, TemplateString)


def _names(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


ALLOWED_TAGS = frozenset({"p", "h3", "h4", "b", "i", "ul", "ol", "li", "br", "a"})
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
HEADING_TAGS = ("h3", "h4", "p")

# Removed with everything in them: code, embedded documents, forms, and what a reader of the page never sees
# as text. <nav> too: the outline does not read it either, and a page's menu is not its policy.
REMOVED_TAGS = _names(
    "script style template noscript iframe frame frameset noframes object embed applet param svg math",
    "form button input select option optgroup datalist textarea output head title meta link base nav",
    "canvas audio video source track map area dialog colgroup col",
)
_FLOW_CONTAINERS = _names(
    "address article aside blockquote body caption center details div dl fieldset figcaption figure footer",
    "header hgroup html legend main p search section summary table tbody tfoot thead",
)
_LISTS = {"ul": "ul", "ol": "ol", "menu": "ul", "dir": "ul"}
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_PREFORMATTED = frozenset({"pre", "listing", "xmp", "plaintext"})
_BOLD_TAGS = frozenset({"b", "strong"})
_ITALIC_TAGS = frozenset({"i", "em"})

# Where the text being read goes. FLOW: a block boundary ends the paragraph. ITEM: inside a list item, which
# Draftail cannot split into paragraphs, so a boundary is a line break. INLINE: inside a heading or table cell,
# where a boundary is a space.
FLOW, ITEM, INLINE = "flow", "item", "inline"

# Separators between pieces of text, stronger ones winning when two meet ("a<br> <br>b" is a break, not a space).
_SPACE, _LIST_SEPARATOR, _CELL_SEPARATOR, _BREAK = " ", "; ", " – ", "\n"
_SEPARATOR_RANK = {None: 0, _SPACE: 1, _LIST_SEPARATOR: 2, _CELL_SEPARATOR: 3, _BREAK: 4}

# Control characters other than white space are never text: a NUL would break the database, the others the
# editor. Zero-width spaces and byte-order marks would make "empty" paragraphs look full.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200b\ufeff\ud800-\udfff]")
_WHITESPACE = re.compile(r"\s+")
_URL_JUNK = re.compile("[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff\ufffd`\\s]+")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# Schemes that must not appear anywhere in an address kept, whatever scheme it starts with.
_HOSTILE_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")

_STYLE_WEIGHT = re.compile(r"font-weight\s*:\s*([a-z0-9]+)", re.IGNORECASE)
_STYLE_ITALIC = re.compile(r"font-style\s*:\s*([a-z]+)", re.IGNORECASE)
_WORD_LIST_MARKER = re.compile(r"mso-list\s*:\s*ignore", re.IGNORECASE)

# Addresses written out in text (for linkify): URLs, www. addresses and e-mail addresses. An e-mail address
# starts where a run of the characters it may hold starts, so a long run without an "@" is read once, not
# once from each of its characters.
_BARE_ADDRESS = re.compile(
    r"(?P<url>\bhttps?://[^\s<>\"'\]]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s<>\"'\]]*)?)"
    r"|(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
    re.IGNORECASE,
)
_ADDRESS_TRAILER = ".,;:!?'\"»”’"


def sanitise_html(html_text: str, *, heading_levels: dict[int, str] | None = None, linkify: bool = False) -> str:
    """``html_text`` rewritten as Wagtail rich text (database format) in ``ALLOWED_TAGS`` only.

    ``heading_levels`` maps an HTML heading level (1 for ``<h1>``) to ``"h3"``, ``"h4"`` or ``"p"``; a level it
    leaves out becomes ``h4`` when a higher level is mapped, else ``h3``. Without it, the highest heading level
    present becomes ``h3`` and every deeper one ``h4``. With ``linkify``, web and e-mail addresses written out
    in the text become links.
    """
    if heading_levels is not None:
        for level, tag in heading_levels.items():
            if tag not in HEADING_TAGS:
                raise ValueError(f"Heading level {level} maps to {tag!r}; give one of {', '.join(HEADING_TAGS)}.")
    soup = _parse(html_text or "")
    writer = _Writer(_heading_map(soup, heading_levels), linkify=linkify)
    writer.read(soup)
    return writer.html()


def safe_href(value) -> str | None:
    """``value`` as an address a link may keep (http, https, mailto or tel), else None.

    Browsers ignore white space and control characters inside a scheme and decode character references
    before reading it, so ``jav&#x09;ascript:`` is ``javascript:``: the scheme is read the same way here,
    references decoded until nothing changes, and must be an allowed one both before and after.
    """
    if not isinstance(value, str):
        return None
    # As a browser reads an address: tabs and newlines inside it dropped, white space around it trimmed.
    value = re.sub("[\t\n\r]", "", _INVISIBLE.sub("", value)).strip()
    if not value:
        return None
    probe = value
    for _ in range(5):
        decoded = html.unescape(probe)
        if decoded == probe:
            break
        probe = decoded
    probe = _URL_JUNK.sub("", probe).lower()
    written = _SCHEME.match(value)
    read = _SCHEME.match(probe)
    if not written or not read or written.group(1).lower() != read.group(1):
        return None
    scheme = read.group(1)
    if scheme not in ALLOWED_SCHEMES or any(hostile in probe for hostile in _HOSTILE_SCHEMES):
        return None
    value = _WHITESPACE.sub("%20", value)
    try:
        parts = urlsplit(value)
    except ValueError:  # a malformed IPv6 host
        return None
    if scheme in ("http", "https") and not parts.netloc:
        return None
    if scheme in ("mailto", "tel") and not value[len(scheme) + 1 :]:
        return None
    return value


def _parse(html_text: str) -> BeautifulSoup:
    """The parsed document, with a comment never closed running to the end, as browsers read it.

    Python's parser (before 3.13) reads a ``<!--`` it finds no end for as text, so a comment left open (at
    the end of a passage cut from a page, or in front of markup someone meant to hide) would come out as the
    words of the hidden markup.
    """
    soup = BeautifulSoup(html_text, "html.parser")
    # Every "<!--" after the last "-->" is unclosed; the first of them starts the comment.
    last_end = html_text.rfind("-->")
    start = html_text.find("<!--", last_end + 3 if last_end >= 0 else 0)
    if start >= 0 and soup.find(string=_literal_comment_start):
        soup = BeautifulSoup(html_text[:start], "html.parser")
    return soup


def _literal_comment_start(string) -> bool:
    return type(string) is NavigableString and "<!--" in string


def _heading_map(soup: BeautifulSoup, heading_levels: dict[int, str] | None) -> dict[int, str]:
    if heading_levels is not None:
        levels = {}
        for level in range(1, 7):
            if level in heading_levels:
                levels[level] = heading_levels[level]
            else:
                levels[level] = "h4" if any(mapped < level for mapped in heading_levels) else "h3"
        return levels
    top = min(_heading_levels_present(soup), default=1)
    return {level: "h3" if level <= top else "h4" for level in range(1, 7)}


def _heading_levels_present(soup: BeautifulSoup) -> set[int]:
    """The levels of the headings a reader sees (none inside a removed element), found without recursion."""
    levels = set()
    stack = [soup]
    while stack:
        for child in stack.pop().contents:
            if isinstance(child, Tag) and child.name not in REMOVED_TAGS:
                if child.name in _HEADINGS:
                    levels.add(_HEADINGS[child.name])
                stack.append(child)
    return levels


class _Run:
    """Text in one style: ``"\\n"`` in ``text`` is a line break."""

    __slots__ = ("text", "bold", "italic", "href")

    def __init__(self, text, bold, italic, href):
        self.text, self.bold, self.italic, self.href = text, bold, italic, href

    def style(self):
        return self.bold, self.italic, self.href


class _Block:
    __slots__ = ("tag", "depth", "list_kind", "runs")

    def __init__(self, tag, depth=0, list_kind=None):
        self.tag, self.depth, self.list_kind, self.runs = tag, depth, list_kind, []


class _List:
    __slots__ = ("kind", "depth", "items")

    def __init__(self, kind, depth):
        self.kind, self.depth, self.items = kind, depth, 0


class _Writer:
    """Reads a parsed document into blocks of styled text, then writes them as rich text."""

    def __init__(self, heading_tags: dict[int, str], *, linkify: bool):
        self.heading_tags = heading_tags
        self.linkify = linkify
        self.blocks: list[_Block] = []
        self.block: _Block | None = None
        self.pending: str | None = None  # a separator to write before the next text, if more text comes
        self.pending_style: tuple = (False, False, None)
        self.mode = FLOW
        self.bold = self.italic = False
        self.href: str | None = None
        self.preformatted = False
        self.lists: list[_List] = []

    # Walking the tree: with a stack, not recursion, so a hostile document nested ten thousand deep is read too.

    def read(self, root: Tag) -> None:
        stack: list = list(reversed(root.contents))
        while stack:
            node = stack.pop()
            if isinstance(node, Tag):
                leave = self.enter(node)
                if leave is not False:
                    if leave is not None:
                        stack.append(leave)
                    stack.extend(reversed(node.contents))
            elif isinstance(node, NavigableString):
                if not isinstance(node, UNREAD_STRINGS):
                    self.text(str(node))
            else:
                node()  # what to do after a tag (a Tag is callable too, so it is tested for first)
        self.close()

    def enter(self, tag: Tag):
        """Start reading ``tag``: False to skip what it holds, else what to do after it (or None)."""
        name = tag.name
        if name in REMOVED_TAGS or _WORD_LIST_MARKER.search(tag.get("style") or ""):
            self.space()
            return False
        saved = (self.mode, self.bold, self.italic, self.href, self.preformatted, len(self.lists))

        def restore():
            self.mode, self.bold, self.italic, self.href, self.preformatted = saved[:5]
            del self.lists[saved[5] :]

        self.bold, self.italic = _styled(tag, self.bold, self.italic)
        if name == "a":
            href = safe_href(tag.get("href"))
            if href and self.href is None:
                self.href = href
            return restore
        if name == "br":
            self.line_break()
            return False
        if name == "img":
            alt = tag.get("alt")
            if isinstance(alt, str) and alt.strip():
                self.space()
                self.text(alt)
                self.space()
            return False
        if name == "hr":
            self.boundary()
            return False
        if name in _HEADINGS:
            return self.enter_block(restore, self.heading_tags[_HEADINGS[name]])
        if name in _LISTS:
            return self.enter_list(restore, _LISTS[name])
        if name == "li":
            return self.enter_item(restore)
        if name == "tr":
            return self.enter_block(restore, "p")
        if name in ("td", "th"):
            self.separate(_CELL_SEPARATOR)
            self.mode = INLINE
            return restore
        if name in _PREFORMATTED:
            self.preformatted = True
        if name == "dt":
            self.bold = True
        if name in _FLOW_CONTAINERS or name in _PREFORMATTED or name in ("dt", "dd"):
            self.boundary()

            def leave_container():
                self.boundary()
                restore()

            return leave_container
        return restore

    def enter_block(self, restore, tag: str):
        """A heading or a table row: its own block in the flow; inside a list item, a line of it."""
        if self.mode == FLOW:
            self.close()
            self.block = _Block(tag)
            self.mode = INLINE

            def leave():
                self.close()
                restore()

            return leave
        self.boundary()
        self.mode = INLINE

        def leave_piece():
            self.boundary()
            restore()

        return leave_piece

    def enter_list(self, restore, kind: str):
        if self.mode == INLINE:
            self.separate(_SPACE)
            self.lists.append(_List(kind, -1))
            return restore
        self.close()
        depth = self.lists[-1].depth + 1 if self.lists and self.lists[-1].depth >= 0 else 0
        self.lists.append(_List(kind, depth))
        self.mode = ITEM

        def leave():
            self.close()
            restore()

        return leave

    def enter_item(self, restore):
        if self.mode == INLINE:
            if self.lists and self.lists[-1].items:
                self.separate(_LIST_SEPARATOR)
            else:
                self.separate(_SPACE)
            if self.lists:
                self.lists[-1].items += 1

            def leave_inline():
                self.separate(_SPACE)
                restore()

            return leave_inline
        self.close()
        if not self.lists:
            self.lists.append(_List("ul", 0))
        current = self.lists[-1]
        self.block = _Block("li", current.depth, current.kind)
        self.mode = ITEM

        def leave():
            self.close()
            restore()

        return leave

    # Text and separators

    def text(self, text: str) -> None:
        text = _INVISIBLE.sub("", text)
        if not text:
            return
        if self.preformatted:
            for index, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
                if index:
                    self.line_break()
                self.words(_WHITESPACE.sub(" ", line))
            return
        self.words(_WHITESPACE.sub(" ", text))

    def words(self, text: str) -> None:
        if not text:
            return
        core = text.strip(" ")
        if text[0] == " ":
            self.space()
        if core:
            self.write(core)
            if text[-1] == " ":
                self.space()

    def write(self, text: str) -> None:
        if self.block is None:
            self.open()
        if self.linkify and self.href is None:
            for piece, href in _addresses(text):
                self.append(piece, href)
        else:
            self.append(text, self.href)

    def append(self, text: str, href: str | None) -> None:
        runs = self.block.runs
        style = (self.bold, self.italic, href)
        if self.pending and runs:
            last, where = runs[-1], self.pending_style
            # A separator is styled as where it was written, as far as the text on both sides shares that
            # style: the space in "<i>your</i> <b>data</b>" is plain, the one in "<a>our <b>policy</b></a>"
            # is in the link. A line break never is: Draftail writes one inside a link back as a bare newline.
            shared = (
                where[0] and last.bold and style[0],
                where[1] and last.italic and style[1],
                href if where[2] == last.href == href and self.pending != _BREAK else None,
            )
            self._add_run(self.pending, shared)
        self.pending = None
        self._add_run(text, style)

    def _add_run(self, text: str, style) -> None:
        runs = self.block.runs
        if runs and runs[-1].style() == style:
            runs[-1].text += text
        else:
            runs.append(_Run(text, *style))

    def open(self) -> None:
        if self.mode != FLOW and self.lists and self.lists[-1].depth >= 0:
            # Text after a nested list, still inside the item: it carries on as an item of the outer list.
            current = self.lists[-1]
            self.block = _Block("li", current.depth, current.kind)
        else:
            self.block = _Block("p")
        self.pending = None

    def has_text(self) -> bool:
        return self.block is not None and bool(self.block.runs)

    def separate(self, separator: str) -> None:
        if self.has_text() and _SEPARATOR_RANK[separator] > _SEPARATOR_RANK[self.pending]:
            self.pending, self.pending_style = separator, (self.bold, self.italic, self.href)

    def space(self) -> None:
        self.separate(_SPACE)

    def boundary(self) -> None:
        if self.mode == FLOW:
            self.close()
        else:
            self.separate(_BREAK if self.mode == ITEM else _SPACE)

    def line_break(self) -> None:
        if self.mode == INLINE:
            self.space()
        elif self.mode == FLOW and self.pending == _BREAK and self.block is not None and self.block.tag == "p":
            # Two line breaks in a row are how many editors write a new paragraph.
            self.close()
        else:
            self.separate(_BREAK)

    def close(self) -> None:
        block, self.block, self.pending = self.block, None, None
        if block is not None and any(run.text.strip() for run in block.runs):
            self.blocks.append(block)

    # Writing

    def html(self) -> str:
        self.close()
        out = []
        for is_list, blocks in groupby(self.blocks, key=lambda block: block.tag == "li"):
            if is_list:
                out.append(_list_html(list(blocks)))
            else:
                out.extend(f"<{block.tag}>{_inline_html(block.runs)}</{block.tag}>" for block in blocks)
        return "".join(out)


def _styled(tag: Tag, bold: bool, italic: bool) -> tuple[bool, bool]:
    """Bold and italic inside ``tag``: by its name, unless its inline style says otherwise.

    Google Docs wraps a whole copied document in ``<b style="font-weight:normal">`` and marks bold text with
    ``<span style="font-weight:700">``, so the style has the last word.
    """
    if tag.name in _BOLD_TAGS:
        bold = True
    elif tag.name in _ITALIC_TAGS:
        italic = True
    style = tag.get("style")
    if isinstance(style, str) and style:
        weight = _STYLE_WEIGHT.search(style)
        if weight:
            value = weight.group(1).lower()
            if value in ("bold", "bolder") or (value.isdigit() and int(value) >= 600):
                bold = True
            elif value in ("normal", "lighter") or value.isdigit():
                bold = False
        slant = _STYLE_ITALIC.search(style)
        if slant:
            italic = slant.group(1).lower() in ("italic", "oblique")
    return bold, italic


def _addresses(text: str):
    """``text`` in pieces, each with the address it links to (None for plain text)."""
    position = 0
    for match in _BARE_ADDRESS.finditer(text):
        address = match.group(0)
        # A full stop or unmatched bracket after an address ends the sentence, not the address.
        opened, closed = address.count("("), address.count(")")
        end = len(address)
        while end and (address[end - 1] in _ADDRESS_TRAILER or (address[end - 1] == ")" and closed > opened)):
            closed -= address[end - 1] == ")"
            end -= 1
        address = address[:end]
        if match.group("email"):
            href = safe_href(f"mailto:{address}")
        elif address.lower().startswith("www."):
            href = safe_href(f"https://{address}")
        else:
            href = safe_href(address)
        if not href:
            continue
        if match.start() > position:
            yield text[position : match.start()], None
        yield address, href
        position = match.start() + len(address)
    if position < len(text):
        yield text[position:], None


def _inline_html(runs: list[_Run]) -> str:
    out = []
    for href, linked in groupby(runs, key=lambda run: run.href):
        inner = _styled_html(list(linked))
        out.append(f'<a href="{html.escape(href, quote=True)}">{inner}</a>' if href else inner)
    return "".join(out)


def _styled_html(runs: list[_Run]) -> str:
    out = []
    for bold, bold_runs in groupby(runs, key=lambda run: run.bold):
        inner = []
        for italic, italic_runs in groupby(bold_runs, key=lambda run: run.italic):
            text = "".join(html.escape(run.text, quote=False).replace("\n", "<br/>") for run in italic_runs)
            inner.append(f"<i>{text}</i>" if italic else text)
        joined = "".join(inner)
        out.append(f"<b>{joined}</b>" if bold else joined)
    return "".join(out)


def _list_html(items: list[_Block]) -> str:
    """List items as nested lists, each nested list inside the item before it (as Draftail writes them)."""
    out = []
    open_lists: list[str] = []
    for item in items:
        # A list can only nest one level deeper than the item before it; deeper ones are brought up.
        depth = min(item.depth, len(open_lists))
        while len(open_lists) > depth + 1:
            out.append(f"</li></{open_lists.pop()}>")
        if len(open_lists) == depth + 1 and open_lists[-1] != item.list_kind:
            out.append(f"</li></{open_lists.pop()}>")
        if len(open_lists) == depth + 1:
            out.append("</li><li>")
        else:
            out.append(f"<{item.list_kind}><li>")
            open_lists.append(item.list_kind)
        out.append(_inline_html(item.runs))
    while open_lists:
        out.append(f"</li></{open_lists.pop()}>")
    return "".join(out)
