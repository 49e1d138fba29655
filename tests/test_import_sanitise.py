"""Imported policy text as rich text: hostile HTML made harmless, each format converted, Draftail reads it back."""

import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter
from wagtail.rich_text import expand_db_html

from privacy_notices.blocks import RICH_TEXT_FEATURES
from privacy_notices.importing.outline import read_outline
from privacy_notices.importing.richtext import plain_text, plain_text_html, rich_text_for
from privacy_notices.importing.sanitise import safe_href, sanitise_html
from privacy_notices.importing.source import read_policy

ALLOWED_TAGS = {"p", "h3", "h4", "b", "i", "ul", "ol", "li", "br", "a"}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="

# Filter-evasion vectors in the style of the OWASP XSS cheat sheet, and the places a policy's HTML hides code.
HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script>alert(1)",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#49;"
    "&#41;>",
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058'
    '&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000049&#0000041">click</a>',
    '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x31&#x29">c</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="jav&#x0A;ascript:alert(1)">click</a>',
    '<a href="jav&#x0D;ascript:alert(1)">click</a>',
    '<a href="jav\tascript:alert(1)">click</a>',
    '<a href="java\x00script:alert(1)">click</a>',
    '<a href=" &#14;  javascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="JAVASCRIPT:alert(1)">click</a>',
    '<a href="javascript&colon;alert(1)">click</a>',
    '<a href="&amp;#106;avascript:alert(1)">click</a>',
    "<a href=\"'javascript:alert(1)'\">click</a>",
    '<a href="vbscript:msgbox(1)">click</a>',
    f'<a href="data:text/html;base64,{B64_SCRIPT}">click</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">click</a>',
    '<a href="file:///etc/passwd">click</a>',
    '<a href="//evil.example/x">click</a>',
    '<a href="/relative/path">click</a>',
    '<a href="https://ok.example" onclick="alert(1)" style="color:red" target="_blank">ok</a>',
    '<a href="https://ok.example/"onmouseover="alert(1)">no space before the handler</a>',
    "<a href='\"><script>alert(1)</script>'>nested quotes</a>",
    '<a href="https://x.org onclick=alert(1)>unterminated quote</a>',
    '<b><i><a href="javascript:alert(1)">unclosed',
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script><a xlink:href='javascript:alert(1)'><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">click</math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    f'<object data="data:text/html;base64,{B64_SCRIPT}"></object>',
    f'<embed src="data:image/svg+xml;base64,{B64_SCRIPT}">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    f'<meta http-equiv="refresh" content="0;url=data:text/html;base64,{B64_SCRIPT}">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<form><input type="image" src="x" onerror="alert(1)"></form>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<style>p{width:expression(alert(1))}</style>",
    '<div style="width: expression(alert(1));">styled</div>',
    '<div style="background-image: url(javascript:alert(1))">styled</div>',
    '<p style="behavior: url(xss.htc)">styled</p>',
    "<!--<script>alert(1)</script>-->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml-stylesheet href="javascript:alert(1)"?>',
    "<!DOCTYPE html><html><head><title>t</title><script>alert(1)</script></head><body onload=alert(1)>b</body></html>",
    '<table background="javascript:alert(1)"><tr><td background="javascript:alert(1)">cell</td></tr></table>',
    "<details open ontoggle=alert(1)>toggled</details>",
    '<video><source onerror="alert(1)"></video>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<p>null\x00byte<scr\x00ipt>alert(1)</scr\x00ipt></p>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE><TD BACKGROUND=\"javascript:alert('XSS')\">",
    '<DIV STYLE="background-image:\\0075\\0072\\006C\\0028\'\\006a\\0061\\0076\\0061\\0073\\0063\\0072\\0069\\0070">',
    '<a href="https://ok.example"><a href="javascript:alert(1)">nested link</a></a>',
]


