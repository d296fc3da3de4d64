"""Tool declarations as Harmony writes them: JSON schemas as TypeScript-like types.

A port of openai-harmony 0.0.8's ``json_schema_to_typescript`` and
``template_tools_section``, quirks included, so the developer message is the
same text token for token.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from harness.protocols import ToolSpec


def rust_lines(text: str) -> list[str]:
    """Lines as Rust's ``str::lines`` gives them: ``\\n`` or ``\\r\\n`` ends a line."""
    *ended, rest = text.split("\n")
    lines = [line.removesuffix("\r") for line in ended]
    return [*lines, rest] if rest else lines


def _is_enum(schema: Any) -> bool:
    return isinstance(schema, dict) and isinstance(schema.get("enum"), list) and bool(
        schema["enum"])


def _string(schema: Any, key: str) -> str | None:
    value = schema.get(key) if isinstance(schema, dict) else None
    return value if isinstance(value, str) else None


def _nullable(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("nullable") is True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _default(schema: dict[str, Any], *, quote_enum: bool) -> str:
    """``default: ...``; string defaults of enums are bare, or JSON with ``quote_enum``."""
    default = schema["default"]
    if isinstance(default, str) and not _is_enum(schema):
        return f'default: "{default}"'
    if isinstance(default, str) and not quote_enum:
        return f"default: {default}"
    return f"default: {_json(default)}"


def _with_null(schema: Any, type_text: str) -> str:
    return f"{type_text} | null" if _nullable(schema) and "null" not in type_text else type_text


def _one_of(variants: list[Any], indent: str) -> str:
    out = ""
    for variant in variants:
        out += f"\n{indent} | " + _with_null(variant, schema_to_typescript(variant, indent + "   "))
        comments = [text for text in [_string(variant, "description")] if text is not None]
        if isinstance(variant, dict) and "default" in variant:
            comments.append(_default(variant, quote_enum=True))
        if comments:
            out += " // " + " ".join(comments)
    return out


def _one_of_property(key: str, optional: str, prop: dict[str, Any], indent: str) -> str:
    variants: list[Any] = prop["oneOf"]
    description = _string(prop, "description")
    first = _string(variants[0], "description") if variants else None
    above = description is not None and description != first
    out = f"{indent}// {description}\n" if above else ""
    if "default" in prop:
        out += f"{indent}// {_default(prop, quote_enum=False)}\n"
    out += f"{indent}{key}{optional}:\n"
    for index, variant in enumerate(variants):
        out += f"{indent} | " + _with_null(variant, schema_to_typescript(variant, indent + "   "))
        comments: list[str] = []
        variant_description = _string(variant, "description")
        if not (index == 0 and above) and variant_description not in (None, description):
            comments.append(str(variant_description))
        if isinstance(variant, dict) and "default" in variant:
            comments.append(_default(variant, quote_enum=False))
        if comments:
            out += " // " + " ".join(comments)
        out += "\n"
    return out + f"{indent},\n"


def _object(schema: dict[str, Any], indent: str) -> str:
    description = _string(schema, "description")
    out = f"{indent}// {description}\n" if description is not None else ""
    out += "{\n"
    properties = schema.get("properties")
    required_list = schema.get("required")
    required = {r for r in required_list if isinstance(r, str)} if isinstance(
        required_list, list) else set()
    for key, prop in (properties.items() if isinstance(properties, dict) else ()):
        meta = prop if isinstance(prop, dict) else {}
        optional = "" if key in required else "?"
        title = _string(meta, "title")
        if title is not None:
            out += f"{indent}// {title}\n{indent}//\n"
        prop_description = _string(meta, "description")
        if "oneOf" not in meta and prop_description is not None:
            out += f"{indent}// {prop_description}\n"
        examples = meta.get("examples")
        if isinstance(examples, list) and examples:
            out += f"{indent}// Examples:\n"
            out += "".join(f'{indent}// - "{ex}"\n' for ex in examples if isinstance(ex, str))
        if isinstance(meta.get("oneOf"), list):
            out += _one_of_property(key, optional, meta, indent)
            continue
        out += f"{indent}{key}{optional}: "
        out += _with_null(meta, schema_to_typescript(prop, indent + "    ")) + ","
        if "oneOf" not in meta and "default" in meta:
            out += f" // {_default(meta, quote_enum=False)}"
        out += "\n"
    return out + f"{indent}}}"


def schema_to_typescript(schema: Any, indent: str = "") -> str:
    """The TypeScript-like type openai-harmony writes for a JSON schema."""
    if not isinstance(schema, dict):
        return "any"
    if isinstance(schema.get("oneOf"), list):
        return _one_of(schema["oneOf"], indent)
    kind = schema.get("type")
    if isinstance(kind, list):
        names = ["number" if k == "integer" else k for k in kind if isinstance(k, str)]
        if names:
            return " | ".join(names)
    if kind == "object":
        return _object(schema, indent)
    if kind == "string":
        values = schema.get("enum")
        names = [f'"{v}"' for v in values if isinstance(v, str)] if isinstance(
            values, list) else []
        return " | ".join(names) if names else "string"
    if kind in ("number", "integer"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "array":
        return f"{schema_to_typescript(schema['items'], indent)}[]" if "items" in schema else (
            "Array<any>")
    return "any"


def tools_section(tools: Sequence[ToolSpec]) -> str:
    """``# Tools`` with the ``functions`` namespace declaring each tool."""
    lines = ["## functions\n", "namespace functions {\n"]
    for tool in tools:
        lines.extend(f"// {line}" for line in rust_lines(tool.description))
        lines.append(f"type {tool.name} = (_: {schema_to_typescript(tool.parameters)}) => any;\n")
    lines.append("} // namespace functions")
    return "# Tools\n\n" + "\n".join(lines)
