"""``json_object``: the one decoder for values that must be a JSON object."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.json_object import NotAJsonObject, json_object

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10)


@given(json_values)
def test_encoded_values_decode_to_themselves_or_name_their_type(value: Any) -> None:
    text = json.dumps(value)
    if isinstance(value, dict):
        assert json_object(text) == value
        assert json_object(text.encode()) == value
        assert json_object(value) is value
        return
    with pytest.raises(NotAJsonObject) as raised:
        json_object(text)
    expected = {list: "array", str: "string", bool: "boolean", int: "number", float: "number",
                type(None): "null"}[type(value)]
    assert str(raised.value) == f"expected a JSON object, got a JSON {expected}"
    assert raised.value.line == 1


@given(st.text())
def test_any_text_is_an_object_or_a_not_a_json_object_error(text: str) -> None:
    try:
        assert isinstance(json_object(text), dict)
    except NotAJsonObject as error:
        assert str(error).startswith("expected a JSON object")


def test_a_syntax_error_names_its_line_and_column() -> None:
    with pytest.raises(NotAJsonObject, match=r"not valid JSON \(Expecting value at line 3 "
                                             r"column 8\)") as raised:
        json_object('{\n  "a": 1,\n  "b": }')
    assert raised.value.line == 3