def assert_clean(output, *, block_keys=False):
    """Only allowed tags, no attribute but href (and the block keys Draftail adds, when it wrote ``output``)."""
    soup = BeautifulSoup(output, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in ALLOWED_TAGS, output
        attributes = set(tag.attrs) - ({"data-block-key"} if block_keys else set())
        if tag.name == "a":
            assert attributes == {"href"}, output
            assert urlsplit(tag["href"]).scheme in ALLOWED_SCHEMES, output
        else:
            assert not attributes, output
    lowered = output.lower()
    for dangerous in ("javascript:", "vbscript:", "<script", "onerror", "data:", "style=", "expression("):
        assert dangerous not in lowered, output
    # No tag in the output carries an event handler, however it is spelt.
    assert not re.search(r"<[^>]*[\s/]on[a-z]+\s*=", lowered), output


def links(rich_html):
    return [(a["href"], a.get_text()) for a in BeautifulSoup(rich_html, "html.parser").find_all("a")]


def round_trip(rich_html):
    converter = ContentstateConverter(features=RICH_TEXT_FEATURES)
    return converter.to_database_format(converter.from_database_format(rich_html))


@pytest.mark.parametrize("vector", HOSTILE)
def test_hostile_html_comes_out_clean(vector):
    output = sanitise_html(vector)
    assert_clean(output)
    # Cleaning is stable, and what Draftail writes back from it is as clean.
    assert sanitise_html(output) == output
    assert_clean(round_trip(output), block_keys=True)


# Vectors that leave open an element removed with its content: like a browser reading an unclosed <script>,
# the sanitiser reads everything after them as inside it.
SWALLOW_THE_REST = {
    "<script>alert(1)",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
}


@pytest.mark.parametrize("vector", HOSTILE)
def test_hostile_html_inside_a_policy_keeps_the_policy(vector):
    output = sanitise_html(f"<p>Before the vector.</p>{vector}<p>After the vector.</p>")
    assert_clean(output)
    assert output.startswith("<p>Before the vector.</p>")
    assert ("After the vector." in output) is (vector not in SWALLOW_THE_REST)


def test_a_comment_left_open_hides_the_rest():
    output = sanitise_html('<p>Kept</p><!-- <img src=x onerror="alert(1)"> <p>hidden &amp; gone')
    assert output == "<p>Kept</p>"


def test_link_text_stays_when_the_link_goes():
    assert sanitise_html('<a href="javascript:alert(1)">Contact us</a>') == "<p>Contact us</p>"
    assert sanitise_html('<a href="/privacy">our policy</a>') == "<p>our policy</p>"
    assert sanitise_html('<img src="x" onerror="alert(1)" alt="Our logo">') == "<p>Our logo</p>"
    assert sanitise_html('<img src="x" alt="">') == ""


def test_markup_written_as_text_stays_text():
    output = sanitise_html("<p>Write &lt;script&gt;alert(1)&lt;/script&gt; &amp; see</p>")
    assert output == "<p>Write &lt;script&gt;alert(1)&lt;/script&gt; &amp; see</p>"
    assert "<script" not in output


@pytest.mark.parametrize(
    "href",
    [
        "https://ico.org.uk/make-a-complaint/",
        "http://example.com/a?b=1&c=2",
        "mailto:dpo@example.com?subject=Subject%20access",
        "tel:+441234567890",
    ],
)
def test_allowed_links_are_kept(href):
    assert links(sanitise_html(f'<a href="{href.replace("&", "&amp;")}">link</a>')) == [(href, "link")]


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "ftp://example.com", "file:///c:/x", "//example.com", "x.html", ""],
)
def test_other_addresses_are_refused(href):
    assert safe_href(href) is None


def test_hostile_markup_fuzzed():
    # Pieces of hostile markup in every order and nesting: still only allowed tags and addresses.
    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from(FRAGMENTS), max_size=12))
    def check(pieces):
        output = sanitise_html("".join(pieces))
        assert_clean(output)
        assert sanitise_html(output) == output
        assert plain_text(round_trip(output)).split() == plain_text(output).split()
        assert links(round_trip(output)) == links(output)

    check()


