import pytest

from textforge import Template, render_template
from textforge.templating import Markup, TemplateSyntaxError, register_filter
from textforge.templating.context import Undefined, resolve
from textforge.templating.lexer import TEXT, VAR, tokenize_template


def test_variables_and_attribute_lookup():
    class User:
        name = "ada"

    assert render_template("Hi {{ user.name }} / {{ d.k }} / {{ xs.1 }}", user=User(), d={"k": 5}, xs=[1, 2]) == "Hi ada / 5 / 2"
    assert render_template("[{{ missing }}][{{ d.nope }}]", d={}) == "[][]"


def test_resolve_and_undefined():
    assert isinstance(resolve("a.b", {"a": {}}), Undefined)
    assert resolve("a.b.0", {"a": {"b": ["x"]}}) == "x"
    assert not Undefined("x") and str(Undefined("x")) == ""


def test_filters_chain_and_args():
    assert render_template("{{ name | lower | title }}", name="THE LORD OF THE RINGS") == "The Lord of the Rings"
    assert render_template("{{ xs | join(' + ') }} = {{ xs | length }}", xs=[1, 2, 3]) == "1 + 2 + 3 = 3"
    assert render_template("{{ t | truncate(8) }}", t="abcdefghijkl") == "abcde..."
    assert render_template("{{ t | replace('a', 'o') | upper }}", t="banana") == "BONONO"
    assert render_template("{{ 3.14159 | round(2) }} {{ 2.6 | round }}") == "3.14 3"
    assert render_template("{{ 'Hello World' | slugify }}") == "hello-world"
    assert render_template("{{ t | truncatewords(2) }}", t="one two three") == "one two…"


def test_default_filter_for_missing_values():
    assert render_template("{{ nickname | default('anonymous') }}") == "anonymous"
    assert render_template("{{ n | default('none') }}", n=None) == "none"
    assert render_template("{{ s | default('empty', true) }}", s="") == "empty"
    assert render_template("{{ s | default('empty') }}", s="set") == "set"


def test_if_elif_else():
    tpl = Template("{% if n > 10 %}big{% elif n == 10 %}ten{% else %}small{% endif %}")
    assert [tpl.render(n=n) for n in (11, 10, 3)] == ["big", "ten", "small"]
    assert render_template("{% if not items %}none{% endif %}", items=[]) == "none"
    assert render_template("{% if 'a' in word %}yes{% endif %}", word="cat") == "yes"


def test_for_loops_with_index_and_else():
    tpl = Template("{% for x in xs %}{{ loop.index }}:{{ x }}{% if loop.first %}*{% endif %} {% else %}empty{% endfor %}")
    assert tpl.render(xs=["a", "b"]) == "1:a* 2:b "
    assert tpl.render(xs=[]) == "empty"


def test_whitespace_control_and_comments():
    tpl = "<ul>\n  {%- for x in xs -%}\n  <li>{{ x }}</li>\n  {%- endfor -%}\n</ul>{# note #}"
    assert render_template(tpl, xs=[1, 2]) == "<ul><li>1</li><li>2</li></ul>"


def test_autoescape_and_markup():
    assert render_template("{{ v }}", v="<b>&</b>", autoescape=True) == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert render_template("{{ v }}", v=Markup("<b>ok</b>"), autoescape=True) == "<b>ok</b>"
    assert render_template("{{ v | safe }}", v="<i>", autoescape=True) == "<i>"
    assert render_template("{{ v | escape }}", v="<i>") == "&lt;i&gt;"


def test_custom_filter_and_variables():
    @register_filter("shout")
    def shout(value, times=1):
        return str(value).upper() + "!" * times

    assert render_template("{{ w | shout(3) }}", w="hey") == "HEY!!!"
    assert Template("{% for x in xs %}{{ x }}{{ sep }}{% endfor %}{{ title }}").variables == ["sep", "title", "xs"]


def test_tokenize_template():
    tokens = tokenize_template("a{{ b }}c")
    assert [(t.kind, t.value) for t in tokens] == [(TEXT, "a"), (VAR, "b"), (TEXT, "c")]


def test_syntax_errors():
    with pytest.raises(TemplateSyntaxError, match="unclosed"):
        Template("{{ oops")
    with pytest.raises(TemplateSyntaxError, match="missing"):
        Template("{% if x %}never closed")
    with pytest.raises(TemplateSyntaxError, match="unexpected tag"):
        Template("{% frobnicate %}")
    with pytest.raises(KeyError):
        render_template("{{ x | nosuchfilter }}", x=1)
