"""What every ``harness`` subcommand's parser shares: a description and the examples."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time
    Subparsers: TypeAlias = argparse._SubParsersAction


def add_command(parent: Subparsers, name: str, text: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` shows ``text`` and ``examples`` (kept as written)."""
    return parent.add_parser(name, help=text, description=text, epilog=examples,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
