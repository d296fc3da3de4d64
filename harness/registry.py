"""Registries by short name: a plain dict of import paths for what ships with the harness,
and an entry-point group for what other packages add."""

from __future__ import annotations

import importlib
from importlib.metadata import EntryPoint, entry_points

from harness.errors import ConfigError


def load_reference(reference: str) -> object:
    """The object at ``package.module:attribute``."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def plugin_entry_points(group: str) -> dict[str, EntryPoint]:
    """The entry points other installed packages declare in ``group``, by name."""
    return {point.name: point for point in entry_points(group=group)}


def load_entry_point(point: EntryPoint, group: str) -> object:
    """Load one entry point; a package whose entry point does not import is a ConfigError."""
    try:
        return point.load()
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"the {group} entry point {point.name!r} ({point.value}) does not "
                          f"load: {exc}; fix or uninstall the package that declares it") from exc