FRAGMENTS = [
    "<p>",
    "</p>",
    "<div>",
    "</div>",
    "<b>",
    "</b>",
    "<em>",
    "</em>",
    "<ul>",
    "</ul>",
    "<ol>",
    "<li>",
    "</li>",
    "<h2>",
    "</h2>",
    "<h5>",
    "<table><tr><td>",
    "</td><td>",
    "</tr>",
    "<br>",
    "<br><br>",
    "<dl><dt>",
    "<dd>",
    "<pre>",
    "text",
    " words here ",
    "&nbsp;",
    "&lt;script&gt;",
    '<a href="https://ok.example">',
    '<a href="jav&#x09;ascript:alert(1)">',
    "</a>",
    "<script>alert(1)</script>",
    "<script>",
    "<style>",
    "<!--",
    "-->",
    "<svg onload=alert(1)>",
    '<img src=x onerror="alert(1)" alt="alt text">',
    '<span style="font-weight:700">',
    "</span>",
    "<",
    ">",
    '"',
    "\x00",
]


# Structure --------------------------------------------------------------------------------------------------


def test_inline_styles_become_b_and_i():
    output = sanitise_html("<p>We <strong>never</strong> sell <em>your</em> <b><i>data</i></b>.</p>")
    assert output == "<p>We <b>never</b> sell <i>your</i> <b><i>data</i></b>.</p>"


def test_google_docs_bold_wrapper_is_not_bold():
    html = (
        '<b style="font-weight:normal;" id="docs-internal-guid-1"><p dir="ltr"><span style="font-weight:700">'
        'Controller</span><span style="font-weight:400">: Acme Ltd</span></p></b>'
    )
    assert sanitise_html(html) == "<p><b>Controller</b>: Acme Ltd</p>"


def test_headings_default_to_the_highest_present():
    output = sanitise_html("<h2>Your rights</h2><p>You may ask.</p><h3>Access</h3><h5>How</h5>")
    assert output == "<h3>Your rights</h3><p>You may ask.</p><h4>Access</h4><h4>How</h4>"


def test_headings_in_removed_elements_do_not_count():
    output = sanitise_html("<svg><h1>Icon</h1></svg><h2>Section</h2><h3>Sub</h3>")
    assert output == "<h3>Section</h3><h4>Sub</h4>"


def test_heading_levels_map_headings():
    html = "<h1>Top</h1><h2>Section</h2><h3>Sub</h3><h4>Deeper</h4>"
    output = sanitise_html(html, heading_levels={1: "p", 2: "h3", 3: "h4"})
    assert output == "<p>Top</p><h3>Section</h3><h4>Sub</h4><h4>Deeper</h4>"
    with pytest.raises(ValueError):
        sanitise_html(html, heading_levels={2: "h2"})


def test_containers_are_unwrapped_and_attributes_dropped():
    html = (
        '<section class="policy" id="who"><div data-x="1"><font face="Arial" color="red">We are '
        '<span class="org">Acme</span></font></div></section>'
    )
    assert sanitise_html(html) == "<p>We are Acme</p>"


def test_tables_become_a_paragraph_per_row():
    html = """
    <table border="1">
      <caption>How long we keep it</caption>
      <thead><tr><th>Information</th><th>Period</th><th>Why</th></tr></thead>
      <tbody>
        <tr><td>Payroll records</td><td>6 years</td><td><p>HMRC</p><p>rules</p></td></tr>
        <tr><td>CCTV</td><td></td><td>31 days</td></tr>
        <tr><td>Newsletter</td><td>Until you <a href="https://example.com/unsubscribe">unsubscribe</a></td></tr>
      </tbody>
    </table>"""
    assert sanitise_html(html) == (
        "<p>How long we keep it</p>"
        "<p>Information – Period – Why</p>"
        "<p>Payroll records – 6 years – HMRC rules</p>"
        "<p>CCTV – 31 days</p>"
        '<p>Newsletter – Until you <a href="https://example.com/unsubscribe">unsubscribe</a></p>'
    )


