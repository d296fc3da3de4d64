"""A tiny template engine: ``{{ expr | filter }}``, ``{% if %}``, ``{% for %}``, ``{# #}``."""

from textforge.templating.context import Markup, Undefined
from textforge.templating.filters import register_filter
from textforge.templating.lexer import TemplateSyntaxError
from textforge.templating.render import Template, render_template

__all__ = ["Markup", "Undefined", "register_filter", "TemplateSyntaxError", "Template", "render_template"]
