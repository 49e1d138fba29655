"""A policy's outline: its headings, paragraphs and list items, each tied to where it is in the input.

Every format is read into the same ``Outline``: blocks of visible text (markup
removed, runs of white space read as one space), each character of which
knows its offset in ``PolicySource.text``. So a finding can quote the
sentence as a person reads it and say exactly where it is written, whether
the input was Markdown, HTML or plain text.

Blocks are grouped into ``Section``s by their headings. Plain text has no
heading markup: a short line on its own, starting with a capital and not
ending like a sentence, is read as a heading.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .source import HTML, MARKDOWN, PolicySource

HEADING, PARAGRAPH, ITEM = "heading", "paragraph", "item"


@dataclass(frozen=True)
class Quote:
    """Words from the input: as read (``text``), and where they are written (``start``, ``end``).

    ``source.text[start:end]`` is the passage as written, markup and all.
    """

    text: str
    start: int
    end: int

    def as_data(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass
class Block:
    """A heading, paragraph or list item."""

    kind: str
    text: str  # as read: markup removed, white space collapsed
    positions: list[int]  # positions[i]: the offset in the input of text[i]
    start: int  # where the block's markup starts in the input
    end: int  # where it ends
    level: int = 0  # a heading's level, 1 the highest
    # ends[i]: the offset just after what text[i] was written as ("&rdquo;" is seven characters); None: one each.
    ends: list[int] | None = None

    def quote(self, i: int = 0, j: int | None = None) -> Quote:
        """The block's text from character ``i`` to ``j``, with its offsets in the input."""
        j = len(self.text) if j is None else j
        if not self.text or i >= j:
            position = self.positions[i] if i < len(self.positions) else self.start
            return Quote("", position, position)
        end = self.ends[j - 1] if self.ends else self.positions[j - 1] + 1
        return Quote(self.text[i:j], self.positions[i], end)


