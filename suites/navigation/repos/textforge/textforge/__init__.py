"""textforge: tokenisers, light markup, templating and string utilities."""

from textforge.markup.html.render import render_html as render_markup
from textforge.templating.render import Template, render_template
from textforge.utils.slug import slugify

__version__ = "0.9.3"

__all__ = ["render_markup", "Template", "render_template", "slugify", "__version__"]
