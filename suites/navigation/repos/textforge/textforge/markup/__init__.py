"""A small Markdown-like markup language and its HTML renderer."""

from textforge.markup.blocks import Block, parse_blocks
from textforge.markup.inline import render_inline

__all__ = ["Block", "parse_blocks", "render_inline"]
