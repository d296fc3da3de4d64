"""``harness capabilities [NAME]``: what each capability declares."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.capabilities import capability_names, get_capability
from harness.cli_common import Subparsers, add_command
from harness.protocols import Capability

EXAMPLES = """examples:
  harness capabilities                 # every capability this installation can find
  harness capabilities navigation      # its banks, graders, tools, scorer, rewards, oracle, ...
"""


def add_parser(commands: Subparsers) -> None:
    """Register ``capabilities`` on the top-level parser."""
    command = add_command(commands, "capabilities", "list capabilities and what each declares",
                          EXAMPLES)
    command.add_argument("name", nargs="?", help="one capability to describe in full")
    command.add_argument("--suites-dir", type=Path,
                         help="where suites and their banks live (default: ./suites)")
    command.set_defaults(handler=run_capabilities)


def run_capabilities(args: argparse.Namespace) -> int:
    from harness.cli import default_suites_dir

    suites = args.suites_dir or default_suites_dir()
    if args.name:
        print(describe(get_capability(args.name), suites / args.name))
        return 0
    names = capability_names()
    width = max(map(len, names), default=0)
    for name in names:
        print(f"{name:<{width}}  {get_capability(name).description}")
    return 0


def _qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def describe(capability: Capability, suite_dir: Path) -> str:
    """The declaration, piece by piece, with the case count of each bank found."""
    from harness.bank import load_bank

    banks = []
    for name in capability.banks:
        path = suite_dir / name
        if name.startswith("hf:"):
            banks.append(f"{name} (a Hugging Face dataset, read when the suite runs)")
        else:
            banks.append(f"{name} ({len(load_bank(path).tasks)} cases)" if path.is_file()
                         else f"{name} (not at {path})")
    fields = capability.expectations.model_fields
    lines = [
        f"{capability.name}: {capability.description}",
        f"  banks         {', '.join(banks)}",
        "  graders       " + ", ".join(f"{kind} ({type(grader).__name__})"
                                       for kind, grader in sorted(capability.graders.items())),
        f"  tools         {_qualified(capability.tools)}(task)",
        f"  prompts       system: {capability.system_prompt[:70]}...",
        f"                task: {_qualified(capability.task_prompt)}(task)",
        f"  scorer        {_qualified(capability.scorer)}",
        "  rewards       " + ", ".join(f"{name} ({_qualified(reward)})"
                                       for name, reward in capability.rewards.items()),
        f"  formatter     {_qualified(capability.formatter)}",
        f"  oracle        {_qualified(capability.oracle)}",
        f"  expectations  {capability.expectations.__name__}"
        + (": " + ", ".join(f"{name} ({info.description or info.annotation})"
                            for name, info in fields.items()) if fields else ""),
        f"  gate          pass rate >= {capability.gate_pass_rate:.0%}",
    ]
    return "\n".join(lines)
