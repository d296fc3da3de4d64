"""The ``harness`` command line: ``eval`` runs a suite through pytest, ``runs`` reads run dirs,
``tasks`` makes and checks banks (``harness.cli_tasks``), ``images`` manages the docker
sandbox's images (``harness.cli_images``), ``capabilities`` says what each capability
declares (``harness.cli_capabilities``), ``export`` writes a run in SWE-bench's formats
(``harness.cli_export``)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from harness import cli_capabilities, cli_export, cli_images, cli_tasks
from harness.cli_common import add_command, add_group
from harness.errors import HarnessError

EVAL_EXAMPLES = """examples:
  harness eval                                   # oracle on the navigation suite, local sandbox
  harness eval --suite navigation --model null -n 2
  harness eval --model replay:runs/RUN/trajectories --cases 'ledgerly-*'
  harness eval --model oracle -- --resume --run-dir runs/nightly   # extra pytest options after --
  harness eval --sandbox docker --model null     # one container per case
"""
RUNS_EXAMPLES = """examples:
  harness runs list
  harness runs show runs/20261201-101500-oracle-ab12
"""


def default_suites_dir() -> Path:
    """``./suites`` when run from a checkout's root, else the suites next to this package."""
    here = Path.cwd() / "suites"
    return here if here.is_dir() else Path(__file__).resolve().parents[1] / "suites"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Evaluate coding agents.")
    commands = parser.add_subparsers(dest="command", required=True)

    evaluate = add_command(commands, "eval", "run a capability suite (pytest underneath) and "
                           "gate the model", EVAL_EXAMPLES)
    evaluate.add_argument("--suite", default="navigation", help="capability suite (default: "
                          "navigation)")
    evaluate.add_argument("--model", default="oracle", help="policy URI (default: oracle)")
    evaluate.add_argument("--sandbox", default="local", choices=["local", "docker"],
                          help="sandbox backend (docker: build images first, harness images)")
    evaluate.add_argument("-n", "--workers", default="2",
                          help="pytest-xdist workers, or 0 for none (default: 2)")
    evaluate.add_argument("--cases", help="instance ids or globs, comma-separated")
    evaluate.add_argument("--suites-dir", type=Path, help="where suites live (default: ./suites)")
    evaluate.add_argument("pytest_args", nargs=argparse.REMAINDER,
                          help="after --: options passed to pytest unchanged")
    evaluate.set_defaults(handler=run_eval)

    sub = add_group(commands, "runs", "list and inspect run directories", RUNS_EXAMPLES)
    show = sub("show", "summarise one run")
    show.add_argument("run", type=Path, help="run directory")
    show.add_argument("--failures", type=int, default=20, help="unresolved cases to list")
    show.set_defaults(handler=run_show)
    listing = sub("list", "list run directories, newest first")
    listing.add_argument("--root", type=Path, default=Path("runs"), help="default: ./runs")
    listing.set_defaults(handler=run_list)
    cli_tasks.add_parser(commands)
    cli_images.add_parser(commands)
    cli_capabilities.add_parser(commands)
    cli_export.add_parser(commands)
    return parser


def eval_command(args: argparse.Namespace) -> list[str]:
    """The pytest command line ``harness eval`` runs."""
    suite_dir = (args.suites_dir or default_suites_dir()) / args.suite
    if not suite_dir.is_dir():
        raise HarnessError(f"no suite {args.suite!r} at {suite_dir}; "
                           "pass --suites-dir or run from the repository root")
    command = [sys.executable, "-m", "pytest", str(suite_dir), "--model", args.model,
               "--sandbox", args.sandbox]
    if args.workers not in ("0", ""):
        command += ["-n", args.workers]
    if args.cases:
        command += ["--cases", args.cases]
    extra: list[str] = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    return command + extra


def run_eval(args: argparse.Namespace) -> int:
    command = eval_command(args)
    print("$", " ".join(command), flush=True)
    return subprocess.call(command)


def run_show(args: argparse.Namespace) -> int:
    from harness.rundir import RunDir
    from reports.run_summary import show_run

    print(show_run(RunDir(args.run), failures=args.failures))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from reports.run_summary import list_runs

    print(list_runs(args.root))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except HarnessError as exc:
        print(f"harness: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