@dataclass
class Section:
    """A heading and what follows it, up to the next heading at the same level or higher."""

    heading: Block | None  # None for the text before the first heading
    blocks: list[Block] = field(default_factory=list)  # its own text, before any sub-heading
    children: list["Section"] = field(default_factory=list)
    start: int = 0  # where the section (its heading) starts in the input
    end: int = 0  # where the next section starts, or the end of the input

    @property
    def title(self) -> str:
        return self.heading.text if self.heading else ""

    @property
    def body_start(self) -> int:
        return self.heading.end if self.heading else self.start

    @property
    def body_end(self) -> int:
        """Where the section's own text ends: at its first sub-section, else at its end."""
        return self.children[0].start if self.children else self.end

    def walk(self):
        """This section and every sub-section in it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Sentence:
    """One sentence of a block, and where it is."""

    quote: Quote
    block: Block
    offset: int  # where the sentence starts in ``block.text``
    section: Section

    @property
    def text(self) -> str:
        return self.quote.text


@dataclass
class Outline:
    source: PolicySource
    blocks: list[Block]
    title: Block | None  # the document's own title, when it has one
    preamble: Section  # the text before the first section heading
    sections: list[Section]  # the top-level sections

    def all_sections(self):
        yield self.preamble
        for section in self.sections:
            yield from section.walk()

    def sentences(self):
        """Every sentence of the policy, in order, with the section it is in."""
        for section in self.all_sections():
            for block in section.blocks:
                yield from block_sentences(block, section)

    def following_items(self, block: Block) -> list[Block]:
        """The list items straight after ``block`` (what "the following:" introduces)."""
        index = self.blocks.index(block)
        items = []
        for candidate in self.blocks[index + 1 :]:
            if candidate.kind != ITEM:
                break
            items.append(candidate)
        return items


def read_outline(source: PolicySource) -> Outline:
    if source.format == HTML:
        blocks = _HTMLBlocks.read(source.text)
    else:
        blocks = _line_blocks(source.text, markdown=source.format == MARKDOWN)
    return _build(source, blocks)


# Sentences -----------------------------------------------------------------------------

# Abbreviations that end in a full stop inside a sentence.
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|eg|ie|etc|Mr|Mrs|Ms|Dr|St|No|Inc|Ltd|Co|vs|approx|cf|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec)|\b[A-Z])\.$"
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9•])")


def block_sentences(block: Block, section: Section):
    text = block.text
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if _ABBREVIATIONS.search(text[start:end]):
            continue
        yield from _sentence(block, section, start, end)
        start = end
    yield from _sentence(block, section, start, len(text))


def _sentence(block, section, start, end):
    while start < end and text_is_space(block.text[start]):
        start += 1
    while end > start and text_is_space(block.text[end - 1]):
        end -= 1
    if start < end:
        yield Sentence(block.quote(start, end), block, start, section)


def text_is_space(character: str) -> bool:
    return character.isspace()


# Building blocks of visible text ----------------------------------------------------------


class _Text:
    """Visible characters and where each is in the input, with runs of white space read as one space."""

    def __init__(self):
        self.characters: list[str] = []
        self.positions: list[int] = []
        self.ends: list[int] = []

    def add(self, text: str, offset: int) -> None:
        for index, character in enumerate(text):
            self.add_character(character, offset + index)

    def add_character(self, character: str, position: int, end: int | None = None) -> None:
        if character.isspace() or character == "\u00a0":
            if not self.characters or self.characters[-1] == " ":
                return
            character = " "
        self.characters.append(character)
        self.positions.append(position)
        self.ends.append(position + 1 if end is None else end)

    def space(self, position: int) -> None:
        self.add_character(" ", position)

    def finish(self) -> tuple[str, list[int], list[int]]:
        while self.characters and self.characters[-1] == " ":
            self.characters.pop()
            self.positions.pop()
            self.ends.pop()
        return "".join(self.characters), self.positions, self.ends

    def __bool__(self):
        return any(character != " " for character in self.characters)


# Markdown and plain text: line by line -------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_ATX_EMPTY = re.compile(r"^ {0,3}#{1,6}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MARKDOWN_ITEM = re.compile(r"^([ \t]*)(?:[*+-]|\d{1,3}[.)])[ \t]+")
_TEXT_ITEM = re.compile(r"^([ \t]*)(?:[•·▪◦‣○■□●*–-]|\d{1,3}[.)]|\(?[a-z]\))[ \t]+")
_QUOTE_MARK = re.compile(r"^ {0,3}>[ \t]?")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
# A line of plain text that reads as a heading: short, starts with a capital, not ending like a sentence.
_TEXT_HEADING_END = re.compile(r"[.,;:]$")
_MAX_HEADING_WORDS = 16


def _lines(text: str):
    """Each line without its line ending, with its offset."""
    offset = 0
    for line in text.splitlines(keepends=True):
        yield line.rstrip("\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85"), offset
        offset += len(line)


def _line_blocks(text: str, *, markdown: bool) -> list[Block]:
    blocks: list[Block] = []
    # The lines of the block being read: (content, offset of content, line start, line end)
    pending: list[tuple[str, int, int, int]] = []
    pending_kind = PARAGRAPH
    in_fence = False

    def flush():
        nonlocal pending, pending_kind
        if pending:
            block = _block_from_lines(pending_kind, pending, markdown)
            if block is not None:
                blocks.append(block)
        pending, pending_kind = [], PARAGRAPH

    item_pattern = _MARKDOWN_ITEM if markdown else _TEXT_ITEM
    for line, offset in _lines(text):
        end = offset + len(line)
        if markdown and _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            pending.append((line, offset, offset, end))
            continue
        if markdown:
            quote = _QUOTE_MARK.match(line)
            if quote:
                line, offset = line[quote.end() :], offset + quote.end()
        if not line.strip():
            flush()
            continue
        if markdown:
            atx = _ATX.match(line)
            if atx or _ATX_EMPTY.match(line):
                flush()
                if atx:
                    content_start = offset + atx.start(2)
                    blocks.append(
                        _heading(
                            _plain_or_markdown(atx.group(2), content_start, markdown), offset, end, len(atx.group(1))
                        )
                    )
                continue
            setext = _SETEXT.match(line)
            if setext and pending and pending_kind == PARAGRAPH and len(pending) == 1:
                content, content_offset, line_start, _line_end = pending[0]
                pending = []
                level = 1 if setext.group(1).startswith("=") else 2
                blocks.append(_heading(_plain_or_markdown(content, content_offset, markdown), line_start, end, level))
                continue
            if _RULE.match(line):
                flush()
                continue
        item = item_pattern.match(line)
        if item:
            flush()
            pending_kind = ITEM
            pending.append((line[item.end() :], offset + item.end(), offset, end))
            continue
        if pending_kind == ITEM and pending and (line[:1] in " \t"):
            # An indented line continues the list item above.
            stripped = len(line) - len(line.lstrip())
            pending.append((line[stripped:], offset + stripped, offset, end))
            continue
        if pending_kind == ITEM:
            flush()
        stripped = len(line) - len(line.lstrip())
        pending.append((line[stripped:], offset + stripped, offset, end))
    flush()
    if not markdown:
        blocks = _text_headings(blocks, text)
    return blocks


def _heading(read: tuple[str, list[int], list[int]], start: int, end: int, level: int) -> Block:
    text, positions, ends = read
    return Block(HEADING, text, positions, start, end, level, ends=ends)


def _block_from_lines(kind, lines, markdown) -> Block | None:
    visible = _Text()
    for index, (content, content_offset, _line_start, _line_end) in enumerate(lines):
        if index:
            visible.space(content_offset - 1)
        if markdown:
            _markdown_inline(visible, content, content_offset)
        else:
            visible.add(content, content_offset)
    if not visible:
        return None
    text, positions, ends = visible.finish()
    return Block(kind, text, positions, lines[0][2], lines[-1][3], ends=ends)


def _plain_or_markdown(content: str, offset: int, markdown: bool) -> tuple[str, list[int], list[int]]:
    visible = _Text()
    if markdown:
        _markdown_inline(visible, content, offset)
    else:
        visible.add(content, offset)
    return visible.finish()


def _text_headings(blocks: list[Block], text: str) -> list[Block]:
    """In plain text, a paragraph of one short line that does not end like a sentence is a heading."""
    for index, block in enumerate(blocks):
        one_line = "\n" not in text[block.start : block.end]
        if block.kind == PARAGRAPH and one_line and _looks_like_heading(block):
            blocks[index] = Block(HEADING, block.text, block.positions, block.start, block.end, 2, ends=block.ends)
    return blocks


def _looks_like_heading(block: Block) -> bool:
    text = block.text
    if len(text) > 150 or len(text.split()) > _MAX_HEADING_WORDS:
        return False
    if not text[:1].isupper() or _TEXT_HEADING_END.search(text):
        return False
    if "@" in text or "://" in text or text.count(",") >= 2:
        return False
    # A postal address or a telephone number is not a heading.
    return sum(character.isdigit() for character in text) <= len(text) // 4


# Markdown inline markup: links, emphasis, code, escapes, inline HTML, entities.
_LINK = re.compile(
    r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\](?:\((?:[^()\s]|\([^)]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)|\[[^\]]*\])"
)
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]+|[^@>\s]+@[^@>\s]+\.[^@>\s]+)>")
_INLINE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_MARKERS = re.compile(r"\*+|~~|`+|(?<![\w])__(?=\S)|(?<=\S)__(?![\w])")


def _markdown_inline(visible: _Text, content: str, offset: int) -> None:
    index = 0
    length = len(content)
    while index < length:
        for pattern, action in _INLINE_RULES:
            match = pattern.match(content, index)
            if match:
                action(visible, match, offset)
                index = match.end()
                break
        else:
            visible.add_character(content[index], offset + index)
            index += 1


def _link(visible, match, offset):
    _markdown_inline(visible, match.group(1), offset + match.start(1))


def _autolink(visible, match, offset):
    visible.add(match.group(1), offset + match.start(1))


def _entity(visible, match, offset):
    for character in html.unescape(match.group(0)):
        visible.add_character(character, offset + match.start(), offset + match.end())


def _escape(visible, match, offset):
    visible.add_character(match.group(1), offset + match.start(1))


def _skip(visible, match, offset):
    pass


_INLINE_RULES = (
    (_ESCAPE, _escape),
    (_LINK, _link),
    (_AUTOLINK, _autolink),
    (_INLINE_TAG, _skip),
    (_ENTITY, _entity),
    (_MARKERS, _skip),
)


# HTML ---------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
# Never read: code, styles, navigation and forms around a policy, and what browsers do not show.
_SKIPPED_TAGS = frozenset(
    [
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "head",
        "nav",
        "form",
        "button",
        "select",
        "textarea",
    ]
)
_VOID_TAGS = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_HEADINGS = {f"h{level}": level for level in range(1, 7)}


class _HTMLBlocks(HTMLParser):
    """Blocks of visible text from HTML, each character tied to its offset in the source."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=False)
        self.source = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.blocks: list[Block] = []
        self.visible = _Text()
        self.kind = PARAGRAPH
        self.level = 0
        self.block_start: int | None = None
        self.skipping: list[str] = []

    @classmethod
    def read(cls, text: str) -> list[Block]:
        parser = cls(text)
        parser.feed(text)
        parser.close()
        parser.flush(len(text))
        return parser.blocks

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def flush(self, end: int) -> None:
        if self.visible:
            text, positions, ends = self.visible.finish()
            start = self.block_start if self.block_start is not None else positions[0]
            self.blocks.append(Block(self.kind, text, positions, start, end, self.level, ends=ends))
        self.visible = _Text()
        self.kind, self.level, self.block_start = PARAGRAPH, 0, None

    def handle_starttag(self, tag, attrs):
        if self.skipping or tag in _SKIPPED_TAGS:
            if tag not in _VOID_TAGS:
                self.skipping.append(tag)
            return
        position = self.position()
        if tag in _BLOCK_TAGS:
            self.flush(position)
            if tag in _HEADINGS:
                self.kind, self.level, self.block_start = HEADING, _HEADINGS[tag], position
            elif tag == "li":
                self.kind, self.block_start = ITEM, position
        elif tag == "br":
            self.visible.space(position)
        elif tag == "img":
            # An image's words are its alternative text; nothing else of it is read.
            pass

    def handle_startendtag(self, tag, attrs):
        if tag in _VOID_TAGS:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            elif tag in self.skipping:
                del self.skipping[self.skipping.index(tag) :]
            return
        if tag in _BLOCK_TAGS:
            position = self.position()
            closing = self.source.find(">", position)
            self.flush(closing + 1 if closing >= 0 else len(self.source))

    def handle_data(self, data):
        if not self.skipping:
            self.visible.add(data, self.position())

    def handle_entityref(self, name):
        self._reference(f"&{name};")

    def handle_charref(self, name):
        self._reference(f"&#{name};")

    def _reference(self, written):
        if self.skipping:
            return
        read = html.unescape(written)
        if read == written:  # not a reference HTML knows: it stands as written
            self.visible.add(written.rstrip(";"), self.position())
            return
        position = self.position()
        # Where the reference ends as written: "&rdquo;", or "&amp" where the page left out the semicolon.
        length = len(written) if self.source.startswith(written, position) else len(written) - 1
        for character in read:
            self.visible.add_character(character, position, position + length)


# Sections -------------------------------------------------------------------------------------


def _build(source: PolicySource, blocks: list[Block]) -> Outline:
    headings = [block for block in blocks if block.kind == HEADING]
    title = None
    if headings:
        first = headings[0]
        if source.format in (HTML, MARKDOWN):
            # The title: a first heading that nothing else is at the level of ("# Privacy notice").
            if not any(heading.level <= first.level for heading in headings[1:]):
                title = first
        elif blocks[0] is first:
            # Plain text has no levels: a policy that opens with a heading line opens with its title.
            title = first
    body = [block for block in blocks if block is not title]
    preamble = Section(None, start=title.end if title else 0)
    sections: list[Section] = []
    stack: list[Section] = []
    current = preamble
    for block in body:
        if block.kind != HEADING:
            current.blocks.append(block)
            continue
        section = Section(block, start=block.start)
        while stack and stack[-1].heading.level >= block.level:
            stack.pop().end = block.start
        if stack:
            stack[-1].children.append(section)
        else:
            sections.append(section)
        stack.append(section)
        current = section
    for section in stack:
        section.end = len(source.text)
    preamble.end = sections[0].start if sections else len(source.text)
    return Outline(source=source, blocks=body, title=title, preamble=preamble, sections=sections)
