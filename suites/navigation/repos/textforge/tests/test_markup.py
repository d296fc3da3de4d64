from textforge import render_markup
from textforge.markup import parse_blocks, render_inline
from textforge.markup.html import escape_attr, escape_html, strip_tags, unescape_html
from textforge.markup.html.render import table_of_contents
from textforge.markup.inline import plain_text


def test_escape_and_unescape():
    assert escape_html("<b>Fish & Chips</b>") == "&lt;b&gt;Fish &amp; Chips&lt;/b&gt;"
    assert escape_html('say "hi"') == 'say "hi"'
    assert escape_attr('say "hi" it\'s') == "say &quot;hi&quot; it&#x27;s"
    assert unescape_html("&lt;p&gt; &amp; &#65;&#x42; &quot;x&quot;") == '<p> & AB "x"'
    assert strip_tags("<p>Fish &amp; <b>chips</b></p>") == "Fish & chips"


def test_render_inline():
    assert render_inline("Some *em* and **strong** text") == "Some <em>em</em> and <strong>strong</strong> text"
    assert render_inline("Use `a < b` and `*x*`") == "Use <code>a &lt; b</code> and <code>*x*</code>"
    assert render_inline("[Docs](https://example.com/a?x=1&y=2)") == '<a href="https://example.com/a?x=1&amp;y=2">Docs</a>'
    assert render_inline("1 < 2 & 3") == "1 &lt; 2 &amp; 3"


def test_render_inline_blocks_script_urls():
    assert render_inline("[x](javascript:alert(1))") == '<a href="#">x</a>)'


def test_plain_text():
    assert plain_text("**Bold** and [link](http://x.org) `code`") == "Bold and link code"


def test_parse_blocks():
    source = "# Title\n\nFirst line\nsecond line\n\n- one\n- two\n  continued\n\n1. a\n2. b\n\n> quoted\n\n---\n"
    blocks = parse_blocks(source)
    assert [b.kind for b in blocks] == ["heading", "paragraph", "list", "list", "quote", "rule"]
    assert blocks[0].level == 1 and blocks[0].text == "Title"
    assert blocks[1].text == "First line second line"
    assert blocks[2].items == ["one", "two continued"] and not blocks[2].ordered
    assert blocks[3].ordered and blocks[3].items == ["a", "b"]


def test_parse_code_fence_and_heading_levels():
    blocks = parse_blocks("```python\nx = 1\n\ny = 2\n```\n### Third ###\n####### seven")
    assert blocks[0].kind == "code" and blocks[0].lang == "python" and blocks[0].text == "x = 1\n\ny = 2"
    assert blocks[1].kind == "heading" and blocks[1].level == 3 and blocks[1].text == "Third"
    assert blocks[2].kind == "paragraph"


def test_render_html():
    html = render_markup("# Hello World\n\nText with *style*.\n\n```\n<tag>\n```")
    assert html.splitlines() == [
        '<h1 id="hello-world">Hello World</h1>',
        "<p>Text with <em>style</em>.</p>",
        "<pre><code>&lt;tag&gt;</code></pre>",
    ]


def test_render_html_heading_offset_and_ids():
    html = render_markup("# Intro\n\n## Intro\n\n# Intro", heading_offset=1)
    assert html.splitlines() == ['<h2 id="intro">Intro</h2>', '<h3 id="intro-2">Intro</h3>', '<h2 id="intro-3">Intro</h2>']
    assert render_markup("## Plain", heading_ids=False) == "<h2>Plain</h2>"


def test_table_of_contents():
    toc = table_of_contents("# Guide\n\n## Install *now*\n\n### Details\n\ntext", max_level=2)
    assert toc == [(1, "Guide", "guide"), (2, "Install now", "install-now")]