def test_definition_lists_become_paragraphs():
    html = "<dl><dt>Controller</dt><dd>Acme Ltd, 1 High Street</dd><dt>DPO</dt><dd>Jo Bloggs</dd></dl>"
    assert sanitise_html(html) == (
        "<p><b>Controller</b></p><p>Acme Ltd, 1 High Street</p><p><b>DPO</b></p><p>Jo Bloggs</p>"
    )


def test_loose_text_is_wrapped_and_blocks_inside_paragraphs_split_them():
    html = "Intro <b>text</b><p>one<div>two</div>three</p>\n\n  <p>  </p><p>&nbsp;</p>tail"
    assert sanitise_html(html) == "<p>Intro <b>text</b></p><p>one</p><p>two</p><p>three</p><p>tail</p>"


def test_whitespace_is_collapsed():
    html = "<p>\n   We   collect\n\tyour <b> name </b>\n and   address.  </p>"
    assert sanitise_html(html) == "<p>We collect your <b>name</b> and address.</p>"


def test_line_breaks_and_double_breaks():
    assert sanitise_html("Acme Ltd<br>1 High Street<br/><br />Call us") == (
        "<p>Acme Ltd<br/>1 High Street</p><p>Call us</p>"
    )


def test_lists_nest_and_paragraphs_in_items_become_line_breaks():
    html = "<ul><li><p>Name</p><p>and title</p></li><li>Contact<ol><li>email</li><li>phone</li></ol></li></ul>"
    assert sanitise_html(html) == (
        "<ul><li>Name<br/>and title</li><li>Contact<ol><li>email</li><li>phone</li></ol></li></ul>"
    )


def test_inline_elements_around_blocks_are_turned_inside_out():
    html = '<b><p>Bold paragraph</p></b><a href="https://example.com"><h2>Linked heading</h2></a>'
    assert sanitise_html(html) == (
        '<p><b>Bold paragraph</b></p><h3><a href="https://example.com">Linked heading</a></h3>'
    )


def test_deeply_nested_html_is_read():
    html = "<div>" * 20_000 + "<b>" * 5_000 + "deep" + "</b>" * 5_000 + "</div>" * 20_000
    assert sanitise_html(html) == "<p><b>deep</b></p>"


# Formats ----------------------------------------------------------------------------------------------------


def whole(text, name):
    source = read_policy(text.encode(), name)
    return source, read_outline(source)


def test_markdown_lists_links_emphasis_and_headings():
    text = """## What we collect

We collect **your name**, *your email* and [your IP address](https://example.com/ip "IP").
See [the ICO][ico] or write to dpo@example.com.

- Newsletter sign-ups
- Orders
  over two lines

1. First
2. Second

### Cookies

Details <span onclick="alert(1)">here</span>. <script>alert(1)</script>

#### Analytics

Counted.

[ico]: https://ico.org.uk
"""
    source = read_policy(text.encode(), "policy.md")
    output = rich_text_for(source, 0, len(text), top_level=3)
    assert output == (
        "<h3>What we collect</h3>"
        '<p>We collect <b>your name</b>, <i>your email</i> and <a href="https://example.com/ip">your IP address</a>. '
        'See <a href="https://ico.org.uk">the ICO</a> or write to '
        '<a href="mailto:dpo@example.com">dpo@example.com</a>.</p>'
        "<ul><li>Newsletter sign-ups</li><li>Orders over two lines</li></ul>"
        "<ol><li>First</li><li>Second</li></ol>"
        "<h3>Cookies</h3><p>Details here.</p>"
        "<h4>Analytics</h4><p>Counted.</p>"
    )


def test_markdown_section_bodies_resolve_references_defined_elsewhere():
    text = "# Policy\n\n## Complaints\n\nTell [the ICO][ico].\n\n## Changes\n\nNone.\n\n[ico]: https://ico.org.uk\n"
    source, outline = whole(text, "policy.md")
    complaints = next(section for section in outline.all_sections() if section.title == "Complaints")
    output = rich_text_for(source, complaints.body_start, complaints.body_end, top_level=3)
    assert output == '<p>Tell <a href="https://ico.org.uk">the ICO</a>.</p>'


