"""Block-level parsing: headings, paragraphs, lists, quotes, code fences, rules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

_ORDERED_RE = re.compile(r"^(\d{1,9})[.)] +(.*)$")
_UNORDERED_RE = re.compile(r"^[-*+] +(.*)$")
_RULE_RE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})\s*$")


@dataclass
class Block:
    kind: str  # "heading", "paragraph", "list", "quote", "code" or "rule"
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    lang: str = ""


def _heading_level(line: str) -> int:
    """Level (1-6) of an ATX heading such as ``## Title``; 0 if not a heading.

    The hashes must be followed by a space (or end the line): ``#tag`` is text.
    """
    hashes = len(line) - len(line.lstrip("#"))
    if 1 <= hashes <= 6 and (len(line) == hashes or line[hashes] == " "):
        return hashes
    return 0


def _list_item(line: str) -> Optional[tuple[bool, str]]:
    match = _ORDERED_RE.match(line)
    if match:
        return True, match.group(2)
    match = _UNORDERED_RE.match(line)
    if match:
        return False, match.group(1)
    return None


def parse_blocks(source: str) -> list[Block]:
    """Parse ``source`` into a list of :class:`Block` objects."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    current_list: Optional[Block] = None
    quote: list[str] = []
    lines = source.replace("\r\n", "\n").split("\n")

    def flush() -> None:
        nonlocal current_list
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()
        if quote:
            blocks.append(Block("quote", " ".join(quote)))
            quote.clear()
        if current_list is not None:
            blocks.append(current_list)
            current_list = None

    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip()
        i += 1
        if line.startswith("```"):
            flush()
            body = []
            while i < len(lines) and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            i += 1  # skip the closing fence (if any)
            blocks.append(Block("code", "\n".join(body), lang=line[3:].strip()))
            continue
        if not line:
            flush()
            continue
        level = _heading_level(line)
        if level:
            flush()
            blocks.append(Block("heading", line[level:].strip().rstrip("#").strip(), level=level))
            continue
        if _RULE_RE.match(line):
            flush()
            blocks.append(Block("rule"))
            continue
        if line.startswith(">"):
            if paragraph or current_list is not None:
                flush()
            quote.append(line[1:].strip())
            continue
        item = _list_item(line)
        if item is not None:
            ordered, text = item
            if current_list is None or current_list.ordered != ordered or paragraph or quote:
                flush()
                current_list = Block("list", ordered=ordered)
            current_list.items.append(text)
            continue
        if current_list is not None and raw[:1].isspace():
            current_list.items[-1] += " " + line
            continue
        if current_list is not None or quote:
            flush()
        paragraph.append(line)
    flush()
    return blocks
