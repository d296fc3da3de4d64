"""HTML output: escaping helpers (``escape``) and the block renderer (``render``)."""

from textforge.markup.html.escape import escape_attr, escape_html, strip_tags, unescape_html

__all__ = ["escape_attr", "escape_html", "strip_tags", "unescape_html"]
