import pytest

from textforge.utils import (
    camel_case, fill, kebab_case, pascal_case, slugify, snake_case, title_case,
    truncate_chars, truncate_middle, truncate_words, unique_slug, wrap_text,
)
from textforge.utils.case import constant_case, split_identifier
from textforge.utils.wrap import dedent, indent


def test_slugify():
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("Crème Brûlée à la carte") == "creme-brulee-a-la-carte"
    assert slugify("Straße & Smørrebrød") == "strasse-smorrebrod"
    assert slugify("  --Already--slugged--  ") == "already-slugged"
    assert slugify("Snake Case", separator="_") == "snake_case"
    assert slugify("KeepCase", lowercase=False) == "KeepCase"


def test_slugify_max_length():
    assert slugify("Hello World Again", max_length=8) == "hello"
    assert slugify("Hello World Again", max_length=11) == "hello-world"
    assert slugify("Supercalifragilistic", max_length=5) == "super"


def test_unique_slug():
    seen = set()
    assert [unique_slug("My Post", seen) for _ in range(3)] == ["my-post", "my-post-2", "my-post-3"]


def test_identifier_cases():
    assert split_identifier("parseHTTPResponse2") == ["parse", "HTTP", "Response", "2"]
    assert snake_case("parseHTTPResponse") == "parse_http_response"
    assert kebab_case("XMLHttpRequest") == "xml-http-request"
    assert camel_case("user_id_field") == "userIdField"
    assert pascal_case("some-kebab-name") == "SomeKebabName"
    assert constant_case("maxValue") == "MAX_VALUE"


def test_title_case():
    assert title_case("the lord of the rings") == "The Lord of the Rings"
    assert title_case("a tale of two cities") == "A Tale of Two Cities"
    assert title_case("my iPhone and NASA") == "My iPhone and NASA"


def test_truncate_chars_and_middle():
    assert truncate_chars("Hello world", 20) == "Hello world"
    assert truncate_chars("Hello world", 8) == "Hello w…"
    assert truncate_chars("Hello world", 7, ellipsis="...") == "Hell..."
    assert truncate_middle("abcdefghij", 6) == "abc…ij"
    with pytest.raises(ValueError):
        truncate_chars("x", -1)


def test_truncate_words():
    assert truncate_words("one two three four five", 3) == "one two three…"
    assert truncate_words("  just two  ", 5) == "just two"
    assert truncate_words("a b c d", 2, ellipsis=" [...]") == "a b [...]"


def test_wrap_text():
    text = "The quick brown fox jumps over the lazy dog"
    assert wrap_text(text, 12) == ["The quick", "brown fox", "jumps over", "the lazy dog"]
    assert wrap_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap_text("aa bb cc", 6, initial_indent="* ", subsequent_indent="  ") == ["* aa", "  bb", "  cc"]
    with pytest.raises(ValueError):
        wrap_text("x", 2, initial_indent="  ")


def test_fill_indent_dedent():
    assert fill("aaa bbb ccc\n\nddd", 7) == "aaa bbb\nccc\n\nddd"
    assert indent("a\n\nb", "> ") == "> a\n\n> b"
    assert dedent("    x\n      y\n\n    z") == "x\n  y\n\nz"
