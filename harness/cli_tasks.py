"""``harness tasks generate | validate | list``: make, re-check and inspect task banks."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm import tqdm

from harness.bank import Bank, load_bank, select_cases
from harness.cli_common import Subparsers, add_group
from harness.errors import HarnessError
from harness.sandbox.local import resolve_isolation
from harness.task import Task

if TYPE_CHECKING:
    from generators.tasks.bank_spec import BankSpec
    from generators.tasks.generate import GeneratedBank

EXAMPLES = """examples:
  harness tasks list                                  # every committed bank under suites/
  harness tasks generate suites/navigation/pypi.toml  # bug-injection cases from PyPI projects,
                                                      # and their card (pypi.card.md)
  harness tasks generate suites/planning/pypi.toml    # planning, recovery, testing alike
  harness tasks generate suites/navigation            # the fixture bank from specs/*.toml
  harness tasks validate                              # every committed bank, 3 runs per case
  harness tasks validate suites/navigation/pypi.jsonl --cases 'inflection-*' --runs 1
  harness tasks validate --sandbox docker --cases 'toolz-*'  # in containers (harness images)
"""
EXIT_BROKEN = 1
EXIT_INFRA = 3


def add_parser(commands: Subparsers) -> None:
    """Register ``tasks`` and its subcommands on the top-level parser."""
    sub = add_group(commands, "tasks", "make, validate and list task banks", EXAMPLES)
    generate = sub("generate", "build a bank from a spec (TOML) or a fixture folder; a "
                               "spec's bank gets a card beside it (NAME.card.md)")
    generate.add_argument("spec", type=Path, help="bank spec .toml, or a folder with specs/")
    generate.add_argument("--output", type=Path, help="bank file (default: from the spec)")
    generate.add_argument("--jobs", type=int, default=2, help="projects in parallel")
    generate.add_argument("--isolation", default="auto", choices=["auto", "bwrap", "none"])
    generate.set_defaults(handler=run_generate)

    validate = sub("validate", "oracle resolves every case, null none, stable over runs")
    validate.add_argument("banks", type=Path, nargs="*", help="bank files (default: suites/*/)")
    validate.add_argument("--runs", type=int, default=3, help="gold gradings per case")
    validate.add_argument("--jobs", type=int, default=2, help="cases checked in parallel")
    validate.add_argument("--cases", help="instance ids or globs, comma-separated")
    validate.add_argument("--sandbox", default="local", choices=["local", "docker"],
                          help="sandbox backend (docker: one container per case)")
    validate.add_argument("--isolation", default="auto", choices=["auto", "bwrap", "none"],
                          help="local sandbox isolation (auto: bubblewrap when usable)")
    validate.set_defaults(handler=run_validate)

    listing = sub("list", "summarise banks: cases per project and source")
    listing.add_argument("banks", type=Path, nargs="*", help="bank files (default: suites/*/)")
    listing.add_argument("--ids", action="store_true", help="print every instance id")
    listing.set_defaults(handler=run_list)


def committed_banks(root: Path | None = None) -> list[Path]:
    """Every ``*.jsonl`` bank next to a suite module under ``suites/``."""
    from harness.cli import default_suites_dir

    suites = root or default_suites_dir()
    return sorted(path for path in suites.glob("*/*.jsonl"))


def selected_cases(paths: list[Path], cases: str | None) -> tuple[list[Bank], list[Task]]:
    """The banks at ``paths`` (default: every committed one) and their cases matching
    ``cases`` (ids or globs, comma-separated; all when None)."""
    banks = [load_bank(path) for path in (paths or committed_banks())]
    if not banks:
        raise HarnessError("no bank found; pass bank files or run from the repository root")
    return banks, select_cases([task for bank in banks for task in bank.tasks], cases)


def run_generate(args: argparse.Namespace) -> int:
    isolation = resolve_isolation(args.isolation)
    generated: tuple[GeneratedBank, BankSpec] | None = None
    if args.spec.is_dir():
        from generators.tasks.fixture_bank import build_bank

        tasks = build_bank(args.spec.resolve(), "navigation")
        output = args.output or args.spec / "bank.jsonl"
    else:
        from generators.tasks.bank_spec import load_spec
        from generators.tasks.generate import generate_bank

        spec = load_spec(args.spec)
        bank = generate_bank(spec, isolation, args.jobs, tqdm.write)
        for check in bank.dropped:
            print(f"dropped {check.instance_id}: {'; '.join(check.problems)}", file=sys.stderr)
        tasks, generated = bank.tasks, (bank, spec)
        output = args.output or args.spec.parent / spec.output
    from generators.tasks.generate import write_bank

    write_bank(tasks, output)
    print(f"wrote {len(tasks)} cases to {output}")
    if generated is not None:
        print(f"wrote its card to {write_card(*generated, args.spec, output)}")
    return 0


def write_card(bank: GeneratedBank, spec: BankSpec, spec_path: Path, output: Path) -> Path:
    """The bank's card next to it (``generators.tasks.bank_card``)."""
    from generators.tasks.bank_card import bank_card, card_path_for

    try:
        shown = spec_path.resolve().relative_to(Path.cwd())
    except ValueError:
        shown = spec_path
    path = output.with_name(card_path_for(output.name))
    path.write_text(bank_card(output.name, str(shown), spec.seed, bank.tasks, bank.stats,
                              len(bank.dropped)), encoding="utf-8")
    return path


def run_validate(args: argparse.Namespace) -> int:
    from harness.validation import check_cases

    isolation = resolve_isolation(args.isolation)
    banks, tasks = selected_cases(args.banks, args.cases)
    broken = infra = 0
    with tqdm(total=len(tasks), desc="validating", unit="case") as bar:
        for check in check_cases(tasks, args.runs, isolation, args.jobs, sandbox=args.sandbox):
            bar.update()
            if check.infra_error:
                infra += 1
                tqdm.write(f"INFRA  {check.instance_id}: {check.infra_error}")
            elif not check.ok:
                broken += 1
                tqdm.write(f"BROKEN {check.instance_id}: {'; '.join(check.problems)}")
    print(f"{len(tasks)} cases in {len(banks)} bank(s): {len(tasks) - broken - infra} valid, "
          f"{broken} broken, {infra} not checked (infrastructure errors); "
          f"{args.runs} run(s) each, sandbox {args.sandbox}"
          + (f", isolation {isolation}" if args.sandbox == "local" else ""))
    if broken:
        return EXIT_BROKEN
    return EXIT_INFRA if infra else 0


def run_list(args: argparse.Namespace) -> int:
    banks = [load_bank(path) for path in (args.banks or committed_banks())]
    for bank in banks:
        print(describe_bank(bank, args.ids))
    return 0


def describe_bank(bank: Bank, ids: bool = False) -> str:
    """A few lines on a bank: cases, capability, and cases per project and per source."""
    repos = Counter(task.repo for task in bank.tasks)
    sources = Counter(task.source for task in bank.tasks)
    capabilities = ", ".join(sorted({task.capability for task in bank.tasks}))
    lines = [f"{bank.path}: {len(bank.tasks)} cases ({capabilities}), sha256 {bank.sha256[:12]}",
             "  projects: " + ", ".join(f"{r} {n}" for r, n in sorted(repos.items())),
             "  sources:  " + ", ".join(f"{s} {n}" for s, n in sorted(sources.items()))]
    if ids:
        lines += [f"    {task.instance_id}" for task in bank.tasks]
    return "\n".join(lines)
