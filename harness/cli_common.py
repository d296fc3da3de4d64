"""What every ``harness`` subcommand's parser shares: a description and the examples."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time
    Subparsers: TypeAlias = argparse._SubParsersAction


def add_command(parent: Subparsers, name: str, text: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` shows ``text`` and ``examples`` (kept as written)."""
    return parent.add_parser(name, help=text, description=text, epilog=examples,
                             formatter_class=argparse.RawDescriptionHelpFormatter)


def add_group(parent: Subparsers, name: str, text: str,
              examples: str) -> Callable[[str, str], argparse.ArgumentParser]:
    """A command with subcommands (``harness tasks validate``); returns the function that
    adds one subcommand by name and help text, its ``--help`` showing the same examples."""
    group = add_command(parent, name, text, examples)
    actions = group.add_subparsers(dest=f"{name}_command", required=True)

    def add_subcommand(subcommand: str, subtext: str) -> argparse.ArgumentParser:
        return add_command(actions, subcommand, subtext, examples)

    return add_subcommand