def test_markdown_raw_html_and_hostile_links_go_through_the_sanitiser():
    text = (
        "# P\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)> "
        '<a href="data:text/html;base64,xx">d</a>\n\n<iframe srcdoc="x"></iframe>\n'
    )
    source = read_policy(text.encode(), "policy.md")
    output = rich_text_for(source, 3, len(text), top_level=2)
    assert output == "<p>click d</p>"
    assert_clean(output)


PLAIN_POLICY = """Privacy notice

Acme Widgets Ltd ("we", "us") is the controller of your personal
information. This notice explains what we collect and why.

What we collect

We collect the following information:
• your name and postal address
• your email address and telephone
  number
• details of your orders
· payment card type (not the full number)

How long we keep it

1. Order records: six years.
2. Marketing preferences: until you unsubscribe.
a) Backups are overwritten after 35 days.

Contact our Data Protection Officer at dpo@acme.example or visit
www.ico.org.uk. Tags like <script>alert(1)</script> are only words here & stay so.
"""


def test_plain_text_policy_with_bullets():
    source, outline = whole(PLAIN_POLICY, "policy.txt")
    bodies = {
        section.title: rich_text_for(source, section.body_start, section.body_end, top_level=3)
        for section in outline.all_sections()
    }
    assert bodies["What we collect"] == (
        "<p>We collect the following information:</p>"
        "<ul><li>your name and postal address</li><li>your email address and telephone number</li>"
        "<li>details of your orders</li><li>payment card type (not the full number)</li></ul>"
    )
    assert bodies["How long we keep it"] == (
        "<ol><li>Order records: six years.</li><li>Marketing preferences: until you unsubscribe.</li>"
        "<li>Backups are overwritten after 35 days.</li></ol>"
        '<p>Contact our Data Protection Officer at <a href="mailto:dpo@acme.example">dpo@acme.example</a> or '
        'visit <a href="https://www.ico.org.uk">www.ico.org.uk</a>. Tags like &lt;script&gt;alert(1)&lt;/script&gt; '
        "are only words here &amp; stay so.</p>"
    )
    for body in bodies.values():
        assert_clean(body)


def test_plain_text_html_escapes_and_joins_wrapped_lines():
    assert plain_text_html("a <b>\nwrapped & line\n\n- item\n- <i>\n•touching\n-5°C is not an item\n") == (
        "<p>a &lt;b&gt; wrapped &amp; line</p><ul><li>item</li><li>&lt;i&gt;</li><li>touching</li></ul>"
        "<p>-5°C is not an item</p>"
    )


HTML_POLICY = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Privacy</title><style>h2{color:red}</style></head>
<body><nav><a href="/">Home</a></nav>
<main>
<h1>Privacy policy</h1>
<p>We are <b>Acme</b>.</p>
<section id="collect">
  <h2 class="x">What we collect</h2>
  <div class="body"><p>Your <em>name</em>.</p>
  <section>
    <h3>Cookies</h3>
    <p>See <a href="https://example.com/cookies" onclick="track()">our cookies</a>.</p>
  </section>
</section>
<section>
  <h2>Your rights</h2>
  <ul><li>Access</li><li>Erasure</li></ul>
  <h4>Smaller print</h4><p>More.</p>
