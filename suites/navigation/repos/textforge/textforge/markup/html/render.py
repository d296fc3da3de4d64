"""Render parsed markup blocks to HTML."""

from __future__ import annotations

from typing import Optional

from textforge.markup.blocks import Block, parse_blocks
from textforge.markup.html.escape import escape_attr, escape_html
from textforge.markup.inline import plain_text, render_inline
from textforge.utils.slug import slugify, unique_slug


def _heading_tag_level(level: int, offset: int) -> int:
    """Shift a heading level by ``offset``, clamped to the valid range 1-6."""
    return max(1, min(6, level + offset))


def render_block(block: Block, heading_offset: int = 0, heading_id: Optional[str] = None) -> str:
    if block.kind == "heading":
        tag = f"h{_heading_tag_level(block.level, heading_offset)}"
        id_attr = f' id="{escape_attr(heading_id)}"' if heading_id else ""
        return f"<{tag}{id_attr}>{render_inline(block.text)}</{tag}>"
    if block.kind == "paragraph":
        return f"<p>{render_inline(block.text)}</p>"
    if block.kind == "quote":
        return f"<blockquote><p>{render_inline(block.text)}</p></blockquote>"
    if block.kind == "list":
        tag = "ol" if block.ordered else "ul"
        items = "".join(f"<li>{render_inline(item)}</li>" for item in block.items)
        return f"<{tag}>{items}</{tag}>"
    if block.kind == "code":
        cls = f' class="language-{escape_attr(block.lang)}"' if block.lang else ""
        return f"<pre><code{cls}>{escape_html(block.text)}</code></pre>"
    if block.kind == "rule":
        return "<hr>"
    raise ValueError(f"unknown block kind {block.kind!r}")


def _heading_ids(blocks: list[Block]) -> list[Optional[str]]:
    seen: set[str] = set()
    ids: list[Optional[str]] = []
    for block in blocks:
        if block.kind == "heading":
            ids.append(unique_slug(plain_text(block.text), seen) or None)
        else:
            ids.append(None)
    return ids


def render_html(source: str, heading_offset: int = 0, heading_ids: bool = True) -> str:
    """Render markup ``source`` to an HTML fragment (one block per line)."""
    blocks = parse_blocks(source)
    ids = _heading_ids(blocks) if heading_ids else [None] * len(blocks)
    return "\n".join(render_block(b, heading_offset, i) for b, i in zip(blocks, ids))


def table_of_contents(source: str, max_level: int = 6) -> list[tuple[int, str, str]]:
    """``(level, text, id)`` for each heading up to ``max_level``."""
    blocks = parse_blocks(source)
    toc = []
    for block, anchor in zip(blocks, _heading_ids(blocks)):
        if block.kind == "heading" and block.level <= max_level:
            toc.append((block.level, plain_text(block.text), anchor or ""))
    return toc
