"""Per-case costs of the sandbox backends, local and docker, and the navigation bank's wall
time with each, as ratios (docker / local).

For each backend, over ``--repeat`` fresh sandboxes of one case: provision (open a sandbox
at the base state; docker images are built beforehand and not counted), one exec round trip
(``true``), a diff, and teardown. Then, unless ``--no-suite``, the navigation suite with the
oracle (``pytest suites/navigation -n JOBS --sandbox B``), timed end to end.

Usage: python benchmarks/sandbox.py [--cases GLOB] [--repeat 10] [--jobs 2] [--no-suite]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from oracle_suite import ROOT, oracle_suite_seconds  # benchmarks/, run as scripts

from harness.bank import load_bank, select_cases
from harness.sandbox.backends import BACKENDS, SandboxKind, sandbox_opener
from harness.sandbox.local import resolve_isolation
from harness.task import Task

BANKS = [ROOT / "suites/navigation/bank.jsonl", ROOT / "suites/navigation/pypi.jsonl"]


T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def per_case_costs(task: Task, kind: SandboxKind, repeat: int) -> dict[str, float]:
    """Median seconds of each step over ``repeat`` fresh sandboxes."""
    opener = sandbox_opener(task, kind, resolve_isolation("auto"))
    opener().close()  # builds (docker) or caches (local) what later opens reuse
    steps: dict[str, list[float]] = {"provision": [], "exec": [], "diff": [], "teardown": []}
    for _ in range(repeat):
        seconds, box = timed(opener)
        steps["provision"].append(seconds)
        steps["exec"].append(timed(functools.partial(box.exec, ["true"], timeout=60))[0])
        steps["diff"].append(timed(box.diff)[0])
        steps["teardown"].append(timed(box.close)[0])
    return {step: statistics.median(values) for step, values in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", help="instance ids or globs (default: the whole bank)")
    parser.add_argument("--repeat", type=int, default=10, help="sandboxes per backend")
    parser.add_argument("--jobs", type=int, default=2, help="pytest-xdist workers")
    parser.add_argument("--no-suite", action="store_true", help="skip the suite timing")
    args = parser.parse_args()
    tasks = select_cases([t for bank in BANKS for t in load_bank(bank).tasks], args.cases)
    sample = tasks[0]
    print(f"per-case costs on {sample.instance_id}, median of {args.repeat} (seconds)")
    costs = {kind: per_case_costs(sample, kind, args.repeat) for kind in BACKENDS}
    print(f"{'step':<10} {'local':>8} {'docker':>8} {'ratio':>7}")
    for step in costs["local"]:
        local, docker = costs["local"][step], costs["docker"][step]
        print(f"{step:<10} {local:8.3f} {docker:8.3f} {docker / local:6.1f}x")
    if args.no_suite:
        return
    print(f"navigation suite, oracle, {len(tasks)} cases, -n {args.jobs} (seconds)")
    walls = {kind: oracle_suite_seconds(args.cases, "-n", str(args.jobs), "--sandbox", kind)[0]
             for kind in BACKENDS}
    print(f"{'wall':<10} {walls['local']:8.1f} {walls['docker']:8.1f} "
          f"{walls['docker'] / walls['local']:6.1f}x")


if __name__ == "__main__":
    main()