</section>
</main>
<script>track()</script>
</body></html>
"""


def test_html_sections_cut_mid_structure():
    source, outline = whole(HTML_POLICY, "policy.html")
    bodies = {}
    for section in outline.all_sections():
        top_level = section.heading.level + 1 if section.heading else 1
        bodies[section.title] = rich_text_for(source, section.body_start, section.body_end, top_level=top_level)
    assert bodies["What we collect"] == "<p>Your <i>name</i>.</p>"
    assert bodies["Cookies"] == '<p>See <a href="https://example.com/cookies">our cookies</a>.</p>'
    assert bodies["Your rights"] == "<ul><li>Access</li><li>Erasure</li></ul>"
    assert bodies["Smaller print"] == "<p>More.</p>"
    for body in bodies.values():
        assert_clean(body)
        assert "Home" not in body and "track" not in body


def test_plain_text_of_rich_text():
    rich = (
        '<h3>Rights</h3><p>You <b>may</b>\n ask.</p><ul><li>Access</li><li><a href="https://x.org">More</a></li></ul>'
    )
    assert plain_text(rich) == "Rights You may ask. Access More"
    assert plain_text("<p>a<br/>b</p><script>x</script>") == "a b"
    assert plain_text("") == ""


# Draftail -----------------------------------------------------------------------------------------------------


ROUND_TRIP_INPUTS = [
    HTML_POLICY,
    "<h2>Who we are</h2><p>Acme <b>Ltd</b>, <i>trading as</i> <a href='https://acme.example'><b>Acme</b> shop</a>.</p>",
    "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul>after nested</li><li><p>d</p><p>e</p></li></ul><ol><li>f</li></ol>",
    "<ul><ul><li>skipped a level</li></ul></ul><li>stray item</li>",
    "<table><tr><td>Name</td><td><ul><li>one</li><li>two</li></ul></td></tr></table>",
    "Line<br>break <a href='mailto:dpo@example.com'>mail<br>us</a> <a href='tel:+441234'>call</a>",
    "<p>Text <a href='https://a.example'>one</a><a href='https://b.example'>two</a></p>",
    "<pre>code line\n  indented\n\nnew para</pre><dl><dt>Term</dt><dd><p>x</p><ul><li>y</li></ul></dd></dl>",
    "<b>bold <i>both</i> bold</b> <i>italic <a href='https://x.example'>link <b>bold link</b></a></i>",
    PLAIN_POLICY,
]


@pytest.mark.parametrize("html", ROUND_TRIP_INPUTS)
def test_draftail_reads_back_every_word_and_link(html):
    output = sanitise_html(html)
    # Wagtail's front end reads the links as external and e-mail links, and leaves them as they are.
    assert links(expand_db_html(output)) == links(output)
    back = round_trip(output)
    assert plain_text(back).split() == plain_text(output).split()
    assert links(back) == links(output)
    # And what Draftail wrote reads back the same again.
    assert round_trip(back) == back


def test_imported_sections_round_trip_through_draftail():
    for text, name in ((HTML_POLICY, "p.html"), (PLAIN_POLICY, "p.txt")):
        source, outline = whole(text, name)
        for section in outline.all_sections():
            output = rich_text_for(source, section.body_start, section.body_end, top_level=3)
            back = round_trip(output)
            assert plain_text(back).split() == plain_text(output).split()
            assert links(back) == links(output)


# Size ---------------------------------------------------------------------------------------------------------


def test_a_100_kb_policy_sanitises():
    section = """
<section class="policy-section"><h2 style="color:#333">Section {n}</h2>
<div class="content"><p>We process <strong>personal data</strong> for purpose {n} under
<a href="https://ico.org.uk/for-organisations/guide-{n}/" target="_blank">Article 6(1)(f)</a>.</p>
<ul><li>Name and <em>address</em></li><li>Email <span style="font-weight:bold">address</span></li></ul>
<table><tr><th>Data</th><th>Period</th></tr><tr><td>Orders {n}</td><td>6 years</td></tr></table>
<img src="x" onerror="alert({n})" alt=""><script>alert({n})</script><!-- note {n} --></div></section>"""
    html = "<html><body>" + "".join(section.format(n=n) for n in range(200)) + "</body></html>"
    assert len(html) > 100_000
    output = sanitise_html(html)
    assert_clean(output)
    assert output.count("<h3>") == 200
    assert "<p>Orders 199 – 6 years</p>" in output
    assert plain_text(round_trip(output)).split() == plain_text(output).split()
