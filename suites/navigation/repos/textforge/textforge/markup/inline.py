"""Inline markup: ``code``, **strong**, *emphasis* and [links](url)."""

from __future__ import annotations

import re

from textforge.markup.html.escape import escape_html

_CODE_RE = re.compile(r"`([^`]+)`")
_LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_STRONG_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EM_RE = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHOLDER_RE = re.compile("\x00(\\d+)\x00")

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


def _safe_url(url: str) -> str:
    """Neutralise script URLs (scheme comparison ignores case and whitespace)."""
    normalized = "".join(url.split()).lower()
    if normalized.startswith(UNSAFE_SCHEMES):
        return "#"
    return url


def _render_link(match: re.Match) -> str:
    label, url = match.group(1), match.group(2)
    return f'<a href="{_safe_url(url)}">{label}</a>'


def render_inline(text: str) -> str:
    """Render inline markup in ``text`` to HTML.

    The text is HTML-escaped first; code spans are protected from any further
    formatting.
    """
    code_spans: list[str] = []

    def stash(match: re.Match) -> str:
        code_spans.append(f"<code>{escape_html(match.group(1), quote=True)}</code>")
        return _PLACEHOLDER.format(len(code_spans) - 1)

    html = _CODE_RE.sub(stash, text)
    html = escape_html(html, quote=True)
    html = _LINK_RE.sub(_render_link, html)
    html = _STRONG_RE.sub(r"<strong>\1</strong>", html)
    html = _EM_RE.sub(r"<em>\1</em>", html)
    return _PLACEHOLDER_RE.sub(lambda m: code_spans[int(m.group(1))], html)


def plain_text(text: str) -> str:
    """Inline markup with all formatting characters removed."""
    text = _CODE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _STRONG_RE.sub(r"\1", text)
    return _EM_RE.sub(r"\1", text)
