"""String utilities: slugs, case conversion, wrapping and truncation."""

from textforge.utils.case import camel_case, kebab_case, pascal_case, snake_case, title_case
from textforge.utils.slug import slugify, unique_slug
from textforge.utils.truncate import truncate_chars, truncate_middle, truncate_words
from textforge.utils.wrap import fill, wrap_text

__all__ = [
    "camel_case", "kebab_case", "pascal_case", "snake_case", "title_case",
    "slugify", "unique_slug", "truncate_chars", "truncate_middle", "truncate_words",
    "fill", "wrap_text",
]
